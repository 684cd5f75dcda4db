"""The Esploro API resources the sandbox serves, as functions from a request to a reply.

No HTTP here: `server.py` owns sockets, keys, limits and faults, and hands each authorised
request under `/esploro/v1/` to `handle`. A refusal is an `ApiError`, which the server turns
into an Ex Libris error body.

The asset routes are exactly the OpenAPI file's (esploro-assets-openapi.json): `GET/POST
/assets`, `GET/POST /assets/test`, `GET /assets/{ids}`, `POST /assets/{id}` (op=patch). Any other
method on an asset path is refused, so a client that would PUT or DELETE an asset fails here
before it fails in production.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetsync.sandbox import asset_patch, codetables, errors, loading, schema
from sheetsync.sandbox.asset_filters import parse_filter
from sheetsync.sandbox.codetables import code_table_document, organizations_document
from sheetsync.sandbox.faults import WriteFaults
from sheetsync.sandbox.query import parse_query
from sheetsync.sandbox.store import Record, Store

API_PREFIX = "/esploro/v1/"
MAX_LIMIT = 100
MAX_IDS_PER_GET = 100
_DIGITS = re.compile(r"[0-9]+\Z")


@dataclass(frozen=True)
class ApiSettings:
    """The sandbox options that change what a route answers (named as in SandboxConfig)."""

    asset_put: bool = False  # a hypothetical swap-all asset PUT, for experiments only
    json_identifiers: str = "ignore"  # "accept": patch identifier.* from JSON bodies too
    patch_empty: str = "ignore"  # "clear": op=patch replace with an empty value clears a field
    write_faults: WriteFaults = field(default_factory=WriteFaults)  # dropped or retyped fields
    # `--load`: code tables (name -> code -> description) and organisation units loaded with
    # the records, served and validated against instead of the built-in ones
    code_tables: Mapping[str, dict[str, str]] = field(default_factory=dict)
    organizations: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class Request:
    method: str
    segments: tuple[str, ...]  # the path after /esploro/v1/, split on "/"
    params: Mapping[str, str]
    body: bytes
    base_url: str
    content_type: str = ""
    repeated: frozenset[str] = frozenset()  # query parameters given more than once
    settings: ApiSettings = field(default_factory=ApiSettings)


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
        settings = request.settings
        with codetables.loaded_tables(settings.code_tables, settings.organizations):
            return route(store, request)
    where = f"{request.method} {API_PREFIX}{'/'.join(request.segments)}"
    if shape in _KNOWN_SHAPES and shape.startswith("assets"):
        raise _asset_method_refused(request)
    if shape in _KNOWN_SHAPES:
        raise errors.ApiError(405, errors.METHOD_NOT_ALLOWED, f"{where} is not supported.")
    raise errors.ApiError(404, errors.NOT_FOUND, f"{where}: no such resource.")


def _shape(segments: tuple[str, ...]) -> str:
    """A route key: the literal segments, with record IDs replaced by `{id}`."""
    if len(segments) == 1:
        return segments[0]
    if segments == ("assets", "test"):
        return "assets/test"
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
    else:  # a loaded record, unchanged since: the exact text it was captured as
        (served,) = loading.served(store, "researchers", [record], [primary_id])
        if isinstance(served, loading.RawJson):
            return Reply(200, served)
    return Reply(200, _with_link(record, request))


def _put_researcher(store: Store, request: Request) -> Reply:
    primary_id = request.segments[1]
    body = _json_body(request)
    faults = request.settings.write_faults
    record = store.update_researcher(
        primary_id,
        lambda stored: faults.apply(schema.normalize_researcher(body, primary_id, stored)),
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


def _asset_method_refused(request: Request) -> errors.ApiError:
    """[guess] status and code: the OpenAPI file has no such method; the real answer is unseen."""
    where = f"{request.method} {API_PREFIX}{'/'.join(request.segments)}"
    return errors.ApiError(
        400,
        errors.METHOD_NOT_ALLOWED,
        f"{where} is not supported: the Assets API has no PUT or DELETE; an asset is "
        "changed only by POST ?op=patch.",
    )


def _served_assets(store: Store, records: list[Record]) -> list[Any]:
    """Assets as answered: a loaded one unchanged since as the exact text it was captured as."""
    ids = [str((record.get("originalRepository") or {}).get("assetId", "")) for record in records]
    return loading.served(store, "assets", records, ids)


def _records_page(total: int, records: list[Any]) -> dict[str, Any]:
    page: dict[str, Any] = {"totalRecordCount": total}
    if records:
        page["records"] = records
    return page


def _asset_paging(params: Mapping[str, str]) -> tuple[int, int]:
    """(limit, offset): limit 0..100, default 10 (OpenAPI); outside that, 401711 [guess]."""
    values = {}
    for name, default, top in (("limit", 10, MAX_LIMIT), ("offset", 0, None)):
        text = params.get(name) or str(default)
        if not _DIGITS.match(text) or (top is not None and int(text) > top):
            valid = f"0-{top}" if top is not None else "a whole number >= 0"
            raise errors.asset_error(
                errors.GENERAL_ERROR, f"(sandbox: {name}={text}; valid values are {valid}.)"
            )
        values[name] = int(text)
    return values["limit"], values["offset"]


def _list_assets(store: Store, request: Request) -> Reply:
    selection = parse_filter(request.params, request.repeated)
    limit, offset = _asset_paging(request.params)
    total, records = store.list_assets(selection, limit, offset)
    return Reply(200, _records_page(total, _served_assets(store, records)))


def _asset_not_found(asset_id: str) -> errors.ApiError:
    return errors.ApiError(
        400, errors.ASSET_NOT_FOUND, f"Asset with identifier {asset_id} was not found."
    )


def _asset_ids(text: str) -> list[str]:
    """The IDs of `GET /assets/{ids}`: 1..100 numeric IDs, comma-separated (402712, 401714)."""
    asset_ids = text.split(",")
    if "" in asset_ids or len(asset_ids) > MAX_IDS_PER_GET:
        raise errors.asset_error(
            errors.INVALID_ID_LIST,
            f"(sandbox: 1 to {MAX_IDS_PER_GET} IDs, comma-separated; {len(asset_ids)} given.)",
        )
    for asset_id in asset_ids:
        if not _DIGITS.match(asset_id):
            raise errors.asset_error(errors.ID_NOT_NUMERIC, f"(sandbox: '{asset_id}'.)")
    return list(dict.fromkeys(asset_ids))


def _get_assets(store: Store, request: Request) -> Reply:
    """Known IDs only [guess], in the REVERSE of the order asked (seen on a real Esploro),
    then `offset` and `limit` (default 10, whatever the number of IDs)."""
    asset_ids = _asset_ids(request.segments[1])
    limit, offset = _asset_paging(request.params)
    found = store.get_assets(asset_ids)
    if not found:
        raise _asset_not_found(",".join(asset_ids))
    found.reverse()
    page = _served_assets(store, found[offset : offset + limit])
    return Reply(200, _records_page(len(found), page))


def _patch_asset(store: Store, request: Request) -> Reply:
    """`op` defaults to patch (the only one), `action` to add (OpenAPI and Knowledge Center)."""
    asset_id = request.segments[1]
    op = request.params.get("op", "patch")
    if op != "patch":
        raise errors.ApiError(
            400, errors.INVALID_PARAMETER, f"op must be 'patch' (the only operation), not '{op}'."
        )
    action = request.params.get("action", "add")
    if action not in asset_patch.ACTIONS:
        raise errors.ApiError(
            400, errors.INVALID_PARAMETER, f"action must be 'add' or 'replace', not '{action}'."
        )
    changes = asset_patch.read_changes(
        request.body, request.content_type, request.settings.json_identifiers
    )
    record = store.update_asset(
        asset_id,
        lambda stored: request.settings.write_faults.apply(
            asset_patch.apply_patch(
                stored, changes, action, clear_empty=request.settings.patch_empty == "clear"
            )
        ),
        today(),
    )
    if record is None:
        raise _asset_not_found(asset_id)
    return Reply(200, _records_page(1, _served_assets(store, [record])))


def _put_asset(store: Store, request: Request) -> Reply:
    """A hypothetical swap-all PUT, only with `asset_put` on: the real API has none."""
    if not request.settings.asset_put:
        raise _asset_method_refused(request)
    asset_id = request.segments[1]
    body = _json_body(request)
    record = store.update_asset(
        asset_id, lambda _stored: schema.normalize_asset(body, asset_id), today()
    )
    if record is None:
        raise _asset_not_found(asset_id)
    return Reply(200, _records_page(1, [record]))


def _create_asset(store: Store, request: Request) -> Reply:
    """Routed, as the OpenAPI file has it, but a new asset needs Esploro's deposit machinery
    (OpenAlex enrichment, duplicate checks, draft status): a tagged sandbox limitation."""
    raise errors.ApiError(
        400,
        errors.NOT_SUPPORTED_BY_SANDBOX,
        "Creating assets (POST /esploro/v1/assets) is not supported by the sandbox.",
    )


def _test_get(store: Store, request: Request) -> Reply:
    """The key works for this API; the body is a [guess] (the OpenAPI says only "object")."""
    return Reply(200, {"test": "GET request successful"})


def _test_post(store: Store, request: Request) -> Reply:
    """Reached only with a read/write key (the server refuses the rest); changes nothing."""
    return Reply(200, {"test": "POST request successful"})


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
    ("POST", "assets"): _create_asset,
    ("GET", "assets/test"): _test_get,
    ("POST", "assets/test"): _test_post,
    ("GET", "assets/{id}"): _get_assets,
    ("POST", "assets/{id}"): _patch_asset,
    ("PUT", "assets/{id}"): _put_asset,  # refused unless asset_put is on
    ("GET", "researchconf/code-tables/{name}"): _code_table,
    ("GET", "organizations/internal"): _organizations,
}
_KNOWN_SHAPES = frozenset(shape for _, shape in _ROUTES)
