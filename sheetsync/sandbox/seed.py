"""Deterministic, realistic seed data for the sandbox: researchers and research assets.

The sandbox exists so that sheetsync can be tested against data that hurts the way real Esploro
data hurts: names from many scripts and cultures, apostrophes and particles, values that a
spreadsheet would turn into formulas (`=`, `+`, `-`, `@`), the literal `_x000D_` that Excel
escapes carriage returns into, stray spaces, line breaks of every flavour, strings where
booleans are expected, and lists from empty to very long. Every code value comes from
`codetables.py`, so what the seed emits the sandbox's own validation accepts.

Output depends only on `(seed, count)` (and, for assets, on the researchers passed in): each
entity kind draws from its own `random.Random`, never the global one or the clock, so a test
or a demo can rebuild exactly the same institution.
"""

# Confusable characters (en dashes, Greek letters, the dotless i, the ʻokina) are the point of
# this module's vocabularies, so ruff's ambiguous-character checks are off for this file only.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import datetime as dt
import itertools
import random
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from sheetsync.sandbox.codetables import CODE_TABLES, ORG_UNITS

__all__ = [
    "CAPTURED_ASSET_ID",
    "generate_assets",
    "generate_researchers",
    "is_valid_issn",
    "is_valid_orcid",
    "issn_checksum",
    "orcid_checksum",
]

# The captured real asset's ID: the store loads that asset itself, so the seed never uses it.
CAPTURED_ASSET_ID = "991291935000561"

# Alma IDs end in the institution's suffix; real ones look like "9562312850000561".
INSTITUTION_SUFFIX = "0000561"
ASSET_PREFIX = "99"
ID_LENGTHS = (15, 16, 17, 18)
RESEARCHER_ID_LENGTH_WEIGHTS = (10, 70, 15, 5)
ASSET_ID_LENGTH_WEIGHTS = (55, 25, 15, 5)

UPDATE_DATE_FIRST = dt.date(2022, 1, 1)
UPDATE_DATE_LAST = dt.date(2026, 11, 20)

# Typographic characters in title templates, named so a reader can tell them from ASCII.
EN_DASH = "\u2013"
OPEN_QUOTE = "\u201c"
CLOSE_QUOTE = "\u201d"


# --------------------------------------------------------------------------------------------
# Check characters. ORCID and ISNI share ISO 7064 MOD 11-2; ISSN uses a weighted mod 11.
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Names. Grouped by culture so that a person's given and family names belong together.
# --------------------------------------------------------------------------------------------


class Culture(NamedTuple):
    given: tuple[str, ...]
    family: tuple[str, ...]
    weight: int


# fmt: off
CULTURES: tuple[Culture, ...] = (
    Culture(  # English, Irish, Scottish; apostrophes, fadas, double-barrelled names
        ("James", "Sarah", "Michael", "Emily", "Siobhán", "Liam", "Aoife", "Seán", "Niamh",
         "Ciarán", "Catherine", "Robert", "Margaret", "Zoë", "Chloë", "Eoghan", "Gráinne"),
        ("O'Brien", "O'Connor", "Ó Súilleabháin", "McCarthy", "Smith", "Johnson", "Williams",
         "Taylor", "Fitzgerald", "Walsh", "Mac Giolla Phádraig", "Murphy", "Smith-Jones",
         "Ashworth-Hale", "O'Neill", "Ní Dhomhnaill", "MacLeod"),
        14,
    ),
    Culture(  # Spanish and Latin American; compound surnames and particles
        ("José", "María", "Lucía", "Alejandro", "Sofía", "Andrés", "Inés", "Ramón", "Begoña",
         "Jesús", "Ángela", "Iñaki", "María José", "Juan Pablo"),
        ("García López", "Nuñez", "Muñoz", "de la Cruz", "Rodríguez", "Fernández-Castro",
         "Peña", "Ibáñez", "Martínez", "del Río", "Álvarez", "de los Santos", "Ordóñez"),
        10,
    ),
    Culture(  # Portuguese and Brazilian
        ("João", "Gonçalo", "Conceição", "Thiago", "Luíza", "Antônio", "Inês"),
        ("Gonçalves", "da Silva", "Magalhães", "dos Santos", "Araújo", "Simões"),
        5,
    ),
    Culture(  # French and Québécois
        ("Amélie", "François", "Hélène", "Jérôme", "Benoît", "Élodie", "Gaëlle", "Noël",
         "Marie-Ève", "Jean-François", "Geneviève"),
        ("Lefèvre", "Dubois", "Benoît", "Moreau-Lévêque", "de Saint-Exupéry", "Lemaître",
         "Côté", "Gagné", "Bélanger", "D'Aragon", "Lévesque"),
        10,
    ),
    Culture(  # Italian
        ("Giuseppe", "Chiara", "Niccolò", "Francesca", "Lorenzo", "Ilaria", "Tommaso"),
        ("D'Angelo", "Esposito", "De Luca", "Bianchi", "Lo Presti", "Dell'Acqua", "Caruso"),
        5,
    ),
    Culture(  # German, Austrian, Swiss
        ("Jürgen", "Lena", "Jörg", "Anneliese", "Matthias", "Käthe", "Uwe", "Dörte"),
        ("Müller", "Schröder", "Weiß", "von Hohenberg", "Groß", "Köhler", "Bäcker-Schmidt",
         "Süßmuth", "zu Guttenberg"),
        7,
    ),
    Culture(  # Dutch and Flemish
        ("Sanne", "Joost", "Maarten", "Anouk", "Daan", "Ruud", "Lieke"),
        ("van der Berg", "de Vries", "van 't Hof", "Janssen", "de Jong", "Van den Broeck",
         "van Dijk"),
        5,
    ),
    Culture(  # Nordic and Icelandic
        ("Søren", "Åsa", "Bjørn", "Sigríður", "Jóhann", "Ingrid", "Päivi", "Jukka", "Guðrún",
         "Þórunn", "Ævar"),
        ("Nørgaard", "Ólafsdóttir", "Jónsson", "Åberg", "Lindqvist", "Sigurðardóttir",
         "Østergaard", "Mäkinen", "Häkkinen", "Þorsteinsson"),
        6,
    ),
    Culture(  # Polish, Czech, South Slavic
        ("Łukasz", "Małgorzata", "Wojciech", "Zdeněk", "Jiří", "Božena", "Agnieszka",
         "Dragan", "Żaneta"),
        ("Wiśniewski", "Łukasiewicz", "Dvořák", "Nováková", "Krzyżanowska", "Kowalczyk",
         "Petrović", "Šimić", "Szczęsny"),
        6,
    ),
    Culture(  # Turkish
        ("Ayşe", "Çağrı", "Gülşen", "Mehmet", "Özge", "İsmail", "Şebnem"),
        ("Çelik", "Yılmaz", "Öztürk", "Şahin", "Doğan", "Güneş", "Ağaoğlu"),
        4,
    ),
    Culture(  # Vietnamese
        ("Thị Minh", "Văn Hùng", "Ngọc Anh", "Đức", "Thu Hà", "Quốc Bảo"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Đặng", "Võ", "Huỳnh"),
        4,
    ),
    Culture(  # West African; apostrophes and Yoruba tone marks
        ("Aminata", "Oluwaseun", "Chinedu", "Kwame", "Fatoumata", "Ngozi", "Adébáyọ̀", "Kofi"),
        ("N'Diaye", "Okonkwo", "Mensah", "Diallo", "Adeyemi", "Ọlábánjí", "N'Guessan",
         "Ouédraogo"),
        5,
    ),
    Culture(  # South Asian
        ("Priya", "Arjun", "Lakshmi", "Rahul", "Ananya", "Sanjay", "Gurpreet", "Farhana"),
        ("Sharma", "Venkataraman", "Chatterjee", "Iyer", "Patel", "Subramanian", "Singh",
         "Bhattacharya-Rao"),
        7,
    ),
    Culture(  # Arabic and Persian
        ("Mohammed", "Fatima", "Youssef", "Layla", "Reza", "Shirin", "Adib Bin", "Nour"),
        ("Al-Hashimi", "El-Sayed", "Haddad", "Rashid", "Hosseini", "Abd al-Rahman",
         "Ben Ali", "Karimi"),
        6,
    ),
    Culture(  # Greek
        ("Eleni", "Dimitrios", "Konstantinos", "Athanasia", "Spyros"),
        ("Papadopoulos", "Georgiou", "Christodoulou", "Oikonomou"),
        3,
    ),
    Culture(  # Chinese, romanised
        ("Wei", "Xiaoming", "Li Na", "Yuxuan", "Jing", "Zhiyong", "Mei"),
        ("Wang", "Zhang", "Li", "Chen", "Liu", "Ouyang", "Huang"),
        7,
    ),
    # East Asian names in their own scripts (romanised in CJK_ROMANISATION), one culture per
    # script so that a Korean given name never meets a Chinese surname.
    Culture(("伟", "秀英"), ("王", "张"), 1),  # Chinese
    Culture(("美咲", "翔太"), ("佐藤", "鈴木"), 1),  # Japanese
    Culture(("민준", "서연"), ("김", "박"), 1),  # Korean
    Culture(  # Māori and Hawaiian; macrons and the ʻokina
        ("Aroha", "Mānaia", "Keoni", "Hēmi", "Leilani"),
        ("Te Whāiti", "Ngata", "Kaʻahumanu", "Tāmihana"),
        2,
    ),
)
CULTURE_WEIGHTS = tuple(culture.weight for culture in CULTURES)

# How a CJK name is written in Latin letters (profile slugs, e-mail addresses, variants).
CJK_ROMANISATION: dict[str, str] = {
    "伟": "Wei", "秀英": "Xiuying", "美咲": "Misaki", "翔太": "Shota", "민준": "Min-jun",
    "서연": "Seo-yeon", "王": "Wang", "张": "Zhang", "佐藤": "Sato", "鈴木": "Suzuki",
    "김": "Kim", "박": "Park",
}

NAME_SUFFIXES = ("Jr.", "III", "Sr.", "II")
CJK_CULTURE = next(i for i, c in enumerate(CULTURES) if c.family[0] in CJK_ROMANISATION)

# Letters that NFKD does not decompose into an ASCII base letter.
ASCII_FOLD = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae",
    "Æ": "Ae", "þ": "th", "Þ": "Th", "ð": "d", "ı": "i", "œ": "oe", "ʻ": "", "\u2019": "'",
})
# fmt: on


