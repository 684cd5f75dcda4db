"""Text built from the vocabulary: template fills, keyword lists, titles and abstracts.

Researchers (keywords, bios) and assets (keywords, titles, subtitles, abstracts) both draw
their prose here, so both carry the same troublemakers: formula-like values, the literal
`_x000D_`, stray spaces and every flavour of line break.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sheetsync.sandbox.seed.vocabulary import (
    ABSTRACT_CLOSERS,
    ABSTRACT_LABELS,
    ABSTRACT_METHODS,
    ABSTRACT_OPENERS,
    ABSTRACT_RESULTS,
    CONTEXTS,
    FORMULA_LIKE_KEYWORDS,
    FORMULA_LIKE_TITLES,
    LONG_TITLE_CLAUSES,
    METHODS,
    SHORT_TITLE_TEMPLATES,
    SUBTITLES,
    TITLE_TEMPLATES,
    X000D_VALUES,
    Topic,
    _article,
    _capitalised,
)


def _text_fill(rng: random.Random, topic: Topic) -> dict[str, str]:
    """Placeholder values for one title/abstract/bio template, all from one domain."""
    a, b, a2 = rng.sample(topic.terms, 3)
    method = rng.choice(METHODS)
    year = rng.randint(1990, 2015)
    return {
        "a": a,
        "A": _capitalised(a),
        "b": b,
        "B": _capitalised(b),
        "a2": a2,
        "c": rng.choice(CONTEXTS),
        "m": method,
        "art": _article(method),
        "Art": _article(method).capitalize(),
        "y1": str(year),
        "y2": str(year + rng.randint(3, 15)),
        "n": str(rng.randint(12, 4000)),
        "k": str(rng.randint(2, 9)),
        "p": str(rng.randint(3, 48)),
    }


def _odd_value(rng: random.Random, value: str) -> str:
    """Now and then swap a value for one of real data's troublemakers.

    About 1% start with a formula character, a few carry the literal `_x000D_`, and about 1%
    gain a leading or trailing space. Callers rely on the result differing from every
    ordinary vocabulary value when it is not `value` itself.
    """
    roll = rng.random()
    if roll < 0.010:
        return rng.choice(FORMULA_LIKE_KEYWORDS)
    if roll < 0.013:
        return rng.choice(X000D_VALUES)
    if roll < 0.025:
        return f" {value}" if rng.random() < 0.3 else f"{value} "
    return value


def _keyword_values(rng: random.Random, pool: Sequence[str], count: int) -> list[str]:
    """`count` distinct keywords from `pool`, mostly capitalised, a few of them odd."""
    values: list[str] = []
    for term in rng.sample(list(dict.fromkeys(pool)), count):
        plain = _capitalised(term) if rng.random() < 0.7 else term
        odd = _odd_value(rng, plain)
        values.append(odd if odd not in values else plain)
    return values


def _title(rng: random.Random, topic: Topic) -> str:
    """Mostly 40-200 characters; a few short ones, a few up to 500; ~1% formula-like."""
    fill = _text_fill(rng, topic)
    roll = rng.random()
    if roll < 0.01:
        return rng.choice(FORMULA_LIKE_TITLES).format_map(fill)
    if roll < 0.025:
        return _long_title(rng, topic, rng.choice(TITLE_TEMPLATES).format_map(fill))
    if roll < 0.08:
        return rng.choice(SHORT_TITLE_TEMPLATES).format_map(fill)
    title = rng.choice(TITLE_TEMPLATES).format_map(fill)
    return title + " " if roll > 0.995 else title


def _long_title(rng: random.Random, topic: Topic, title: str) -> str:
    """Grow a title clause by clause to 450+ characters, then cut it back to at most 500."""
    while len(title) < 450:
        clause = rng.choice(LONG_TITLE_CLAUSES).format_map(_text_fill(rng, topic))
        title = f"{title}, {clause}"
    if len(title) > 500:
        title = title[:501].rsplit(" ", 1)[0].rstrip(",;: ")
    return title


def _abstract(rng: random.Random, topic: Topic) -> str:
    """Four to five sentences; half with line breaks ("\\n" mostly, "\\r\\n", "\\n\\n")."""
    fill = _text_fill(rng, topic)
    groups = [ABSTRACT_OPENERS, ABSTRACT_METHODS, ABSTRACT_RESULTS, ABSTRACT_CLOSERS]
    parts = [rng.choice(group).format_map(fill) for group in groups]
    if rng.random() < 0.3:
        parts[2] += " " + rng.choice(ABSTRACT_RESULTS).format_map(_text_fill(rng, topic))
    if rng.random() < 0.5:
        return " ".join(parts)
    separator = rng.choices(("\n", "\r\n", "\n\n"), (60, 20, 20))[0]
    if rng.random() < 0.4:
        return separator.join(
            label + part for label, part in zip(ABSTRACT_LABELS, parts, strict=True)
        )
    return " ".join(parts[:2]) + separator + " ".join(parts[2:])


def _subtitle(rng: random.Random, topic: Topic) -> str | None:
    """About 15% of assets split their title: "...: a systematic review" style."""
    if rng.random() >= 0.15:
        return None
    return _capitalised(rng.choice(SUBTITLES).format_map(_text_fill(rng, topic)))
