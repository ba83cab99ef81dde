"""One-string addresses split into street, city, region, postal code and country.

Some sources give a meeting's address as one string ("2634 Union Ave, San Jose, CA 95124, USA"),
while clients such as crouton show a separate street (BMLT's ``location_street``). The split here
is conservative: a part is called a city, region or postal code only when its place in the string
and its shape say so (a US state and ZIP, a Canadian or British postcode, a city the offline
gazetteer knows); anything uncertain stays in ``street``. Nothing is guessed from outside the
string except the country the caller already knows, and nothing here raises.

``meeting_address(m)`` gives a meeting's parts from its stored fields (``address``, ``city``,
``region``, ``postal_code``, ``country``), splitting ``formatted_address`` (or a one-string
``address``) only to fill the fields the source left empty.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from commonground.places.gazetteer import Gazetteer

__all__ = ["AddressParts", "split_address", "meeting_address"]


@dataclass(frozen=True, slots=True)
class AddressParts:
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def __bool__(self) -> bool:
        return any((self.street, self.city, self.region, self.postal_code, self.country))


EMPTY = AddressParts()
# Longer text is no address: it is kept whole, as the street, without being parsed.
MAX_PARSED_LENGTH = 500
# A last part with no postcode beside it is a city only if it names a town at least this big.
MIN_CITY_POPULATION = 15_000

US_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
    "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR".split()
)
CA_PROVINCE_CODES = frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split())
AU_STATE_CODES = frozenset("ACT NSW NT QLD SA TAS VIC WA".split())

# Countries people write at the end of an address, folded, to ISO 3166 codes. The gazetteer's
# full list is consulted too when it can be loaded.
COUNTRIES = {
    "usa": "US",
    "us": "US",
    "u s a": "US",
    "u s": "US",
    "united states": "US",
    "united states of america": "US",
    "canada": "CA",
    "mexico": "MX",
    "uk": "GB",
    "u k": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "ireland": "IE",
    "spain": "ES",
    "espana": "ES",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "italy": "IT",
    "italia": "IT",
    "portugal": "PT",
    "australia": "AU",
    "new zealand": "NZ",
    "argentina": "AR",
    "colombia": "CO",
    "chile": "CL",
    "peru": "PE",
    "brasil": "BR",
    "brazil": "BR",
    "netherlands": "NL",
    "belgium": "BE",
    "switzerland": "CH",
    "austria": "AT",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "puerto rico": "PR",
    "india": "IN",
    "south africa": "ZA",
    "japan": "JP",
    "philippines": "PH",
}

_US_ZIP = r"\d{5}(?:-\d{4})?"
_CA_POSTAL = r"[A-Z]\d[A-Z] ?\d[A-Z]\d"
_UK_POSTCODE = r"(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
_STATE = r"(?P<region>[A-Za-z]{2})"

US_ZIP_ONLY = re.compile(rf"(?P<postal>{_US_ZIP})", re.A)
US_STATE_ZIP = re.compile(rf"{_STATE}\.? (?P<postal>{_US_ZIP})", re.A)
US_STATE_NAME_ZIP = re.compile(rf"(?P<region>[A-Za-z][A-Za-z .]*?)(?: (?P<postal>{_US_ZIP}))?", re.A)
US_CITY_STATE_ZIP = re.compile(rf"(?P<city>[^\d]+?) {_STATE}\.? (?P<postal>{_US_ZIP})", re.A)
CA_PROVINCE_POSTAL = re.compile(rf"(?P<region>[A-Za-z]{{2}})\.? (?P<postal>{_CA_POSTAL})", re.A | re.I)
CA_POSTAL_ONLY = re.compile(rf"(?P<postal>{_CA_POSTAL})", re.A | re.I)
CA_CITY_PROVINCE_POSTAL = re.compile(
    rf"(?P<city>[^\d]+?) (?P<region>[A-Za-z]{{2}}) (?P<postal>{_CA_POSTAL})", re.A | re.I
)
UK_CITY_POSTCODE = re.compile(rf"(?:(?P<city>[^\d]+?) )?(?P<postal>{_UK_POSTCODE})", re.A | re.I)
AU_CITY_STATE_POSTAL = re.compile(r"(?:(?P<city>[^\d]+?) )?(?P<region>[A-Za-z]{2,3}) (?P<postal>\d{4})", re.A)
# "28013 Madrid", "75001 Paris", "1010 Wien": a postcode before the city, as much of Europe writes it.
POSTAL_CITY = re.compile(r"(?P<postal>\d{4,5}) (?P<city>[^\d]+)")

_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def _clean(text: str) -> str:
    """Line breaks become commas (a multi-line address), other control characters spaces."""
    text = _LINE_BREAKS.sub(",", text)
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return text


def _squash(part: str) -> str:
    return " ".join(part.split())


def _fold(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


# None: not tried yet; False: tried, and it could not be loaded.
_gazetteer: Gazetteer | Literal[False] | None = None


def _places() -> Gazetteer | None:
    """The offline gazetteer, or None where it cannot be loaded (no Django settings, no data)."""
    global _gazetteer
    if _gazetteer is None:
        try:
            from django.conf import settings

            if not settings.configured:
                return None  # tried again once Django is set up
            from commonground.places.gazetteer import gazetteer

            _gazetteer = gazetteer()
        except Exception:  # noqa: BLE001 - the split works without it, only more conservatively
            _gazetteer = False
    return _gazetteer or None


def _country_code(text: str) -> str:
    """The ISO code of a country name ("USA", "España", "United Kingdom"), or ""."""
    key = _fold(text)
    if not key or len(key) > 60:
        return ""
    if key in COUNTRIES:
        return COUNTRIES[key]
    places = _places()
    if places is not None and len(key) > 3:  # not two- or three-letter codes: "CA", "IN", "NSW"
        code: str = places.countries.get(key, "")  # the gazetteer's tables are untyped
        return code
    return ""


def _known_city(name: str, country: str) -> bool:
    """A town of some size (GeoNames lists those of 15,000 people and more) by its own name, not
    by an alternate name or a ZIP area's: "Madrid", "Bronx", but not "Annex" or "Downtown"."""
    places = _places()
    if places is None or not name or any(ch.isdigit() for ch in name) or len(name) > 80:
        return False
    try:
        from commonground.places.gazetteer import fold

        key = fold(name)
        return any(
            p.population >= MIN_CITY_POPULATION and fold(p.label.split(",")[0]) == key
            for p in places.cities_named(name, country=country or None)
        )
    except Exception:  # noqa: BLE001
        return False