class Person(NamedTuple):
    first: str
    middle: str
    last: str
    suffix: str
    culture: int


def _random_person(rng: random.Random) -> Person:
    """A plausible name: given and family names from one culture, sometimes a middle name."""
    index = rng.choices(range(len(CULTURES)), CULTURE_WEIGHTS)[0]
    culture = CULTURES[index]
    first = rng.choice(culture.given)
    middle = ""
    roll = rng.random()
    if roll < 0.22 and index != CJK_CULTURE:
        middle = rng.choice([name for name in culture.given if name != first])
    elif roll < 0.30 and culture.given[0].isascii():
        middle = rng.choice("ABCDEFGHJKLMNPRSTW") + "."
    suffix = rng.choice(NAME_SUFFIXES) if rng.random() < 0.04 else ""
    return Person(first, middle, rng.choice(culture.family), suffix, index)


def _full_name(first: str, middle: str, last: str) -> str:
    return " ".join(part for part in (first, middle, last) if part)


def _latin(name: str) -> str:
    """The Latin-script form of a name part (CJK names have a fixed romanisation)."""
    return " ".join(CJK_ROMANISATION.get(part, part) for part in name.split(" "))


def _ascii(text: str) -> str:
    """Strip diacritics and special letters: 'Łukasz Ó Súilleabháin' -> 'Lukasz O Suilleabhain'."""
    decomposed = unicodedata.normalize("NFKD", _latin(text).translate(ASCII_FOLD))
    return "".join(char for char in decomposed if char.isascii())


def _slug(text: str, separator: str = "-") -> str:
    """A lowercase ASCII slug: 'María José García López' -> 'maria-jose-garcia-lopez'."""
    folded = _ascii(text).lower().replace("'", "")
    words = "".join(c if c.isalnum() else " " for c in folded).split()
    return separator.join(words)


# --------------------------------------------------------------------------------------------
# Research domains: the vocabulary keywords, titles, abstracts and profiles are built from.
# Terms are written as they appear mid-sentence; `_capitalised` makes a heading of them.
# --------------------------------------------------------------------------------------------


class Topic(NamedTuple):
    fields: tuple[str, ...]  # fields of study: display titles, degrees, subjects
    terms: tuple[str, ...]  # keywords and title phrases
    orgs: tuple[str, ...]  # ORG_UNITS codes where people in this domain work
    journals: tuple[tuple[str, str], ...]  # (journal title, publisher)


# fmt: off
TOPICS: dict[str, Topic] = {
    "AI": Topic(
        ("Computer Science", "Machine Learning", "Artificial Intelligence"),
        ("machine learning", "deep learning", "reinforcement learning", "explainable AI",
         "natural language processing", "computer vision", "large language models",
         "graph neural networks", "federated learning", "algorithmic fairness",
         "Bayesian optimisation", "knowledge graphs", "Δ-learning for molecular energies",
         "human–robot interaction", "transformer architectures", "active learning"),
        ("DEP_CS", "DEP_EEE", "DEP_MATH"),
        (("Pattern Recognition", "Elsevier"), ("Machine Learning", "Springer Nature"),
         ("IEEE Transactions on Neural Networks and Learning Systems", "IEEE")),
    ),
    "CLIMATE": Topic(
        ("Climate Science", "Atmospheric Physics", "Environmental Geography"),
        ("coastal erosion", "sea-level rise", "climate adaptation", "extreme precipitation",
         "permafrost thaw", "carbon budgets", "urban heat islands", "climate resilience",
         "downscaled climate projections", "wildfire smoke", "glacier mass balance",
         "climate risk disclosure", "Arctic amplification", "drought indices"),
        ("CTR_CLIMATE", "DEP_CIVIL", "DEP_PHYS"),
        (("Journal of Climate", "American Meteorological Society"),
         ("Climatic Change", "Springer Nature"),
         ("Global Environmental Change", "Elsevier")),
    ),
    "PUBLIC_HEALTH": Topic(
        ("Public Health", "Epidemiology", "Health Policy"),
        ("vaccine hesitancy", "health equity", "social determinants of health",
         "infectious disease surveillance", "mental health services", "long COVID",
         "food insecurity", "harm reduction", "maternal health", "antimicrobial resistance",
         "health literacy", "primary care access", "Indigenous health", "air pollution exposure"),
        ("DEP_PH", "DEP_NURS", "FAC_MED"),
        (("BMC Public Health", "Springer Nature"), ("PLOS ONE", "PLOS"),
         ("The Lancet Public Health", "Elsevier")),
    ),
    "MATERIALS": Topic(
        ("Inorganic Chemistry", "Materials Science", "Solid State Physics"),
        ("metal–organic frameworks", "perovskite solar cells", "2D materials",
         "polymer composites", "corrosion resistance", "high-entropy alloys",
         "self-healing materials", "thin-film deposition", "catalysis", "battery cathodes",
         "nanoparticle synthesis", "additive manufacturing", "X-ray diffraction",
         "β-phase stabilisation"),
        ("DEP_CHEM", "DEP_PHYS", "FAC_ENG"),
        (("Journal of Materials Chemistry A", "Royal Society of Chemistry"),
         ("Advanced Materials", "Wiley"), ("ACS Nano", "American Chemical Society")),
    ),
    "QUANTUM": Topic(
        ("Quantum Physics", "Theoretical Physics", "Quantum Computing"),
        ("quantum error correction", "entanglement", "superconducting qubits",
         "quantum key distribution", "trapped ions", "variational quantum algorithms",
         "topological phases", "quantum sensing", "open quantum systems",
         "γ-ray spectroscopy", "Bose–Einstein condensates", "quantum simulation"),
        ("CTR_QUANT", "DEP_PHYS", "DEP_MATH"),
        (("Physical Review A", "American Physical Society"),
         ("npj Quantum Information", "Springer Nature"), ("Quantum", "Verein Quantum")),
    ),
    "LINGUISTICS": Topic(
        ("Linguistics", "Sociolinguistics", "Phonology"),
        ("language revitalisation", "code-switching", "corpus linguistics",
         "second language acquisition", "Indigenous languages", "prosody",
         "language attitudes", "morphosyntax", "sign languages", "historical phonology",
         "bilingual education", "discourse analysis", "Inuktitut morphology"),
        ("DEP_LING", "FAC_ARTS"),
        (("Journal of Sociolinguistics", "Wiley"), ("Language", "Linguistic Society of America"),
         ("Applied Linguistics", "Oxford University Press")),
    ),
    "HISTORY": Topic(
        ("History", "Medieval Studies", "Post-colonial Studies"),
        ("post-colonial literature", "oral history", "Atlantic slavery", "medieval manuscripts",
         "public memory", "urban history", "the Cold War", "environmental history",
         "women's suffrage", "empire and trade", "history of science", "archival silences",
         "the Hanseatic League", "early modern print culture"),
        ("DEP_HIST", "FAC_ARTS"),
        (("Past & Present", "Oxford University Press"),
         ("Journal of Global History", "Cambridge University Press"),
         ("History Workshop Journal", "Oxford University Press")),
    ),
    "ECONOMICS": Topic(
        ("Economics", "Econometrics", "Development Economics"),
        ("labour markets", "monetary policy", "income inequality", "behavioural economics",
         "trade policy", "housing affordability", "carbon pricing", "microfinance",
         "productivity growth", "causal inference", "informal economies", "platform work"),
        ("DEP_MATH", "FAC_ARTS", "FAC_LAW"),
        (("Journal of Development Economics", "Elsevier"),
         ("The Economic Journal", "Oxford University Press"),
         ("Journal of Applied Econometrics", "Wiley")),
    ),
    "NEUROSCIENCE": Topic(
        ("Neuroscience", "Cognitive Psychology", "Neurobiology"),
        ("synaptic plasticity", "α-synuclein aggregation", "functional MRI",
         "neurodegeneration", "working memory", "sleep and memory consolidation",
         "neuroinflammation", "brain–computer interfaces", "optogenetics",
         "autism spectrum disorder", "κ-opioid receptors", "cortical oscillations"),
        ("DEP_NEURO", "DEP_BIO", "FAC_MED"),
        (("Journal of Neuroscience", "Society for Neuroscience"),
         ("NeuroImage", "Elsevier"), ("Brain", "Oxford University Press")),
    ),
    "EDUCATION": Topic(
        ("Education", "Curriculum Studies", "Higher Education"),
        ("inclusive education", "teacher professional development", "online learning",
         "assessment for learning", "early literacy", "STEM education",
         "student wellbeing", "open educational resources", "information literacy",
         "widening participation", "curriculum design", "academic integrity"),
        ("FAC_ARTS", "LIB"),
        (("Computers & Education", "Elsevier"), ("Studies in Higher Education",
         "Taylor & Francis"), ("British Educational Research Journal", "Wiley")),
    ),
    "ECOLOGY": Topic(
        ("Ecology", "Evolutionary Biology", "Conservation Biology"),
        ("biodiversity loss", "pollinator decline", "invasive species", "habitat fragmentation",
         "phylogenetics", "species distribution models", "rewilding", "eDNA metabarcoding",
         "urban ecology", "trophic cascades", "boreal forests", "citizen science"),
        ("DEP_BIO", "CTR_CLIMATE"),
        (("Ecology Letters", "Wiley"), ("Journal of Ecology", "Wiley"),
         ("Biological Conservation", "Elsevier")),
    ),
    "LAW": Topic(
        ("Law", "Legal Theory", "Criminology"),
        ("data protection", "human rights law", "Indigenous rights", "competition law",
         "access to justice", "algorithmic accountability", "constitutional reform",
         "refugee law", "intellectual property", "restorative justice", "privacy by design"),
        ("DEP_LAW", "FAC_LAW"),
        (("Modern Law Review", "Wiley"), ("Oxford Journal of Legal Studies",
         "Oxford University Press"), ("Law & Society Review", "Cambridge University Press")),
    ),
    "MUSIC": Topic(
        ("Musicology", "Ethnomusicology", "Music Composition"),
        ("ethnomusicology", "music cognition", "baroque performance practice",
         "popular music studies", "sound studies", "film music", "music and disability",
         "jazz improvisation", "electroacoustic composition", "Hildegard von Bingen"),
        ("DEP_MUS", "FAC_ARTS"),
        (("Music Analysis", "Wiley"), ("Ethnomusicology Forum", "Taylor & Francis"),
         ("Journal of the Royal Musical Association", "Cambridge University Press")),
    ),
    "ENERGY": Topic(
        ("Electrical Engineering", "Energy Systems", "Mechanical Engineering"),
        ("renewable energy integration", "smart grids", "hydrogen storage", "wind power",
         "energy poverty", "demand response", "power electronics", "heat pumps",
         "life cycle assessment", "grid-scale batteries", "offshore wind", "energy transition"),
        ("DEP_EEE", "DEP_CIVIL", "FAC_ENG"),
        (("Applied Energy", "Elsevier"), ("Energy Policy", "Elsevier"),
         ("IEEE Transactions on Power Systems", "IEEE")),
    ),
    "GENOMICS": Topic(
        ("Genomics", "Molecular Biology", "Bioinformatics"),
        ("single-cell RNA sequencing", "CRISPR screening", "β-catenin signalling",
         "genome-wide association studies", "epigenetics", "long-read sequencing",
         "microbiome", "population genomics", "gene regulatory networks", "mRNA vaccines",
         "ancient DNA", "variant interpretation", "iPSC-derived organoids"),
        ("DEP_BIO", "FAC_MED", "DEP_CS"),
        (("Nucleic Acids Research", "Oxford University Press"),
         ("Genome Biology", "Springer Nature"), ("Bioinformatics", "Oxford University Press")),
    ),
    "MARINE": Topic(
        ("Marine Biology", "Oceanography", "Fisheries Science"),
        ("ocean acidification", "coral bleaching", "marine protected areas", "kelp forests",
         "fisheries management", "deep-sea ecosystems", "microplastics", "marine heatwaves",
         "Atlantic salmon", "ocean observing systems", "whale acoustics", "blue carbon"),
        ("DEP_BIO", "CTR_CLIMATE"),
        (("Marine Ecology Progress Series", "Inter-Research"),
         ("ICES Journal of Marine Science", "Oxford University Press"),
         ("Frontiers in Marine Science", "Frontiers Media")),
    ),
}
TOPIC_CODES = tuple(TOPICS)

