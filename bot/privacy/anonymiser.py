"""Anonymising a question the bot did not understand before it is kept for outreach teams.

Privacy first, then readability. A word stays only when it is ordinary vocabulary: a word that
the bot's own texts use in lower case (its content and its training examples, in the three
languages), compared through the one skeleton every script folds to (`bot.text.skeleton`), so
that "qaryz" is known from "қарыз". Everything else is masked:

- links, e-mail addresses, @usernames, anything with a digit (one `[number]` for a phone
  number, a date or an ID however it is spaced), and spelled-out numbers ("восемь семь семь",
  "jeti bes") or a number word after "кв", "дом", "үй", "tel";
- `[name]`: a capitalised word inside a sentence (Ş, Ä, Ğ, Ö, Ü, Ū, İ, Ñ too), a capitalised
  word that starts a sentence and is not ordinary vocabulary, a surname or patronymic form
  (-ов, -ева, -ұлы, -qyzy, -ovich...) that is not an inflected common noun, and an unknown word
  next to one of those or after "сосед", "күйеуім", "husband"...;
- `[place]`: the word after a street word ("улица", "ул.", "проспект", "мкр", "street") or
  before a Kazakh or English one ("көшесі", "даңғылы", "avenue"), and settlements the
  gazetteer finds (regions and the three cities of republican significance stay: they name
  no one);
- `[word]`: any other word that is not ordinary vocabulary (a rare name typed in lower case
  looks like any rare word).

When most words are capitalised (or the whole text is in capitals), capitals say nothing, and
vocabulary alone decides.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.config import ROOT
from bot.places.gazetteer import Gazetteer
from bot.places.gazetteer import default as default_gazetteer
from bot.text.skeleton import fold

__all__ = ["MAX_CHARS", "Anonymiser", "anonymise", "default", "vocabulary_from"]

MAX_CHARS = 200
NAME, PLACE, NUMBER, WORD = "[name]", "[place]", "[number]", "[word]"
LINK, EMAIL, USER = "[link]", "[email]", "[user]"

# Where the ordinary vocabulary comes from: what the bot says and the examples it learnt from.
SOURCES = (ROOT / "content", ROOT / "rasa_project" / "data" / "nlu")
RUSSIAN_SOURCES = (ROOT / "content" / "ru", ROOT / "rasa_project" / "data" / "nlu" / "ru.yml")

_TOKEN = re.compile(
    r"(?P<link>(?:https?://|www\.)\S*[^\s.,;:!?)»\"'])"
    r"|(?P<email>[^\s@]+@[^\s@]+\.[^\s@.,;:!?)»\"']+)"
    r"|(?P<user>@\w+)"
    r"|(?P<number>\+?\w*\d\w*)"
    r"|(?P<word>[^\W\d_]+(?:['’`-][^\W\d_]+)*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.S,
)
_LETTERS = re.compile(r"[^\W\d_]+")
# Training examples mark entities: [Тараз](place), [алимент]{"entity": ...}.
_ANNOTATION = re.compile(r"\]\([^)]*\)|\]\{[^}]*\}|\[")
_SENTENCE_END = frozenset(".!?…\n")
# Between the digits and number words of one phone number, date or ID.
_NUMBER_GLUE = frozenset("-()+./")


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(w) for w in words.split())


# Function words of the three languages: never a name, even capitalised ("I", "Вы").
STOPWORDS = _folded(
    """
    я мы ты вы он она оно они меня мне мной нас нам нами тебя тебе вас вам вами его ему им
    ими её ее ей их мой моя моё мое мои моего моей моему моим моих мою наш наша наше наши
    нашего нашей нашему нашим наших нашу твой твоя твоё твои ваш ваша ваше ваши вашего вашей
    свой своя своё свои свою своего своей этот эта это эти этого этой этому этим тот та то те
    того той кто что как где когда куда откуда почему зачем сколько какой какая какое какие
    и а но или да нет не ни же ли бы в во на с со к ко по о об от из до за под над при про
    для без у через между после перед около уже ещё только тоже также очень всё все весь вся
    там тут здесь если чтобы потому так ну вот
    мен сен сіз ол біз сендер сіздер олар менің сенің сіздің оның біздің олардың маған саған
    сізге оған бізге оларға мені сені сізді оны бізді оларды бұл осы сол анау мына ана не кім
    қайда қашан қалай неге неше қанша қандай және бен пен да де та те бірақ немесе ма ме ба бе
    па пе ғой емес жоқ иә үшін туралы арқылы дейін кейін бойынша соң сияқты тағы ғана әлі
    барлық бәрі өз
    i me my mine we us our you your he him his she her it its they them their this that these
    those who what where when why how which and or but not no yes to of in on at by for with
    from about as is are was were be been am do does did have has had a an the so if then
    than there here can could would should will may might must i'm i've i'd i'll
    """
)
# Spelled-out numbers: "tel vosem sem sem odin", "jeti bes", "seven seven".
NUMBER_WORDS = _folded(
    """
    ноль нуль один одна одно два две три четыре пять шесть семь восемь девять десять
    одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать
    восемнадцать девятнадцать двадцать тридцать сорок пятьдесят шестьдесят семьдесят
    восемьдесят девяносто сто двести триста четыреста пятьсот тысяча тысячи
    nol odin odna dva dve tri chetyre pyat shest sem vosem devyat desyat dvadtsat tridtsat
    нөл бір екі үш төрт бес алты жеті сегіз тоғыз он жиырма отыз қырық елу алпыс жетпіс
    сексен тоқсан жүз мың
    zero oh one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy
    eighty ninety hundred thousand
    """
)
# Number words that are ordinary words too (он "he", "on", "oh", мың/"min"): only inside a run.
_AMBIGUOUS_NUMBERS = _folded("он on oh one мың")
# After these a single number word is a flat, a house, a floor or a phone number.
HOUSE_WORDS = _folded(
    """
    кв квартира квартиры квартире квартиру дом дома доме д корпус подъезд этаж тел телефон
    номер kv kvartira dom korpus podezd etazh tel telefon nomer
    үй үйі үйдің пәтер пәтері нөмір нөмірі телефоны ui uy pater nomir
    flat apt apartment house no phone number tel
    """
)
# A street's name follows these: "улица Абая", "ул. Абая", "ulitse abaya", "мкр Самал".
_STREET_BEFORE_PREFIXES = tuple(
    fold(w)
    for w in (
        "улиц ulits ulic проспект prospekt переул pereul бульвар bulvar шоссе shosse "
        "микрорайон mikroraion mikrorayon квартал kvartal тупик tupik проезд proezd "
        "площад ploshad"
    ).split()
)
_STREET_BEFORE = _folded("ул ul пр пр-т пр-кт пер б-р мкр mkr жк zhk jk тұйық")
# ... and precedes these: "Абай көшесі", "Абай даңғылында", "Abay Street".
_STREET_AFTER_PREFIXES = tuple(
    fold(w) for w in "көше koshe köshe даңғыл dangyl dańǵyl ықшамаудан".split()
)
_STREET_AFTER = _folded("street st avenue ave road rd lane boulevard blvd")
# The second word of a street named after someone: "Кабанбай батыра", "Төле би".
_STREET_TITLES = _folded("батыр батыра батыры батырдың би бидің хан хана ханның ақын акына")
# A word after these is a person's name when it is not ordinary vocabulary ("мой сосед асхат").
_RELATION_PREFIXES = tuple(
    fold(w)
    for w in (
        "сосед соседк бывш брат сестр свекр свекров тёщ невестк подруг начальник директор "
        "арендатор арендодател хозяин хозяйк коллег партнёр жилец жильц квартирант граждан "
        "господин госпож дочер көрші күйеу әйел қарындас сіңлі жезде жеңге келін бастық "
        "neighbo husband brother sister father mother daughter landlord landlady tenant "
        "friend partner colleague"
    ).split()
)
_RELATIONS = _folded(
    """
    муж мужа мужу мужем муже жена жены жене жену женой сын сына сыну сыном дочь отец отца
    отцу отцом мама мамы маме маму мамой папа папы папе папу папой дядя дяди дяде дядю тётя
    тёти тёте тётю зять зятя зятю друг друга другу зовут имени
    аға ағам ағасы ағай іні інім інісі апа апам апасы әпке әпкем әке әкем әкесі ана анам анасы
    шеше шешем шешесі ұлым ұлы қызым қызы дос досым досы ене енем есімі аты атым
    ex son wife mom mum dad boss uncle aunt mr mrs ms miss dr mister named called
    """
)
# Surnames and patronymics (Нурланов, Алиева, Нұрланұлы, Serikqyzy, Ivanovich), folded.
_SURNAME_ENDINGS = tuple(
    sorted(
        {
            *(b + c for b in ("ov", "ev") for c in ("", "a", "u", "im", "oi", "i", "ih", "e")),
            *("ovich", "evich", "ovicha", "evicha", "ovichu", "evichu", "ovna", "evna", "ovni"),
            *("evni", "ovnoi", "evnoi", "ovnu", "evnu", "uli", "kizi", "enko"),
        },
        key=len,
        reverse=True,
    )
)


@dataclass
class _Token:
    kind: str  # link, email, user, number, word, space, other
    text: str
    start: int
    end: int
    mask: str | None = None  # what replaces it; "" when it merges into the token before
    strong: bool = False  # a name by its own form (a capital, a surname), not by a neighbour

    @property
    def folded(self) -> str:
        return fold(self.text)


def _words_of(path: Path) -> Iterator[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    yield from _LETTERS.findall(_ANNOTATION.sub(" ", text))


def vocabulary_from(paths: Iterable[Path]) -> frozenset[str]:
    """The folded words that the texts under these paths use in lower case.

    A word seen only capitalised is a name, a place or the start of a sentence: not counted."""
    lower: set[str] = set()
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.suffix not in (".md", ".yml", ".yaml") or not path.is_file():
                continue
            lower.update(w for w in _words_of(path) if w == w.lower())
    return frozenset(fold(w) for w in lower if fold(w))


class Anonymiser:
    """Masks what could tell who asked; see the module's docstring for the rules."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        places: Gazetteer | None = None,
        russian: Iterable[str] = (),
    ) -> None:
        self.vocabulary = (
            frozenset(vocabulary)
            | STOPWORDS
            | NUMBER_WORDS
            | HOUSE_WORDS
            | _STREET_BEFORE
            | _STREET_AFTER
            | _RELATIONS
            | frozenset(_RELATION_PREFIXES)
        )
        # A word is known by one of its forms: "затопила" from "затопил", "көршім" from "көрші".
        self._prefixes = _prefixes(self.vocabulary)
        # Only a Russian noun has a plural in -ов ("штрафов"); "сериков" is no Kazakh word's.
        self._russian_prefixes = _prefixes(russian)
        self.places = places

    # --- vocabulary ---------------------------------------------------------------------------

    def _shares_prefix(self, word: str, shortest: int, russian: bool = False) -> bool:
        prefixes = self._russian_prefixes if russian else self._prefixes
        return any(word[:k] in prefixes for k in range(len(word), shortest - 1, -1))

    def _judge(self, folded: str) -> str | None:
        """None for ordinary vocabulary, else the mask: NAME for a surname's form, or WORD."""
        verdicts: list[str | None] = []
        for part in folded.split():
            if part in self.vocabulary:
                verdicts.append(None)
            elif _is_surname(part) and not self._shares_prefix(
                part, max(5, len(part) - 2), russian=True
            ):
                # "штрафов" is the plural of a known word; "нурланов" is not.
                verdicts.append(NAME)
            elif len(part) >= 5 and self._shares_prefix(part, max(5, math.ceil(0.7 * len(part)))):
                verdicts.append(None)
            else:
                verdicts.append(WORD)
        if NAME in verdicts:
            return NAME
        return WORD if WORD in verdicts else None

    # --- the text -----------------------------------------------------------------------------

    def __call__(self, text: str) -> str:
        tokens = [
            _Token(str(m.lastgroup), m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)
        ]
        for token in tokens:
            if token.kind in ("link", "email", "user"):
                token.mask = {"link": LINK, "email": EMAIL, "user": USER}[token.kind]
        words = [i for i, t in enumerate(tokens) if t.kind == "word"]
        keep = self._places(text, tokens)
        self._numbers(tokens)
        self._streets(tokens, words, keep)
        self._words(tokens, words, keep)
        self._neighbours(tokens, words)
        out = "".join(t.text if t.mask is None else t.mask for t in tokens)
        return " ".join(out.split())[:MAX_CHARS]

    def _places(self, text: str, tokens: list[_Token]) -> set[int]:
        """Mask settlements; return the words naming a region or a large city, which stay."""
        keep: set[int] = set()
        if self.places is None:
            return keep
        for start, end, place in self.places.mentions(text):
            inside = [
                i for i, t in enumerate(tokens) if t.kind == "word" and start <= t.start < end
            ]
            if place.kind == "settlement":
                for n, i in enumerate(inside):
                    tokens[i].mask = PLACE if n == 0 else ""
                    if n:
                        _blank_between(tokens, inside[n - 1], i)
            else:
                keep.update(inside)
        return keep

    def _numbers(self, tokens: list[_Token]) -> None:
        """One [number] for each run of digits and number words."""
        i = 0
        while i < len(tokens):
            if not _numeric(tokens[i]):
                i += 1
                continue
            run = [i]
            j = i + 1
            while j < len(tokens):
                if _numeric(tokens[j]):
                    run.append(j)
                elif not (tokens[j].kind == "space" or tokens[j].text in _NUMBER_GLUE):
                    break
                j += 1
            i = run[-1] + 1
            # "пәтер он екі" is flat 12; "он два раза" is "he, twice".
            after_house = _previous_word(tokens, run[0], across=".:№#") in HOUSE_WORDS
            while run and not after_house and tokens[run[0]].folded in _AMBIGUOUS_NUMBERS:
                run.pop(0)
            while len(run) > 1 and tokens[run[-1]].folded in _AMBIGUOUS_NUMBERS:
                run.pop()
            if not run:
                continue
            has_digits = any(tokens[k].kind == "number" for k in run)
            if len(run) == 1 and not has_digits and not after_house:
                continue
            tokens[run[0]].mask = NUMBER
            for k in range(run[0] + 1, run[-1] + 1):
                tokens[k].mask = ""

    def _streets(self, tokens: list[_Token], words: list[int], keep: set[int]) -> None:
        for n, i in enumerate(words):
            where = _street_word(tokens[i].folded)
            if where == "next":
                after = _next_word(tokens, words, n, across=".,:")
                if after is not None and tokens[after].folded not in STOPWORDS:
                    _mask_place(tokens, after, keep)
                    title = _next_word(tokens, words, words.index(after), across="")
                    if title is not None and tokens[title].folded in _STREET_TITLES:
                        _mask_place(tokens, title, keep)
            elif where == "previous":
                before = _previous_word_index(tokens, words, n)
                if before is not None and tokens[before].folded not in STOPWORDS:
                    _mask_place(tokens, before, keep)

    def _words(self, tokens: list[_Token], words: list[int], keep: set[int]) -> None:
        capitals = sum(tokens[i].text[:1].isupper() for i in words if len(tokens[i].text) > 1)
        long_words = sum(len(tokens[i].text) > 1 for i in words)
        # Title Case or ALL CAPS: capitals tell nothing about names.
        case_tells = long_words < 3 or capitals / long_words < 0.8
        sentence_start = True
        for i, token in enumerate(tokens):
            if token.kind == "space" and "\n" in token.text:
                sentence_start = True
            if token.kind in ("other", "space"):
                if token.text in _SENTENCE_END:
                    sentence_start = True
                continue
            if token.kind != "word":
                sentence_start = False
                continue
            starts, sentence_start = sentence_start, False
            if token.mask is not None or i in keep:
                continue
            folded = token.folded
            if _street_word(folded):
                continue
            if case_tells and token.text[:1].isupper():
                if not starts and (
                    folded in STOPWORDS or all(p in STOPWORDS for p in folded.split())
                ):
                    continue
                acronym = token.text.isupper() and len(token.text) <= 6
                if (starts or acronym) and self._judge(folded) is None:
                    continue
                token.mask = NAME
            else:
                token.mask = self._judge(folded)
            token.strong = token.mask == NAME

    def _neighbours(self, tokens: list[_Token], words: list[int]) -> None:
        """An unknown word after a relation word ("сосед асхат") or just before a name
        ("асхат Нурланов", "асхат нурланов") is a name too."""
        for n, i in enumerate(words):
            if tokens[i].mask != WORD:
                continue
            before = _previous_word_index(tokens, words, n)
            after = _next_word(tokens, words, n, across="")
            if (before is not None and _relation(tokens[before])) or (
                after is not None and tokens[after].mask == NAME and tokens[after].strong
            ):
                tokens[i].mask = NAME


