"""Vocabulary: research domains, title, abstract and bio templates, and other word lists.

These are the words keywords, titles, abstracts and profiles are built from, kept apart from
the code that assembles records. Terms are written as they appear mid-sentence; `_capitalised`
makes a heading of them. Some entries are deliberately awkward (formula-like values, Excel's
literal `_x000D_`, typographic dashes and quotes, Greek letters) because real data is.
"""

# Confusable characters (en dashes, Greek letters) are the point of this module's
# vocabularies, so ruff's ambiguous-character checks are off for this file only.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import NamedTuple

# Typographic characters in title templates, named so a reader can tell them from ASCII.
EN_DASH = "\u2013"
OPEN_QUOTE = "\u201c"
CLOSE_QUOTE = "\u201d"


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

# Each domain's label in the ResearchTopicsLabels code table (numeric codes, some with a
# leading zero), and labels no domain owns that profiles add as further topics.
TOPIC_LABELS: dict[str, str] = {
    "AI": "1004010", "CLIMATE": "0401020", "PUBLIC_HEALTH": "1117000", "MATERIALS": "0912000",
    "QUANTUM": "0105010", "LINGUISTICS": "2004000", "HISTORY": "2103000", "ECONOMICS": "1401000",
    "NEUROSCIENCE": "1109000", "EDUCATION": "1301000", "ECOLOGY": "0602000", "LAW": "1801000",
    "MUSIC": "1904020", "ENERGY": "0906030", "GENOMICS": "0604000", "MARINE": "0405000",
}
EXTRA_TOPIC_LABELS = ("1004068", "0201000")  # Web Analytics, Agriculture
TOPIC_OF_LABEL: dict[str, str] = {label: topic for topic, label in TOPIC_LABELS.items()}

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
