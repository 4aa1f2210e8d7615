"""Dispute types, and how words that a person wrote map onto one of them.

Two readings share one table of cues:

- `dispute_type_of(span)` reads a phrase already known to be about a dispute (a span a model
  picked, a typed answer to "what is your dispute about?"): every cue counts, so "сосед" alone
  is a property dispute and "my boss" a labour one.
- `dispute_type_in(message)` reads a whole message, which may describe no dispute at all
  ("will my wife learn about this?", "how does this bot work?", "which phone is best?"). Cues
  that name a dispute on their own (`_NAMES`: зарплата, развод, мұра, ДТП, штраф, затопил)
  count anywhere. The people, things and institutions that disputes are about (`_MENTIONS`: a
  wife, a neighbour, a boss, land, a house, a phone, a bank, the akimat) count only when the
  message also describes a dispute (`_DISPUTE_WORDS` and refusals: спор, дау, quarrel, не
  платит, қайтармайды, won't return, отказал), names the kind of mediator wanted ("семейный
  медиатор"), or is nothing but the name of a kind ("с соседями", "my employer", "жер дауы").
  This follows the annotation convention of docs/nlu-guide.md.

Both the text and every cue go through one folding, `bot.text.skeleton.fold`, that writes every
script as the same lossy ASCII skeleton ("жалақы", "жалакы", "jalaqy", "zhalaky" all become
"jalaki"). So a Kazakh cue is written once, in Cyrillic, and still matches every way of typing
it.

Cues are word stems that match at the start of a word, so that Kazakh and Russian endings
(мұрагерлік, мұраға; наследство, наследству) match without matching inside unrelated words
(the "үй" in "поцелуй"). Each cue has a weight: the type of the heaviest cue found wins, and
on a tie the type listed first in `_ORDER`, the more specific one (in a whole message, a type
named beats one only mentioned first). That lets a specific cue beat a generic one (a late
father's house is inheritance, not property; an ex-husband who wants the flat is family;
residents of a building quarrelling are community, not neighbours).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.screening.fields import DISPUTE_TYPES
from bot.text.skeleton import fold

__all__ = ["DISPUTE_TYPES", "cues", "dispute_type_in", "dispute_type_of"]

# From the most to the least specific: on equal weight the earlier type wins (a fight with a
# neighbour is criminal; a labour contract is labour, not commercial).
_ORDER = (
    "inheritance", "criminal", "administrative", "labour", "family", "community", "commercial",
    "consumer", "property",
)  # fmt: skip

# Kazakh nouns that cues share. Listed form by form because the bare folded stems collide:
# "үй" (house) folds like "ұй" in ұйым, ұйықтау; "жер" (land) is also the start of жерлес.
# "үйде" also starts the Russian "уйдет" (will leave).
_HOME = """
    үй$, үйі$, үйін, үйім$, үйімді, үйімнің, үйіміз, үйге, үйде$, үйдегі, үйден, үйді, үйдің,
    үйлер
