"""Connection settings: which Esploro to talk to, with which key, and how hard to push it.

Precedence, highest first: command-line options (the arguments of `resolve_settings`), the
environment (`ESPLORO_API_KEY`, `ESPLORO_REGION`, `ESPLORO_BASE_URL`, `SHEETSYNC_PROFILE`), a
named profile in the user's config file, and the OS keyring. Higher levels win so a one-off
command can always override a saved setting without editing files.

The key is a secret (design rule 7): `Settings` never shows it in its repr, errors name where a
key was looked for but never a key, and a config file holding a key that other users can read
earns a warning. `--sandbox` ignores the environment, profiles and keyring entirely, so a
production key is never sent to a sandbox, nor the sandbox key to production.
"""

from __future__ import annotations

import datetime
import difflib
import json
import math
import os
import re
import socket
import stat
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from sheetsync.errors import ConfigError
from sheetsync.files import PRIVATE, write_text_atomically

DEFAULT_REGION = "na"
DEFAULT_RATE = 10.0
DEFAULT_WORKERS = 8
DEFAULT_QUOTA_FLOOR = 1000
ENV_API_KEY = "ESPLORO_API_KEY"
ENV_REGION = "ESPLORO_REGION"
ENV_BASE_URL = "ESPLORO_BASE_URL"
ENV_PROFILE = "SHEETSYNC_PROFILE"
KEYRING_SERVICE = "sheetsync"
DEFAULT_KEYRING_ENTRY = "default"
PROFILE_KEYS = ("region", "base_url", "api_key", "rate", "workers", "quota_floor")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
REGIONS = ("na", "eu", "ap", "aps", "ca", "cn")
REGION_BASE_URLS = {"cn": "https://api-cn.hosted.exlibrisgroup.com.cn"}  # the exceptions
API_PATH = "/esploro/v1/"
# `sheetsync sandbox` listens here with this read/write key (sheetsync.sandbox.app; a test
# checks the two agree). Written out so the library never imports its own emulator.
SANDBOX_BASE_URL = "http://127.0.0.1:8780"
SANDBOX_API_KEY = "sandbox-rw"


@dataclass(frozen=True)
class Settings:
    """Everything an `EsploroClient` needs, and where the key came from (never the key's text)."""

    base_url: str
    api_key: str = field(repr=False)
    key_source: str
    rate: float = DEFAULT_RATE
    workers: int = DEFAULT_WORKERS
    quota_floor: int = DEFAULT_QUOTA_FLOOR
    profile: str | None = None
    warnings: tuple[str, ...] = ()


def default_config_path() -> Path:
    """`config.toml` in the user's config directory (e.g. ~/.config/sheetsync/config.toml)."""
    return platformdirs.user_config_path("sheetsync") / "config.toml"


def display_path(path: Path) -> str:
    """`path` with the home directory shown as `~`, as people recognise it."""
    try:
        return f"~/{path.expanduser().resolve().relative_to(Path.home().resolve()).as_posix()}"
    except (ValueError, RuntimeError, OSError):
        return str(path)


# -- base URLs -------------------------------------------------------------------------------


def region_base_url(region: str) -> str:
    """The gateway for a region, as the assets OpenAPI file's `servers` list gives it:
    `https://api-{region}.hosted.exlibrisgroup.com`, but China's is under `.com.cn`."""
    if region not in REGIONS:
        raise ConfigError(f"unknown region '{region}'; choose one of {', '.join(REGIONS)}")
    return REGION_BASE_URLS.get(region, f"https://api-{region}.hosted.exlibrisgroup.com")


def normalise_base_url(base_url: str) -> str:
    """`base_url` without a trailing slash or a pasted-in `/esploro/v1` (the client adds it)."""
    url = base_url.strip().rstrip("/")
    if url.endswith(API_PATH.rstrip("/")):
        url = url[: -len(API_PATH.rstrip("/"))]
    return url


# -- the config file -----------------------------------------------------------------------


