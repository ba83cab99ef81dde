"""One search result's card (``<li class="meeting">``), written in Python.

The results page shows twenty of these. As an included template each card cost about a quarter of a
millisecond (some forty variable lookups, filters and translation tags), which was over half of
the page's time at a million meetings. This tag writes the same markup with the same
translations, localised dates and escaping; ``tests/test_result_card.py`` renders every kind of
result both ways, in English and Spanish, and compares the bytes.

Every value from a feed is HTML-escaped (``esc``) unless it is already safe markup we wrote.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape as _escape

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat, urlencode
from django.template.defaultfilters import time as time_filter
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

register = template.Library()


def esc(value) -> str:
    """``conditional_escape`` without its lazy-string machinery: what is already safe stays as
    it is; anything else (feed text, lazy translations) becomes text, HTML-escaped."""
    return value if isinstance(value, SafeData) else _escape(str(value))


# Fixed text and a weekday or clock time look the same every time in a language: each is
# translated or formatted once per process and language (catalogs and formats never change while
# a process runs), instead of twenty times a page through Django's per-call lookups.
@lru_cache(maxsize=256)
def _in(language: str, message: str) -> str:
    return gettext(message)


# The card's fixed text, marked for `makemessages` (``_t`` translates it: a variable that the
# extractor cannot read, so without these marks the Spanish entries fell out of the catalog).
ANY_TIME = gettext_noop("Any time")
AROUND_THE_CLOCK = gettext_noop("this group is available around the clock or by arrangement")
WHERE_THE_MEETING_IS = gettext_noop("%(day)s %(time)s %(zone)s where the meeting is")
KM_AWAY = gettext_noop("%(km)s km away")
MILES_AWAY = gettext_noop("%(mi)s mi away")
MEETING_TYPE = gettext_noop("Meeting type")


def _t(message: str) -> str:
    return _in(get_language() or "", message)


_day_times: dict[tuple, tuple[str, str]] = {}


def _day_time(moment) -> tuple[str, str]:
    """The weekday's name and the clock time, escaped, as the ``date:"l"`` and ``time`` filters
    write them (``moment`` is naive: neither depends on more than the weekday and the time)."""
    key = (get_language() or "", moment.weekday(), moment.time())
    found = _day_times.get(key)
    if found is None:
        if len(_day_times) > 50_000:  # a week of minutes in a few languages fits many times over
            _day_times.clear()
        found = _day_times[key] = (esc(date_filter(moment, "l")), esc(time_filter(moment, "TIME_FORMAT")))
    return found


def _translated(message: str, **values) -> str:
    """``{% blocktranslate %}``: the translation as written, each value escaped."""
    return _t(message) % {k: esc(v) for k, v in values.items()}


def _when(r: dict) -> str:
    if r["ongoing"]:
        return f"<strong>{esc(_t(ANY_TIME))}</strong> · {esc(_t(AROUND_THE_CLOCK))}"
    day, clock = _day_time(r["local_dt"])
    html = f'<strong><time datetime="{esc(r["starts_at_iso"])}">{day} {clock} {esc(r["local_zone"])}</time></strong>'
    if r["until"]:
        html += f' · <span class="until{" now" if r["in_progress"] else ""}">{esc(r["until"])}</span>'
    if r["zones_differ"]:
        day, clock = _day_time(r["own_dt"])
        html += (
            '<br><span class="small">'
            + _translated(
                WHERE_THE_MEETING_IS,
                day=mark_safe(day),
                time=mark_safe(clock),
                zone=r["own_zone"],
            )
            + "</span>"
        )
    return html


def _where(location: dict) -> str:
    if location["formatted_address"] and not location["approximate"]:
        name = f"{esc(location['name'])}, " if location["name"] else ""
        return f'<p class="where" dir="auto">{name}{esc(location["formatted_address"])}</p>'
    if location["city"]:
        return f'<p class="where" dir="auto">{esc(location["city"])}</p>'
    return ""


@register.simple_tag
def result_card(r: dict, tz: str = "") -> SafeString:
    """The card for a decorated result (``web.presenters.decorate``); ``tz``, the searcher's zone,
    is carried to the meeting's page."""
    href = esc(r["url"]) + (f"?tz={esc(urlencode(tz))}" if tz else "")
    distance = ""
    if r["distance_km"] is not None:
        if r.get("distance_unit") == "mi":
            distance = " · " + _translated(MILES_AWAY, mi=floatformat(r["distance"], 1))
        else:
            distance = " · " + _translated(KM_AWAY, km=floatformat(r["distance_km"], 1))
    tags = ""
    if r["tag_labels"]:
        items = "".join(f"<li>{esc(label)}</li>" for label in r["tag_labels"])
        tags = f'<ul class="tags" aria-label="{esc(_t(MEETING_TYPE))}">{items}</ul>'
    return mark_safe(
        f'<li class="meeting">\n'
        f'  <h3 dir="auto"><a href="{href}">{esc(r["name"])}</a></h3>\n'
        f'  <p class="when">{_when(r)}</p>\n'
        f'  <p class="meta"><span class="program">{esc(r["program_name"])}</span> · '
        f'<span class="mode mode-{esc(r["mode"])}">{esc(r["mode_label"])}</span>{distance}</p>\n'
        f"  {_where(r['location'])}\n"
        f"  {tags}\n"
        "</li>\n"
    )
