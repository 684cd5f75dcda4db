"""`sandbox --load FILE`: serve exactly the records a file holds, as they were captured.

A librarian rehearses a bulk correction on their own records: a `sheetsync snapshot` of
production, a plain API answer saved from the API console or a script (`{"records": [...]}`,
`{"user": [...]}`, one researcher, one asset wrapper), or a `--trace` file. Each record is kept
with its exact text and served as that text (a GET is byte-identical to the capture) until a
write changes it; from then on the sandbox answers as it does for its own records.

The sandbox validates codes on write, so it needs the institution's code tables: those in a
snapshot or trace replace the built-in tables of the same name, and a code the records hold
that no table has is added to its table, with a warning naming the table (otherwise a PUT of an
untouched record would be refused).
"""

from __future__ import annotations

import datetime
import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sheetsync.errors import SheetsyncError
from sheetsync.esploro.client import RawItem, raw_items
from sheetsync.sandbox.codetables import (
    ASSET_CODE_FIELDS,
    ASSET_VALUE_LISTS,
    CODE_TABLES,
    RESEARCHER_CODE_FIELDS,
    CodeTable,
)
from sheetsync.sandbox.store import Record, Store

SNAPSHOT_FORMAT = "sheetsync-snapshot"  # sheetsync.snapshot writes it
TRACE_FORMAT = "sheetsync-trace"  # sheetsync.esploro.trace writes it
API_PATH = "/esploro/v1/"
META_KEY = "loaded"  # the store's meta: the tables and units loaded, so a --db restart keeps them


class LoadError(SheetsyncError):
    """A file given to `sandbox --load` cannot be read as records."""


@dataclass(frozen=True)
class RawJson:
    """A record to answer with as this exact text (it was captured so)."""

    text: str


@dataclass
class Loaded:
    """What the files given to `--load` hold: records by ID (a later file wins), code tables,
    organisation units, and what was noticed on the way."""

    researchers: dict[str, RawItem] = field(default_factory=dict)
    assets: dict[str, RawItem] = field(default_factory=dict)
    code_tables: dict[str, CodeTable] = field(default_factory=dict)
    organizations: list[dict[str, Any]] | None = None
    warnings: list[str] = field(default_factory=list)
    origins: set[str] = field(default_factory=set)  # the base URLs the records came from

    def add_record(self, item: RawItem, where: str) -> None:
        """A researcher (it has `primary_id`) or an asset (`originalRepository.assetId`)."""
        asset_id = _asset_id(item.value)
        if asset_id:
            self.assets[asset_id] = item
        elif item.value.get("primary_id"):
            self.researchers[str(item.value["primary_id"])] = item
        else:
            raise LoadError(f"{where}: a record with neither primary_id nor an asset ID")


