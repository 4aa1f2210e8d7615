"""The mediator search's callback_data: every query round-trips, forged codes are refused."""

from __future__ import annotations

import pytest

from bot.telegram import callbacks
from bot.telegram.directory_codes import MAX_PAGE, Op, SearchKey, parse, parse_point, point_code

KEYS = [
    SearchKey("shymkent"),
    SearchKey("north-kazakhstan-region", "administrative", "kk", "professional", True,
              "not_eligible", MAX_PAGE),
    SearchKey(point_code(42.34171, 69.59013), "labour", "kk", "free", False, "eligible", 3),
    SearchKey("oskemen", "family", "", "", True, "safety_first"),
]  # fmt: skip


@pytest.mark.parametrize("key", KEYS)
def test_a_page_code_round_trips(key: SearchKey) -> None:
    code = parse(key.code())
    assert code is not None
    assert code.op == "d"
    assert code.key == key
    assert len(key.code().encode()) <= 64


@pytest.mark.parametrize("key", KEYS)
def test_a_listing_code_keeps_what_the_summary_needs(key: SearchKey) -> None:
    for op in (Op.MORE, Op.SUMMARY, Op.SUMMARY_CONSENTED):
        code = parse(key.listing(op, 123456))
        assert code is not None
        assert code.op == op
        assert code.listing_id == 123456
        assert code.key is not None
        assert (code.key.where, code.key.dispute_type, code.key.language, code.key.verdict) == (
            key.where, key.dispute_type, key.language, key.verdict,
        )  # fmt: skip


def test_a_filter_change_starts_from_the_first_page() -> None:
    key = SearchKey("almaty", page=4)
    assert key.with_(online=True).page == 0
    assert key.with_(online=True).online


def test_a_shared_point_is_rounded_to_about_a_hundred_metres() -> None:
    assert point_code(42.341712, 69.590134) == "42.342,69.590"
    assert parse_point("42.342,69.590") == (42.342, 69.59)
    assert parse_point("shymkent") is None


@pytest.mark.parametrize(
    "data",
    [
        "d:shymkent:la0e:kk:10",  # beyond the last page
        "d:Shymkent:la0e:kk:0",  # place ids are lower case
        "d:shymkent:za0e:kk:0",  # no such dispute type
        "d:shymkent:lq0e:kk:0",  # no such kind
        "d:shymkent:la0e:de:0",  # no such language
        "d:shymkent:la0e:kk",  # no page
        "y:shymkent:la0e:kk:0",  # the type chooser has no page
        "d:42.342;69.590:la0e:kk:0",
        "d:shymkent:la0e:kk:0:extra",
        "c:abc",
        "c:1234567890",
        "hy:1:shymkent:lz:kk",
        "w:",
        "r:<script>",
        "i:de",
        "x",
    ],
)
def test_forged_codes_are_refused(data: str) -> None:
    assert parse(data) is None
    assert callbacks.parse(data) is None


def test_callbacks_parse_hands_directory_codes_over() -> None:
    parsed = callbacks.parse("w:shymkent")
    assert parsed is not None
    assert parsed.kind is callbacks.Kind.DIRECTORY
    assert parsed.directory is not None
    assert parsed.directory.place == "shymkent"
    assert callbacks.parse("xy:42") == callbacks.Callback(
        callbacks.Kind.DIRECTORY, "xy", directory=parse("xy:42")
    )


def test_every_directory_code_fits_telegrams_limit() -> None:
    assert [code for code in callbacks.all_callback_data() if len(code.encode()) > 64] == []


def test_every_op_has_one_route_and_every_code_reads_back_to_its_op() -> None:
    from bot.telegram.handlers import buttons

    assert set(buttons._ON_DIRECTORY) == set(Op)
    # Every code the bot can put on a button parses back to the op it was built for.
    ops = {code.op for data in callbacks.all_callback_data() if (code := parse(data)) is not None}
    assert ops == set(Op)
