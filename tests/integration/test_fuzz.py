"""Fuzz (security review, issue 13): 10,000 generated updates of every kind through the emulator
against the real bot and dialogue.

Hostile in content, Telegram's in shape (tests/support/fuzz.py): private chats run scripts of
text in every script, commands, media, locations, genuine and forged button presses; groups,
supergroups and channels get messages, membership changes and button presses; strangers send
every kind the bot does not handle, and kinds from a newer Bot API. Several chats at a time.

What must hold afterwards: the bot is still running, and it, Rasa and the action server logged
no traceback and no error; the emulator refused no call except the ones the fuzz provoked on
purpose (see `_violations`); every private message got an answer, and nothing answered the
kinds the bot ignores; a group heard the one-to-one notice at most once each time the bot was
in it, and a channel nothing; and the bot fell quiet (no loop).

The seed is KELISIM_FUZZ_SEED (default 13); a failure prints it with what went wrong.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.dialogue.topics import GATED_PAGES
from bot.emulator.methods import NOT_MODIFIED, QUERY_TOO_OLD
from bot.languages import LANGUAGES
from bot.stack import Stack
from bot.telegram import callbacks
from bot.telegram.callbacks import Kind
from bot.telegram.directory_codes import Op
from tests.support import fuzz
from tests.support.stack import REDIS_URL, _stack

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("KELISIM_FUZZ_SEED", "13"))
UPDATES = 10_000
USERS = 240  # private chats, each running a script
STEPS = (10, 16)  # steps a private chat takes after /start and the language
RASA_TURNS = 600  # texts and buttons that cost a dialogue turn, over the whole run
GROUPS = 300
CONCURRENT_USERS = 32
CONCURRENT_POSTS = 8
# A chat is done answering once the bot has been silent this long (its answers to one update
# come back to back, so this only has to outlast the gap between two of them).
QUIET = 0.3
ANSWER_WITHIN = 60.0
# Waiting for the bot to finish every few steps keeps a person from running ahead of a slow bot
# (the quiet gap above is a guess) into the per-chat limits, which would drop updates.
DRAIN_EVERY = 4
# Beyond this many pending updates the strangers wait: the emulator's queue is bounded.
MAX_PENDING = 1000
# More messages than this in answer to one update would be a loop.
MAX_MESSAGES_PER_STEP = 6

SHOWN = frozenset({"message", "edit", "location", "venue", "contact"})
ANSWERS = SHOWN | {"delete"}


def _costly(data: str) -> bool:
    """A button whose press is a dialogue turn (the questionnaire, topics, a place, the
    invitation, a page only the dialogue shows)."""
    pressed = callbacks.parse(data)
    if pressed is None:
        return False
    if pressed.directory is not None:
        return pressed.directory.op in (Op.SEARCH_IN, Op.INVITE)
    if pressed.kind is Kind.PAGE:
        return pressed.value in GATED_PAGES
    return pressed.kind in (Kind.TOPIC, Kind.SCREEN)


@pytest.fixture(scope="module")
def fuzz_stack(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Its own emulator and bot, on the session's dialogue (Rasa, the action server, Redis): a
    second Rasa would cost a minute and a gigabyte and a half, and the fuzz's thousands of chats,
    groups and provoked refusals stay out of the other tests' emulator. Sends are not throttled
    to Telegram's 30 a second: the throttle has its own test (test_limits.py), and here it would
    only make the run several times longer."""
    running = _stack(
        tmp_path_factory.mktemp("fuzz"),
        with_rasa=False,
        env={"REDIS_URL": REDIS_URL, "TELEGRAM_SENDS_PER_SECOND": "0"},
        redis_prefix=stack.redis_prefix,
        rasa_api_token=stack.rasa_api_token,
    )
    running.ports.rasa = stack.ports.rasa
    running.start()
    try:
        yield running
    finally:
        running.stop()


# --- talking to the emulator ------------------------------------------------------------


