"""`python -m bot content check`: every problem in content/, listed at once, before users see it.

Outreach teams edit content in a text editor; this is their safety net. It reports errors (the
content must not ship) and warnings (stale reviews). docs/content-guide.md explains each message.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from babel import Locale

from bot import clock
from bot.content import glossary, translations
from bot.content.catalogue import (
    LEGAL_REVIEW_FORMAT,
    PLURAL_OTHER,
    Catalogue,
    ContentError,
    LegalReview,
    Page,
    flatten,
    load_page,
    logical_strings,
)
from bot.languages import LANGUAGES
from bot.text.telegram_html import HtmlError, parse_html, utf16_len

if TYPE_CHECKING:
    from bot.screening.rules import RuleBook

# Telegram's hard limits (Bot API): message text, callback data, command and bot descriptions.
MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
COMMAND_DESCRIPTION_LIMIT = 256
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120
# Ours: a full-width inline button on a 360-pixel phone shows about 32 narrow characters before
# Telegram cuts the label with "…"; emoji and wide characters count double.
BUTTON_WIDTH_LIMIT = 32
# A page should leave room on screen; beyond this it is a warning, beyond 4096 an error.
PAGE_COMFORT_LIMIT = 3500
REVIEW_MAX_AGE = dt.timedelta(days=365)
# A verdict shows one or two reasons with the articles: each must stay a short paragraph.
RULE_REASON_MAX = 700

_FIELD = string.Formatter()
# A {placeholder} in a string is not a word of the text.
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The checked content itself, so that a reload serves exactly what passed the check.
    catalogue: Catalogue | None = None
    # The rule book as read for the check (the file may change after): served with the catalogue.
    rules: RuleBook | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        lines = [f"ERROR   {e}" for e in self.errors] + [f"WARNING {w}" for w in self.warnings]
        verdict = "content check passed" if self.ok else "content check FAILED"
        lines.append(f"{verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


def placeholders(text: str) -> frozenset[str]:
    """The {names} a string expects; a malformed brace raises ValueError."""
    return frozenset(name for _, name, _, _ in _FIELD.parse(text) if name)


def _all_known_cases() -> list[dict[str, object]]:
    """One case per kind of dispute (and per gravity or kind of offence), every answer known:
    "no" to each yes/no question, no excluded crime."""
    from bot.screening.fields import BOOLEAN_FIELDS, CATEGORIES, CHOICE_FIELDS

    base: dict[str, object] = dict.fromkeys(BOOLEAN_FIELDS, False)
    base.update(excluded_crime="none", crime_gravity="minor", admin_offence="other")
    cases = []
    for category in CATEGORIES:
        if category == "criminal":
            cases += [{**base, "category": category, "crime_gravity": g}
                      for g in CHOICE_FIELDS["crime_gravity"]]  # fmt: skip
        elif category == "administrative_offence":
            cases += [{**base, "category": category, "admin_offence": a}
                      for a in CHOICE_FIELDS["admin_offence"]]  # fmt: skip
        else:
            cases.append({**base, "category": category})
    return cases


def display_width(label: str) -> int:
    width = 0
    for char in label:
        if unicodedata.combining(char) or char in "\u200d\ufe0f":
            continue
        wide = unicodedata.east_asian_width(char) in "WF" or ord(char) > 0xFFFF
        width += 2 if wide else 1
    return width


def is_button(key: str) -> bool:
    return key.startswith(("btn.", "lang.name."))


class _Checker:
    def __init__(self, root: Path, today: dt.date) -> None:
        self.root = root
        self.today = today
        self.report = Report()
        self.strings: dict[str, dict[str, str]] = {}
        self.pages: dict[str, dict[str, Page]] = {}
        self.rule_reasons: list[tuple[str, str, str]] = []  # (rule id, language, reason)

    def error(self, message: str) -> None:
        self.report.errors.append(message)

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    # -- loading, one file at a time so that one broken file does not hide the others

    def load(self) -> None:
        for lang in LANGUAGES:
            folder = self.root / lang
            path = folder / "strings.yml"
            self.strings[lang] = {}
            if not path.exists():
                self.error(f"{self.rel(path)}: missing")
            else:
                try:
                    tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                    if not isinstance(tree, dict):
                        raise ContentError("not a mapping of keys to strings")
                    self.strings[lang] = flatten(tree)
                except (yaml.YAMLError, ContentError, UnicodeDecodeError) as exc:
                    self.error(f"{self.rel(path)}: cannot be read: {exc}")
            self.pages[lang] = {}
            for page_path in sorted((folder / "pages").glob("*.md")):
                try:
                    self.pages[lang][page_path.stem] = load_page(page_path, lang)
                except (ContentError, yaml.YAMLError, UnicodeDecodeError) as exc:
                    reason = str(exc).replace(f"{page_path}: ", "")
                    self.error(f"{self.rel(page_path)}: {reason}")

    # -- the same keys, pages and placeholders everywhere

    def check_completeness(self) -> None:
        logical = {lang: logical_strings(self.strings[lang]) for lang in LANGUAGES}
        all_keys = set().union(*(set(k) for k in logical.values()))
        for key in sorted(all_keys):
            missing = [lang for lang in LANGUAGES if key not in logical[lang]]
            if missing:
                self.error(f"string '{key}' is missing in {', '.join(missing)}")
                continue
            found: dict[str, frozenset[str]] = {}
            for lang in LANGUAGES:
                forms = logical[lang][key]
                if "" not in forms:
                    needed = {PLURAL_OTHER, *Locale.parse(lang).plural_form.tags}
                    lacking = sorted(needed - set(forms))
                    if lacking:
                        self.error(
                            f"{lang}/strings.yml: '{key}' lacks the plural form(s) "
                            f"{', '.join(lacking)}"
                        )
                names: set[str] = set()
                for form, value in forms.items():
                    where = f"{key}.{form}" if form else key
                    if not value.strip():
                        self.error(f"{lang}/strings.yml: '{where}' is empty")
                    try:
                        names |= placeholders(value)
                    except ValueError as exc:
                        self.error(
                            f"{lang}/strings.yml: '{where}' has a broken {{placeholder}}: {exc}"
                        )
                found[lang] = frozenset(names)
            if len(set(found.values())) > 1:
                detail = "; ".join(
                    f"{lang}: {', '.join(sorted(names)) or 'none'}" for lang, names in found.items()
                )
                self.error(f"string '{key}' has different placeholders per language ({detail})")
        all_pages = set().union(*(set(p) for p in self.pages.values()))
        for page_id in sorted(all_pages):
            missing = [lang for lang in LANGUAGES if page_id not in self.pages[lang]]
            if missing:
                self.error(f"page '{page_id}' is missing in {', '.join(missing)}")

    def check_front_matter(self) -> None:
        for lang in LANGUAGES:
            for page in self.pages[lang].values():
                where = f"{lang}/pages/{page.page_id}.md"
                if not page.title:
                    self.error(f"{where}: front matter has no title")
                if not page.sources:
                    self.error(f"{where}: front matter has no sources (the articles it rests on)")
                if not page.reviewed_by:
                    self.error(f"{where}: front matter has no reviewed_by")
                if page.legal_review is None:
                    self.error(
                        f"{where}: front matter has no legal_review "
                        f"({LEGAL_REVIEW_FORMAT}; write `legal_review: pending` until a "
                        "lawyer signs)"
                    )
                else:
                    self._check_legal_review(where, page.reviewed_on, page.legal_review)
                if page.reviewed_on > self.today:
                    self.error(f"{where}: reviewed_on {page.reviewed_on} is in the future")
                elif self.today - page.reviewed_on > REVIEW_MAX_AGE:
                    self.warn(
                        f"{where}: last reviewed on {page.reviewed_on}, more than 12 months ago"
                    )
                if not page.body.strip():
                    self.error(f"{where}: the page has no text")

    def _check_legal_review(self, where: str, reviewed_on: dt.date, review: LegalReview) -> None:
        """A lawyer's signature must be real: not in the future, not older than the text."""
        if review.signed_on is None:
            return
        if review.signed_on > self.today:
            self.error(f"{where}: legal_review {review.signed_on} is in the future")
        elif review.signed_on < reviewed_on:
            self.error(
                f"{where}: the text changed on {reviewed_on} (reviewed_on), after the legal "
                f"review of {review.signed_on}: have the lawyer sign again or write "
                "`legal_review: pending`"
            )

    # -- the screening rules (content/screening/rules.yml)

    def check_rules(self) -> None:
        from bot.screening import engine, rules

        where = str(rules.RULES_FILE)
        try:
            book = rules.load(self.root)
        except rules.RuleBookError as exc:
            self.error(str(exc).replace(f"{self.root / rules.RULES_FILE}: ", f"{where}: "))
            return
        self.report.rules = book
        if book.reviewed_on > self.today:
            self.error(f"{where}: reviewed_on {book.reviewed_on} is in the future")
        elif self.today - book.reviewed_on > REVIEW_MAX_AGE:
            self.warn(f"{where}: last reviewed on {book.reviewed_on}, more than 12 months ago")
        self._check_legal_review(where, book.reviewed_on, book.legal_review)
        for rule in (*book.rules, *book.adjustments):
            for lang, reason in rule.reasons.items():
                self.rule_reasons.append((rule.id, lang, reason))
                if len(reason) > RULE_REASON_MAX:
                    self.error(
                        f"{where}: rule {rule.id}: the {lang} reason has {len(reason)} "
                        f"characters; keep it under {RULE_REASON_MAX}"
                    )
        # A kind of dispute that no rule decides, even with every answer known, would leave a
        # person with "we can't tell" for ever.
        for case in _all_known_cases():
            try:
                outcome = engine.evaluate(book, case)
            except engine.NoRuleMatched:
                outcome = None
            if outcome is None or outcome.verdict == "unsure":
                shown = {k: v for k, v in case.items() if v not in (False, "none")}
                self.error(f"{where}: no rule decides {shown} when every answer is known")

    # -- one term per concept (content/glossary.yml)

    def check_glossary(self) -> None:
        terms, problems = glossary.load(self.root, LANGUAGES)
        for problem in problems:
            self.error(f"{glossary.GLOSSARY_FILE}: {problem}")
        for lang in LANGUAGES:
            for page_id, page in sorted(self.pages[lang].items()):
                where = f"{lang}/pages/{page_id}.md"
                for hit in terms.find(lang, page.title, "pages", page_id):
                    self.error(f"{where}: title: {hit.message()}")
                first = self._body_line(lang, page_id, page.body)
                for hit in terms.find(lang, page.body, "pages", page_id):
                    self.error(f"{where}:{first + hit.line - 1}: {hit.message()}")
            for key, value in sorted(self.strings[lang].items()):
                # {verdict} is a placeholder's name, not a word the reader sees.
                shown = re.sub(r"\{[^{}]*\}", lambda m: " " * len(m[0]), value)
                for hit in terms.find(lang, shown, "strings", key):
                    self.error(f"{lang}/strings.yml: '{key}': {hit.message()}")
        for rule_id, lang, reason in self.rule_reasons:
            for hit in terms.find(lang, reason, "rules", rule_id):
                self.error(
                    f"screening/rules.yml: rule {rule_id}: the {lang} reason: {hit.message()}"
                )

    def _body_line(self, lang: str, page_id: str, body: str) -> int:
        """The line of the page file where its body starts, so a hit can name its file line."""
        try:
            text = (self.root / lang / "pages" / f"{page_id}.md").read_text(encoding="utf-8")
        except OSError:
            return 1
        start = text.find(body)
        return text.count("\n", 0, start) + 1 if start >= 0 else 1

    # -- what Telegram would refuse

    def check_telegram(self) -> None:
        catalogue = self.report.catalogue = Catalogue(self.strings, self.pages)
        for lang in LANGUAGES:
            for page_id in sorted(self.pages[lang]):
                where = f"{lang}/pages/{page_id}.md"
                try:
                    html = catalogue.render_page(lang, page_id)
                except (KeyError, ValueError) as exc:
                    self.error(f"{where}: cannot be rendered: {exc}")
                    continue
                self._check_message(where, html, comfort=PAGE_COMFORT_LIMIT)
            for key, value in sorted(self.strings[lang].items()):
                where = f"{lang}/strings.yml: '{key}'"
                if is_button(key) or key.startswith(("commands.", "bot.")):
                    self._check_label(lang, key, value)
                    continue
                try:
                    names = placeholders(value)
                except ValueError:
                    continue  # reported by check_completeness
                sample = dict.fromkeys(names, "x" * 12)
                try:
                    html = catalogue.text(lang, key, **sample)
                except (KeyError, ValueError, IndexError) as exc:
                    self.error(f"{where}: cannot be rendered: {exc}")
                    continue
                self._check_message(where, html)

    def _check_message(self, where: str, html: str, comfort: int | None = None) -> None:
        try:
            text, _ = parse_html(html)
        except HtmlError as exc:
            self.error(f"{where}: Telegram would reject the formatting ({exc.reason})")
            return
        length = utf16_len(text)
        if length > MESSAGE_LIMIT:
            self.error(f"{where}: {length} characters, over Telegram's limit of {MESSAGE_LIMIT}")
        elif comfort is not None and length > comfort:
            self.warn(f"{where}: {length} characters; consider splitting it (over {comfort})")

    def _check_label(self, lang: str, key: str, value: str) -> None:
        where = f"{lang}/strings.yml: '{key}'"
        if any(mark in value for mark in ("**", "](", "<", ">")):
            self.error(f"{where}: buttons, commands and descriptions cannot have formatting")
        if is_button(key):
            width = display_width(value)
            if width > BUTTON_WIDTH_LIMIT:
                self.error(
                    f"{where}: button label is {width} wide, more than fits a phone "
                    f"({BUTTON_WIDTH_LIMIT}; emoji count 2)"
                )
        elif key.startswith("commands."):
            if not 1 <= len(value) <= COMMAND_DESCRIPTION_LIMIT:
                self.error(f"{where}: a command description must be 1-256 characters")
        elif key == "bot.description" and len(value) > DESCRIPTION_LIMIT:
            self.error(f"{where}: {len(value)} characters, over Telegram's {DESCRIPTION_LIMIT}")
        elif key == "bot.short_description" and len(value) > SHORT_DESCRIPTION_LIMIT:
            self.error(
                f"{where}: {len(value)} characters, over Telegram's {SHORT_DESCRIPTION_LIMIT}"
            )

    # -- translations whose source changed since (content/sources.yml, <lang>/translations.yml)

    def check_translations(self) -> None:
        try:
            sources = translations.load_sources(self.root)
            if sources is None:
                return  # nothing declared, nothing tracked
            records = {lang: translations.load_records(self.root, lang) for lang in LANGUAGES}
        except translations.TranslationError as exc:
            self.error(str(exc))
            return
        book = self.report.rules  # read by check_rules, before this
        reasons = translations.reasons_by_rule(book) if book else {}
        found = translations.texts(self.strings, self.pages, reasons)
        for entry in translations.survey(found, sources, records):
            if entry.status is not translations.Status.STALE:
                continue
            if entry.item.startswith(translations.PAGE_PREFIX):
                page_id = entry.item.removeprefix(translations.PAGE_PREFIX)
                where = f"{entry.language}/pages/{page_id}.md"
            elif entry.item.startswith(translations.RULE_PREFIX):
                rule_id = entry.item.removeprefix(translations.RULE_PREFIX)
                where = f"screening/rules.yml: rule {rule_id}: the {entry.language} reason"
                self.warn(
                    f"{where}: stale translation: the {entry.source} reason changed since it "
                    f"was translated (update it with the legal reviewers, then python -m bot "
                    f"content stamp --to {entry.language} {entry.item})"
                )
                continue
            else:
                where = f"{entry.language}/strings.yml: '{entry.item}'"
            self.warn(
                f"{where}: stale translation: the {entry.source} text changed since it was "
                f"translated (python -m bot content export --to {entry.language})"
            )

    # -- what the code and the dialogue expect to find

    def check_references(self, keys: Iterable[str], callback_data: Iterable[str]) -> None:
        for key in sorted(set(keys)):
            if key.startswith("page:"):
                page_id = key.removeprefix("page:")
                for lang in LANGUAGES:
                    if page_id not in self.pages[lang]:
                        self.error(f"page '{page_id}' is used by the bot but missing in {lang}")
            else:
                for lang in LANGUAGES:
                    strings = self.strings[lang]
                    if key not in strings and f"{key}.{PLURAL_OTHER}" not in strings:
                        self.error(f"string '{key}' is used by the bot but missing in {lang}")
        for data in sorted(set(callback_data)):
            size = len(data.encode("utf-8"))
            if size > CALLBACK_DATA_LIMIT:
                self.error(f"callback data '{data}' is {size} bytes, over Telegram's 64")
            if not data.isascii():
                self.error(f"callback data '{data}' is not ASCII")


