"""The small random draws every generator shares: digits, weighted counts, dates, unique values.

They take the caller's `random.Random` and never the global one, which is what keeps the seed
data a function of `(seed, count)` alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Sequence


def _digits(rng: random.Random, count: int) -> str:
    """`count` random decimal digits, leading zeros allowed."""
    return str(rng.randrange(10**count)).zfill(count)


def _weighted(rng: random.Random, weights: Sequence[int]) -> int:
    """An index 0..len(weights)-1 drawn with the given weights (counts of 0, 1, 2, ...)."""
    return rng.choices(range(len(weights)), weights)[0]


def _unique(used: set[str], make: Callable[[], str]) -> str:
    """Call `make` until it returns a value not in `used`; remember and return it."""
    value = make()
    while value in used:
        value = make()
    used.add(value)
    return value


def _counter(base: str, pattern: str = "{base}-{n}") -> Callable[[], str]:
    """A `make` for `_unique`: first `base` itself, then `base-2`, `base-3`, ..."""
    attempts = itertools.count(1)

    def make() -> str:
        n = next(attempts)
        return base if n == 1 else pattern.format(base=base, n=n)

    return make


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _alma_date(rng: random.Random, first_year: int, last_year: int) -> str:
    """A user-record date: ISO with the trailing Z Alma puts on them ("2019-03-14Z")."""
    day = _date_between(rng, dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))
    return f"{day.isoformat()}Z"
