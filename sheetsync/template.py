"""Load and check template files: which record fields become which workbook columns (pure).

A template is a small TOML file (format described in `templates/README.md`). It is checked
completely when it is loaded, because a mistake found later (a typo in a key, a code column
without its table, an editable column that patch mode cannot write) would surface as a
confusing failure in the middle of an export or, worse, as a write that silently does nothing.
Every problem is reported with the file, the line and the key, as a person editing the file
in a text editor needs; tomllib gives no positions, so lines are found in the source text.

Built-in templates ship inside the wheel as `sheetsync/templates/`; in a source checkout they
are the repository's `templates/` folder beside the package.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.resources
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, TypeVar, cast, get_args

from sheetsync.errors import PathError, TemplateError
from sheetsync.fieldpath import FieldPath, Match, parse_path
from sheetsync.filekinds import wrong_kind
from sheetsync.identifiers import IDENTIFIER_KINDS, IdentifierKind

__all__ = [
    "Column",
    "ColumnType",
    "Template",
    "TemplateError",
    "builtin_template_names",
    "builtin_templates",
    "builtin_templates_dir",
    "load_template",
    "parse_template",
]

ColumnType = Literal["text", "integer", "boolean", "date", "code"]
EntityName = Literal["researchers", "assets"]
WriteMode = Literal["put", "patch"]

FORMAT_VERSION = 1
COLUMN_TYPES: tuple[str, ...] = get_args(ColumnType)
ENTITIES: tuple[str, ...] = get_args(EntityName)
WRITE_MODES: tuple[str, ...] = get_args(WriteMode)
TOP_KEYS = ("format", "name", "description", "entity", "write_mode", "id_path", "columns")
COLUMN_KEYS = (
    "header", "path", "type", "readonly", "required", "pattern",
    "max_length", "code_table", "join", "width", "note", "place_names", "new_item", "twin",
    "show", "identifier", "multiline", "trim",
)  # fmt: skip
WIDTH_RANGE = (4, 120)
# What Esploro's asset `op=patch` may change: the Knowledge Center's list ("Update Asset by
# API", /work/shared/evidence/kc-update-asset-by-api.txt). Assets have no other write.
PATCHABLE_DATES = ("date.published", "date.accepted", "date.created", "date.submitted")
PATCHABLE_IDENTIFIERS = tuple(
    f"identifier.{name}"
    for name in (
        "doi", "pmid", "pmcid", "uri", "handle", "ismn", "isbn", "eissn", "issn", "other",
        "govtnum", "wos", "scopus", "arxiv", "ark", "sici", "rno",
        *(f"additional{n:02d}" for n in range(1, 10)),
        "pqdt", "eisbn",
    )
)  # fmt: skip
PATCHABLE_KEYS = frozenset(
    {*PATCHABLE_DATES, *PATCHABLE_IDENTIFIERS, "grants.note", "fundingreferenceList", "links"}
)
BUILTIN_PREFIX = "builtin:"


@dataclass(frozen=True)
class Column:
    """One workbook column: where its value lives in the record and how an edit is checked."""

    header: str
    path: FieldPath
    type: ColumnType = "text"
    readonly: bool = False
    required: bool = False
    pattern: re.Pattern[str] | None = None
    max_length: int | None = None
    code_table: str | None = None
    join: str | None = None
    width: int | None = None
    note: str = ""
    # A path of several places: what a person calls each place, in the path's order.
    place_names: tuple[str, ...] = ()
    # Fields an item added through a `[field=VALUE]` selector gets besides its own.
    new_item: Mapping[str, Any] | None = field(default=None, hash=False)
    # The field Esploro may keep this value in instead (a multilingual twin): while only the
    # twin is in use on a record, the plan refuses to write this column's field there.
    twin: FieldPath | None = None
    # A code column shows each code by its description (Yes for `true`) and takes either back.
    shows_description: bool = False
    # The identifier an edited value must be (checked and normalised by
    # `sheetsync.identifiers`): orcid, doi, issn, isbn, pmid.
    identifier: IdentifierKind | None = None
    # Whether line breaks inside the value are kept (an abstract, a description); elsewhere a
    # line break typed into a cell becomes a space.
    multiline: bool = False
    # Whether spaces and line breaks around an edited value are removed (the default).
    trim: bool = True

    def place_name(self, index: int) -> str:
        """What a person calls the index-th place of the column's path."""
        if index < len(self.place_names):
            return self.place_names[index]
        return self.path.places[index].text


