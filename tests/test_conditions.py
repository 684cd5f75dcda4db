"""`--where`: the condition parser (properties and refusals) and each form through the CLI."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sheetsync.conditions import (
    CONTAINS,
    EQUALS,
    IS_EMPTY,
    IS_NOT_EMPTY,
    NOT_CONTAINS,
    NOT_EQUALS,
    Condition,
    parse,
)
from sheetsync.errors import EXIT_USAGE, ConditionError, SheetsyncError
from sheetsync.sandbox import Sandbox, seed
from sheetsync.template import load_template
from tests.cli.runner import one_error_line, run
from tests.conftest import Api

HEADERS = [c.header for c in load_template("researchers").columns]
OPERATORS = (EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS, IS_EMPTY, IS_NOT_EMPTY)
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@given(header=st.sampled_from(HEADERS), operator=st.sampled_from(OPERATORS), value=_TEXT)
def test_a_condition_reads_back_as_itself(header: str, operator: str, value: str) -> None:
    condition = Condition(header, operator, "" if "empty" in operator else value)
    assert parse(str(condition), HEADERS) == condition
    assert parse(f"  {str(condition).upper()}  ", HEADERS).header == header


@given(text=st.text(max_size=60))
@example(text="0\n0=")  # a line break in the column part: the error stays one line
def test_any_text_is_a_condition_or_a_usage_error_never_a_crash(text: str) -> None:
    try:
        parse(text, HEADERS)
    except ConditionError as exc:
        assert exc.exit_code == EXIT_USAGE and "\n" not in str(exc).replace(text, "")
    except SheetsyncError:  # pragma: no cover - a failure either way
        pytest.fail("only ConditionError is raised")


@given(
    header=st.sampled_from(HEADERS),
    words=st.lists(
        st.sampled_from(["=", "~", "!=", "is", "not", "empty", "x", "'", '"']), max_size=5
    ),
)
def test_condition_shaped_text_never_crashes(header: str, words: list[str]) -> None:
    with contextlib.suppress(ConditionError):
        parse(" ".join([header, *words]), HEADERS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Keywords is empty", Condition("Keywords", IS_EMPTY)),
        ("orcid id IS NOT empty", Condition("ORCID iD", IS_NOT_EMPTY)),
        ("Position = lecturer", Condition("Position", EQUALS, "lecturer")),
        ("Display title ~ emeritus", Condition("Display title", CONTAINS, "emeritus")),
        ("Title (Dr, Prof, ...) != Dr", Condition("Title (Dr, Prof, ...)", NOT_EQUALS, "Dr")),
        ("Display title !~ 'of '", Condition("Display title", NOT_CONTAINS, "of ")),
        ("Display title = a = b", Condition("Display title", EQUALS, "a = b")),
        ("Keywords = is empty", Condition("Keywords", EQUALS, "is empty")),
    ],
)
def test_each_form_parses(text: str, expected: Condition) -> None:
    assert parse(text, HEADERS) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Keyword is empty",
            "no column 'Keyword' (did you mean 'Keywords'?); the columns are Primary ID, ",
        ),
        ("Colour = blue", "no column 'Colour'; the columns are "),
        ("Keywords contains x", "after the column 'Keywords', write one of =, !=, ~, !~, is empty"),
        ("Keywords =", "give a value after '='"),
        ("emeritus", "is not a condition; write one of: COLUMN = VALUE"),
    ],
)
def test_bad_conditions_name_the_column_and_list_the_headers(text: str, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse(text, HEADERS)
    assert message in str(caught.value) and text in str(caught.value)


def test_holds_on_cell_text_ignoring_case() -> None:
    assert Condition("K", IS_EMPTY).holds(None) and Condition("K", IS_EMPTY).holds("")
    assert not Condition("K", IS_EMPTY).holds(" ") and Condition("K", IS_NOT_EMPTY).holds(" ")
    assert Condition("P", EQUALS, "LECTURER").holds("lecturer")
    assert not Condition("P", EQUALS, "lecturer").holds("senior_lecturer")
    assert Condition("P", NOT_EQUALS, "lecturer").holds("senior_lecturer")
    assert Condition("P", NOT_EQUALS, "lecturer").holds(None)
    assert Condition("K", EQUALS, "dna").holds("RNA; DNA", items=["RNA", "DNA"])
    assert Condition("Portal", EQUALS, "true").holds("Yes", code="true")
    assert Condition("D", CONTAINS, "EMERITUS").holds("Professor Emeritus of Botany")
    assert Condition("D", NOT_CONTAINS, "emeritus").holds(None)


# -- through the command line ------------------------------------------------------------


def _records(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Every researcher, in the API's order (the export's row order), after two colleague
    edits that give `Position = lecturer` and `Display title ~ emeritus` something to find."""
    api = Api(sandbox.base_url)
    ids = api.researcher_ids(100)
    colleague = f"{sandbox.base_url}/_sandbox/researchers"
    patches = {
        ids[3]: {"researcher": {"position": {"value": "lecturer"}}},
        ids[5]: {"researcher": {"display_title": "Professor EMERITUS of Botany"}},
    }
    for record_id, patch in patches.items():
        requests.patch(f"{colleague}/{record_id}", json=patch, timeout=5).raise_for_status()
    return [api.get(f"/esploro/v1/researchers/{i}").json() for i in ids]


