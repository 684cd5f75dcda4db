"""`sheetsync check --template T`: before the first write at an institution, one table of
what could go wrong, each check answered pass, warn or fail with a one-line reason.

Nobody building sheetsync can reach a real Esploro, so the first run at an institution is also
sheetsync's first contact with its API and its data. The preflight asks what it can without
writing: is the base URL there, is the key good and allowed this entity (and, with
`write_test`, allowed to write, asked without writing a record), is there quota for the run,
do the template's code tables exist and hold the codes the live records use, does every
template path find a value in at least one of a sample of live records, and what is peculiar
about this institution's data (the entity adapter's `data_facts`). Like `check`, every failure
is captured as a row, never raised, so one run answers everything it can.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sheetsync.errors import AuthorizationError, EsploroConnectionError, EsploroError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import ENTITIES, Entity, entity_of
from sheetsync.fieldpath import FieldPath, escape_key, read_value
from sheetsync.progress import NO_PROGRESS
from sheetsync.template import Template

Verdict = Literal["pass", "warn", "fail"]
PASS: Verdict = "pass"  # noqa: S105 (a verdict, not a password)
WARN: Verdict = "warn"
FAIL: Verdict = "fail"
DEFAULT_SAMPLE = 50
SHOWN_CODES = 5  # codes missing from a table, named in its row


@dataclass(frozen=True)
class CheckRow:
    """One question of the preflight and its answer."""

    name: str
    verdict: Verdict
    reason: str


@dataclass(frozen=True)
class QuotaNeed:
    """The API calls a run would cost, and what that run is (for the reason)."""

    calls: int
    what: str


@dataclass(frozen=True)
class PreflightReport:
    base_url: str
    key_source: str
    template: str
    entity: str
    sampled: int  # live records read for the path, code and data checks
    remaining_quota: int | None
    calls_used: int
    rows: tuple[CheckRow, ...]

    @property
    def ok(self) -> bool:
        """No check failed (warnings are for a person to read, not to stop on)."""
        return all(row.verdict != FAIL for row in self.rows)


@dataclass(frozen=True)
class PreflightOptions:
    need: QuotaNeed | None = None  # what a run would cost; None: quota is only reported
    sample: int = DEFAULT_SAMPLE
    write_test: bool = False
    quota_floor: int | None = None  # the run's quota floor; None: the client's


def run_preflight(
    client: EsploroClient, template: Template, options: PreflightOptions = PreflightOptions()
) -> PreflightReport:
    """Every check for `template` over `client`; reads only (and, with `write_test`, asks
    whether the key may write, without writing a record)."""
    calls_before = client.calls
    entity = entity_of(template.entity)
    rows = _access(client, entity)
    records: list[dict[str, Any]] = []
    if all(row.verdict != FAIL for row in rows):
        if options.write_test:
            rows.append(_write_test(client, entity))
        records, sample_row = _sample(client, entity, options.sample)
        rows.append(sample_row)
        rows += _code_tables(client, template, records)
        if records:
            rows += _paths(template, entity, records)
            paths = [place.text for column in template.columns for place in column.path.places]
            rows += [
                CheckRow(fact.name, WARN if fact.notable else PASS, fact.text)
                for fact in entity.data_facts(records, paths)
            ]
    floor = client.quota_floor if options.quota_floor is None else options.quota_floor
    rows.insert(min(3, len(rows)), _quota(client, options.need, floor))
    return PreflightReport(
        base_url=client.base_url,
        key_source=client.key_source,
        template=template.name,
        entity=entity.name,
        sampled=len(records),
        remaining_quota=client.remaining_quota,
        calls_used=client.calls - calls_before,
        rows=tuple(rows),
    )


def _access(client: EsploroClient, entity: Entity) -> list[CheckRow]:
    """Base URL reachable, key valid, key allowed to read the entity."""
    try:
        entity.probe(client)
    except EsploroConnectionError as exc:
        return [CheckRow("base URL", FAIL, str(exc))]
    except AuthorizationError as exc:
        reached = CheckRow("base URL", PASS, f"{client.base_url} answered")
        return [reached, _key_elsewhere(client, entity), CheckRow(_read(entity), FAIL, str(exc))]
    except EsploroError as exc:
        reached = CheckRow("base URL", PASS, f"{client.base_url} answered")
        return [reached, CheckRow(_read(entity), FAIL, str(exc))]
    answered = f"{client.base_url} answered in {client.last_round_trip_ms or 0:.0f} ms"
    return [
        CheckRow("base URL", PASS, answered),
        CheckRow("API key", PASS, f"accepted (from {client.key_source})"),
        CheckRow(_read(entity), PASS, f"the key may read {entity.name}"),
    ]


def _read(entity: Entity) -> str:
    return f"read {entity.name}"


def _key_elsewhere(client: EsploroClient, entity: Entity) -> CheckRow:
    """A key refused for one entity: valid but not allowed it, or not valid at all?"""
    for other in ENTITIES.values():
        if other is entity:
            continue
        try:
            other.probe(client)
        except EsploroError:
            continue
        reason = f"valid (it may read {other.name}), but not allowed {entity.name}"
        return CheckRow(
            "API key", FAIL, reason + ": add that API to the key in the Developer Network"
        )
    reason = "refused by every Esploro API sheetsync uses: check the key and the region"
    return CheckRow("API key", FAIL, reason)


def _write_test(client: EsploroClient, entity: Entity) -> CheckRow:
    name = f"write {entity.name}"
    try:
        allowed = entity.may_write(client)
    except EsploroError as exc:
        return CheckRow(name, FAIL, str(exc))
    if allowed is None:
        return CheckRow(
            name,
            WARN,
            f"unknown: Esploro's {entity.name} API has no way to ask without writing a record; "
            "apply's first write goes alone and tells (a read-only key stops it there)",
        )
    if not allowed:
        return CheckRow(name, FAIL, "the key is read-only: Esploro would refuse every write")
    return CheckRow(name, PASS, "the key may write (asked without writing a record)")


def _quota(client: EsploroClient, need: QuotaNeed | None, quota_floor: int) -> CheckRow:
    """The calls left today against what the run needs, above the run's quota floor."""
    remaining = client.remaining_quota
    if remaining is None:
        return CheckRow("daily quota", WARN, "Esploro did not say how many calls are left today")
    left = f"{remaining:,} calls left today"
    if need is None:
        return CheckRow("daily quota", PASS, f"{left} (--records N or --for FILE compares a run)")
    usable = remaining - quota_floor
    floor = f", {quota_floor:,} of them kept back by the quota floor"
    needed = f"{need.what} needs about {need.calls:,}"
    if need.calls > usable:
        return CheckRow("daily quota", FAIL, f"{needed}; {left}{floor}: split the run or wait")
    return CheckRow("daily quota", PASS, f"{needed}; {left}{floor if quota_floor else ''}")


