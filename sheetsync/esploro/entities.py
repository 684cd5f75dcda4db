"""Everything that differs between Esploro's entities, in one adapter per entity.

Researchers and research assets are two different APIs behind one gateway: researchers are
listed with a `q` query and read one at a time, assets are listed only by filter and read up to
100 in one GET (answered in any order, without the IDs it lacks); a researcher is written by a
swap-all PUT, an asset only by `op=patch` in the Knowledge Center's XML (the assets API has no
PUT); each has its own not-found errorCode and its own fields that the server derives.
Export, plan, apply, rollback and check ask the adapter (`entity_of(name)`) and never compare
entity names themselves, so adding an entity is one adapter here plus its routes in the sandbox
(docs/architecture.md).
"""

from __future__ import annotations

import copy
import datetime
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sheetsync.errors import (
    ApplyError,
    AuthorizationError,
    ErrorDetail,
    EsploroApiError,
    ExportError,
    NotFoundError,
    NothingToExport,
    RecordIdError,
)
from sheetsync.esploro.client import (
    EsploroClient,
    RawBody,
    RawItem,
    as_list,
    path_segment,
    raw_items,
)
from sheetsync.esploro.patchxml import XML_CONTENT_TYPE, patch_xml
from sheetsync.progress import Progress
from sheetsync.template import PATCHABLE_KEYS, EntityName, WriteMode

Record = dict[str, Any]
OnProgress = Callable[[int], object] | None
Params = Mapping[str, Any] | None
BodyFormat = Literal["xml", "json"]

MAX_IDS_PER_GET = 100  # asset IDs in one `GET assets/{id1,id2,...}`, and its `limit`
Q_SYNTAX_HINT = (
    "check the q syntax: field~words, conditions joined with ' AND ', e.g. "
    "'last_name~Smith AND first_name~Anna' (Ex Libris has changed this syntax before)"
)
EVERYTHING_SINCE = "1900-01-01"  # `--updated-since` that selects every asset
# The assets list's filters: the Selection field, the API's parameter (the OpenAPI file's
# name), the command-line option. `GET /assets` refuses to list without one of them.
ASSET_FILTERS: tuple[tuple[str, str, str], ...] = (
    ("updated_since", "update_date_from", "--updated-since"),
    ("updated_until", "update_date_to", "--updated-until"),
    ("doi", "doi", "--doi"),
    ("researcher", "user_primary_id", "--researcher"),
    ("org_unit", "org_code", "--org-unit"),
    ("open_access", "open_access", "--open-access"),
)
DATE_FILTERS = ("updated_since", "updated_until")
OPEN_ACCESS_VALUES = ("yes", "no")


@dataclass(frozen=True)
class Selection:
    """Which records to export. IDs win over a query or filters; `limit` caps any of them."""

    query: str = ""  # researchers: the API's q
    updated_since: str | None = None  # assets: update_date_from (YYYY-MM-DD)
    ids: tuple[str, ...] | None = None
    limit: int | None = None
    updated_until: str | None = None  # assets: update_date_to (YYYY-MM-DD)
    doi: str | None = None  # assets: doi (one, or several separated by commas)
    researcher: str | None = None  # assets: user_primary_id
    org_unit: str | None = None  # assets: org_code (one, or several separated by commas)
    open_access: str | None = None  # assets: open_access (yes or no)

    def asset_filters(self) -> dict[str, str]:
        """The filters given, under the names `GET /assets` takes them by."""
        chosen = ((param, getattr(self, field)) for field, param, _ in ASSET_FILTERS)
        return {param: str(value) for param, value in chosen if value}

    def filter_options(self) -> list[str]:
        """The command-line options of the filters given (for messages)."""
        return [option for field, _, option in ASSET_FILTERS if getattr(self, field)]

    def describe(self) -> str:
        filters = self.asset_filters()
        if self.ids is not None:
            text = f"{len(self.ids)} IDs"
        elif self.query:
            text = f"q={self.query}"
        elif filters:
            text = ", ".join(f"{param}={value}" for param, value in filters.items())
        else:
            text = "all records"
        return text + (f", limit {self.limit}" if self.limit else "")

    def chosen_ids(self) -> tuple[str, ...] | None:
        """The IDs asked for, capped by `limit`; None when records are selected otherwise."""
        if self.ids is None:
            return None
        return self.ids[: self.limit] if self.limit else self.ids


