"""Identifiers: unique, Alma-shaped IDs, unique DOIs and slugs, and valid ORCIDs and ISSNs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.sandbox.seed import is_valid_issn, is_valid_orcid, issn_checksum, orcid_checksum
from tests.sandbox.seed.conftest import Record, creators, orcid_of, profile

CAPTURED_ASSET_ID = "991291935000561"

ORCID_SHAPE = re.compile(r"^(0000-000[123]|0009-000\d)-\d{4}-\d{3}[\dX]$")


def test_researcher_ids_are_unique_alma_shaped_digits_or_email_addresses(
    researchers: list[Record],
) -> None:
    ids = [r["primary_id"] for r in researchers]
    assert len(set(ids)) == len(ids)
    emails = [i for i in ids if "@" in i]
    digits = [i for i in ids if "@" not in i]
    assert all(isinstance(i, str) and i.isdigit() and 15 <= len(i) <= 18 for i in digits)
    assert sum(i.endswith("0000561") for i in digits) >= 0.8 * len(digits)
    assert len({len(i) for i in digits}) >= 3  # the lengths vary, as real ones do
    # a user's primary ID can look like an e-mail address: their own work address
    assert 0.02 * len(ids) <= len(emails) <= 0.1 * len(ids)
    by_id = {r["primary_id"]: r for r in researchers}
    for primary_id in emails:
        addresses = [e["email_address"] for e in by_id[primary_id]["contact_info"]["email"]]
        assert re.fullmatch(r"[a-z0-9.]+@esploro\.edu", primary_id) and primary_id in addresses


def test_asset_ids_are_unique_and_never_the_captured_one(
    assets: list[Record], researchers: list[Record]
) -> None:
    ids = [a["originalRepository"]["assetId"] for a in assets]
    assert len(set(ids)) == len(ids)
    assert CAPTURED_ASSET_ID not in ids
    for asset_id in ids:
        assert asset_id.isdigit() and 15 <= len(asset_id) <= 18
        assert asset_id.startswith("99") and asset_id.endswith("0000561")
    assert {len(i) for i in ids} == {15, 16, 17, 18}
    assert set(ids).isdisjoint(r["primary_id"] for r in researchers)


def test_dois_are_unique_and_most_assets_have_one(assets: list[Record]) -> None:
    dois = [a["identifier.doi"] for a in assets if "identifier.doi" in a]
    assert len(set(dois)) == len(dois)
    assert len(dois) >= 0.7 * len(assets)
    assert all(re.fullmatch(r"10\.\d{4,9}/\S+", doi) for doi in dois)


def test_profile_slugs_are_unique_ascii(researchers: list[Record]) -> None:
    slugs = [profile(r)["profile_identifier_url"] for r in researchers]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs)


@pytest.mark.parametrize(
    "orcid", ["0000-0002-1825-0097", "0000-0002-0681-7383", "0000-0002-1694-233X"]
)
def test_known_orcids_validate(orcid: str) -> None:
    assert is_valid_orcid(orcid)


@pytest.mark.parametrize(
    "orcid",
    [
        "0000-0002-1825-0098",
        "0000-0002-1825-009",
        "0000000218250097",
        "0000-0002-1825-009x",
        "000a-0002-1825-0097",
        "0000-0002-1825-00970",
        "",
    ],
)
def test_malformed_orcids_do_not_validate(orcid: str) -> None:
    assert not is_valid_orcid(orcid)


def test_orcid_checksum_rejects_a_bad_base() -> None:
    with pytest.raises(ValueError):
        orcid_checksum("12345")
    assert orcid_checksum("0000-0002-1694-233") == "X"


@given(st.text(alphabet="0123456789", min_size=15, max_size=15), st.data())
def test_orcid_checksum_catches_every_single_digit_change(base: str, data: st.DataObject) -> None:
    full = base + orcid_checksum(base)
    orcid = "-".join(full[i : i + 4] for i in range(0, 16, 4))
    assert is_valid_orcid(orcid)
    position = data.draw(st.integers(0, 15))
    replacement = data.draw(st.sampled_from("0123456789X"))
    changed = full[:position] + replacement + full[position + 1 :]
    if changed != full:
        mangled = "-".join(changed[i : i + 4] for i in range(0, 16, 4))
        assert not is_valid_orcid(mangled)


def test_generated_orcids_are_valid_and_in_issued_blocks(
    researchers: list[Record], assets: list[Record]
) -> None:
    orcids = [o for o in map(orcid_of, researchers) if o]
    orcids += [c["identifier.orcid"] for c in creators(assets) if "identifier.orcid" in c]
    assert len(orcids) > 500
    assert all(is_valid_orcid(o) and ORCID_SHAPE.fullmatch(o) for o in orcids)
    assert any(o.endswith("X") for o in orcids)
    assert any(o.startswith("0009-") for o in orcids)


@pytest.mark.parametrize("issn", ["2773-207X", "0302-9743", "0028-0836", "1476-4687"])
def test_known_issns_validate(issn: str) -> None:
    assert is_valid_issn(issn)


@pytest.mark.parametrize("issn", ["2773-2070", "27732070", "2773-207x", "0302-974", ""])
def test_malformed_issns_do_not_validate(issn: str) -> None:
    assert not is_valid_issn(issn)


@given(st.text(alphabet="0123456789", min_size=7, max_size=7), st.integers(0, 6), st.data())
def test_issn_checksum_catches_single_digit_changes(
    base: str, position: int, data: st.DataObject
) -> None:
    issn = f"{base[:4]}-{base[4:]}{issn_checksum(base)}"
    assert is_valid_issn(issn)
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != base[position]]))
    changed = base[:position] + digit + base[position + 1 :]
    assert not is_valid_issn(f"{changed[:4]}-{changed[4:]}{issn[-1]}")


def test_generated_issns_are_valid(assets: list[Record]) -> None:
    relations = [rel for a in assets for rel in a.get("relationships", [])]
    assert len(relations) > 500
    for relation in relations:
        assert relation["relationtype"] == "ispartof"
        assert relation["relation.category"] == "INTERNAL"
        assert is_valid_issn(relation["identifier.issn"])
        assert "identifier.eissn" not in relation or is_valid_issn(relation["identifier.eissn"])
        assert int(relation["spage"]) < int(relation["epage"])
    assert len({r["identifier.issn"] for r in relations}) >= 20