# Method and practice keywords every researcher may use; they also make 30 distinct keywords
# possible for everyone.
GENERAL_TERMS = (
    "systematic review", "meta-analysis", "open science", "reproducibility", "mixed methods",
    "qualitative research", "survey methodology", "data visualisation", "citizen science",
    "interdisciplinary research", "research data management", "statistical modelling",
    "time series analysis", "remote sensing", "text mining", "GIS", "Monte Carlo simulation",
    "ethnography", "archival research", "participatory action research", "digital humanities",
    "policy analysis", "randomised controlled trials", "cohort studies", "spatial analysis",
    "high-performance computing", "knowledge translation", "community engagement",
    "science communication", "research ethics",
)

# Keywords and titles starting with a formula character: real data has them, and an export
# must write them as text or a spreadsheet will evaluate them.
FORMULA_LIKE_KEYWORDS = (
    "=MC² revisited", "+/- 5% tolerance", "-omics integration", "@risk modelling",
    "=SUM(errors)", "+ve selection", "-80 °C storage", "@mentions in scholarly communication",
)
FORMULA_LIKE_TITLES = (
    "=MC² revisited: {a} in undergraduate teaching",
    "+/- 5% tolerance in {a}",
    "-omics integration for {a}",
    "@risk modelling of {a} in {c}",
    "=HYPERLINK and other spreadsheet hazards in {a}",
    "-40 °C and below: {a} in {c}",
    "+1 or -1? Sign conventions in {a}",
    "@scale: {a} across {c}",
)
# The literal text Excel writes for a carriage return inside a cell (OOXML escaping).
X000D_VALUES = (
    "Line_x000D_Feed artefacts", "CR_x000D_LF handling in legacy exports", "Data cleaning_x000D_",
)

CONTEXTS = (
    "the Canadian Arctic", "sub-Saharan Africa", "the Mekong Delta", "post-industrial cities",
    "northern Ontario", "the European Union", "low- and middle-income countries",
    "the Great Lakes basin", "rural Québec", "coastal British Columbia", "Southeast Asia",
    "the Andes", "urban high schools", "small island developing states", "Aotearoa New Zealand",
    "the Baltic Sea region", "São Paulo", "the Sahel", "Nunavut", "the Rhine–Meuse delta",
)
METHODS = (
    "systematic review", "randomised controlled trial", "longitudinal cohort study",
    "mixed-methods study", "Bayesian hierarchical model", "deep learning approach",
    "comparative case study", "meta-analysis", "field experiment", "computational study",
    "qualitative interview study", "multi-site survey", "archival study", "scoping review",
)

TITLE_TEMPLATES = (
    "{A} and {b}: evidence from {c}",
    "{A} in {c}: {art} {m}",
    "Towards {a}: {b} revisited",
    "The role of {a} in {b}",
    "{Art} {m} of {a} in {c}",
    "Does {a} shape {b}? {Art} {m}",
    "{A}, {b} and the politics of {a2}",
    "Why {a} matters for {b}",
    "Revisiting {a} through the lens of {b}",
    "Modelling {a} under uncertainty: implications for {b}",
    "From {a} to {b}: lessons from {c}",
    "Rethinking {a}: " + OPEN_QUOTE + "{B}" + CLOSE_QUOTE + " and its discontents",
    OPEN_QUOTE + "{A}" + CLOSE_QUOTE + ": {b} in {c}",
    "{A} " + EN_DASH + " {art} {m}",
    "{A} in {c}, {y1}" + EN_DASH + "{y2}",
    "{A} " + EN_DASH + " insights from {c}",
)
SHORT_TITLE_TEMPLATES = ("{A}", "Notes on {a}", "{A} and {b}", "On {a}")
LONG_TITLE_CLAUSES = (
    "{art} {m} of {a} and {b} across {c}",
    "with particular attention to {a} and its consequences for {b}",
    "including evidence from {c} collected between {y1} and {y2}",
    "and what {a} can tell us about {b} in {c}",
    "together with a critical reassessment of {b} and {a2}",
)
SUBTITLES = (
    "a systematic review", "evidence from {c}", "lessons from a decade of practice",
    "a pilot study", "theory and practice", "protocol for a mixed-methods study",
    "new perspectives on {a}", "a case study from {c}",
)

ABSTRACT_OPENERS = (
    "The study of {a} is increasingly recognised as central to {b}.",
    "Despite decades of research, {a} remains poorly understood in {c}.",
    "Recent advances in {a} have opened new questions about {b}.",
    "Little is known about how {a} interacts with {b} over time.",
)
ABSTRACT_METHODS = (
    "We conducted {art} {m} involving {n} participants across {k} sites.",
    "Using data collected in {c} between {y1} and {y2}, we examine {a}.",
    "We develop {art} {m} that links {a} to {b}.",
    "Drawing on archival sources and {n} interviews, we trace how {a} shaped {b}.",
)
ABSTRACT_RESULTS = (
    "Our results show that {a} is associated with a {p}% change in {b}.",
    "We find substantial heterogeneity across {c}, with effects concentrated in {k} regions.",
    "The proposed approach outperforms established baselines on {k} of the tasks studied.",
    "Three themes emerged: {a}, {b} and institutional trust.",
)
ABSTRACT_CLOSERS = (
    "These findings have implications for {b} and for policy in {c}.",
    "We discuss limitations and outline directions for future work on {a}.",
    "Data and code are openly available to support replication.",
    "The study offers a framework that others working on {a} can adapt.",
)
ABSTRACT_LABELS = ("Background: ", "Methods: ", "Results: ", "Conclusions: ")

BIO_OPENING = "{full} is {role_art} {role} at Esploro University, based in the {org}."
BIO_SENTENCES = (
    "{name}'s research focuses on {a} and {b}.",
    "Before joining the university in {y1}, {name} held positions at {ext}.",
    "{name} teaches courses on {a} and supervises graduate students working on {b}.",
    "Current projects include {art} {m} of {a} in {c}.",
    "{name} welcomes enquiries from prospective doctoral students.",
)
# fmt: on


def _capitalised(term: str) -> str:
    """A term as a heading: 'machine learning' -> 'Machine learning'; 'mRNA', 'β-' unchanged."""
    if term[:1].isascii() and term[:1].islower() and not term[1:2].isupper():
        return term[0].upper() + term[1:]
    return term


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


# --------------------------------------------------------------------------------------------
# Small shared builders.
# --------------------------------------------------------------------------------------------


def _digits(rng: random.Random, count: int) -> str:
    """`count` random decimal digits, leading zeros allowed."""
    return str(rng.randrange(10**count)).zfill(count)


def _code(table: str, value: str) -> dict[str, str]:
    """A code-table value as Esploro returns it; a KeyError here means a vocabulary bug."""
    return {"value": value, "desc": CODE_TABLES[table][value]}


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


def _orcid(rng: random.Random) -> str:
    """An ORCID iD in a block ORCID actually issues from: 0000-0001..0003 or 0009-000x."""
    block = rng.choice(("0000-0001", "0000-0002", "0000-0002", "0000-0003", "0009-000"))
    if block == "0009-000":
        block += str(rng.randint(0, 9))
    base = block + "-" + _digits(rng, 4) + "-" + _digits(rng, 3)
    return base + orcid_checksum(base)


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


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


def _alma_date(rng: random.Random, first_year: int, last_year: int) -> str:
    """A user-record date: ISO with the trailing Z Alma puts on them ("2019-03-14Z")."""
    day = _date_between(rng, dt.date(first_year, 1, 1), dt.date(last_year, 12, 31))
    return f"{day.isoformat()}Z"


