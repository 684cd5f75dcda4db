"""Everything that differs between Esploro's entities, in one adapter per entity.

Researchers and research assets are two different APIs behind one gateway: researchers are
listed with a `q` query and read one at a time, assets are listed by filter and read up to 100
in one GET; a researcher is written by a swap-all PUT, an asset by `op=patch`; each has its own
not-found errorCode and its own fields that the server derives. Export, plan, apply, rollback
and check ask the adapter (`entity_of(name)`) and never compare entity names themselves, so
adding an entity is one adapter here plus its routes in the sandbox (docs/architecture.md).
"""

from __future__ import annotations

import copy
import datetime
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sheetsync.errors import (
    ApplyError,
    ErrorDetail,
    EsploroApiError,
    ExportError,
    NotFoundError,
    NothingToExport,
    RecordIdError,
)
from sheetsync.esploro.client import EsploroClient, as_list, path_segment
from sheetsync.progress import Progress
from sheetsync.template import EntityName, WriteMode

Record = dict[str, Any]
OnProgress = Callable[[int], object] | None
Params = Mapping[str, Any] | None

MAX_IDS_PER_GET = 100  # asset IDs in one `GET assets/{id1,id2,...}`
Q_SYNTAX_HINT = (
    "check the q syntax: field~words, conditions joined with ' AND ', e.g. "
    "'last_name~Smith AND ALL~chemistry' (Ex Libris has changed this syntax before)"
)


@dataclass(frozen=True)
class Selection:
    """Which records to export. IDs win over a query; `limit` caps either."""

    query: str = ""  # researchers: the API's q
    updated_since: str | None = None  # assets: the API's update_date_from (YYYY-MM-DD)
    ids: tuple[str, ...] | None = None
    limit: int | None = None

    def describe(self) -> str:
        if self.ids is not None:
            text = f"{len(self.ids)} IDs"
        elif self.query:
            text = f"q={self.query}"
        elif self.updated_since:
            text = f"update_date_from={self.updated_since}"
        else:
            text = "all records"
        return text + (f", limit {self.limit}" if self.limit else "")

    def chosen_ids(self) -> tuple[str, ...] | None:
        """The IDs asked for, capped by `limit`; None when records are selected otherwise."""
        if self.ids is None:
            return None
        return self.ids[: self.limit] if self.limit else self.ids