@dataclass(frozen=True)
class Template:
    """A checked template. `source` is the path as given or "builtin:NAME"; `sha256` is the
    hex digest of the file's bytes, so a workbook can say exactly which template made it."""

    name: str
    description: str
    entity: EntityName
    write_mode: WriteMode
    id_path: FieldPath
    columns: tuple[Column, ...]
    source: str
    sha256: str

    @property
    def id_column(self) -> Column:
        """The readonly column holding the record ID (loading guarantees there is one)."""
        return next(column for column in self.columns if column.path == self.id_path)

    def column(self, header: str) -> Column:
        """The column with this header, ignoring case and surrounding spaces; KeyError if none."""
        wanted = _header_key(header)
        for column in self.columns:
            if _header_key(column.header) == wanted:
                return column
        raise KeyError(header)


# ---------------------------------------------------------------------------------- loading


def builtin_templates_dir() -> Traversable:
    """Where the built-in templates are: inside the installed wheel (`sheetsync/templates`),
    else the repository's `templates/` beside the package (editable installs, checkouts)."""
    packaged = importlib.resources.files("sheetsync") / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def builtin_template_names() -> list[str]:
    """Names of the built-in templates (file stems), sorted."""
    files = builtin_templates_dir().iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def builtin_templates() -> list[Template]:
    """Every built-in template, loaded and checked, sorted by name."""
    return sorted((load_template(name) for name in builtin_template_names()), key=_by_name)


def _by_name(template: Template) -> str:
    return template.name


def load_template(name_or_path: str | os.PathLike[str]) -> Template:
    """A built-in template by name ("researchers", also "builtin:researchers") or a .toml file.

    A bare name that is a built-in wins over a file of that name in the current directory;
    write "./researchers" to mean the file.
    """
    builtins = builtin_template_names()
    if isinstance(name_or_path, str):
        name = name_or_path.removeprefix(BUILTIN_PREFIX)
        if name in builtins:
            data = (builtin_templates_dir() / f"{name}.toml").read_bytes()
            return parse_template(data, source=BUILTIN_PREFIX + name, name=name)
    source = os.fspath(name_or_path)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as error:
        known = ", ".join(builtins)
        problem = f"not a built-in template name and not a readable file ({error.strerror})"
        raise TemplateError(source, f"{problem}; the built-in templates are: {known}") from None
    try:
        return parse_template(data, source=source, name=path.stem)
    except TemplateError:
        mistaken = wrong_kind(path, "template")  # a workbook or plan given as a template
        if mistaken:
            raise TemplateError(source, mistaken) from None
        raise


def parse_template(data: bytes, *, source: str = "<template>", name: str = "") -> Template:
    """Check a template file's bytes. `name` is used when the file has no `name` key
    (default: the stem of `source`); `load_template` passes the file's stem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TemplateError(source, f"not UTF-8 text (byte {error.start})") from None
    table = _parse_toml(text, source)
    checker = _Checker(source, _Locator(text))
    default_name = name or Path(source).stem
    return checker.template(table, default_name, hashlib.sha256(data).hexdigest())


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    """tomllib's result, or its syntax error with the line and column it names."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message, re.DOTALL)
        if found:
            problem, line, column = found[1], int(found[2]), int(found[3])
            raise TemplateError(
                source, f"invalid TOML: {problem}", line=line, column=column
            ) from None
        problem = message.replace(" (at end of document)", " at the end of the file")
        end = text.count("\n") + (0 if text.endswith("\n") else 1)
        raise TemplateError(source, f"invalid TOML: {problem}", line=max(end, 1)) from None


