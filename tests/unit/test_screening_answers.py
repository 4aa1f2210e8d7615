"""Typed answers to the questionnaire, in every language and script people use."""

from __future__ import annotations

import pytest

from bot.screening import answers
from bot.screening.questions import BY_NAME


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", "yes"), ("Yeah, he does", "yes"), ("да", "yes"), ("Да, есть", "yes"),
        ("иә", "yes"), ("ия", "yes"), ("Iá", "yes"), ("әрине", "yes"), ("ие бар", "yes"),
        ("no", "no"), ("Nope", "no"), ("нет", "no"), ("неа", "no"), ("жоқ", "no"),
        ("жок", "no"), ("joq", "no"), ("no, nobody is in danger", "no"),
        ("I don't know", "unknown"), ("dunno", "unknown"), ("not sure", "unknown"),
        ("не знаю", "unknown"), ("Незнаю", "unknown"), ("білмеймін", "unknown"),
        ("билмеймин", "unknown"), ("bilmeımin", "unknown"), ("белгісіз", "unknown"),
        ("what is mediation", None), ("", None), ("🙂", None),
    ],
)  # fmt: skip
def test_yes_no_and_dont_know(text: str, expected: str | None) -> None:
    assert answers.yes_no(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my brothers want to sell our late father's house", "inheritance"),
        ("не платят зарплату", "labour"),
        ("күйеуім алимент төлемейді", "family"),
        ("мне выписали штраф", "administrative_offence"),
        ("айыппұл салды", "administrative_offence"),
        ("акимат отказал в разрешении на строительство", "public_law"),
        ("the akimat refused my permit", "public_law"),
        ("магазин не возвращает деньги за телефон", "consumer"),
        ("hello", None),
    ],
)
def test_category_from_a_description(text: str, expected: str | None) -> None:
    assert answers.parse(BY_NAME["category"], text) == expected


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("gravity", "небольшой тяжести", "minor"),
        ("gravity", "особо тяжкое", "especially_serious"),
        ("gravity", "тяжкое", "serious"),
        ("gravity", "аса ауыр", "especially_serious"),
        ("gravity", "онша ауыр емес", "minor"),
        ("gravity", "ауырлығы орташа", "medium"),
        ("gravity", "a criminal misdemeanour", "misdemeanour"),
        ("gravity", "уголовный проступок", "misdemeanour"),
        ("gravity", "не знаю", "unknown"),
        ("gravity", "нет", None),
        ("harm", "он умер", "death"),
        ("harm", "ауыр зиян келтірілді", "grave"),
        ("harm", "no", "no"),
        ("excluded", "взятка", "corruption"),
        ("excluded", "none of these", "none"),
        ("excluded", "жоқ", "none"),
        ("excluded", "торговля людьми", "trafficking"),
        ("excluded", "бандой", "criminal_group"),
        ("capacity", "ограниченно дееспособен", "limited"),
        ("capacity", "недееспособный", "incapable"),
        ("capacity", "нет", "no"),
        ("capacity", "білмеймін", "unknown"),
        ("safety", "what?", None),
    ],
)
def test_answers_to_specific_questions(question: str, text: str, expected: str | None) -> None:
    assert answers.parse(BY_NAME[question], text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("stop", "stop"), ("Стоп", "stop"), ("хватит", "stop"), ("тоқта", "stop"),
        ("назад", "back"), ("back", "back"), ("артқа", "back"),
        ("заново", "restart"), ("start over", "restart"), ("басынан", "restart"),
        ("stop him from selling our flat please", None), ("нет", None),
    ],
)  # fmt: skip
def test_typed_back_restart_and_stop(text: str, expected: str | None) -> None:
    assert answers.control(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("штраф за превышение скорости", "other"), ("traffic ticket", "other"),
        ("жол жүрісі айыппұлы", "other"), ("налоговый штраф", "other"),
        ("он меня оскорбил", "victim_complaint"), ("an insult", "victim_complaint"),
        ("мүлкімді бүлдірді", "victim_complaint"),
        ("муж скандалит дома", "family_domestic"), ("күйеуіммен ұрыс", "family_domestic"),
        ("a domestic quarrel with my wife", "family_domestic"),
        ("не знаю", "unknown"), ("white", None),
    ],
)  # fmt: skip
def test_the_kind_of_administrative_offence_in_words(text: str, expected: str | None) -> None:
    assert answers.parse(BY_NAME["admin_offence"], text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("жоқ", "no"), ("да", "yes"), ("не знаю", "unknown"), ("he was sixteen", None)],
)
def test_the_offenders_age_is_a_yes_no_question(text: str, expected: str | None) -> None:
    assert answers.parse(BY_NAME["offender_minor"], text) == expected
