"""What a typed value becomes before it is planned, and that every change is listed.

Unit checks of `normalise_text` and `normalise_change`, properties (hypothesis) of the
normalisers, then plans against the real sandbox: through the library, and through the
`sheetsync plan` command a person runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

import sheetsync
from sheetsync.errors import EXIT_PROBLEMS
from sheetsync.fieldpath import parse_path
from sheetsync.planning.edits import CellChange
from sheetsync.planning.merge import json_value
from sheetsync.planning.model import Plan, RecordPlan
from sheetsync.planning.normalise import normalise_change, normalise_text
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from sheetsync.template import Column, load_template, parse_template
from tests.cli.runner import run
from tests.conftest import Api, start_sandbox
from tests.plans import edit

POSITIONS = {"professor": "Professor", "senior_lecturer": "Senior Lecturer", "lecturer": "Lecturer"}
TITLES = {"PROF": "Prof.", "DR": "Dr."}


def column(**kw: Any) -> Column:
    return Column(header="C", path=parse_path(kw.pop("path", "/c")), **kw)


# ------------------------------------------------------------------------------ whitespace


@pytest.mark.parametrize(
    "typed, written, notes",
    [
        ("Şebnem  ", "Şebnem", ("trimmed 2 trailing spaces",)),
        (
            "Senior Lecturer in History\n",
            "Senior Lecturer in History",
            ("trimmed 1 trailing line break",),
        ),
        (" \u00a0Ana", "Ana", ("trimmed 1 leading space", "trimmed 1 leading no-break space")),
        ("Ana\u200b", "Ana", ("trimmed 1 trailing zero-width space",)),
        (
            "Senior\nLecturer",
            "Senior Lecturer",
            ("replaced 1 line break inside the text with a space",),
        ),
        ("Ana", "Ana", ()),
    ],
)
def test_whitespace_is_trimmed_and_each_trim_listed(
    typed: str, written: str, notes: tuple[str, ...]
) -> None:
    assert normalise_text(column(), typed) == (written, notes, "")


def test_a_multiline_column_keeps_inner_line_breaks_and_trim_false_keeps_everything() -> None:
    abstract = column(multiline=True)
    assert normalise_text(abstract, "First line\nsecond line\n\n") == (
        "First line\nsecond line",
        ("trimmed 2 trailing line breaks",),
        "",
    )
    assert normalise_text(column(trim=False), "  as typed \n") == ("  as typed \n", (), "")


def test_a_cell_of_spaces_only_is_blank() -> None:
    assert normalise_text(column(), "   ") == (None, ("trimmed 3 leading spaces",), "")


def test_a_change_that_normalises_to_its_baseline_is_no_change() -> None:
    typed = CellChange("First name", "F7", "Şebnem", "Şebnem  ")
    assert normalise_change(typed, column(), None, "Researchers") is None
    real = CellChange("First name", "F7", "Sebnem", "Şebnem  ")
    changed = normalise_change(real, column(), None, "Researchers")
    assert changed is not None and changed.edited == "Şebnem"
    assert changed.notes == ("trimmed 2 trailing spaces",) and changed.problem == ""


def test_a_read_only_cell_with_only_a_stray_space_typed_is_no_change() -> None:
    typed = CellChange(
        "Full name", "B7", "Ana Lima", "Ana Lima ", "column 'Full name' is read-only"
    )
    assert normalise_change(typed, column(readonly=True), None, "Researchers") is None
    other = CellChange(
        "Full name", "B7", "Ana Lima", "Ana Silva", "column 'Full name' is read-only"
    )
    assert normalise_change(other, column(readonly=True), None, "Researchers") == other


# ------------------------------------------------------------------------- codes, booleans


@pytest.mark.parametrize(
    "typed, written, note",
    [
        ("lecturer", "lecturer", None),
        ("LECTURER", "lecturer", "read 'LECTURER' as the code lecturer"),
        (
            "senior lecturer",
            "senior_lecturer",
            "read 'senior lecturer' as the code senior_lecturer (Senior Lecturer)",
        ),
    ],
)
def test_a_code_is_found_regardless_of_case_or_by_its_description(
    typed: str, written: str, note: str | None
) -> None:
    positions = column(type="code", code_table="OrganizationPositions")
    assert normalise_text(positions, typed, POSITIONS) == (written, (note,) if note else (), "")


def test_an_unknown_code_gets_a_did_you_mean() -> None:
    positions = column(type="code", code_table="OrganizationPositions")
    _, _, problem = normalise_text(positions, "Profesor", POSITIONS)
    assert problem == (
        "'Profesor' is not a code or a description in the code table OrganizationPositions; "
        "did you mean professor (Professor)?"
    )
    _, _, problem = normalise_text(positions, "Archmage", POSITIONS)
    assert (
        problem
        == "'Archmage' is not a code or a description in the code table OrganizationPositions"
    )


def test_every_value_of_a_multi_value_code_cell_is_normalised() -> None:
    topics = column(type="code", code_table="T", join="; ", path="/t[*]/value")
    codes = {"1004068": "Web Analytics", "0201000": "Agriculture"}
    assert normalise_text(topics, "web analytics;0201000 ", codes) == (
        "1004068; 0201000",
        ("trimmed 1 trailing space", "read 'web analytics' as the code 1004068 (Web Analytics)"),
        "",
    )


@pytest.mark.parametrize(
    "typed, written", [("Yes", "true"), ("NO", "false"), ("True", "true"), ("false", "false")]
)
def test_booleans_accept_yes_no_true_false_in_any_case(typed: str, written: str) -> None:
    flag = column(type="boolean")
    notes = () if typed == written else (f"read '{typed}' as {written}",)
    assert normalise_text(flag, typed) == (written, notes, "")
    assert normalise_text(flag, "maybe")[2] == "'maybe' is not one of Yes, No, True, False"


def test_a_boolean_is_written_in_the_fields_own_form() -> None:
    flag = column(type="boolean")
    written, _, _ = normalise_text(flag, "Yes")
    assert json_value(flag, written, False) is True  # a JSON boolean stays one
    assert json_value(flag, written, "false") == "true"  # a field Esploro keeps as text


def test_identifier_columns_normalise_each_value() -> None:
    isbns = column(identifier="isbn", join="; ", path="/identifier.isbn[*]")
    assert normalise_text(isbns, "ISBN 0306406152; 978-0-306-40615-7") == (
        "0306406152; 978-0-306-40615-7",
        ("removed the prefix 'ISBN'",),
        "",
    )
    assert normalise_text(isbns, "0306406152; 978-0-306-40615-6")[2] == (
        "ISBN 978-0-306-40615-6: the last character should be 7"
    )


# ------------------------------------------------------------------------------ properties

texts = st.text(alphabet=st.sampled_from("ab Ş\n\r\t\u00a0\u200b\ufeff-;"), max_size=20)
columns = st.sampled_from(
    [column(), column(multiline=True), column(trim=False), column(join="; ", path="/k[*]/v")]
)


@given(columns, texts)
def test_normalising_twice_is_normalising_once(col: Column, typed: str) -> None:
    once, _, _ = normalise_text(col, typed)
    again, notes, problem = normalise_text(col, once)
    assert again == once and notes == () and problem == ""


@given(columns, st.text(alphabet="abcŞ -;", max_size=20).map(str.strip))
def test_a_canonical_value_is_never_changed(col: Column, value: str) -> None:
    written, notes, _ = normalise_text(col, value)
    assert written == (value or None) and notes == ()


@given(
    st.sampled_from([*POSITIONS, *POSITIONS.values()]),
    st.sampled_from([str.upper, str.lower, str.title, str]),
)
def test_codes_normalise_idempotently_to_a_code(typed: str, case: Any) -> None:
    positions = column(type="code", code_table="OrganizationPositions")
    code, _, problem = normalise_text(positions, case(typed), POSITIONS)
    assert problem == "" and code in POSITIONS
    assert normalise_text(positions, code, POSITIONS) == (code, (), "")


# --------------------------------------------------------------------- plans on the sandbox


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    box = start_sandbox(researchers=8, assets=6)
    yield box
    box.stop()


def _record(plan: Plan, record_id: str) -> RecordPlan:
    return next(r for r in plan.records if r.record_id == record_id)


def _export(server: Sandbox, book: Path, template: str = "researchers") -> None:
    since = "1900-01-01" if template == "assets" else None
    with sheetsync.connect(base_url=server.base_url, api_key=READ_WRITE_KEY) as client:
        sheetsync.export(client, template, book, updated_since=since)


def _plan(server: Sandbox, book: Path) -> Plan:
    with sheetsync.connect(base_url=server.base_url, api_key=READ_WRITE_KEY) as client:
        return sheetsync.plan(client, book)


def test_trailing_whitespace_is_trimmed_and_listed_in_the_plan(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    a, b, c = api.researcher_ids(3)
    profile = api.get(f"/esploro/v1/researchers/{c}").json()["researcher"]
    assert profile["position"]["value"] != "professor"
    title, code = (
        ("Dr.", "DR") if profile["researcher_title"]["value"] != "DR" else ("prof", "PROF")
    )
    book = tmp_path / "people.xlsx"
    _export(server, book)
    edit(
        book,
        {
            (a, "First name"): "Şebnem  ",
            (b, "Display title"): "Senior Lecturer in History\n",
            (c, "Position"): "PROFESSOR",
            (c, "Title (Dr, Prof, ...)"): title,
        },
    )
    plan = _plan(server, book)
    (first,) = _record(plan, a).edits
    assert (first.edited, first.normalised) == ("Şebnem", ("trimmed 2 trailing spaces",))
    assert {
        "op": "replace",
        "path": "/researcher/researcher_first_name",
        "value": "Şebnem",
    } in _record(plan, a).patch
    (title,) = _record(plan, b).edits
    assert title.edited == "Senior Lecturer in History"
    assert title.normalised == ("trimmed 1 trailing line break",)
    by_column = {e.column: e for e in _record(plan, c).edits}
    assert by_column["Position"].edited == "professor"
    assert by_column["Position"].normalised == ("read 'PROFESSOR' as the code professor",)
    assert by_column["Title (Dr, Prof, ...)"].edited == code
    assert by_column["Title (Dr, Prof, ...)"].normalised == (
        ("read 'Dr.' as the code DR (Dr.)",) if code == "DR" else ("read 'prof' as the code PROF",)
    )
    assert {r.record_id: r.status for r in plan.records} == {a: "change", b: "change", c: "change"}
    sheetsync.write_plan(plan, tmp_path / "people.plan.json")  # the notes survive the file
    assert sheetsync.read_plan(tmp_path / "people.plan.json") == plan


def test_an_unchanged_cell_whose_live_value_has_trailing_spaces_is_not_an_edit(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    ids = api.researcher_ids(8)
    spaced = ids[-1]
    record = api.get(f"/esploro/v1/researchers/{spaced}").json()
    record["researcher"]["researcher_first_name"] = "Ana  "
    record["researcher"]["researcher_suffix"] = "Jr.\n"
    assert api.put(f"/esploro/v1/researchers/{spaced}", record).status_code == 200
    book = tmp_path / "people.xlsx"
    _export(server, book)
    assert _plan(server, book).records == ()  # the untouched workbook plans nothing
    edit(book, {(spaced, "Middle name"): "Maria"})
    (planned,) = _plan(server, book).records
    assert [e.column for e in planned.edits] == ["Middle name"]
    assert not any(p["path"].endswith(("first_name", "suffix")) for p in planned.patch)
    edit(book, {(spaced, "Middle name"): None, (spaced, "First name"): "Ana"})
    (trimmed,) = _plan(server, book).records  # typing the value without its spaces is an edit
    assert [(e.column, e.live, e.edited) for e in trimmed.edits] == [("First name", "Ana  ", "Ana")]


def test_orcid_prefixes_are_removed_and_a_wrong_check_character_refused(
    server: Sandbox, tmp_path: Path
) -> None:
    a, b, c = Api(server.base_url).researcher_ids(3)
    book = tmp_path / "people.xlsx"
    _export(server, book)
    edit(
        book,
        {
            (a, "ORCID iD"): "https://orcid.org/0000-0002-1825-0097",
            (b, "ORCID iD"): "ORCID: 0000-0001-5109-3700",
            (c, "ORCID iD"): "0000-0002-1825-0098",
        },
    )
    plan = _plan(server, book)
    (orcid,) = _record(plan, a).edits
    assert orcid.edited == "0000-0002-1825-0097"
    assert orcid.normalised == ("removed the prefix 'https://orcid.org/'",)
    assert _record(plan, b).edits[0].normalised == ("removed the prefix 'ORCID:'",)
    refused = _record(plan, c)
    assert refused.status == "invalid"
    assert refused.problems[0].endswith(
        "(ORCID iD): ORCID iD 0000-0002-1825-0098: the last character should be 7"
    )


def test_asset_identifiers_are_checked_and_normalised(server: Sandbox, tmp_path: Path) -> None:
    a, b, c, d = Api(server.base_url).asset_ids(4)
    book = tmp_path / "assets.xlsx"
    _export(server, book, "assets")
    edit(
        book,
        {
            (a, "DOI"): "https://doi.org/10.1016/j.hybadv.2024.100277",
            (a, "PubMed ID (PMID)"): "PMID: 36834803",
            (b, "ISSN"): "1234-5678",
            (c, "ISBN"): "978-0-306-40615-6",
            (d, "eISSN"): "2773207x",
        },
    )
    plan = _plan(server, book)
    by_column = {e.column: e for e in _record(plan, a).edits}
    assert by_column["DOI"].edited == "10.1016/j.hybadv.2024.100277"
    assert by_column["DOI"].normalised == ("removed the prefix 'https://doi.org/'",)
    assert by_column["PubMed ID (PMID)"].edited == "36834803"
    assert _record(plan, b).problems[0].endswith("ISSN 1234-5678: the last character should be 9")
    assert (
        _record(plan, c)
        .problems[0]
        .endswith("ISBN 978-0-306-40615-6: the last character should be 7")
    )
    assert _record(plan, d).edits[0].edited == "2773-207X"


def test_a_template_may_declare_multiline_trim_and_identifier(tmp_path: Path) -> None:
    source = load_template("researchers").source
    assert source == "builtin:researchers"
    orcid = load_template("researchers").column("ORCID iD")
    assert orcid.identifier == "orcid" and orcid.trim and not orcid.multiline
    text = """format = 1
