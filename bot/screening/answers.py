"""Typed answers to the screening questions, in Kazakh (any script), Russian or English.

Buttons are the main way to answer; these lexicons let the person type instead ("жоқ",
"не знаю", "minor", "an akimat decision"). Every cue is folded to the ASCII skeleton of
`bot.text.skeleton.fold`, so one Cyrillic Kazakh stem also matches Latin and keyboard-without-
special-letters spellings. A parser returns an option code of the question, or None when the
text does not answer it (then the bot asks again, with the buttons).
"""

from __future__ import annotations

import re

from bot.screening.dispute_types import cues, dispute_type_of
from bot.screening.questions import NO, UNKNOWN, YES, Question
from bot.text.skeleton import fold

# Longest first where one contains another: "не знаю" before "не", "not sure" before "not".
_UNKNOWN = cues(
    "dont know,don t know,do not know,dunno,idk$,not sure,no idea,unsure,maybe$,perhaps$,"
    "не знаю,незнаю,не уверен,без понятия,хз$,не помню,может быть,возможно$,"
    "білмеймін,білмедім,білмеим,белгісіз,сенімді емес,мүмкін$,бильмим"
)
_NO = cues(
    "no$,nope$,nah$,not$,none$,nobody$,nothing$,never$,"
    "нет$,неа$,нету$,не$,никто$,ничего$,никогда$,"
    "жоқ$,жок$,ешкім$,ешкім де,ештеңе$,емес$,жоқпыз$"
)
_YES = cues(
    "yes$,yeah$,yep$,yup$,sure$,of course,correct$,right$,true$,"
    "да$,ага$,угу$,конечно$,верно$,есть$,так и есть,"
    "иә$,ия$,йә$,әрине$,дұрыс$,солай$,бар$"
)


def _lead(text: str, words: int = 4) -> str:
    # A typed answer comes first ("no, nobody is in danger"); later words are explanation.
    return " ".join(fold(text).split()[:words])


def yes_no(text: str) -> str | None:
    """yes, no or unknown from a short reply; None if the reply is none of them."""
    lead = _lead(text)
    if not lead:
        return None
    if _UNKNOWN.search(lead):
        return UNKNOWN
    if _NO.search(lead):
        return NO
    if _YES.search(lead):
        return YES
    return None


_OFFENCE = cues(
    "штраф,административн правонаруш,правонаруш,протокол,наказа,fine$,fined$,fines$,"
    "administrative offence,offence$,ticket$,айыппұл,әкімшілік құқық бұз,құқық бұз,хаттама"
)
_STATE_DECISION = cues(
    "акимат,аким$,госорган,государствен орган,решени,отказ,лиценз,разрешени,"
    "akimat,akim$,state body,government,decision,refus,permit,licen,"
    "әкімдік,әкімшілік,мемлекеттік орган,шешім,рұқсат,бас тарт"
)


def category(text: str) -> str | None:
    """One of the ten categories from a description of the dispute, or None."""
    plain = fold(text)
    found = dispute_type_of(text)
    if found == "administrative" or (found is None and (_OFFENCE.search(plain))):
        if _OFFENCE.search(plain):
            return "administrative_offence"
        if _STATE_DECISION.search(plain):
            return "public_law"
        return None
    if found is None and _STATE_DECISION.search(plain):
        return "public_law"
    return found


# Order matters: the first option whose cues match wins ("особо тяжкое" is not "тяжкое";
# "онша ауыр емес" is minor, not "ауыр").
_GRAVITY: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("especially_serious", cues("особо тяж,особо тяжел,especially,particularly,аса ауыр")),
    ("misdemeanour", cues("проступ,misdemean,теріс қылық,petty offence")),
    (
        "minor",
        cues("небольш,неболш,лёгк,легк,minor,small$,light$,онша ауыр емес,ауыр емес,жеңіл"),
    ),
    ("medium", cues("средн,medium,moderate,орташа")),
    ("serious", cues("тяжк,тяжел,тяжёл,serious,grave$,ауыр")),
)
_CHILD = cues(
    "ребен,ребён,дет,несовершен,малолет,подрост,child,kid,minor$,teen,"
    "бала,кәмелетке толмаған,жасөспірім"
)
_EXCLUDED: tuple[tuple[str, re.Pattern[str], bool], ...] = (
    # (option, cues, needs a child mentioned too)
    ("torture", cues("пытк,пыта,tortur,азапта"), False),
    (
        "sexual_against_minor",
        cues("сексуал,полов,изнасил,развращ,sexual,rape,жыныстық,зорла"),
        True,
    ),
    (
        "violence_against_minor",
        cues("насили,избив,бьет,бил$,violen,beat,abuse,зорлық,ұрып,ұрды"),
        True,
    ),
    ("negligent_death", cues("неосторож,по неосторожности,negligen,careless,абайсыз"), False),
    ("corruption", cues("коррупц,взятк,brib,corrupt,сыбайлас,пара$"), False),
    ("terrorism", cues("террор,terror,лаңкес"), False),
    ("extremism", cues("экстрем,extrem"), False),
    (
        "criminal_group",
        cues(
            "преступн групп,опг$,банд,группой,gang,organised group,organized group,"
            "criminal group,қылмыстық топ,топ$,топпен"
        ),
        False,
    ),
    ("trafficking", cues("торговл люд,торговля людьми,traffick,адам саудас"), False),
)
_HARM_DEATH = cues("умер,погиб,смерт,убит,убил,died,death,dead,killed,қайтыс,өлді,өлім,қаза")
_HARM_GRAVE = cues(
    "тяжк вред,тяжкий вред,тяжел,инвалид,grave harm,serious harm,serious injur,disab,"
    "ауыр зиян,ауыр жарақат,мүгедек"
)
_INCAPABLE = cues(
    "недееспособ,incapable,incapacit,legally incompetent,әрекетке қабілетсіз,қабілетсіз"
)
_LIMITED = cues("ограничен,ограничено,limited,partial,шектеул,шектелген")


