"""The shared words: durations, the conflict message the planner writes, outcomes, URLs."""

from __future__ import annotations

import pytest

from sheetsync.planning.model import Outcome, Status
from sheetsync.report.words import (
    CANARY_KINDS,
    STALE_AFTER_UNKNOWN,
    STALE_BEYOND_CELLS,
    STALE_NEXT,
    STALE_WHILE_UNANSWERED,
    apply_question,
    canary_difference,
    check_rate,
    conflict_message,
    counted,
    human_duration,
    is_held,
    merged_since_plan,
    next_step_held,
    next_step_replan,
    next_step_retry,
    outcome_words,
    remaining_sentence,
    safe_url,
    stale_since_plan,
    why_not_updated,
)
from tests.report.sample import edit


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "no time"),
        (0.4, "under a second"),
        (42, "about 42 s"),
        (180, "about 3 min"),
        (3000, "about 50 min"),
        (3 * 3600 + 20 * 60, "about 3 h 20 min"),
        (7200, "about 2 h"),
    ],
)
def test_human_duration(seconds: float, words: str) -> None:
    assert human_duration(seconds) == words


def test_counts_take_the_right_number() -> None:
    assert [counted(n, "change") for n in (0, 1, 2, 1200)] == [
        "0 changes",
        "1 change",
        "2 changes",
        "1,200 changes",
    ]
    assert counted(1, "API call") == "1 API call" and counted(2, "entry", "entries") == "2 entries"
    assert apply_question(1, "https://k:s@api-eu.hosted.exlibrisgroup.com?apikey=x") == (
        "Apply 1 change to https://api-eu.hosted.exlibrisgroup.com?"
    )
    assert apply_question(3, "http://127.0.0.1:8780") == "Apply 3 changes to http://127.0.0.1:8780?"
    assert remaining_sentence(1).startswith("1 record to change is left by --limit")
    assert remaining_sentence(5).startswith("5 records to change are left by --limit")


def test_a_merge_names_the_fields_changed_or_says_they_are_not_the_plan_s() -> None:
    fields = ("last_name", "researcher/researcher_keyword")
    assert merged_since_plan(fields) == (
        "merged with changes made since plan: last_name, researcher/researcher_keyword"
    )
    assert merged_since_plan() == (
        "merged with changes made since plan: fields this plan does not write"
    )


def test_a_conflict_names_the_cell_quotes_its_three_values_and_says_what_to_do() -> None:
    message = conflict_message("Researchers", "F4", "Display title", "Lecturer", None, "Reader ")
    assert message == (
        "Researchers!F4 (Display title): changed in Esploro since the export: Esploro now has "
        "(blank); you wrote 'Reader ' (exported 'Lecturer'). To keep Esploro's, type it in the "
        "cell; to keep yours, plan the workbook `apply --results FILE` writes, which carries "
        "your values forward"
    )
    assert "None" not in conflict_message("S", "A1", "H", None, "", None)


def test_a_stale_record_names_each_field_with_its_values_and_what_to_do() -> None:
    message = stale_since_plan(
        (("Display title", "Lecturer", "Theirs", "Mine"), ("Middle name", "Q", None, None))
    )
    assert message == (
        "changed in Esploro since the plan was made: Display title: Esploro now has 'Theirs'; "
        "you wrote 'Mine' (it had 'Lecturer' at plan time); Middle name: Esploro now has "
        "(blank); you wrote (blank) (it had 'Q' at plan time); nothing was written: to write "
        "yours over it, plan the workbook `apply --results FILE` writes, which carries your "
        "values forward"
    )
    for words in (STALE_BEYOND_CELLS, STALE_AFTER_UNKNOWN, STALE_WHILE_UNANSWERED):
        assert words.endswith(STALE_NEXT) and "None" not in words


def test_the_ways_to_continue_after_an_apply() -> None:
    assert next_step_retry(1, "sheetsync apply p.json --expect x") == (
        "1 record failed for a passing reason (no answer, a server error, or not attempted): "
        "run sheetsync apply p.json --expect x again; records already done are skipped"
    )
    assert next_step_replan(2, "r.xlsx") == (
        "2 records need your decision: r.xlsx carries your edits forward (the 'Why not "
        "updated' column says why); correct it, then run sheetsync plan r.xlsx"
    )
    assert "--results FILE" in next_step_replan(1, None)
    assert next_step_held(3, "sheetsync apply p.json") == (
        "3 records have clears held back: run sheetsync apply p.json --allow-clears to apply them"
    )
    assert why_not_updated("conflict", ("a", "b")) == "conflict: a; b"
    assert why_not_updated("failed", ()) == "failed"


