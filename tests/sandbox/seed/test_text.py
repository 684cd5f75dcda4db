"""Titles, abstracts and keywords: realistic, and as awkward as real data is."""

from __future__ import annotations

import unicodedata
from collections import Counter

from tests.sandbox.seed.conftest import Record, asset_keywords, researcher_keywords

FORMULA_START = ("=", "+", "-", "@")


def test_title_lengths_vary(assets: list[Record]) -> None:
    lengths = [len(a["title"]) for a in assets]
    assert max(lengths) <= 500
    assert sum(n >= 450 for n in lengths) >= 5
    assert sum(40 <= n <= 200 for n in lengths) >= 0.75 * len(lengths)
    assert sum(n < 40 for n in lengths) >= 10
    subtitles = [a["title.subtitle"] for a in assets if "title.subtitle" in a]
    assert 0 < len(subtitles) < len(assets)


def test_titles_carry_typography_and_greek(assets: list[Record]) -> None:
    titles = [a["title"] for a in assets]
    assert sum("\u201c" in t and "\u201d" in t for t in titles) >= 10
    assert sum("\u2013" in t for t in titles) >= 10
    greek = [t for t in titles if any("GREEK" in unicodedata.name(c, "") for c in t)]
    assert len(greek) >= 5


def test_formula_like_values_are_rare_but_present(
    researchers: list[Record], assets: list[Record]
) -> None:
    titles = [a["title"] for a in assets]
    keywords = researcher_keywords(researchers) + asset_keywords(assets)
    formula_titles = [t for t in titles if t.startswith(FORMULA_START)]
    formula_keywords = [k for k in keywords if k.startswith(FORMULA_START)]
    assert 5 <= len(formula_titles) <= 0.03 * len(titles)
    assert 5 <= len(formula_keywords) <= 0.03 * len(keywords)
    assert {k[0] for k in formula_keywords} == set(FORMULA_START)
    assert len({t[0] for t in formula_titles}) >= 3


def test_excel_escape_text_and_stray_spaces_survive(
    researchers: list[Record], assets: list[Record]
) -> None:
    keywords = researcher_keywords(researchers) + asset_keywords(assets)
    notes = [v for a in assets for v in a.get("local.fields", {}).values()]
    assert sum("_x000D_" in v for v in keywords + notes) >= 5
    padded = [v for v in keywords + notes if v and v != v.strip()]
    assert len(padded) >= 10
    assert any(v.startswith(" ") for v in padded) and any(v.endswith(" ") for v in padded)
    pmcids = [a["identifier.pmcid"] for a in assets if "identifier.pmcid" in a]
    assert any(p.endswith(" ") for p in pmcids)


def test_abstracts_break_lines_in_every_style(assets: list[Record]) -> None:
    abstracts = [d for a in assets for d in a.get("description.abstract", [])]
    assert 0.7 * len(assets) < len(abstracts) < len(assets)
    assert all(d["language"] == "eng" for d in abstracts)
    texts = [d["value"] for d in abstracts]
    assert all(t.count(".") >= 3 for t in texts)  # several sentences
    broken = [t for t in texts if "\n" in t]
    assert 0.35 * len(texts) <= len(broken) <= 0.65 * len(texts)
    crlf = [t for t in broken if "\r\n" in t]
    paragraphs = [t for t in broken if "\n\n" in t]
    plain = [t for t in broken if "\r" not in t and "\n\n" not in t]
    assert len(plain) > len(crlf) > 0 and len(plain) > len(paragraphs) > 0


def test_keywords_read_like_academic_vocabulary(
    researchers: list[Record], assets: list[Record]
) -> None:
    keywords = Counter(k.strip() for k in researcher_keywords(researchers) + asset_keywords(assets))
    assert len(keywords) >= 200
    lowered = {k.lower() for k in keywords}
    assert {"machine learning", "coastal erosion", "post-colonial literature"} <= lowered
    assert all(1 <= len(k) <= 60 for k in keywords)
