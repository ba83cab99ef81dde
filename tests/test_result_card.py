"""The result card written in Python (``{% result_card %}``) is byte for byte the card the
template wrote, for every kind of result, in English and Spanish.

``TEMPLATE`` is the card as it was when it was a template (``web/_result.html``); it stays here as
the oracle, so a change to either side shows up as a difference.
"""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from commonground.meetings.models import Meeting
from commonground.search import engine
from commonground.search.query import parse_query
from commonground.web.presenters import MODE_LABELS, TAG_LABELS, decorate
from commonground.web.templatetags.resultcard import result_card

TEMPLATE = Template(
    """{% load i18n %}<li class="meeting">
  <h3 dir="auto"><a href="{{ r.url }}{% if query.tz %}?tz={{ query.tz|urlencode }}{% endif %}">{{ r.name }}</a></h3>
  <p class="when">{% if r.ongoing %}<strong>{% translate "Any time" %}</strong> · {% translate "this group is available around the clock or by arrangement" %}{% else %}<strong><time datetime="{{ r.starts_at_iso }}">{{ r.local_dt|date:"l" }} {{ r.local_dt|time:"TIME_FORMAT" }} {{ r.local_zone }}</time></strong>{% if r.until %} · <span class="until{% if r.in_progress %} now{% endif %}">{{ r.until }}</span>{% endif %}{% if r.zones_differ %}<br><span class="small">{% blocktranslate with day=r.own_dt|date:"l" time=r.own_dt|time:"TIME_FORMAT" zone=r.own_zone %}{{ day }} {{ time }} {{ zone }} where the meeting is{% endblocktranslate %}</span>{% endif %}{% endif %}</p>
  <p class="meta"><span class="program">{{ r.program_name }}</span> · <span class="mode mode-{{ r.mode }}">{{ mode_label }}</span>{% if r.distance_km is not None %} · {% blocktranslate with km=r.distance_km|floatformat:1 %}{{ km }} km away{% endblocktranslate %}{% endif %}</p>
  {% if r.location.formatted_address and not r.location.approximate %}<p class="where" dir="auto">{% if r.location.name %}{{ r.location.name }}, {% endif %}{{ r.location.formatted_address }}</p>{% elif r.location.city %}<p class="where" dir="auto">{{ r.location.city }}</p>{% endif %}
  {% if r.tag_labels %}<ul class="tags" aria-label="{% translate 'Meeting type' %}">{% for label in tag_labels %}<li>{{ label }}</li>{% endfor %}</ul>{% endif %}
</li>
"""
)
NOW = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # US clocks spring forward this morning

SEARCHES = [
    {"near": "Denver, CO", "starting_within": "720", "tz": "America/New_York"},  # distances; zones differ
    {"mode": "online", "limit": "60"},  # no distance; ongoing groups
    {"near": "London, UK", "radius_km": "500", "sort": "name", "tz": "Asia/Kolkata"},
    {"mode": "in_person", "day": "0", "limit": "60", "tz": "Pacific/Chatham"},
]


def _oracle(r, query) -> str:
    """The old template, with the labels translated as it translated them (lazily, every time)."""
    return TEMPLATE.render(
        Context(
            {
                "r": r,
                "query": query,
                "mode_label": MODE_LABELS.get(r["mode"], r["mode"]),
                "tag_labels": [TAG_LABELS[t] for t in r["tags"]],
            }
        )
    )


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es", "en"])
def test_the_card_is_what_the_template_wrote(demo_meetings, language):
    demo_meetings(600)
    hostile = Meeting.objects.order_by("pk").first()
    Meeting.objects.filter(pk=hostile.pk).update(
        name='<img src=x onerror=alert(1)> & "Friends"',
        location="Hall <b>",
        formatted_address="1 Main & 2nd",
        attendance_mode="online",
    )
    engine.reset()
    seen = {"ongoing": 0, "zones_differ": 0, "distance": 0, "until": 0, "approximate": 0, "tags": 0, "hostile": 0}
    with translation.override(language):
        for params in SEARCHES:
            query = parse_query({**params, "now": NOW.isoformat()})
            for result in engine.search(query).results:
                r = decorate(result, query.tz)
                expected = _oracle(r, query)
                assert result_card(r, query.tz) == expected, r["url"]
                seen["ongoing"] += r["ongoing"]
                seen["zones_differ"] += bool(r.get("zones_differ"))
                seen["distance"] += r["distance_km"] is not None
                seen["until"] += bool(r["until"])
                seen["approximate"] += bool(r["location"]["approximate"])
                seen["tags"] += bool(r["tag_labels"])
                seen["hostile"] += r["id"] == hostile.pk
        query = parse_query({"mode": "online", "now": NOW.isoformat()})
        r = decorate(engine.search(query).results[0], query.tz)
        assert result_card(r, "") == _oracle(r, {"tz": ""})
    assert all(seen.values()), seen


def test_feed_text_is_escaped():
    r = {
        "url": "/meetings/s/k",
        "name": "<script>x</script>",
        "ongoing": True,
        "program_name": "AA",
        "mode": "online",
        "mode_label": "Online",
        "distance_km": None,
        "tag_labels": ["<b>"],
        "location": {"formatted_address": "", "approximate": False, "name": "", "city": "<i>Town</i>"},
    }
    html = result_card(r, 'Europe/London"><script>')
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "?tz=Europe/London%22%3E%3Cscript%3E" in html
