"""People: name cultures, persons, and the Latin, ASCII and slug forms of their names.

Names are grouped by culture so that a person's given and family names belong together, and
they come from many scripts, with apostrophes, particles and diacritics, because real
researchers' names do.
"""

# Confusable characters (the dotless i, the ʻokina, letters from many scripts) are the point of
# this module's name lists, so ruff's ambiguous-character checks are off for this file only.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import random
import unicodedata
from typing import NamedTuple


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