def _is_us_city(name: str, state: str) -> bool:
    """The gazetteer knows a town of this name, by its own name, in this US state."""
    state = state.upper().rstrip(".")
    places = _places()
    if places is None or state not in US_STATE_CODES or not _is_city_name(name) or len(name) > 80:
        return False
    try:
        from commonground.places.gazetteer import fold

        key = fold(name)
        return any(fold(p.label.split(",")[0]) == key for p in places.cities_named(name, region=state, country="US"))
    except Exception:  # noqa: BLE001
        return False


def _us_state_tail(parts: list[str], iso: str) -> tuple[str, str, str, int] | None:
    """(city, state code, ZIP, 2) for an address ending in a town and its US state written out in
    full ("Atlanta, Georgia", "Jersey City, New Jersey 07302"), when the gazetteer knows that town in
    that state; else None. A state that is also a country's name stays the country after any other
    town ("Tbilisi, Georgia")."""
    if len(parts) < 3 or not _allows(iso, "US", "PR") or not (m := US_STATE_NAME_ZIP.fullmatch(parts[-1])):
        return None
    places = _places()
    state = places.us_states.get(_fold(m["region"]), "") if places is not None else ""
    if len(m["region"]) <= 2 or not state or not _is_us_city(parts[-2], state):
        return None
    return parts[-2], state, m["postal"] or "", 2


def _is_city_name(part: str) -> bool:
    """A part that could be a city's name by its shape alone: letters, no digits."""
    return bool(part) and not any(ch.isdigit() for ch in part) and any(ch.isalpha() for ch in part)


def _allows(country: str, *codes: str) -> bool:
    return not country or country in codes


def split_address(text: str, *, country: str = "") -> AddressParts:
    """Split a one-string address into parts; what is uncertain stays in ``street``.

    ``country`` is what the caller already knows of the address's country ("USA", "GB", "Spain");
    it steers which postcode shapes are read, and is returned when the text names no country.
    Never raises: anything that is not a string gives empty parts.
    """
    try:
        if isinstance(text, str) and isinstance(country, str) and len(text) <= MAX_PARSED_LENGTH:
            return _split_cached(text, country)  # a meeting on several weekdays: one address, many rows
        return _split(text, country)
    except Exception:  # noqa: BLE001 - a split must never stop an import or a page
        return AddressParts(street=_squash(text) if isinstance(text, str) else "")


@lru_cache(maxsize=4096)
def _split_cached(text: str, country_hint: str) -> AddressParts:
    return _split(text, country_hint)


def _split(text: str, country_hint: str) -> AddressParts:
    if not isinstance(text, str):
        return EMPTY
    country_hint = country_hint if isinstance(country_hint, str) else ""
    cleaned = _clean(text)
    parts = [p for p in (_squash(p) for p in cleaned.split(",")) if p]
    if not parts:
        return AddressParts(country=_squash(country_hint))
    if len(cleaned) > MAX_PARSED_LENGTH:
        return AddressParts(street=", ".join(parts), country=_squash(country_hint))

    country_text = ""
    iso = _country_code(country_hint) or (country_hint.upper() if len(country_hint.strip()) == 2 else "")
    if len(parts) > 1 and (found := _country_code(parts[-1])) and not _us_state_tail(parts, iso):
        country_text, iso = parts.pop(), found  # "…, Tbilisi, Georgia", but not "…, Atlanta, Georgia"

    city = region = postal = ""
    if len(parts) > 1:
        city, region, postal, used = _tail(parts, iso)
        del parts[len(parts) - used :]
    return AddressParts(
        street=", ".join(parts),
        city=city,
        region=region,
        postal_code=postal,
        country=country_text or _squash(country_hint),
    )