# --------------------------------------------------------------------------------------------
# Researchers.
# --------------------------------------------------------------------------------------------

# fmt: off
USER_GROUPS = ("FACULTY", "PHD", "POSTDOC", "STAFF", "EMERITUS", "AFFILIATE")
USER_GROUP_WEIGHTS = (45, 15, 12, 10, 6, 12)
GROUP_POSITIONS: dict[str, tuple[str, ...]] = {
    "FACULTY": ("PROFESSOR", "ASSOCIATE_PROFESSOR", "ASSOCIATE_PROFESSOR", "ASSISTANT_PROFESSOR",
                "LECTURER", "SENIOR_LECTURER", "DEAN", "HEAD_OF_DEPARTMENT"),
    "PHD": ("PHD_CANDIDATE",),
    "POSTDOC": ("POSTDOCTORAL_FELLOW", "RESEARCH_FELLOW"),
    "STAFF": ("LIBRARIAN", "RESEARCH_FELLOW"),
    "EMERITUS": ("PROFESSOR_EMERITUS",),
    "AFFILIATE": ("RESEARCH_FELLOW", "LECTURER"),
}
PROFESSORIAL = frozenset(("PROFESSOR", "ASSOCIATE_PROFESSOR", "PROFESSOR_EMERITUS", "DEAN"))
PLAIN_TITLES = ("MR", "MS", "MX", "MRS")

CITIES = (
    ("Toronto", "M"), ("Montréal", "H"), ("Vancouver", "V"), ("Ottawa", "K"), ("Halifax", "B"),
    ("Winnipeg", "R"), ("Québec", "G"), ("Calgary", "T"), ("Saskatoon", "S"),
    ("St. John's", "A"),
)
STREETS = (
    "King Street West", "Rue Sainte-Catherine Ouest", "University Avenue",
    "Chemin de la Côte-des-Neiges", "Spring Garden Road", "Portage Avenue",
    "Boulevard René-Lévesque Est", "Water Street", "College Street", "Main Mall",
)
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
WORK_DOMAIN = "esploro.edu"
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "proton.me", "yahoo.ca", "icloud.com")
LANGUAGES = ("eng", "fra", "deu", "spa", "por", "ita", "nld", "zho", "jpn", "kor", "ara",
             "hin", "vie", "tur", "pol", "isl", "dan", "swe", "fin", "ell", "yor", "mri")

WEBPAGE_TITLES: dict[str, tuple[str, ...]] = {
    "homepage": ("Personal homepage", "Faculty profile"),
    "lab": ("{last} Lab", "Research group website"),
    "blog": ("Research blog", "Field notes"),
    "linkedin": ("LinkedIn",),
    "other": ("Code on GitHub", "Google Scholar profile", "Publications list"),
}
WEBPAGE_URLS: dict[str, str] = {
    "homepage": "https://www.esploro.edu/people/{slug}",
    "lab": "https://{slug}-lab.esploro.edu/",
    "blog": "https://{slug}.wordpress.com",
    "linkedin": "https://www.linkedin.com/in/{slug}",
    "other": "https://github.com/{compact}",
}
DEGREES = (("BA", "BSc", "BEng", "LLB", "BMus"), ("MA", "MSc", "MPhil", "LLM", "MEd"),
           ("PhD", "DPhil", "MD", "EdD"))
EXTERNAL_ORGS = (
    "41___UNIVERSITY_OF_TORONTO", "41___MCGILL_UNIVERSITY", "41___UNIVERSITE_LAVAL",
    "41___MONASH_UNIVERSITY_(MELBOURNE)", "41___UNIVERSITY_OF_CAPE_TOWN",
    "41___UNIVERSIDAD_DE_BUENOS_AIRES", "41___ETH_ZURICH", "41___UNIVERSITY_OF_TOKYO",
    "41___KU_LEUVEN", "41___UNIVERSITY_OF_ICELAND", "41___JAGIELLONIAN_UNIVERSITY",
    "41___INDIAN_INSTITUTE_OF_SCIENCE", "41___UNIVERSITY_OF_IBADAN", "41___SORBONNE_UNIVERSITE",
)
EXTERNAL_ORG_NAMES = (
    "the University of Toronto", "McGill University", "Université Laval", "Monash University",
    "the University of Cape Town", "ETH Zürich", "the University of Tokyo", "KU Leuven",
    "Uniwersytet Jagielloński", "Universidade de São Paulo", "the University of Ibadan",
)
HONOR_ORGS = ("RSC", "NSERC", "SSHRC", "CIHR", "ERC", "IEEE", "ACLS", "ROYAL_SOCIETY")
HONOR_TITLES = (
    "Fellow of the Royal Society of Canada", "Early Career Researcher Award",
    "Best Paper Award", "Killam Research Fellowship", "Teaching Excellence Award",
    "Canada Research Chair (Tier 2)", "Distinguished Lecturer", "Outstanding Reviewer Award",
)
WEBPAGE_DESCRIPTIONS = (
    "Publications, teaching and contact details", "News and open positions in the group",
    "Preprints, slides and datasets", "Occasional writing about research and teaching",
)
AFFILIATION_STARTS = ("01-01", "07-01", "09-01", "08-15")
EARLIER_POSITIONS = ("POSTDOCTORAL_FELLOW", "RESEARCH_FELLOW", "LECTURER", "ASSISTANT_PROFESSOR",
                     "PHD_CANDIDATE")
POST_TITLES = (
    "Graduate Research Assistant", "Visiting Scholar", "Programme Director",
    "Director of Graduate Studies", "Associate Dean (Research)", "Canada Research Chair",
)
ORG_NAMES: dict[str, str] = {unit.code: unit.name for unit in ORG_UNITS}
ACTIVE_WEIGHT = 0.92
# fmt: on


class Profile(NamedTuple):
    """What the parts of one researcher record must agree on."""

    person: Person
    group: str
    position: str | None
    topic: str
    slug: str
    email: str


class _ResearcherFactory:
    """Builds researcher records one at a time, remembering what must stay unique."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"sheetsync-seed/researchers/{seed}")
        self.ids: set[str] = set()
        self.slugs: set[str] = set()
        self.emails: set[str] = set()
        self.profiles = _ResearcherProfileBuilder(self.rng, set())

    def make(self) -> dict[str, Any]:
        profile = self._profile()
        record = self._user(profile)
        record["is_researcher"] = True
        record["researcher"] = self.profiles.build(profile)
        record["user_identifier"] = self._user_identifiers(profile)
        record["user_role"] = [_patron_role() for _ in range(1 + (self.rng.random() < 0.15))]
        record.update(user_block=[], user_note=[], user_statistic=[], proxy_for_user=[])
        record.update(source_link_id="", linking_id="")
        return record

    def _profile(self) -> Profile:
        """Draw the facts several parts of the record repeat (name, group, domain, slug)."""
        rng = self.rng
        person = _random_person(rng)
        group = USER_GROUPS[_weighted(rng, USER_GROUP_WEIGHTS)]
        position = rng.choice(GROUP_POSITIONS[group]) if rng.random() < 0.92 else None
        full = _full_name(person.first, person.middle, person.last)
        slug = _unique(self.slugs, _counter(_slug(full)))
        local = _slug(f"{person.first} {person.last}", ".")
        email = _unique(self.emails, _counter(local, "{base}{n}")) + "@" + WORK_DOMAIN
        return Profile(person, group, position, rng.choice(TOPIC_CODES), slug, email)

    def _primary_id(self) -> str:
        """Mostly Alma-shaped ("...0000561"), never starting "99" like an asset ID."""
        rng = self.rng
        length = ID_LENGTHS[_weighted(rng, RESEARCHER_ID_LENGTH_WEIGHTS)]
        suffix = INSTITUTION_SUFFIX if rng.random() < 0.9 else ""
        return str(rng.randint(10, 98)) + _digits(rng, length - 2 - len(suffix)) + suffix

    def _user(self, profile: Profile) -> dict[str, Any]:
        """The Alma user part, up to `pref_name_suffix`; `make` appends the rest in order."""
        rng, person = self.rng, profile.person
        expiry = rng.randint(2026, 2034)
        status = "ACTIVE" if rng.random() < ACTIVE_WEIGHT else "INACTIVE"
        return {
            "record_type": _code(
                "UserRecordTypes", "STAFF" if profile.group == "STAFF" else "PUBLIC"
            ),
            "primary_id": _unique(self.ids, self._primary_id),
            "first_name": person.first,
            "middle_name": person.middle,
            "last_name": person.last,
            "full_name": _full_name(person.first, person.middle, person.last),
            "user_title": "",
            "job_category": None,
            "job_description": _job_description(rng, profile),
            "gender": None,
            "user_group": _code("UserGroups", profile.group),
            "campus_code": None,
            "web_site_url": "",
            "preferred_language": {"value": "en", "desc": "English"},
            "expiry_date": f"{expiry}-12-31Z",
            "purge_date": f"{expiry + 1}-12-31Z",
            "account_type": _code(
                "AccountTypes", "EXTERNAL" if rng.random() < 0.85 else "INTERNAL"
            ),
            "external_id": "SIS",
            "password": "",
            "force_password_change": "",
            "status": _code("UserStatuses", status),
            "status_date": _alma_date(rng, 2012, 2025),
            "contact_info": self._contact_info(profile),
            "pref_first_name": "",
            "pref_middle_name": "",
            "pref_last_name": "",
            "pref_name_suffix": "",
        }

    def _contact_info(self, profile: Profile) -> dict[str, Any]:
        """0-1 work address, 1-2 e-mails with exactly one preferred, no phones."""
        rng = self.rng
        addresses = [_address(rng)] if rng.random() < 0.6 else []
        emails = [_email(profile.email, "work", preferred=True)]
        if rng.random() < 0.3:
            personal = f"{_slug(profile.person.last, '')}{rng.randint(1, 99)}"
            kind = rng.choice(("personal", "school"))
            emails.append(_email(f"{personal}@{rng.choice(PERSONAL_DOMAINS)}", kind, False))
        if rng.random() < 0.2:  # the preferred address is not always listed first
            emails.reverse()
        return {"address": addresses, "email": emails, "phone": []}

    def _user_identifiers(self, profile: Profile) -> list[dict[str, Any]]:
        """1-2 Alma identifiers of different types (not the researcher ones: those are ORCIDs)."""
        rng = self.rng
        kinds = rng.sample(tuple(CODE_TABLES["UserIdentifierTypes"]), 1 + (rng.random() < 0.4))
        return [
            {
                "id_type": _code("UserIdentifierTypes", kind),
                "value": _user_identifier_value(rng, kind, profile.person),
                "note": "",
                "status": "ACTIVE",
                "segment_type": "External",
            }
            for kind in kinds
        ]


def _counter(base: str, pattern: str = "{base}-{n}") -> Callable[[], str]:
    """A `make` for `_unique`: first `base` itself, then `base-2`, `base-3`, ..."""
    attempts = itertools.count(1)

    def make() -> str:
        n = next(attempts)
        return base if n == 1 else pattern.format(base=base, n=n)

    return make


def _user_identifier_value(rng: random.Random, kind: str, person: Person) -> str:
    """A university number, a library barcode or a login-style institution ID."""
    if kind == "UNIV_ID":
        return _digits(rng, 8)
    if kind == "BARCODE":
        return "3902" + _digits(rng, 10)
    return _slug(person.last, "")[:8] + _digits(rng, 3)


def _job_description(rng: random.Random, profile: Profile) -> str:
    if profile.position is None or rng.random() < 0.6:
        return ""
    return CODE_TABLES["ResearcherPositions"][profile.position]


def _patron_role() -> dict[str, Any]:
    """The one role every researcher has; PUT keeps it when `user_role` is left out."""
    return {
        "status": {"value": "ACTIVE", "desc": "Active"},
        "scope": {"value": "01ESPLORO_INST", "desc": "Esploro University"},
        "role_type": {"value": "200", "desc": "Patron"},
        "parameter": [],
    }


def _address(rng: random.Random) -> dict[str, Any]:
    """A Canadian work address, with a postal code of the city's own first letter."""
    city, letter = rng.choice(CITIES)
    postal = (
        f"{letter}{rng.randint(0, 9)}{rng.choice(POSTAL_LETTERS)} "
        f"{rng.randint(0, 9)}{rng.choice(POSTAL_LETTERS)}{rng.randint(0, 9)}"
    )
    return {
        "line1": f"{rng.randint(1, 2999)} {rng.choice(STREETS)}",
        "city": city,
        "postal_code": postal,
        "country": {"value": "CAN", "desc": "Canada"},
        "preferred": True,
        "segment_type": "External",
        "address_type": [{"value": "work", "desc": "Work"}],
    }


