"""Feedback, "was this helpful?": 👍 / 👎 under pages and verdicts, what was missing, counted
once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot import clock
from bot.content import Catalogue
from bot.offices.models import UnansweredQuestion
from bot.telegram import callbacks
from tests.support.in_process import InProcessBot, custom
from tests.support.playground import Chat, callback_data
from tests.support.views import MENU, plain, shows_page

UP, DOWN = (
    callbacks.feedback("page:legal_basis", "up"),
    callbacks.feedback("page:legal_basis", "down"),
)


async def _counted(bot: InProcessBot) -> dict[str, int]:
    """Today's counts by event, every office together."""
    await bot.services.counter.flush()
    totals = await bot.services.counter.totals(clock.today())
    found: dict[str, int] = {}
    for (_, event), n in totals.items():
        found[event] = found.get(event, 0) + n
    return {
        e: n for e, n in found.items() if e.split(":")[0] in ("helpful", "unhelpful", "missing")
    }


async def _toasts(bot: InProcessBot, data: str) -> list[str]:
    """What the answers to the presses of `data` said (a toast, or "")."""
    return [q["answer"]["text"] for q in await bot.control("callbacks") if q["data"] == data]


async def _page(chat: Chat, page: str = "legal_basis") -> dict[str, Any]:
    [shown] = await chat.press(callbacks.page(page), forge=True)
    return shown