@dataclass(frozen=True)
class Selected:
    """One record a selection chose, or (`record` None) an ID asked for that Esploro lacks."""

    record_id: str
    record: Record | None


@dataclass(frozen=True)
class DataFact:
    """Something true of an institution's records that a template's author should know (for
    `check --template`): `notable` when the template, as it is, may not fit it."""

    name: str
    notable: bool
    text: str


@dataclass(frozen=True)
class LoopCalls:
    """API calls one export, plan and apply of N records cost (an estimate, from above)."""

    export: int
    plan: int
    apply: int


@dataclass(frozen=True)
class Restored:
    """What a rollback write did: the record as Esploro answered (None: nothing was sent),
    and the fields it could not put back through the API."""

    record: Record | None
    unrestorable: tuple[str, ...] = ()


class Entity(ABC):
    """One Esploro entity: how to select, read and write its records. Stateless; the client
    (its key, pacing and quota) is passed to each call."""

    name: EntityName
    sheet_title: str  # the export's data sheet
    not_found_codes: frozenset[str]  # errorCodes that mean "no such record"
    probe_path: str  # a read of one record's worth, for `check`
    write_modes: frozenset[WriteMode]  # how this entity's API can write a record
    # Top-level fields the server changes on its own, with no one editing the record: never a
    # reason to call a record changed (apply's stale check, settling a write, rollback).
    volatile_fields: frozenset[str] = frozenset()
    # Top-level fields the API documents but a record often lacks: a template path starting at
    # one is spelt right even when no sampled record has it (`check --template`).
    documented_fields: frozenset[str] = frozenset()
    # Top-level fields that name a record as a person knows it, tried in order: reports show
    # the first that holds text beside the record's ID.
    name_fields: tuple[str, ...] = ()

    @abstractmethod
    def check_selection(self, selection: Selection) -> None:
        """Refuse selection options this entity's API does not offer (ExportError)."""

    @abstractmethod
    def select(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[Selected]:
        """The selected full records, streaming, and the IDs asked for that Esploro lacks.
        NothingToExport before any if a listing matched none."""

    @abstractmethod
    def get(self, client: EsploroClient, record_id: str) -> Record:
        """One full record: the only safe base for a write. NotFoundError if there is none."""

    @abstractmethod
    def fetch(
        self, client: EsploroClient, ids: Iterable[str], progress: OnProgress = None
    ) -> Iterator[Record | None]:
        """Full records for `ids`, fetched concurrently, one per ID in input order: None for
        an ID Esploro does not have, so one missing record never hides the rest.
        `progress(n)` as records arrive."""

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

    @abstractmethod
    def restore(
        self,
        client: EsploroClient,
        record_id: str,
        before: Mapping[str, Any],
        fields: Collection[str],
    ) -> Restored:
        """Write a before-image back (rollback); `fields` are the top-level fields the plan
        wrote. Says which of them the API cannot put back."""

    def restored_image(
        self, live: Mapping[str, Any], before: Mapping[str, Any], fields: Collection[str]
    ) -> Record:
        """What `restore` leaves in a record that is `live` now: the whole before-image, where
        the write replaces the whole record. A rollback journals its fingerprint, so a restore
        whose answer was lost is recognised the next time."""
        return dict(before)

    def unrestorable(self, before: Mapping[str, Any], fields: Collection[str]) -> tuple[str, ...]:
        """The written fields `restore` cannot put back (none, where it replaces the whole
        record)."""
        return ()

    # The code tables this entity's records carry codes from (a snapshot takes them along).
    code_tables: tuple[str, ...] = ()
    # How many full records one GET can read fresh (`read_batch`): apply and rollback re-read
    # the records they write this many at a time, just before writing them.
    read_batch_size: int = 1

    def read_batch(self, client: EsploroClient, ids: Sequence[str]) -> list[Record | None]:
        """Fresh full records for up to `read_batch_size` IDs, one per ID in order, None for
        one Esploro does not have."""
        if len(ids) > self.read_batch_size:
            raise RecordIdError(f"at most {self.read_batch_size} IDs per read, got {len(ids)}")
        records: list[Record | None] = []
        for record_id in ids:
            try:
                records.append(self.get(client, record_id))
            except NotFoundError:
                records.append(None)
        return records

    @abstractmethod
    def select_raw(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[tuple[str, RawItem | None]]:
        """`select`, each record with its text exactly as Esploro sent it (a snapshot):
        (ID, record), or (ID, None) for an ID asked for that Esploro lacks."""

    def read_text(self, client: EsploroClient, path: str, params: Params = None) -> RawItem | None:
        """GET `path` with its exact text; None when this entity's not-found code answers."""
        try:
            value, text = client.get_text(path, params)
        except EsploroApiError as exc:
            if isinstance(self.not_found(exc), NotFoundError):
                return None
            raise
        return RawItem(value, text)

    def check_write_mode(self, mode: WriteMode) -> None:
        """Refuse, before anything is sent, a write mode this entity's API does not have."""
        if mode not in self.write_modes:
            raise ApplyError(f"{self.name} cannot be written with write_mode {mode!r}")

    def probe(self, client: EsploroClient) -> None:
        """The smallest read of this entity (one record of a list), for `check`."""
        client.request("GET", self.probe_path, {"limit": 1})

    @abstractmethod
    def sample_selection(self, size: int) -> Selection:
        """A selection of `size` records of any kind, for `check --template`'s sample."""

    @abstractmethod
    def loop_calls(self, records: int) -> LoopCalls:
        """What an export, a plan and an apply of `records` records cost in API calls."""

    def may_write(self, client: EsploroClient) -> bool | None:
        """Whether the key may write this entity, asked without writing a record; None when
        the API has no such question (then only a real write can tell)."""
        return None

    def data_facts(
        self, records: Sequence[Mapping[str, Any]], paths: Collection[str]
    ) -> list[DataFact]:
        """Facts about the institution's data in `records` (a sample) that matter to a
        template reading `paths`."""
        return []

    def display_name(self, record: Mapping[str, Any]) -> str:
        """The record's name as a person knows it (a researcher's full name, an asset's
        title), shown beside its ID in reports; "" when it has none."""
        for field in self.name_fields:
            value = record.get(field)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return ""

    def is_derived(self, path: str) -> bool:
        """Whether the server computes the field at this JSON Pointer (a code's `desc`,
        `*WithDesc` objects, the `link`), so a write's verification ignores it."""
        last = path.rsplit("/", 1)[-1]
        return last == "desc" or last.endswith("WithDesc") or path == "/link"

    def is_volatile(self, path: str) -> bool:
        """Whether the field at this JSON Pointer (or under it) is one the server changes on its
        own, like a portal view counter."""
        key = path.split("/")[1].replace("~1", "/").replace("~0", "~") if "/" in path else ""
        return key in self.volatile_fields

    def is_ignored(self, path: str) -> bool:
        """Whether a difference at this JSON Pointer says nothing about anyone's edit: a
        volatile field, or one the server derives from others."""
        return self.is_volatile(path) or self.is_derived(path)

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

    def _select_ids(
        self, client: EsploroClient, ids: Sequence[str], progress: Progress
    ) -> Iterator[Selected]:
        """The records of `ids`, in their order, each found or not."""
        progress.start(len(ids))
        found = self.fetch(client, ids, progress.advance)
        for record_id, record in zip(ids, found, strict=True):
            yield Selected(record_id, record)

    def __repr__(self) -> str:
        return f"<entity {self.name}>"


class Researchers(Entity):
    """Researcher profiles: listed with `q`, read one by one (`view=full`), written by a
    swap-all PUT of the whole record."""

    name: EntityName = "researchers"
    sheet_title = "Researchers"
    not_found_codes = frozenset({"401861"})
    probe_path = "researchers"
    write_modes: frozenset[WriteMode] = frozenset({"put"})
    # None: the seeded and captured researchers carry no counter or modification stamp the
    # server keeps (`status_date` changes only with `status`, which a person sets).
    volatile_fields: frozenset[str] = frozenset()
    name_fields = ("full_name",)  # Alma's, from the user record; always there

    def check_selection(self, selection: Selection) -> None:
        options = selection.filter_options()
        if options:
            raise ExportError(
                f"{', '.join(options)}: for assets only; select researchers with --query or --ids"
            )

    def select(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[Selected]:
        ids = selection.chosen_ids()
        if ids is None:
            ids = tuple(self.list_ids(client, selection.query, selection.limit))
            if not ids:
                hint = f"; {Q_SYNTAX_HINT}" if selection.query else ""
                raise NothingToExport(f"no records matched {selection.describe()}{hint}")
        yield from self._select_ids(client, ids, progress)

    def sample_selection(self, size: int) -> Selection:
        return Selection(limit=size)

    def loop_calls(self, records: int) -> LoopCalls:
        """Listing pages and one GET each to export; one GET each to plan (and its code
        tables); a GET and a PUT each to apply."""
        pages = -(-records // MAX_IDS_PER_GET)
        return LoopCalls(export=pages + records, plan=records + 8, apply=2 * records)

    def data_facts(
        self, records: Sequence[Mapping[str, Any]], paths: Collection[str]
    ) -> list[DataFact]:
        return [_multilingual_fact(records, paths), _orcid_fact(records)]

    # the tables rest_user.xsd and rest_researcher.xsd name for the researcher's code fields
    code_tables = (
        "AddNewUserOptions",
        "UserGroups",
        "ContentStructureStatus",
        "UserUserType",
        "UserEmailTypes",
        "UserIdentifierTypes",
        "UserTitles",
        "UserPreferredLanguage",
        "OrganizationPositions",
        "EsploroPortalField",
        "ResearchTopicsLabels",
        "ResearchLanguagesNames",
        "ResearcherEngagementTypes",
    )

    def select_raw(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[tuple[str, RawItem | None]]:
        ids = selection.chosen_ids()
        if ids is None:
            ids = tuple(self.list_ids(client, selection.query, selection.limit))
            if not ids:
                raise NothingToExport(f"no records matched {selection.describe()}")
        progress.start(len(ids))

        def one(record_id: str) -> RawItem | None:
            path = f"researchers/{path_segment(record_id)}"
            return self.read_text(client, path, {"view": "full"})

        work = client.reporting(one, lambda _item: 1, progress.advance)
        yield from zip(ids, client.ordered(work, ids), strict=True)

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
    ) -> Iterator[Record | None]:
        def one(record_id: str) -> Record | None:
            try:
                return self.get(client, record_id)
            except NotFoundError:
                return None

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
        self.check_write_mode(mode)
        path = f"researchers/{path_segment(record_id)}"
        return client.expect_object("PUT", path, client.request("PUT", path, body=dict(body)))

    def restore(
        self,
        client: EsploroClient,
        record_id: str,
        before: Mapping[str, Any],
        fields: Collection[str],
    ) -> Restored:
        """The whole before-image, PUT back: a swap-all PUT restores every field."""
        return Restored(self.write(client, record_id, before, partial=None, mode="put"))


class Assets(Entity):
    """Research assets: listed by filter (the API lists nothing without one), read up to 100
    in one GET, written only by `op=patch` of the fields the Knowledge Center lists, in its
    XML (the API has no PUT for assets)."""

    name: EntityName = "assets"
    sheet_title = "Assets"
    not_found_codes = frozenset({"ASSET_NOT_FOUND"})
    probe_path = "assets/test"
    write_modes: frozenset[WriteMode] = frozenset({"patch"})
    # Portal view and download counters (docs/sandbox.md, Assets). The asset's update date is
    # kept beside the record, not in it: the captured asset has no modification stamp.
    volatile_fields: frozenset[str] = frozenset({"asset.views", "asset.downloads"})
    # The Knowledge Center's op=patch fields (dates, identifiers, ...): most assets lack most.
    documented_fields = PATCHABLE_KEYS
    name_fields = ("title",)
    body_format: BodyFormat = "xml"  # tests set "json" to show what Esploro does with it

    def check_selection(self, selection: Selection) -> None:
        if selection.query:
            raise ExportError(
                "--query applies to researchers only; the assets API selects by filter: "
                "--updated-since YYYY-MM-DD, --doi, --researcher, --org-unit, ... or --ids"
            )
        for field, _, option in ASSET_FILTERS:
            value = getattr(selection, field)
            if value and field in DATE_FILTERS:
                _check_date(option, value)
        if selection.open_access and selection.open_access not in OPEN_ACCESS_VALUES:
            raise ExportError(f"--open-access '{selection.open_access}' must be yes or no")
        if selection.ids is None and not selection.asset_filters():
            raise ExportError(
                "the assets API lists assets only by filter: give --updated-since YYYY-MM-DD "
                f"(every asset: --updated-since {EVERYTHING_SINCE}), --updated-until, --doi, "
                "--researcher, --org-unit, --open-access, or --ids"
            )

    def check_write_mode(self, mode: WriteMode) -> None:
        if mode not in self.write_modes:
            raise ApplyError(
                "Esploro's API cannot replace an asset (it has no PUT for assets): only "
                'op=patch of dates and identifiers; use a template with write_mode = "patch"'
            )

    def probe(self, client: EsploroClient) -> None:
        """`GET /assets/test`: the API's own "is this key allowed" call, no filter needed."""
        client.request("GET", self.probe_path)

    def may_write(self, client: EsploroClient) -> bool | None:
        """`POST /assets/test`: allowed only with read/write permissions (the OpenAPI file);
        it writes nothing. A refusal that is not about the key is raised."""
        try:
            client.request("POST", self.probe_path)
        except AuthorizationError:
            return False
        return True

    def sample_selection(self, size: int) -> Selection:
        return Selection(updated_since=EVERYTHING_SINCE, limit=size)

    def loop_calls(self, records: int) -> LoopCalls:
        """Full records 100 to a page or batch GET to export and to plan (and code tables);
        a GET and an op=patch each to apply."""
        pages = -(-records // MAX_IDS_PER_GET)
        return LoopCalls(export=pages, plan=pages + 8, apply=2 * records)

    def data_facts(
        self, records: Sequence[Mapping[str, Any]], paths: Collection[str]
    ) -> list[DataFact]:
        return [_creators_fact(records, paths)]

    def select(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[Selected]:
        ids = selection.chosen_ids()
        if ids is not None:
            if not ids:
                raise NothingToExport(f"no records matched {selection.describe()}")
            yield from self._select_ids(client, ids, progress)
            return
        progress.start(None)
        records = iter(self.list_records(client, selection.asset_filters(), selection.limit))
        first = next(records, None)
        if first is None:
            raise NothingToExport(f"no assets matched {selection.describe()}")
        for record in itertools.chain([first], records):
            progress.advance(1)
            yield Selected(_asset_id(record), record)

    def select_raw(
        self, client: EsploroClient, selection: Selection, progress: Progress
    ) -> Iterator[tuple[str, RawItem | None]]:
        ids = selection.chosen_ids()
        if ids is not None:
            progress.start(len(ids))

            def batch_of(asset_ids: list[str]) -> list[tuple[str, RawItem | None]]:
                return self._raw_batch(client, asset_ids)

            work = client.reporting(batch_of, len, progress.advance)
            for batch in client.ordered(work, _batches(iter(ids), MAX_IDS_PER_GET)):
                yield from batch
            return
        progress.start(None)
        filters = selection.asset_filters()
        if not filters:
            raise ExportError("the assets API lists nothing without a filter")
        found = False
        for item in client.raw_pages(
            "assets", filters, "records", "totalRecordCount", selection.limit
        ):
            found = True
            progress.advance(1)
            yield _asset_id(item.value), item
        if not found:
            raise NothingToExport(f"no assets matched {selection.describe()}")

    def _raw_batch(
        self, client: EsploroClient, batch: list[str]
    ) -> list[tuple[str, RawItem | None]]:
        """Up to 100 assets in one GET, each with its exact text, matched back by ID."""
        path = "assets/" + ",".join(path_segment(asset_id) for asset_id in batch)
        answer = self.read_text(client, path, {"limit": MAX_IDS_PER_GET, "offset": 0})
        items = raw_items(answer.text, "records") if answer is not None else []
        by_id = {_asset_id(item.value): item for item in items}
        return [(asset_id, by_id.get(asset_id)) for asset_id in batch]

    def list_records(
        self, client: EsploroClient, filters: Mapping[str, str], limit: int | None = None
    ) -> Iterator[Record]:
        """Every asset `filters` (the API's parameter names) select: full records, API order."""
        if not filters:
            raise ExportError("the assets API lists nothing without a filter")
        yield from client.pages("assets", filters, "records", "totalRecordCount", limit)

    def get(self, client: EsploroClient, record_id: str) -> Record:
        (record,) = self._batch(client, [record_id])
        if record is None:
            raise self._missing(client, f"assets/{path_segment(record_id)}", record_id)
        return record

    def get_batch(self, client: EsploroClient, ids: Sequence[str]) -> list[Record]:
        """Up to 100 assets in one GET, in whatever order the server gives (the reverse of
        the order asked, in practice) and without the IDs it does not know. `limit` is sent
        because the API's default is 10 records, whatever the number of IDs."""
        if not ids:
            raise RecordIdError("no asset IDs given")
        if len(ids) > MAX_IDS_PER_GET:
            raise RecordIdError(f"at most {MAX_IDS_PER_GET} asset IDs per request, got {len(ids)}")
        if any("," in str(asset_id) for asset_id in ids):
            raise RecordIdError("an asset ID cannot contain a comma")
        path = "assets/" + ",".join(path_segment(asset_id) for asset_id in ids)
        params = {"limit": MAX_IDS_PER_GET, "offset": 0}
        try:
            return as_list(self.read(client, path, params).get("records"))
        except NotFoundError:  # none of them known: answered as an error, not an empty list
            return []

    def _missing(self, client: EsploroClient, path: str, record_id: str) -> NotFoundError:
        code = next(iter(self.not_found_codes))
        detail = ErrorDetail(200, code, f"asset {record_id} not found", "")
        return NotFoundError("GET", client.display(path), detail)

    def _batch(self, client: EsploroClient, batch: list[str]) -> list[Record | None]:
        """One record per ID of `batch`, in its order, matched by ID; None where missing."""
        unique = list(dict.fromkeys(batch))
        by_id = {_asset_id(record): record for record in self.get_batch(client, unique)}
        result: list[Record | None] = []
        used: set[str] = set()
        for asset_id in batch:  # a repeated ID gets its own copy, never an alias
            record = by_id.get(asset_id)
            result.append(copy.deepcopy(record) if asset_id in used else record)
            used.add(asset_id)
        return result

    read_batch_size = MAX_IDS_PER_GET

    def read_batch(self, client: EsploroClient, ids: Sequence[str]) -> list[Record | None]:
        """Up to 100 assets in one GET, in the order asked, None where missing."""
        if len(ids) > MAX_IDS_PER_GET:
            raise RecordIdError(f"at most {MAX_IDS_PER_GET} asset IDs per request, got {len(ids)}")
        return self._batch(client, list(ids))

    def fetch(
        self, client: EsploroClient, ids: Iterable[str], progress: OnProgress = None
    ) -> Iterator[Record | None]:
        def batch(asset_ids: list[str]) -> list[Record | None]:
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
        """`op=patch&action=replace` of the plan's fields (`partial`); `body` is not sent."""
        self.check_write_mode(mode)
        return self.patch(client, record_id, partial or {}, "replace")

    def restore(
        self,
        client: EsploroClient,
        record_id: str,
        before: Mapping[str, Any],
        fields: Collection[str],
    ) -> Restored:
        """The fields the plan wrote, patched back to their before-values. A field that was
        empty before cannot be put back: op=patch replaces and adds, it never clears."""
        unrestorable = self.unrestorable(before, fields)
        restorable = {f: before[f] for f in sorted(fields) if f not in unrestorable}
        record = self.patch(client, record_id, restorable) if restorable else None
        return Restored(record, unrestorable)

    def restored_image(
        self, live: Mapping[str, Any], before: Mapping[str, Any], fields: Collection[str]
    ) -> Record:
        """`live` with the fields the plan wrote back at their before-values, but for those
        that were empty before (op=patch cannot empty them)."""
        unrestorable = self.unrestorable(before, fields)
        return {**live, **{f: before[f] for f in fields if f not in unrestorable}}

    def unrestorable(self, before: Mapping[str, Any], fields: Collection[str]) -> tuple[str, ...]:
        """The written fields that were empty before the apply: op=patch never clears one."""
        return tuple(sorted(f for f in fields if _is_empty(before.get(f))))

    def patch(
        self,
        client: EsploroClient,
        record_id: str,
        changes: Mapping[str, Any],
        action: str = "replace",
        *,
        body_format: BodyFormat | None = None,
    ) -> Record:
        """`op=patch` of `changes` (dotted keys): `add` fills empty fields and appends to
        lists, `replace` overwrites. Sent as the Knowledge Center's XML, the one body that
        changes identifiers; `body_format="json"` sends flat dotted JSON instead (tests only).
        Returns the updated record Esploro answers with, or reads it when the answer is empty."""
        if action not in ("replace", "add"):
            raise ApplyError(f"op=patch action must be 'replace' or 'add', not {action!r}")
        path = f"assets/{path_segment(record_id)}"
        params = {"op": "patch", "action": action}
        if (body_format or self.body_format) == "json":
            answer = client.request("POST", path, params, body={"records": [dict(changes)]})
        else:
            xml = RawBody(patch_xml(changes), XML_CONTENT_TYPE)
            answer = client.request("POST", path, params, raw=xml)
        return self._answered(client, record_id, path, answer)

    def _answered(self, client: EsploroClient, record_id: str, path: str, answer: Any) -> Record:
        """The record a write answered with (`{"records": [record]}`); read again if none."""
        if answer is None:
            return self.get(client, record_id)
        records = as_list(client.expect_object("POST", path, answer).get("records"))
        mine = [record for record in records if _asset_id(record) == record_id]
        return mine[0] if len(mine) == 1 else self.get(client, record_id)


MULTILINGUAL_FIELDS = ("display_title_multilingual", "researcher_keyword_multilingual")


def _multilingual_fact(records: Sequence[Mapping[str, Any]], paths: Collection[str]) -> DataFact:
    """How many sampled researchers keep display title or keywords in the multilingual fields,
    and whether the template reads those."""
    using = sum(
        1
        for record in records
        if any((record.get("researcher") or {}).get(name) for name in MULTILINGUAL_FIELDS)
    )
    reads = any("_multilingual" in path for path in paths)
    if not using:
        text = _of(0, records, "use the *_multilingual fields")
        advice = ", which this template reads: use the researchers template" if reads else ""
        return DataFact("multilingual fields", reads, text + advice)
    text = _of(using, records, "keep display title or keywords in the *_multilingual fields")
    advice = "this template reads them" if reads else "use the researchers-multilingual template"
    return DataFact("multilingual fields", not reads, f"{text}: {advice}")


def _orcids(identifiers: Any) -> list[str]:
    return [
        str(item.get("value"))
        for item in as_list(identifiers)
        if (item.get("id_type") or {}).get("value") == "ORCID" and item.get("value")
    ]


def _orcid_fact(records: Sequence[Mapping[str, Any]]) -> DataFact:
    """ORCID iDs in both the user record and the researcher profile, and those differing."""
    both = differ = 0
    for record in records:
        user = _orcids(record.get("user_identifier"))
        profile = _orcids((record.get("researcher") or {}).get("user_identifier"))
        if user and profile:
            both += 1
            differ += set(user) != set(profile)
    text = _of(both, records, "hold an ORCID iD in both the user record and the profile")
    if differ:
        text += f", {differ} of them two different iDs: look at those before editing ORCID iDs"
    return DataFact("ORCID in both places", bool(differ), text)


def _creators_fact(records: Sequence[Mapping[str, Any]], paths: Collection[str]) -> DataFact:
    """Assets whose creators are not listed in author order (`order`), and whether the
    template picks a creator by position, which would then be the wrong one."""
    unsorted = 0
    for record in records:
        orders = [str(c.get("order", "")) for c in as_list(record.get("creators"))]
        numbers = [int(o) for o in orders if o.isdigit()]
        unsorted += numbers != sorted(numbers)
    by_position = any("/creators[" in p and "/creators[lowest" not in p for p in paths)
    text = _of(unsorted, records, "list their creators out of author order")
    advice = ": pick a creator with [lowest order], not by position" if by_position else ""
    return DataFact("creators unsorted", bool(unsorted and by_position), text + advice)


def _of(count: int, records: Sequence[Any], what: str) -> str:
    return f"{count} of {len(records)} sampled records {what}"


def _check_date(option: str, value: str) -> None:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise ExportError(f"{option} '{value}' is not a date YYYY-MM-DD") from None


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _asset_id(record: Mapping[str, Any]) -> str:
    repository = record.get("originalRepository") or {}
    return str(repository.get("assetId", "")) if isinstance(repository, dict) else ""


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
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