def read_files(paths: Iterable[Path | str]) -> Loaded:
    """Every file's records, tables and units, in the order given."""
    loaded = Loaded()
    for path in map(Path, paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LoadError(f"--load {path}: cannot be read as UTF-8 text ({exc})") from None
        _read_text(loaded, path, text)
    return loaded


def _read_text(loaded: Loaded, path: Path, text: str) -> None:
    first = text.lstrip().split("\n", 1)[0]
    try:
        head = json.loads(first)
    except ValueError:
        head = None
    if isinstance(head, dict) and head.get("format") == SNAPSHOT_FORMAT:
        _read_snapshot(loaded, path, text)
    elif isinstance(head, dict) and head.get("format") == TRACE_FORMAT:
        _read_trace(loaded, path, text)
    else:
        _read_answer(loaded, str(path), text)


def _lines(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise LoadError(f"--load {path}, line {number}: not JSON ({exc.args[0]})") from None
        if isinstance(value, dict):
            yield number, value


def _read_snapshot(loaded: Loaded, path: Path, text: str) -> None:
    for number, line in _lines(path, text):
        if line.get("format") == SNAPSHOT_FORMAT and line.get("base_url"):
            loaded.origins.add(str(line["base_url"]))
        where = f"--load {path}, line {number}"
        if "raw" in line and "id" in line:
            loaded.add_record(_item(line["raw"], where), where)
        elif "code_table" in line:
            loaded.code_tables[str(line["code_table"])] = _table(_item(line["raw"], where).value)
        elif isinstance(line.get("organizations"), list):
            loaded.organizations = list(line["organizations"])


def _read_trace(loaded: Loaded, path: Path, text: str) -> None:
    """The records the trace's successful GETs answered with, each as first seen (the state
    before anything the traced run wrote), and the code tables and units it read."""
    seen = Loaded()
    for number, line in _lines(path, text):
        url = str(line.get("url", ""))
        if line.get("method") != "GET" or line.get("status") != 200 or not line.get("body"):
            continue
        if "view=brief" in urlsplit(url).query:  # not the whole record
            continue
        segments = _api_segments(url)
        if segments:
            loaded.origins.add(url.split(API_PATH, 1)[0])
        _trace_answer(seen, segments, str(line["body"]), f"--load {path}, line {number}")
    loaded.researchers.update(seen.researchers)
    loaded.assets.update(seen.assets)
    loaded.code_tables.update(seen.code_tables)
    loaded.organizations = seen.organizations or loaded.organizations


def _trace_answer(seen: Loaded, segments: tuple[str, ...], body: str, where: str) -> None:
    """One traced answer, by what was asked for: records, a code table, the units."""
    if segments == ("assets",) or (segments[:1] == ("assets",) and len(segments) == 2):
        for item in raw_items(body, "records"):
            if _asset_id(item.value) not in seen.assets:
                seen.add_record(item, where)
    elif segments[:1] == ("researchers",) and len(segments) == 2:
        item = _item(body, where)
        if str(item.value.get("primary_id", "")) not in seen.researchers:
            seen.add_record(item, where)
    elif segments[:2] == ("researchconf", "code-tables") and len(segments) == 3:
        seen.code_tables.setdefault(segments[2], _table(_item(body, where).value))
    elif segments == ("organizations", "internal"):
        units = _item(body, where).value.get("research_organization")
        seen.organizations = list(units) if isinstance(units, list) else None


def _read_answer(loaded: Loaded, where: str, text: str) -> None:
    """A plain API answer: an assets list or asset wrapper (`records`), a researchers list
    (`user`), one researcher, or one bare asset record."""
    value = _item(text, f"--load {where}").value
    if isinstance(value.get("records"), list | dict):
        items = raw_items(text, "records")
    elif isinstance(value.get("user"), list | dict):
        items = raw_items(text, "user")
    elif value.get("primary_id") or _asset_id(value):
        items = [RawItem(value, text)]
    else:
        raise LoadError(
            f"--load {where}: not a snapshot, a trace, or an Esploro answer with records "
            '({"records": [...]}, {"user": [...]}, a researcher or an asset)'
        )
    for item in items:
        loaded.add_record(item, f"--load {where}")


def _item(text: Any, where: str) -> RawItem:
    if not isinstance(text, str):
        raise LoadError(f"{where}: a record's raw text must be a string")
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise LoadError(f"{where}: not JSON ({exc.args[0]})") from None
    if not isinstance(value, dict):
        raise LoadError(f"{where}: not a JSON object")
    return RawItem(value, text)


def _table(answer: Mapping[str, Any]) -> CodeTable:
    rows = answer.get("row")
    rows = rows if isinstance(rows, list) else [rows] if isinstance(rows, dict) else []
    return {str(r.get("code", "")): str(r.get("description", "")) for r in rows if r.get("code")}


def _api_segments(url: str) -> tuple[str, ...]:
    path = urlsplit(url).path
    if API_PATH not in path:
        return ()
    tail = path.split(API_PATH, 1)[1]
    return tuple(unquote(part) for part in tail.split("/") if part)


def _asset_id(record: Mapping[str, Any]) -> str:
    repository = record.get("originalRepository")
    return str(repository.get("assetId") or "") if isinstance(repository, dict) else ""


# -- codes the tables lack ------------------------------------------------------------------


def complete_tables(loaded: Loaded) -> None:
    """Add to its table every code the records hold that no table has, with the description
    the record gives it, and warn naming the table: a write of an untouched record must pass."""
    added: dict[str, list[str]] = {}
    for table, code, description in _codes_used(loaded):
        current = loaded.code_tables.get(table)
        if current is None:
            current = CODE_TABLES.get(table) or ASSET_VALUE_LISTS.get(table) or {}
        if code in current:
            continue
        loaded.code_tables[table] = {**current, code: description or code}
        added.setdefault(table, []).append(code)
    for table, codes in sorted(added.items()):
        shown = ", ".join(codes[:10]) + (f" and {len(codes) - 10} more" if len(codes) > 10 else "")
        loaded.warnings.append(
            f"{len(codes)} code(s) the loaded records hold are in no code table; added to "
            f"{table}: {shown}"
        )


def _codes_used(loaded: Loaded) -> Iterator[tuple[str, str, str]]:
    """(table, code, description) for every coded value of the loaded records."""
    for item in loaded.researchers.values():
        for path, table in RESEARCHER_CODE_FIELDS:
            for node in _walk(item.value, path):
                if isinstance(node, dict) and node.get("value") not in (None, ""):
                    yield table, str(node["value"]), str(node.get("desc") or "")
    for item in loaded.assets.values():
        for plain, with_desc, table in ASSET_CODE_FIELDS:
            code = item.value.get(plain)
            if code not in (None, ""):
                derived = item.value.get(with_desc)
                desc = derived.get("desc") if isinstance(derived, dict) else ""
                yield table, str(code), str(desc or "")


def _walk(node: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        yield node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in node if isinstance(node, list) else []:
            yield from _walk(item, rest)
    elif isinstance(node, dict) and node.get(head) is not None:
        yield from _walk(node[head], rest)


# -- into the store, and out again ------------------------------------------------------------


def load_into(store: Store, loaded: Loaded) -> None:
    """Put the loaded records in the store (replacing any with the same ID) with their exact
    texts, and remember the tables and units for the next start of the same database."""
    updated = datetime.datetime.now(datetime.UTC).date().isoformat()
    seeded = any(store.counts().values())  # `--seed-too`: a loaded record replaces its twin
    new_researchers = []
    for primary_id, item in loaded.researchers.items():
        record = dict(item.value)
        if not seeded or store.update_researcher(primary_id, _replacing(record)) is None:
            new_researchers.append(record)
    store.add_researchers(new_researchers)
    new_assets = []
    for asset_id, item in loaded.assets.items():
        record = dict(item.value)
        if not seeded or store.update_asset(asset_id, _replacing(record), updated) is None:
            new_assets.append((record, updated))
    store.add_assets(new_assets, verbatim=True)  # never bumped by simulated portal views
    store.set_raw("researchers", ((i, item.text) for i, item in loaded.researchers.items()))
    store.set_raw("assets", ((i, item.text) for i, item in loaded.assets.items()))
    copy_of = next(iter(loaded.origins)) if len(loaded.origins) == 1 else ""
    remembered = {
        "code_tables": loaded.code_tables,
        "organizations": loaded.organizations,
        "copy_of": copy_of,
    }
    store.set_meta(META_KEY, json.dumps(remembered, ensure_ascii=False))


def _replacing(new: Record) -> Callable[[Record], Record]:
    return lambda _old: new


def remembered(
    store: Store,
) -> tuple[dict[str, CodeTable], list[dict[str, Any]] | None, str]:
    """The code tables and units a database was loaded with (none for a seeded one), and the
    one Esploro its records were captured from ("" if none or several)."""
    text = store.meta(META_KEY)
    if text is None:
        return {}, None, ""
    value = json.loads(text)
    tables = dict(value.get("code_tables") or {})
    return tables, value.get("organizations"), str(value.get("copy_of") or "")


def served(
    store: Store, kind: str, records: Sequence[Record], ids: Sequence[str]
) -> list[Record | RawJson]:
    """`records` as answered: one loaded and unchanged since as the exact text it came as."""
    texts = store.raw_texts(kind, ids) if ids else {}
    return [
        RawJson(texts[record_id]) if record_id in texts else record
        for record, record_id in zip(records, ids, strict=True)
    ]


def render(payload: Any, indent: int | None) -> bytes:
    """`payload` as JSON text, each `RawJson` in it (the payload itself, or an item of one of
    its top-level lists) written as its exact text rather than re-encoded."""
    if isinstance(payload, RawJson):
        return payload.text.encode("utf-8")
    texts: list[str] = []
    marker = f"sheetsync-raw-{secrets.token_hex(8)}-"

    def swap(value: Any) -> Any:
        if isinstance(value, RawJson):
            texts.append(value.text)
            return f"{marker}{len(texts) - 1}"
        return value

    if isinstance(payload, dict):
        payload = {
            key: [swap(v) for v in value] if isinstance(value, list) else value
            for key, value in payload.items()
        }
    text = json.dumps(payload, ensure_ascii=False, indent=indent)
    if texts:
        text = re.sub(f'"{marker}([0-9]+)"', lambda match: texts[int(match[1])], text)
    return text.encode("utf-8")