def _prefixes(words: Iterable[str]) -> frozenset[str]:
    return frozenset(w[:k] for w in words for k in range(max(5, len(w) - 4), len(w) + 1))


def _is_surname(part: str) -> bool:
    return any(part.endswith(e) and len(part) - len(e) >= 3 for e in _SURNAME_ENDINGS)


def _street_word(folded: str) -> str:
    """Where a street word's name is: "next" (улица Абая), "previous" (Абай көшесі), or ""."""
    if folded in _STREET_BEFORE or folded.startswith(_STREET_BEFORE_PREFIXES):
        return "next"
    if folded in _STREET_AFTER or folded.startswith(_STREET_AFTER_PREFIXES):
        return "previous"
    return ""


def _relation(token: _Token) -> bool:
    folded = token.folded
    return folded in _RELATIONS or folded.startswith(_RELATION_PREFIXES)


def _numeric(token: _Token) -> bool:
    if token.mask is not None and token.mask != NUMBER:
        return False
    return token.kind == "number" or (token.kind == "word" and token.folded in NUMBER_WORDS)


def _blank_between(tokens: list[_Token], first: int, last: int) -> None:
    for k in range(first + 1, last):
        tokens[k].mask = ""


def _mask_place(tokens: list[_Token], i: int, keep: set[int]) -> None:
    if tokens[i].mask in (None, WORD, NAME):
        tokens[i].mask = PLACE
    keep.discard(i)