# ---------------------------------------------------------------------------------- lines


class _Locator:
    """Finds the line a key was written on, since tomllib keeps no positions.

    Top-level keys are looked for before the first table header; a column's keys between its
    `[[columns]]` header and the next header. Missing keys point at the enclosing header
    (or line 1), which is where the person has to add them.
    """

    _TABLE = re.compile(r"\s*\[")
    _COLUMNS = re.compile(r"\s*\[\[\s*columns\s*\]\]")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        tables = [i for i, line in enumerate(self.lines) if self._TABLE.match(line)]
        self.tables = tables
        self.columns = [i for i in tables if self._COLUMNS.match(self.lines[i])]

    def _find(self, key: str, start: int, end: int) -> int | None:
        """0-based index of the line assigning `key` in lines[start:end], if any."""
        pattern = re.compile(
            rf"""\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*="""
        )
        return next((i for i in range(start, end) if pattern.match(self.lines[i])), None)

    def top(self, key: str) -> int:
        """1-based line of a top-level key (or a `[key]`/`[[key]]` table header); else 1."""
        found = self._find(key, 0, self.tables[0] if self.tables else len(self.lines))
        if found is None:
            header = re.compile(rf"\s*\[\[?\s*{re.escape(key)}\s*\]")
            found = next((i for i in self.tables if header.match(self.lines[i])), 0)
        return found + 1

    def column(self, index: int, key: str | None = None) -> int:
        """1-based line of `key` in the index-th column; its header line when absent."""
        if index >= len(self.columns):
            return self.top("columns")
        start = self.columns[index]
        end = next((i for i in self.tables if i > start), len(self.lines))
        found = None if key is None else self._find(key, start + 1, end)
        return (start if found is None else found) + 1


# ---------------------------------------------------------------------------------- checks

T = TypeVar("T")


