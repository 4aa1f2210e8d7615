"""The places of Kazakhstan (`data/gazetteer.json`) and a matcher that finds them in free text.

The data: 17 regions and 3 cities of republican significance as of the 2022 reform, and a few
hundred settlements (every region centre, district centres, towns), each with its names in
Kazakh (Cyrillic and 2021 Latin), Russian and English, aliases (old names, other spellings),
coordinates, population and region. `gazetteer_build.py` makes the file from GeoNames data.

Recognition. Text and names are folded with `bot.text.skeleton.fold`, which writes
Kazakh (Cyrillic with or without its special letters, Latin 2018/2021/ASCII), Russian and English
as one lossy ASCII skeleton ("Қарағанды", "Караганды", "Qaraǵandy" -> "karagandi"). A name then
matches a word of the text when the word is the name plus an ending: Kazakh case, possessive
and -лық endings (Алматыда, Алматыдағы, Шымкенттен, Алматылықпын), Russian case endings, with
the final -а replaced for names in -а (в Караганде, Астаной), and the adjective -ский. A name of
several words (Усть-Каменогорск, Нур-Султан, West Kazakhstan) matches those words in order,
only the last one inflected. A region matches only with a word for "region" next to it (Алматы
облысы, Туркестанской области, Akmola Region, область Абай), unless its name says it alone
(ВКО, West Kazakhstan, Жетісу); and where the region's phrase and a settlement's name overlap,
the longer phrase wins ("Түркістан облысы" is the region, "Түркістан" the city).

Scripts. A word with a letter only Kazakh has (қ, ғ, ө, ... or ǵ, ń in Latin) is matched only
against Kazakh spellings, and Russian endings go only on Russian spellings: "қарағанда"
("compared to") is not Караганда, "оралу" ("to return") is not Орал.

Typos. The official names of towns (region centres, places of 20,000 people or more) also match
with one typo, never in the first letter: from 8 letters (folded) any one letter missing, extra,
wrong, or two neighbours swapped, with any ending; at 6 and 7 letters only a letter too many or
two neighbours swapped (at 6, only in a word without an ending). Looser rules matched ordinary
Kazakh words (көршім "my neighbour" for Күршім, аралық "between" for Арқалық, алмайтын for
Алматы, асырау "child support" for Атырау).

Ordinary words. Names that are also everyday words or people's names ("Жақсы", "Абай", "Шу";
`common_words` in the data) count only next to a word that says a settlement is meant (г.,
город, село, ауылы, қаласы, ...), after a Russian preposition of place (в, из, до) or with a
Kazakh ending of place (Шуда, Жақсыдан). Names that are Russian words in lower case ("семей",
"of families"; `capitalised_words`) count in Cyrillic only when capitalised or so marked.
Aliases shorter than 4 letters are not matched ("Ili" would be "или").

`find` returns the most specific place mentioned: a settlement beats a region; among equals, an
exact match beats a typo, then the larger population wins.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.languages import LANGUAGES
from bot.text.skeleton import fold

__all__ = [
    "DATA_FILE",
    "LANGUAGES",
    "Gazetteer",
    "Names",
    "Place",
    "default",
    "great_circle_km",
    "is_kazakh_spelling",
    "spelling_class",
]

DATA_FILE = Path(__file__).with_name("data") / "gazetteer.json"
EARTH_RADIUS_KM = 6371.0088
# Kazakhstan's extent with a margin of a few kilometres: 40.5-55.5 N, 46.4-87.4 E.
LAT_RANGE = (40.5, 55.5)
LON_RANGE = (46.4, 87.4)


def in_kazakhstan(lat: float, lon: float) -> bool:
    """Inside Kazakhstan's extent (the box, not the border)."""
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


Kind = Literal["region", "city", "settlement"]


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle (haversine) distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Names:
    kk: str
    kk_latn: str
    ru: str
    en: str


@dataclass(frozen=True)
class Place:
    id: str
    kind: Kind
    region: str  # a region's id; a region or a city of republican significance is its own
    names: Names
    aliases: tuple[str, ...]
    lat: float  # for a region, its centre's
    lon: float
    population: int | None  # None for a region: the sources give none
    centre: bool  # a region's centre (a city of republican significance is its own)
    source: str  # "GeoNames" or "curated"
    geonames_id: int | None = None
    checked_km: float | None = None  # distance to the independent point named by `check`
    check: str | None = None

    @property
    def is_settlement(self) -> bool:
        """A settlement or a city of republican significance, as opposed to a region."""
        return self.kind != "region"


