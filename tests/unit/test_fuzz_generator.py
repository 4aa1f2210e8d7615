"""The fuzz test's updates are hostile in content but shaped as Telegram's: python-telegram-bot
reads every one of them, so the fuzz tests the bot and not PTB's parser."""

from __future__ import annotations

import random
from typing import Any

import pytest
from telegram import Update

from bot.text.telegram_html import utf16_len
from tests.support import fuzz

KINDS_PTB_KNOWS = set(Update.ALL_TYPES)


def _read(kind: str, payload: dict[str, Any]) -> Update:
    update = Update.de_json({"update_id": 1, kind: payload}, None)
    assert update is not None
    return update


@pytest.mark.parametrize("seed", range(5))
def test_every_generated_update_is_one_ptb_reads(seed: int) -> None:
    rng = random.Random(seed)
    make = fuzz.Updates(rng)
    person = fuzz.user(700000123, "kk")
    private = fuzz.private_chat(person["id"])
    group = fuzz.group_chat(-1001000000001, "supergroup", "G")
    channel = fuzz.group_chat(-1001000000002, "channel", "C")
    for _ in range(60):
        for kind in fuzz.SILENT_KINDS:
            chat = rng.choice((group, channel)) if kind in fuzz.CHAT_KINDS else private
            update = _read(kind, make.silent(kind, person, chat))
            if kind in KINDS_PTB_KNOWS:
                assert getattr(update, kind) is not None, kind
            else:  # a future kind: kept aside, never mistaken for one the bot handles
                assert update.effective_message is None
                assert update.callback_query is None
        message = _read("message", make.message(person, private, fuzz.media(rng, make.texts)))
        assert message.message is not None
        assert message.message.text is None
        text = _read("message", make.message(person, group, make.text_content()))
        assert text.message is not None
        assert text.message.text
        data = rng.choice((make.texts.callback_data(), None))
        query = _read("callback_query", make.callback(person, private, data, "1"))
        assert query.callback_query is not None
        assert query.callback_query.data == data
        bot = fuzz.bot_user()
        for old, new in (("left", "member"), ("member", "administrator"), ("member", "kicked"),
                         ("left", "restricted"), ("administrator", "left")):  # fmt: skip
            change = _read("my_chat_member", fuzz.member_update(group, person, bot, old, new))
            assert change.my_chat_member is not None
            assert change.my_chat_member.new_chat_member.status == new


def test_texts_stay_within_telegrams_limits_and_are_never_blank() -> None:
    texts = fuzz.Texts(random.Random(7))
    for _ in range(2000):
        short = texts.text(300)
        assert short.strip()
        assert utf16_len(short) <= 300
        long = texts.long_text()
        assert len(long.strip()) > 1000
        assert utf16_len(long) <= 4096
        assert texts.callback_data()


def test_the_same_seed_makes_the_same_updates() -> None:
    first, second = fuzz.Updates(random.Random(3)), fuzz.Updates(random.Random(3))
    person, chat = fuzz.user(1), fuzz.private_chat(1)
    for kind in fuzz.SILENT_KINDS:
        one, two = first.silent(kind, person, chat), second.silent(kind, person, chat)
        one.pop("date", None), two.pop("date", None)
        assert one.keys() == two.keys()