def _email(address: str, kind: str, preferred: bool) -> dict[str, Any]:
    return {
        "email_address": address,
        "description": "",
        "preferred": preferred,
        "segment_type": "External",
        "email_type": [_code("EmailTypes", kind)],
    }


class _ResearcherProfileBuilder:
    """The `researcher` sub-object: the research profile Esploro adds to an Alma user."""

    def __init__(self, rng: random.Random, orcids: set[str]) -> None:
        self.rng = rng
        self.orcids = orcids

    def build(self, profile: Profile) -> dict[str, Any]:
        rng, person = self.rng, profile.person
        research_name = self._research_name(person)
        topics = self._topic_codes(profile.topic)
        auto_capture: bool | str = rng.random() < 0.6
        if rng.random() < 0.1:  # real records carry this boolean as a string now and then
            auto_capture = str(auto_capture).lower()
        has_orcid = rng.random() < 0.85
        return {
            "researcher_first_name": research_name.first,
            "researcher_middle_name": research_name.middle,
            "researcher_last_name": research_name.last,
            "researcher_name_suffix": person.suffix,
            "researcher_title": self._title(profile.position),
            "display_title": self._display_title(profile),
            "position": _code("ResearcherPositions", profile.position)
            if profile.position
            else None,
            "portal_profile": _code(
                "ResearcherPortalProfiles", rng.choice(("PUBLIC", "PUBLIC", "PRIVATE", "AUTO"))
            ),
            "auto_capture": auto_capture,
            "research_center": False,
            "update_ORCID_profile": has_orcid and rng.random() < 0.5,
            "profile_identifier_url": profile.slug,
            **self._lists(profile, topics),
            "user_identifier": self._identifiers(has_orcid),
        }

    def _lists(self, profile: Profile, topics: list[str]) -> dict[str, Any]:
        rng = self.rng
        current = self._affiliations(profile)
        return {
            "researcher_keyword": [{"value": v} for v in self._keywords(profile.topic, topics)],
            "researcher_research_topic": [_code("ResearchTopics", t) for t in topics],
            "researcher_language": [{"value": v} for v in self._languages()],
            "researcher_name_variant": self._name_variants(profile.person),
            "researcher_alternate_email": self._alternate_emails(profile.person),
            "researcher_description": [{"description": self._bio(profile, current)}]
            if rng.random() < 0.55
            else [],
            "researcher_webpage": self._webpages(profile),
            "researcher_education": self._education(profile.topic),
            "researcher_honor": self._honors(),
            "researcher_organization_affiliation": current,
            "researcher_previous_organization_affiliation": self._previous(profile, current),
            "researcher_external_organization_affiliation": [],
            "researcher_previous_external_organization_affiliation": [],
        }

    def _alternate_emails(self, person: Person) -> list[dict[str, str]]:
        if self.rng.random() >= 0.25:
            return []
        domain = self.rng.choice(PERSONAL_DOMAINS)
        return [{"email_address": f"{_slug(person.last, '')}.research@{domain}"}]

    def _research_name(self, person: Person) -> Person:
        """Usually the user's own name; sometimes the form they publish under."""
        if self.rng.random() < 0.85:
            return person
        variants = _name_variant_candidates(self.rng, person)
        return variants[0] if variants else person

    def _title(self, position: str | None) -> dict[str, str] | None:
        rng = self.rng
        if rng.random() < 0.15:
            return None
        if position in PROFESSORIAL and rng.random() < 0.8:
            code = "PROF"
        elif position in ("PHD_CANDIDATE", "LIBRARIAN", None) or rng.random() < 0.1:
            code = rng.choice(PLAIN_TITLES) if rng.random() < 0.97 else "REV"
        else:
            code = "DR"
        return _code("ResearcherTitles", code)

    def _display_title(self, profile: Profile) -> str:
        """'Associate Professor of Inorganic Chemistry', sometimes with the unit, or ''."""
        rng = self.rng
        if profile.position is None or rng.random() < 0.2:
            return ""
        role = CODE_TABLES["ResearcherPositions"][profile.position]
        if rng.random() < 0.3:
            return f"{role}, {ORG_NAMES[TOPICS[profile.topic].orgs[0]]}"
        return f"{role} of {rng.choice(TOPICS[profile.topic].fields)}"

    def _topic_codes(self, primary: str) -> list[str]:
        count = _weighted(self.rng, (20, 35, 25, 12, 8))
        if count == 0:
            return []
        others = [code for code in TOPIC_CODES if code != primary]
        return [primary, *self.rng.sample(others, count - 1)]

    def _keywords(self, primary: str, topics: list[str]) -> list[str]:
        """0..30 keywords: none for some people, 25 or more for a few, 30 for some."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return []
        if roll < 0.16:
            count = 30
        elif roll < 0.22:
            count = rng.randint(25, 29)
        else:
            count = round(rng.triangular(1, 24, 5))
        secondary = [term for code in topics for term in TOPICS[code].terms]
        pool = [*TOPICS[primary].terms, *secondary, *GENERAL_TERMS]
        return _keyword_values(rng, pool, count)

    def _languages(self) -> list[str]:
        rng = self.rng
        count = 1 + _weighted(rng, (60, 30, 10))
        first = "eng" if rng.random() < 0.8 else rng.choice(LANGUAGES)
        others = rng.sample([code for code in LANGUAGES if code != first], count - 1)
        return [first, *others]

    def _name_variants(self, person: Person) -> list[dict[str, str]]:
        count = _weighted(self.rng, (60, 30, 10))
        variants = _name_variant_candidates(self.rng, person)[:count]
        return [
            {
                "first_name": v.first,
                "middle_name": v.middle,
                "last_name": v.last,
                "name_suffix": v.suffix,
            }
            for v in variants
        ]

    def _bio(self, profile: Profile, affiliations: list[dict[str, Any]]) -> str:
        """A few sentences; about 40% broken over lines the way people paste them in."""
        rng = self.rng
        role = CODE_TABLES["ResearcherPositions"].get(profile.position or "", "Researcher")
        role = role if role.startswith("PhD") else role.lower()
        fill = _text_fill(rng, TOPICS[profile.topic])
        fill.update(
            full=_full_name(profile.person.first, profile.person.middle, profile.person.last),
            name=profile.person.last,
            role=role,
            role_art=_article(role),
            org=affiliations[0]["organization_name"],
            ext=rng.choice(EXTERNAL_ORG_NAMES),
        )
        templates = [BIO_OPENING, *rng.sample(BIO_SENTENCES, rng.randint(1, 3))]
        separator = "\n" if rng.random() < 0.4 else " "
        return separator.join(template.format_map(fill) for template in templates)

    def _webpages(self, profile: Profile) -> list[dict[str, str]]:
        rng = self.rng
        kinds = rng.sample(tuple(CODE_TABLES["WebpageTypes"]), _weighted(rng, (45, 30, 17, 8)))
        last = _latin(profile.person.last)
        return [
            {
                "url": WEBPAGE_URLS[kind].format(
                    slug=profile.slug, compact=profile.slug.replace("-", "")
                ),
                "type": kind,
                "title": rng.choice(WEBPAGE_TITLES[kind]).format(last=last),
                "description": rng.choice(WEBPAGE_DESCRIPTIONS) if rng.random() < 0.4 else "",
            }
            for kind in kinds
        ]

    def _education(self, topic: str) -> list[dict[str, str]]:
        """Degrees in order (bachelor before master before doctorate), years running on."""
        rng = self.rng
        levels = sorted(rng.sample(range(len(DEGREES)), _weighted(rng, (40, 35, 25))))
        year = rng.randint(1975, 2012)
        items = []
        for level in levels:
            years = (3, 2, 4)[level] + rng.randint(0, 1)
            items.append(
                {
                    "organization_code": rng.choice(EXTERNAL_ORGS),
                    "degree": rng.choice(DEGREES[level]),
                    "field_of_study": rng.choice(TOPICS[topic].fields),
                    "from_year": str(year),
                    "to_year": str(year + years),
                    "additional_details": "",
                }
            )
            year += years + rng.randint(0, 2)
        return items

    def _honors(self) -> list[dict[str, str]]:
        rng = self.rng
        return [
            {
                "organization_code": rng.choice(HONOR_ORGS),
                "title": rng.choice(HONOR_TITLES),
                "time_period": str(rng.randint(1995, 2025)),
            }
            for _ in range(_weighted(rng, (65, 25, 10)))
        ]

    def _affiliations(self, profile: Profile) -> list[dict[str, Any]]:
        """1-2 current units from the researcher's domain, the first one their main post."""
        rng = self.rng
        orgs = TOPICS[profile.topic].orgs
        codes = rng.sample(orgs, min(len(orgs), 1 + (rng.random() < 0.25)))
        start = f"{rng.randint(1995, 2024)}-{rng.choice(AFFILIATION_STARTS)}Z"
        items = []
        for order, code in enumerate(codes, 1):
            position = profile.position or "RESEARCH_FELLOW"
            if order > 1:
                position = rng.choice(GROUP_POSITIONS[profile.group])
            end = "" if rng.random() < 0.9 else f"{rng.randint(2026, 2030)}-06-30Z"
            items.append(_affiliation(code, start, end, position, self._post(position), order))
        return items

    def _previous(self, profile: Profile, current: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """0-1 earlier post at this university, ending when the current one began."""
        rng = self.rng
        if rng.random() >= 0.3:
            return []
        taken = {item["organization_code"] for item in current}
        code = rng.choice([unit.code for unit in ORG_UNITS if unit.code not in taken])
        end_year = int(current[0]["start_date"][:4])
        start = f"{end_year - rng.randint(2, 10)}-{rng.choice(AFFILIATION_STARTS)}Z"
        position = rng.choice(EARLIER_POSITIONS)
        end = f"{end_year - rng.randint(0, 1)}-06-30Z"
        return [_affiliation(code, start, end, position, self._post(position), 1)]

    def _post(self, position: str) -> str:
        """The free-text title of a post: usually the position's name, sometimes more."""
        if self.rng.random() < 0.7:
            return CODE_TABLES["ResearcherPositions"][position]
        return self.rng.choice(POST_TITLES)

    def _identifiers(self, has_orcid: bool) -> list[dict[str, Any]]:
        """1-4 author identifiers, ORCID first when there is one (~85% of people)."""
        rng = self.rng
        others = [kind for kind in CODE_TABLES["ResearcherIdentifierTypes"] if kind != "ORCID"]
        extra = max(_weighted(rng, (45, 35, 15, 5)), 0 if has_orcid else 1)
        kinds = (["ORCID"] if has_orcid else []) + rng.sample(others, extra)
        return [
            {
                "value": self._identifier_value(kind),
                "id_type": _code("ResearcherIdentifierTypes", kind),
            }
            for kind in kinds
        ]

    def _identifier_value(self, kind: str) -> str:
        rng = self.rng
        if kind == "ORCID":
            return _unique(self.orcids, lambda: _orcid(rng))
        if kind == "SCOPUS":  # older ids have 10 digits ("7004212771"), newer 11 ("5719...")
            return "7" + _digits(rng, 9) if rng.random() < 0.3 else "5" + _digits(rng, 10)
        if kind == "RESEARCHER_ID":
            letters = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=rng.choice((1, 3))))
            return f"{letters}-{_digits(rng, 4)}-{rng.randint(2008, 2024)}"
        if kind == "ISNI":
            base = "0000000" + str(rng.randint(1, 4)) + _digits(rng, 7)
            return base + orcid_checksum(base)
        if kind == "GOOGLE_SCHOLAR":
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
            return "".join(rng.choices(alphabet, k=7)) + "AAAAJ"
        return _digits(rng, rng.randint(8, 10)).lstrip("0") or "1"  # VIAF


