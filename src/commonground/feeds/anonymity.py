"""Anonymity: no last names from feeds.

Mutual-help groups name people by first name and last initial ("Bill W."). Two tools keep to it:

- ``anonymize_person`` rewrites a *name field* (a contact's name) to that form, whatever order
  or decoration the feed used: "Smith, Robert" -> "Robert S.", "Dr. Jane Doe" -> "Jane D.".
- ``likely_full_names`` finds what looks like a full name in *free text* (notes, group, location).
  Text cannot be rewritten safely ("St. John Church" is a place; "Mary Ann" is one person), so the
  import only warns, and the maintainer fixes it at the source.
- ``email_names_someone`` tells when a contact's e-mail address gives back what the name was cut
  to hide ("robert.smith@..." beside "Robert S."); such an address is not kept, nor exported.
"""

from __future__ import annotations

import re
from functools import lru_cache

TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "rev",
    "fr",
    "father",
    "sister",
    "brother",
    "br",
    "pastor",
    "prof",
    "sr",
    "sra",
    "srta",
    "don",
    "doña",
    "dona",
    "padre",
    "hermano",
    "hermana",
    "deacon",
    "rabbi",
    "imam",
}
SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "lcsw", "lpc", "cadc"}
PARTICLES = {
    "van",
    "von",
    "de",
    "del",
    "della",
    "der",
    "den",
    "di",
    "da",
    "do",
    "dos",
    "das",
    "du",
    "la",
    "le",
    "los",
    "las",
    "y",
    "bin",
    "ibn",
    "al",
    "el",
    "st",
    "mac",
    "o",
}


def _bare(word: str) -> str:
    return word.strip(".,").lower()


def _initial(word: str) -> str:
    for char in word:
        if char.isalpha():
            return char.upper() + "."
    return ""


def anonymize_person(name: str) -> str:
    """First name plus last initial: "Smith, Robert" -> "Robert S."; one word is kept as it is."""
    text = " ".join(str(name or "").split())
    if not text:
        return ""
    if "," in text:
        last, _, given = text.partition(",")
        given_words = [w for w in given.split() if _bare(w) not in TITLES | SUFFIXES]
        last_words = [w for w in last.split() if _bare(w) not in TITLES | SUFFIXES]
        if given_words and last_words:
            surname = next((w for w in last_words if _bare(w) not in PARTICLES), last_words[-1])
            return f"{given_words[0]} {_initial(surname)}".strip()
        if last_words:  # "Smith, Dr.", "Smith,": before the comma stands a surname, so only its initial
            return _initial(next((w for w in last_words if _bare(w) not in PARTICLES), last_words[-1]))
        text = " ".join(given_words)
        if not text:
            return ""
    words = text.split()
    had_title = bool(words) and _bare(words[0]) in TITLES
    words = [w for w in words if _bare(w) not in TITLES | SUFFIXES] or words[-1:]
    if len(words) == 1:
        # "Dr. Smith": after a title, a lone word is a surname, so only its initial is kept.
        return _initial(words[0]) if had_title else words[0]
    last = words[-1]
    if len(last.rstrip(".")) == 1:  # already "Bill W." (or "Bill W")
        return f"{words[0]} {_initial(last)}"
    return f"{words[0]} {_initial(last)}"


# Words that follow a first name in place names, not surnames ("St. Mary Church", "John Street").
NOT_SURNAMES = {
    "church",
    "chapel",
    "cathedral",
    "parish",
    "hall",
    "house",
    "center",
    "centre",
    "hospital",
    "clinic",
    "park",
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "lane",
    "drive",
    "boulevard",
    "blvd",
    "way",
    "place",
    "square",
    "school",
    "college",
    "university",
    "library",
    "room",
    "building",
    "club",
    "community",
    "memorial",
    "group",
    "meeting",
    "meetings",
    "anonymous",
    "lutheran",
    "catholic",
    "methodist",
    "baptist",
    "episcopal",
    "presbyterian",
    "fellowship",
    "home",
    "hope",
    "recovery",
    "serenity",
    "step",
    "steps",
    "big",
    "book",
    "friday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "county",
    "city",
    "valley",
    "hill",
    "beach",
    "lake",
    "river",
    "bay",
    "point",
    "heights",
    "village",
    "plaza",
    "mall",
    "market",
    "campus",
    "wing",
    "iglesia",
    "parroquia",
    "calle",
    "centro",
    "salón",
    "salon",
    "grupo",
    "the",
    # Meeting vocabulary: "Serenity Speaker", "Grace Discussion", "Destiny Beginners".
    "discussion",
    "speaker",
    "speakers",
    "study",
    "beginners",
    "beginner",
    "newcomers",
    "newcomer",
    "women",
    "men",
    "womens",
    "mens",
    "open",
    "closed",
    "literature",
    "meditation",
    "candlelight",
    "sunrise",
    "sunset",
    "noon",
    "lunch",
    "breakfast",
    "morning",
    "evening",
    "night",
    "nite",
    "daily",
    "reflections",
    "reflection",
    "traditions",
    "tradition",
    "living",
    "sober",
    "sobriety",
    "topic",
    "share",
    "sharing",
    "circle",
    "gathering",
    "workshop",
    "promises",
    "miracle",
    "miracles",
    "freedom",
    "unity",
    "service",
    "gratitude",
    "hour",
    "happy",
    "early",
    "late",
    "birds",
    "bunch",
    "keepers",
    "survivors",
    "warriors",
    "sisters",
    "brothers",
    "family",
    "friends",
    "young",
    "people",
    "online",
    "zoom",
    "hybrid",
    "smart",
    "lifering",
    "dharma",
    "refuge",
    "celebrate",
    "chapter",
    "zone",
    "mindful",
    "mindfulness",
    "sangha",
    "practice",
    "tools",
    "check-in",
    "checkin",
    "support",
    "al-anon",
    "reunión",
    "reunion",
    "mujeres",
    "hombres",
    "paso",
    "pasos",
    "libro",
    "oración",
    "serenidad",
    "esperanza",
}
# A word and the word after it (a lookahead, so "Contact John Smith" yields both pairs).
_PAIR = re.compile(r"(?<![\w.])([^\W\d_][^\W\d_'’-]+)(?=\s+([^\W\d_][^\W\d_'’-]+)(?!\w|\.\w))")
_SAINTS = {"st", "saint", "san", "santa", "santo", "são", "sao", "ste", "sainte", "our", "lady", "of"}


