"""The call menu, as plain steps a provider writes (``providers.Step``). Each stage answers one
webhook: ``start`` reads the menu; ``menu`` takes 1 (meetings near a ZIP keyed in), 2 (an online
meeting starting soon, with its dial-in number and ID), 3 (talk to someone now: ``helpline.py``)
or 9 (Spanish; in Spanish, 9 is English); ``zip`` reads the meetings near the ZIP slowly and
offers them by text; ``dialed`` is a staff phone's outcome. The language travels in the query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import dates, translation
from django.utils.translation import gettext as _

from commonground.phone import finder, helpline
from commonground.phone.gsm import clean
from commonground.phone.providers import Gather, Hangup, Inbound, Redirect, Say, Step
from commonground.safety import is_crisis_text
from commonground.search.results import Result

SPOKEN = {
    "1": ("one", "uno", "meeting", "reunion", "reunión"),
    "2": ("two", "dos", "online", "línea", "linea"),
    "3": ("three", "tres", "talk", "someone", "person", "hablar", "alguien", "persona"),
    "9": ("nine", "nueve", "spanish", "español", "espanol", "english", "inglés", "ingles"),
}


@dataclass(frozen=True)
class Call:
    inbound: Inbound
    country: str
    zone: str
    lang: str
    now: datetime
    query: dict[str, str]
    record: bool = True  # False in the simulator: no audit rows, nobody is rung


def choice(inbound: Inbound) -> str:
    if inbound.digits:
        return inbound.digits[:1]
    heard = inbound.speech.lower()
    if is_crisis_text(heard):
        return "3"
    said = set(re.findall(r"\w+", heard))  # whole words: "someone" is not "one"
    return next((key for key, words in SPOKEN.items() if said & set(words)), "")


def menu(lang: str) -> list[Step]:
    with translation.override(lang):
        says = [
            Say(_("Common Ground. To hear meetings near a ZIP code, press 1."), lang),
            Say(_("For an online meeting starting soon that you can join by phone, press 2."), lang),
            Say(_("To talk to someone now, press 3."), lang),
        ]
    other = Say("Para español, oprima 9.", "es") if lang == "en" else Say("For English, press 9.", "en")
    return [Gather("menu", (*says, other), language=lang, query={"l": lang}), Redirect("start", {"l": lang})]


def answer(stage: str, call: Call) -> list[Step]:
    with translation.override(call.lang):
        return _answer(stage, call)


def _answer(stage: str, call: Call) -> list[Step]:
    lang = call.lang
    if stage == "menu":
        picked = choice(call.inbound)
        if picked == "1":
            ask = Say(_("Key in the five digits of the ZIP code."), lang)
            return [Gather("zip", (ask,), digits=5, language=lang, timeout=10, query={"l": lang}), *menu(lang)]
        if picked == "2":
            return online_now(call) + menu(lang)[:1]
        if picked == "3":
            return helpline.route(
                call.inbound.call_id, call.inbound.to, call.country, lang, call.now, record=call.record
            )
        if picked == "9":
            return menu("es" if lang == "en" else "en")
        return menu(lang)
    if stage == "zip":
        return near_zip(call) + menu(lang)[:1]
    if stage == "dialed":
        q = call.query
        return helpline.after_dial(
            q.get("a", ""), q.get("i", ""), call.inbound.dial_status, call.country, lang, call.now
        )
    return menu(lang)


def slowly(digits: str) -> str:
    """Digits read one at a time, a pause between the groups written (else groups of three)."""
    groups = re.findall(r"\d+", digits)
    if len(groups) == 1:
        groups = [groups[0][i : i + 3] for i in range(0, len(groups[0]), 3)]
    return ", ".join(" ".join(group) for group in groups)


def _when(result: Result) -> str:
    start = result["starts_at_local"]
    if result["in_progress"] or start is None:
        return _("now")
    day = str(dates.WEEKDAYS[start.weekday()])
    clock = start.strftime("%H:%M") if call_lang() == "es" else start.strftime("%-I:%M %p")
    return _("%(day)s at %(time)s") % {"day": day, "time": clock}


def call_lang() -> str:
    return translation.get_language() or "en"


def near_zip(call: Call) -> list[Step]:
    zip_code = call.inbound.digits or "".join(ch for ch in call.inbound.speech if ch.isdigit())
    lang = call.lang
    if len(zip_code) != 5:
        return [Say(_("That was not a ZIP code."), lang)]
    found = finder.near(zip_code, (), call.now)
    page = found.meetings[: finder.PAGE]
    if found.error or not page:
        return [Say(_("We found no meetings near %(zip)s in the next two days.") % {"zip": slowly(zip_code)}, lang)]
    steps: list[Step] = [Say(_("Meetings near %(zip)s.") % {"zip": slowly(zip_code)}, lang)]
    for r in page:
        where = _("online") if r["mode"] == "online" else clean(r["location"]["name"] or r["location"]["address"], 60)
        steps.append(Say(f"{_when(r)}. {finder.short_name(r, 60)}. {where}.", lang))
    steps.append(Say(_("To get these by text, text %(zip)s to this number.") % {"zip": slowly(zip_code)}, lang))
    return steps


def online_now(call: Call) -> list[Step]:
    lang = call.lang
    found = finder.now_online((), call.now, call.zone)
    for r in found.meetings:
        phone, meeting_id = finder.dial_in(r)
        if phone and meeting_id:
            read = _(
                "%(when)s: %(name)s. To join, hang up and call %(phone)s. Then key in the meeting ID %(id)s, then pound."
            )
            text = read % {
                "when": _when(r),
                "name": finder.short_name(r, 60),
                "phone": slowly(phone),
                "id": slowly(meeting_id),
            }
            return [Say(text, lang), Say(_("Again:") + " " + text, lang)]
    return [Say(_("No online meeting starting soon can be joined by phone. Text NOW to this number for links."), lang)]


__all__ = ["Call", "Hangup", "answer", "menu"]