async def test_a_page_gets_a_row_of_thumbs_on_top_of_its_buttons(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("kk")
    shown = await _page(chat)
    assert shows_page(shown, catalogue, "kk", "legal_basis")
    assert callback_data(shown) == [UP, DOWN, *MENU]  # the page's buttons as they were
    first_row = shown["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in first_row] == ["👍", "👎"]
    # Someone told of danger is shown help, never asked to rate it.
    safety = await _page(chat, "safety")
    assert not any(callbacks.is_feedback(data) for data in callback_data(safety))


async def test_thumbs_up_thanks_takes_the_two_buttons_away_and_counts_once_a_day(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("ru")
    await _page(chat)
    [edited] = await chat.press(UP)
    assert edited["kind"] == "edit"
    assert callback_data(edited) == MENU
    assert await _toasts(bot, UP) == [plain(catalogue, "ru", "feedback.thanks")]
    # The same page again, the same vote: still one.
    await _page(chat)
    await chat.press(UP)
    assert await _counted(bot) == {"helpful:page:legal_basis": 1}
    assert bot.rasa.turns == []


async def test_thumbs_down_asks_what_was_missing_and_the_answer_is_counted(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("en")
    await _page(chat)
    edited, question = await chat.press(DOWN, count=2)
    assert callback_data(edited) == MENU
    assert question["text"] == plain(catalogue, "en", "feedback.missing")
    reasons = [callbacks.feedback("page:legal_basis", r) for r in callbacks.FEEDBACK_REASONS]
    assert callback_data(question) == reasons
    [noted] = await chat.press(callbacks.feedback("page:legal_basis", "complicated"))
    assert noted["kind"] == "edit"
    assert noted["text"] == plain(catalogue, "en", "feedback.noted")
    assert callback_data(noted) == []
    # Again on another copy of the page: neither the vote nor the reason counts twice.
    await _page(chat)
    await chat.press(DOWN, count=2)
    await chat.press(callbacks.feedback("page:legal_basis", "complicated"))
    assert await _counted(bot) == {
        "unhelpful:page:legal_basis": 1,
        "missing:complicated:page:legal_basis": 1,
    }


async def test_the_question_after_thumbs_down_can_be_ignored(bot: InProcessBot) -> None:
    chat = await bot.ready("en")
    await _page(chat)
    await chat.press(DOWN, count=2)
    bot.rasa.on("how much does it cost", [custom("greet", menu=True)])
    await chat.send("how much does it cost")
    assert bot.rasa.texts == ["how much does it cost"]


async def test_something_else_just_thanks(bot: InProcessBot, catalogue: Catalogue) -> None:
    chat = await bot.ready("kk")
    await _page(chat)
    await chat.press(DOWN, count=2)
    [noted] = await chat.press(callbacks.feedback("page:legal_basis", "other"))
    assert noted["text"] == plain(catalogue, "kk", "feedback.noted")
    assert (await _counted(bot))["missing:other:page:legal_basis"] == 1


# Well-formed but naming no page that takes feedback, or not well-formed at all.
FORGED = (
    "f:p.no_such_page:up", "f:p.safety:down", "f:v.safety_first:up", "f:v.guilty:up",
    "f:p.legal_basis:maybe", "f:p.Legal:up", "f:x.legal_basis:up", "f:legal_basis:up",
)  # fmt: skip


async def test_forged_feedback_gets_a_clear_answer_and_counts_nothing(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await bot.ready("ru")
    expired = plain(catalogue, "ru", "error.expired_button")
    for data in FORGED:
        [reply] = await chat.press(data, forge=True)
        assert (reply["text"], callback_data(reply)) == (expired, MENU), data
    assert await _counted(bot) == {}


async def test_a_verdict_gets_thumbs_too(bot: InProcessBot, catalogue: Catalogue) -> None:
    chat = await bot.ready("en")
    verdict = custom(
        do="screening_result", verdict="eligible", rules="family_dispute", category="family"
    )
    bot.rasa.on("verdict", [verdict])
    [shown] = await chat.send("verdict")
    up = callbacks.feedback("verdict:eligible", "up")
    assert callback_data(shown)[:2] == [up, callbacks.feedback("verdict:eligible", "down")]
    [edited] = await chat.press(up)
    assert not any(callbacks.is_feedback(data) for data in callback_data(edited))
    assert callback_data(edited)[-1] == callbacks.MENU
    assert await _counted(bot) == {"helpful:verdict:eligible": 1}


async def test_stats_show_the_votes_with_small_counts_hidden(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    for _ in range(7):
        await bot.services.counter.add("helpful:page:cost", language="en")
    await bot.services.counter.add("unhelpful:verdict:eligible", language="en", n=2)
    admin = await bot.admin("en")
    [reply] = await admin.send("/stats")
    votes = plain(catalogue, "en", "admin.stats.helpful", up="7 / 7", down="<5 / <5")
    assert votes in reply["text"]


# --- "Something else", typed, when KEEP_UNANSWERED_DAYS keeps typed text ---------------------

OTHER, SKIP = (
    callbacks.feedback("page:legal_basis", "other"),
    callbacks.feedback("page:legal_basis", callbacks.FEEDBACK_SKIP),
)


async def _kept(bot: InProcessBot) -> list[tuple[str, str, str]]:
    """(subject, language, text) of every kept question and typed answer."""
    async with bot.services.db.sessions() as session:
        rows = await session.execute(
            select(UnansweredQuestion.subject, UnansweredQuestion.language, UnansweredQuestion.text)
        )
        return [(subject, language, text) for subject, language, text in rows]


async def _asked_to_tell(bot: InProcessBot, language: str, days: int = 30) -> Chat:
    """A person who pressed 👎 then "something else" on a bot that keeps typed text."""
    bot.services.unanswered.keep_days = days
    chat = await bot.ready(language)
    await _page(chat)
    await chat.press(DOWN, count=2)
    return chat


async def test_something_else_invites_one_typed_answer_when_text_may_be_kept(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await _asked_to_tell(bot, "ru", days=14)
    [invited] = await chat.press(OTHER)
    assert invited["kind"] == "edit"
    assert invited["text"] == plain(catalogue, "ru", "feedback.tell_more", count=14)
    assert "14" in invited["text"]
    assert callback_data(invited) == [SKIP]
    bot.rasa.on("Нет примера договора", [custom("greet", menu=True)])
    [thanks] = await chat.send("Нет примера договора, мой телефон 87011234567")
    assert thanks["text"] == plain(catalogue, "ru", "feedback.text_thanks")
    assert callback_data(thanks) == MENU
    # Kept anonymised, with the page it was about; Rasa never saw it; counted as a reason too.
    assert await _kept(bot) == [
        ("page:legal_basis", "ru", "Нет примера договора, мой телефон [number]")
    ]
    assert bot.rasa.texts == []
    assert (await _counted(bot))["missing:other:page:legal_basis"] == 1
    # Only one message is taken: the next goes to the dialogue as usual.
    await chat.send("Нет примера договора")
    assert bot.rasa.texts == ["Нет примера договора"]


async def test_no_thanks_another_button_or_a_command_ends_the_wait(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    bot.rasa.on("what is mediation", [custom("greet", menu=True)])
    for end in ("skip", "button", "command"):
        chat = await _asked_to_tell(bot, "en")
        await chat.press(OTHER)
        if end == "skip":
            [noted] = await chat.press(SKIP)
            assert noted["text"] == plain(catalogue, "en", "feedback.noted")
            assert callback_data(noted) == []
        elif end == "button":
            await chat.press(callbacks.MENU, forge=True)
        else:
            await chat.send("/help")
        await chat.send("what is mediation")
    # (/help is the dialogue's too.)
    assert [t for t in bot.rasa.texts if t != "/help"] == ["what is mediation"] * 3
    assert await _kept(bot) == []


async def test_danger_typed_instead_is_answered_with_safety_and_not_kept(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await _asked_to_tell(bot, "en")
    await chat.press(OTHER)
    await chat.send("my husband hits me")
    [turn] = bot.rasa.turns
    assert turn["metadata"]["screen"] == {"do": "danger"}
    assert await _kept(bot) == []
    # The wait ended with it: the next message is the dialogue's again.
    await chat.send("what is mediation")
    assert bot.rasa.texts[-1] == "what is mediation"


async def test_nothing_typed_is_asked_for_when_text_is_not_kept(
    bot: InProcessBot, catalogue: Catalogue
) -> None:
    chat = await _asked_to_tell(bot, "kk", days=0)
    [noted] = await chat.press(OTHER)
    assert noted["text"] == plain(catalogue, "kk", "feedback.noted")
    bot.rasa.on("шарт үлгісі жоқ", [custom("greet", menu=True)])
    await chat.send("шарт үлгісі жоқ")
    assert bot.rasa.texts == ["шарт үлгісі жоқ"]
    assert await _kept(bot) == []