def _affiliation(
    code: str, start: str, end: str, position: str, title: str, order: int
) -> dict[str, Any]:
    return {
        "organization_code": code,
        "organization_name": ORG_NAMES[code],
        "start_date": start,
        "end_date": end,
        "position": _code("ResearcherPositions", position),
        "title": title,
        "positionOrder": order,
    }


def _name_variant_candidates(rng: random.Random, person: Person) -> list[Person]:
    """Other forms of a name that differ from it: unaccented, initials, an earlier surname."""
    first, middle = person.first, person.middle
    initials = " ".join(f"{part[0]}." for part in _latin(first).split())
    family = [name for name in CULTURES[person.culture].family if name != person.last]
    candidates = [
        Person(_ascii(first), _ascii(middle), _ascii(person.last), person.suffix, person.culture),
        Person(
            initials, middle[:1] + "." if middle else "", person.last, person.suffix, person.culture
        ),
        Person(first, middle, rng.choice(family), "", person.culture),
    ]
    unique: dict[tuple[str, str, str], Person] = {}
    for candidate in candidates:
        key = (candidate.first, candidate.middle, candidate.last)
        if key != (first, middle, person.last):
            unique.setdefault(key, candidate)
    variants = list(unique.values())
    rng.shuffle(variants)
    return variants


