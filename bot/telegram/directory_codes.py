"""callback_data for the mediator search: the whole query rides in the button, so paging and
filters need no server-side state, and survive a restart. Parsed strictly: clients can forge it.

    d:<where>:<t><k><o><v>:<lang>:<page>   a page of results (where: a place id or "lat,lon")
    y:<where>:<t><k><o><v>:<lang>          choose the kind of dispute for that search
    c|e|v:<listing id>                     call, write, open in a map
    o|h|hy:<listing id>:<where>:<t><v>:<lang>   more, summary (asks consent), summary (consented)
    x|xy:<listing id>                      report a wrong contact (asks), (confirmed)
    a                                      ask where again (location button and regions)
    r | r:<region id> | w:<place id>       choose a region, a settlement, search there
    i | i:<lang>                           the invitation for the other party
    z                                      cancel a question (a report, a summary)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.languages import LANGUAGES
from bot.screening.fields import DISPUTE_TYPES, VERDICTS

# One letter per value keeps the longest code under 64 bytes with a 23-letter place id.
_TYPE_CODES = dict(zip(DISPUTE_TYPES, "flpcbikau", strict=True))
_TYPES = {code: name for name, code in _TYPE_CODES.items()}
_KIND_CODES = {"": "a", "free": "f", "professional": "p"}
_KINDS = {code: name for name, code in _KIND_CODES.items()}
_VERDICT_CODES = dict(zip(VERDICTS, "ecnus", strict=True)) | {"": "-"}
_VERDICTS = {code: name for name, code in _VERDICT_CODES.items()}

_PLACE_ID = r"[a-z][a-z0-9-]{0,39}"
_POINT = r"-?\d{1,2}\.\d{1,4},-?\d{1,3}\.\d{1,4}"
_WHERE = f"(?:{_PLACE_ID}|{_POINT})"
_LANG = "(?:kk|ru|en|-)"
_T = f"[-{''.join(_TYPES)}]"
_V = f"[-{''.join(c for c in _VERDICTS if c != '-')}]"
_SEARCH = re.compile(
    rf"(?P<op>[dy]):(?P<where>{_WHERE}):(?P<t>{_T})(?P<k>[afp])(?P<o>[01])(?P<v>{_V})"
    rf":(?P<lang>{_LANG})(?::(?P<page>\d{{1,2}}))?"
)
_LISTING = re.compile(r"(?P<op>[cevx]|xy):(?P<id>\d{1,9})")
_LISTING_WITH = re.compile(
    rf"(?P<op>o|h|hy):(?P<id>\d{{1,9}}):(?P<where>{_WHERE}):(?P<t>{_T})(?P<v>{_V}):(?P<lang>{_LANG})"
)
_REGION = re.compile(rf"r:(?P<id>{_PLACE_ID})")
_PLACE = re.compile(rf"w:(?P<id>{_PLACE_ID})")
_INVITE = re.compile(r"i:(?P<lang>kk|ru|en)")

MAX_PAGE = 9  # ten pages of five: beyond fifty, a nearer filter serves better than paging


class Op(StrEnum):
    """What a button of the mediator search does: the first part of its code. The Telegram
    layer has one route per op (bot/telegram/handlers/buttons.py, `_ON_DIRECTORY`)."""

    RESULTS = "d"  # a page of results
    CHOOSE_TYPE = "y"  # choose the kind of dispute for a search
    CALL = "c"
    WRITE = "e"
    MAP = "v"
    MORE = "o"  # a listing's details
    REPORT = "x"  # report a wrong contact: asks first
    REPORT_CONFIRMED = "xy"
    SUMMARY = "h"  # a summary for the mediator: asks consent first
    SUMMARY_CONSENTED = "hy"
    ASK_PLACE = "a"
    REGIONS = "r"  # the list of regions, or one region's settlements
    SEARCH_IN = "w"  # search in a place
    INVITE = "i"  # the invitation for the other party (in a language, or asks which)
    DISMISS = "z"  # cancel a question (a report, a summary)


# Ops whose code carries the whole search (SearchKey).
WITH_SEARCH = frozenset({Op.RESULTS, Op.CHOOSE_TYPE, Op.MORE, Op.SUMMARY, Op.SUMMARY_CONSENTED})


def bare(op: Op) -> str:
    """A code that is its op alone: ASK_PLACE, REGIONS, INVITE, DISMISS."""
    assert op in (Op.ASK_PLACE, Op.REGIONS, Op.INVITE, Op.DISMISS)
    return op.value


def for_listing(op: Op, listing_id: int) -> str:
    """CALL, WRITE, MAP, REPORT, REPORT_CONFIRMED on one listing."""
    assert op in (Op.CALL, Op.WRITE, Op.MAP, Op.REPORT, Op.REPORT_CONFIRMED)
    return f"{op.value}:{listing_id}"


def region(region_id: str) -> str:
    """A region's settlements."""
    return f"{Op.REGIONS.value}:{region_id}"


