"""template: the built-in templates read real records, and broken files say file, line and key."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import re
from pathlib import Path
from typing import Any

import pytest

from sheetsync.errors import TemplateError
from sheetsync.fieldpath import parse_path, read_value
from sheetsync.sandbox import seed
from sheetsync.sandbox.codetables import CODE_TABLES
from sheetsync.template import (
    Column,
    Template,
    builtin_template_names,
    builtin_templates,
    builtin_templates_dir,
    load_template,
    parse_template,
)

ROOT = Path(__file__).parents[1]
CAPTURED = ROOT / "sheetsync" / "sandbox" / "data" / "captured_asset.json"
BUILTINS = ["asset-identifiers", "assets", "researchers"]


@pytest.fixture(scope="module")
def asset() -> dict[str, Any]:
    record: dict[str, Any] = json.loads(CAPTURED.read_text(encoding="utf-8"))["records"][0]
    return record


@pytest.fixture(scope="module")
def researchers() -> list[dict[str, Any]]:
    return list(seed.generate_researchers(3, 60))


@pytest.fixture(scope="module")
def seeded_assets(researchers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [record for record, _ in seed.generate_assets(3, 80, researchers)]


def blank(value: Any) -> bool:
    return value is None or value == "" or value == []


# ------------------------------------------------------------------------ built-ins


def test_builtins_are_found_and_sorted() -> None:
    assert builtin_template_names() == BUILTINS
    templates = builtin_templates()
    assert [t.name for t in templates] == BUILTINS
    assert Path(str(builtin_templates_dir())) == ROOT / "templates"


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_identity(name: str) -> None:
    template = load_template(name)
    assert template.source == f"builtin:{name}"
    data = (ROOT / "templates" / f"{name}.toml").read_bytes()
    assert template.sha256 == hashlib.sha256(data).hexdigest()
    assert template.description
    assert template.id_column.readonly
    assert template.id_column.path == template.id_path
    assert load_template(f"builtin:{name}") == template
    for column in template.columns:
        if column.type == "code":
            assert column.code_table in CODE_TABLES, column.header
        assert column.width is None or 4 <= column.width <= 120


def test_researchers_template_reads_seeded_researchers(researchers: list[dict[str, Any]]) -> None:
    template = load_template("researchers")
    assert (template.entity, template.write_mode) == ("researchers", "put")
    for column in template.columns:
        values = [read_value(r, column.path) for r in researchers]
        found = [v for v in values if not blank(v)]
        assert found, f"{column.header} is empty on every seeded researcher"
        check_values(column, found)
    first = researchers[0]
    assert template.id_column.header == "Primary ID"
    assert read_value(first, template.column("orcid id").path) == next(
        i["value"]
        for i in first["researcher"]["user_identifier"]
        if i["id_type"]["value"] == "ORCID"
    )


def check_values(column: Column, found: list[Any]) -> None:
    """Every real value passes the column's own rules (a template must accept its export)."""
    for value in found:
        for item in value if isinstance(value, list) else [value]:
            text = str(item)
            if column.pattern is not None:
                assert column.pattern.fullmatch(text), (column.header, text)
            if column.max_length is not None:
                assert len(text) <= column.max_length
            if column.code_table is not None:
                assert text in CODE_TABLES[column.code_table], (column.header, text)
            if column.join is not None:
                assert column.join not in text


@pytest.mark.parametrize("name", ["assets", "asset-identifiers"])
def test_asset_templates_read_the_captured_asset(
    name: str, asset: dict[str, Any], seeded_assets: list[dict[str, Any]]
) -> None:
    template = load_template(name)
    assert template.entity == "assets"
    values = {c.header: read_value(asset, c.path) for c in template.columns}
    filled = [header for header, value in values.items() if not blank(value)]
    assert len(filled) >= 0.8 * len(template.columns), values
    assert values["Asset ID"] == "991291935000561"
    assert values["DOI"] == "10.1016/j.hybadv.2024.100277"
    for column in template.columns:
        found = [v for v in (read_value(a, column.path) for a in [asset, *seeded_assets])]
        check_values(column, [v for v in found if not blank(v)])


def test_assets_template_columns(asset: dict[str, Any]) -> None:
    template = load_template("assets")
    assert template.write_mode == "put"
    assert read_value(asset, template.column("Journal ISSN").path) == "2773-207X"
    assert read_value(asset, template.column("keywords").path) == [
        "additioanl keywaord",
        "additioanl subjects",
        "katakunci",
    ]
    assert template.column("First creator").readonly
    with pytest.raises(KeyError):
        template.column("No such column")


def test_patch_template_edits_only_patchable_fields() -> None:
    template = load_template("asset-identifiers")
    assert template.write_mode == "patch"
    editable = [c for c in template.columns if not c.readonly]
    assert {c.path.top_level_key for c in editable} == {
        "identifier.doi",
        "identifier.pmid",
        "identifier.handle",
        "date.published",
        "date.accepted",
    }


# ------------------------------------------------------------------------ loading files