# --- endings -----------------------------------------------------------------------------------
# Written in Cyrillic and folded like the text, so that one list covers every script.


def _folded(endings: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(e).replace(" ", "") for e in endings)


_KK_CASES = (
    "", "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен", "нан", "нен",
    "ға", "ге", "қа", "ке", "на", "не", "а", "е", "ны", "ні", "ды", "ді", "ты", "ті", "н",
    "ның", "нің", "дың", "дің", "тың", "тің", "мен", "бен", "пен", "дағы", "дегі", "тағы",
    "тегі", "ндағы", "ндегі", "дай", "дей", "тай", "тей", "ша", "ше", "ға", "ғы", "гі",
)  # fmt: skip
_KK_POSSESSIVES = (
    "", "ы", "і", "сы", "сі", "м", "ым", "ім", "ң", "ың", "ің", "мыз", "міз", "ымыз", "іміз",
)  # fmt: skip
# -лық: "of/from the place" (алматылық, шымкенттік), and what may follow it.
_KK_OF = ("лық", "лік", "дық", "дік", "тық", "тік", "лы", "лі", "ды", "ді", "ты", "ті")
_KK_AFTER_OF = (
    "", "пын", "пін", "пыз", "піз", "сың", "сің", "тар", "тер", "қа", "ке", "ты", "ті", "тың",
    "тің", "пен", "тан", "тен", "тарға", "терге", "тардың", "тердің", "тарды", "терді",
)  # fmt: skip
_RU_AFTER_CONSONANT = (
    "а", "у", "е", "ом", "ем", "ой", "ей", "ы", "и", "ю", "я", "ою", "ею",
    "ий", "ая", "ое", "ого", "ому", "ую", "ие", "их", "им", "ими",
    "ский", "ская", "ское", "ского", "скому", "ском", "ской", "скую", "ские", "ских", "ским",
    "цы", "ец", "цев",
)  # fmt: skip
_RU_FOR_FINAL_A = (
    "ы", "е", "у", "ой", "ою", "и", "ю", "я", "ей",
    "инский", "инская", "инское", "инского", "инскому", "инском", "инской", "инскую", "инские",
    "инских", "инцы", "инец",
)  # fmt: skip
_ADJECTIVE = ("ая", "ой", "ую", "ое", "ого", "ому", "ом", "ий", "ый", "ие", "ые", "их", "ым", "им", "ыми", "ими", "ей", "яя", "юю", "ее", "его")  # fmt: skip  # noqa: E501

# "I am / we are / you are" after "in" or "from": Алматыдамын, Ақтөбеденмін.
_KK_PLACE_CASES = (
    "да", "де", "та", "те", "нда", "нде", "дан", "ден", "тан", "тен", "нан", "нен",
    "дағы", "дегі", "тағы", "тегі",
)  # fmt: skip
_KK_PREDICATIVES = ("мын", "мін", "быз", "біз", "сың", "сің", "сыз", "сіз", "пын", "пін")

_KK_ENDINGS = (
    _folded(p + c for p in _KK_POSSESSIVES for c in _KK_CASES)
    | _folded(o + a for o in _KK_OF for a in _KK_AFTER_OF)
    | _folded(c + p for c in _KK_PLACE_CASES for p in _KK_PREDICATIVES)
)
# Endings that, on a name that is also an ordinary word, show that the place is meant: Шуда,
# Жақсыдан, Абайлықпын.
_PLACE_ENDINGS = _folded(
    (*_KK_PLACE_CASES, *(c + p for c in _KK_PLACE_CASES for p in _KK_PREDICATIVES),
     *(o + a for o in _KK_OF[:6] for a in _KK_AFTER_OF))
)  # fmt: skip
_RU_ENDINGS = _folded(_RU_AFTER_CONSONANT)
_RU_A_ENDINGS = _folded(_RU_FOR_FINAL_A)
# Russian names in -ай, -ей, -ой decline without the й: Аксай, в Аксае; Семей, в Семее.
_RU_I_ENDINGS = _folded(("е", "я", "ю", "ем", "ского", "ском", "ский", "ская", "ской"))
_ADJ_ENDINGS = _folded(_ADJECTIVE)