def test_the_words_that_point_a_person_to_a_new_file_or_the_refused_cell() -> None:
    from sheetsync.report.words import existing_output, export_again, read_only_edit

    assert export_again("builtin:assets") == (
        "export again to a new file: sheetsync export assets ... -o NEW.xlsx"
    )
    assert existing_output("people.xlsx") == (
        "people.xlsx already exists and may hold edits: export to a new file name with -o, "
        "or give --force to replace it"
    )
    assert read_only_edit("Researchers", 7, "B", "Full name") == (
        "sheet 'Researchers', row 7, column B (Full name): the column is read-only, so this edit "
        "is not sent; put back the exported value, or change it in Esploro"
    )


def test_outcome_words() -> None:
    write = edit("Display title", "F2", "a", "b", "a", Outcome.WRITE)
    clear = edit("ORCID", "L3", "0000", None, "0000", Outcome.WRITE)
    same = edit("Display title", "F2", "a", "b", "b", Outcome.SAME_AS_LIVE)
    bad = edit("Position", "H5", "A", "B", "A", Outcome.INVALID, "'B' is not a code")
    assert outcome_words(write, held=False) == "write"
    assert outcome_words(write, held=True) == (
        "write (held back: apply writes nothing of this record)"
    )
    assert outcome_words(clear, held=False) == "clear, applied only with apply --allow-clears"
    assert outcome_words(same, held=False) == "nothing to do: already live"
    assert outcome_words(bad, held=False) == "invalid: 'B' is not a code"
    assert (
        outcome_words(edit("Position", "H5", "A", "B", "A", Outcome.INVALID), held=False)
        == "invalid"
    )


def test_only_a_write_in_a_record_not_to_change_is_held() -> None:
    write = edit("Display title", "F2", "a", "b", "a", Outcome.WRITE)
    same = edit("Display title", "F2", "a", "b", "b", Outcome.SAME_AS_LIVE)
    assert not is_held(write, Status.CHANGE)
    assert (
        is_held(write, Status.CONFLICT)
        and is_held(write, Status.INVALID)
        and is_held(write, Status.NO_OP)
    )
    assert not is_held(same, Status.CONFLICT)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://api-eu.hosted.exlibrisgroup.com", "https://api-eu.hosted.exlibrisgroup.com"),
        (
            "https://me:s3cr3t@api.example.org:8443/esploro?apikey=x#y",
            "https://api.example.org:8443/esploro",
        ),
        ("http://[::1", "(unreadable URL)"),
        ("https://h:99999/x", "(unreadable URL)"),
    ],
)
def test_safe_url_drops_everything_that_could_carry_a_key(url: str, shown: str) -> None:
    assert safe_url(url) == shown


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
def test_a_rate_that_is_not_positive_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        check_rate(rate)


def test_the_words_for_what_esploro_would_not_do() -> None:
    from sheetsync.applying.run import ApplyStatus
    from sheetsync.report.words import (
        NOT_CHANGED_BY_ESPLORO,
        NOT_RESTORABLE,
        ignored_field,
        missing_code_table,
        missing_ids_sentence,
        not_found_message,
        unrestorable_message,
    )

    assert ApplyStatus.NOT_CHANGED == NOT_CHANGED_BY_ESPLORO == "not changed by Esploro"
    assert ApplyStatus.NOT_RESTORED == NOT_RESTORABLE == "cannot be restored through the API"
    assert ignored_field("DOI", "/identifier.doi", "10.1/new", "10.1/old") == (
        "DOI (/identifier.doi): Esploro answered without changing it "
        "(sent '10.1/new', still '10.1/old')"
    )
    assert unrestorable_message(("date.submitted", "identifier.pmid")) == (
        "date.submitted, identifier.pmid cannot be restored through the API: empty before the "
        "apply, and op=patch cannot empty a field; clear it in Esploro"
    )
    assert not_found_message("Assets", 7, "Asset ID", "99123") == (
        "Assets, row 7 (Asset ID 99123): not found in Esploro; nothing is planned for it"
    )
    assert missing_ids_sentence(("1",)) == "1 ID not found in Esploro, skipped: 1"
    many = tuple(str(n) for n in range(25))
    assert missing_ids_sentence(many).endswith(", 19 and 5 more")
    assert missing_code_table("UserTitles", ("Title",), "HTTP 400 401711") == (
        "code table UserTitles could not be read (HTTP 400 401711): 'Title' has no dropdown list"
    )


def test_a_canary_difference_says_where_how_and_both_values() -> None:
    assert canary_difference("/identifier.pmid", "retyped", '"12"', "12") == (
        '/identifier.pmid: retyped (sent "12", stored 12)'
    )
    assert canary_difference("/a", "added", "nothing", '"x"') == (
        '/a: added by Esploro (sent nothing, stored "x")'
    )
    assert set(CANARY_KINDS) == {"dropped", "added", "retyped", "reordered", "changed"}
