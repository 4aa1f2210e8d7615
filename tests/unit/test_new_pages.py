"""The pages added after the December 2026 content review can be reached, in every language.

Each page exists in kk, ru and en with the front matter a reviewer needs (sources, a pending
legal review), has a button label, and is offered as a button under at least one answer of the
dialogue (a `topics` list in the Rasa domain), where the keyboard turns it into a page button.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import LANGUAGES, Catalogue
from bot.dialogue.topics import BUTTON_PAGES, MORE_PAGES
from bot.telegram import callbacks, keyboards

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
DOMAIN = ROOT / "rasa_project" / "domain"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)

NEW_PAGES = (
    "mediation_results", "mediator_complaints", "online_mediation",
    "mediation_tradition", "public_mediators", "enforcement",
)  # fmt: skip


def _front_matter(page_id: str, language: str) -> tuple[dict[str, Any], str]:
    path = CONTENT / language / "pages" / f"{page_id}.md"
    assert path.is_file(), f"{path} is missing"
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    assert match, f"{path}: no front matter between '---' lines"
    meta = yaml.safe_load(match.group(1))
    assert isinstance(meta, dict), f"{path}: front matter is not a mapping"
    return meta, match.group(2)


def _domain_topics() -> dict[str, set[str]]:
    """Response name -> the topics offered as buttons under it, from every domain file."""
    offered: dict[str, set[str]] = {}
    for path in sorted(DOMAIN.glob("*.yml")):
        domain = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variants in (domain.get("responses") or {}).items():
            for variant in variants or []:
                custom = variant.get("custom") if isinstance(variant, dict) else None
                if isinstance(custom, dict):
                    offered.setdefault(name, set()).update(custom.get("topics") or [])
    return offered


def test_the_new_pages_are_the_button_pages_added_for_them() -> None:
    assert set(MORE_PAGES) == set(NEW_PAGES)
    assert set(NEW_PAGES) <= set(BUTTON_PAGES)


@pytest.mark.parametrize("page_id", NEW_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_page_exists_with_sources_and_pending_legal_review(page_id: str, language: str) -> None:
    meta, body = _front_matter(page_id, language)
    assert str(meta.get("title", "")).strip()
    sources = meta.get("sources")
    assert isinstance(sources, list), "sources: one per line"
    assert sources, "sources: one per line"
    assert all(str(s).strip() for s in sources)
    assert str(meta.get("reviewed_by", "")).strip()
    assert "legal_review" in meta, "legal_review: pending until a lawyer signs"
    assert str(meta["legal_review"]).strip()
    assert meta.get("reviewed_on") is not None
    assert body.strip()


@pytest.mark.parametrize("page_id", NEW_PAGES)
def test_the_three_languages_cite_the_same_number_of_sources(page_id: str) -> None:
    counts = {lang: len(_front_matter(page_id, lang)[0]["sources"]) for lang in LANGUAGES}
    assert len(set(counts.values())) == 1, counts


@pytest.mark.parametrize("page_id", NEW_PAGES)
def test_page_is_offered_under_a_dialogue_answer(page_id: str) -> None:
    offering = sorted(name for name, topics in _domain_topics().items() if page_id in topics)
    assert offering, f"no response in {DOMAIN} lists {page_id} in its topics"


@pytest.mark.parametrize("page_id", NEW_PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_topic_renders_as_a_button_that_opens_the_page(
    catalogue: Catalogue, page_id: str, language: str
) -> None:
    assert catalogue.has(language, f"btn.page.{page_id}")
    markup = keyboards.topics_and_menu(catalogue, language, [page_id], with_menu=False)
    assert markup is not None
    (button,) = [b for row in markup.inline_keyboard for b in row]
    assert button.text == catalogue.label(language, f"btn.page.{page_id}")
    assert button.callback_data == callbacks.page(page_id)
    assert callbacks.parse(button.callback_data) == callbacks.Callback(callbacks.Kind.PAGE, page_id)
    assert callbacks.page(page_id) in callbacks.all_callback_data()
