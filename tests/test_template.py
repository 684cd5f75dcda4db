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
    PATCHABLE_DATES,
    PATCHABLE_IDENTIFIERS,
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
BUILTINS = ["assets", "researchers", "researchers-multilingual"]


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
    assert template.id_column.header == "Primary ID"
    orcid = template.column("orcid id")  # one column for both places
    assert not orcid.readonly and orcid.path.has_places
    for record in researchers:  # it shows the user record's iD, else the profile's
        orcids = {
            where: [i["value"] for i in items if i["id_type"]["value"] == "ORCID"][:1]
            for where, items in (
                ("profile", record["researcher"]["user_identifier"]),
                ("user", record["user_identifier"]),
            )
        }
        assert read_value(record, orcid.path) == (orcids["user"] or orcids["profile"] or [None])[0]
    situations = {seed.orcid_situation(r) for r in researchers}
    assert {"researcher", "top-level", "both-equal"} <= situations


def test_researchers_template_edits_published_names_and_real_code_tables() -> None:
    """Published names are the editable ones; the user record's names are context. Code
    columns name the tables rest_researcher.xsd names, and hold codes, never descriptions."""
    template = load_template("researchers")
    published = {"First name": "first", "Middle name": "middle", "Last name": "last"}
    for header, part in published.items():
        column = template.column(header)
        assert str(column.path) == f"/researcher/researcher_{part}_name" and not column.readonly
        context = template.column(f"User record {header.lower()}")
        assert str(context.path) == f"/{part}_name" and context.readonly
        assert context.note is not None and "Read-only context" in context.note
    assert str(template.column("Suffix").path) == "/researcher/researcher_suffix"
    assert template.column("Full name").readonly
    tables = {c.header: c.code_table for c in template.columns if c.type == "code"}
    assert tables == {
        "Title (Dr, Prof, ...)": "UserTitles",
        "Position": "OrganizationPositions",
        "Portal profile": "EsploroPortalField",
        "Research topics": "ResearchTopicsLabels",
    }
    portal = template.column("Portal profile")
    assert str(portal.path) == "/researcher/portal_profile/value"  # the code, not the desc
    assert portal.shows_description  # Yes or No in the cell, as Esploro's screens show it
    assert portal.note is not None and "Yes" in portal.note and "(true or false)" in portal.note
    headers = [c.header for c in template.columns]
    for kept in ("Display title", "Keywords", "ORCID iD", "Web pages", "Last name", "Position"):
        assert kept in headers  # the demo and the tests edit these


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


def test_assets_template_reads_the_captured_asset(
    asset: dict[str, Any], seeded_assets: list[dict[str, Any]]
) -> None:
    template = load_template("assets")
    assert (template.entity, template.write_mode) == ("assets", "patch")
    values = {c.header: read_value(asset, c.path) for c in template.columns}
    assert values["Asset ID"] == "991291935000561"
    assert values["DOI"] == "10.1016/j.hybadv.2024.100277"
    assert values["PubMed ID (PMID)"] == "36834803"
    assert values["Handle"] == "handle.amirbuat"
    assert values["Additional identifier 02"] == "googlescholarID"
    assert (values["Publication date"], values["Accepted date"]) == ("202412", "20200125")
    assert values["First creator"] == "Adib Bin Rashid"
    assert values["Part of"] == "Hybrid Advances"
    assert values["Resource type"] == "publication.journalArticle"
    assert len(values["Links"]) == 2
    for column in template.columns:
        found = [v for v in (read_value(a, column.path) for a in [asset, *seeded_assets])]
        check_values(column, [v for v in found if not blank(v)])