@dataclass
class Run:
    http: aiohttp.ClientSession
    base: str
    posted: Counter[str] = field(default_factory=Counter)
    rasa_turns: int = 0
    # Callback queries the fuzz sent as raw updates: Telegram never issued them, so answering
    # them is refused, and the bot must carry on regardless.
    unissued_queries: set[str] = field(default_factory=set)
    # People who blocked the bot while it was answering them, and groups that removed it
    # (str ids, as in the call log).
    blocked_mid_answer: set[str] = field(default_factory=set)
    removed_from: set[str] = field(default_factory=set)
    unanswered: list[str] = field(default_factory=list)
    most_per_step: int = 0
    posts: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENT_POSTS))

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.base}/control/{path}", json=body) as r:
            payload = await r.json()
            if r.status >= 300:
                raise AssertionError(f"control API refused {method} {path}: {payload}")
            return payload

    async def inject(self, kind: str, payload: dict[str, Any]) -> None:
        async with self.posts:
            result = await self.call("POST", "updates", {"kind": kind, "payload": payload,
                                                         "force": True})  # fmt: skip
        assert result["queued"], kind
        self.posted[kind] += 1

    async def pending(self) -> int:
        return int((await self.call("GET", "bot"))["pending_update_count"])


# --- private chats ------------------------------------------------------------------------