def generate_researchers(seed: int, count: int) -> Iterator[dict[str, Any]]:
    """Yield `count` researcher records (Alma users with a research profile) for `seed`.

    The records follow the Alma/Esploro user shape key for key, in the API's order, so that
    a round trip through the sandbox can be compared field by field.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    factory = _ResearcherFactory(seed)
    for _ in range(count):
        yield factory.make()


# --------------------------------------------------------------------------------------------
# Assets.
# --------------------------------------------------------------------------------------------

# fmt: off
RESOURCE_TYPES = (
    "publication.journalArticle", "publication.conferencePaper", "publication.bookChapter",
    "publication.book", "publication.report", "publication.review", "publication.preprint",
    "etd.doctoral", "etd.graduate", "dataset.dataset", "software.software",
    "conference.presentation", "other.other",
)
RESOURCE_TYPE_WEIGHTS = (50, 12, 8, 3, 4, 4, 5, 3, 2, 4, 2, 2, 1)
IN_JOURNAL = frozenset(("publication.journalArticle", "publication.review"))
IN_BOOK = frozenset(("publication.book", "publication.bookChapter"))
THESES = frozenset(("etd.doctoral", "etd.graduate"))

DOI_PREFIXES: dict[str, str] = {
    "Elsevier": "10.1016", "Springer Nature": "10.1007", "IEEE": "10.1109",
    "American Meteorological Society": "10.1175", "PLOS": "10.1371",
    "Royal Society of Chemistry": "10.1039", "Wiley": "10.1002",
    "American Chemical Society": "10.1021", "American Physical Society": "10.1103",
    "Verein Quantum": "10.22331", "Linguistic Society of America": "10.1353",
    "Oxford University Press": "10.1093", "Cambridge University Press": "10.1017",
    "Taylor & Francis": "10.1080", "Society for Neuroscience": "10.1523",
    "Inter-Research": "10.3354", "Frontiers Media": "10.3389", "Routledge": "10.4324",
    "Palgrave Macmillan": "10.1057", "University of Toronto Press": "10.3138",
    "MIT Press": "10.7551", "Zenodo": "10.5281", "Dryad": "10.5061", "Borealis": "10.5683",
    "arXiv": "10.48550", "OSF Preprints": "10.31219", "Esploro University": "10.70561",
    "ACM": "10.1145",
}
BOOK_PUBLISHERS = ("Routledge", "Palgrave Macmillan", "University of Toronto Press", "MIT Press",
                   "Springer Nature", "Oxford University Press", "Cambridge University Press")
DATA_REPOSITORIES = ("Zenodo", "Dryad", "Borealis")
PREPRINT_SERVERS = ("arXiv", "OSF Preprints")
CONFERENCE_SERIES = (
    ("Proceedings of the AAAI Conference on Artificial Intelligence", "ACM"),
    ("Lecture Notes in Computer Science", "Springer Nature"),
    ("IEEE International Conference on Communications", "IEEE"),
    ("Proceedings of the Annual Meeting of the Cognitive Science Society", "Esploro University"),
)
CONTRIBUTOR_ROLES = ("Editor", "Illustrator", "Translator", "Data curator", "Contributor")
CONTRIBUTING_ORGS = ("national group publ", "Canadian Institutes of Health Research",
                     "Ocean Frontier Institute", "Mitacs")
ASSET_LANGUAGES = ("fra", "deu", "spa", "por", "jpn", "may", "ita", "zho")
ASSET_LICENSES = tuple(CODE_TABLES["AssetLicenses"])
ASSET_LICENSE_WEIGHTS = tuple(30 if code == "CCBY_V4.0" else 6 for code in ASSET_LICENSES)
VENUE_PUBLISHERS: dict[str, tuple[str | None, ...]] = {
    "publication.conferencePaper": ("IEEE", "ACM", "Springer Nature"),
    "publication.book": BOOK_PUBLISHERS,
    "publication.bookChapter": BOOK_PUBLISHERS,
    "publication.report": ("Esploro University", "Esploro University", "OSF Preprints"),
    "publication.preprint": PREPRINT_SERVERS,
    "etd.doctoral": ("Esploro University",),
    "etd.graduate": ("Esploro University",),
    "dataset.dataset": DATA_REPOSITORIES,
    "software.software": ("Zenodo",),
    "conference.presentation": (None, None, "Esploro University"),
}
DOI_LIKELIHOOD: dict[str, float] = {
    "publication.journalArticle": 0.92, "publication.review": 0.92,
    "conference.presentation": 0.1, "other.other": 0.2,
}
BIOMEDICAL_TOPICS = frozenset(("PUBLIC_HEALTH", "NEUROSCIENCE", "GENOMICS"))
DoiSuffix = Callable[[random.Random, str, dt.date], str]
DOI_SUFFIXES: dict[str, DoiSuffix] = {
    "Elsevier": lambda rng, abbr, day: f"j.{abbr}.{day.year}.{_digits(rng, 6)}",
    "Springer Nature": lambda rng, abbr, day: (
        f"s{_digits(rng, 5)}-0{day.year % 100:02d}-{_digits(rng, 5)}-{rng.randint(0, 9)}"),
    "PLOS": lambda rng, abbr, day: f"journal.p{abbr}.{_digits(rng, 7)}",
    "Zenodo": lambda rng, abbr, day: f"zenodo.{_digits(rng, 7)}",
    "arXiv": lambda rng, abbr, day: f"arXiv.{day.year % 100:02d}{day.month:02d}.{_digits(rng, 5)}",
}
KEYWORD_COUNT_WEIGHTS = (8, 14, 18, 18, 14, 12, 9, 7)  # 1..8 values per keyword group
ISSUES = ("S1", "Supplement 2", "3-4", "Special Issue")
ORG_PARENTS: dict[str, str | None] = {unit.code: unit.parent for unit in ORG_UNITS}
LOCAL_NOTES = (
    "Imported from Scopus 2023 ", "checked by RS team", "APC paid from institutional fund",
    "Legacy record_x000D_ migrated from DSpace", " embargo lifted", "etd project",
    "Duplicate? see related record", "REF2029 candidate",
)
LINK_TYPE_DESCS = {"published": "Published (Version of record)", "accepted": "Accepted"}
LINK_OWNER_DESCS = {"owner.external": "External", "owner.institutional": "Institutional"}
STOPWORDS = frozenset(("of", "the", "and", "in", "on", "for", "&"))
# fmt: on


class Author(NamedTuple):
    """What an asset needs from an internal researcher to credit them as a creator."""

    primary_id: str
    first: str
    middle: str
    last: str
    orcid: str | None
    org: str | None
    topic: str | None


def _author(record: dict[str, Any]) -> Author:
    """Read the creator-relevant parts of a researcher record, tolerating missing ones."""
    profile = record.get("researcher") or {}
    orcids = [
        item.get("value")
        for item in profile.get("user_identifier") or []
        if (item.get("id_type") or {}).get("value") == "ORCID"
    ]
    affiliations = profile.get("researcher_organization_affiliation") or []
    topics = profile.get("researcher_research_topic") or []
    return Author(
        str(record["primary_id"]),
        record.get("first_name") or "",
        record.get("middle_name") or "",
        record.get("last_name") or "",
        orcids[0] if orcids else None,
        affiliations[0].get("organization_code") if affiliations else None,
        topics[0].get("value") if topics else None,
    )


def _creator_count(rng: random.Random) -> int:
    """Mostly small teams, a long tail, and about 1% consortium papers at the cap of 40."""
    roll = rng.random()
    if roll < 0.01:
        return 40
    if roll < 0.04:
        return rng.randint(16, 39)
    if roll < 0.12:
        return rng.randint(9, 15)
    return 1 + _weighted(rng, (12, 15, 16, 14, 11, 8, 6, 4))


def _journal_abbreviation(title: str) -> str:
    """'Journal of Cleaner Production' -> 'jcp', the shape of many DOI suffixes."""
    words = [word for word in title.lower().split() if word not in STOPWORDS]
    return "".join(word[0] for word in words if word[0].isalnum())


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


def _published_date(rng: random.Random) -> tuple[str, dt.date]:
    """A publication date as Esploro stores it (YYYYMMDD, YYYYMM or YYYY) and the day."""
    day = _date_between(rng, dt.date(1995, 1, 1), dt.date(2026, 10, 31))
    precision = _weighted(rng, (50, 30, 20))
    return day.strftime(("%Y%m%d", "%Y%m", "%Y")[precision]), day


def _subtitle(rng: random.Random, topic: Topic) -> str | None:
    """About 15% of assets split their title: "...: a systematic review" style."""
    if rng.random() >= 0.15:
        return None
    return _capitalised(rng.choice(SUBTITLES).format_map(_text_fill(rng, topic)))


def _accepted_date(rng: random.Random, published: dt.date) -> str | None:
    """About 30% record acceptance, weeks to months before publication, always YYYYMMDD."""
    if rng.random() >= 0.3:
        return None
    return (published - dt.timedelta(days=rng.randint(20, 300))).strftime("%Y%m%d")


def _link(url: str, kind: str, order: int, institutional: bool) -> dict[str, Any]:
    """A link in the captured shape, with its mixed types (integer order, boolean flags)."""
    owner = "owner.institutional" if institutional else "owner.external"
    return {
        "linkTypeWithDesc": {"value": kind, "desc": LINK_TYPE_DESCS[kind]},
        "linkLicenseCodeWithDesc": None,
        "linkOwnershipWithDesc": {"value": owner, "desc": LINK_OWNER_DESCS[owner]},
        "link.url": url,
        "link.type": kind,
        "link.description": "Author accepted manuscript" if institutional else None,
        "link.title": None,
        "link.rights": "institution" if institutional else "open",
        "link.supplemental": False,
        "link.license": None,
        "link.ownership": owner,
        "link.order": order,
        "link.display_in_viewer": institutional,
        "link.rightsreason": None,
        "link.embargoend": None,
    }


class Venue(NamedTuple):
    """Where an asset appeared: a journal or series (with ISSNs) or just a publisher."""

    title: str | None
    publisher: str | None
    issn: str | None
    eissn: str | None


class _AssetFactory:
    """Builds asset records one at a time, remembering what must stay unique."""

    def __init__(self, seed: int, researchers: Sequence[dict[str, Any]]) -> None:
        self.rng = random.Random(f"sheetsync-seed/assets/{seed}")
        self.authors = [_author(record) for record in researchers]
        self.ids: set[str] = {CAPTURED_ASSET_ID}
        self.dois: set[str] = set()
        self.orcids: set[str] = {a.orcid for a in self.authors if a.orcid}
        self.issns: dict[str, tuple[str, str]] = {}

    def make(self) -> tuple[dict[str, Any], str]:
        rng = self.rng
        asset_id = _unique(self.ids, self._asset_id)
        kind = RESOURCE_TYPES[_weighted(rng, RESOURCE_TYPE_WEIGHTS)]
        creators, internal = self._creators()
        topic_code = next((a.topic for a in internal if a.topic), rng.choice(TOPIC_CODES))
        topic = TOPICS[topic_code]
        venue = self._venue(kind, topic)
        published, day = _published_date(rng)
        record = {
            "creators": creators,
            "contributors": self._contributors(kind) or None,
            "title": _title(rng, topic),
            "publisher": venue.publisher,
            **self._access(kind),
            "language": self._languages(),
            "originalRepository": {"assetId": asset_id},
            **self._identifiers(kind, venue, day, topic_code),
            "title.subtitle": _subtitle(rng, topic),
            "date.published": published,
            "date.accepted": _accepted_date(rng, day),
            "resourcetype.esploro": kind,
            **self._description(topic_code, kind, venue),
            "asset.affiliation": _affiliation_names(internal),
            "portal_visibility": "true",
            "profile_visibility": "true",
            "resourceTypeEsploroWithDesc": _code("AssetResourceTypes", kind),
        }
        update = _date_between(rng, UPDATE_DATE_FIRST, UPDATE_DATE_LAST).isoformat()
        return {key: value for key, value in record.items() if value is not None}, update

    def _asset_id(self) -> str:
        """'99' + digits + the institution suffix, 15-18 digits long, like real MMS IDs."""
        length = ID_LENGTHS[_weighted(self.rng, ASSET_ID_LENGTH_WEIGHTS)]
        middle = length - len(ASSET_PREFIX) - len(INSTITUTION_SUFFIX)
        return ASSET_PREFIX + _digits(self.rng, middle) + INSTITUTION_SUFFIX

    def _creators(self) -> tuple[list[dict[str, Any]], list[Author]]:
        """Creators in order; most assets credit at least one internal researcher."""
        rng = self.rng
        count = _creator_count(rng)
        internal: dict[int, Author] = {}
        if self.authors and rng.random() < 0.9:
            lead = rng.choice((0, 0, 0, count - 1, rng.randrange(count)))
            for slot in range(count):
                if slot == lead or rng.random() < 0.15:
                    internal[slot] = rng.choice(self.authors)
        seen: set[str] = set()
        creators = []
        for slot in range(count):
            author = internal.get(slot)
            if author is not None and author.primary_id not in seen:
                seen.add(author.primary_id)
                creators.append(self._internal_creator(slot + 1, author))
            else:
                creators.append(self._external_creator(slot + 1))
        return creators, list(dict.fromkeys(internal.values()))

    def _internal_creator(self, order: int, author: Author) -> dict[str, Any]:
        rng = self.rng
        creator: dict[str, Any] = {
            "order": str(order),
            "isDisplayInPublicProfile": rng.random() < 0.6,
        }
        if author.org and rng.random() < 0.3:
            creator["affiliationWithDesc"] = [
                {"value": author.org, "desc": ORG_NAMES[author.org], "order": "1"}
            ]
        creator["almaUserId"] = author.primary_id
        creator.update(_creator_names(author.first, author.middle, author.last))
        if author.orcid and rng.random() < 0.7:
            creator["identifier.orcid"] = author.orcid
        return creator

    def _external_creator(self, order: int) -> dict[str, Any]:
        rng = self.rng
        person = _random_person(rng)
        creator: dict[str, Any] = {
            "order": str(order),
            "isDisplayInPublicProfile": rng.random() < 0.1,
        }
        creator.update(_creator_names(person.first, person.middle, person.last))
        if rng.random() < 0.25:
            creator["identifier.orcid"] = _unique(self.orcids, lambda: _orcid(rng))
        return creator

    def _contributors(self, kind: str) -> list[dict[str, Any]]:
        """0-3 contributors: people with a role, or an organisation ("Institution")."""
        rng = self.rng
        items: list[dict[str, Any]] = []
        for order in range(1, 1 + _weighted(rng, (70, 18, 8, 4))):
            if rng.random() < 0.15:
                items.append(
                    {
                        "order": str(order),
                        "organization": rng.choice(CONTRIBUTING_ORGS),
                        "role": "Institution",
                    }
                )
                continue
            role = "Supervisor" if kind in THESES else rng.choice(CONTRIBUTOR_ROLES)
            item: dict[str, Any] = {
                "order": str(order),
                "role": role,
                "isDisplayInPublicProfile": rng.random() < 0.3,
            }
            if self.authors and (role == "Supervisor" or rng.random() < 0.3):
                author = rng.choice(self.authors)
                item["almaUserId"] = author.primary_id
                first, middle, last = author.first, author.middle, author.last
            else:
                first, middle, last, _, _ = _random_person(rng)
            names = _creator_names(first, middle, last)
            item["contributorname"] = names.pop("creatorname")
            items.append(item | names)
        return items

    def _venue(self, kind: str, topic: Topic) -> Venue:
        """Journal articles and reviews appear in a journal of their domain; others vary."""
        rng = self.rng
        if kind in IN_JOURNAL or (kind == "publication.conferencePaper" and rng.random() < 0.6):
            series = topic.journals if kind in IN_JOURNAL else CONFERENCE_SERIES
            title, publisher = rng.choice(series)
            issn, eissn = self._issns(title)
            return Venue(title, publisher, issn, eissn)
        if rng.random() < 0.05:  # real records lack a publisher now and then
            return Venue(None, None, None, None)
        choices = VENUE_PUBLISHERS.get(kind, (None,))
        return Venue(None, rng.choice(choices), None, None)

    def _issns(self, title: str) -> tuple[str, str]:
        """A print and an electronic ISSN per journal, fixed for the whole run."""
        if title not in self.issns:
            used = {issn for pair in self.issns.values() for issn in pair}
            print_issn = _unique(used, lambda: _issn(self.rng))
            self.issns[title] = (print_issn, _unique(used, lambda: _issn(self.rng)))
        return self.issns[title]

    def _access(self, kind: str) -> dict[str, Any]:
        """openaccess/peerreview flags and, for ~60%, a licence with its derived description."""
        rng = self.rng
        code = rng.choices(ASSET_LICENSES, ASSET_LICENSE_WEIGHTS)[0] if rng.random() < 0.6 else None
        is_open = bool(code and code.startswith("CC")) or rng.random() < 0.15
        reviewed = kind in IN_JOURNAL or kind == "publication.conferencePaper"
        access: dict[str, Any] = {
            "openaccess": "yes" if is_open else "no",
            "peerreview": "yes" if reviewed and rng.random() < 0.9 else "no",
        }
        if code is not None:
            access.update(license=code, licenseWithDesc=_code("AssetLicenses", code))
        return access

    def _languages(self) -> list[str]:
        rng = self.rng
        if rng.random() < 0.85:
            return ["eng"]
        others = rng.sample(ASSET_LANGUAGES, rng.randint(1, 2))
        return ["eng", *others] if rng.random() < 0.5 else others

    def _identifiers(self, kind: str, venue: Venue, day: dt.date, topic: str) -> dict[str, Any]:
        """DOI (most assets), PubMed ids for biomedical articles, ISBN for books, links."""
        rng = self.rng
        isbn = _isbn13(rng) if kind in IN_BOOK else None
        doi = self._doi(kind, venue, day, isbn)
        pmid = pmcid = None
        if kind in IN_JOURNAL and topic in BIOMEDICAL_TOPICS and rng.random() < 0.7:
            pmid = str(rng.randint(20_000_000, 39_999_999))
            if rng.random() < 0.4:  # the capture has "PMC9963672 ", trailing space and all
                pmcid = "PMC" + _digits(rng, 7) + (" " if rng.random() < 0.2 else "")
        links = []
        if doi and rng.random() < 0.5:
            links.append(_link(f"https://doi.org/{doi}", "published", 1, institutional=False))
        if rng.random() < 0.15:
            url = f"https://research.esploro.edu/files/{_digits(rng, 10)}.pdf"
            links.append(_link(url, "accepted", len(links) + 1, institutional=True))
        return {
            "identifier.doi": doi,
            "identifier.pmid": pmid,
            "identifier.pmcid": pmcid,
            "identifier.isbn": [isbn] if isbn else None,
            "links": links or None,
        }

    def _doi(self, kind: str, venue: Venue, day: dt.date, isbn: str | None) -> str | None:
        """A unique DOI under the publisher's prefix, or None for ~10-90% depending on kind."""
        rng = self.rng
        likely = DOI_LIKELIHOOD.get(kind, 0.6)
        if rng.random() >= likely:
            return None
        prefix = DOI_PREFIXES.get(venue.publisher or "", DOI_PREFIXES["Esploro University"])
        return _unique(self.dois, lambda: f"{prefix}/{self._doi_suffix(venue, day, isbn)}")

    def _doi_suffix(self, venue: Venue, day: dt.date, isbn: str | None) -> str:
        rng = self.rng
        if isbn:  # book DOIs are built on the ISBN, chapters add a number
            return f"{isbn}_{rng.randint(1, 24)}" if rng.random() < 0.5 else isbn
        abbr = _journal_abbreviation(venue.title or "Esploro University")
        suffix = DOI_SUFFIXES.get(venue.publisher or "", _default_doi_suffix)
        return suffix(rng, abbr, day)

    def _description(self, topic_code: str, kind: str, venue: Venue) -> dict[str, Any]:
        """Subjects, keywords, the journal relation, the abstract and local notes."""
        rng = self.rng
        topic = TOPICS[topic_code]
        fields = list(topic.fields)
        if rng.random() < 0.3:  # interdisciplinary work draws subjects from a second field
            fields = list(dict.fromkeys([*fields, *TOPICS[rng.choice(TOPIC_CODES)].fields]))
        subjects = rng.sample(fields, _weighted(rng, (30, 40, 20, 10)))
        return {
            "subject.esploro": subjects or None,
            "keywords": self._keywords(topic) or None,
            "relationships": [self._is_part_of(venue)]
            if venue.issn and rng.random() < 0.9
            else None,
            "description.abstract": [{"language": "eng", "value": _abstract(rng, topic)}]
            if rng.random() < 0.85
            else None,
            "local.fields": self._local_fields() if rng.random() < 0.2 else None,
        }

    def _keywords(self, topic: Topic) -> list[dict[str, Any]]:
        """0-2 keyword groups ("eng"/"und") of 1-8 values; the second often repeats the first."""
        rng = self.rng
        pool = [*topic.terms, *GENERAL_TERMS]
        groups: list[dict[str, Any]] = []
        language = "eng" if rng.random() < 0.85 else "und"
        for _ in range(_weighted(rng, (25, 60, 15))):
            if groups and rng.random() < 0.5:
                values = list(groups[0]["values"])
            else:
                values = _keyword_values(rng, pool, 1 + _weighted(rng, KEYWORD_COUNT_WEIGHTS))
            groups.append({"language": language, "values": values})
            language = "und" if language == "eng" else "eng"
        return groups

    def _is_part_of(self, venue: Venue) -> dict[str, Any]:
        """The "ispartof" journal relation, keys in the captured order."""
        rng = self.rng
        first_page = rng.randint(1, 2400)
        relation: dict[str, Any] = {"relationtype": "ispartof", "relationtitle": venue.title}
        if rng.random() < 0.85:
            relation["issue"] = (
                rng.choice(ISSUES) if rng.random() < 0.05 else str(rng.randint(1, 12))
            )
        relation["volume"] = str(rng.randint(1, 120))
        relation["relationTypeWithDesc"] = {
            "value": "c.esploro.relation.asset.ispartof",
            "desc": "is part of",
        }
        relation["relationCategoryCodeWithDesc"] = {"value": "INTERNAL", "desc": "Internal"}
        relation["epage"] = str(first_page + rng.randint(3, 40))
        relation["spage"] = str(first_page)
        if rng.random() < 0.5:
            relation["identifier.eissn"] = venue.eissn
        relation["identifier.issn"] = venue.issn
        relation["relation.category"] = "INTERNAL"
        return relation

    def _local_fields(self) -> dict[str, str]:
        """All fifteen local notes, as real records carry them, a few of them filled."""
        notes = dict.fromkeys((f"local.note{n}" for n in range(1, 16)), "")
        for key in self.rng.sample(list(notes), self.rng.randint(1, 4)):
            notes[key] = self.rng.choice(LOCAL_NOTES)
        return notes