# An inflected word is a stem and an ending; the class says which stems take it: "kk" a Kazakh
# ending on the whole name, "ru" a Russian ending on the whole name, "a" a Russian ending on the
# name without its final -a (Караганда -> Караганде). Where the name ends with the letter the
# ending starts with, folding has merged the two (Шымкент+тен -> "shimkenten").
_KK, _RU, _DROP_A, _DROP_I = "kk", "ru", "a", "i"


def _suffix_table() -> dict[str, tuple[tuple[str, str], ...]]:
    table: dict[str, set[tuple[str, str]]] = {}
    classes = (
        (_KK, _KK_ENDINGS),
        (_RU, _RU_ENDINGS),
        (_DROP_A, _RU_A_ENDINGS),
        (_DROP_I, _RU_I_ENDINGS),
    )
    for cls, endings in classes:
        for ending in endings:
            table.setdefault(ending, set()).add((cls, ""))
            # Not -лық, -лы after л: Kazakh has -дық there (Арал -> Аралдық), and "аралық" is
            # "between", not Арал+лық.
            if ending and ending[0] != "l":
                table.setdefault(ending[1:], set()).add((cls, ending[0]))
    return {k: tuple(sorted(v)) for k, v in table.items()}


_SUFFIXES = _suffix_table()
_MAX_SUFFIX = max(map(len, _SUFFIXES))
_MIN_STEM = 2
# An adjective's ending is cut only when this many letters stay («Шығыс», not «Ая»).
_MIN_ADJECTIVE_STEM = 4
# Names of this many letters or more may match with one typo, if they are the official names of a
# town (a region centre, or 20,000 people or more): with every village and old name, one edit
# away from a name is too often an ordinary Kazakh word (көршім, қашан, қатысты).
_FUZZY_LETTERS = 6
_FUZZY_POPULATION = 20_000
_MIN_ALIAS = 4  # aliases shorter than this (folded) are not matched: "Ili" is "или"

# Letters that only Kazakh writing has, in either script: a word with one of them is Kazakh, and
# is matched only against Kazakh names (so "қарағанда", "compared to", is not Караганда).
_KAZAKH_LETTERS = frozenset("әғқңөұүһіǵńúóáıýşğñüöäq")
_KAZAKH_SPELLING = frozenset("әғқңөұүһіǵńúóáıý")
_WORD = re.compile(r"[^\W_]+")

# Words that say "region" (a region's name matches only next to one of them).
_REGION_WORDS = frozenset({"region", "regions", "province"})
# Words that say "a settlement" next to a name that is also an ordinary word.
_BEFORE_SETTLEMENT = _folded(
    (
        "г", "гор", "город", "города", "городе", "городу", "городом", "с", "село", "села", "селе",
        "селу", "п", "пос", "поселок", "поселка", "поселке", "пгт", "аул", "аула", "ауле", "ауыл",
        "ст", "станция", "станции", "town", "village", "city", "settlement",
    )
)  # fmt: skip
# Russian prepositions of place: "в Шу", "из Шу", "до Абая".
_PREPOSITIONS = _folded(("в", "во", "из", "до", "под", "около"))
_AFTER_SETTLEMENT = tuple(
    fold(p) for p in ("қала", "ауыл", "аудан", "кент", "село", "район", "town", "village", "city")
)


def _is_region_word(token: str) -> bool:
    return token.startswith("obl") or token in _REGION_WORDS


# --- phrases -----------------------------------------------------------------------------------
# A name as a sequence of token patterns: ("x", word) exactly that word, ("j", stem) an adjective
# with any ending (Карагандинская, -ой, -ую), ("o", "") a word for "region", ("n", word) the name
# word with any ending (only last).

_Token = tuple[str, str]


@dataclass(frozen=True)
class _Phrase:
    place: int
    tokens: tuple[_Token, ...]
    common: bool  # an ordinary word too: needs a settlement word next to it
    capitalised: bool  # an ordinary Russian word in lower case (семей, "of families")
    kazakh: bool  # a Kazakh spelling, that Kazakh-only words may match
    russian: bool  # a Russian spelling (or one that folds like it): takes Russian endings
    fuzzy: bool  # may match with one typo


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    place: Place
    fuzzy: bool

    def rank(self) -> tuple[int, int, int]:
        return (int(self.place.is_settlement), int(not self.fuzzy), self.place.population or 0)