class Entity(ABC):
    """One Esploro entity: how to select, read and write its records. Stateless; the client
    (its key, pacing and quota) is passed to each call."""

    name: EntityName
    sheet_title: str  # the export's data sheet
    not_found_codes: frozenset[str]  # errorCodes that mean "no such record"
    probe_path: str  # a read of one record's worth, for `check`

    @abstractmethod
    def check_selection(self, selection: Selection) -> None:
        """Refuse selection options this entity's API does not offer (ExportError)."""

    @abstractmethod
    def select(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[Record]:
        """The selected full records, streaming; NothingToExport before any if there are none."""

    @abstractmethod
    def get(self, client: EsploroClient, record_id: str) -> Record:
        """One full record: the only safe base for a write."""

    @abstractmethod
    def fetch(
        self, client: EsploroClient, ids: Iterable[str], progress: OnProgress = None
    ) -> Iterator[Record]:
        """Full records for `ids`, fetched concurrently, in input order; `progress(n)` as
        records arrive. A missing record raises NotFoundError when its turn comes."""

    @abstractmethod
    def write(
        self,
        client: EsploroClient,
        record_id: str,
        body: Mapping[str, Any],
        *,
        partial: Mapping[str, Any] | None,
        mode: WriteMode,
    ) -> Record:
        """Write one record: `body` is the whole record as it should be, `partial` the fields
        a `patch`-mode write sends. Returns the record as stored. Never retried."""

    def restore(self, client: EsploroClient, record_id: str, before: Mapping[str, Any]) -> Record:
        """Write a before-image back whole (rollback)."""
        return self.write(client, record_id, before, partial=None, mode="put")

    def probe(self, client: EsploroClient) -> None:
        """The smallest read of this entity (one record of a list), for `check`."""
        client.request("GET", self.probe_path, {"limit": 1})

    def is_derived(self, path: str) -> bool:
        """Whether the server computes the field at this JSON Pointer (a code's `desc`,
        `*WithDesc` objects, the `link`), so a write's verification ignores it."""
        last = path.rsplit("/", 1)[-1]
        return last == "desc" or last.endswith("WithDesc") or path == "/link"

    def read(self, client: EsploroClient, path: str, params: Params = None) -> Record:
        """GET `path`; this entity's not-found errorCode becomes a NotFoundError. Raised
        outside the `except`, so no other exception is chained to what the caller sees."""
        try:
            return client.get_object(path, params)
        except EsploroApiError as exc:
            failure = exc
        raise self.not_found(failure)

    def not_found(self, exc: EsploroApiError) -> EsploroApiError:
        """`exc` as a NotFoundError when its errorCode is this entity's not-found code."""
        if isinstance(exc, NotFoundError) or exc.error_code not in self.not_found_codes:
            return exc
        return NotFoundError(exc.method, exc.path, exc.detail, exc.attempts)

    def __repr__(self) -> str:
        return f"<entity {self.name}>"


class Researchers(Entity):
    """Researcher profiles: listed with `q`, read one by one (`view=full`), written by a
    swap-all PUT of the whole record."""

    name: EntityName = "researchers"
    sheet_title = "Researchers"
    not_found_codes = frozenset({"401861"})
    probe_path = "researchers"

    def check_selection(self, selection: Selection) -> None:
        if selection.updated_since:
            raise ExportError("--updated-since applies to assets only; for researchers use --query")

    def select(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[Record]:
        ids = selection.chosen_ids()
        if ids is None:
            ids = tuple(self.list_ids(client, selection.query, selection.limit))
        if not ids:
            hint = f"; {Q_SYNTAX_HINT}" if selection.query else ""
            raise NothingToExport(f"no records matched {selection.describe()}{hint}")
        progress.start(len(ids))
        yield from self.fetch(client, ids, progress.advance)

    def list_ids(
        self, client: EsploroClient, q: str = "", limit: int | None = None
    ) -> Iterator[str]:
        """Every researcher's primary_id matching `q`, in the API's order, each once."""
        params = {"q": q} if q else {}
        seen: set[str] = set()
        for user in client.pages("researchers", params, "user", "total_record_count", limit):
            primary_id = str(user.get("primary_id", ""))
            if primary_id and primary_id not in seen:  # a record added mid-way shifts pages
                seen.add(primary_id)
                yield primary_id

    def list_page(
        self, client: EsploroClient, limit: int = 10, offset: int = 0, q: str = ""
    ) -> dict[str, Any]:
        """One page of brief records: `{"user": [...], "total_record_count": N}`."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if q:
            params["q"] = q
        return client.get_object("researchers", params)

    def get(self, client: EsploroClient, record_id: str) -> Record:
        return self.read(client, f"researchers/{path_segment(record_id)}", {"view": "full"})

    def fetch(
        self, client: EsploroClient, ids: Iterable[str], progress: OnProgress = None
    ) -> Iterator[Record]:
        def one(record_id: str) -> Record:
            return self.get(client, record_id)

        yield from client.ordered(client.reporting(one, lambda _record: 1, progress), ids)

    def write(
        self,
        client: EsploroClient,
        record_id: str,
        body: Mapping[str, Any],
        *,
        partial: Mapping[str, Any] | None,
        mode: WriteMode,
    ) -> Record:
        path = f"researchers/{path_segment(record_id)}"
        return client.expect_object("PUT", path, client.request("PUT", path, body=dict(body)))


class Assets(Entity):
    """Research assets: listed by filter (`update_date_from`), read up to 100 in one GET,
    written by `op=patch` (the patchable fields) or, in `put` mode, by a whole-record PUT."""

    name: EntityName = "assets"
    sheet_title = "Assets"
    not_found_codes = frozenset({"ASSET_NOT_FOUND"})
    probe_path = "assets"

    def check_selection(self, selection: Selection) -> None:
        if selection.query:
            raise ExportError(
                "--query applies to researchers only; the assets API selects by last update: "
                "use --updated-since YYYY-MM-DD, or --ids"
            )
        if selection.updated_since:
            try:
                datetime.date.fromisoformat(selection.updated_since)
            except ValueError:
                raise ExportError(
                    f"--updated-since '{selection.updated_since}' is not a date YYYY-MM-DD"
                ) from None

    def select(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[Record]:
        ids = selection.chosen_ids()
        if ids is not None:
            if not ids:
                raise NothingToExport(f"no records matched {selection.describe()}")
            progress.start(len(ids))
            yield from self.fetch(client, ids, progress.advance)
            return
        progress.start(None)
        records = iter(self.list_records(client, selection.updated_since, selection.limit))
        first = next(records, None)
        if first is None:
            raise NothingToExport(f"no assets matched {selection.describe()}")
        progress.advance(1)
        yield first
        for record in records:
            progress.advance(1)
            yield record

    def list_records(
        self,
        client: EsploroClient,
        update_date_from: str | datetime.date | None = None,
        limit: int | None = None,
    ) -> Iterator[Record]:
        """Every asset (updated on or after `update_date_from`), full records, in API order."""
        params: dict[str, Any] = {}
        if update_date_from is not None:
            params["update_date_from"] = (
                update_date_from.isoformat()
                if isinstance(update_date_from, datetime.date)
                else update_date_from
            )
        yield from client.pages("assets", params, "records", "totalRecordCount", limit)

    def get(self, client: EsploroClient, record_id: str) -> Record:
        return self.get_batch(client, [record_id])[0]

    def get_batch(self, client: EsploroClient, ids: Sequence[str]) -> list[Record]:
        """Up to 100 assets in one GET, in the order the server gives (the order asked)."""
        if not ids:
            raise RecordIdError("no asset IDs given")
        if len(ids) > MAX_IDS_PER_GET:
            raise RecordIdError(f"at most {MAX_IDS_PER_GET} asset IDs per request, got {len(ids)}")
        if any("," in str(asset_id) for asset_id in ids):
            raise RecordIdError("an asset ID cannot contain a comma")
        path = "assets/" + ",".join(path_segment(asset_id) for asset_id in ids)
        records = as_list(self.read(client, path).get("records"))
        if not records:
            raise self._missing(client, path, "the answer held none of the assets")
        return records

    def _missing(self, client: EsploroClient, path: str, message: str) -> NotFoundError:
        code = next(iter(self.not_found_codes))
        detail = ErrorDetail(200, code, message, "")
        return NotFoundError("GET", client.display(path), detail)

    def _batch(self, client: EsploroClient, batch: list[str]) -> list[Record]:
        """The records for `batch`, one per ID in its order; NotFoundError names any missing."""
        unique = list(dict.fromkeys(batch))
        by_id = {_asset_id(record): record for record in self.get_batch(client, unique)}
        missing = [asset_id for asset_id in unique if asset_id not in by_id]
        if missing:
            message = f"{len(missing)} asset(s) not found: {', '.join(missing)}"
            raise self._missing(client, "assets/" + ",".join(unique), message)
        result: list[Record] = []
        used: set[str] = set()
        for asset_id in batch:  # a repeated ID gets its own copy, never an alias
            record = by_id[asset_id]
            result.append(copy.deepcopy(record) if asset_id in used else record)
            used.add(asset_id)
        return result

    def fetch(
        self, client: EsploroClient, ids: Iterable[str], progress: OnProgress = None
    ) -> Iterator[Record]:
        def batch(asset_ids: list[str]) -> list[Record]:
            return self._batch(client, asset_ids)

        work = client.reporting(batch, len, progress)
        for records in client.ordered(work, _batches((str(i) for i in ids), MAX_IDS_PER_GET)):
            yield from records

    def write(
        self,
        client: EsploroClient,
        record_id: str,
        body: Mapping[str, Any],
        *,
        partial: Mapping[str, Any] | None,
        mode: WriteMode,
    ) -> Record:
        path = f"assets/{path_segment(record_id)}"
        if mode == "patch":
            return self.patch(client, record_id, partial or {}, "replace")
        answer = client.request("PUT", path, body=dict(body))
        return self._single_record(client, "PUT", path, answer)

    def patch(
        self,
        client: EsploroClient,
        record_id: str,
        changes: Mapping[str, Any],
        action: str = "replace",
    ) -> Record:
        """`op=patch` on the patchable fields in `changes`: `add` appends, `replace` overwrites."""
        if action not in ("replace", "add"):
            raise ApplyError(f"op=patch action must be 'replace' or 'add', not {action!r}")
        path = f"assets/{path_segment(record_id)}"
        params = {"op": "patch", "action": action}
        answer = client.request("POST", path, params, body={"records": [dict(changes)]})
        return self._single_record(client, "POST", path, answer)

    @staticmethod
    def _single_record(client: EsploroClient, method: str, path: str, answer: Any) -> Record:
        """An asset write answers `{"records": [record]}`; return the record."""
        wrapper = client.expect_object(method, path, answer)
        records = as_list(wrapper.get("records"))
        return records[0] if len(records) == 1 else wrapper


def _asset_id(record: Mapping[str, Any]) -> str:
    repository = record.get("originalRepository") or {}
    return str(repository.get("assetId", "")) if isinstance(repository, dict) else ""


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


RESEARCHERS = Researchers()
ASSETS = Assets()
ENTITIES: Mapping[str, Entity] = {entity.name: entity for entity in (RESEARCHERS, ASSETS)}


def entity_of(name: str) -> Entity:
    """The adapter for an entity name (a template's `entity`, a plan's)."""
    try:
        return ENTITIES[name]
    except KeyError:
        known = ", ".join(ENTITIES)
        raise ExportError(f"unknown entity '{name}'; sheetsync knows {known}") from None