"""
_LAND = "жер$, жері, жерім, жерін, жерді, жердің, жерге, жерде, жерден, жермен, жерлер$"

# (type, weight, cues). A cue is one or more stems separated by spaces, each matching at the
# start of a word, in that order with nothing between; a stem ending in "$" must also end its
# word. Cues are written in their natural spelling and folded like the text, so one Kazakh cue
# in Cyrillic covers the Latin and plain spellings too. Lines go Russian, Kazakh, English.
#
# Weights: 3 names the type even next to other cues (a supplier, a late father, the akimat,
# residents of a building); 2 is an ordinary cue; 1 a hint that counts only when nothing better
# is found (a house, a child, work, money not returned).
#
# `_NAMES`: words that say there is a dispute of the type, whatever else the message is about
# (a divorce, unpaid wages, a theft, a fine, a flooded flat, faulty goods).
_NAMES: tuple[tuple[str, int, str], ...] = (
    ("inheritance", 3, """
        наслед, завещ, покойн, умерш, умер$, умерла, скончал, после смерти,
        мұра, мирас, өсиет, марқұм, қайтыс, қайтқан,
        inherit, heir, heritage, the$ will$, a$ will$, his$ will$, her$ will$, s$ will$,
        will and, testament, probate, late father, late mother, late dad, late mom, late mum,
        late parent, late grand, late husband, late wife, deceased, passed away, died, estate of
    """),
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
    # "Fine" is also "all right": only the penalty counts ("a fine", "fined").
    ("administrative", 3, """
        штраф, оштраф, административ, айыппұл,
        a$ fine$, the$ fine$, my$ fine$, fine for, fine from, fined, fines$, parking fine,
        traffic fine, police fine, official decision
    """),
    ("labour", 3, """
        зарплат, зп$, заработн, увол, трудов, отпускн, сверхуроч,
        жалақ, еңбек, еңбекақы, жұмыстан шығ, жұмыстан шық, жұмыстан қу, жұмыстан босат,
        жұмыстан қысқарт, қызметтен босат, қызметтен шығ,
        salary, salaries, wage, fired, dismiss, sacked, laid off, layoff, redundan, labour, labor,
        overtime, paycheck, holiday pay, vacation pay, sick pay, lost my job, lost his job,
        lost her job
    """),
    ("labour", 2, """
        оклад, премию, премии, сократил, сокращ, больничн, айлығ, айлық$, босатты, босатыл,
        bonus
    """),
    ("family", 3, """
        развод, развед, развест, развел, расторж брак, алимент, опек, брачн, совместно нажит,
        родительск прав,
        ажыра, неке бұз, асырау,
        divorc, alimony, child support, custody, visitation, marital
    """),
    ("family", 2, "расходим"),
    ("community", 3, """
        межнацион, межэтнич, между семьями,
        ұлтаралық, этникалық,
        interethnic, between families
    """),
    ("commercial", 3, """
        коллектор, неустойк, недопостав,
        collector, lent$, owes, owed
    """),
    ("commercial", 2, """
        долг$, долга$, долгу$, долгов, задолж, одолжил,
        қарыз$, қарызы, қарызым, қарызын, қарызд, қарызға$,
        debt$, debts$
    """),
    ("consumer", 3, """
        потребит, бракован, некачествен,
        тұтынушы, сапасыз, ақау$, ақаулы, ақауы,
        faulty, defective, consumer
    """),
    ("property", 2, """
        затоп, подтоп, потоп, топят, топит, залил, заливает, заливают, ущерб, протеч, протек,
        повредил, поврежд, шум$, шумят, шумит,
        су бас, су ағ, ағыз, шу шығар, шуыл,
        flood, damage, accident, noise, water leak, leaks into, leaking into, leaked into
    """),
)  # fmt: skip

# `_MENTIONS`: the people, things and institutions that disputes of the type are about or with.
# In a message that describes no dispute they are only mentioned ("will my wife learn about
# this", "which phone is best", "how do I pay the tax"), so they count only next to a dispute.
_MENTIONS: tuple[tuple[str, int, str], ...] = (
    ("administrative", 3, """
        госорган, гос орган, государствен, аким, налогов, налог$, налоги$, миграц, таможн,
        инспекц, министерств, департамент, чиновни,
        әкім, мемлекеттік, мемлекет, салық, көші қон, кеден, министрлік, басқарма, инспектор,
        akim, state body, state agency, state organ, government, authorit, tax$, taxes,
        tax office, ministry, customs, migration, municipal, city hall, land department,
        land committee, department$
    """),
    ("administrative", 2, """
        полици, протокол, разрешени, лиценз, регистрац,
        хаттама, рұқсат, тіркеу,
        police, penalty, permit, licen, registration
    """),
    ("labour", 3, """
        работодат, жұмыс беруші, жұмыстан, қызметтен,
        employer, resign, employment
    """),
    ("labour", 2, """
        начальни, начальств, работа$, работе$, работой$, работать$, работаю, работаем,
        работал, работник, расчет,
        жұмыста, жұмысым, жұмысқа, бастық, басшы, қызметкер,
        boss, at work$, my work$, workplace, worker, job, colleague, manager
    """),
    # "Жұмыс", "работу" and "work" are also the job a repairer or a builder was paid for.
    ("labour", 1, """
        директор, отпуск, работу$, работы$, рабоч,
        жұмыс, демалыс, өтемақы, мекеме,
        work$, director, compensation
    """),
    ("family", 3, """
        супруг, свекров, свекр, теща, невестк,
        күйеу, жұбай, зайып, отбасы, жанұя, неке, қайын, енем$,
        husband, wife, wives, spouse, famil, marriage, married, in law, ex$
    """),
    ("family", 2, """
        муж$, мужа$, мужем$, муже$, мужу$, жена$, жены$, жене$, жену$, женой$, бывш,
        семья, семьи$, семье$, семью$, семьей$, семейн,
        әйел, ерім, ерімн, ерімен, ерлі, бұрынғы ер, ортақ мүл,
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
        этнич, национальн, жител, жильц, подъезд, община, сообществ, село$, села$, селе$, селу$,
        селом$, сельчан, сельск, деревн, поселк, поселок, аул$, аула$, ауле$, аулу$, аулом$,
        аулы$, аулах$, пастбищ, полив, арык$, арыка$, многоквартирн, многоэтаж,
        ұлттар, ауыл, тұрғындар, тұрғыны, жерлес, қауым, әулет, жайылым, көппәтерлі,
        көп пәтерлі, көп қабатты, рулар,
        ethnic, resident, village, neighbourhood, neighborhood, community, communities,
        our block, clans, religious, pasture, irrigation, mahalla, homeowners, condominium,
        locals
    """),
    ("community", 2, "детская площадк, ойын алаң, playground"),
    ("community", 1, "улиц, көше$, көшеде, көшесі, көшеміз, көшедег, көшенің, street"),
    ("commercial", 3, """
        поставщ, поставк, контрагент, бизнес, коммерч, партнер, расписк, займ$, займа$, займу$,
        займом, займы, заем, инвест, подрядчик, учредител, акционер, дистрибьют,
        келісімшарт, жеткізуші, серіктес, серігім, серігі, кәсіпкер, коммерция, қолхат, несие,
        микроқаржы,
        supplier, invoice, business, partner, contractor, shareholder, investor, lend, borrow,
        commercial
    """),
    ("commercial", 2, """
        договор$, договора$, договору$, договоре$, договором$, договоры$, договоров$,
        договорн, контракт, кредит, банк, фирм, компани, занял, ломбард,
        шарт, фирма, компания, кәсіп, тапсырыс беруші,
        contract, loan, credit, bank, firm$, firms$, company, companies, client
    """),
    # "Должен" is also "must"; "договориться" (to agree) is no contract.
    ("commercial", 1, "предприят, должен$, должна$, должны$, пайда$, пайданы, табыс, profit"),
    ("consumer", 3, """
        магазин, покупател, химчист, ателье, турфирм, турагент, провайдер, гаранти, продавец,
        продавц, автосалон, автосервис,
        дүкен, сатушы, шеберхана, кепілдік, шаштараз,
        shop, store$, stores$, refund, customer, dry clean, provider, warranty, guarantee,
        seller, travel agen, airline
    """),
    # Goods alone do not say who bought them: firms trade goods too (a commercial dispute).
    ("consumer", 2, """
        товар, покуп, купил, возврат, услуг, сервис, ремонт, мастер, салон, заказ, доставк,
        курьер, турпутевк, туроператор, авиа, билет$, билеты$, билета$, билетов, ресторан,
        кафе$, клиник, стоматолог, страхов, строител, сантехник, электрик,
        тауар, сатып ал, жөнде, шебер$, шебері, құрылысшы, тапсырыс, қызмет көрсет,
        интернет дүкен,
        bought, buy$, buying, purchas, product, goods, service, repair, salon, order,
        delivered, delivery, tour$, ticket, restaurant, hotel, insurance, subscription,
        mechanic, builder, plumber, electrician, online shop, internet shop
    """),
    ("consumer", 1, """
        продал, интернет, онлайн, телефон, холодильник, стиральн, мебель, чек$,
        качеств, ақшамды қайтар, ақшаны қайтар, ақша қайтар, бұзық, жиһаз, тоңазытқыш,
        ауыстыр, сапа$, сапасы,
        online, phone, fridge, furniture, laptop, charg, washing machine, quality
    """),
    ("property", 2, f"""
        сосед, забор, земл, земельн, участ, учаске, хозяин, хозяйк, аренд, квартирант,
        квартплат, депозит, залог, межа, границ, дач, жилье$, жилья$, жилью$, жилищ,
        көрші, қоршау, телім, шекара, үй иесі, пәтер иесі, тұрғын үй, кепілақы, пәтерақы,
        жалға$, жалдап, жалда, шу$, шығын, саяжай, {_LAND},
        neighbo, leak, fence, land$, landlord, landlady, tenant, rent, deposit, plot, border,
        boundary, upstairs, downstairs
    """),
    ("property", 1, f"""
        квартир, дом$, дома$, доме$, дому$, домом$, имуществ, крыш, гараж, сарай, дерев,
        собак, машин, автомобил, авто$, парковк,
        пәтер, мүлік, мүлкі, қабат, иті, итім, көлік, машина, сызып, ағаш, су$, {_HOME},
        flat, apartment, house, home$, homes$, property, yard, roof, garage, tree$, trees$,
        dog$, dogs$, car$, wall$, walls$, housing, scratch, building$, buildings
    """),
)  # fmt: skip

# Words that, in a span already about a dispute, hint at its type, but in a whole message are
# mostly something else: the English modal "will", a notary certifying any paper, "what do I
# do" (не істеймін), a fight that is only a quarrel, a conflict of any kind, the debtor of any
# agreement, a cancelled order or a bot that "does not work".
_SPAN_HINTS: tuple[tuple[str, int, str], ...] = (
    ("inheritance", 1, "нотариус, will$, notary"),
    ("criminal", 1, "обман, алдап, cheat"),
    ("labour", 2, "істедім, істеймін"),
    ("community", 1, "конфликт, между собой, жанжал, қақтығыс, conflict, clash"),
    ("commercial", 2, "должник, қарызгер, debtor"),
    ("consumer", 2, "не$ работает, істемей, doesn t work$, not working, stopped working"),
    ("consumer", 1, "cancel"),
)  # fmt: skip

# Set phrases that hold a cue but name no dispute: the state fee is the price of a court, a
# consumer loan is a bank's product, a criminal record belongs to a person, things that "work
# out" succeed, "жұмыс істейді" is how something works, a mediator's pay is the price of
# mediation, "no problem" is none.
_NOT_CUES = """
    мемлекеттік баж, государственн пошлин, госпошлин, state fee, state duty, court fee,
    потребительск кредит, тұтынушылық несие, consumer loan, consumer credit,
    no problem, not a problem, без проблем, не$ проблема, criminal record, судимост, work out,
    worked out, жұмыс істе, медиатор еңбек, зарплата медиатор, оплата медиатор,
    mediator s salary, mediator s pay