@dataclass
class Person:
    run: Run
    rng: random.Random
    user_id: int
    language_code: str
    quota: int  # dialogue turns this person may cost
    seq: int = 0
    keyboards: list[tuple[int, list[str]]] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)

    @property
    def sender(self) -> dict[str, Any]:
        return fuzz.user(self.user_id, self.language_code)

    @property
    def chat(self) -> dict[str, Any]:
        return fuzz.private_chat(self.user_id)

    async def _as_user(self, path: str, body: dict[str, Any], kind: str) -> None:
        async with self.run.posts:
            sent = await self.run.call("POST", f"users/{self.user_id}/{path}", body)
        assert sent["update_id"] is not None
        self.run.posted[kind] += 1

    async def step(self, label: str, act: Any) -> None:
        """Do one thing the person does, then wait for the answer and for the bot to finish.
        An answer is a message, an edit or a deletion: the callback answer that stops a
        button's spinner comes first and says nothing."""
        await act
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + ANSWER_WITHIN
        while not any(e["kind"] in ANSWERS for e in found):
            left = deadline - time.monotonic()
            if left <= 0:
                self.run.unanswered.append(f"user {self.user_id}: {label}")
                return
            found += await self._events(left, first=True)
        while more := await self._events(QUIET, first=False):
            found += more
        self.run.most_per_step = max(
            self.run.most_per_step, sum(e["kind"] == "message" for e in found)
        )

    async def _events(self, within: float, first: bool) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return []
            events: list[dict[str, Any]] = await self.run.call(
                "GET", f"users/{self.user_id}/wait?after={self.seq}&timeout={min(left, 10):.2f}"
            )
            if events:
                break
            if not first:
                return []
        for event in events:
            self.seq = max(self.seq, int(event["seq"]))
            if event["kind"] in SHOWN and event.get("message_id"):
                self.message_ids.append(int(event["message_id"]))
                markup = event.get("reply_markup") or {}
                data = [b["callback_data"] for row in markup.get("inline_keyboard", [])
                        for b in row if "callback_data" in b]  # fmt: skip
                if data:
                    self.keyboards = [*self.keyboards[-2:], (int(event["message_id"]), data)]
        return events

    def _take_turn(self) -> bool:
        if self.quota <= 0:
            return False
        self.quota -= 1
        self.run.rasa_turns += 1
        return True

    async def live(self, steps: int) -> None:
        rng = self.rng
        texts = fuzz.Texts(rng)
        start = "/start" if rng.random() < 0.8 else "/start " + texts.text(60).replace(" ", "_")
        await self.step("/start", self._as_user("messages", {"text": start}, "message"))
        language = callbacks.choose_language(rng.choice(LANGUAGES))
        await self.step(language, self.press(language))
        for step in range(steps):
            await self.one_step(texts)
            if step % DRAIN_EVERY == DRAIN_EVERY - 1:
                await self.drain()

    async def press(self, data: str, message_id: int | None = None) -> None:
        if message_id is None:
            with_it = [m for m, datas in self.keyboards if data in datas]
            message_id = with_it[-1] if with_it else self.rng.choice(self.message_ids or [1])
        body = {"message_id": message_id, "data": data, "forge": True}
        await self._as_user("callback", body, "callback_query")

    async def one_step(self, texts: fuzz.Texts) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.17 and self._take_turn():
            text = texts.text(rng.choice((40, 300, 1000)))
            await self.step(f"text {text!r}", self._as_user("messages", {"text": text}, "message"))
        elif roll < 0.24:
            text = texts.long_text()
            label = f"long text of {len(text)} characters"
            await self.step(label, self._as_user("messages", {"text": text}, "message"))
        elif roll < 0.34:
            command = self.command(texts)
            await self.step(command, self._as_user("messages", {"text": command}, "message"))
        elif roll < 0.50:
            await self.media(texts)
        elif roll < 0.54:
            await self.location()
        elif roll < 0.74:
            await self.genuine_press()
        elif roll < 0.86:
            data = texts.callback_data()
            message_id = rng.choice([*self.message_ids[-5:], 10**6 + rng.randrange(1000)])
            await self.step(f"forged button {data!r}", self.press(data, message_id))
        elif roll < 0.93 and self._take_turn():
            updates = fuzz.Updates(rng)
            message = updates.message(self.sender, self.chat, updates.text_content(1000))
            if rng.random() < 0.1:
                message.update(fuzz.unknown_fields(rng, texts, huge=True))
            await self.step(f"raw text {message['text']!r}", self.run.inject("message", message))
        else:
            await self.unissued_press(texts)

    def command(self, texts: fuzz.Texts) -> str:
        rng = self.rng
        choices = [
            "/language", "/subscribe", "/unsubscribe", "/forget", "/reload", "/stats", "/START",
            "/start@kelisim_bot", "/help@some_other_bot", "/no_such_command", "/" + "a" * 32,
            "/language@kelisim_bot " + texts.text(100), "/start o_" + texts.text(30),
            "/forget " + texts.text(200), "/stats 7 30",
        ]  # fmt: skip
        if self.quota > 0:
            choices.append("/help")
        command = rng.choice(choices)
        if command == "/help":
            self._take_turn()
        return fuzz.cut(command, 4096).strip() or "/start"

    async def media(self, texts: fuzz.Texts) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.15:
            emoji = rng.choice((*fuzz.PHRASES["emoji"], texts.text(10)))
            await self.step("sticker", self._as_user("sticker", {"emoji": emoji}, "message"))
        elif roll < 0.3:
            body = {"caption": texts.text(1024)} if rng.random() < 0.7 else {}
            await self.step("photo", self._as_user("photo", body, "message"))
        else:
            content = fuzz.media(rng, texts)
            label = next(iter(content))
            await self.step(label, self._as_user("content", {"content": content}, "message"))

    async def location(self) -> None:
        rng = self.rng
        inside = self._take_turn() if rng.random() < 0.4 else False
        point = fuzz.location(rng, inside)
        if rng.random() < 0.5:
            await self.step("location", self._as_user("location", point, "message"))
            return
        venue = {"location": point, "title": fuzz.Texts(rng).text(100), "address": "—"}
        content = {"venue": venue, "location": point}
        await self.step("venue", self._as_user("content", {"content": content}, "message"))

    async def genuine_press(self) -> None:
        """A button the bot showed (maybe on an older message, as a person scrolling up)."""
        choices = [(m, d) for m, datas in self.keyboards for d in datas]
        cheap = [(m, d) for m, d in choices if not _costly(d)]
        if not choices:
            await self.step("/language", self._as_user("messages", {"text": "/language"},
                                                       "message"))  # fmt: skip
            return
        pick = self.rng.choice(choices)
        if _costly(pick[1]) and not self._take_turn():
            if not cheap:
                await self.step("menu", self.press(callbacks.MENU))
                return
            pick = self.rng.choice(cheap)
        await self.step(f"button {pick[1]!r}", self.press(pick[1], pick[0]))

    async def unissued_press(self, texts: fuzz.Texts) -> None:
        rng = self.rng
        query_id = f"fuzz{rng.getrandbits(48)}"
        self.run.unissued_queries.add(query_id)
        data = rng.choice((texts.callback_data(), callbacks.MENU, callbacks.page("privacy"), None))
        # On a message the bot cannot see: a made-up one it could not edit either.
        query = fuzz.Updates(rng).callback(self.sender, self.chat, data, query_id, False)
        await self.step(f"unissued button {data!r}", self.run.inject("callback_query", query))

    async def drain(self) -> list[int]:
        """Wait until the bot is done with everything this person sent so far. A chat's updates
        are handled one after the other, and a button press is answered before anything else:
        once this press's answer shows, the earlier updates are finished. Returns the seqs of
        what the press itself brought (its answer, and the menu it asks for)."""
        ours: list[int] = []
        deadline = time.monotonic() + ANSWER_WITHIN
        query = await self._press_menu()
        handled = False
        while (left := deadline - time.monotonic()) > 0:
            dropped = False
            for event in await self._events(left, first=True):
                if event.get("callback_query_id") == query:
                    ours.append(int(event["seq"]))
                    # The bot's own answer to a press has no text; a press dropped for coming
                    # too fast is answered with the notice.
                    dropped, handled = bool(event.get("text")), not event.get("text")
                elif handled and event["kind"] in ANSWERS:
                    return [*ours, int(event["seq"])]
            if dropped:
                await asyncio.sleep(1.0)
                query = await self._press_menu()
        self.run.unanswered.append(f"user {self.user_id}: the menu button, pressed to drain")
        return ours

    async def _press_menu(self) -> str:
        message_id = self.message_ids[-1] if self.message_ids else 1
        body = {"message_id": message_id, "data": callbacks.MENU, "forge": True}
        async with self.run.posts:
            sent = await self.run.call("POST", f"users/{self.user_id}/callback", body)
        self.run.posted["callback_query"] += 1
        return str(sent["callback_query_id"])

    async def fall_silent(self) -> Silence:
        """Kinds the bot ignores, from this person, between two drains; maybe a block."""
        await self.drain()
        silence = Silence(self, after=self.seq)
        rng = self.rng
        updates = fuzz.Updates(rng)
        kinds = [k for k in fuzz.SILENT_KINDS if k not in fuzz.CHAT_KINDS]
        for kind in rng.sample(kinds, rng.randint(1, 3)):
            await self.run.inject(kind, updates.silent(kind, self.sender, self.chat))
        roll = rng.random()
        if roll >= 0.2:
            silence.drained = await self.drain()
            return silence
        # Blocks the bot: Telegram tells it, and refuses what it sends from then on.
        if roll < 0.1:  # while the bot is still answering a question: that answer may arrive
            silence.drained = await self.drain()
            silence.until = self.seq
            await self._as_user("messages", {"text": updates.texts.text(100)}, "message")
            self.run.blocked_mid_answer.add(str(self.user_id))
        await self.run.call("POST", f"users/{self.user_id}/block", {"blocked": True})
        bot = fuzz.bot_user()
        change = fuzz.member_update(self.chat, self.sender, bot, "member", "kicked")
        await self.run.inject("my_chat_member", change)
        return silence


