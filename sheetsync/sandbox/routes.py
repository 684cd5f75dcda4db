"""The Esploro API resources the sandbox serves, as functions from a request to a reply.

No HTTP here: `server.py` owns sockets, keys, limits and faults, and hands each authorised
request under `/esploro/v1/` to `handle`. A refusal is an `ApiError`, which the server turns
into an Ex Libris error body.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sheetsync.sandbox import errors, schema
from sheetsync.sandbox.codetables import code_table_document, organizations_document
from sheetsync.sandbox.query import parse_query
from sheetsync.sandbox.store import Record, Store

API_PREFIX = "/esploro/v1/"
MAX_LIMIT = 100
MAX_IDS_PER_GET = 100


@dataclass(frozen=True)
class Request:
    method: str
    segments: tuple[str, ...]  # the path after /esploro/v1/, split on "/"
    params: Mapping[str, str]
    body: bytes
    base_url: str


@dataclass(frozen=True)
class Reply:
    status: int
    payload: Any = None  # None means an empty body


def resource_of(segments: tuple[str, ...]) -> str:
    """The name stats count a request under: researchers, assets, code-tables, ..."""
    if not segments:
        return "other"
    if segments[0] == "researchconf":
        return "code-tables"
    return segments[0] if segments[0] in ("researchers", "assets", "organizations") else "other"


def today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def handle(store: Store, request: Request) -> Reply:
    shape = _shape(request.segments)
    route = _ROUTES.get((request.method, shape))
    if route is not None:
        return route(store, request)
    where = f"{request.method} {API_PREFIX}{'/'.join(request.segments)}"
    if shape in _KNOWN_SHAPES:
        raise errors.ApiError(405, errors.METHOD_NOT_ALLOWED, f"{where} is not supported.")
    raise errors.ApiError(404, errors.NOT_FOUND, f"{where}: no such resource.")


def _shape(segments: tuple[str, ...]) -> str:
    """A route key: the literal segments, with record IDs replaced by `{id}`."""
    if len(segments) == 1:
        return segments[0]
    if len(segments) == 2 and segments[0] in ("researchers", "assets"):
        return f"{segments[0]}/{{id}}"
    if len(segments) == 3 and segments[:2] == ("researchconf", "code-tables"):
        return "researchconf/code-tables/{name}"
    return "/".join(segments)


# -- parameters and bodies ---------------------------------------------------------------


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise errors.ApiError(
            400, errors.INVALID_PARAMETER, f"Parameter {name} must be a whole number >= 0."
        )
    return value


def _paging(params: Mapping[str, str]) -> tuple[int, int]:
    """(limit, offset): limit defaults to 10 and is clamped to 100, as the real API does."""
    return min(_int_param(params, "limit", 10), MAX_LIMIT), _int_param(params, "offset", 0)


def _json_body(request: Request) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.ApiError(
            400, errors.INVALID_BODY, f"The request body is not valid JSON: {exc}"
        ) from exc


# -- researchers -------------------------------------------------------------------------


def _with_link(record: Record, request: Request) -> Record:
    link = f"{request.base_url}{API_PREFIX}researchers/{record.get('primary_id', '')}"
    return {**record, "link": link}


def _researcher_not_found(primary_id: str) -> errors.ApiError:
    return errors.ApiError(
        400, errors.USER_NOT_FOUND, f"User with identifier {primary_id} was not found."
    )


def _list_researchers(store: Store, request: Request) -> Reply:
    limit, offset = _paging(request.params)
    q = request.params.get("q", "")
    conditions = parse_query(q) if q.strip() else []
    total, records = store.list_researchers(conditions, limit, offset)
    page: dict[str, Any] = {}
    if records:  # [guess] like Alma, an empty page has no list key at all
        page["user"] = [_with_link(schema.brief_researcher(r), request) for r in records]
    page["total_record_count"] = total
    return Reply(200, page)


def _get_researcher(store: Store, request: Request) -> Reply:
    primary_id = request.segments[1]
    record = store.get_researcher(primary_id)
    if record is None:
        raise _researcher_not_found(primary_id)
    if request.params.get("view") == "brief":
        record = schema.brief_researcher(record)
    return Reply(200, _with_link(record, request))


def _put_researcher(store: Store, request: Request) -> Reply:
    primary_id = request.segments[1]
    body = _json_body(request)
    record = store.update_researcher(
        primary_id, lambda stored: schema.normalize_researcher(body, primary_id, stored)
    )
    if record is None:
        raise _researcher_not_found(primary_id)
    return Reply(200, _with_link(record, request))


def _delete_researcher(store: Store, request: Request) -> Reply:
    primary_id = request.segments[1]
    if not store.delete_researcher(primary_id):
        raise _researcher_not_found(primary_id)
    return Reply(204)


# -- assets ------------------------------------------------------------------------------


def _records_page(total: int, records: list[Record]) -> dict[str, Any]:
    page: dict[str, Any] = {"totalRecordCount": total}
    if records:
        page["records"] = records
    return page


def _list_assets(store: Store, request: Request) -> Reply:
    limit, offset = _paging(request.params)
    updated_from = request.params.get("update_date_from") or None
    if updated_from is not None:
        try:
            datetime.date.fromisoformat(updated_from)
        except ValueError as exc:
            raise errors.ApiError(
                400, errors.INVALID_PARAMETER, "update_date_from must be a date YYYY-MM-DD."
            ) from exc
    total, records = store.list_assets(updated_from, limit, offset)
    return Reply(200, _records_page(total, records))


def _asset_not_found(asset_id: str) -> errors.ApiError:
    return errors.ApiError(
        400, errors.ASSET_NOT_FOUND, f"Asset with identifier {asset_id} was not found."
    )


def _get_assets(store: Store, request: Request) -> Reply:
    asset_ids = [i.strip() for i in request.segments[1].split(",") if i.strip()]
    if len(asset_ids) > MAX_IDS_PER_GET:
        raise errors.ApiError(
            400,
            errors.INVALID_PARAMETER,
            f"At most {MAX_IDS_PER_GET} asset IDs per request; {len(asset_ids)} were given.",
        )
    records = store.get_assets(asset_ids)
    if not records:
        raise _asset_not_found(",".join(asset_ids))
    return Reply(200, _records_page(len(records), records))


def _put_asset(store: Store, request: Request) -> Reply:
    asset_id = request.segments[1]
    body = _json_body(request)
    record = store.update_asset(
        asset_id, lambda _stored: schema.normalize_asset(body, asset_id), today()
    )
    if record is None:
        raise _asset_not_found(asset_id)
    return Reply(200, _records_page(1, [record]))


def _patch_asset(store: Store, request: Request) -> Reply:
    asset_id = request.segments[1]
    if request.params.get("op") != "patch":
        raise errors.ApiError(
            400, errors.INVALID_PARAMETER, "POST to an asset needs op=patch (and an action)."
        )
    body = _json_body(request)
    action = request.params.get("action", "")
    record = store.update_asset(
        asset_id, lambda stored: schema.patch_asset(stored, body, action), today()
    )
    if record is None:
        raise _asset_not_found(asset_id)
    return Reply(200, _records_page(1, [record]))


def _delete_asset(store: Store, request: Request) -> Reply:
    raise errors.ApiError(
        400, errors.METHOD_NOT_ALLOWED, "Deleting research assets through the API is not allowed."
    )


# -- configuration -----------------------------------------------------------------------


def _code_table(store: Store, request: Request) -> Reply:
    document = code_table_document(request.segments[2])
    if document is None:
        raise errors.ApiError(
            400, errors.INVALID_PARAMETER, f"Code table {request.segments[2]} was not found."
        )
    return Reply(200, document)


def _organizations(store: Store, request: Request) -> Reply:
    return Reply(200, organizations_document())


_ROUTES: dict[tuple[str, str], Callable[[Store, Request], Reply]] = {
    ("GET", "researchers"): _list_researchers,
    ("GET", "researchers/{id}"): _get_researcher,
    ("PUT", "researchers/{id}"): _put_researcher,
    ("DELETE", "researchers/{id}"): _delete_researcher,
    ("GET", "assets"): _list_assets,
    ("GET", "assets/{id}"): _get_assets,
    ("PUT", "assets/{id}"): _put_asset,
    ("POST", "assets/{id}"): _patch_asset,
    ("DELETE", "assets/{id}"): _delete_asset,
    ("GET", "researchconf/code-tables/{name}"): _code_table,
    ("GET", "organizations/internal"): _organizations,
}
_KNOWN_SHAPES = frozenset(shape for _, shape in _ROUTES)