"""

# A parent's or grandparent's home, car or land, named together in either order ("әкемнің үйі",
# "дом родителей", "mother's flat"), or one left behind ("акемнен калган машина"), is an
# inheritance although no word of inheritance is used: for spans about siblings quarrelling
# over it, nothing else tells it apart from a property dispute. In a whole message it is a
# mention like a house: "I live in my parents' flat" describes no dispute.
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
_ABBREVIATIONS: tuple[tuple[str, int, bool, frozenset[str]], ...] = (
    # (type, weight, names a dispute, abbreviations)
    ("administrative", 3, False, frozenset("цон хқко хкко гаи".split())),
    ("commercial", 3, False, frozenset("тоо жшс ип мфо llp llc".split())),
    ("community", 2, False, frozenset("кск оси пик".split())),
    ("property", 2, True, frozenset("дтп".split())),
)
_WORD = re.compile(r"\w+")

# What says that a message describes a dispute. None of it names a type; next to it, a mention
# does ("соседи не платят" is about neighbours).
#
# A quarrel, a claim, a complaint; something taken, withheld, damaged, broken, done unlawfully
# or without consent; a promise not kept.
_DISPUTE_WORDS = """
    спор$, спора$, спору$, споре$, спором$, споры$, споров$, спорам, спорами, спорах, спорн,
    спорим, спорят, спорит, поспор, оспар, оспор, конфликт, ссора$, ссорим, ссорит, ссорят,
    поссор, руга, переруга, поруга, скандал, разноглас, претенз, жалоб, воюют, воюем, проблем,
    требует$, требуют$, забрал, отобрал, отнял, захват, лиши, выгоня, выгнал, выселя, выселил,
    выжива, задерж, удерж, заблокир, переписал, переоформил, раздел, делит, делим, поделит,
    поделим, наруш, сорвал, должен был, должна была, должны были, обман, оскорб, униж, травл,
    испорт, разбил, сломал, сломан, не$ работает, незаконн, без причин, без предупрежд,
    без моего соглас, без соглас, без спрос, заставля, застав, вынужда, принужд, подал в суд,
    подала в суд, на$ мою землю, на$ моей земле, на$ мой участок, на$ моем участке, территори,
    вражд, неприязн, раскол, запрещ, построил, пристроил, поставил забор, закрыл, не$ тот$,
    не$ та$, не$ ту$, не$ то$, решить вопрос с$, решить проблему с$, оставил себе, присвоил,
    дау$, дауы$, дауым, дауын, дауда, дауға, дауды, даудың, даулы, даулас, даулар, дауымыз,
    жанжал, ұрыс, ұрсыс, ренжіс, араздық, шағым, талас$, таласып, таласу, таласам, таласты,
    таласқа, келіспеушілік, келіспеймін, келіспейміз, алып алды, тартып ал, иемденіп, басып ал,
    бөлісе алма, бөліске алма, бөле алма, сатып жібер, атына жаздыр, қуып, қуды, қуған,
    шығарып жібер, шығарып таста, жылжыт, жеріме, жерімізге, бұғатта, ұстап қал, айнып, айныды,
    бұзды, бұзса, бұзып, бұзған, бұзылды, бұзылып, бұзылған, бүлдір, зақым, зиян, заңсыз,
    себепсіз, рұқсатсыз, келісімсіз, тиіс еді, керек еді, қорлай, қорлап, алдап, алдады,
    мәжбүрле, төлегісі келме, қайтарғысы келме, бергісі келме, сатқысы келеді, сотқа бердім,
    сотқа берді, жаздырып ал, екіге бөлін, өшпенді, салды$, салып ал, салып жатыр, жауып таста,
    жауып қой, сынық, сынған, сындырды, басқа тауар,
    dispute, conflict, quarrel, argu, fight, fought, complain, claim, sued$, lawsuit,
    problem, trouble, demand, wants too much, unpaid, owe$, owes, owed, took away, taken away,
    took money, took the money, took all, took my, took our, kicked out, evict, withheld,
    withhold, blocked, reject, отклон, ignor, игнор, breach, violat, was supposed to,
    were supposed to, cheat, insult, harass, bully, hides, hiding, forces, forced, forcing,
    ruin, broke$, broken, not working, stopped working, doesn t work$, keeps charging,
    overcharg, illegal, unlawful, without asking, without my consent, without permission,
    without reason, without explanation, moved the, on my land, on my plot, divid, keeps my,
    keeps our, keeps the money, kept my, kept the money, hostil, feud, split into, built, forbid,
    shut down, closed down, wrong item, wrong size, wrong product
