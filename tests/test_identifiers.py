"""Identifiers as a librarian types them: prefixes removed, standard forms, check characters.

The check characters come from python-stdnum; here they are recomputed by independent
implementations, a few lines each from the standards, and the two must agree on generated
identifiers.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.identifiers import check_identifier

# ------------------------------------------------------------ independent implementations


def iso7064_11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2, as ORCID documents it."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def issn_check(seven: str) -> str:
    """ISSN: weights 8 down to 2, modulus 11."""
    total = sum(int(d) * w for d, w in zip(seven, range(8, 1, -1), strict=True))
    result = (11 - total % 11) % 11
    return "X" if result == 10 else str(result)


def isbn10_check(nine: str) -> str:
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    result = (11 - total % 11) % 11
    return "X" if result == 10 else str(result)


def isbn13_check(twelve: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(twelve))
    return str((10 - total % 10) % 10)


def test_the_independent_implementations_agree_with_published_examples() -> None:
    assert iso7064_11_2("000000021825009") == "7"  # ORCID's own example, 0000-0002-1825-0097
    assert iso7064_11_2("000000021694233") == "X"  # 0000-0002-1694-233X
    assert issn_check("0317847") == "1"  # 0317-8471
    assert isbn10_check("030640615") == "2" and isbn13_check("978030640615") == "7"


def _other(char: str) -> str:
    return "0" if char != "0" else "1"


digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


# ------------------------------------------------------------------------------ ORCID iD


@pytest.mark.parametrize(
    "typed, prefix",
    [
        ("https://orcid.org/0000-0002-1825-0097", "https://orcid.org/"),
        ("http://orcid.org/0000-0002-1825-0097", "http://orcid.org/"),
        ("orcid.org/0000-0002-1825-0097", "orcid.org/"),
        ("ORCID: 0000-0002-1825-0097", "ORCID:"),
        ("ORCID iD: 0000-0002-1825-0097", "ORCID iD:"),
    ],
)
def test_orcid_prefixes_are_removed_and_listed(typed: str, prefix: str) -> None:
    checked = check_identifier("orcid", typed)
    assert checked.value == "0000-0002-1825-0097" and not checked.problem
    assert checked.notes == (f"removed the prefix '{prefix}'",)


def test_an_orcid_with_a_wrong_check_character_is_refused_in_words() -> None:
    checked = check_identifier("orcid", "0000-0002-1825-0098")
    assert checked.problem == "ORCID iD 0000-0002-1825-0098: the last character should be 7"


def test_an_orcid_is_written_in_its_grouped_form_with_a_capital_x() -> None:
    checked = check_identifier("orcid", "000000021694233x")
    assert checked.value == "0000-0002-1694-233X" and not checked.problem
    assert checked.notes == ("written as 0000-0002-1694-233X, the standard form of an ORCID iD",)


@pytest.mark.parametrize("typed", ["0000-0002-1825", "0000-0002-1825-00977", "orcid.org/", "abc"])
def test_an_orcid_of_the_wrong_shape_is_refused_with_an_example(typed: str) -> None:
    problem = check_identifier("orcid", typed).problem
    assert problem == (
        f"ORCID iD '{typed}': an ORCID iD is 16 characters in four groups of four, like "
        "0000-0002-1825-0097 (the last may be X)"
    )


@given(
    st.text(alphabet="0123456789", min_size=15, max_size=15),
    st.sampled_from(["", "https://orcid.org/", "ORCID: "]),
)
def test_orcid_checks_agree_with_iso_7064(body: str, prefix: str) -> None:
    good = body + iso7064_11_2(body)
    canonical = "-".join(good[i : i + 4] for i in range(0, 16, 4))
    checked = check_identifier("orcid", prefix + good)
    assert checked.value == canonical and not checked.problem
    again = check_identifier("orcid", checked.value)  # idempotent, canonical unchanged
    assert again.value == canonical and again.notes == () and not again.problem
    bad = canonical[:-1] + _other(canonical[-1])
    refused = check_identifier("orcid", bad)
    assert refused.problem == f"ORCID iD {bad}: the last character should be {canonical[-1]}"


# ----------------------------------------------------------------------------------- DOI


@pytest.mark.parametrize(
    "typed, prefix",
    [
        ("https://doi.org/10.1016/j.hybadv.2024.100277", "https://doi.org/"),
        ("http://dx.doi.org/10.1016/j.hybadv.2024.100277", "http://dx.doi.org/"),
        ("doi:10.1016/j.hybadv.2024.100277", "doi:"),
        ("DOI: 10.1016/j.hybadv.2024.100277", "DOI:"),
    ],
)
def test_doi_prefixes_are_removed_and_listed(typed: str, prefix: str) -> None:
    checked = check_identifier("doi", typed)
    assert checked.value == "10.1016/j.hybadv.2024.100277" and not checked.problem
    assert checked.notes == (f"removed the prefix '{prefix}'",)


@pytest.mark.parametrize("typed", ["10.12/abc", "11.1016/abc", "10.1016/ab c", "10.1016/"])
def test_a_doi_of_the_wrong_form_is_refused_in_words(typed: str) -> None:
    problem = check_identifier("doi", typed).problem
    assert problem.startswith(f"DOI '{typed}': a DOI starts with 10.")
    assert "\\" not in problem and "^" not in problem


@given(
    st.text(alphabet="0123456789", min_size=4, max_size=9),
    st.text(alphabet="abcXYZ0189.-_;()/:", min_size=1, max_size=30),
)
def test_a_valid_doi_is_never_changed(registrant: str, suffix: str) -> None:
    doi = f"10.{registrant}/{suffix}"
    checked = check_identifier("doi", doi)
    assert checked.value == doi and checked.notes == () and not checked.problem


# ---------------------------------------------------------------------------------- ISSN


def test_issn_1234_5678_is_refused_naming_the_right_check_character() -> None:
    assert check_identifier("issn", "1234-5678").problem == (
        "ISSN 1234-5678: the last character should be 9"
    )


def test_an_issn_is_written_with_its_hyphen_and_a_capital_x() -> None:
    checked = check_identifier("issn", "eISSN: 2773207x")
    assert checked.value == "2773-207X" and not checked.problem
    assert checked.notes == (
        "removed the prefix 'eISSN:'",
        "written as 2773-207X, the standard form of an ISSN",
    )


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_issn_checks_agree_with_the_mod_11_rule(seven: str) -> None:
    canonical = f"{seven[:4]}-{seven[4:]}{issn_check(seven)}"
    checked = check_identifier("issn", canonical)
    assert checked == check_identifier("issn", checked.value)
    assert checked.value == canonical and checked.notes == () and not checked.problem
    bad = canonical[:-1] + _other(canonical[-1])
    assert check_identifier("issn", bad).problem == (
        f"ISSN {bad}: the last character should be {canonical[-1]}"
    )


# ---------------------------------------------------------------------------------- ISBN


@pytest.mark.parametrize(
    "typed, right",
    [("978-0-306-40615-6", "7"), ("9780306406156", "7"), ("0-306-40615-3", "2")],
)
def test_an_isbn_with_a_wrong_check_digit_is_refused(typed: str, right: str) -> None:
    problem = check_identifier("isbn", typed).problem
    assert problem == f"ISBN {typed}: the last character should be {right}"


@pytest.mark.parametrize("typed", ["978-0-306-40615-7", "0306406152", "0-306-40615-2"])
def test_a_valid_isbn_10_or_13_is_kept_as_typed(typed: str) -> None:
    checked = check_identifier("isbn", typed)
    assert checked.value == typed and checked.notes == () and not checked.problem


def test_an_isbn_prefix_is_removed() -> None:
    checked = check_identifier("isbn", "ISBN-13: 978-0-306-40615-7")
    assert checked.value == "978-0-306-40615-7"
    assert checked.notes == ("removed the prefix 'ISBN-13:'",)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.sampled_from(["978", "979"]))
def test_isbn_checks_agree_with_the_standard(nine: str, ean: str) -> None:
    isbn10 = nine + isbn10_check(nine)
    isbn13 = ean + nine + isbn13_check(ean + nine)
    for good, right in ((isbn10, isbn10[-1]), (isbn13, isbn13[-1])):
        checked = check_identifier("isbn", good)
        assert checked.value == good and not checked.problem, (good, checked)
        bad = good[:-1] + _other(good[-1])
        assert check_identifier("isbn", bad).problem == (
            f"ISBN {bad}: the last character should be {right}"
        )


# ---------------------------------------------------------------------------------- PMID


@pytest.mark.parametrize(
    "typed, note",
    [
        ("36834803", None),
        ("PMID: 36834803", "removed the prefix 'PMID:'"),
        (
            "https://pubmed.ncbi.nlm.nih.gov/36834803/",
            "removed the prefix 'https://pubmed.ncbi.nlm.nih.gov/'",
        ),
    ],
)
def test_a_pmid_is_its_digits(typed: str, note: str | None) -> None:
    checked = check_identifier("pmid", typed)
    assert checked.value == "36834803" and not checked.problem
    assert checked.notes == ((note,) if note else ())


@pytest.mark.parametrize("typed", ["PMC9963672", "3683 4803", "1234567890"])
def test_a_pmid_that_is_not_digits_only_is_refused(typed: str) -> None:
    assert check_identifier("pmid", typed).problem == (
        f"PMID '{typed}': a PubMed ID is digits only (up to 9), like 36834803"
    )


@given(
    st.sampled_from(["orcid", "doi", "issn", "isbn", "pmid"]),
    st.text(alphabet="0123456789-Xx/.: orcidsnOR", max_size=30),
)
def test_every_check_is_idempotent(kind: str, typed: str) -> None:
    first = check_identifier(kind, typed)  # type: ignore[arg-type]
    if not first.problem:
        second = check_identifier(kind, first.value)  # type: ignore[arg-type]
        assert second.value == first.value and second.notes == () and not second.problem
