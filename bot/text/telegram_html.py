"""Telegram's HTML parse mode, as a pure function.

The parser follows tdlib's ``parse_html`` (the code behind the Bot API's ``parse_mode=HTML``) so
that byte offsets and error descriptions match what Telegram answers.  It is deliberately a bit
stricter than Telegram in one place: a bare ``&`` that does not start ``&lt;``, ``&gt;``,
``&amp;``, ``&quot;`` or a numeric reference is an error here, while Telegram silently keeps it.
The Bot API documentation asks for every such ``&`` to be escaped, and content that relies on
Telegram's leniency breaks as soon as someone appends an entity-looking word after it.

It is shared by the emulator and by the content checker, so it must not depend on aiohttp.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = [
    "ALLOWED_TAGS",
    "HtmlError",
    "entities_to_html",
    "parse_html",
    "utf16_len",
]

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)

_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
}

_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}

# tdlib's is_space: only ASCII whitespace separates tag names and attributes.
_SPACES = frozenset(b" \t\r\n\x0b\x0c")

# Entities that may not contain any other entity (Bot API "MessageEntity" nesting rules).
_OPAQUE_TYPES = frozenset({"code", "pre"})
_QUOTE_TYPES = frozenset({"blockquote", "expandable_blockquote"})
# For equal spans the container goes first, so <pre><code> keeps pre and <b><code> keeps code.
_TYPE_RANK = {"blockquote": 0, "expandable_blockquote": 0, "pre": 1, "code": 2}


class HtmlError(ValueError):
    """Text that Telegram would refuse with "Bad Request: can't parse entities: ..."."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.description = f"Bad Request: can't parse entities: {reason}"
        super().__init__(self.description)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and length limits."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class _Parser:
    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", errors="surrogatepass")
        self.out = bytearray()
        self.utf16 = 0
        self.entities: list[dict[str, Any]] = []

    def at(self, i: int) -> int:
        # tdlib reads a NUL-terminated buffer; 0 stands for "past the end" here too.
        return self.data[i] if i < len(self.data) else 0

    def decode_entity(self, pos: int) -> tuple[str, int]:
        """Return the character of the reference at ``pos`` and the index after it."""
        data = self.data
        end = pos + 1
        if self.at(end) == ord("#"):
            end += 1
            value = 0
            digits_start = end
            if self.at(end) == ord("x"):
                end += 1
                digits_start = end
                while self.at(end) and chr(self.at(end)) in "0123456789abcdefABCDEF":
                    value = value * 16 + int(chr(data[end]), 16)
                    end += 1
                    if value >= 0x10FFFF:
                        break
            else:
                while ord("0") <= self.at(end) <= ord("9"):
                    value = value * 10 + data[end] - ord("0")
                    end += 1
                    if value >= 0x10FFFF:
                        break
            if (
                end == digits_start
                or value == 0
                or value >= 0x10FFFF
                or 0xD800 <= value <= 0xDFFF
                or self.at(end) != ord(";")
            ):
                raise HtmlError(f"Invalid numeric character reference at byte offset {pos}")
            return chr(value), end + 1
        while self.at(end) and chr(self.at(end)).isascii() and chr(self.at(end)).isalpha():
            end += 1
        name = data[pos + 1 : end]
        if name in _NAMED_ENTITIES and self.at(end) == ord(";"):
            return _NAMED_ENTITIES[name], end + 1
        if name:
            raise HtmlError(
                f'Unsupported HTML entity "&{name.decode("ascii")};" at byte offset {pos}'
                " (only &lt; &gt; &amp; &quot; and numeric references are allowed)"
            )
        raise HtmlError(f'Character "&" must be escaped as "&amp;" at byte offset {pos}')

    def emit_char(self, ch: str) -> None:
        self.out += ch.encode("utf-8")
        self.utf16 += 2 if ord(ch) > 0xFFFF else 1

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        data = self.data
        stack: list[tuple[str, str, int, int]] = []  # tag, argument, utf16 offset, out pos
        i = 0
        n = len(data)
        while i < n:
            c = data[i]
            if c == ord("&"):
                ch, i = self.decode_entity(i)
                self.emit_char(ch)
                continue
            if c != ord("<"):
                self.out.append(c)
                # Count code points on their first byte; 4-byte sequences are surrogate pairs.
                if c & 0xC0 != 0x80:
                    self.utf16 += 2 if c >= 0xF0 else 1
                i += 1
                continue
            begin = i
            i += 1
            if self.at(i) != ord("/"):
                i = self.start_tag(begin, i, stack)
            else:
                i = self.end_tag(begin, i, stack)
        if stack:
            raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
        try:
            plain = self.out.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HtmlError("Strings must be encoded in UTF-8") from exc
        return plain, _normalize(self.entities)

    # start_tag and add_entity follow Telegram's own parser (tdlib, parse_html) branch by
    # branch, so that they can be checked against it: not split, whatever their complexity.
    def start_tag(  # noqa: C901
        self, begin: int, i: int, stack: list[tuple[str, str, int, int]]
    ) -> int:
        data = self.data
        while self.at(i) and self.at(i) not in _SPACES and self.at(i) != ord(">"):
            i += 1
        if not self.at(i):
            raise HtmlError(f"Unclosed start tag at byte offset {begin}")
        tag = data[begin + 1 : i].decode("utf-8", errors="replace").lower()
        if tag not in ALLOWED_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        argument = ""
        while self.at(i) != ord(">"):
            while self.at(i) and self.at(i) in _SPACES:
                i += 1
            if self.at(i) == ord(">"):
                break
            if not self.at(i):
                raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            name_start = i
            while self.at(i) and self.at(i) not in _SPACES and self.at(i) not in b"=>":
                i += 1
            attr = data[name_start:i].decode("utf-8", errors="replace").lower()
            if not attr:
                raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
            while self.at(i) and self.at(i) in _SPACES:
                i += 1
            if self.at(i) != ord("="):
                if tag == "blockquote" and attr == "expandable":
                    argument = "1"
                    continue
                if not self.at(i):
                    raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                raise HtmlError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {begin}'
                )
            i += 1
            while self.at(i) and self.at(i) in _SPACES:
                i += 1
            if not self.at(i):
                raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            value, i = self.attribute_value(i)
            if not self.at(i):
                raise HtmlError(f"Unclosed start tag at byte offset {begin}")
            if tag == "a" and attr == "href":
                argument = value
            elif tag == "code" and attr == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and attr == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and attr == "emoji-id":
                argument = value
            elif tag == "blockquote" and attr == "expandable":
                argument = "1"
        if tag == "span" and argument != "spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        stack.append((tag, argument, self.utf16, len(self.out)))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        data = self.data
        quote = self.at(i)
        if quote not in (ord("'"), ord('"')):
            # An unquoted value is an HTML "name token": letters, digits, '.' and '-'.
            start = i
            while self.at(i) and (
                (chr(self.at(i)).isascii() and chr(self.at(i)).isalnum()) or self.at(i) in b".-"
            ):
                i += 1
            if self.at(i) not in _SPACES and self.at(i) != ord(">"):
                raise HtmlError(f"Unexpected end of name token at byte offset {start}")
            return data[start:i].decode("ascii").lower(), i
        i += 1
        value = bytearray()
        while self.at(i) and self.at(i) != quote:
            if self.at(i) == ord("&"):
                ch, i = self.decode_entity(i)
                value += ch.encode("utf-8")
                continue
            value.append(data[i])
            i += 1
        if self.at(i) == quote:
            i += 1
        return value.decode("utf-8", errors="replace"), i

    def end_tag(self, begin: int, i: int, stack: list[tuple[str, str, int, int]]) -> int:
        data = self.data
        if not stack:
            raise HtmlError(f"Unexpected end tag at byte offset {begin}")
        i += 1  # skip '/'
        while self.at(i) and self.at(i) not in _SPACES and self.at(i) != ord(">"):
            i += 1
        end_name = data[begin + 2 : i].decode("utf-8", errors="replace").lower()
        while self.at(i) and self.at(i) in _SPACES:
            i += 1
        if self.at(i) != ord(">"):
            raise HtmlError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, offset, out_pos = stack.pop()
        if end_name and end_name != tag:
            raise HtmlError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        length = self.utf16 - offset
        if length > 0:
            self.add_entity(tag, argument, offset, length, out_pos)
        return i + 1

    def add_entity(  # noqa: C901
        self, tag: str, argument: str, offset: int, length: int, out_pos: int
    ) -> None:
        entities = self.entities
        last = entities[-1] if entities else None
        same_span = last is not None and last["offset"] == offset and last["length"] == length
        if tag in _SIMPLE_TAG_TYPES:
            entities.append({"type": _SIMPLE_TAG_TYPES[tag], "offset": offset, "length": length})
        elif tag == "span":
            entities.append({"type": "spoiler", "offset": offset, "length": length})
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise HtmlError("Custom emoji identifier must be non-zero")
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": offset,
                    "length": length,
                    "custom_emoji_id": argument,
                }
            )
        elif tag == "a":
            url = argument or self.out[out_pos:].decode("utf-8", errors="replace")
            entity = _link_entity(url, offset, length)
            if entity is not None:
                entities.append(entity)
        elif tag == "pre":
            if same_span and last is not None and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                entities.append({"type": "pre", "offset": offset, "length": length})
        elif tag == "code":
            if same_span and last is not None and last["type"] == "pre" and argument:
                last["language"] = argument
            else:
                entity = {"type": "code", "offset": offset, "length": length}
                if argument:
                    # Kept until the enclosing <pre> closes; a bare <code> drops it below.
                    entity["language"] = argument
                entities.append(entity)
        elif tag == "blockquote":
            kind = "expandable_blockquote" if argument == "1" else "blockquote"
            entities.append({"type": kind, "offset": offset, "length": length})