LOCALES = ("en_US", "en_GB", "en_CA", "es_ES", "es_MX", "es_CO", "fr_FR", "pt_BR", "de_DE", "it_IT")


@lru_cache(maxsize=4)
def _faker_names(kind: str) -> frozenset[str]:
    """Given names or surnames common in the languages our feeds use (Faker's locale lists, MIT)."""
    import importlib

    attributes = ("first_names", "first_names_male", "first_names_female") if kind == "first" else ("last_names",)
    names: set[str] = set()
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # pragma: no cover - every locale above ships with Faker
            continue
        for attribute in attributes:
            value = getattr(provider, attribute, ())
            names.update(value.keys() if isinstance(value, dict) else value)
    return frozenset(n for n in names if len(n) > 2)


def first_names() -> frozenset[str]:
    return _faker_names("first")


def surnames() -> frozenset[str]:
    return _faker_names("last")


# A run of letters: the pieces a given name is made of ("Jean-Pierre" is "Jean" and "Pierre").
_LETTERS = re.compile(r"[^\W\d_]+")


# ASCII text as bytes, every byte but a letter made a space: its words are then its letter runs.
_ASCII_LETTERS_ONLY = bytes(c if chr(c).isascii() and chr(c).isalpha() else 32 for c in range(256))


@lru_cache(maxsize=1)
def _name_pieces() -> tuple[frozenset[str], frozenset[bytes]]:
    pieces = frozenset(piece for name in first_names() for piece in _LETTERS.findall(name))
    return pieces, frozenset(p.encode() for p in pieces if p.isascii())


def may_name_someone(text: str) -> bool:
    """False when ``text`` cannot hold a full name, cheaply: no run of letters in it is a piece
    of a given name. The first word of a pair ``_PAIR`` finds starts and ends a run of letters
    (what comes before and after it is not a letter), so a given name there is such a piece."""
    if not text:
        return False
    pieces, ascii_pieces = _name_pieces()
    if text.isascii():  # the same runs, five times faster than the pattern
        return not ascii_pieces.isdisjoint(text.encode().translate(_ASCII_LETTERS_ONLY).split())
    return not pieces.isdisjoint(_LETTERS.findall(text))


def likely_full_names(text: str) -> list[str]:
    """Phrases in ``text`` that look like "Firstname Lastname" (not "Bill W.", not "St. John Church")."""
    if not text or not isinstance(text, str) or not may_name_someone(text):
        return []
    return _full_names(text)


def _full_names(text: str) -> list[str]:
    names = first_names()
    found = []
    for match in _PAIR.finditer(text):
        first, second = match.group(1), match.group(2)
        if first not in names or not second[:1].isupper() or second.isupper() and len(second) <= 3:
            continue
        if second.lower() in NOT_SURNAMES or (second in names and second not in surnames()):
            continue  # a place word, or a double given name ("Mary Ann", "Juan Carlos")
        before = text[: match.start()].rstrip().rstrip(".").rsplit(None, 1)  # the word before the pair
        if before and before[-1].lower() in _SAINTS:
            continue  # "St. John Smith Hall" is still a place; "San José" is a city
        found.append(f"{first} {second}")
    return list(dict.fromkeys(found))


# The pieces of an address's local part: "Robert_Smith77" -> "robert", "smith".
_LOCAL_PIECES = re.compile(r"[^\W\d_]+")


def _surname_of(name: str) -> str:
    """The surname in a contact's name as the feed gave it ("" when there is none to hide)."""
    text = " ".join(str(name or "").split())
    if "," in text:
        text = text.partition(",")[0]
        words = [_bare(w) for w in text.split()]
    else:
        words = [_bare(w) for w in text.split()][1:]  # after the given name
    words = [w for w in words if w not in TITLES | SUFFIXES | PARTICLES and len(w) > 1]
    return words[-1] if words else ""


def email_names_someone(email: str, name: str = "") -> bool:
    """True when the local part of ``email`` holds a last name: the contact's own surname (from the
    name as the feed gave it, before it was cut to an initial), or a given name beside a common
    surname ("robert.smith", "Robert_Smith77"). A first name alone, a role or a group's name is fine."""
    local = str(email or "").rpartition("@")[0].casefold()
    if not local:
        return False
    surname = _surname_of(name).casefold()
    if len(surname) > 2 and surname in local:
        return True
    pieces = _LOCAL_PIECES.findall(local)
    given, family = _folded_names()
    return any(a in given and b in family for a in pieces for b in pieces if a != b)


@lru_cache(maxsize=1)
def _folded_names() -> tuple[frozenset[str], frozenset[str]]:
    """Given names and surnames, casefolded, as an address's local part writes them."""
    return (
        frozenset(n.casefold() for n in first_names()),
        frozenset(n.casefold() for n in surnames()) - {w.casefold() for w in NOT_SURNAMES},
    )