def _issn(rng: random.Random) -> str:
    base = _digits(rng, 7)
    return f"{base[:4]}-{base[4:]}{issn_checksum(base)}"


def _default_doi_suffix(rng: random.Random, abbr: str, day: dt.date) -> str:
    return f"{abbr}.{day.year}.{_digits(rng, 5)}"


def _creator_names(first: str, middle: str, last: str) -> dict[str, str]:
    """The name keys of a creator: display name, family and given names, middle if any."""
    names = {"creatorname": _full_name(first, middle, last), "familyname": last, "givenname": first}
    if middle:
        names["middlename"] = middle
    return names


def _affiliation_names(internal: Sequence[Author]) -> list[str] | None:
    """`asset.affiliation`: names of the units the internal creators belong to."""
    if not internal:
        return None
    codes = [author.org for author in internal if author.org]
    parents = [ORG_PARENTS[code] for code in codes if ORG_PARENTS.get(code)]
    ordered = dict.fromkeys(["UNIV", *codes, *parents])
    return [ORG_NAMES[code] for code in ordered if code is not None]


def generate_assets(
    seed: int, count: int, researchers: Sequence[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], str]]:
    """Yield `count` (asset record, update date "YYYY-MM-DD") pairs for `seed`.

    Many creators are taken from `researchers` (linked by `almaUserId`, named and ORCID'd as
    in their profiles), the rest are external people. The captured real asset's ID is never
    used: the store loads that asset itself.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    factory = _AssetFactory(seed, researchers)
    for _ in range(count):
        yield factory.make()