def _link_entity(url: str, offset: int, length: int) -> dict[str, Any] | None:
    """Telegram drops links it cannot parse instead of failing, so this returns None."""
    url = url.strip()
    lowered = url.lower()
    if lowered.startswith("tg://user?id="):
        user_id = lowered[len("tg://user?id=") :]
        if user_id.isdigit():
            return {
                "type": "text_mention",
                "offset": offset,
                "length": length,
                "user": {"id": int(user_id), "is_bot": False, "first_name": ""},
            }
        return None
    if lowered.startswith(("http://", "https://", "tg://", "ton://")):
        rest = url.split("://", 1)[1]
        if not rest or any(ch.isspace() for ch in url):
            return None
        return {"type": "text_link", "offset": offset, "length": length, "url": url}
    if ":" in lowered.split("/", 1)[0].split("?", 1)[0] and not _looks_like_host_port(lowered):
        # Any other scheme (javascript:, data:, mailto:, ...) is not a valid link for Telegram.
        return None
    host = lowered.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    if "." in host and not any(ch.isspace() for ch in url):
        return {"type": "text_link", "offset": offset, "length": length, "url": "http://" + url}
    return None


def _looks_like_host_port(value: str) -> bool:
    head = value.split("/", 1)[0]
    host, _, port = head.partition(":")
    return "." in host and port.isdigit()


