"""callback_data is parsed strictly: forged or stale data is rejected, never trusted."""

from __future__ import annotations

import pytest

from bot.dialogue.topics import TOPIC_CODES
from bot.telegram import callbacks
from bot.telegram.callbacks import Kind


def test_round_trip_of_every_code() -> None:
    for code, intent in TOPIC_CODES.items():
        data = callbacks.topic(intent)
        assert data == f"t:{code}"
        assert len(data.encode()) <= 64
        assert callbacks.parse(data) == callbacks.Callback(Kind.TOPIC, intent)
    for lang in ("kk", "ru", "en"):
        assert callbacks.parse(callbacks.choose_language(lang)) == callbacks.Callback(
            Kind.LANGUAGE, lang
        )
    assert callbacks.parse("menu") == callbacks.Callback(Kind.MENU)
    assert callbacks.parse("lang") == callbacks.Callback(Kind.LANGUAGE_PICKER)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "t:",
        "t:nope",
        "l:de",
        "l:",
        "x:wim",
        "/greet",
        't:wim{"a":1}',
        "menu ",
        "t:" + "a" * 80,
    ],
)
def test_forged_or_unknown_data_is_rejected(data: str | None) -> None:
    assert callbacks.parse(data) is None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("p:legal_basis", callbacks.Callback(Kind.PAGE, "legal_basis")),
        ("p:mediation_vs_court_family", callbacks.Callback(Kind.PAGE, "mediation_vs_court_family")),
        ("p:../etc/passwd", None),
        ("p:", None),
        ("p:Legal", None),
    ],
)
def test_page_callbacks(data: str, expected: callbacks.Callback | None) -> None:
    assert callbacks.parse(data) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("s:safety:yes", callbacks.Callback(Kind.SCREEN, "safety", "yes")),
        ("s:excluded:violence_against_minor",
         callbacks.Callback(Kind.SCREEN, "excluded", "violence_against_minor")),
        ("s:back", callbacks.Callback(Kind.SCREEN, "back")),
        ("s:change", callbacks.Callback(Kind.SCREEN, "change")),
        ("s:stop", callbacks.Callback(Kind.SCREEN, "stop")),
        ("s:restart", callbacks.Callback(Kind.SCREEN, "restart")),
        ("s:safety:maybe", None),
        ("s:category:divorce", None),
        ("s:nope:yes", None),
        ("s:", None),
        ("s:safety", None),
        ("s:safety:yes:extra", None),
    ],
)  # fmt: skip
def test_questionnaire_callbacks(data: str, expected: callbacks.Callback | None) -> None:
    assert callbacks.parse(data) == expected


def test_every_questionnaire_button_is_short_ascii_and_parses() -> None:
    codes = [c for c in callbacks.all_callback_data() if c.startswith("s:")]
    assert len(codes) > 50
    for data in codes:
        assert data.isascii()
        assert len(data.encode()) <= 64
        assert callbacks.parse(data) is not None, data


def test_every_kind_of_button_has_one_route() -> None:
    from bot.telegram.handlers import buttons

    assert set(buttons._ON_BUTTON) == set(Kind)


def test_forgetting_asks_first_and_the_confirmation_is_its_own_kind() -> None:
    assert callbacks.parse(callbacks.FORGET) == callbacks.Callback(Kind.FORGET)
    assert callbacks.parse(callbacks.FORGET_CONFIRMED) == callbacks.Callback(Kind.FORGET_CONFIRMED)


def test_the_byte_limit_counts_bytes_not_characters() -> None:
    # 40 Cyrillic letters are 40 characters but 80 bytes: over Telegram's 64.
    assert callbacks.parse("p:" + "д" * 40) is None


def test_every_kind_is_declared_once_and_its_codes_read_back() -> None:
    declared = [button.kind for button in callbacks.BUTTONS]
    # The mediator search's codes are directory_codes'; every other kind needs its Button in
    # callbacks.BUTTONS, once.
    missing = set(Kind) - {Kind.DIRECTORY} - set(declared)
    assert not missing, f"add a Button for each to callbacks.BUTTONS: {sorted(missing)}"
    assert len(declared) == len(set(declared)), "a kind declared twice in callbacks.BUTTONS"
    for button in callbacks.BUTTONS:
        for data in button.codes():
            pressed = callbacks.parse(data)
            assert pressed is not None, data
            assert pressed.kind is button.kind, data
            assert len(data.encode()) <= callbacks.MAX_BYTES, data
            assert data.isascii(), data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("f:p.cost:up", callbacks.Callback(Kind.FEEDBACK, "page:cost", "up")),
        ("f:v.eligible:down", callbacks.Callback(Kind.FEEDBACK, "verdict:eligible", "down")),
        ("f:p.cost:not_mine", callbacks.Callback(Kind.FEEDBACK, "page:cost", "not_mine")),
        ("f:p." + "a" * 48 + ":complicated",
         callbacks.Callback(Kind.FEEDBACK, "page:" + "a" * 48, "complicated")),
        ("f:p." + "a" * 49 + ":up", None),
        ("f:p.safety:up", None),  # never asked under the safety page
        ("f:v.safety_first:up", None),
        ("f:v.nope:up", None),
        ("f:p.cost:sideways", None),
        ("f:p.Cost:up", None),
        ("f:cost:up", None),
        ("f:p.cost", None),
        ("f:", None),
    ],
)  # fmt: skip
def test_feedback_callbacks(data: str, expected: callbacks.Callback | None) -> None:
    assert callbacks.parse(data) == expected
    if expected is not None:
        assert callbacks.feedback(expected.value, expected.option) == data
        assert callbacks.takes_feedback(expected.value)
