"""Dispute types, and how a phrase that a person wrote maps onto one of them.

The Rasa model finds *where* a dispute is described ("не платят зарплату"); this turns the span
into a type, in any of our languages and scripts.

Both the span and every cue below go through one folding, `bot.text.skeleton.fold`, that
writes every script as the same lossy ASCII skeleton ("жалақы", "жалакы", "jalaqy", "zhalaky"
all become "jalaki"). So a Kazakh cue is written once, in Cyrillic, and still matches every way
of typing it.

Cues are word stems that match at the start of a word, so that Kazakh and Russian endings
(мұрагерлік, мұраға; наследство, наследству) match without matching inside unrelated words
(the "үй" in "поцелуй"). Each cue has a weight: the type of the heaviest cue found wins, and
on a tie the type listed first in `_CUES`, the more specific one. That lets a specific cue beat
a generic one (a late father's house is inheritance, not property; an ex-husband who wants the
flat is family; residents of a building quarrelling are community, not neighbours).
"""

from __future__ import annotations

import re

from bot.dialogue.topics import DISPUTE_TYPES
from bot.text.skeleton import fold

__all__ = ["DISPUTE_TYPES", "cues", "dispute_type_of"]

# Kazakh nouns that cues share. Listed form by form because the bare folded stems collide:
# "үй" (house) folds like "ұй" in ұйым, ұйықтау; "жер" (land) is also the start of жерлес.
_HOME = "үй$, үйі$, үйін, үйім$, үйімді, үйімнің, үйіміз, үйге, үйде, үйден, үйді, үйдің, үйлер"
_LAND = "жер$, жері, жерім, жерін, жерді, жердің, жерге, жерде, жерден, жермен, жерлер$"

