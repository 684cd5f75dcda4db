"""Names: many cultures and scripts, apostrophes, hyphens and particles."""

from __future__ import annotations

import re
import unicodedata

from tests.sandbox.seed.conftest import Record, creators


def all_names(researchers: list[Record], assets: list[Record]) -> list[str]:
    names = [r["full_name"] for r in researchers]
    return names + [c["creatorname"] for c in creators(assets)]


def is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED", "HANGUL"))


def test_names_come_from_many_cultures(researchers: list[Record], assets: list[Record]) -> None:
    last_names = [r["last_name"] for r in researchers]
    assert len(set(last_names)) >= 120
    names = all_names(researchers, assets)
    latin_accented = {
        c for name in names for c in name if not c.isascii() and "LATIN" in unicodedata.name(c, "")
    }
    assert len(latin_accented) >= 40  # é, ö, ł, ø, ñ, ç, ễ, ð, ...
    assert any(any(is_cjk(c) for c in name) for name in names)
    assert sum(not name.isascii() for name in last_names) >= 0.15 * len(last_names)


def test_names_with_apostrophes_hyphens_and_particles(
    researchers: list[Record], assets: list[Record]
) -> None:
    families = [r["last_name"] for r in researchers] + [c["familyname"] for c in creators(assets)]
    assert sum("'" in name for name in families) >= 10
    assert sum("-" in name for name in families) >= 10
    particle = re.compile(r"^(van|von|de|del|da|dos|zu|di|la|le)( |$)")
    assert sum(bool(particle.match(name)) for name in families) >= 10
    assert any(" " in name and particle.match(name) for name in families)  # "van der Berg"
