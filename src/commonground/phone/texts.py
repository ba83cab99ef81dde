"""The answer to a text message. ``answer`` is the whole rule; the webhook and the simulator both
call it, so the simulator shows exactly what a phone would get.

Order: STOP (and the carriers' variants) always wins and is confirmed; after it nothing is sent
until START. Then crisis words (the safety layer's list) put the country's crisis line first. Then
the rate limit, HELP/AYUDA, a language word, MORE, NOW, and a place (a ZIP, a city, "meetings near
…") with an optional program word or "online". Anything else gets a short how-to, never an error.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import dates, translation
from django.utils.translation import gettext as _

from commonground.phone import finder
from commonground.phone.gsm import clean, fits, to_gsm
from commonground.safety import Situation, guidance, is_crisis_text
from commonground.search.results import Result

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "PARAR", "ALTO"})
START_WORDS = frozenset({"START", "YES", "UNSTOP", "COMENZAR"})
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
NOW_WORDS = frozenset({"NOW", "AHORA"})
MORE_WORDS = frozenset({"MORE", "MAS", "NEXT", "SIGUIENTE"})
ONLINE_WORDS = frozenset({"ONLINE", "VIRTUAL", "ZOOM", "LINEA"})
# Words that are a greeting or a thanks, never a place (there is a Hola in Kenya): the how-to.
GREETINGS = frozenset({"HI", "HELLO", "HEY", "HOLA", "BUENAS", "BUENOS", "THANKS", "THANK", "GRACIAS", "OK", "OKAY"})
SPANISH_SWITCH = frozenset({"ESPANOL", "SPANISH"})
ENGLISH_SWITCH = frozenset({"ENGLISH", "INGLES"})
SPANISH_MARKERS = frozenset(
    {"AYUDA", "AHORA", "MAS", "REUNIONES", "REUNION", "CERCA", "HOLA", "NECESITO", "QUIERO", "DONDE", "GRUPOS"}
    | {"ESPANOL", "LINEA", "SIGUIENTE", "PARAR", "COMENZAR", "GRACIAS", "JUNTAS", "HOY"}
)
LEADS = (
    re.compile(r"^(?:find|show|any|need|i need|quiero|necesito|busco)\s+", re.I),
    re.compile(r"^(?:meetings?|reuni[oó]n(?:es)?|juntas|grupos)\s+", re.I),
    re.compile(r"^(?:near|in|at|around|for|cerca de|cerca|en)\s+", re.I),
)


@dataclass
class Contact:
    """What the answer may read and change about the sender (a PhoneContact, or the simulator's)."""

    language: str = ""
    stopped: bool = False
    pending: dict[str, Any] | None = None


@dataclass(frozen=True)
class Sender:
    country: str = ""  # ISO alpha-2 from the number, "" when unknown
    zone: str = ""  # the number's area's zone, "" when unknown
    base: str = ""  # the site's public address, for the meeting links ("" : PHONE_PUBLIC_URL)


def words_of(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).upper()
    return re.findall(r"[A-Z0-9]+", folded)


def language_of(words: list[str], contact: Contact, raw: str) -> str:
    if set(words) & SPANISH_SWITCH:
        return "es"
    if set(words) & ENGLISH_SWITCH:
        return "en"
    if set(words) & SPANISH_MARKERS or re.search(r"[¿¡ñÑ]", raw or ""):
        return "es"
    return contact.language or "en"


def answer(
    text: str, contact: Contact, sender: Sender, *, now: datetime | None = None, limited: Callable[[], bool] = bool
) -> str:
    """The reply ("" for none: after STOP), in the sender's language, at most three segments."""
    now = now or datetime.now(UTC)
    words = words_of(text)
    lang = language_of(words, contact, text)
    with translation.override(lang):
        reply = _answer(text, words, lang, contact, sender, now, limited)
    return to_gsm(reply) if reply else ""


def _answer(
    text: str, words: list[str], lang: str, contact: Contact, sender: Sender, now: datetime, limited: Callable[[], bool]
) -> str:
    single = words[0] if len(words) == 1 else ""
    if single in STOP_WORDS:
        contact.stopped, contact.pending = True, None
        return _("You will get no more messages from this number. Reply START to start again.")
    if contact.stopped and single not in START_WORDS:
        return ""
    if single in START_WORDS:
        contact.stopped = False
        return _("Welcome back. Text a ZIP code or a city for meetings near you, NOW for one online.") + " " + stop()
    if lang == "es":
        contact.language = "es"  # the number writes Spanish (AYUDA, a crisis text too): Spanish from now on
    if is_crisis_text(text):
        return crisis(sender)
    if single in HELP_WORDS:  # the carriers' rule: HELP is always answered, like STOP
        return help_text(sender)
    if limited():
        return _("You have sent many texts. Please try again in a little while.") + " " + crisis_line(sender)
    if single in SPANISH_SWITCH | ENGLISH_SWITCH:
        contact.language = lang
        return _("OK, English from now on.") if lang == "en" else how_to()
    if single in MORE_WORDS:
        return more(contact, sender, now)
    programs = tuple(dict.fromkeys(p for p in (finder.program_word(w) for w in words) if p))
    if set(words) & NOW_WORDS and len(words) <= 3:
        state = {"kind": "now", "programs": list(programs), "offset": 0, "zone": _zone(contact, sender)}
        return _run(state, contact, sender, now)
    place = _place_text(text, words)
    if not place or (words and words[0] in GREETINGS):
        return how_to()
    state = {"kind": "near", "near": place, "programs": list(programs), "offset": 0}
    state["online"] = bool(set(words) & ONLINE_WORDS)
    return _run(state, contact, sender, now)


def _zone(contact: Contact, sender: Sender) -> str:
    return (contact.pending or {}).get("zone") or sender.zone or "UTC"


def _place_text(text: str, words: list[str]) -> str:
    """The place in a text, without its program and "online" words and a lead ("meetings near")."""
    kept = []
    for raw in re.split(r"\s+", (text or "").strip()):
        word = "".join(words_of(raw))
        if finder.program_word(word) or word in ONLINE_WORDS or word in NOW_WORDS:
            continue
        kept.append(raw)
    place = " ".join(kept).strip(" ?!.")
    for lead in LEADS:
        place = lead.sub("", place).strip()
    zip_code = re.search(r"\b\d{5}\b", place)
    if zip_code:
        return zip_code[0]
    return clean(place, 60) if re.search(r"[^\W\d_]{2,}", place) else ""


def more(contact: Contact, sender: Sender, now: datetime) -> str:
    state = dict(contact.pending or {})
    if not state:
        return _("Text a ZIP code or a city first, then MORE for the next meetings.")
    state["offset"] = int(state.get("offset", 0)) + finder.PAGE
    return _run(state, contact, sender, now)


def _run(state: dict[str, Any], contact: Contact, sender: Sender, now: datetime) -> str:
    programs = tuple(state.get("programs") or ())
    if state["kind"] == "now":
        found = finder.now_online(programs, now, state.get("zone", "UTC"))
    else:
        found = finder.near(state["near"], programs, now, online_only=bool(state.get("online")))
        if found.error:
            if found.candidates:
                return _("Which one? %(places)s. Text it again with the state.") % {
                    "places": "; ".join(clean(c, 30) for c in found.candidates)
                }
            return _("We could not find that place.") + " " + how_to()
        state["zone"] = found.zone
    offset = int(state.get("offset", 0))
    page = found.meetings[offset : offset + finder.PAGE]
    contact.pending = state
    if not page:
        if offset:
            return _("No more meetings in the next two days. Text NOW for an online meeting starting soon.")
        if state["kind"] == "now":
            return _("No online meeting starts within the hour. Text a ZIP code for meetings near you.")
        return _("No meetings found near there in the next two days. Text NOW for an online meeting.")
    has_more = len(found.meetings) > offset + finder.PAGE
    return compose(page, state["kind"], has_more, sender.base)


def compose(page: list[Result], kind: str, has_more: bool, base: str = "") -> str:
    """The meetings as lines, shortened (names, then fewer meetings) until the reply fits."""
    tail = _("Reply MORE for more.") if has_more else ""
    for limit in (28, 20, 14):
        for count in range(len(page), 0, -1):
            lines = [_line(r, kind, limit, base) for r in page[:count]]
            reply = to_gsm("\n".join([*lines, tail]).strip())
            if fits(reply):
                return reply
    return to_gsm(_line(page[0], kind, 10, base))


def _when(result: Result) -> str:
    start = result["starts_at_local"]
    if result["in_progress"]:
        return _("now")
    if start is None:
        return _("any time")
    day = str(dates.WEEKDAYS_ABBR[start.weekday()])
    clock = start.strftime("%H:%M") if translation.get_language() == "es" else start.strftime("%-I:%M%p").lower()
    return f"{day} {clock}"


def _line(result: Result, kind: str, limit: int, base: str) -> str:
    name = finder.short_name(result, limit)
    if kind == "now" or result["mode"] == "online":
        phone, meeting_id = finder.dial_in(result)
        if phone and meeting_id:
            how = _("call %(phone)s ID %(id)s") % {"phone": phone, "id": meeting_id}
        else:
            how = _("online") + " " + finder.short_link(result, base)
        return f"{_when(result)} {name}: {how}"
    where = clean(result["location"]["name"] or result["location"]["address"] or result["location"]["city"], limit)
    return f"{_when(result)} {name}, {where} {finder.short_link(result, base)}"


def _line_of(sender: Sender) -> tuple[str, str, str]:
    """(how to reach the crisis line, its name, the emergency number), from the safety layer."""
    g = guidance(Situation(crisis="yes", country=sender.country))
    line = next((v for v in g.lines if v.kind == "crisis" and (v.number or v.text_number)), None)
    if line is None:
        return "", "", g.emergency
    if line.number and line.text_number == line.number:
        how = _("call or text %(number)s") % {"number": line.number}
    elif line.number:
        how = _("call %(number)s") % {"number": line.number}
    else:
        how = _("text %(number)s") % {"number": line.text_number}
    return how, line.name, g.emergency


def crisis_line(sender: Sender) -> str:
    how, name, _emergency = _line_of(sender)
    return _("If you need help now: %(how)s.") % {"how": how} if how else ""


def crisis(sender: Sender) -> str:
    how, name, emergency = _line_of(sender)
    parts = []
    if how:
        parts.append(
            _("You are not alone. Please %(how)s now (%(name)s), free, any time.") % {"how": how, "name": name}
        )
    if emergency:
        parts.append(_("In danger right now: call %(number)s.") % {"number": emergency})
    parts.append(_("When you are ready, text a ZIP code and we will find a meeting near you."))
    text = " ".join(parts)
    return text if fits(to_gsm(text)) else " ".join(parts[:2])


def stop() -> str:
    return _("Reply STOP to end.")


def how_to() -> str:
    return _("Text a ZIP code or a city (10001, Denver CO) for meetings near you, NOW for one online, HELP for help.")


def help_text(sender: Sender) -> str:
    text = " ".join(
        [
            _("Common Ground: free recovery meeting finder."),
            _(
                "Text a ZIP code or a city for meetings near you, add NA or SMART to narrow, NOW for one online, MORE for more."
            ),
            _("Msg & data rates may apply. Reply STOP to end."),
            crisis_line(sender),
        ]
    )
    return text.strip()