# (type, weight, cues). A cue is one or more stems separated by spaces, each matching at the
# start of a word, in that order with nothing between; a stem ending in "$" must also end its
# word. Cues are written in their natural spelling and folded like the span, so one Kazakh cue
# in Cyrillic covers the Latin and plain spellings too. Lines go Russian, Kazakh, English.
#
# Weights: 3 names the type even next to other cues (a supplier, a late father, the akimat,
# residents of a building); 2 is an ordinary cue; 1 a hint that counts only when nothing better
# is found (a house, a child, work, money not returned).
#
# Types are listed from the most to the least specific: on equal weight the earlier one wins
# (a fight with a neighbour is criminal; a labour contract is labour, not commercial).
_CUES: tuple[tuple[str, int, str], ...] = (
    ("inheritance", 3, """
        наслед, завещ, покойн, умерш, умер$, умерла, скончал, после смерти,
        мұра, мирас, өсиет, марқұм, қайтыс, қайтқан,
        inherit, heir, the will$, a will$, his will$, her will$, s will$, testament, probate,
        late father, late mother, late dad, late mom, late mum, late parent, late grand,
        late husband, late wife, deceased, passed away, died, estate of
    """),
    # "Will" alone is mostly the auxiliary verb; it counts only when it is the whole story.
    ("inheritance", 1, "нотариус, will$, notary"),
    ("criminal", 3, """
        уголов, краж, украл, украд, укра, обокр, вор$, вора$, воры$, воров, ограб, граб,
        разбой, избил, избит, избиен, удар, побо, драк, подрал, мошен, насил, изнасил, угон,
        угнал, угрож, угроз, напал, нападен, убий, убил, ножом, вымогат, взятк, хулиган, телесн,
        қылмыс, ұрла, ұрлық, ұры$, ұрылар, ұрып, ұрды, ұрған, соққы, сабады, сабап, төбелес,
        зорлық, зорлад, алаяқ, тонад, тонап, тонау, пышақ, өлтір, қорқыт, бопса, бұзақы, шабуыл,
        crime, crimin, theft, thief, thieve, stole, steal, rob$, robbed$, robber, burglar,
        assault, attack, beat$, beaten, beating, hit$, hits$, punch, fraud, scam, threat,
        violen, stab, murder, kill$, killed, rape, extort, bribe, police report
    """),
    # Residents "fight over parking" as often as anyone comes to blows.
    ("criminal", 2, "fight, fought"),
    ("criminal", 1, "обман, алдап, cheat"),
    ("administrative", 3, """
        штраф, оштраф, госорган, гос орган, государствен, аким, административ, налогов,
        налог$, налоги$, миграц, таможн, инспекц, министерств, департамент, чиновни,
        айыппұл, әкім, мемлекеттік, мемлекет, салық, көші қон, кеден, министрлік, басқарма,
        инспектор,
        fine$, fined, fines$, akim, state body, state agency, state organ, government,
        authorit, tax$, taxes, tax office, ministry, customs, migration, municipal, city hall,
        land department, land committee, official decision
    """),
    ("administrative", 2, """
        полици, протокол, разрешени, лиценз, регистрац,
        хаттама, рұқсат, тіркеу,
        police, penalty, permit, licen, registration
    """),
    ("labour", 3, """
        зарплат, зп$, заработн, работодат, увол, трудов, отпускн, сверхуроч,
        жалақ, еңбек, жұмыс беруші, жұмыстан, еңбекақы, қызметтен,
        salary, salaries, wage, employer, fired, dismiss, sacked, laid off, layoff, redundan,
        resign, labour, labor, employment, overtime, paycheck
    """),
    ("labour", 2, """
        оклад, премию, премии, начальни, начальств, работа$, работе$, работой$, работать$,
        работаю, работаем, работал, работник, сократил, сокращ, расчет, больничн,
        жұмыста, жұмысым, жұмысқа, бастық, басшы, қызметкер, істедім, істеймін, айлығ, айлық$,
        босатты, босатыл,
        boss, at work$, my work$, workplace, worker, job, colleague, manager
    """),
    # "Жұмыс", "работу" and "work" are also the job a repairer or a builder was paid for.
    ("labour", 1, """
        директор, отпуск, работу$, работы$,
        жұмыс, демалыс, өтемақы, мекеме,
        work$, director, compensation
    """),
    ("family", 3, """
        развод, развед, развест, развел, расторж брак, алимент, супруг, опек, свекров,
        свекр, теща, невестк, брачн, совместно нажит, родительск прав,
        ажыра, күйеу, жұбай, зайып, отбасы, жанұя, неке, асырау, қайын, енем$,
        divorc, alimony, child support, custody, husband, wife, wives, spouse, famil,
        marriage, married, in law, ex$
    """),
    ("family", 2, """
        муж$, мужа$, мужем$, муже$, мужу$, жена$, жены$, жене$, жену$, женой$, бывш, расходим,
        семья, семьи$, семье$, семью$, семьей$, семейн,
        әйел, ерім, ерімн, ерімен, ерлі, бұрынғы ер,
        former husband, former wife
    """),
    # Children and relatives are in many disputes; alone, they point to a family one.
    ("family", 1, """
        ребен, дети$, детей$, детьми$, детям$, детях$, сын$, сына$, сыном$, дочь$, дочери,
        дочерью, дочк, брак$, брака$, браке$, родственни,
        бала, ұлым, қызым, туыс, бұрынғы,
        child, kid$, kids$, my son$, our son$, his son$, her son$, daughter, relatives, former
    """),
    ("community", 3, """
        межнацион, межэтнич, этнич, национальн, жител, жильц, подъезд, община, сообществ,
        село$, села$, селе$, селу$, селом$, сельчан, сельск, деревн, поселк, поселок, аул$,
        аула$, ауле$, аулу$, аулом$, аулы$, аулах$, пастбищ, между семьями, полив, арык$,
        арыка$, многоквартирн, многоэтаж,
        ұлтаралық, этникалық, ұлттар, ауыл, тұрғындар, тұрғыны, жерлес, қауым, әулет,
        жайылым, көппәтерлі, көп пәтерлі, көп қабатты, рулар,
        ethnic, interethnic, resident, village, neighbourhood, neighborhood, community,
        communities, our block, between families, clans, religious, pasture, irrigation,
        mahalla, homeowners, condominium, locals
    """),
    ("community", 2, "детская площадк, ойын алаң, playground"),
    # A conflict with no other cue is most often one between groups.
    ("community", 1, "конфликт, между собой, жанжал, қақтығыс, conflict, clash"),
    ("commercial", 3, """
        поставщ, поставк, контрагент, бизнес, коммерч, партнер, коллектор, расписк, займ, заем,
        инвест, подрядчик, учредител, акционер, дистрибьют, неустойк,
        келісімшарт, жеткізуші, серіктес, серігім, серігі, кәсіпкер, коммерция, қолхат, несие,
        микроқаржы,
        supplier, invoice, business, partner, contractor, shareholder, investor, collector,
        lent$, lend, borrow, owes, owed, commercial
    """),
    ("commercial", 2, """
        договор$, договора$, договору$, договоре$, договором$, договоры$, договоров$,
        договорн, контракт, долг$, долга$, долгу$, долги$, долгов, должник, задолж, кредит,
        банк, фирм, компани, одолжил, занял, ломбард,
        шарт, қарыз, фирма, компания, кәсіп, тапсырыс беруші,
        contract, debt, loan, credit, bank, firm$, firms$, company, companies, client
    """),
    # "Должен" is also "must"; "договориться" (to agree) is no contract.
    ("commercial", 1, "предприят, должен$, должна$, должны$, пайда$, пайданы, табыс, profit"),
    ("consumer", 3, """
        магазин, покупател, потребит, бракован, некачествен, химчист, ателье, турфирм,
        турагент, провайдер, гаранти, продавец, продавц, автосалон,
        дүкен, тұтынушы, сапасыз, сатушы, ақау$, ақаулы, ақауы, шеберхана, кепілдік, шаштараз,
        shop, store$, stores$, refund, faulty, defective, consumer, customer, dry clean,
        provider, warranty, guarantee, seller, travel agen, airline
    """),
    # Goods alone do not say who bought them: firms trade goods too (a commercial dispute).
    ("consumer", 2, """
        товар, покуп, купил, возврат, услуг, сервис, ремонт, мастер, салон, заказ, доставк,
        курьер, турпутевк, туроператор, авиа, билет, ресторан, кафе$, клиник, стоматолог,
        страхов, строител, сантехник, электрик, не работает,
        тауар, сатып ал, жөнде, шебер$, шебері, құрылысшы, тапсырыс, қызмет көрсет,
        интернет дүкен, істемей,
        bought, buy$, buying, purchas, product, goods, service, repair, salon, order,
        delivered, delivery, tour$, ticket, restaurant, hotel, insurance, subscription,
        mechanic, builder, plumber, electrician, online shop, internet shop, doesn t work$,
        not working, stopped working
    """),
    ("consumer", 1, """
        продал, сломал, сломан, интернет, онлайн, телефон, холодильник, стиральн, мебель, чек$,
        ақшамды қайтар, ақшаны қайтар, ақша қайтар, бұзылған, бұзылды, бұзылып, бұзық, жиһаз,
        тоңазытқыш, ауыстыр,
        broken, online, phone, fridge, furniture, laptop, charg, cancel
    """),
    ("property", 2, f"""
        сосед, затоп, подтоп, топят, топит, забор, земл, участ, ущерб, хозяин, хозяйк,
        арендодат, квартирант, квартплат, депозит, залог, межа, границ, протеч, повредил,
        поврежд, дач, жилье$, жилья$, жилью$, жилищ,
        көрші, су бас, су ағ, қоршау, телім, шекара, үй иесі, пәтер иесі, тұрғын үй, кепілақы,
        пәтерақы, жалға$, жалдап, шу$, шығын, зиян, зақым, саяжай, {_LAND},
        neighbo, flood, leak, fence, land$, landlord, landlady, tenant, rent, deposit, plot,
        border, boundary, noise, upstairs, downstairs, damage, accident
    """),
    ("property", 1, f"""
        квартир, дом$, дома$, доме$, дому$, домом$, имуществ, крыш, гараж, сарай, дерев,
        собак, машин, автомобил, авто$, парковк,
        пәтер, мүлік, мүлкі, қабат, иті, итім, көлік, машина, сызып, ағаш, {_HOME},
        flat, apartment, house, home$, homes$, property, yard, roof, garage, tree$, trees$,
        dog$, dogs$, car$, wall$, walls$, housing, scratch
    """),
)  # fmt: skip