def _previous_word(tokens: list[_Token], i: int, across: str) -> str:
    """The folded word just before token i, with only spaces and `across` between."""
    k = i - 1
    while k >= 0 and (tokens[k].kind == "space" or tokens[k].text in across):
        k -= 1
    return tokens[k].folded if k >= 0 and tokens[k].kind == "word" else ""


def _previous_word_index(tokens: list[_Token], words: list[int], n: int) -> int | None:
    """The word before words[n] when only spaces are between them."""
    if n == 0:
        return None
    before, i = words[n - 1], words[n]
    return before if all(t.kind == "space" for t in tokens[before + 1 : i]) else None


def _next_word(tokens: list[_Token], words: list[int], n: int, across: str) -> int | None:
    """The word after words[n] when only spaces and `across` are between them."""
    if n + 1 >= len(words):
        return None
    i, after = words[n], words[n + 1]
    between = tokens[i + 1 : after]
    return after if all(t.kind == "space" or t.text in across for t in between) else None


@functools.cache
def default() -> Anonymiser:
    """The anonymiser with the bot's vocabulary and gazetteer, built once, on first use."""
    return Anonymiser(
        vocabulary_from(SOURCES), default_gazetteer(), russian=vocabulary_from(RUSSIAN_SOURCES)
    )


def anonymise(text: str) -> str:
    """What was asked, without numbers, contacts, links, names or addresses."""
    return default()(text)