GOOD = """\
format = 1
entity = "researchers"
write_mode = "put"
id_path = "/primary_id"

[[columns]]
header = "ID"
path = "/primary_id"
readonly = true

[[columns]]
header = "Title"
path = "/researcher/display_title"

[[columns]]
header = "Keywords"
path = "/researcher/researcher_keyword[*]/value"
join = "; "
"""

PATCH = """\
format = 1
entity = "assets"
write_mode = "patch"
id_path = "/originalRepository/assetId"

[[columns]]
header = "Asset ID"
path = "/originalRepository/assetId"
readonly = true

[[columns]]
header = "DOI"
path = "/identifier.doi"
"""


def write_file(tmp_path: Path, text: str, name: str = "my.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_template_file_loads(tmp_path: Path) -> None:
    path = write_file(tmp_path, GOOD)
    template = load_template(path)
    assert template.name == "my"
    assert template.source == str(path)
    assert template.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert template.description == ""
    assert [c.header for c in template.columns] == ["ID", "Title", "Keywords"]
    keywords = template.column("KEYWORDS ")
    assert keywords.join == "; " and keywords.type == "text" and not keywords.readonly
    assert template.id_column.header == "ID"
    assert load_template(str(path)) == template
    assert load_template(write_file(tmp_path, PATCH)).write_mode == "patch"


def test_every_column_option(tmp_path: Path) -> None:
    text = GOOD.replace(
        'path = "/researcher/display_title"\n',
        'path = "/researcher/position/value"\ntype = "code"\ncode_table = "ResearcherPositions"\n'
        "required = true\npattern = '^[A-Z_]+$'\nmax_length = 40\nwidth = 4\n"
        'note = "a note"\n',
    ).replace("format = 1\n", 'format = 1\nname = "custom"\ndescription = "d"\n')
    template = load_template(write_file(tmp_path, text))
    assert (template.name, template.description) == ("custom", "d")
    column = template.column("Title")
    assert column == Column(
        header="Title",
        path=parse_path("/researcher/position/value"),
        type="code",
        readonly=False,
        required=True,
        pattern=re.compile("^[A-Z_]+$"),
        max_length=40,
        code_table="ResearcherPositions",
        join=None,
        width=4,
        note="a note",
    )


def test_unknown_name_lists_the_builtins() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template("reserchers")
    message = str(caught.value)
    assert message.startswith("reserchers: not a built-in template name and not a readable file")
    assert "asset-identifiers, assets, researchers" in message


def test_missing_file_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="built-in templates are: asset-identifiers"):
        load_template(tmp_path / "nope.toml")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(GOOD.replace("Title", "Titr\xe9").encode("latin-1"))
    with pytest.raises(TemplateError, match=r"latin\.toml: not UTF-8 text"):
        load_template(path)


def test_packaged_templates_dir_wins_when_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "templates").mkdir()
    monkeypatch.setattr(importlib.resources, "files", lambda _: tmp_path)
    assert builtin_templates_dir() == tmp_path / "templates"


def test_template_values_are_hashable() -> None:
    assert len({*builtin_templates(), *builtin_templates()}) == 3
    assert isinstance(builtin_templates()[0], Template)


# ------------------------------------------------------------------------ malformed files


