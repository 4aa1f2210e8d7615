"""Dispute types, and how a phrase that a person wrote maps onto one of them.

The Rasa model finds *where* a dispute is described ("не платят зарплату"); this turns the span
into a type, in any of our languages and scripts. Word stems, not whole words, so that Kazakh
and Russian endings (мұрагерлік, мұраға; наследство, наследству) and Latin spellings match.
"""

from __future__ import annotations

import re
import unicodedata

from bot.dialogue.topics import DISPUTE_TYPES

__all__ = ["DISPUTE_TYPES", "dispute_type_of"]

# Checked in this order: the more specific types first (an inheritance dispute between
# brothers is about family members, but it is inheritance; a supplier's unpaid invoice is
# commercial although goods are involved; a conflict among residents is community, not housing).
_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("inheritance", (
        "наслед", "завещ", "мұра", "мура", "мирас", "өсиет", "осиет", "inherit", "heir", "will ",
        "mura", "murager", "mirasqor", "ósıet", "osiet", "late father", "late mother",
        "покойн", "умер", "қайтыс", "кайтыс", "марқұм", "маркум", "qaıtys", "qaitys",
        "қалған үй", "калган үй", "калган уй", "қалған пәтер", "калган патер", "qalǵan", "qalgan",
    )),
    ("criminal", (
        "уголов", "кража", "украл", "избил", "драк", "мошенн", "побо", "қылмыс", "кылмыс",
        "ұрла", "урла", "ұрлық", "урлык", "ұрып", "урып", "зорлық", "зорлык", "төбелес", "тобелес", "алаяқ", "алаяк", "criminal", "theft", "stole",
        "assault", "fraud", "beat", "qylmys", "urla", "tóbeles", "tobeles", "alaıaq", "alayak",
    )),
    ("administrative", (
        "штраф", "госорган", "акимат", "әкімдік", "акимдик", "административ", "әкімшілік",
        "акимшилик", "айыппұл", "айыппул", "полици", "налогов", "мемлекеттік орган",
        "state body", "fine", "akimat", "government", "aıyppul", "aiyppul", "ákimdik", "akimdik",
    )),
    ("labour", (
        "зарплат", "работодат", "уволи", "увольн", "трудов", "начальни", "отпуск", "жалақ",
        "жалак", "жұмыс", "жумыс", "еңбек", "енбек", "жұмыстан", "salary", "wage", "employer",
        "fired", "dismiss", "boss", "labour", "labor", "work", "jalaq", "jumys", "eńbek", "enbek",
    )),
    ("family", (
        "развод", "алимент", "супруг", "муж", "жена", "ребен", "ребён", "дет", "опек",
        "ажыра", "алимент", "күйеу", "куйеу", "әйел", "айел", "бала", "отбасы", "жұбай", "жануя",
        "ерлі-зайып", "ерли-зайып",
        "divorce", "alimony", "child", "husband", "wife", "spouse", "family", "custody", "ex ",
        "ajyra", "kúıeý", "kuieu", "áıel", "aiel", "bala", "otbasy",
    )),
    ("community", (
        "межнацион", "этнич", "жител", "община", "сообществ", "конфликт в сел", "ұлтаралық",
        "ултаралык", "ауыл", "тұрғын", "тургын", "қауым", "кауым", "community", "ethnic",
        "residents", "village", "neighbourhood conflict", "aýyl", "auyl", "turǵyn", "turgyn",
    )),
    ("commercial", (
        "договор", "долг", "займ", "заём", "кредит", "поставщ", "бизнес", "контраг", "шарт",
        "қарыз", "карыз", "несие", "серіктес", "коммерция", "тоо ", "жеткізуші", "жеткизуши", "contract", "debt", "loan", "supplier",
        "business", "partner", "invoice", "qaryz", "karyz", "nesıe", "nesie", "shart",
    )),
    ("consumer", (
        "магазин", "товар", "покуп", "возврат", "потребит", "брак", "услуг", "дүкен", "дукен",
        "тауар", "тұтынушы", "тутынушы", "сатып ал", "сапасыз", "сатушы", "сервис", "shop", "store", "refund", "faulty",
        "consumer", "bought", "purchase", "dúken", "duken", "taýar", "tauar",
    )),
    ("property", (
        "сосед", "затоп", "квартир", "дом", "забор", "земл", "участ", "имуществ", "ущерб",
        "көрші", "корши", "пәтер", "патер", "су басу", "су басып", "үй", "уй", "жер", "мүлік", "мулик", "шығын",
        "neighbo", "flat", "apartment", "house", "land", "fence", "flood", "damage", "property",
        "kórshi", "korshi", "páter", "pater", "úı", "jer", "múlik", "mulik",
    )),
)  # fmt: skip

_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text.lower().replace("ё", "е"))
    return _SPACES.sub(" ", f" {text} ")


def dispute_type_of(text: str) -> str | None:
    """The type a phrase describes, or None when nothing in it is recognisable."""
    if not text:
        return None
    folded = _fold(text)
    stripped = folded.strip()
    if stripped in DISPUTE_TYPES:
        return stripped
    for dispute_type, stems in _STEMS:
        for stem in stems:
            # A stem that is a short word must start a word: "уй" in "поцелуй" is no house.
            if len(stem.strip()) <= 3:
                if re.search(rf"(?<!\w){re.escape(stem.strip())}", folded):
                    return dispute_type
            elif stem in folded:
                return dispute_type
    return None