def _sample(
    client: EsploroClient, entity: Entity, size: int
) -> tuple[list[dict[str, Any]], CheckRow]:
    """Up to `size` live records of the entity, whichever the API lists first."""
    try:
        chosen = entity.select(client, entity.sample_selection(size), NO_PROGRESS)
        records = [selected.record for selected in chosen if selected.record is not None]
    except EsploroError as exc:  # NothingToExport included
        return [], CheckRow("sample", WARN, f"no records read ({exc}): paths and codes unchecked")
    if not records:
        return [], CheckRow("sample", WARN, "no records to read: paths and codes unchecked")
    return records, CheckRow("sample", PASS, f"{len(records)} live records of {entity.name} read")


def _code_tables(
    client: EsploroClient, template: Template, records: Sequence[Mapping[str, Any]]
) -> list[CheckRow]:
    """Each code table the template names: it exists, and holds the codes the sample uses."""
    rows = []
    tables = dict.fromkeys(c.code_table for c in template.columns if c.code_table)
    for table in tables:
        name = f"code table {table}"
        try:
            codes = {str(row.get("code")) for row in client.code_table(str(table)).get("row", [])}
        except EsploroError as exc:
            rows.append(CheckRow(name, FAIL, f"not in this Esploro ({exc})"))
            continue
        paths = [c.path for c in template.columns if c.code_table == table]
        used = [value for record in records for value in _values(record, paths)]
        missing = sorted({value for value in used if value not in codes})
        if missing:
            shown = ", ".join(missing[:SHOWN_CODES]) + (
                ", ..." if len(missing) > SHOWN_CODES else ""
            )
            reason = (
                f"{len(missing)} code(s) in live records are not in it: {shown} "
                "(retired codes? a plan refuses an edit to one)"
            )
            rows.append(CheckRow(name, WARN, reason))
        else:
            rows.append(CheckRow(name, PASS, f"{len(codes)} codes; every one in use is there"))
    return rows