@dataclass(frozen=True)
class _Checker:
    """Turns a parsed TOML table into a Template, raising the first problem found."""

    source: str
    where: _Locator

    def fail(self, key: str, problem: str, line: int) -> TemplateError:
        return TemplateError(self.source, problem, line=line, key=key)

    def top_fail(self, key: str, problem: str) -> TemplateError:
        return self.fail(key, problem, self.where.top(key))

    def template(self, table: dict[str, Any], default_name: str, sha256: str) -> Template:
        self.unknown_keys(table, TOP_KEYS, "", self.where.top)
        self.check_format(table)
        top = _Fields(table, self.top_fail)
        name = top.get("name", str, default_name, non_empty=True).strip()
        description = top.get("description", str, "")
        entity = cast(EntityName, top.choice("entity", ENTITIES))
        write_mode = cast(WriteMode, top.choice("write_mode", WRITE_MODES))
        if write_mode == "patch" and entity != "assets":
            raise self.top_fail("write_mode", 'write_mode = "patch" is only for entity = "assets"')
        if write_mode == "put" and entity == "assets":
            raise self.top_fail(
                "write_mode",
                "Esploro's API cannot replace an asset (it has no PUT for assets); assets are "
                'written with write_mode = "patch", which changes dates and identifiers',
            )
        id_path = top.path("id_path")
        if id_path.is_multi:
            raise self.top_fail("id_path", "the ID path cannot have '[*]'")
        if id_path.has_places:
            raise self.top_fail("id_path", "the ID path names one place, without '|'")
        columns = tuple(self.column(i, t) for i, t in enumerate(self.column_tables(table)))
        template = Template(
            name=name, description=description, entity=entity, write_mode=write_mode,
            id_path=id_path, columns=columns, source=self.source, sha256=sha256,
        )  # fmt: skip
        self.check_columns_together(template)
        return template

    def check_format(self, table: Mapping[str, Any]) -> None:
        if "format" not in table:
            raise self.top_fail("format", f"missing; start the file with format = {FORMAT_VERSION}")
        version = table["format"]
        if version != FORMAT_VERSION or isinstance(version, bool):
            raise self.top_fail(
                "format", f"{version!r} is not supported; this sheetsync reads format = 1"
            )

    def unknown_keys(
        self, table: Mapping[str, Any], valid: Sequence[str], prefix: str,
        line_of: Callable[[str], int],
    ) -> None:  # fmt: skip
        """The first key not in `valid`, with the nearest valid key as a suggestion."""
        for key in table:
            if key in valid:
                continue
            close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(valid)}"
            raise self.fail(prefix + key, f"unknown key {key!r} ({hint})", line_of(key))

    def column_tables(self, table: Mapping[str, Any]) -> list[dict[str, Any]]:
        columns: object = table.get("columns", [])
        if not isinstance(columns, list) or not all(isinstance(c, dict) for c in columns):
            raise self.top_fail("columns", "must be a list of [[columns]] tables")
        if not columns:
            raise self.top_fail("columns", "no columns; add at least one [[columns]] table")
        return columns

    def column(self, index: int, table: dict[str, Any]) -> Column:
        prefix = f"columns[{index}]."

        def line_of(key: str) -> int:
            return self.where.column(index, key)

        def fail(key: str, problem: str) -> TemplateError:
            return self.fail(prefix + key, problem, line_of(key))

        self.unknown_keys(table, COLUMN_KEYS, prefix, line_of)
        return _ColumnReader(_Fields(table, fail), fail).read()

    def check_columns_together(self, template: Template) -> None:
        """Rules about the set of columns: headers, the ID column, patch mode, editability."""
        seen: dict[str, int] = {}
        for index, column in enumerate(template.columns):
            first = seen.setdefault(_header_key(column.header), index)
            if first != index:
                raise self.column_fail(
                    index, "header", f"{column.header!r} is already the header of "
                    f"columns[{first}] (headers are compared ignoring case)",
                )  # fmt: skip
        self.check_id_column(template)
        self.check_editable(template)

    def column_fail(self, index: int, key: str, problem: str) -> TemplateError:
        return self.fail(f"columns[{index}].{key}", problem, self.where.column(index, key))

    def check_id_column(self, template: Template) -> None:
        ids = [i for i, c in enumerate(template.columns) if c.path == template.id_path]
        if not ids:
            raise self.top_fail(
                "id_path",
                f"no column has path {template.id_path.text!r}; add a readonly column for the "
                "record ID (rows are matched to records by it)",
            )
        if len(ids) > 1:
            raise self.column_fail(ids[1], "path", f"a second ID column (columns[{ids[0]}])")
        if not template.columns[ids[0]].readonly:
            raise self.column_fail(ids[0], "readonly", "the ID column must have readonly = true")

    def check_editable(self, template: Template) -> None:
        for index, column in enumerate(template.columns):
            if column.readonly and column.twin is not None:
                raise self.column_fail(
                    index, "twin", "twin only matters to an editable column; remove it"
                )
        editable = [(i, c) for i, c in enumerate(template.columns) if not c.readonly]
        if not editable:
            raise self.fail(
                "columns", "every column is readonly; at least one must be editable",
                self.where.column(0),
            )  # fmt: skip
        paths: dict[FieldPath, int] = {}
        for index, column in editable:
            for place in column.path.places:
                first = paths.setdefault(place, index)
                if first != index:
                    raise self.column_fail(
                        index, "path", f"columns[{first}] already edits {place.text!r}"
                    )
                if template.write_mode == "patch" and not _patchable(place):
                    raise self.column_fail(index, "path", _not_patchable(place))


def _patchable(path: FieldPath) -> bool:
    return path.top_level_key in PATCHABLE_KEYS