def _tokens_of(name: str, region: bool) -> tuple[_Token, ...] | None:
    words = fold(name).split()
    if not words:
        return None
    tokens: list[_Token] = []
    for n, word in enumerate(words):
        last = n == len(words) - 1
        if region and _is_region_word(word):
            tokens.append(("o", ""))
        elif last:
            tokens.append(("n", word))
        else:
            adjective = next(
                (e for e in sorted(_ADJ_ENDINGS, key=len, reverse=True) if word.endswith(e)), None
            )
            if adjective and len(word) - len(adjective) >= _MIN_ADJECTIVE_STEM:
                tokens.append(("j", word[: -len(adjective)]))
            else:
                tokens.append(("x", word))
    if region and ("o", "") not in tokens and len(words) == 1 and len(words[0]) <= 3:
        # ВКО, ЗКО: abbreviations match only as they are.
        tokens[-1] = ("x", words[0])
    return tuple(tokens)


def _osa_is_one(a: str, b: str) -> bool:
    """Whether two different words are one edit apart (insertion, deletion, substitution or a
    swap of two neighbours)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Gazetteer:
    """The places and the matcher. Build one with `Gazetteer.load()` or use `default()`."""

    def __init__(
        self,
        places: Iterable[Place],
        common_words: Iterable[str] = (),
        capitalised_words: Iterable[str] = (),
    ) -> None:
        self._places: tuple[Place, ...] = tuple(sorted(places, key=lambda p: p.id))
        self._by_id: dict[str, Place] = {p.id: p for p in self._places}
        if len(self._by_id) != len(self._places):
            raise ValueError("duplicate place ids")
        self._common = frozenset(fold(w) for w in common_words)
        self._capitalised = frozenset(fold(w) for w in capitalised_words)
        self._phrases: list[_Phrase] = []
        # Phrases by their first token: exact word, adjective stem, region word, or (class, stem)
        # of a one-word name; and the one-word names that allow a typo by their deletions.
        self._by_word: dict[str, list[int]] = {}
        self._by_adjective: dict[str, list[int]] = {}
        self._by_region_word: list[int] = []
        self._by_stem: dict[tuple[str, str], list[int]] = {}
        self._by_deletion: dict[str, set[tuple[str, str, int]]] = {}
        for n, place in enumerate(self._places):
            self._index(n, place)

    # --- loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        """The gazetteer in a JSON file made by `gazetteer_build` (by default the one here)."""
        data = json.loads((path or DATA_FILE).read_text(encoding="utf-8"))
        return cls(
            (_place(p) for p in data["places"]),
            data.get("common_words", ()),
            data.get("capitalised_words", ()),
        )

    def _index(self, n: int, place: Place) -> None:
        region = place.kind == "region"
        names = place.names
        official = {names.kk, names.kk_latn, names.ru, names.en}
        kazakh = {names.kk, names.kk_latn} | {a for a in place.aliases if _is_kazakh(a)}
        kazakh_folded = {fold(k) for k in kazakh}
        # Russian endings go on the Russian name and on whatever folds like a Russian spelling
        # ("Karaganda" like "Караганда"), not on a Kazakh name ("Орал": "оралу" is "to return").
        russian = {
            fold(a) for a in (names.ru, *place.aliases) if not _is_kazakh(a) and _is_cyrillic(a)
        }
        typo_ok = not region and (place.centre or (place.population or 0) >= _FUZZY_POPULATION)
        seen: set[tuple[tuple[_Token, ...], bool, bool]] = set()
        # Official names first: an alias spelt like one adds nothing (and may not allow typos).
        for name in [*sorted(official), *sorted(set(place.aliases) - official)]:
            tokens = _tokens_of(name, region)
            if not tokens:
                continue
            too_short = len(fold(name).replace(" ", "")) < _MIN_ALIAS
            if name not in official and too_short and not (region and tokens[0][0] == "x"):
                continue
            if region and ("o", "") not in tokens and name in official:
                continue  # a region's own name counts only with a word for "region"
            is_kazakh = fold(name) in kazakh_folded
            is_russian = fold(name) in russian
            key = (tokens, is_kazakh, is_russian)
            if key in seen:
                continue
            seen.add(key)
            phrase = _Phrase(
                place=n,
                tokens=tokens,
                common=fold(name) in self._common,
                capitalised=fold(name) in self._capitalised,
                kazakh=is_kazakh,
                russian=is_russian,
                fuzzy=typo_ok
                and name in official
                and sum(c.isalpha() for c in name.split()[-1]) >= _FUZZY_LETTERS,
            )
            phrase_id = len(self._phrases)
            self._phrases.append(phrase)
            kind, word = tokens[0]
            if kind == "x":
                self._by_word.setdefault(word, []).append(phrase_id)
            elif kind == "j":
                self._by_adjective.setdefault(word, []).append(phrase_id)
            elif kind == "o":
                self._by_region_word.append(phrase_id)
            else:
                for stem_key in self._stems(phrase):
                    self._by_stem.setdefault(stem_key, []).append(phrase_id)
                    if phrase.fuzzy:
                        stem = stem_key[1]
                        for deletion in _deletions(stem) | {stem}:
                            entry = (stem_key[0], stem, phrase_id)
                            self._by_deletion.setdefault(deletion, set()).add(entry)

    @staticmethod
    def _stems(phrase: _Phrase) -> list[tuple[str, str]]:
        """The (class, stem) pairs under which the phrase's last word is found."""
        kind, word = phrase.tokens[-1]
        if kind != "n":
            return []
        stems = [(_KK, word)]
        if phrase.russian:
            stems.append((_RU, word))
            if word.endswith("a") and len(word) >= 5:
                stems.append((_DROP_A, word[:-1]))
            if len(word) >= 4 and word[-1] == "i" and word[-2] in "aeou":
                stems.append((_DROP_I, word[:-1]))
        return stems

    # --- lookup --------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Place]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)

    def get(self, place_id: str) -> Place | None:
        return self._by_id.get(place_id)

    def regions(self) -> list[Place]:
        """The 17 regions and the 3 cities of republican significance: the cities first, then
        the regions, each group by English name."""
        top = [p for p in self._places if p.kind in ("city", "region")]
        return sorted(top, key=lambda p: (p.kind != "city", p.names.en))

    def settlements_in(self, region_id: str) -> list[Place]:
        """The settlements of a region (for a city of republican significance, the city and the
        settlements inside it), the most populous first."""
        found = [p for p in self._places if p.is_settlement and p.region == region_id]
        return sorted(found, key=lambda p: (-(p.population or 0), p.id))

    def centre_of(self, region_id: str) -> Place | None:
        """A region's administrative centre (a city of republican significance is its own)."""
        return next((p for p in self.settlements_in(region_id) if p.centre), None)

    @staticmethod
    def name(place: Place, language: str) -> str:
        """The place's name in "kk", "ru" or "en" ("kk_latn" for Kazakh in Latin letters)."""
        if language not in (*LANGUAGES, "kk_latn"):
            raise ValueError(f"unknown language {language!r}")
        value: str = getattr(place.names, language)
        return value

    def nearest(self, lat: float, lon: float) -> Place:
        """The settlement (or city) nearest to a point, by great-circle distance."""
        return min(
            (p for p in self._places if p.is_settlement),
            key=lambda p: (great_circle_km(lat, lon, p.lat, p.lon), p.id),
        )

    # --- recognition ---------------------------------------------------------------------------

    def find(self, text: str) -> Place | None:
        """The most specific place mentioned in the text, or None."""
        found = self.find_mention(text)
        return found[2] if found else None

    def find_mention(self, text: str) -> tuple[int, int, Place] | None:
        """`find`'s place with where the text names it: (start, end) character offsets."""
        return self.read(text)[1]

    def read(self, text: str) -> tuple[list[tuple[int, int, Place]], tuple[int, int, Place] | None]:
        """`mentions` and `find_mention` of the text, from one reading of it."""
        matches = self._matches(text)
        if not matches:
            return [], None
        words = [m for m in _WORD.finditer(text) if fold(m.group())]

        def offsets(match: _Match) -> tuple[int, int, Place]:
            return words[match.start].start(), words[match.end - 1].end(), match.place

        best = max(matches, key=lambda m: (m.rank(), -m.start))
        return sorted((offsets(m) for m in matches), key=lambda f: f[0]), offsets(best)

    def find_all(self, text: str) -> list[Place]:
        """Every place mentioned in the text, in the order they appear, each once."""
        out: list[Place] = []
        for match in sorted(self._matches(text), key=lambda m: m.start):
            if match.place not in out:
                out.append(match.place)
        return out

    def mentions(self, text: str) -> list[tuple[int, int, Place]]:
        """Every place mentioned, with where: (start, end) character offsets in the text."""
        return self.read(text)[0]

    def _matches(self, text: str) -> list[_Match]:
        # mentions() maps these word indices back to the text: keep the two lists alike.
        words = [w for w in _WORD.findall(text) if fold(w)]
        tokens = [fold(w).replace(" ", "") for w in words]
        kazakh = [bool(set(w.lower()) & _KAZAKH_LETTERS) for w in words]
        decompositions = [self._decompose(t) for t in tokens]
        found: list[_Match] = []
        for i, token in enumerate(tokens):
            # A Kazakh word spelt exactly like a Russian name is a Kazakh word ("қарағанда",
            # "compared to"), not a typo for the Kazakh name (Қарағанды).
            not_kazakh: set[int] = set()
            for phrase_id, typo in self._candidates(token, decompositions[i]):
                phrase = self._phrases[phrase_id]
                end = self._match_rest(phrase, tokens, decompositions, i)
                if end is None or (typo and phrase.place in not_kazakh):
                    continue
                if any(kazakh[i:end]) and not phrase.kazakh:
                    not_kazakh.add(phrase.place)
                    continue
                place_word = self._settlement_word_near(tokens, i, end) or self._place_ending(
                    phrase, tokens[end - 1]
                )
                if phrase.common and not (place_word or (i > 0 and tokens[i - 1] in _PREPOSITIONS)):
                    continue
                lower_cyrillic = _is_cyrillic(words[i]) and not words[i][:1].isupper()
                if phrase.capitalised and lower_cyrillic and not place_word:
                    continue
                if end - i > 1 and not self._exact_last(phrase, decompositions[end - 1]):
                    typo = True
                found.append(_Match(i, end, self._places[phrase.place], typo))
        return self._without_overlaps(found)

    @staticmethod
    def _decompose(token: str) -> list[tuple[str, str]]:
        """Every (class, stem) the token may be: a stem and an ending of that class."""
        out: list[tuple[str, str]] = []
        for length in range(min(_MAX_SUFFIX, len(token) - _MIN_STEM) + 1):
            suffix = token[len(token) - length :] if length else ""
            stem = token[: len(token) - length]
            for cls, merged in _SUFFIXES.get(suffix, ()):
                if merged and stem[-1] != merged:
                    continue
                out.append((cls, stem))
        return out

    def _candidates(
        self, token: str, decomposition: list[tuple[str, str]]
    ) -> Iterator[tuple[int, bool]]:
        yield from ((p, False) for p in self._by_word.get(token, ()))
        if _is_region_word(token):
            yield from ((p, False) for p in self._by_region_word)
        for stem in _adjective_stems(token):
            yield from ((p, False) for p in self._by_adjective.get(stem, ()))
        exact: set[int] = set()
        for key in decomposition:
            exact.update(self._by_stem.get(key, ()))
        yield from ((p, False) for p in sorted(exact))
        typos: set[int] = set()
        for cls, stem in decomposition:
            if len(stem) < _FUZZY_LETTERS - 1:
                continue  # a deletion typo of a 6-letter name; _typo decides
            for deletion in _deletions(stem) | {stem}:
                for name_cls, name_stem, phrase_id in self._by_deletion.get(deletion, ()):
                    if (
                        name_cls == cls
                        and phrase_id not in exact
                        and _typo(stem, name_stem, stem == token)
                    ):
                        typos.add(phrase_id)
        yield from ((p, True) for p in sorted(typos))

    def _match_rest(
        self,
        phrase: _Phrase,
        tokens: list[str],
        decompositions: list[list[tuple[str, str]]],
        start: int,
    ) -> int | None:
        """Where the phrase that starts at `start` ends (exclusive), or None if it does not."""
        end = start + len(phrase.tokens)
        if end > len(tokens):
            return None
        for offset, (kind, word) in enumerate(phrase.tokens[1:], 1):
            token = tokens[start + offset]
            if kind == "x" and token != word:
                return None
            if kind == "o" and not _is_region_word(token):
                return None
            if kind == "j" and word not in _adjective_stems(token):
                return None
            if kind == "n" and not self._exact_last(phrase, decompositions[start + offset]):
                stems = self._stems(phrase) if phrase.fuzzy else []
                if not any(
                    cls == name_cls and _typo(stem, name_stem, stem == token)
                    for cls, stem in decompositions[start + offset]
                    for name_cls, name_stem in stems
                ):
                    return None
        return end

    def _exact_last(self, phrase: _Phrase, decomposition: list[tuple[str, str]]) -> bool:
        if phrase.tokens[-1][0] != "n":
            return True
        return any(key in decomposition for key in self._stems(phrase))

    def _place_ending(self, phrase: _Phrase, token: str) -> bool:
        """Whether the word is the phrase's last word with a Kazakh ending of place."""
        word = phrase.tokens[-1][1]
        return token.startswith(word[:-1]) and any(
            token == _join(word, ending) for ending in _PLACE_ENDINGS
        )

    @staticmethod
    def _settlement_word_near(tokens: list[str], start: int, end: int) -> bool:
        before = tokens[start - 1] if start > 0 else ""
        after = tokens[end] if end < len(tokens) else ""
        return before in _BEFORE_SETTLEMENT or after.startswith(_AFTER_SETTLEMENT)

    @staticmethod
    def _without_overlaps(matches: list[_Match]) -> list[_Match]:
        """Keep the longest phrases; among those covering the same words, the best ranked."""
        chosen: list[_Match] = []
        taken: set[int] = set()
        order = sorted(
            matches,
            key=lambda m: (m.start - m.end, tuple(-r for r in m.rank()), m.start, m.place.id),
        )
        for match in order:
            span = set(range(match.start, match.end))
            if span & taken:
                continue
            chosen.append(match)
            taken |= span
        return chosen