def test_assets_template_edits_every_identifier_and_date_op_patch_can_change() -> None:
    """The Knowledge Center's list (kc-update-asset-by-api.txt): 28 identifiers, of which the
    portal's own address (identifier.uri) is Esploro's to assign, and four dates."""
    template = load_template("assets")
    editable = {c.path.top_level_key for c in template.columns if not c.readonly}
    assert editable == (set(PATCHABLE_IDENTIFIERS) - {"identifier.uri"}) | set(PATCHABLE_DATES)
    assert len(PATCHABLE_IDENTIFIERS) == 28 and len(editable) == 31
    context = [c for c in template.columns if c.readonly and c is not template.id_column]
    assert {c.header for c in context} >= {"Title", "First creator", "Resource type"}
    for column in context:
        assert "API cannot change" in column.note or "does not write" in column.note
    dates = [c for c in template.columns if c.path.top_level_key in PATCHABLE_DATES]
    for column in dates:
        assert column.pattern is not None
        assert column.pattern.fullmatch("20220612\u201320220825")  # a range, as in the article
        assert not column.pattern.fullmatch("2022-06-12")
    with pytest.raises(KeyError):
        template.column("No such column")


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
    assert "assets, researchers" in message


def test_missing_file_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="built-in templates are: assets, researchers"):
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
    assert len({*builtin_templates(), *builtin_templates()}) == len(BUILTINS)
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
        "put for assets",
        edit(PATCH, ('"patch"', '"put"')),
        3,
        "write_mode",
        "Esploro's API cannot replace an asset (it has no PUT for assets)",
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
    (
        "a date op=patch does not list",
        edit(PATCH, ('"/identifier.doi"', '"/date.presented"')),
        13,
        "columns[1].path",
        "'/date.presented' cannot be edited with write_mode = \"patch\": Esploro's op=patch "
        "only changes date.published, date.accepted, date.created, date.submitted",
    ),
    (
        "an identifier op=patch does not list",
        edit(PATCH, ('"/identifier.doi"', '"/identifier.isni"')),
        13,
        "columns[1].path",
        "'/identifier.isni' cannot be edited",
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


# ------------------------------------------------------------------ places, new_item, twin

ORCID_PLACES = (
    "/user_identifier[id_type/value=ORCID]/value | "
    "/researcher/user_identifier[id_type/value=ORCID]/value"
)
ORCID_COLUMN = f'[[columns]]\nheader = "ORCID"\npath = "{ORCID_PLACES}"\n'


def test_a_column_may_name_several_places_with_names_and_new_item_fields(tmp_path: Path) -> None:
    text = (
        GOOD
        + ORCID_COLUMN
        + (
            'place_names = ["the user record", "the researcher profile"]\n'
            'new_item = { segment_type = "Internal", status = "ACTIVE" }\n'
        )
    )
    column = load_template(write_file(tmp_path, text)).column("ORCID")
    assert [p.text for p in column.path.places] == [s.strip() for s in ORCID_PLACES.split("|")]
    assert column.place_names == ("the user record", "the researcher profile")
    assert column.place_name(1) == "the researcher profile"
    assert column.new_item == {"segment_type": "Internal", "status": "ACTIVE"}


def test_a_twin_is_a_path(tmp_path: Path) -> None:
    text = edit(
        GOOD, (TITLE_PATH, TITLE_PATH + 'twin = "/researcher/display_title_multilingual"\n')
    )
    column = load_template(write_file(tmp_path, text)).column("Title")
    assert column.twin == parse_path("/researcher/display_title_multilingual")


PLACES_MALFORMED: list[tuple[str, str, int, str, str]] = [
    (
        "place_names without places",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'place_names = ["a", "b"]\n')),
        14,
        "columns[1].place_names",
        "place_names is only allowed when the path names several places",
    ),
    (
        "place_names count",
        GOOD + ORCID_COLUMN + 'place_names = ["the user record"]\n',
        22,
        "columns[3].place_names",
        "1 names for 2 places",
    ),
    (
        "new_item without a match selector",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'new_item = { a = "b" }\n')),
        14,
        "columns[1].new_item",
        "new_item is only allowed when the path has a [field=VALUE] selector",
    ),
    (
        "new_item sets the matched field",
        GOOD + ORCID_COLUMN + 'new_item = { id_type = { value = "X" } }\n',
        22,
        "columns[3].new_item",
        "'id_type' is set by the path itself",
    ),
    (
        "new_item not a table",
        GOOD + ORCID_COLUMN + 'new_item = "Internal"\n',
        22,
        "columns[3].new_item",
        "expected a table",
    ),
    (
        "new_item with a date",
        GOOD + ORCID_COLUMN + "new_item = { since = 2020-01-01 }\n",
        22,
        "columns[3].new_item",
        "datetime.date(2020, 1, 1) is not a JSON value",
    ),
    (
        "a place with [*]",
        GOOD + '[[columns]]\nheader = "K"\npath = "/a[*]/b | /c"\n',
        21,
        "columns[3].path",
        "invalid path '/a[*]/b | /c': a place of several cannot have '[*]'",
    ),
    (
        "an empty place",
        GOOD + '[[columns]]\nheader = "K"\npath = "/a | "\n',
        21,
        "columns[3].path",
        "invalid path '/a | ': an empty place",
    ),
    (
        "a place another editable column edits",
        GOOD + '[[columns]]\nheader = "K"\npath = "/x | /researcher/display_title"\n',
        21,
        "columns[3].path",
        "columns[1] already edits '/researcher/display_title'",
    ),
    (
        "twin is the column's own path",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'twin = "/researcher/display_title"\n')),
        14,
        "columns[1].twin",
        "the twin is one other field",
    ),
    (
        "twin on a readonly column",
        edit(GOOD, (TITLE_PATH, TITLE_PATH + 'readonly = true\ntwin = "/x"\n')),
        15,
        "columns[1].twin",
        "twin only matters to an editable column",
    ),
    (
        "id path with places",
        edit(GOOD, ('id_path = "/primary_id"', 'id_path = "/primary_id | /x"')),
        4,
        "id_path",
        "the ID path names one place",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "key", "problem"),
    [case[1:] for case in PLACES_MALFORMED],
    ids=[case[0] for case in PLACES_MALFORMED],
)
def test_places_new_item_and_twin_errors_name_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str, problem: str
) -> None:
    path = write_file(tmp_path, text)
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert str(caught.value).startswith(f"{path}, line {line}, {key}: {problem}"), str(caught.value)


