"""The sandbox as an object: configure, seed, start, stop.

`Sandbox` is what `sheetsync sandbox` runs in the foreground, what `sheetsync demo` and the
tests run in a background thread, and what benchmarks start in a separate process. The
database is seeded once, when it is new; after that records persist across restarts.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

from sheetsync.errors import ConfigError
from sheetsync.sandbox import errors, loading, seed
from sheetsync.sandbox.asset_patch import JSON_IDENTIFIER_POLICIES
from sheetsync.sandbox.faults import (
    DailyQuota,
    FaultInjector,
    PerSecondThreshold,
    PortalViews,
    WriteFaults,
)
from sheetsync.sandbox.routes import ApiSettings
from sheetsync.sandbox.server import SandboxHTTPServer, ServerState
from sheetsync.sandbox.stats import RequestStats
from sheetsync.sandbox.store import Store

DEFAULT_PORT = 8780
READ_WRITE_KEY = "sandbox-rw"
READ_ONLY_KEY = "sandbox-ro"
DEFAULT_KEYS: Mapping[str, str] = {READ_WRITE_KEY: "rw", READ_ONLY_KEY: "ro"}
CAPTURED_ASSET_ID = "991291935000561"
CAPTURED_ASSET_UPDATED = "2025-09-21"


@dataclass(frozen=True)
class SandboxConfig:
    """The options of `sheetsync sandbox`, with the same names and defaults."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    db: Path | None = None  # None: an in-memory database, gone when the sandbox stops
    researchers: int = 500
    assets: int = 2000
    seed: int = 1
    rate_limit: float = 25.0
    daily_limit: int = 100_000
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    fail_rate: float = 0.0
    drop_rate: float = 0.0
    keys: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    log_requests: bool = False
    # Behaviours the evidence leaves open: the default is the stricter one (docs/sandbox.md).
    asset_put: bool = False  # True: a hypothetical swap-all asset PUT, for experiments only
    json_identifiers: str = "ignore"  # "accept": op=patch writes identifier.* from JSON too
    patch_empty: str = "ignore"  # "clear": op=patch replace with an empty value clears a field
    tracking_ids: str = "E01"  # trackingId prefix: "E01", "E02" or "mixed" (real ones: both)
    views_per_second: float = 0.0  # portal views bumping random assets' asset.views; 0 = off
    # True: researchers as an institution with the multilingual researcher fields holds them
    # (display_title_multilingual, researcher_keyword_multilingual instead of the plain ones)
    multilingual: bool = False
    # True: no `X-Sheetsync-Sandbox` header, so apply treats it as production (its canary runs)
    pretend_production: bool = False
    # Test faults: fields dropped, or retyped, whenever a write is stored ("researcher/x", "a.b")
    drop_on_write: tuple[str, ...] = ()
    retype_on_write: tuple[str, ...] = ()
    # `--load`: serve exactly the records of these files (snapshots, API answers, traces) on an
    # empty store; `seed_too` seeds it first all the same
    load: Sequence[Path | str] = ()
    seed_too: bool = False

    def __post_init__(self) -> None:
        for name in ("fail_rate", "drop_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be between 0 and 1")
        for name in (
            "researchers",
            "assets",
            "daily_limit",
            "latency_ms",
            "jitter_ms",
            "views_per_second",
        ):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative")
        if self.json_identifiers not in JSON_IDENTIFIER_POLICIES:
            raise ConfigError("json_identifiers must be 'ignore' or 'accept'")
        if self.patch_empty not in ("ignore", "clear"):
            raise ConfigError("patch_empty must be 'ignore' or 'clear'")
        if self.tracking_ids not in errors.TRACKING_PREFIXES:
            raise ConfigError("tracking_ids must be 'E01', 'E02' or 'mixed'")
        if self.rate_limit <= 0:
            raise ConfigError("rate_limit must be positive")
        if any(not name.strip("/") for name in (*self.drop_on_write, *self.retype_on_write)):
            raise ConfigError("a field to drop or retype on write needs a name")
        for key, access in self.keys.items():
            if access not in ("rw", "ro") or not key:
                raise ConfigError("each key needs a non-empty value and the access rw or ro")
        if self.load:
            refuse_public_keys(self.host, self.keys)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_public_keys(host: str, keys: Mapping[str, str]) -> None:
    """Loaded records are real people's data: off this machine, never behind the well-known
    default keys."""
    if not is_loopback(host) and set(keys) & set(DEFAULT_KEYS):
        raise ConfigError(
            f"a sandbox serving loaded records listens on {host} only with keys of your own: "
            "give --key VALUE=rw (the default keys are public knowledge), or --host 127.0.0.1"
        )


def captured_asset() -> dict[str, Any]:
    """The real asset captured from Esploro, exactly as its GET returned it."""
    text = (
        resources.files("sheetsync.sandbox")
        .joinpath("data/captured_asset.json")
        .read_text(encoding="utf-8")
    )
    record: dict[str, Any] = json.loads(text)["records"][0]
    return record