def _tail(parts: list[str], iso: str) -> tuple[str, str, str, int]:
    """(city, region, postal code, how many trailing parts they used) from parts[1:]."""
    last = parts[-1]
    before = parts[-2] if len(parts) > 2 else ""  # parts[0] is always the street

    def with_city(region: str, postal: str, city: str = "") -> tuple[str, str, str, int]:
        if city:
            return city, region, postal, 1
        if before and _is_city_name(before):
            return before, region, postal, 2
        if len(parts) == 2 and _is_us_city(parts[0], region):
            return parts[0], region, postal, 2  # "Tulsa, OK": a town of that state, and no street
        return "", region, postal, 1

    if _allows(iso, "US", "PR"):
        if found := _us_state_tail(parts, iso):
            return found
        if (m := US_STATE_ZIP.fullmatch(last)) and m["region"].upper() in US_STATE_CODES:
            return with_city(m["region"], m["postal"])
        if (m := US_CITY_STATE_ZIP.fullmatch(last)) and m["region"].upper() in US_STATE_CODES:
            return with_city(m["region"], m["postal"], m["city"])
        if US_ZIP_ONLY.fullmatch(last):
            # "…, CA, 95112" or "…, San Jose, 95112"
            if before and before.upper().rstrip(".") in US_STATE_CODES:
                city = (
                    parts[-3]
                    if (len(parts) > 3 and _is_city_name(parts[-3]))
                    or (len(parts) == 3 and _is_us_city(parts[0], before))
                    else ""
                )
                return city, before, last, 3 if city else 2
            if iso:
                return with_city("", last)
        if last.upper().rstrip(".") in US_STATE_CODES and (iso or last.isupper()):
            return with_city(last, "")
    if _allows(iso, "CA"):
        if (m := CA_PROVINCE_POSTAL.fullmatch(last)) and m["region"].upper() in CA_PROVINCE_CODES:
            return with_city(m["region"], m["postal"])
        if (m := CA_CITY_PROVINCE_POSTAL.fullmatch(last)) and m["region"].upper() in CA_PROVINCE_CODES:
            return with_city(m["region"], m["postal"], m["city"])
        if iso == "CA" and CA_POSTAL_ONLY.fullmatch(last):
            return with_city("", last)
        if iso == "CA" and last.upper() in CA_PROVINCE_CODES:
            return with_city(last, "")
    if _allows(iso, "GB") and (m := UK_CITY_POSTCODE.fullmatch(last)) and (iso or m["postal"].isupper()):
        if not m["city"] or _is_city_name(m["city"]):
            return with_city("", m["postal"], m["city"] or "")
    if _allows(iso, "AU") and (m := AU_CITY_STATE_POSTAL.fullmatch(last)) and m["region"].upper() in AU_STATE_CODES:
        if not m["city"] or _is_city_name(m["city"]):
            return with_city(m["region"], m["postal"], m["city"] or "")
    if (
        (m := POSTAL_CITY.fullmatch(last))
        and _is_city_name(m["city"])
        and iso not in ("US", "PR", "GB", "CA")
        and (iso or _known_city(m["city"], ""))
    ):
        return m["city"], "", m["postal"], 1
    if _is_city_name(last) and _known_city(last, iso):
        return last, "", "", 1
    return "", "", "", 0


def _get(meeting: object, name: str) -> str:
    value = meeting.get(name) if isinstance(meeting, Mapping) else getattr(meeting, name, "")
    return value if isinstance(value, str) else ""


def meeting_address(meeting: object) -> AddressParts:
    """A meeting's address parts from its stored fields (a ``Meeting`` or a dict of its fields).

    Fields the source gave are kept as they are; a one-string address (in ``formatted_address``,
    or in ``address`` with no city, region or postal code beside it) is split to fill the rest.
    """
    street, city = _get(meeting, "address").strip(), _get(meeting, "city").strip()
    region, postal = _get(meeting, "region").strip(), _get(meeting, "postal_code").strip()
    country = _get(meeting, "country").strip()
    one_string = ""
    if street and not (city or region or postal) and "," in street:
        one_string, street = street, ""
    elif not street:
        one_string = _get(meeting, "formatted_address")
    if not one_string:
        return AddressParts(street, city, region, postal, country)
    split = split_address(one_string, country=country)
    if split.street and (city or region or postal):
        # The split must not repeat, as street, what the stored fields already say.
        known = {_fold(v) for v in (city, region, postal, country) if v}
        street_parts = [p for p in split.street.split(", ") if _fold(p) not in known]
        split = AddressParts(", ".join(street_parts), split.city, split.region, split.postal_code, split.country)
    return AddressParts(
        street or split.street,
        city or split.city,
        region or split.region,
        postal or split.postal_code,
        country or split.country,
    )