def _normalize(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply Telegram's nesting rules and ordering to entities produced by the parser.

    Telegram silently removes entities that break the nesting rules (nothing inside code or
    pre, no quote inside a quote) rather than failing the request, so do the same.
    """
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    # Entities are created when their tag closes, so among equal spans the outer tag comes
    # last; reversing the creation order lists them outermost first, as Telegram does.
    indexed = sorted(
        enumerate(entities),
        key=lambda item: (
            item[1]["offset"],
            -item[1]["length"],
            _TYPE_RANK.get(item[1]["type"], 9),
            -item[0],
        ),
    )
    ordered = [entity for _, entity in indexed]
    kept: list[dict[str, Any]] = []
    for entity in ordered:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        dropped = False
        for outer in kept:
            o_start, o_end = outer["offset"], outer["offset"] + outer["length"]
            if not (o_start <= start and end <= o_end):
                continue
            if outer["type"] in _OPAQUE_TYPES or (
                outer["type"] in _QUOTE_TYPES and entity["type"] in _QUOTE_TYPES
            ):
                dropped = True
                break
        if not dropped:
            kept.append(entity)
    return kept


# --- rendering entities back to HTML (for the playground page) ---------------------------

_RENDER_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="tg-spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ('<blockquote class="expandable">', "</blockquote>"),
    "bot_command": ('<span class="tg-command">', "</span>"),
    "url": ('<span class="tg-url">', "</span>"),
    "mention": ('<span class="tg-mention">', "</span>"),
    "hashtag": ('<span class="tg-hashtag">', "</span>"),
    "custom_emoji": ("<span>", "</span>"),
}

_SAFE_SCHEMES = ("http://", "https://", "tg://")


def _open_tag(entity: dict[str, Any]) -> tuple[str, str]:
    kind = entity.get("type")
    if kind == "pre":
        language = str(entity.get("language") or "")
        if language:
            cls = html.escape("language-" + language, quote=True)
            return f'<pre><code class="{cls}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        url = str(entity.get("url") or "")
        if url.lower().startswith(_SAFE_SCHEMES):
            href = html.escape(url, quote=True)
            return f'<a href="{href}" target="_blank" rel="noopener noreferrer">', "</a>"
        return '<span class="tg-link">', "</span>"
    if kind == "text_mention":
        return '<span class="tg-mention">', "</span>"
    return _RENDER_TAGS.get(str(kind), ("<span>", "</span>"))


def entities_to_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """Render text and Bot API entities as HTML that is safe to put into innerHTML.

    Every piece of text is escaped and only a fixed set of tags is produced, so the result
    cannot carry markup from the message itself.  Entities sent by a bot may overlap
    arbitrarily (the ``entities`` parameter is not nested), so overlapping tags are closed and
    reopened around the boundary instead of producing malformed HTML.
    """
    units = text.encode("utf-16-le", errors="surrogatepass")
    total = len(units) // 2
    spans: list[tuple[int, int, int, dict[str, Any]]] = []
    for index, entity in enumerate(entities or []):
        try:
            start = max(0, int(entity.get("offset", 0)))
            end = min(total, start + int(entity.get("length", 0)))
        except (TypeError, ValueError):
            continue
        if end > start:
            spans.append((start, end, index, entity))
    bounds = sorted({0, total, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    # Longer spans open first so that they enclose shorter ones starting at the same point.
    spans.sort(key=lambda s: (s[0], -s[1], s[2]))
    parts: list[str] = []
    open_stack: list[tuple[int, int, int, dict[str, Any]]] = []
    pending = list(spans)
    for pos_index, pos in enumerate(bounds):
        # Close everything that ends here, reopening spans that were opened later but go on.
        if any(span[1] == pos for span in open_stack):
            reopen: list[tuple[int, int, int, dict[str, Any]]] = []
            while any(span[1] == pos for span in open_stack):
                span = open_stack.pop()
                parts.append(_open_tag(span[3])[1])
                if span[1] != pos:
                    reopen.append(span)
            for span in reversed(reopen):
                parts.append(_open_tag(span[3])[0])
                open_stack.append(span)
        while pending and pending[0][0] == pos:
            span = pending.pop(0)
            parts.append(_open_tag(span[3])[0])
            open_stack.append(span)
        if pos_index + 1 < len(bounds):
            nxt = bounds[pos_index + 1]
            chunk = units[pos * 2 : nxt * 2].decode("utf-16-le", errors="replace")
            parts.append(html.escape(chunk, quote=False))
    while open_stack:
        parts.append(_open_tag(open_stack.pop()[3])[1])
    return "".join(parts)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text and Bot API ``MessageEntity`` dicts.

    Offsets and lengths are in UTF-16 code units.  Raises :class:`HtmlError` with Telegram's
    wording (its ``description`` is the full Bot API error description) for anything that
    Telegram would reject, and for bare ``&`` characters (see the module docstring).
    """
    return _Parser(text).parse()