# A parent's or grandparent's home, car or land, named together in either order ("әкемнің үйі",
# "дом родителей", "mother's flat"), or one left behind ("акемнен калган машина"), is an
# inheritance although no word of inheritance is used: for spans about siblings quarrelling
# over it, nothing else tells it apart from a property dispute.
_ELDERS = """
    родител, отц, отец, мама, маме, мамы, маму, мамин, матери$, мать$, дед, бабушк, бабул,
    әкем, әкес, әкеміз, анам, анас, анамыз, шешем, шешес, атам, атас, атамыз, әжем, әжес,
    апам, ата анам, ата анас, әке шешем, қалған,
    parent, father, mother, dad$, mom$, mum$, grandfather, grandmother, grandma, grandpa,
    granny$, grannie
"""
_ESTATE = f"""
    дом, квартир, дач, участ, земл, машин, имуществ,
    пәтер, машина, көлік, мүлік, мүлкі, {_HOME}, {_LAND},
    house, flat, apartment, home, land$, car$, property, plot
"""
_ESTATE_WINDOW = 3  # words allowed between the elder and the estate

# Abbreviations are matched as typed, unfolded: folded, "ТОО" would be the English "to".
_ABBREVIATIONS: tuple[tuple[str, int, frozenset[str]], ...] = (
    ("administrative", 3, frozenset("цон хқко хкко гаи".split())),
    ("commercial", 3, frozenset("тоо жшс ип мфо llp llc".split())),
    ("community", 2, frozenset("кск оси пик".split())),
    ("property", 2, frozenset("дтп".split())),
)
_WORD = re.compile(r"\w+")


