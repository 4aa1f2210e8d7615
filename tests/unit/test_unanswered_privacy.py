"""Unanswered questions (security review M9): the anonymiser masks names (at the start of a
sentence, in lower case, in Kazakh Latin capitals), addresses, settlements and numbers however
they are written, and keeps ordinary words; old questions go on schedule, all of them with
KEEP_UNANSWERED_DAYS=0."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from bot import clock
from bot.offices.models import UnansweredQuestion
from bot.outreach.unanswered import UnansweredStore, anonymise
from bot.privacy import anonymiser
from bot.storage import migrate
from bot.storage.urls import async_url

Sessions = async_sessionmaker[AsyncSession]

# The audit's examples (section 1.6), then more of the same kinds.
MASKED = [
    ("Асхат Нурланов не платит алименты", "[name] [name] не платит алименты"),
    (
        "мой сосед асхат нурланов с улицы абая затопил",
        "мой сосед [name] [name] с улицы [place] затопил",
    ),
    ("Menің küieuim Şolpanğa Äliev qaryz", "Menің küieuim [name] [name] qaryz"),
    (
        "… na ulitse abaya, kv 5, tel vosem sem sem odin",
        "… na ulitse [place], kv [number], tel [number]",
    ),
    # Names: after a relation word, before a surname, a patronymic, Kazakh -ұлы / -qyzy.
    ("мой бывший муж ерлан не платит алименты", "мой бывший муж [name] не платит алименты"),
    ("ерлан сериков затопил", "[name] [name] затопил"),
    ("sosedka aigerim serikovna zatopila", "sosedka [name] [name] zatopila"),
    ("Менің көршім Болат, ол Нұрланұлы", "Менің көршім [name], ол [name]"),
    (
        "Здравствуйте! Айгерим Серикқызы не возвращает долг",
        "Здравствуйте! [name] [name] не возвращает долг",
    ),
    ("меня зовут айгерим, мне 25 лет", "меня зовут [name], мне [number] лет"),
    (
        "Qarağandyda turamyn, küieuim Nūrlan alıment tólemeidi",
        "[place] turamyn, küieuim [name] alıment tólemeidi",
    ),
    (
        "biz İlyas pen Ñurlan jäne Ūlbala turaly sūradyq",
        "biz [name] pen [name] jäne [name] turaly sūradyq",
    ),
    ("menің ağam Ömirbek Ğalymov", "menің ağam [name] [name]"),
    (
        "Hi, I'm looking for a mediator in Almaty, my husband John Smith owes me money",
        "Hi, I'm looking for a mediator in Almaty, my husband [name] [name] owes me money",
    ),
    ("my landlord mr johnson keeps my deposit", "my landlord mr [name] keeps my deposit"),
    # Title Case and capitals: vocabulary decides.
    ("Асхат Нурланов Не Платит Алименты", "[name] [name] Не Платит Алименты"),
    ("АСХАТ НУРЛАНОВ НЕ ПЛАТИТ АЛИМЕНТЫ", "[name] [name] НЕ ПЛАТИТ АЛИМЕНТЫ"),
    # Streets, before and after their names, with a second word; settlements.
    ("Абай көшесі 15 үй, пәтер жеті", "[place] көшесі [number] үй, пәтер [number]"),
    ("my neighbour on abay street", "my neighbour on [place] street"),
    ("живу на ул. Кабанбай батыра", "живу на ул. [place] [place]"),
    ("пр. Назарбаева 24, офис 5", "пр. [place] [number], офис [number]"),
    (
        "приходите по адресу г. Тараз, мкр Самал-2, д. 15, кв. 48",
        "приходите по адресу г. [place], мкр [place]-[number], д. [number], кв. [number]",
    ),
    ("живу в поселке Абай, брат не отдаёт долг", "живу в поселке [place], брат не отдаёт долг"),
    # Numbers however written: one [number] each.
    ("Тел: 8 (701) 123-45-67", "Тел: [number]"),
    ("Date of birth 12.05.1985, IIN 850512300123", "Date of [word] [number], IIN [number]"),
    ("мой номер восемь семь ноль семь", "мой номер [number]"),
    (
        "Mening atym Aigerim, telefonym segiz jeti jeti bir",
        "Mening atym [name], telefonym [number]",
    ),
    ("call me on eight seven seven zero", "call me on [number]"),
    ("дом пять, квартира семнадцать", "дом [number], квартира [number]"),
    ("үй бес, пәтер он екі", "үй [number], пәтер [number]"),
    (
        "write to me@mail.kz or @aida_k, see https://x.kz/a",
        "write to [email] or [user], see [link]",
    ),
    ("the contract with ТОО «Ромашка» is broken", "the contract with ТОО «[name]» is broken"),
]


@pytest.mark.parametrize(("text", "kept"), MASKED)
def test_names_addresses_and_numbers_are_masked(text: str, kept: str) -> None:
    assert anonymise(text) == kept


UNCHANGED = [
    "Здравствуйте, как подать на алименты?",
    "что такое медиация",
    "как делить имущество после развода",
    "не могу получить штрафов и долгов с бывшего мужа",  # plurals in -ов are no surnames
    "у меня один ребенок и два кредита",  # one number word is no phone number
    "біздің көшедегі көрші су басты",
    "how much does a mediator cost",
    "Алматы облысында тұрамын",  # a region names no one
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_words_stay_so_the_question_can_be_read(text: str) -> None:
    assert anonymise(text) == text


def test_a_region_or_a_large_city_stays_but_not_a_name_next_to_it() -> None:
    assert anonymise("Я живу в Алматы, мой сосед Ерлан затопил квартиру") == (
        "Я живу в Алматы, мой сосед [name] затопил квартиру"
    )


def test_nothing_of_the_audit_examples_survives() -> None:
    secrets = ["Асхат", "асхат", "Нурланов", "нурланов", "абая", "Şolpan", "Äliev", "vosem", "odin"]
    for text, _ in MASKED[:4]:
        out = anonymise(text)
        assert not [s for s in secrets if s in out], out


def test_the_text_is_cut_to_fit_its_column_and_whitespace_folded() -> None:
    assert len(anonymise("алименты " * 100)) == anonymiser.MAX_CHARS == 200
    assert anonymise("как\n\n  подать\tна алименты") == "как подать на алименты"
    # A new line starts a sentence: a capital there is no name when the word is ordinary.
    assert anonymise("привет\nКак подать на алименты") == "привет Как подать на алименты"


def test_the_vocabulary_counts_words_used_in_lower_case_only(tmp_path: Path) -> None:
    root = tmp_path
    (root / "a.md").write_text("Сосед Асхат залил квартиру. Квартиру [Тараз](place) жалға", "utf-8")
    (root / "b.txt").write_text("асхат", "utf-8")  # not a content file
    vocabulary = anonymiser.vocabulary_from([root])
    assert {"zalil", "kvartiru", "jalga"} <= vocabulary
    assert not {"sosed", "ashat", "taraz"} & vocabulary


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[Sessions]:
    migrate.upgrade(database_url)
    engine = create_async_engine(async_url(database_url))
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def _questions(sessions: Sessions) -> list[tuple[dt.date, str]]:
    async with sessions() as session:
        rows = await session.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.day))
        return [(q.day, q.text) for q in rows]


async def _seed(sessions: Sessions, *ages: int) -> None:
    today = clock.today()
    async with sessions.begin() as session:
        for age in ages:
            session.add(
                UnansweredQuestion(
                    day=today - dt.timedelta(days=age), language="ru", text=f"{age} days"
                )
            )


async def test_old_questions_are_pruned_without_any_new_one(sessions: Sessions) -> None:
    await _seed(sessions, 0, 29, 30, 31, 400)
    assert await UnansweredStore(sessions, keep_days=30).prune() == 2
    assert [text for _, text in await _questions(sessions)] == ["30 days", "29 days", "0 days"]


async def test_with_keep_days_zero_every_question_goes(sessions: Sessions) -> None:
    await _seed(sessions, 0, 1, 90)
    store = UnansweredStore(sessions, keep_days=0)
    await store.add("ru", "что такое погода")  # not kept at all
    assert await store.prune() == 3
    assert await _questions(sessions) == []


async def test_a_kept_question_is_anonymised(sessions: Sessions) -> None:
    await UnansweredStore(sessions, keep_days=7).add("kk", "Menің küieuim Şolpanğa Äliev qaryz")
    assert await _questions(sessions) == [(clock.today(), "Menің küieuim [name] [name] qaryz")]


async def test_the_retention_sweep_prunes_questions_at_start_up(
    sessions: Sessions,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What the bot runs when it starts, with nothing else going on."""
    from bot.dialogue.client import RasaClient
    from bot.privacy.retention import Retention
    from bot.storage.db import Database
    from tests.support.settings import settings_for

    await _seed(sessions, 0, 5)
    db = Database(database_url)
    rasa = RasaClient("http://127.0.0.1:9")
    try:
        sweeps = Retention(settings_for(database_url), db, rasa, UnansweredStore(sessions, 0))
        with caplog.at_level(logging.INFO, logger="bot.privacy.retention"):
            swept = await sweeps.run_once()
    finally:
        await rasa.close()
        await db.close()
    assert swept.questions == 2
    assert await _questions(sessions) == []
    assert "2 unanswered questions deleted" in caplog.text