def _values(record: Mapping[str, Any], paths: Iterable[FieldPath]) -> list[str]:
    """The non-blank values at `paths` (every place of each), as code text."""
    found: list[str] = []
    for path in paths:
        for place in path.places:
            value = read_value(record, place)
            for item in value if isinstance(value, list) else [value]:
                if item is None or item == "":
                    continue
                found.append(str(item).lower() if isinstance(item, bool) else str(item))
    return found


def _paths(
    template: Template, entity: Entity, records: Sequence[Mapping[str, Any]]
) -> list[CheckRow]:
    """Each template path (each place of it) holds a value in at least one sampled record. One
    found nowhere, not even empty, is probably misspelt; one empty everywhere while its twin
    (or a `*_multilingual` sibling) holds values is where this institution keeps it."""
    rows, quiet, total = [], [], 0
    for column in template.columns:
        for place in column.path.places:
            total += 1
            values = [read_value(record, place) for record in records]
            if any(not _blank(value) for value in values):
                continue
            elsewhere = _kept_elsewhere(column.twin, place, records)
            present = any(value is not None for value in values)
            if elsewhere:
                reason = f"{place} is empty in all {len(records)} sampled records: {elsewhere}"
            elif present or _spelt_right(place, entity, records):
                quiet.append(place.text)
                continue
            else:
                reason = (
                    f"{place} is in none of {len(records)} sampled records: misspelt? (or "
                    "this institution keeps it elsewhere, e.g. in a *_multilingual field)"
                )
            rows.append(CheckRow(f"path of {column.header}", WARN, reason))
    empty = f"; empty in every sampled record: {', '.join(quiet)}" if quiet else ""
    summary = (
        CheckRow("template paths", PASS, f"all {total} spelt as the records have them{empty}")
        if not rows
        else CheckRow("template paths", WARN, f"{len(rows)} of {total} to look at (below){empty}")
    )
    return [summary, *rows]


def _spelt_right(place: FieldPath, entity: Entity, records: Sequence[Mapping[str, Any]]) -> bool:
    """A path no record resolves that is spelt right all the same: it starts at a field the
    API documents, or it picks list items (`[language=ger]`) from a list records do have."""
    if place.top_level_key in entity.documented_fields:
        return True
    picked = next((n for n, step in enumerate(place.steps) if step.selector is not None), None)
    if picked is None:
        return False
    keys = [step.key for step in place.steps[: picked + 1]]
    the_list = FieldPath("".join("/" + escape_key(key) for key in keys))
    return any(read_value(record, the_list) is not None for record in records)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _kept_elsewhere(
    twin: FieldPath | None, place: FieldPath, records: Sequence[Mapping[str, Any]]
) -> str:
    """Where the sample keeps this field's values instead: the column's twin, or a
    `*_multilingual` sibling of its last key; "" when neither holds any."""
    candidates = [twin] if twin is not None else []
    steps = place.steps
    if steps and steps[-1].selector is None:
        keys = [*(step.key for step in steps[:-1]), steps[-1].key + "_multilingual"]
        sibling = "".join("/" + escape_key(key) for key in keys)
        candidates.append(FieldPath(sibling))
    for candidate in candidates:
        if any(not _blank(read_value(record, candidate)) for record in records):
            return f"this institution keeps it in {candidate}"
    return ""