def search_in(place_id: str) -> str:
    """Search in a place (a settlement or a whole region)."""
    return f"{Op.SEARCH_IN.value}:{place_id}"


def invite(language: str) -> str:
    """The invitation, written in `language`."""
    return f"{Op.INVITE.value}:{language}"


def point_code(lat: float, lon: float) -> str:
    """About 100 m: enough for "1.2 km", and the message keeps no exact address."""
    return f"{lat:.3f},{lon:.3f}"


def parse_point(where: str) -> tuple[float, float] | None:
    if "," not in where:
        return None
    lat, _, lon = where.partition(",")
    return float(lat), float(lon)


@dataclass(frozen=True)
class SearchKey:
    where: str  # a gazetteer id, or "lat,lon" of a shared location
    dispute_type: str = ""
    language: str = ""
    kind: str = ""  # "", "free" or "professional"
    online: bool = False
    verdict: str = ""
    page: int = 0

    def _flags(self) -> str:
        return (
            _TYPE_CODES.get(self.dispute_type, "-")
            + _KIND_CODES[self.kind]
            + ("1" if self.online else "0")
            + _VERDICT_CODES.get(self.verdict, "-")
        )

    def code(self, page: int | None = None) -> str:
        page = self.page if page is None else page
        return f"{Op.RESULTS.value}:{self.where}:{self._flags()}:{self.language or '-'}:{page}"

    def type_chooser(self) -> str:
        return f"{Op.CHOOSE_TYPE.value}:{self.where}:{self._flags()}:{self.language or '-'}"

    def with_(self, **changes: object) -> SearchKey:
        """The same search with some filters changed, from its first page."""
        return replace(self, page=0, **changes)  # type: ignore[arg-type]

    def listing(self, op: Op, listing_id: int) -> str:
        """MORE, SUMMARY, SUMMARY_CONSENTED on one listing, keeping the search."""
        assert op in (Op.MORE, Op.SUMMARY, Op.SUMMARY_CONSENTED)
        t = _TYPE_CODES.get(self.dispute_type, "-")
        v = _VERDICT_CODES.get(self.verdict, "-")
        return f"{op.value}:{listing_id}:{self.where}:{t}{v}:{self.language or '-'}"


@dataclass(frozen=True)
class DirectoryCode:
    op: Op
    key: SearchKey | None = None
    listing_id: int = 0
    place: str = ""  # r: a region id ("" for the list of regions); w: a place id
    language: str = ""  # i: the invitation's language


def _key(match: re.Match[str]) -> SearchKey:
    lang = match["lang"]
    return SearchKey(
        where=match["where"],
        dispute_type=_TYPES.get(match["t"], ""),
        language="" if lang == "-" else lang,
        kind=_KINDS.get(match.groupdict().get("k") or "a", ""),
        online=match.groupdict().get("o") == "1",
        verdict=_VERDICTS.get(match["v"], ""),
        page=int(match.groupdict().get("page") or 0),
    )


def parse(data: str) -> DirectoryCode | None:
    """A directory code, or None if `data` is not one (or is forged out of shape)."""
    if data in (Op.ASK_PLACE, Op.REGIONS, Op.INVITE, Op.DISMISS):
        return DirectoryCode(Op(data))
    if match := _SEARCH.fullmatch(data):
        key = _key(match)
        paged = match["page"] is not None
        if key.page > MAX_PAGE or paged != (match["op"] == "d"):
            return None
        return DirectoryCode(Op(match["op"]), key=key)
    if match := _LISTING.fullmatch(data):
        return DirectoryCode(Op(match["op"]), listing_id=int(match["id"]))
    if match := _LISTING_WITH.fullmatch(data):
        return DirectoryCode(Op(match["op"]), key=_key(match), listing_id=int(match["id"]))
    if match := _REGION.fullmatch(data):
        return DirectoryCode(Op.REGIONS, place=match["id"])
    if match := _PLACE.fullmatch(data):
        return DirectoryCode(Op.SEARCH_IN, place=match["id"])
    if (match := _INVITE.fullmatch(data)) and match["lang"] in LANGUAGES:
        return DirectoryCode(Op.INVITE, language=match["lang"])
    return None