"""
# A refusal: a negation, up to two words (a modal, an object), then what is refused; or, in
# Russian, the verb first ("платить не хотят").
_NEGATIONS = """
    не$, ни$, нет$,
    not$, never$, won t$, wont$, doesn t$, didn t$, don t$, isn t$, wasn t$, haven t$, hasn t$,
    refuses to$, refused to$
"""
_REFUSED = """
    плат, заплат, оплат, оплач, выплат, выплач, верн, возвращ, отда, пуска, пуст, выполня,
    исполня, дает, дают, дал$, дала$, дали$, съезж, выезж, освобожд, компенсир, возмещ, чинит,
    чинят, почин, ремонтир, подел, делит, делим, признает, выда, убра, показ, привез, достав,
    соблюда,
    pay, paid, return, giv, refund, let$, deliver, finish, fix, repair, leave, move out, vacate,
    share, compensate, cover, hand over, allow, sent, send
"""
_WILL_NOT = "мож, хоч, хот, жела, собира, будет, могу, могут"
# Kazakh says it with the verb: төлемейді (does not pay), қайтармады (did not return). A stem
# is a verb with its negation ("төлеме").
_KK_REFUSALS = """
    төлеме, берме, қайтарма, орындама, жөндеме, шықпа, босатпа, кіргізбе, жіберме, бөліспе,
    бөлме, тоқтатпа, түзетпе, өтеме, мойындама, істеме, сатпа, көрсетпе, кездестірме,
    жолықтырма, әкелме, жеткізбе, қабылдама, айырбастама, ауыстырма, ұйықтатпа, қайтарып алма,
    бітірме, аяқтама, шығарма, кетпе, көшпе