@dataclass(frozen=True)
class _ConfigFile:
    path: Path
    exists: bool
    data: Mapping[str, Any]
    mode: int = 0

    @property
    def profiles(self) -> Mapping[str, Mapping[str, Any]]:
        profiles: Mapping[str, Mapping[str, Any]] = self.data.get("profiles", {})
        return profiles


def _load(path: Path) -> _ConfigFile:
    """Read and shape-check the config file; a missing file is an empty one."""
    try:
        raw = path.read_bytes()
        mode = path.stat().st_mode
    except FileNotFoundError:
        return _ConfigFile(path, False, {})
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {display_path(path)}: {exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{display_path(path)} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:  # its message says "at line N, column M"
        raise ConfigError(f"{display_path(path)} is not valid TOML: {exc}") from None
    _check_shape(path, data)
    return _ConfigFile(path, True, data, mode)


def _check_shape(path: Path, data: Mapping[str, Any]) -> None:
    where = display_path(path)
    default = data.get("default_profile")
    if default is not None and not isinstance(default, str):
        raise ConfigError(f"{where}: default_profile must be a string (a profile name)")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(t, dict) for t in profiles.values()):
        raise ConfigError(f"{where}: profiles must be tables, e.g. [profiles.prod]")


def profile_names(config_path: Path | None = None) -> list[str]:
    """The profiles in the config file, in file order (empty when there is no file)."""
    return list(_load(config_path or default_config_path()).profiles)


def _holds_key(config: _ConfigFile) -> bool:
    return "api_key" in config.data or any("api_key" in t for t in config.profiles.values())


def _permission_warnings(config: _ConfigFile) -> list[str]:
    """A key in a file other users can read is a leaked key waiting to happen."""
    if not config.exists or os.name == "nt" or not config.mode & 0o077:
        return []
    if not _holds_key(config):
        return []
    where = display_path(config.path)
    return [
        f"{where} holds an API key and other users can read it "
        f"(mode {stat.filemode(config.mode)}): run chmod 600 {where}"
    ]


def _unknown_key_warnings(
    config: _ConfigFile, name: str | None, table: Mapping[str, Any]
) -> list[str]:
    """A misspelt setting (`apikey`, `rate_limit`) would otherwise be ignored in silence."""
    where = display_path(config.path)
    return [
        f"{where}, profile '{name}': unknown setting '{key}', ignored ({_did_you_mean(key)})"
        for key in table
        if key not in PROFILE_KEYS
    ]