entity = "researchers"
write_mode = "put"
id_path = "/primary_id"
[[columns]]
header = "ID"
path = "/primary_id"
readonly = true
[[columns]]
header = "About"
path = "/researcher/about"
multiline = true
trim = false
"""
    about = parse_template(text.encode()).column("About")
    assert about.multiline and not about.trim
    for bad, message in (
        ('identifier = "isni"', "'isni' is not one of orcid, doi, issn, isbn, pmid"),
        ('type = "date"\nidentifier = "doi"', 'identifier is only for type = "text" columns'),
        ('type = "date"\nmultiline = true', 'multiline = true is only for type = "text" columns'),
    ):
        with pytest.raises(sheetsync.TemplateError, match=message.replace("(", r"\(")):
            parse_template((text.replace("multiline = true\ntrim = false\n", "") + bad).encode())


# ------------------------------------------------------------------------- the command line


def test_sheetsync_plan_lists_every_normalisation_and_shows_invisible_characters(
    server: Sandbox, tmp_path: Path
) -> None:
    """As a person runs it: export, type with stray spaces, plan with the HTML report and the
    annotated copy; the terminal, the plan file, the HTML and the workbook all list it."""
    a, b, c = Api(server.base_url).researcher_ids(3)
    book = tmp_path / "people.xlsx"
    exported = run(tmp_path, "export", "researchers", "-o", str(book), base_url=server.base_url)
    assert exported.returncode == 0, exported.stderr
    edit(
        book,
        {
            (a, "First name"): "Şebnem  ",
            (b, "Position"): "senior lecturer",
            (c, "ORCID iD"): "0000-0002-1825-0098",
        },
    )
    html, annotated = tmp_path / "plan.html", tmp_path / "annotated.xlsx"
    done = run(
        tmp_path, "plan", str(book), "--html", str(html), "--annotated", str(annotated),
        "--verbose", base_url=server.base_url,
    )  # fmt: skip
    assert done.returncode == EXIT_PROBLEMS, done.stderr  # the ORCID iD is invalid
    flat = " ".join(done.stdout.split())
    assert "normalised: trimmed 2 trailing spaces" in flat
    assert (
        "normalised: read 'senior lecturer' as the code senior_lecturer (Senior Lecturer)" in flat
    )
    assert "(ORCID iD): ORCID iD" in flat and "the last character should be 7" in flat
    document = json.loads((tmp_path / "people.plan.json").read_text(encoding="utf-8"))
    edits = {r["record_id"]: r["edits"][0] for r in document["records"]}
    assert edits[a]["edited"] == "Şebnem" and edits[a]["normalised"] == [
        "trimmed 2 trailing spaces"
    ]
    report = html.read_text(encoding="utf-8")
    assert "normalised: trimmed 2 trailing spaces" in report
    sheet = load_workbook(annotated).worksheets[0]
    comments = [c.comment.text for row in sheet.iter_rows() for c in row if c.comment is not None]
    assert any("normalised: trimmed 2 trailing spaces" in text for text in comments)


def test_a_conflict_shows_trailing_spaces_visibly(server: Sandbox, tmp_path: Path) -> None:
    """The plan shows 'Ana··', not 'Ana': a live value with trailing spaces is visible."""
    api = Api(server.base_url)
    target = api.researcher_ids(8)[-2]
    book = tmp_path / "people.xlsx"
    _export(server, book)
    record = api.get(f"/esploro/v1/researchers/{target}").json()
    record["researcher"]["researcher_suffix"] = "III  "
    assert api.put(f"/esploro/v1/researchers/{target}", record).status_code == 200
    edit(book, {(target, "Suffix"): "Jr."})
    annotated = tmp_path / "annotated.xlsx"
    done = run(
        tmp_path, "plan", str(book), "--verbose", "--annotated", str(annotated),
        base_url=server.base_url,
    )  # fmt: skip
    assert done.returncode == EXIT_PROBLEMS, done.stderr
    assert "live III··" in " ".join(done.stdout.split())
    sheet = load_workbook(annotated).worksheets[0]
    comments = [c.comment.text for row in sheet.iter_rows() for c in row if c.comment is not None]
    assert any("live: III··" in text for text in comments)


def test_a_code_near_by_its_name_and_its_description_is_suggested_once() -> None:
    """'Profesor' is close to the code `professor_emeritus` and to its description 'Professor
    Emeritus': one code, named once (seen against the sandbox's table: "did you mean professor
    (Professor) or professor_emeritus (Professor Emeritus) or professor_emeritus (...)")."""
    from sheetsync.sandbox.codetables import CODE_TABLES

    positions = column(type="code", code_table="OrganizationPositions")
    codes = CODE_TABLES["OrganizationPositions"]
    _, _, problem = normalise_text(positions, "Profesor", codes)
    named = problem.split("did you mean ", 1)[1].rstrip("?").split(" or ")
    assert named[0] == "professor (Professor)"
    assert len(named) == len(set(named))
