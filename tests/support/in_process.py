"""The bot in this test's process: `app.build()` against the emulator and a scripted Rasa.

The fast tier for the Telegram layer (tests/unit/handlers/). The real PTB application, the
real handlers, the real content and a SQLite database talk over HTTP on 127.0.0.1 to our Bot
API emulator and to `FakeRasa`, all in the test's event loop: no process is started, no model
is loaded, and a handler's test takes milliseconds. What Rasa decides is the test's to say
(`FakeRasa.on`), so a test shows what the Telegram layer makes of each reply; what the trained
model decides is the integration tier's.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.config import ROOT, Settings
from bot.content.live import LiveContent
from bot.directory.loading import ensure_samples
from bot.emulator.server import create_app
from bot.places.gazetteer import default as gazetteer
from bot.storage import migrate
from bot.telegram import app as telegram_app
from bot.telegram import callbacks
from bot.telegram.content_manifest import uses
from bot.telegram.services import KEY, KelisimApplication, Services, services
from tests.support.playground import Chat
from tests.support.settings import settings_for

ADMIN = 990001  # the Telegram id `InProcessBot.admin()` opens a chat for
Payload = dict[str, Any]
Script = Callable[[Payload], list[Payload] | web.Response]


def custom(key: str = "", *, do: str = "", menu: bool = False, **args: object) -> Payload:
    """One Rasa message as our actions write it (bot/dialogue/payloads.py)."""
    body: dict[str, Any] = {"key": key, "menu": menu}
    if do:
        body["do"] = do
    if args:
        body["args"] = {name: str(value) for name, value in args.items()}
    return {"recipient_id": "", "custom": body}


@dataclass
class FakeRasa:
    """Rasa's REST channel as the bot sees it: each turn answered by the first matching rule
    (`on`), else `otherwise`; every turn and every purge recorded."""

    otherwise: list[Payload] = field(default_factory=lambda: [custom("out_of_scope", menu=True)])
    turns: list[Payload] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    _rules: list[tuple[Callable[[Payload], bool], Script]] = field(default_factory=list)
    _server: TestServer | None = None

    def on(self, text: str | Callable[[Payload], bool], answer: list[Payload] | Script) -> None:
        """Answer a turn whose text is `text` (or that the predicate accepts) with `answer`:
        messages, or a function of the turn returning messages or an HTTP response."""
        matches = text if callable(text) else (lambda turn, t=text: turn.get("message") == t)
        script: Script = answer if callable(answer) else (lambda turn: answer)
        self._rules.insert(0, (matches, script))

    def down(self, status: int = 500) -> None:
        """Every turn from now on fails as a broken Rasa does."""
        self._rules.insert(0, (lambda turn: True, lambda turn: web.Response(status=status)))

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return str(self._server.make_url("")).rstrip("/")

    @property
    def texts(self) -> list[str]:
        """What the bot sent to Rasa, turn by turn."""
        return [str(turn.get("message")) for turn in self.turns]

    async def _turn(self, request: web.Request) -> web.StreamResponse:
        turn: Payload = await request.json()
        self.turns.append(turn)
        for matches, script in self._rules:
            if matches(turn):
                answer = script(turn)
                break
        else:
            answer = self.otherwise
        if isinstance(answer, web.StreamResponse):
            return answer
        return web.json_response([{**m, "recipient_id": turn.get("sender")} for m in answer])

    async def _purge(self, request: web.Request) -> web.Response:
        self.purged.append(request.match_info["sender"])
        return web.json_response({})

    async def _status(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._turn)
        app.router.add_put("/conversations/{sender}/tracker/events", self._purge)
        app.router.add_get("/", self._status)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()


@dataclass
class InProcessBot:
    """The bot, the emulator it talks to and the Rasa it asks, in this process."""

    application: KelisimApplication
    rasa: FakeRasa
    emulator: TestServer
    http: aiohttp.ClientSession
    settings: Settings

    @property
    def services(self) -> Services:
        return services(self.application)

    @property
    def emulator_url(self) -> str:
        return str(self.emulator.make_url("")).rstrip("/")

    async def control(self, path: str, body: Any = None) -> Any:
        """The emulator's control API: GET, or POST with a body."""
        url = f"{self.emulator_url}/control/{path}"
        request = self.http.get(url) if body is None else self.http.post(url, json=body)
        async with request as response:
            response.raise_for_status()
            return await response.json()

    async def inject(self, kind: str, payload: Payload) -> None:
        """An update of any kind, as Telegram would deliver it (groups, channels...)."""
        await self.control("updates", {"kind": kind, "payload": payload})

    async def valid_for_telegram(self) -> None:
        """Every button press was answered and Telegram refused none of the bot's calls."""
        assert await self.control("errors") == []
        unanswered = [q for q in await self.control("callbacks") if not q["answered"]]
        assert unanswered == []

    async def restart(self) -> None:
        """This bot stops and another starts on the same database, emulator and Rasa: what
        a second worker, or the same one restarted, knows of everyone (only what is shared)."""
        await _stop(self.application)
        self.application = await _start(self.settings, self.application.bot_data[KEY].content)

    async def chat(self, language_code: str = "ru", user_id: int | None = None) -> Chat:
        """A new person in a private chat with the bot (their Telegram app in `language_code`)."""
        return await Chat.open(self.http, self.emulator_url, language_code, user_id=user_id)

    async def ready(self, language: str) -> Chat:
        """A person who has pressed /start and picked `language` (welcome and menu seen)."""
        chat = await self.chat(language)
        await chat.send("/start")
        await chat.press(callbacks.choose_language(language), count=2)
        return chat

    async def admin(self, language: str = "en") -> Chat:
        """The admin named in the settings (ADMIN_IDS), language already chosen."""
        chat = await self.chat(language, user_id=ADMIN)
        await self.services.db.set_language(ADMIN, language)
        return chat


