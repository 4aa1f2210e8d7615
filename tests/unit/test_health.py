"""The bot as a real process (security review M8): its health endpoints, a Bot API that cannot
be reached at start-up, and SIGTERM while the Bot API hangs."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import ROOT
from bot.stack import health_report
from bot.supervisor import EXIT_CONFIG
from bot.telegram.app import STOP_GRACE
from tests.support.processes import FakeRasa, Processes, free_port, wait_until

pytestmark = pytest.mark.slow


def test_a_bot_api_unreachable_at_start_up_is_retried_and_healthz_says_what_is_down(
    processes: Processes,
) -> None:
    api, health = free_port(), free_port()
    rasa = FakeRasa()
    bot = processes.bot(api, health, rasa.url)  # nothing listens on the Bot API's port yet
    healthz = f"http://127.0.0.1:{health}/healthz"
    report = health_report(healthz)
    assert report is not None
    assert report["status"] == "failing"
    telegram = report["telegram"]
    assert telegram["ok"] is False
    assert telegram["last_fetch_seconds_ago"] is None
    assert report["database"] == {"ok": True}
    assert report["rasa"] == {"ok": True}

    processes.emulator(api)  # the blip is over
    wait_until(lambda: (health_report(healthz) or {}).get("status") == "ok", 60, "healthy")

    rasa.shutdown()
    report = health_report(healthz)
    assert report is not None
    assert report["status"] == "failing"
    assert report["rasa"]["ok"] is False
    assert report["telegram"]["ok"] is True

    bot.send_signal(signal.SIGTERM)
    assert bot.wait(STOP_GRACE + 5) == 0


def test_sigterm_stops_the_bot_within_seconds_while_the_bot_api_hangs(
    processes: Processes, tmp_path: Path
) -> None:
    """Reported: still running 10 s after SIGTERM while the Bot API did not answer."""
    api, health = free_port(), free_port()
    emulator = processes.emulator(api)
    bot = processes.bot(api, health, "http://127.0.0.1:9")
    healthz = f"http://127.0.0.1:{health}/healthz"
    wait_until(lambda: (health_report(healthz) or {}).get("telegram", {}).get("ok"), 60, "polls")
    time.sleep(1)  # well into a long poll
    emulator.send_signal(signal.SIGSTOP)  # connections still open, no answer ever comes
    try:
        time.sleep(0.5)
        started = time.monotonic()
        bot.send_signal(signal.SIGTERM)
        bot.wait(STOP_GRACE + 10)
        took = time.monotonic() - started
    finally:
        emulator.send_signal(signal.SIGCONT)
    # The graceful stop's last getUpdates gives up after 2 s; STOP_GRACE is the backstop.
    assert took < STOP_GRACE, f"{took:.1f} s; {(tmp_path / 'bot.log').read_text()[-2000:]}"


STUCK = """
import asyncio
from bot.telegram import app

app.STOP_GRACE = 1.0
loop = asyncio.new_event_loop()
app._stop_on_signals(loop)
print("waiting", flush=True)
try:
    loop.run_until_complete(asyncio.sleep(60))
except SystemExit:
    print("stopping", flush=True)
    loop.run_until_complete(asyncio.sleep(60))  # a graceful stop that never ends
"""


def test_a_graceful_stop_that_hangs_is_cut_short() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", STUCK], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "waiting\n"
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.stdout.readline() == "stopping\n"
        assert process.wait(10) == 1
        assert 1.0 <= time.monotonic() - started < 3.0
    finally:
        process.kill()
        process.wait()


def test_a_token_telegram_refuses_is_a_configuration_error(processes: Processes) -> None:
    """Exit status 78: the stack's supervisor gives up at once instead of retrying."""
    api = free_port()
    processes.emulator(api, "--token", "4242:the-right-one")
    bot = processes.bot(api, 0, "http://127.0.0.1:9")
    assert bot.wait(90) == EXIT_CONFIG
    assert "Telegram refuses the bot's token" in (processes.tmp / "bot.log").read_text()


def test_an_update_ptb_cannot_read_is_skipped_not_fetched_forever() -> None:
    """One unreadable update used to fail its whole batch, fetched again in a loop forever."""
    import json

    from telegram import Update

    from bot.telegram.health import readable_updates

    chat = {"id": 1, "type": "private"}
    good = {"update_id": 5, "message": {"message_id": 1, "date": 1, "chat": chat, "text": "hi"}}
    # A poll without the fields PTB needs, as an older self-hosted Bot API might send.
    bad = {"update_id": 6, "message": {"message_id": 2, "date": 1, "chat": chat,
                                       "poll": {"id": "x"}}}  # fmt: skip
    body = json.dumps({"ok": True, "result": [good, bad]}).encode()
    result = json.loads(readable_updates(body))["result"]
    assert result == [good, {"update_id": 6}]
    assert [Update.de_json(u, None).update_id for u in result] == [5, 6]
    untouched = json.dumps({"ok": True, "result": [good]}).encode()
    assert readable_updates(untouched) is untouched