def _export(tmp_path: Path, sandbox: Sandbox, *where: str) -> tuple[int, dict[str, Any], list[str]]:
    args = [a for w in where for a in ("--where", w)]
    done = run(
        tmp_path,
        "export",
        "researchers",
        "-o",
        "out.xlsx",
        "--force",  # each form exports again to the same file
        "--rate",
        "500",
        *args,
        "--json",
        base_url=sandbox.base_url,
    )
    assert done.returncode == 0, done.stderr
    sheet = CalamineWorkbook.from_path(str(tmp_path / "out.xlsx")).get_sheet_by_name("Researchers")
    return done.returncode, json.loads(done.stdout), [str(r[0]) for r in sheet.to_python()[1:]]


def test_each_where_form_exports_exactly_the_records_that_meet_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    records = _records(sandbox)
    profile = [r["researcher"] for r in records]
    oracle = {
        "Keywords is empty": [not p.get("researcher_keyword") for p in profile],
        "ORCID iD is not empty": [seed.orcid_situation(r) != "none" for r in records],
        "Position = lecturer": [
            (p.get("position") or {}).get("value") == "lecturer" for p in profile
        ],
        "Display title ~ emeritus": [
            "emeritus" in (p.get("display_title") or "").lower() for p in profile
        ],
    }
    for where, meets in oracle.items():
        expected = [r["primary_id"] for r, ok in zip(records, meets, strict=True) if ok]
        assert expected and len(expected) < len(records), where  # the test can fail
        _, summary, rows = _export(tmp_path, sandbox, where)
        assert rows == expected, where
        assert (summary["fetched"], summary["records"], summary["where"]) == (
            len(records),
            len(expected),
            [where],
        )
    both = [
        r["primary_id"]
        for r, a, b in zip(
            records, oracle["Keywords is empty"], oracle["ORCID iD is not empty"], strict=True
        )
        if a and b
    ]
    _, summary, rows = _export(tmp_path, sandbox, "keywords IS EMPTY", "ORCID iD is not empty")
    assert rows == both and summary["where"] == ["Keywords is empty", "ORCID iD is not empty"]
    text = run(
        tmp_path,
        "export",
        "researchers",
        "-o",
        "out.xlsx",
        "--force",
        "--rate",
        "500",
        "--where",
        "Position = lecturer",
        base_url=sandbox.base_url,
    )
    assert text.returncode == 0, text.stderr
    assert f"1 of {len(records)} records fetched met --where 'Position = lecturer'" in text.stdout


def test_a_bad_where_is_a_usage_error_before_any_fetch(sandbox: Sandbox, tmp_path: Path) -> None:
    done = run(
        tmp_path,
        "export",
        "researchers",
        "-o",
        "out.xlsx",
        "--where",
        "Keyword is empty",
        base_url=sandbox.base_url,
    )
    assert done.returncode == EXIT_USAGE
    line = one_error_line(done)
    assert "no column 'Keyword' (did you mean 'Keywords'?)" in line and "Display title" in line
    assert not (tmp_path / "out.xlsx").exists()
    assert Api(sandbox.base_url).stats()["total"] == 0  # refused before a single call


def test_a_where_nothing_meets_writes_nothing_and_says_so(sandbox: Sandbox, tmp_path: Path) -> None:
    done = run(
        tmp_path,
        "export",
        "researchers",
        "-o",
        "out.xlsx",
        "--rate",
        "500",
        "--limit",
        "5",
        "--where",
        "Display title ~ no such words anywhere",
        base_url=sandbox.base_url,
    )
    assert done.returncode == 1
    assert (
        "none of the 5 records fetched (all records, limit 5) meets --where 'Display"
        in one_error_line(done)
    )
    assert not (tmp_path / "out.xlsx").exists()