def _first(table: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> str | None:
    """The code of the first row whose cues the text matches."""
    plain = fold(text)
    return next((code for code, pattern in table if pattern.search(plain)), None)


def _gravity(text: str) -> str | None:
    return _first(_GRAVITY, text)


def _excluded(text: str) -> str | None:
    plain = fold(text)
    child = bool(_CHILD.search(plain))
    for code, pattern, needs_child in _EXCLUDED:
        if pattern.search(plain) and (child or not needs_child):
            return code
    return None


def _harm(text: str) -> str | None:
    plain = fold(text)
    if _HARM_DEATH.search(plain):
        return "death"
    if _HARM_GRAVE.search(plain):
        return "grave"
    return None


def _capacity(text: str) -> str | None:
    plain = fold(text)
    if _LIMITED.search(plain):
        return "limited"
    if _INCAPABLE.search(plain):
        return "incapable"
    return None


# CAO Art. 64: which kind of administrative offence (the question lists them in plain words).
_ADMIN_OFFENCE: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "family_domestic",
        cues(
            "семейн,бытов,супруг,муж$,мужем,жена$,женой,родственник,family,domestic,spouse,"
            "husband,wife,relative,отбасылық,тұрмыстық,ерлі-зайып,күйеу,әйелім,туыс"
        ),
    ),
    (
        "other",
        cues(
            "пдд,гаи,скорост,парков,налог,миграц,регистрац,traffic,speeding,parking,tax,"
            "migration,police fine,жол жүрісі,жылдамдық,салық,көші-қон,тіркеу"
        ),
    ),
    (
        "victim_complaint",
        cues(
            "оскорб,клевет,повред,порч,жалоб,insult,slander,defam,damag,complaint,"
            "қорла,жала,бүлдір,шағым"
        ),
    ),
)


def _admin_offence(text: str) -> str | None:
    return _first(_ADMIN_OFFENCE, text)


_SPECIFIC = {
    "gravity": _gravity,
    "excluded": _excluded,
    "harm": _harm,
    "capacity": _capacity,
    "admin_offence": _admin_offence,
}


def parse(question: Question, text: str) -> str | None:
    """The option of `question` that `text` chooses, or None if it does not answer it."""
    if question.name == "category":
        found = category(text)
        return found if found and question.option(found) else None
    specific = _SPECIFIC.get(question.name)
    if specific is not None:
        found = specific(text)
        if found:
            return found
    reply = yes_no(text)
    if reply is None or question.yes_no:
        return reply
    # A plain "no" to "which of these?" means "none of them"; "don't know" is always an option.
    if reply == NO and question.option(NO) is None and question.option("none") is not None:
        return "none"
    return reply if question.option(reply) is not None else None


# Leaving or moving in the questionnaire by typing; only a short message is a command, so
# that "stop him selling the house" stays an answer.
_CONTROLS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("back", cues("back$,go back,previous,назад$,вернуться,вернись,предыдущ,артқа,кері$,алдыңғы")),
    (
        "restart",
        cues("restart,start over,start again,заново,сначала,с начала,басынан,қайта баста,қайтадан"),
    ),
    (
        "stop",
        cues(
            "stop$,cancel,quit$,exit$,enough$,leave$,стоп$,хватит,отмена,отменить,выйти,выход,"
            "прекрат,тоқта,тоқтат,болдырма,жетер,шығу,шығамын"
        ),
    ),
)


def control(text: str) -> str | None:
    """back, restart or stop when a short message asks for it; else None."""
    plain = fold(text)
    if not plain or len(plain.split()) > 3:
        return None
    return next((name for name, pattern in _CONTROLS if pattern.search(plain)), None)