"""
# Refusing to agree, being against: in a message about persuading the other side ("he does not
# agree, how do I convince him?"), that is the invitation, not the dispute.
_CONSENT = """
    отказ, против$, не$ можем договор, не$ могут договор,
    бас тарт, қарсы, келісе алма,
    refus, disagree, can t agree, cannot agree
"""
_KK_CONSENT = "келіспе, көнбе"
_CONSENT_REFUSED = "соглас, договор, agree"
_INVITATION = """
    уговор, убед, приглас, позвать, позови, предлож, прийти,
    көндір, шақыр, ұсын, келу$, қатыс,
    persuad, convinc, invit, come$, attend, participat
"""
_MEDIATION = r"\b(?:mediat|mediasi)\w*"  # медиатор, медиация, mediatsiya, medıasıa, mediator

# A bare answer to "what is the dispute about?" may hold, besides its cues and places, only
# words like these ("с соседями", "жер дауы", "problem with my boss at work", "жалақы мәселесі").
_BARE_WORDS = frozenset(
    fold(word)
    for word in """
    с со по в во на о об про между из от у за для и а мой моя мои моим моей моего моему наш
    наша наши нашим нашей нашего мне меня я мы нас это вопрос вопросы проблема проблемы
    проблемой дело дела делам тема насчет касательно связи решение
    мен менің біздің бойынша туралы арасында арасындағы мәселе мәселесі мәселелер мәселелері
    және бен пен жайлы жөнінде іс ісі үшін сұрақ сұрағы бізде маған шешім шешімі қайтару
    with about my our the a an of in at for from and me i we problem problems issue issues case
    question regarding re s between it is its decision
    """.split()
)


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
    # Longest first, so that a match covers the whole of a cue of several words.
    patterns = {_cue_pattern(c) for c in cues.split(",") if c.strip()}
    return "|".join(sorted(patterns, key=lambda p: (-len(p), p)))


def cues(spec: str) -> re.Pattern[str]:
    """A matcher for comma-separated cues, written like `_NAMES` ("stem", "two stems",
    "word$"), to be searched in `fold(text)`."""
    return re.compile(_alternatives(spec))


def _matchers(
    table: Iterable[tuple[str, int, str]],
) -> tuple[tuple[str, int, re.Pattern[str]], ...]:
    return tuple((kind, weight, cues(spec)) for kind, weight, spec in table)


_NAMING = _matchers(_NAMES)
_MENTIONING = _matchers(_MENTIONS)
_HINTING = _matchers(_SPAN_HINTS)
_NOT_CUE = cues(_NOT_CUES)
_ELDER = _alternatives(_ELDERS)
_THING = _alternatives(_ESTATE)
_GAP = rf"(?: \w+){{0,{_ESTATE_WINDOW}}} "
_ELDERS_ESTATE = re.compile(rf"(?:{_ELDER}){_GAP}(?:{_THING})|(?:{_THING}){_GAP}(?:{_ELDER})")
_ELDERS_ESTATE_WEIGHT = 3


def _kk_negated(stems: str) -> str:
    """Kazakh negated verbs, from stems with their negation ("төлеме"): the stem and "й"
    (төлемей жүр, not the question "төлемей ме?"), "йді" (present), "ді" (past), "ген"/"ған"
    (participle), "йтін", "у" (verbal noun), "са" (conditional); the first person only as
    reported speech ("төлемеймін дейді": "рұқсат бермеймін" is the writer's own refusal). And
    the negation after the verb: "төлеген жоқ", "беріп жатқан жоқ"."""
    negated = {s.strip() for s in stems.split(",") if s.strip()}
    folded = "|".join(sorted(re.escape(fold(s)) for s in negated))
    done = "|".join(sorted(re.escape(fold(re.sub(r"[мбп][аеә]$", "", s))) for s in negated))
    return (
        rf"\b(?:{folded})"
        rf"(?:i\b(?! [mbp][ea]\b)|idi\b|iti\w*|di\b|g[ae]n\w*|u\b|s[ae]\b|imin de\w*)"
        rf"|\b(?:{done})\w* (?:(?:jatkan|jatirgan|otirgan|jurgen) )?jok\b"
    )


_REFUSAL = (
    rf"(?:{_alternatives(_NEGATIONS)})(?: \w+){{0,2}} (?:{_alternatives(_REFUSED)})"
    rf"|(?:{_alternatives(_REFUSED)})(?: \w+)? (?:ne|not) (?:{_alternatives(_WILL_NOT)})"
)
_DISPUTE = re.compile(
    "|".join((_alternatives(_DISPUTE_WORDS), _kk_negated(_KK_REFUSALS), _REFUSAL))
)
_NOT_CONSENTING = re.compile(
    "|".join(
        (
            _alternatives(_CONSENT),
            _kk_negated(_KK_CONSENT),
            rf"(?:{_alternatives(_NEGATIONS)})(?: \w+){{0,2}} "
            rf"(?:{_alternatives(_CONSENT_REFUSED)})",
        )
    )
)
_INVITING = cues(_INVITATION)
_MEDIATION_WORD = re.compile(_MEDIATION)
_REGARDING = fold("бойынша")
# "Mediator" and "mediation" as the head of a phrase, and what tells a word that qualifies them:
# a Russian or Kazakh adjective ending, folded (семейный "semeini", отбасылық "otbasilik"); in
# English, any word not in a Kazakh case (a dative "korshige" is whom to invite).
_MEDIATOR = frozenset(
    fold(w) for w in "mediator mediators mediation медиатор медиаторы медиация".split()
)
_ADJECTIVE = re.compile(r"(?:[ldt]ik|[ldt]ig|ni|ski|ie|oi|aia|oe|ogo|ih|im)$")
_KK_CASE = re.compile(r"(?:[gkndtm][ae]|[ndt]i)$")

_ABBREVIATED = frozenset(fold(a) for _, _, _, found in _ABBREVIATIONS for a in found)

_PRIORITY = {t: i for i, t in enumerate(_ORDER)}
assert set(_ORDER) == set(DISPUTE_TYPES)


def _abbreviations(text: str, names: bool) -> dict[str, int]:
    words = set(_WORD.findall(text.lower()))
    return {
        kind: weight
        for kind, weight, naming, found in _ABBREVIATIONS
        if naming == names and not words.isdisjoint(found)
    }


def _heaviest(best: dict[str, int], named: Iterable[str] = ()) -> str | None:
    """The type of the heaviest cue; on a tie, one named before one only mentioned, then the
    more specific."""
    named = set(named)
    return min(best, key=lambda t: (-best[t], t not in named, _PRIORITY[t]), default=None)


def _without_set_phrases(text: str) -> str:
    """The folded text with `_NOT_CUES` blanked out, every other word in place."""
    return _NOT_CUE.sub(lambda m: " " * len(m.group()), fold(text))


def dispute_type_of(text: str) -> str | None:
    """The type a phrase about a dispute describes, or None when nothing in it is recognisable.
    Every cue counts: the phrase is known to be about a dispute (a span, a typed answer)."""
    if not text:
        return None
    plain = text.strip().lower()
    if plain in DISPUTE_TYPES:
        return plain
    folded = _without_set_phrases(text)
    best = _abbreviations(text, names=False)
    for kind, weight in _abbreviations(text, names=True).items():
        best[kind] = max(best.get(kind, 0), weight)
    for kind, weight, pattern in (*_NAMING, *_MENTIONING, *_HINTING):
        if weight > best.get(kind, 0) and pattern.search(folded):
            best[kind] = weight
    if _ELDERS_ESTATE.search(folded):
        best["inheritance"] = max(best.get("inheritance", 0), _ELDERS_ESTATE_WEIGHT)
    return _heaviest(best)


class _Reading:
    """The cues of one message: what they name, what they mention, and where they are."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.folded = _without_set_phrases(message)
        self.named: dict[str, int] = _abbreviations(message, names=True)
        self.mentioned: dict[str, int] = _abbreviations(message, names=False)
        self.covered: list[tuple[int, int]] = []
        self.specialised: set[str] = set()
        for kind, weight, pattern in _NAMING:
            self._note(self.named, kind, weight, pattern)
        for kind, weight, pattern in _MENTIONING:
            self._note(self.mentioned, kind, weight, pattern)
        self._note(self.mentioned, "inheritance", _ELDERS_ESTATE_WEIGHT, _ELDERS_ESTATE)

    def _note(
        self, found: dict[str, int], kind: str, weight: int, pattern: re.Pattern[str]
    ) -> None:
        for match in pattern.finditer(self.folded):
            found[kind] = max(found.get(kind, 0), weight)
            self.covered.append(match.span())
            if self._specialises(match):
                self.specialised.add(kind)

    def _specialises(self, match: re.Match[str]) -> bool:
        """Whether the cue says what kind of mediation or mediator is meant: "family
        mediator", "отбасылық медиатор", "семейный медиатор", "жер дауы бойынша медиация",
        "медиатор по семейным делам". Not "көршіме медиацияны ұсынамын" (whom to invite) nor
        "телефон медиатора" (whose phone)."""
        words = self.folded[match.end() :].split()[:2]
        if words and words[0] == _REGARDING:
            return len(words) > 1 and bool(_MEDIATION_WORD.match(words[1]))
        cue = self.folded[match.start() : match.end()].split()[-1]
        qualifies = _ADJECTIVE.search(cue) or (self.message.isascii() and not _KK_CASE.search(cue))
        if words and words[0] in _MEDIATOR and qualifies:
            return True
        before = self.folded[: match.start()].split()[-3:]
        return any(
            _MEDIATION_WORD.match(word) and before[i + 1 : i + 2] in (["po"], ["for"], ["about"])
            for i, word in enumerate(before)
        )

    def disputed(self) -> bool:
        """Whether the message describes a dispute, not only mentions a person or a thing."""
        if self.named or _DISPUTE.search(self.folded):
            return True
        if _INVITING.search(self.folded):
            return False  # "he refuses, how do I persuade him": the refusal is of mediation
        return bool(_NOT_CONSENTING.search(self.folded))

    def bare(self) -> bool:
        """Whether the text is only cues and words like "with", "about", "мәселесі": an answer
        that names a kind of dispute rather than a sentence that mentions a person or a thing."""
        for word in _WORD.finditer(self.folded):
            inside = any(s <= word.start() and word.end() <= e for s, e in self.covered)
            known = word.group() in _BARE_WORDS or word.group() in _ABBREVIATED
            if not (inside or known or word.group().isdigit()):
                return False
        return True

    def kind(self) -> str | None:
        best = dict(self.named)
        if self.mentioned and (self.disputed() or self.bare()):
            counted = self.mentioned
        else:
            counted = {k: w for k, w in self.mentioned.items() if k in self.specialised}
        for kind, weight in counted.items():
            best[kind] = max(best.get(kind, 0), weight)
        return _heaviest(best, named=(k for k, w in self.named.items() if w == best[k]))


def dispute_type_in(message: str) -> str | None:
    """The type of the dispute a whole message describes, or None when it describes none.

    Words that name a dispute count anywhere. People, things and institutions count only when
    the message describes a dispute (a quarrel, a refusal, a claim, or a word that names one),
    names the kind of mediator wanted ("a family mediator"), or is nothing but a name of one
    ("с соседями", "my employer"): "will my wife learn about this" is about confidentiality,
    "which phone is best" about nothing we do. On equal weight, a type named beats one only
    mentioned ("сосед затопил, ремонт не оплачивает" is about the flooding)."""
    if not message:
        return None
    plain = message.strip().lower()
    if plain in DISPUTE_TYPES:
        return plain
    if not fold(message):
        return None
    return _Reading(message).kind()