@pytest.fixture(scope="session")
def live_content() -> LiveContent:
    """The shipped content, checked once a run (as the bot checks it when it starts)."""
    return LiveContent.checked(ROOT / "content", uses())


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database at the newest schema with the sample directory, copied for each test
    (migrating takes longer than the test)."""
    path = tmp_path_factory.mktemp("schema") / "kelisim.db"
    migrate.upgrade(f"sqlite:///{path}")
    # The playground's sample mediators, as `make run` loads them.
    ensure_samples(f"sqlite:///{path}", gazetteer())
    return path


def bot_settings(tmp: Path, database: Path, rasa_url: str, emulator_url: str) -> Settings:
    """A playground bot (no token) on the emulator, this database and that Rasa; no rate
    limit of ours, no content watcher, one admin."""
    return settings_for(
        f"sqlite:///{database}",
        telegram_api_base_url=f"{emulator_url}/bot",
        rasa_url=rasa_url,
        admin_ids=frozenset({ADMIN}),
        var_dir=tmp,
        webhook_port=0,
        rasa_timeout=5.0,
        content_watch=False,
        telegram_sends_per_second=0,
        rasa_api_token="in-process-token",
    )


@pytest.fixture
def fake_rasa_script() -> FakeRasa:
    """The scripted Rasa a test's bot asks: add answers with `.on(...)` before or after the
    bot starts."""
    return FakeRasa()


async def _start(settings: Settings, content: LiveContent) -> KelisimApplication:
    """The bot polling the emulator, as `python -m bot run` does."""
    application = telegram_app.build(settings, content=content)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(allowed_updates=telegram_app.ALLOWED_UPDATES, timeout=1)
    return application


async def _stop(application: KelisimApplication) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()


@pytest.fixture
async def bot(
    tmp_path: Path,
    live_content: LiveContent,
    migrated_database: Path,
    fake_rasa_script: FakeRasa,
) -> AsyncIterator[InProcessBot]:
    """The bot polling the emulator, as `python -m bot run` does, until the test ends."""
    database = tmp_path / "kelisim.db"
    shutil.copyfile(migrated_database, database)
    emulator = TestServer(create_app(), host="127.0.0.1")
    await emulator.start_server()
    await fake_rasa_script.start()
    emulator_url = str(emulator.make_url("")).rstrip("/")
    settings = bot_settings(tmp_path, database, fake_rasa_script.url, emulator_url)
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    running: InProcessBot | None = None
    try:
        application = await _start(settings, live_content)
        running = InProcessBot(application, fake_rasa_script, emulator, http, settings)
        yield running
        # Whatever a test did, the bot's traffic was valid for Telegram.
        await running.valid_for_telegram()
    finally:
        await http.close()
        if running is not None:
            await _stop(running.application)
        await fake_rasa_script.close()
        await emulator.close()