def _not_patchable(path: FieldPath) -> str:
    return (
        f'{path.text!r} cannot be edited with write_mode = "patch": Esploro\'s op=patch only '
        f"changes {', '.join(PATCHABLE_DATES)}, the identifier.* fields the Knowledge Center "
        "lists (identifier.doi, identifier.pmid, ...), grants.note, fundingreferenceList and "
        "links; make the column readonly"
    )


def _header_key(header: str) -> str:
    return header.strip().casefold()


@dataclass(frozen=True)
class _Fields:
    """Typed access to one TOML table, raising through `fail(key, problem)`."""

    table: Mapping[str, Any]
    fail: Callable[[str, str], TemplateError]

    def get(self, key: str, kind: type[T], default: T, *, non_empty: bool = False) -> T:
        value = self.table.get(key, default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"expected {_KIND_NAMES[kind]}, got {_describe(value)}")
        if non_empty and key in self.table and isinstance(value, str) and not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def required(self, key: str) -> str:
        if key not in self.table:
            raise self.fail(key, "missing (required)")
        return self.get(key, str, "", non_empty=True)

    def optional(self, key: str, kind: type[T]) -> T | None:
        return self.get(key, kind, self.table[key]) if key in self.table else None

    def choice(self, key: str, choices: Sequence[str], default: str | None = None) -> str:
        value = self.required(key) if default is None else self.get(key, str, default)
        if value not in choices:
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(key, f"{value!r} is not one of {', '.join(choices)}{hint}")
        return value

    def path(self, key: str) -> FieldPath:
        try:
            return parse_path(self.required(key))
        except PathError as error:
            raise self.fail(key, str(error)) from None


_KIND_NAMES: dict[type, str] = {
    str: "a string", int: "a whole number", bool: "true or false", list: "a list",
    dict: "a table such as { segment_type = \"Internal\" }",
}  # fmt: skip


def _json_problem(value: object) -> str:
    """Why a TOML value cannot be a JSON value (dates and times cannot), or ""."""
    if isinstance(value, dict):
        return next((p for v in value.values() if (p := _json_problem(v))), "")
    if isinstance(value, list):
        return next((p for v in value if (p := _json_problem(v))), "")
    if isinstance(value, str | int | float | bool):
        return ""
    return f"{value!r} is not a JSON value: quote dates and times as strings"


def _describe(value: object) -> str:
    kinds = {str: "string", bool: "boolean", int: "number", float: "number", list: "list"}
    kind = kinds.get(type(value), "table" if isinstance(value, dict) else type(value).__name__)
    return f"{kind} {value!r}"