_DOUBLED = re.compile(r"([a-z])\1+")


def _join(stem: str, ending: str) -> str:
    """A folded stem and ending as folding writes them together (doubled letters merged)."""
    return _DOUBLED.sub(r"\1", stem + ending)


def _is_cyrillic(name: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in name)


def _is_kazakh(name: str) -> bool:
    return is_kazakh_spelling(name)


def is_kazakh_spelling(name: str) -> bool:
    """A spelling only Kazakh uses: it has a letter of the Kazakh Cyrillic or 2021 Latin alphabet
    that Russian and English lack."""
    return bool(set(name.lower()) & _KAZAKH_SPELLING)


def spelling_class(name: str) -> str:
    """ "kk" (a Kazakh spelling), "cyrl" (other Cyrillic) or "latn"."""
    if is_kazakh_spelling(name):
        return "kk"
    return "cyrl" if _is_cyrillic(name) else "latn"


def _adjective_stems(token: str) -> Iterator[str]:
    for ending in _ADJ_ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= _MIN_ADJECTIVE_STEM:
            yield token[: -len(ending)]


def _typo(typed: str, name: str, whole: bool) -> bool:
    """Whether a typed stem is the name's stem with one typo, never in the first letter. From 8
    letters (folded) any one typo; at 7 only a letter too many or two neighbours swapped; at 6
    the same, and only in a word without an ending. (Anything looser matched ordinary words:
    "аралық", "between", for Арқалық; "алмайтын" for Алматы; "асырау", "child support", for
    Атырау.) `whole`: the typed stem is the whole word."""
    if typed[0] != name[0] or not _osa_is_one(typed, name):
        return False
    if len(name) >= _FUZZY_LETTERS + 2:
        return len(typed) >= _FUZZY_LETTERS + 1
    longer_or_swapped = len(typed) > len(name) or sorted(typed) == sorted(name)
    return longer_or_swapped and (whole or len(name) > _FUZZY_LETTERS)


def _place(data: Mapping[str, Any]) -> Place:
    names = data["names"]
    return Place(
        id=data["id"],
        kind=data["kind"],
        region=data["region"],
        names=Names(kk=names["kk"], kk_latn=names["kk_latn"], ru=names["ru"], en=names["en"]),
        aliases=tuple(data["aliases"]),
        lat=float(data["lat"]),
        lon=float(data["lon"]),
        population=data["population"],
        centre=bool(data["centre"]),
        source=data["source"],
        geonames_id=data.get("geonames_id"),
        checked_km=data.get("checked_km"),
        check=data.get("check"),
    )


@functools.cache
def default() -> Gazetteer:
    """The gazetteer shipped with the bot, loaded once."""
    return Gazetteer.load()
