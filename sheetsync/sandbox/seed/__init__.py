"""Deterministic, realistic seed data for the sandbox: researchers and research assets.

The sandbox exists so that sheetsync can be tested against data that hurts the way real Esploro
data hurts: names from many scripts and cultures, apostrophes and particles, values that a
spreadsheet would turn into formulas (`=`, `+`, `-`, `@`), the literal `_x000D_` that Excel
escapes carriage returns into, stray spaces, line breaks of every flavour, strings where
booleans are expected, and lists from empty to very long. Every code value comes from
`codetables.py`, so what the seed emits the sandbox's own validation accepts.

Output depends only on `(seed, count)` (for researchers also `multilingual`; for assets, on
the researchers passed in): each entity kind draws from its own `random.Random`, never the
global one or the clock, so a test or a demo can rebuild exactly the same institution.

The modules, each importing only those listed before it:

* `draws`: random digits, weighted counts, dates and values kept unique.
* `codes`: code-table values and organisational-unit names, as records carry them.
* `identifiers`: ORCID, ISSN and ISBN check characters, and the shapes of generated IDs.
* `people`: name cultures, persons, and the ASCII and slug forms of their names.
* `vocabulary`: research domains, templates and the other word lists.
* `text`: keywords, titles and abstracts written from the vocabulary.
* `researchers`: researcher records and `generate_researchers`.
* `assets`: asset records and `generate_assets`.
"""

from sheetsync.sandbox.seed.assets import generate_assets
from sheetsync.sandbox.seed.identifiers import (
    CAPTURED_ASSET_ID,
    is_valid_issn,
    is_valid_orcid,
    issn_checksum,
    orcid_checksum,
)
from sheetsync.sandbox.seed.researchers import OrcidSituation, generate_researchers, orcid_situation

__all__ = [
    "CAPTURED_ASSET_ID",
    "OrcidSituation",
    "generate_assets",
    "generate_researchers",
    "is_valid_issn",
    "is_valid_orcid",
    "issn_checksum",
    "orcid_checksum",
    "orcid_situation",
]
