"""Identifiers: ORCID, ISSN and ISBN check characters, and the ID shapes the seed generates.

ORCID and ISNI share ISO 7064 MOD 11-2; ISSN uses a weighted mod 11; ISBN-13 alternates weights
1 and 3, mod 10. The public validators are what tests use to prove generated iDs are real ones,
and the ID-length constants make researcher and asset IDs look like Alma's.
"""

from __future__ import annotations

import random

from sheetsync.sandbox.seed.draws import _digits

# The captured real asset's ID: the store loads that asset itself, so the seed never uses it.
CAPTURED_ASSET_ID = "991291935000561"

# Alma IDs end in the institution's suffix; real ones look like "9562312850000561".
INSTITUTION_SUFFIX = "0000561"
ASSET_PREFIX = "99"
ID_LENGTHS = (15, 16, 17, 18)
RESEARCHER_ID_LENGTH_WEIGHTS = (10, 70, 15, 5)
ASSET_ID_LENGTH_WEIGHTS = (55, 25, 15, 5)


def orcid_checksum(base15: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 15 digits of an ORCID (or ISNI).

    Hyphens are ignored, so both "000000021825009" and "0000-0002-1825-009" work. The answer
    is a digit or "X" (for 10).
    """
    digits = base15.replace("-", "")
    if len(digits) != 15 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"an ORCID base is 15 digits, not {base15!r}")
    total = 0
    for char in digits:
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def is_valid_orcid(orcid: str) -> bool:
    """True for `dddd-dddd-dddd-dddC` whose last character is the MOD 11-2 check character.

    Any 16-digit iD with a correct check passes; whether it lies in a block ORCID has issued
    is a separate question the seed answers by construction.
    """
    groups = orcid.split("-")
    if len(groups) != 4 or any(len(group) != 4 for group in groups):
        return False
    base = "".join(groups)[:15]
    if not base.isascii() or not base.isdigit():
        return False
    return orcid_checksum(base) == orcid[-1]


def issn_checksum(base7: str) -> str:
    """The ISSN check character for seven digits: weights 8..2, mod 11, "X" for 10."""
    if len(base7) != 7 or not base7.isascii() or not base7.isdigit():
        raise ValueError(f"an ISSN base is 7 digits, not {base7!r}")
    total = sum(int(char) * weight for char, weight in zip(base7, range(8, 1, -1), strict=True))
    result = (11 - total % 11) % 11
    return "X" if result == 10 else str(result)


def is_valid_issn(issn: str) -> bool:
    """True for `dddd-dddC` whose last character is the ISSN check character."""
    if len(issn) != 9 or issn[4] != "-":
        return False
    base = issn[:4] + issn[5:8]
    if not base.isascii() or not base.isdigit():
        return False
    return issn_checksum(base) == issn[-1]


def _isbn13(rng: random.Random) -> str:
    """A valid ISBN-13 in the 978 range (weights 1,3 alternating, mod 10)."""
    body = "978" + _digits(rng, 9)
    total = sum(int(char) * (3 if index % 2 else 1) for index, char in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _orcid(rng: random.Random) -> str:
    """An ORCID iD in a block ORCID actually issues from: 0000-0001..0003 or 0009-000x."""
    block = rng.choice(("0000-0001", "0000-0002", "0000-0002", "0000-0003", "0009-000"))
    if block == "0009-000":
        block += str(rng.randint(0, 9))
    base = block + "-" + _digits(rng, 4) + "-" + _digits(rng, 3)
    return base + orcid_checksum(base)


def _issn(rng: random.Random) -> str:
    base = _digits(rng, 7)
    return f"{base[:4]}-{base[4:]}{issn_checksum(base)}"