def _cue_pattern(cue: str) -> str:
    words = []
    for stem in cue.split():
        folded = fold(stem.rstrip("$"))
        if stem.endswith("$"):
            words.append(re.escape(folded) + r"\b")
        elif folded.endswith("k"):
            # Kazakh voices a final к/қ before a vowel: бастық, бастығым; кепілдік, кепілдігі.
            words.append(re.escape(folded[:-1]) + r"[kg]\w*")
        else:
            words.append(re.escape(folded) + r"\w*")
    return r"\b" + " ".join(words)


def _alternatives(cues: str) -> str:
    patterns = {_cue_pattern(c) for c in cues.split(",") if c.strip()}
    return "|".join(sorted(patterns))


def cues(spec: str) -> re.Pattern[str]:
    """A matcher for comma-separated cues, written like `_CUES` ("stem", "two stems", "word$"),
    to be searched in `fold(text)`."""
    return re.compile(_alternatives(spec))


_MATCHERS: tuple[tuple[str, int, re.Pattern[str]], ...] = tuple(
    (dispute_type, weight, re.compile(_alternatives(cues))) for dispute_type, weight, cues in _CUES
)
_ELDER = _alternatives(_ELDERS)
_THING = _alternatives(_ESTATE)
_GAP = rf"(?: \w+){{0,{_ESTATE_WINDOW}}} "
_ELDERS_ESTATE = re.compile(rf"(?:{_ELDER}){_GAP}(?:{_THING})|(?:{_THING}){_GAP}(?:{_ELDER})")
_ELDERS_ESTATE_WEIGHT = 3

_PRIORITY = {t: i for i, t in enumerate(dict.fromkeys(t for t, _, _ in _CUES))}


def dispute_type_of(text: str) -> str | None:
    """The type a phrase describes, or None when nothing in it is recognisable."""
    if not text:
        return None
    plain = text.strip().lower()
    if plain in DISPUTE_TYPES:
        return plain
    folded = fold(text)
    if not folded:
        return None
    best: dict[str, int] = {}
    words = set(_WORD.findall(plain))
    for dispute_type, weight, abbreviations in _ABBREVIATIONS:
        if weight > best.get(dispute_type, 0) and not words.isdisjoint(abbreviations):
            best[dispute_type] = weight
    for dispute_type, weight, pattern in _MATCHERS:
        if weight > best.get(dispute_type, 0) and pattern.search(folded):
            best[dispute_type] = weight
    if _ELDERS_ESTATE.search(folded):
        best["inheritance"] = max(best.get("inheritance", 0), _ELDERS_ESTATE_WEIGHT)
    if not best:
        return None
    return min(best, key=lambda t: (-best[t], _PRIORITY[t]))