def _did_you_mean(key: str) -> str:
    """`did you mean 'api_key'?` for a near miss, else the settings a profile may hold."""
    close = difflib.get_close_matches(key.lower(), PROFILE_KEYS, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known: {', '.join(PROFILE_KEYS)}"


def _select_profile(
    config: _ConfigFile, profile: str | None, env: Mapping[str, str]
) -> tuple[str | None, Mapping[str, Any]]:
    """The profile asked for (option, environment, default_profile) or `default` if present."""
    choices = (
        ("--profile option", profile),
        (f"environment variable {ENV_PROFILE}", env.get(ENV_PROFILE)),
        (f"default_profile in {display_path(config.path)}", config.data.get("default_profile")),
    )
    for source, name in choices:
        if name:
            return name, _profile_table(config, name, source)
    if DEFAULT_KEYRING_ENTRY in config.profiles:
        return DEFAULT_KEYRING_ENTRY, config.profiles[DEFAULT_KEYRING_ENTRY]
    return None, {}


def _profile_table(config: _ConfigFile, name: str, source: str) -> Mapping[str, Any]:
    if name in config.profiles:
        return config.profiles[name]
    where = display_path(config.path)
    if not config.exists:
        present = f"there is no config file at {where}"
    elif config.profiles:
        present = f"profiles in {where}: {', '.join(config.profiles)}"
    else:
        present = f"{where} has no profiles"
    raise ConfigError(
        f"unknown profile '{name}' (from the {source}); {present}. "
        "Create one with [profiles.NAME] in the config file."
    )


# -- base URL ------------------------------------------------------------------------------


def _url_from(kind: str, value: Any, source: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{source}: {kind} must be a string")
    if kind == "region":
        try:
            return region_base_url(value.strip().lower())
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None
    return _checked_base_url(value, source)


def _checked_base_url(value: str, source: str) -> str:
    url = normalise_base_url(value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"{source}: base URL '{url}' must be an http(s) address such as "
            f"{region_base_url(DEFAULT_REGION)}"
        )
    return url


def _resolve_base_url(
    base_url: str | None,
    region: str | None,
    env: Mapping[str, str],
    name: str | None,
    table: Mapping[str, Any],
) -> str:
    """The first of base URL / region at each level, from the options down to the default."""
    candidates = (
        ("--base-url option", "base_url", base_url),
        ("--region option", "region", region),
        (f"environment variable {ENV_BASE_URL}", "base_url", env.get(ENV_BASE_URL)),
        (f"environment variable {ENV_REGION}", "region", env.get(ENV_REGION)),
        (f"profile '{name}'", "base_url", table.get("base_url")),
        (f"profile '{name}'", "region", table.get("region")),
    )
    for source, kind, value in candidates:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        return _url_from(kind, value, source)
    return region_base_url(DEFAULT_REGION)


def _plain_http_warnings(url: str) -> list[str]:
    parts = urlsplit(url)
    if parts.scheme != "http" or (parts.hostname or "") in _LOOPBACK_HOSTS:
        return []
    return [f"base URL {url} uses plain http: the API key would cross the network unencrypted"]


# -- the key -------------------------------------------------------------------------------


def _keyring_key(entry: str) -> tuple[str | None, str]:
    """(key, why not) from the OS keyring; any keyring failure means "no keyring here"."""
    try:
        import keyring  # imported late: backends are probed on first use, which can be slow

        value = keyring.get_password(KEYRING_SERVICE, entry)
    except Exception as exc:  # NoKeyringError (the fail backend), D-Bus errors, locked stores
        return None, f"no usable keyring ({type(exc).__name__})"
    if not value or not value.strip():
        return None, "no entry"
    return value.strip(), ""


def _checked_key(value: Any, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{source}: api_key must be a string")
    key = value.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in key):
        raise ConfigError(f"the API key from {source} contains whitespace or control characters")
    return key or None


def _resolve_key(
    api_key: str | None,
    env: Mapping[str, str],
    config: _ConfigFile,
    name: str | None,
    table: Mapping[str, Any],
) -> tuple[str, str]:
    """(key, where it came from), or a ConfigError listing every place looked, in order."""
    where = display_path(config.path)
    looked: list[str] = []
    key = _checked_key(api_key, "the api_key argument")
    if key:
        return key, "the api_key argument"
    source = f"environment variable {ENV_API_KEY}"
    key = _checked_key(env.get(ENV_API_KEY), source)
    if key:
        return key, source
    looked.append(f"the {source}: not set")
    source = f"profile '{name}' in {where}"
    key = _checked_key(table.get("api_key"), source)
    if key:
        return key, source
    looked.append(f"the config file {where}: {_why_no_file_key(config, name)}")
    entry = name or DEFAULT_KEYRING_ENTRY
    keyring_key, why = _keyring_key(entry)
    if keyring_key:
        return keyring_key, f"keyring (service '{KEYRING_SERVICE}', entry '{entry}')"
    looked.append(f"the OS keyring (service '{KEYRING_SERVICE}', entry '{entry}'): {why}")
    raise ConfigError(_no_key_message(looked, where, entry))


def _why_no_file_key(config: _ConfigFile, name: str | None) -> str:
    if not config.exists:
        return "does not exist"
    if name is None:
        return "no profile selected (no --profile, SHEETSYNC_PROFILE or default_profile)"
    table = config.profiles.get(name, {})
    near = [k for k in table if k not in PROFILE_KEYS and _did_you_mean(k).endswith("'api_key'?")]
    if near:
        return f"profile '{name}' has no api_key (it has '{near[0]}': did you mean 'api_key'?)"
    return f"profile '{name}' has no api_key"


def _no_key_message(looked: Sequence[str], where: str, entry: str) -> str:
    places = "\n".join(f"  {n}. {text}" for n, text in enumerate(looked, 1))
    return (
        "No Esploro API key found. sheetsync looked, in this order, at:\n"
        f"{places}\n"
        "Set one in any of these ways:\n"
        f"  - export {ENV_API_KEY}=<key>   (this shell only)\n"
        f'  - api_key = "<key>" under [profiles.NAME] in {where}, then chmod 600 {where}\n'
        f"  - keyring set {KEYRING_SERVICE} {entry}   (the OS keyring; asks for the key)\n"
        "Use a read-only key unless you will write. To try sheetsync without a key, use "
        "--sandbox."
    )


# -- tuning --------------------------------------------------------------------------------


_LIMITS = {"rate": (False, 0.0), "workers": (True, 1.0), "quota_floor": (True, 0.0)}


def _number(value: Any, name: str, source: str) -> float:
    """A numeric setting, checked: TOML and options can hold anything."""
    integer, minimum = _LIMITS[name]
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    in_range = (
        ok_type and math.isfinite(value) and (value > 0 if name == "rate" else value >= minimum)
    )
    if isinstance(value, bool) or not in_range:
        wanted = "a positive number" if name == "rate" else f"a whole number >= {minimum:g}"
        raise ConfigError(f"{source}: {name} must be {wanted}; got {value!r}")
    return float(value)


def _tuning(name: str, option: Any, table: Mapping[str, Any], profile: str | None) -> float:
    """rate / workers / quota_floor: the option, else the profile, else the default."""
    if option is not None:
        return _number(option, name, f"--{name.replace('_', '-')} option")
    if name in table:
        return _number(table[name], name, f"profile '{profile}'")
    return float(_DEFAULTS[name])


_DEFAULTS = {"rate": DEFAULT_RATE, "workers": DEFAULT_WORKERS, "quota_floor": DEFAULT_QUOTA_FLOOR}


# -- resolve -------------------------------------------------------------------------------


def resolve_settings(
    *,
    api_key: str | None = None,
    region: str | None = None,
    base_url: str | None = None,
    profile: str | None = None,
    sandbox: bool = False,
    rate: float | None = None,
    workers: int | None = None,
    quota_floor: int | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """The settings for this run; ConfigError says what is missing or wrong and how to fix it."""
    if sandbox:
        return _sandbox_settings(api_key, base_url, rate, workers, quota_floor)
    environment = os.environ if env is None else env
    config = _load(config_path or default_config_path())
    name, table = _select_profile(config, profile, environment)
    url = _resolve_base_url(base_url, region, environment, name, table)
    key, key_source = _resolve_key(api_key, environment, config, name, table)
    warnings = [
        *_permission_warnings(config),
        *_unknown_key_warnings(config, name, table),
        *_plain_http_warnings(url),
    ]
    return Settings(
        base_url=url,
        api_key=key,
        key_source=key_source,
        rate=_tuning("rate", rate, table, name),
        workers=int(_tuning("workers", workers, table, name)),
        quota_floor=int(_tuning("quota_floor", quota_floor, table, name)),
        profile=name,
        warnings=tuple(warnings),
    )


def _sandbox_settings(
    api_key: str | None,
    base_url: str | None,
    rate: float | None,
    workers: int | None,
    quota_floor: int | None,
) -> Settings:
    """The local sandbox, with its read/write key, unless an option says otherwise: at
    `base_url`, else the most recently started `sheetsync sandbox` still running, else the
    default port, with a warning that no running sandbox was found."""
    warnings: tuple[str, ...] = ()
    if base_url:
        url = _checked_base_url(base_url, "--base-url option")
    else:
        found = find_running_sandbox()
        url = found or SANDBOX_BASE_URL
        if found is None and not _answers(SANDBOX_BASE_URL):
            warnings = (no_running_sandbox_message(),)
    key = _checked_key(api_key, "the api_key argument")
    return Settings(
        warnings=warnings,
        base_url=url,
        api_key=key or SANDBOX_API_KEY,
        key_source="the api_key argument" if key else "sandbox",
        rate=_tuning("rate", rate, {}, None),
        workers=int(_tuning("workers", workers, {}, None)),
        quota_floor=int(_tuning("quota_floor", quota_floor, {}, None)),
    )


# -- running sandboxes ----------------------------------------------------------------------
# `sheetsync sandbox` records where it listens, one small JSON file per running server
# ({"pid", "base_url", "started"}, named after its process and port), removed when it stops;
# `--sandbox` finds the newest one still alive. The format is shared here so the library never
# imports its own emulator, and the CLI command writes what this module reads.


def running_sandboxes_dir() -> Path:
    """`sandboxes/` in the user state directory (e.g. ~/.local/state/sheetsync/sandboxes)."""
    return platformdirs.user_state_path("sheetsync") / "sandboxes"


def record_running_sandbox(base_url: str) -> Path | None:
    """Record this process as a sandbox serving at `base_url`; returns the record to remove
    (`forget_running_sandbox`) when it stops, or None if the state directory is not writable
    (the sandbox still serves; `--sandbox` then needs --base-url)."""
    port = urlsplit(base_url).port
    path = running_sandboxes_dir() / f"{os.getpid()}-{port}.json"  # a process may run two
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
    facts = {"pid": os.getpid(), "base_url": base_url, "started": started}
    try:
        write_text_atomically(path, json.dumps(facts) + "\n", mode=PRIVATE)
    except OSError:
        return None
    return path


def forget_running_sandbox(record: Path | None) -> None:
    if record is not None:
        record.unlink(missing_ok=True)


def find_running_sandbox() -> str | None:
    """The base URL of the most recently started sandbox whose process is alive and whose
    port answers; records of sandboxes that are gone (killed, not stopped) are removed."""
    for path, facts in sorted(_sandbox_records(), key=lambda r: str(r[1]["started"]), reverse=True):
        if not _alive(int(facts["pid"])):
            path.unlink(missing_ok=True)
        elif _answers(str(facts["base_url"])):
            return str(facts["base_url"])
    return None


def no_running_sandbox_message() -> str:
    where = display_path(running_sandboxes_dir())
    return (
        f"no running `sheetsync sandbox` found (none recorded in {where}); trying "
        f"{SANDBOX_BASE_URL}. Start one with `sheetsync sandbox`, or give --base-url"
    )


def _sandbox_records() -> list[tuple[Path, Mapping[str, Any]]]:
    """Every readable record; one being written or damaged is passed over."""
    records: list[tuple[Path, Mapping[str, Any]]] = []
    for path in running_sandboxes_dir().glob("*.json"):
        try:
            facts = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(facts, dict) and {"pid", "base_url", "started"} <= facts.keys():
                int(facts["pid"])
                records.append((path, facts))
        except (OSError, ValueError, TypeError):
            continue
    return records


def _alive(pid: int) -> bool:
    if os.name == "nt":  # Windows' os.kill ends the process whatever the signal: ask its port
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform without signal 0: ask its port
    return True


def _answers(base_url: str) -> bool:
    """Whether something accepts connections at `base_url`'s host and port."""
    parts = urlsplit(base_url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=1.0):
            return True
    except (OSError, ValueError):
        return False


__all__ = [
    "DEFAULT_QUOTA_FLOOR",
    "DEFAULT_RATE",
    "DEFAULT_REGION",
    "DEFAULT_WORKERS",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_PROFILE",
    "ENV_REGION",
    "KEYRING_SERVICE",
    "REGIONS",
    "ConfigError",
    "Settings",
    "default_config_path",
    "display_path",
    "profile_names",
    "resolve_settings",
]