@dataclass
class Silence:
    """A stretch of a private chat in which the bot must not say anything: the events after
    `after` (up to `until`), except what the drain's own button press brought."""

    person: Person
    after: int
    until: int | None = None
    drained: list[int] = field(default_factory=list)

    async def broken(self) -> list[str]:
        events = await self.person.run.call(
            "GET", f"users/{self.person.user_id}/chat?after={self.after}"
        )
        return [
            f"user {self.person.user_id}: {e['kind']} {e.get('text', '')[:60]!r}"
            for e in events
            if e["direction"] == "out"
            and e["seq"] not in self.drained
            and (self.until is None or e["seq"] <= self.until)
        ]


async def _people(run: Run) -> list[Silence]:
    """Run every private chat's script, a few chats at a time; what each must not answer."""
    master = random.Random(f"{SEED}:people")
    plans = [(master.choice(("kk", "ru", "en", "de", "")), master.randint(*STEPS))
             for _ in range(USERS)]  # fmt: skip
    quotas = [RASA_TURNS // USERS + (i < RASA_TURNS % USERS) for i in range(USERS)]
    slots = asyncio.Semaphore(CONCURRENT_USERS)
    done: list[Silence] = []

    async def one(index: int) -> None:
        language, steps = plans[index]
        async with slots:
            rng = random.Random(f"{SEED}:person:{index}")
            body = {"first_name": fuzz.Texts(rng).text(64).strip() or "F",
                    "language_code": language or "kk"}  # fmt: skip
            if not re.fullmatch(r"[a-z]{2}", body["language_code"]):
                body["language_code"] = "kk"
            created = await run.call("POST", "users", body)
            person = Person(run, rng, int(created["id"]), body["language_code"], quotas[index])
            await person.live(steps)
            done.append(await person.fall_silent())

    await asyncio.gather(*(one(i) for i in range(USERS)))
    return done


# --- groups and channels ------------------------------------------------------------------


@dataclass
class Group:
    chat: dict[str, Any]
    member: bool  # whether the bot is in it, as far as the updates so far say
    # Times the bot may have said its word: once for each time it was in the group.
    notices: int = 0
    sent: list[str] = field(default_factory=list)  # what happened there, for a failure

    async def inject(self, run: Run, kind: str, payload: dict[str, Any]) -> None:
        await run.inject(kind, payload)
        if kind == "my_chat_member":
            kind += (
                f" {payload['old_chat_member']['status']}>{payload['new_chat_member']['status']}"
            )
        elif kind == "message":
            kind += f" {next(k for k in payload if k not in fuzz.MESSAGE_HEAD)}"
        self.sent.append(kind)


async def _groups(run: Run) -> list[Group]:
    """Bursts of updates in groups and channels, the way members write before the bot has
    reacted; updates only the way Telegram sends them (messages while the bot is a member,
    "added" only when it is not), and a second burst if the bot is still there, or was
    added again."""
    groups: list[Group] = []
    slots = asyncio.Semaphore(CONCURRENT_USERS)

    async def one(index: int) -> None:
        rng = random.Random(f"{SEED}:group:{index}")
        updates = fuzz.Updates(rng)
        kind = rng.choices(("group", "supergroup", "channel"), (3, 5, 2))[0]
        chat_id = -(1001000000000 + index) if kind != "group" else -(500000 + index)
        # Already in it (added before the bot was running), or about to be added.
        group = Group(fuzz.group_chat(chat_id, kind, updates.texts.text(128)), rng.random() < 0.6)
        group.notices = int(group.member)
        groups.append(group)
        async with slots:
            for burst in range(2):
                if burst:
                    group.member = await _member(run, chat_id)
                for _ in range(rng.randint(1, 3)):
                    await _in_a_group(run, rng, updates, group)
                group.sent.append("(1 s)")
                await asyncio.sleep(1.0)

    await asyncio.gather(*(one(i) for i in range(GROUPS)))
    return groups


async def _member(run: Run, chat_id: int) -> bool:
    groups = await run.call("GET", "groups")
    return any(g["chat"]["id"] == chat_id and g["member"] for g in groups)


async def _in_a_group(run: Run, rng: random.Random, updates: fuzz.Updates, group: Group) -> None:
    chat = group.chat
    member = fuzz.user(rng.randint(10**9, 2 * 10**9), rng.choice(("kk", "ru", "en", None)))
    bot = fuzz.bot_user()
    roll = rng.random()
    if not group.member:  # all Telegram sends about a chat the bot is not in: it was added
        statuses = ("member", "administrator", "restricted")
        status = rng.choice(statuses if chat["type"] != "channel" else statuses[:2])
        await group.inject(
            run, "my_chat_member", fuzz.member_update(chat, member, bot, "left", status)
        )
        group.member = True
        group.notices += 1
        return
    if roll < 0.1:  # someone removes the bot, maybe before it has read what was written
        old, new = rng.choice((("member", "kicked"), ("administrator", "left")))
        await group.inject(run, "my_chat_member", fuzz.member_update(chat, member, bot, old, new))
        group.member = False
        run.removed_from.add(str(chat["id"]))
    elif chat["type"] == "channel":
        kind = rng.choice(("channel_post", "edited_channel_post", "message_reaction_count"))
        await group.inject(run, kind, updates.silent(kind, member, chat))
    elif roll < 0.4:
        text = rng.choice(("/start@kelisim_bot", "/help", "/start", updates.texts.text(4096)))
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        await group.inject(run, "message", updates.message(member, chat, content))
    elif roll < 0.55:
        await group.inject(
            run, "message", updates.message(member, chat, fuzz.media(rng, updates.texts))
        )
    elif roll < 0.65:
        pinned = {"message_id": 1, "chat": chat, "date": 0}
        service = rng.choice(({"new_chat_members": [member]}, {"left_chat_member": member},
                              {"new_chat_title": updates.texts.text(128)},
                              {"pinned_message": pinned}))  # fmt: skip
        await group.inject(run, "message", updates.message(member, chat, service))
    elif roll < 0.8:
        query_id = f"fuzz{rng.getrandbits(48)}"
        run.unissued_queries.add(query_id)
        query = updates.callback(member, chat, updates.texts.callback_data(), query_id)
        await group.inject(run, "callback_query", query)
    else:
        kind = rng.choice(("edited_message", "chat_member", "chat_join_request",
                           "message_reaction", "message_reaction_count"))  # fmt: skip
        await group.inject(run, kind, updates.silent(kind, member, chat))


# --- strangers: every kind the bot ignores ------------------------------------------------


async def _strangers(run: Run, count: int, offset: int) -> None:
    """`count` updates the bot must not answer, from people who never wrote to it (so any
    answer shows as a refused call: the emulator knows no such chat)."""
    rng = random.Random(f"{SEED}:strangers:{offset}")
    updates = fuzz.Updates(rng)
    sent = 0
    batch: list[tuple[str, dict[str, Any]]] = []
    person = 0
    while sent < count:
        person += 1
        sender = fuzz.user(900_000_000 + offset + person, rng.choice(("kk", "ru", None, "ar")))
        for _ in range(min(rng.randint(1, 5), count - sent)):
            kind = rng.choice(fuzz.SILENT_KINDS)
            if kind in fuzz.CHAT_KINDS:
                chat_id = -(1002000000000 + rng.randrange(200))
                chat = fuzz.group_chat(chat_id, rng.choice(("supergroup", "channel")), "S")
            else:
                chat = fuzz.private_chat(sender["id"])
            batch.append((kind, updates.silent(kind, sender, chat)))
            sent += 1
        if len(batch) >= 50 or sent >= count:
            await _not_too_far_ahead(run)
            await asyncio.gather(*(run.inject(kind, payload) for kind, payload in batch))
            batch = []


async def _not_too_far_ahead(run: Run) -> None:
    for _ in range(600):
        if await run.pending() <= MAX_PENDING:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the bot stopped fetching updates")


# --- afterwards -------------------------------------------------------------------------


async def _quiet(run: Run, since: int, seconds: float = 3.0, within: float = 120.0) -> bool:
    """True once every update is fetched and the bot made no call but getUpdates for a while."""
    deadline = time.monotonic() + within
    last = since
    still = time.monotonic()
    while time.monotonic() < deadline:
        calls = await run.call("GET", f"calls?since={last}")
        busy = [c for c in calls if c["method"] != "getUpdates"]
        last = max([last, *(int(c["id"]) for c in calls)])
        if busy or await run.pending():
            still = time.monotonic()
        elif time.monotonic() - still >= seconds:
            return True
        await asyncio.sleep(0.5)
    return False


_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


def _log_problems(path: Path, offset: int) -> list[str]:
    """Each logged error or traceback, with the traceback's lines (up to the next entry)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        lines = log.read().splitlines()
    problems: list[str] = []
    n = 0
    while n < len(lines):
        line, n = lines[n], n + 1
        if " ERROR " in line or " CRITICAL " in line or line.startswith("Traceback"):
            block = [line]
            while n < len(lines) and not _LOG_LINE.match(lines[n]):
                block.append(lines[n])
                n += 1
            problems.append("\n".join(block[:60]))
    return problems


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


async def test_ten_thousand_hostile_updates(
    fuzz_stack: Stack, stack: Stack, http: aiohttp.ClientSession
) -> None:
    run = Run(http, fuzz_stack.emulator_url)
    logs = {
        "bot": fuzz_stack.log_dir / "bot.log",
        "actions": stack.log_dir / "actions.log",
        "rasa": stack.log_dir / "rasa.log",
    }
    offsets = {name: _size(path) for name, path in logs.items()}
    first_call = max((int(c["id"]) for c in await run.call("GET", "calls")), default=0)
    started = time.monotonic()

    planned_groups = GROUPS * 2  # a burst of 1-3 each, often only one: a conservative guess
    planned_people = USERS * (2 + sum(STEPS) // 2 * (DRAIN_EVERY + 1) // DRAIN_EVERY + 4)
    people, groups, _ = await asyncio.gather(
        _people(run),
        _groups(run),
        _strangers(run, max(0, UPDATES - planned_people - planned_groups), 0),
    )
    missing = UPDATES - sum(run.posted.values())
    if missing > 0:  # the scripts came out shorter than planned: strangers make up the rest
        await _strangers(run, missing, 10_000_000)
    posting = time.monotonic() - started
    quiet = await _quiet(run, first_call)
    elapsed = time.monotonic() - started

    summary = (
        f"seed {SEED}: {sum(run.posted.values())} updates in {elapsed:.0f} s "
        f"(posting {posting:.0f} s), {len(people)} private chats, {len(groups)} groups and "
        f"channels, {run.rasa_turns} dialogue turns, at most {run.most_per_step} messages "
        f"for one update; by kind: {dict(run.posted.most_common())}"
    )
    print(summary)
    failures: list[str] = []
    if exited := fuzz_stack.alive():
        failures.append(f"exited: {exited}")
    if not quiet:
        failures.append("the bot did not fall quiet (a loop?)")
    if sum(run.posted.values()) < UPDATES:
        failures.append(f"only {sum(run.posted.values())} updates")
    problems = [
        f"{name}: {problem}"
        for name, path in logs.items()
        for problem in _log_problems(path, offsets[name])
    ]
    if problems:
        failures.append(f"{len(problems)} logged errors, the first:\n" + "\n".join(problems[:3]))

    errors = await run.call("GET", f"errors?since={first_call}")
    violations = _violations(run, errors)
    if violations:
        shown = Counter((e["method"], e["error_code"], e["description"]) for e in violations)
        examples = {(e["method"], e["description"]): e for e in violations}
        failures.append(f"refused calls: {dict(shown)}\nan example of each: {examples}")
    if run.unanswered:
        failures.append(f"{len(run.unanswered)} without an answer: {run.unanswered[:20]}")
    if run.most_per_step > MAX_MESSAGES_PER_STEP:
        failures.append(f"{run.most_per_step} messages in answer to one update")

    after = [line for silence in people for line in await silence.broken()]
    if after:
        failures.append(f"answers to kinds the bot ignores: {after[:20]}")

    posted_in = {g["chat"]["id"]: g for g in await run.call("GET", "groups")}
    for group in groups:
        messages = posted_in.get(group.chat["id"], {}).get("messages", [])
        allowed = 0 if group.chat["type"] == "channel" else group.notices
        if len(messages) > allowed or any("reply_markup" in m for m in messages):
            failures.append(
                f"{len(messages)} posts in {group.chat['type']} {group.chat['id']} (at most "
                f"{allowed}) after {group.sent}: {[m.get('text', '')[:30] for m in messages]}"
            )
    assert not failures, summary + "\n" + "\n".join(failures)


def _violations(run: Run, errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Refused calls, except the refusals the fuzz provoked: answering a button press Telegram
    never issued; sends to a person who blocked the bot while it was answering (each answer
    still on its way meets Telegram's 403 once: the drain before the block may return on an
    earlier answer while the menu it pressed for is still coming); the notice in a group that
    removed the bot before it had read the message it answers; and an edit to what the message
    already says, from a button pressed twice (both presses carry the message as it was, so
    the bot cannot tell; it sends the text anew)."""
    violations = []
    for error in errors:
        params = error["params"]
        if error["method"] == "editMessageText" and error["description"] == NOT_MODIFIED:
            continue
        if (
            error["method"] == "answerCallbackQuery"
            and error["description"] == QUERY_TOO_OLD
            and params.get("callback_query_id") in run.unissued_queries
        ):
            continue
        chat_id = str(params.get("chat_id"))
        if (
            error["description"] == "Forbidden: bot was blocked by the user"
            and chat_id in run.blocked_mid_answer
        ):
            continue
        if error["description"].startswith("Forbidden: bot is not a member of the") and (
            chat_id in run.removed_from
        ):
            continue
        violations.append(error)
    return violations