def seed_store(store: Store, config: SandboxConfig) -> bool:
    """Fill a new database from `config`; returns False when it already holds data."""
    if store.meta("seeded") is not None:
        store.mark_verbatim(CAPTURED_ASSET_ID)  # a database from before the flag existed
        return False
    researchers = list(
        seed.generate_researchers(config.seed, config.researchers, multilingual=config.multilingual)
    )
    store.add_researchers(researchers)
    store.add_assets(seed.generate_assets(config.seed, config.assets, researchers))
    store.add_assets([(captured_asset(), CAPTURED_ASSET_UPDATED)], verbatim=True)
    store.set_meta(
        "seeded",
        json.dumps(
            {
                "seed": config.seed,
                "researchers": config.researchers,
                "assets": config.assets,
                "multilingual": config.multilingual,
            }
        ),
    )
    return True


class Sandbox:
    """A running (or ready to run) Esploro-compatible server. Use as a context manager."""

    def __init__(self, config: SandboxConfig | None = None, **options: Any) -> None:
        """`Sandbox(port=0, researchers=40)` is `Sandbox(SandboxConfig(port=0, researchers=40))`."""
        if config is not None and options:
            raise ConfigError("give a SandboxConfig or options, not both")
        self.config = config or SandboxConfig(**options)
        self.store = Store(self.config.db if self.config.db is not None else ":memory:")
        self.load_warnings: tuple[str, ...] = ()
        try:
            self.seeded_now = self._fill()
            serves_loaded = self.store.meta(loading.META_KEY) is not None
            if serves_loaded:  # also a database loaded earlier, started again without --load
                refuse_public_keys(self.config.host, self.config.keys)
        except BaseException:
            self.store.close()
            raise
        tables, units, copy_of = loading.remembered(self.store)
        state = ServerState(
            store=self.store,
            keys=dict(self.config.keys),
            per_second=PerSecondThreshold(self.config.rate_limit),
            quota=DailyQuota(self.config.daily_limit),
            faults=FaultInjector(
                self.config.seed,
                self.config.fail_rate,
                self.config.drop_rate,
                self.config.latency_ms,
                self.config.jitter_ms,
            ),
            stats=RequestStats(),
            tracking=errors.TrackingIds(self.config.seed, self.config.tracking_ids),
            log_requests=self.config.log_requests,
            settings=ApiSettings(
                asset_put=self.config.asset_put,
                json_identifiers=self.config.json_identifiers,
                patch_empty=self.config.patch_empty,
                write_faults=WriteFaults(
                    tuple(self.config.drop_on_write), tuple(self.config.retype_on_write)
                ),
                code_tables=tables,
                organizations=units,
            ),
            identify=not self.config.pretend_production,
            control_routes=not serves_loaded or is_loopback(self.config.host),
            copy_of=copy_of,
        )
        self._views = PortalViews(self.store, self.config.views_per_second, self.config.seed)
        try:
            self._server = SandboxHTTPServer((self.config.host, self.config.port), state)
        except OSError:
            self.store.close()
            raise
        self._thread: threading.Thread | None = None

    def _fill(self) -> bool:
        """Seed a new database, or load the files given (on an empty one); whether it was
        seeded now."""
        if not self.config.load:
            return seed_store(self.store, self.config)
        if any(self.store.counts().values()):
            raise ConfigError(
                f"--load needs an empty sandbox database; {self.config.db} holds records: "
                "give a new --db, or --reset"
            )
        loaded = loading.read_files(self.config.load)
        loading.complete_tables(loaded)
        seeded = seed_store(self.store, self.config) if self.config.seed_too else False
        if not seeded:  # a restart of this database must not seed it either
            self.store.set_meta("seeded", json.dumps({"loaded": True}))
        loading.load_into(self.store, loaded)
        self.load_warnings = tuple(loaded.warnings)
        return seeded

    @property
    def faults(self) -> FaultInjector:
        """The live fault settings: tests and soaks turn failures on after setting up."""
        return self._server.state.faults

    def stats(self) -> dict[str, Any]:
        """What `GET /_sandbox/stats` returns: API requests by method, resource and status."""
        return self._server.state.stats.snapshot()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What a client configures as its base URL; API paths start with /esploro/v1/."""
        host = self.config.host if ":" not in self.config.host else f"[{self.config.host}]"
        return f"http://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        """A read/write key of this sandbox, for `sheetsync.connect(api_key=...)`."""
        return next((key for key, access in self.config.keys.items() if access == "rw"), "")

    def serve_forever(self) -> None:
        """Serve in the calling thread until `stop()` (or KeyboardInterrupt); portal views, if
        configured, run only while the sandbox serves."""
        self._views.start()
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._views.stop()

    def start(self) -> Sandbox:
        """Serve in a background thread; returns self so `with Sandbox(...).start()` reads well."""
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the socket, and close the database cleanly."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._views.stop()
        self._server.server_close()
        self.store.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