def test_the_patchable_identifiers_are_the_knowledge_centers_own_list() -> None:
    """Read from the evidence itself, so the client's list cannot drift from Ex Libris's (the
    sandbox keeps its own copy, checked against the same article in its conformance tests)."""
    article = ROOT.parent / "shared" / "evidence" / "kc-update-asset-by-api.txt"
    if not article.exists():
        pytest.skip(f"the evidence is not beside the repository: {article}")
    named = re.findall(r"<(identifier\.\w+)>", article.read_text(encoding="utf-8"))
    assert tuple(dict.fromkeys(named)) == PATCHABLE_IDENTIFIERS
    dates = re.findall(r"<(date\.\w+)>", article.read_text(encoding="utf-8"))
    assert tuple(dict.fromkeys(dates)) == PATCHABLE_DATES


@pytest.mark.parametrize(
    ("column", "problem"),
    [
        ('header = "Title"\npath = "/researcher/display_title"\nshow = "description"\n',
         'only for type = "code"'),
        ('header = "Topics"\npath = "/researcher/researcher_research_topic[*]/value"\n'
         'type = "code"\ncode_table = "ResearchTopicsLabels"\njoin = "; "\nshow = "description"\n',
         "single value"),
        ('header = "Portal"\npath = "/researcher/portal_profile/value"\ntype = "code"\n'
         'code_table = "EsploroPortalField"\nshow = "words"\n', "show"),
    ],
)  # fmt: skip
def test_show_description_is_for_single_code_columns(column: str, problem: str) -> None:
    with pytest.raises(TemplateError, match="show") as caught:
        parse_template((GOOD + "\n[[columns]]\n" + column).encode(), source="inline")
    assert problem in str(caught.value) and "inline, line" in str(caught.value)