def edit(base: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in base, old
        base = base.replace(old, new, 1)
    return base


TITLE = 'header = "Title"\n'
TITLE_PATH = 'path = "/researcher/display_title"\n'
MALFORMED: list[tuple[str, str, int, str, str]] = [
    # id, file text, line, key, problem (start of)
    (
        "unknown column key",
        edit(GOOD, (TITLE, 'heder = "Title"\n')),
        12,
        "columns[1].heder",
        "unknown key 'heder' (did you mean 'header'?)",
    ),
    (
        "bad type",
        edit(GOOD, ('join = "; "\n', 'join = "; "\ntype = "txt"\n')),
        19,
        "columns[2].type",
        "'txt' is not one of text, integer, boolean, date, code",
    ),
    (
        "unknown top key",
        edit(GOOD, ("entity =", "entitty =")),
        2,
        "entitty",
        "unknown key 'entitty' (did you mean 'entity'?)",
    ),
    ("unknown table", GOOD + "\n[meta]\nx = 1\n", 20, "meta", "unknown key 'meta'"),
    (
        "format 2",
        edit(GOOD, ("format = 1", "format = 2")),
        1,
        "format",
        "2 is not supported; this sheetsync reads format = 1",
    ),
    ("no format", edit(GOOD, ("format = 1\n", "\n")), 1, "format", "missing; start the file"),
    (
        "bad entity",
        edit(GOOD, ('"researchers"', '"people"')),
        2,
        "entity",
        "'people' is not one of researchers, assets",
    ),
    (
        "patch for researchers",
        edit(GOOD, ('"put"', '"patch"')),
        3,
        "write_mode",
        'write_mode = "patch" is only for entity = "assets"',
    ),
    (
        "bad id path",
        edit(GOOD, ('id_path = "/primary_id"', 'id_path = "/primary_id["')),
        4,
        "id_path",
        "invalid path '/primary_id[': unclosed '[' at position 11",
    ),
    (
        "no id column",
        edit(GOOD, ('id_path = "/primary_id"', 'id_path = "/other"')),
        4,
        "id_path",
        "no column has path '/other'",
    ),
    (
        "editable id column",
        edit(GOOD, ("readonly = true", "readonly = false")),
        9,
        "columns[0].readonly",
        "the ID column must have readonly = true",
    ),
    (
        "id column without readonly",
        edit(GOOD, ("readonly = true\n", "")),
        6,
        "columns[0].readonly",
        "the ID column must have readonly = true",
    ),
    (
        "code without table",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'type = "code"\n')),
        14,
        "columns[1].type",
        'type = "code" needs code_table',
    ),
    (
        "table without code",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'code_table = "X"\n')),
        14,
        "columns[1].code_table",
        'code_table is only allowed with type = "code"',
    ),
    (
        "star without join",
        edit(GOOD, ('join = "; "\n', "")),
        17,
        "columns[2].path",
        "the path has '[*]', so the column needs join",
    ),
    (
        "join without star",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'join = ", "\n')),
        14,
        "columns[1].join",
        "join is only allowed when the path has '[*]'",
    ),
    (
        "empty join",
        edit(GOOD, ('join = "; "', 'join = ""')),
        18,
        "columns[2].join",
        "must not be empty",
    ),
    (
        "bad regex",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + "pattern = '(['\n")),
        14,
        "columns[1].pattern",
        "invalid regular expression",
    ),
    (
        "zero max_length",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + "max_length = 0\n")),
        14,
        "columns[1].max_length",
        "0 is out of range; use a whole number at least 1",
    ),
    (
        "wide column",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + "\n# wide\nwidth = 200\n")),
        16,
        "columns[1].width",
        "200 is out of range; use a whole number from 4 to 120",
    ),
    (
        "string readonly",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'readonly = "yes"\n')),
        14,
        "columns[1].readonly",
        "expected true or false, got string 'yes'",
    ),
    (
        "string width",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'width = "30"\n')),
        14,
        "columns[1].width",
        "expected a whole number, got string '30'",
    ),
    (
        "same header",
        edit(GOOD, ('header = "Keywords"', 'header = " title"')),
        16,
        "columns[2].header",
        "'title' is already the header of columns[1]",
    ),
    (
        "empty header",
        edit(GOOD, (TITLE, 'header = "  "\n')),
        12,
        "columns[1].header",
        "must not be empty",
    ),
    ("missing path", edit(GOOD, (TITLE_PATH, "")), 11, "columns[1].path", "missing (required)"),
    (
        "bad column path",
        edit(GOOD, (TITLE_PATH, 'path = "researcher//x"\n')),
        13,
        "columns[1].path",
        "invalid path 'researcher//x': a path starts with '/'",
    ),
    (
        "same editable path",
        edit(GOOD, (TITLE_PATH, 'path = "/researcher/researcher_keyword[*]/value"\njoin = ","\n')),
        18,
        "columns[2].path",
        "columns[1] already edits",
    ),
    (
        "all readonly",
        edit(PATCH, ('path = "/identifier.doi"\n', 'path = "/identifier.doi"\nreadonly = true\n')),
        6,
        "columns",
        "every column is readonly",
    ),
    (
        "not patchable",
        edit(PATCH, ('"/identifier.doi"', '"/title"')),
        13,
        "columns[1].path",
        "'/title' cannot be edited with write_mode = \"patch\"",
    ),
    ("no columns", GOOD.split("[[columns]]")[0], 1, "columns", "no columns"),
    (
        "quoted key",
        edit(GOOD, (TITLE, '"heder" = "Title"\n')),
        12,
        "columns[1].heder",
        "unknown key 'heder'",
    ),
    ("no entity", edit(GOOD, ('entity = "researchers"\n', "")), 1, "entity", "missing (required)"),
    (
        "empty name",
        edit(GOOD, ("format = 1\n", 'format = 1\n\nname = ""\n')),
        3,
        "name",
        "must not be empty",
    ),
    (
        "columns not tables",
        GOOD.split("[[columns]]")[0] + "columns = 3\n",
        6,
        "columns",
        "must be a list of [[columns]] tables",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "key", "problem"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_template_names_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, problem: str
) -> None:
    path = write_file(tmp_path, text)
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    error = caught.value
    assert str(error).startswith(f"{path}, line {line}, {key}: {problem}"), str(error)
    assert (error.source, error.line, error.key) == (str(path), line, key)


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    path = write_file(tmp_path, edit(GOOD, (TITLE, 'header = "Title\n')))
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert str(caught.value) == f"{path}, line 12, column 16: invalid TOML: Illegal character '\\n'"


def test_toml_error_at_the_end(tmp_path: Path) -> None:
    path = write_file(tmp_path, GOOD + "x = [1,\n")
    with pytest.raises(TemplateError, match=r"my\.toml, line 19: invalid TOML: .* end of the file"):
        load_template(path)


def test_parse_template_from_bytes() -> None:
    template = parse_template(GOOD.encode(), source="inline", name="mine")
    assert (template.name, template.source) == ("mine", "inline")
    with pytest.raises(TemplateError, match=r"^inline, line 2, entity: "):
        parse_template(GOOD.replace("researchers", "x").encode(), source="inline")
