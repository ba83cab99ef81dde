"""The search form: the API's query string as a plain GET form, plus helpers for its links."""

from __future__ import annotations

import copy
from urllib.parse import urlencode

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from commonground.catalog.models import Approach, Program
from commonground.meetings import types
from commonground.search.query import DEFAULT_RADIUS_KM, KM_PER_MILE

CRITERIA = (
    "near",
    "lat",
    "lng",
    "starting_within",
    "day",
    "time_from",
    "time_to",
    "mode",
    "program",
    "approach",
    "type",
    "language",
    "q",
)
FACT_LABELS = {
    "approach": _("Approach"),
    "spiritual_content": _("Spiritual content"),
    "support_model": _("Support"),
    "meeting_format": _("Meetings"),
    "scope": _("Helps with"),
    "focus": _("Especially for"),
    "family_of": _("For families of people affected by"),
    "audience": _("Who may attend"),
    "dual_diagnosis": _("Focus on co-occurring mental health"),
    "moud": _("Medication for opioid use disorder (MOUD)"),
    "psychiatric_medication": _("Psychiatric medication"),
    "online": _("Online meetings"),
    "goal": _("Goal"),
    "milestones": _("Milestones"),
}
COMMON_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Halifax",
    "America/St_Johns",
    "America/Mexico_City",
    "America/Bogota",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "America/Santiago",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Africa/Johannesburg",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Manila",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "UTC",
]
LANGUAGES = [
    ("", _("Any language")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("hi", _("Hindi")),
    ("de", _("German")),
]


# The distance chooser's choices in each unit; the default radius (25 km) shows as 15 mi.
RADII = {"km": (5, 10, 25, 50, 100, 250), "mi": (3, 5, 10, 15, 30, 60, 150)}
DEFAULT_RADIUS = {"km": int(DEFAULT_RADIUS_KM), "mi": 15}
# A search that found nothing is offered a wider one: 100 km, or 60 miles.
WIDER = {"km": (100, _("Search within 100 km")), "mi": (60, _("Search within 60 mi"))}


def _nearest_choice(unit: str, km: float) -> str:
    size = km / KM_PER_MILE if unit == "mi" else km
    return str(min(RADII[unit], key=lambda n: abs(n - size)))


ZONE_CHOICES = [(z, z.replace("_", " ")) for z in COMMON_ZONES]
# Choice lists whose labels are fixed text, translated: kept per language as plain strings, so a
# page doesn't translate about seventy labels again (and the controls' HTML can be kept too,
# templatetags/fastform.py). Filled as each language is first used, as are the form's fields with
# those choices set. Those fields are shared by every form in that language, not deep-copied per
# form as Django does (a third of building the form): nothing changes them after they are made.
# The two fields whose choices vary per request (programs from the catalog, an unlisted time
# zone) get their own copy, with their own widget.
_plain_choices: dict[tuple[str, str], list[tuple[str, str]]] = {}
_fields_by_language: dict[str, dict] = {}


def _fixed_choices(name: str) -> list:
    from commonground.web.presenters import TAG_LABELS

    if name == "approach":
        return [("", _("Any approach")), *Approach.choices]
    if name == "type":
        return [(tag, TAG_LABELS[tag]) for tag in types.TAGS]
    if name == "tz":
        return [("", _("My place's time zone"))]
    return SearchForm.base_fields[name].choices


def plain_choices(name: str) -> list[tuple[str, str]]:
    """A fixed choice list with its labels translated into the current language."""
    key = (get_language() or "", name)
    found = _plain_choices.get(key)
    if found is None:
        found = _plain_choices[key] = [(value, str(label)) for value, label in _fixed_choices(name)]
    return found


FIXED_CHOICES = ("radius_km", "radius_mi", "starting_within", "day", "mode", "approach", "type", "language", "sort")


def _fields_in_this_language() -> dict:
    language = get_language() or ""
    found = _fields_by_language.get(language)
    if found is None:
        found = copy.deepcopy(SearchForm.base_fields)
        for name in FIXED_CHOICES:
            found[name].choices = plain_choices(name)
        for field in found.values():
            field.label = str(field.label)
        _fields_by_language[language] = found
    return found


def _with_choices(field, choices):
    field = copy.copy(field)
    field.widget = copy.copy(field.widget)  # setting choices sets the widget's too
    field.choices = choices
    return field


def has_criteria(params) -> bool:
    return any(params.get(name) for name in CRITERIA)


class SearchForm(forms.Form):
    near = forms.CharField(label=_("ZIP, city or address"), required=False, max_length=120)
    # One of the two is shown: the unit of the place searched (presenters.search_unit).
    radius_km = forms.TypedChoiceField(
        label=_("Distance"), required=False, choices=[(str(n), f"{n} km") for n in RADII["km"]]
    )
    radius_mi = forms.TypedChoiceField(
        label=_("Distance"), required=False, choices=[(str(n), f"{n} mi") for n in RADII["mi"]]
    )
    starting_within = forms.ChoiceField(
        label=_("Starting"),
        required=False,
        choices=[
            ("", _("Any time")),
            ("60", _("Within the next hour")),
            ("180", _("Within 3 hours")),
            ("720", _("Within 12 hours")),
        ],
    )
    day = forms.ChoiceField(
        label=_("Day"),
        required=False,
        choices=[
            ("", _("Any day")),
            ("today", _("Today")),
            ("tomorrow", _("Tomorrow")),
            ("0", _("Sunday")),
            ("1", _("Monday")),
            ("2", _("Tuesday")),
            ("3", _("Wednesday")),
            ("4", _("Thursday")),
            ("5", _("Friday")),
            ("6", _("Saturday")),
        ],
    )
    time_from = forms.CharField(
        label=_("From"), required=False, max_length=5, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_to = forms.CharField(
        label=_("Until"), required=False, max_length=5, widget=forms.TimeInput(attrs={"type": "time"})
    )
    mode = forms.ChoiceField(
        label=_("How to attend"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("", _("Any")), ("in_person", _("In person")), ("online", _("Online")), ("hybrid", _("Hybrid"))],
    )
    program = forms.MultipleChoiceField(label=_("Program"), required=False, widget=forms.CheckboxSelectMultiple)
    approach = forms.ChoiceField(label=_("Approach"), required=False)
    type = forms.MultipleChoiceField(label=_("Meeting type"), required=False, widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGES)
    q = forms.CharField(label=_("Words in the name or notes"), required=False, max_length=100)
    tz = forms.ChoiceField(label=_("Show times in"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Best match")),
            ("soonest", _("Starting soonest")),
            ("nearest", _("Nearest")),
            ("name", _("Name")),
        ],
    )

    def __init__(self, data, *args, unit: str = "km", **kwargs):
        data = data.copy() if hasattr(data, "copy") else dict(data)  # a QueryDict copy can be changed
        self.unit = unit
        self.base_fields = {}  # nothing for Django to deep-copy: the fields are set just below
        super().__init__(data, *args, **kwargs)
        fields = _fields_in_this_language()
        self.fields = dict(fields)
        self.fields["program"] = _with_choices(
            fields["program"], list(Program.objects.order_by("order").values_list("code", "name"))
        )
        chosen = data.get("tz") if hasattr(data, "get") else None
        zones = [(chosen, chosen.replace("_", " "))] if chosen and chosen not in COMMON_ZONES else []
        self.fields["tz"] = _with_choices(fields["tz"], plain_choices("tz") + zones + ZONE_CHOICES)
        if hasattr(self.data, "get"):
            # The chooser shown is in this unit: a radius given in the other one shows as the
            # nearest choice (the search itself used the radius as given).
            shown, other = ("radius_mi", "radius_km") if unit == "mi" else ("radius_km", "radius_mi")
            if not self.data.get(shown):
                given = _number(self.data.get(other))
                if given is None:
                    self.data[shown] = str(DEFAULT_RADIUS[unit])
                else:
                    self.data[shown] = _nearest_choice(unit, given * KM_PER_MILE if unit == "km" else given)


def _number(text) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 10_000 else None


def page_url(params, offset: int | None, view: str | None = None) -> str | None:
    if offset is None:
        return None
    pairs = [(k, v) for k, values in params.lists() if k not in ("offset", "view") for v in values if v != ""]
    if offset:
        pairs.append(("offset", str(offset)))
    if view == "map":
        pairs.append(("view", "map"))
    return "/meetings?" + urlencode(pairs)


def widen_suggestions(params, query, unit: str = "km") -> list[tuple[str, str]]:
    """Links that widen an empty search: a bigger radius, any day, online meetings."""

    def link(**changes):
        merged = {k: params.getlist(k) for k in params if k not in ("offset",)}
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = [value]
        return "/meetings?" + urlencode([(k, v) for k, values in merged.items() for v in values if v != ""])

    out = []
    size, label = WIDER[unit]
    if query.has_place and query.radius_km < size * (KM_PER_MILE if unit == "mi" else 1) - 1e-9:
        other = "radius_km" if unit == "mi" else "radius_mi"
        out.append((label, link(**{f"radius_{unit}": str(size), other: None})))
    if query.has_time:
        out.append((_("Any day and time"), link(day=None, time_from=None, time_to=None, starting_within=None)))
    if query.mode != "online":
        out.append((_("Online meetings, anywhere"), link(mode="online", near=None, lat=None, lng=None)))
    if query.programs or query.tags or query.approach or query.languages or query.q:
        out.append((_("Remove the other filters"), link(program=None, type=None, approach=None, language=None, q=None)))
    return out