@dataclass(frozen=True)
class _ColumnReader:
    """Reads and checks one [[columns]] table."""

    fields: _Fields
    fail: Callable[[str, str], TemplateError]

    def read(self) -> Column:
        f = self.fields
        header = f.required("header").strip()
        path = f.path("path")
        column_type = cast(ColumnType, f.choice("type", COLUMN_TYPES, default="text"))
        return Column(
            header=header, path=path, type=column_type,
            readonly=f.get("readonly", bool, False), required=f.get("required", bool, False),
            pattern=self.pattern(), max_length=self.number("max_length", 1, None),
            code_table=self.code_table(column_type), join=self.join(path),
            width=self.number("width", *WIDTH_RANGE), note=f.get("note", str, ""),
            place_names=self.place_names(path), new_item=self.new_item(path),
            twin=self.twin(path), shows_description=self.shows_description(column_type, path),
            identifier=self.identifier(column_type),
            multiline=self.text_flag("multiline", column_type), trim=f.get("trim", bool, True),
        )  # fmt: skip

    def identifier(self, column_type: str) -> IdentifierKind | None:
        """`identifier = "orcid"`: every edited value is checked and normalised as one."""
        if "identifier" not in self.fields.table:
            return None
        kind = self.fields.choice("identifier", IDENTIFIER_KINDS)
        if column_type != "text":
            raise self.fail("identifier", 'identifier is only for type = "text" columns')
        return cast(IdentifierKind, kind)

    def text_flag(self, key: str, column_type: str) -> bool:
        """A true/false key that only a text column may set to true."""
        value = self.fields.get(key, bool, False)
        if value and column_type != "text":
            raise self.fail(key, f'{key} = true is only for type = "text" columns')
        return value

    def place_names(self, path: FieldPath) -> tuple[str, ...]:
        names = self.fields.optional("place_names", list)
        if names is None:
            return ()
        if not path.has_places:
            raise self.fail(
                "place_names", "place_names is only allowed when the path names several "
                "places, separated by '|'",
            )  # fmt: skip
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise self.fail("place_names", "expected a list of non-empty strings")
        if len(names) != len(path.places):
            raise self.fail(
                "place_names", f"{len(names)} names for {len(path.places)} places; give one "
                "name per place, in the path's order",
            )  # fmt: skip
        return tuple(n.strip() for n in names)

    def new_item(self, path: FieldPath) -> dict[str, Any] | None:
        table = self.fields.optional("new_item", dict)
        if table is None:
            return None
        matches = [
            (step.selector, place.steps[i + 1 :])
            for place in path.places
            for i, step in enumerate(place.steps)
            if isinstance(step.selector, Match)
        ]
        if not matches:
            raise self.fail(
                "new_item", "new_item is only allowed when the path has a [field=VALUE] "
                "selector (it gives the fields of an item that selector adds)",
            )  # fmt: skip
        for selector, rest in matches:
            own = {selector.keys[0], *(step.key for step in rest[:1])}
            for key in table:
                if key in own:
                    raise self.fail(
                        "new_item", f"{key!r} is set by the path itself; new_item gives only "
                        "the other fields of a new item",
                    )  # fmt: skip
        problem = _json_problem(table)
        if problem:
            raise self.fail("new_item", problem)
        return dict(table)

    def twin(self, path: FieldPath) -> FieldPath | None:
        if "twin" not in self.fields.table:
            return None
        twin = self.fields.path("twin")
        if twin.has_places or twin in path.places:
            raise self.fail("twin", "the twin is one other field, not the column's own path")
        return twin

    def pattern(self) -> re.Pattern[str] | None:
        text = self.fields.optional("pattern", str)
        if text is None:
            return None
        try:
            return re.compile(text)
        except re.error as error:
            raise self.fail("pattern", f"invalid regular expression: {error}") from None

    def number(self, key: str, low: int, high: int | None) -> int | None:
        value = self.fields.optional(key, int)
        if value is not None and (value < low or (high is not None and value > high)):
            bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise self.fail(key, f"{value} is out of range; use a whole number {bounds}")
        return value

    def shows_description(self, column_type: str, path: FieldPath) -> bool:
        """`show = "description"`: the cell shows a code's description, as Esploro's screens do."""
        show = self.fields.choice("show", ("code", "description"), default="code")
        if show == "description" and column_type != "code":
            raise self.fail("show", 'show = "description" is only for type = "code" columns')
        if show == "description" and path.is_multi:
            raise self.fail("show", 'show = "description" is only for a single value, not a list')
        return show == "description"

    def code_table(self, column_type: str) -> str | None:
        table = self.fields.optional("code_table", str)
        if column_type == "code" and table is None:
            raise self.fail("type", 'type = "code" needs code_table = "<code table name>"')
        if column_type != "code" and table is not None:
            raise self.fail("code_table", 'code_table is only allowed with type = "code"')
        if table is not None and not table.strip():
            raise self.fail("code_table", "must not be empty")
        return table

    def join(self, path: FieldPath) -> str | None:
        join = self.fields.optional("join", str)
        if path.is_multi and join is None:
            raise self.fail(
                "path", "the path has '[*]', so the column needs join = \"; \" (the text "
                "between list items in one cell)",
            )  # fmt: skip
        if not path.is_multi and join is not None:
            raise self.fail("join", "join is only allowed when the path has '[*]'")
        if join == "":
            raise self.fail("join", "must not be empty")
        return join
