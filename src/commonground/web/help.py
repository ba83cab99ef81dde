"""Which country's help a page shows, and the words around it: for /help, the fit results and the
footer of every page. Every number and every safety text comes from the safety layer
(commonground/safety); this module only finds the country and lays the answer out. The country is
``?country=`` (an ISO 3166 code), else the place (``?near=``, through the gazetteer), else the time
zone (``?tz=``); when none says, the page shows the home country's lines, says plainly which country
they serve, and asks (a GET form). A country with no entry in the data gets no invented number: the
page says so, links a directory of helplines by country, and says to call the local emergency number.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.translation import gettext as _

from commonground import i18n, safety
from commonground.safety import countries


def country_of_request(params) -> tuple[str, str, str]:
    """(ISO code or "", how it was found, a problem to tell the person or "") from ?country, ?near, ?tz."""
    raw = (params.get("country") or "").strip()
    if raw:
        code = raw.upper()
        if code in countries.iso_codes():
            return code, "answer", ""
        return (
            "",
            "",
            _("“%(code)s” is not a country code we know. Here is help in the meantime; choose your country below.")
            % {"code": raw[:12]},
        )
    near = (params.get("near") or "").strip()
    if near:
        from commonground.places.gazetteer import gazetteer

        found = {place.country for place in gazetteer().search(near[:120], limit=10) if place.country}
        if len(found) == 1:
            return found.pop(), "place", ""
    zone = countries.country_for_zone((params.get("tz") or "").strip())
    if zone:
        return zone, "zone", ""
    return "", "", ""


def country_of_meeting(meeting, params) -> str:
    """Whose help lines a meeting's page shows: the meeting's own country, where the meeting is held
    (a reader from elsewhere who goes there needs that country's numbers; it was the reader's zone, so
    a Tehran meeting opened from a US search showed 988 and 911). An online-only meeting is joined
    from anywhere: the reader's country (``country_of_request``) when the request names one.

    The meeting's country is the one its address names (a name or code the gazetteer knows:
    "Iran", "IR", "USA"), else its zone's ("Asia/Tehran" -> IR); "" when neither says."""
    if meeting.attendance_mode == "online":
        reader = country_of_request(params)[0]
        if reader:
            return reader
    written = (meeting.country or "").strip()
    if written:
        from commonground.places.gazetteer import fold, gazetteer

        code: str = gazetteer().countries.get(fold(written), "")
        if code in countries.iso_codes():
            return code
    return countries.country_for_zone(meeting.timezone)


def country_choices() -> list[tuple[str, str]]:
    """The countries we hold lines for, by name in the page's language."""
    language = i18n.language()
    return sorted(
        ((c.code, c.label(language)) for c in countries.all_countries().values()), key=lambda pair: pair[1].casefold()
    )


def _with_article(name: str, language: str) -> str:
    """ "the United States", "the United Kingdom"; most country names take no article in English."""
    if language == "en" and (
        name.startswith("United ") or name in ("Netherlands", "Philippines", "Dominican Republic", "Czech Republic")
    ):
        return "the " + name
    return name


def serves_sentence(guidance: safety.Guidance) -> str:
    """Which country the lines shown serve, said plainly; "" when the person's country was known."""
    if guidance.country is None or guidance.country_known:
        return ""
    name = _with_article(guidance.country.label(i18n.language()), i18n.language())
    return _("These lines serve %(country)s. In another country, they may not work.") % {"country": name}


def lines_heading(guidance: safety.Guidance) -> str:
    if guidance.country is None:
        return _("Help lines")
    name = _with_article(guidance.country.label(i18n.language()), i18n.language())
    return _("Help lines in %(country)s") % {"country": name}


def site_help_for(code: str) -> dict:
    """What the header's "Help now" link and the footer show: the country's crisis and drug lines (or the
    home country's, said so), its emergency number, and the /help address for that country."""
    guidance = safety.guidance(safety.Situation(country=code))
    return {
        "g": guidance,
        "query": urlencode({"country": code}) if code else "",
        "serves": serves_sentence(guidance),
        "heading": lines_heading(guidance),
    }