def used_keys(domain_dir: Path) -> set[str]:
    """Content keys named by the dialogue's responses (Rasa's domain)."""
    keys: set[str] = set()
    for path in sorted(domain_dir.rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        keys.update(re.findall(r"\bkey:\s*\"?([\w.:]+)\"?", text))
    return keys


def domain_instructions(domain_dir: Path) -> list[tuple[str, str]]:
    """Every `do:` a Rasa response gives the bot, with the response's name."""
    found: list[tuple[str, str]] = []
    for path in sorted(domain_dir.rglob("*.yml")):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses = domain.get("responses") if isinstance(domain, dict) else None
        for name, variants in (responses or {}).items():
            for variant in variants or []:
                custom = variant.get("custom") if isinstance(variant, dict) else None
                if isinstance(custom, dict) and "do" in custom:
                    found.append((str(name), str(custom["do"])))
    return found


@dataclass(frozen=True)
class Uses:
    """What the running bot asks of the content, given by the parts that ask (the content
    knows none of them): the keys its code shows, its button codes, the instructions it
    follows, and the dialogue's domain, whose responses name keys and instructions too.
    The Telegram layer gives the bot's (bot/telegram/content_manifest.py, `uses`)."""

    keys: frozenset[str]
    callback_data: frozenset[str]
    instructions: frozenset[str]
    domain_dir: Path


def check(root: Path, uses: Uses, today: dt.date | None = None) -> Report:
    """Check the content tree at root, and that it has all that `uses` names."""
    checker = _Checker(root, today or clock.today())
    checker.load()
    checker.check_completeness()
    checker.check_front_matter()
    checker.check_rules()
    checker.check_glossary()
    checker.check_telegram()
    checker.check_translations()
    checker.check_references(uses.keys | used_keys(uses.domain_dir), uses.callback_data)
    for response, do in domain_instructions(uses.domain_dir):
        if do not in uses.instructions:
            known = ", ".join(sorted(v for v in uses.instructions if v))
            checker.error(
                f"response '{response}' gives the bot the instruction do: '{do}', which it does"
                f" not know (one of: {known})"
            )
    return checker.report
