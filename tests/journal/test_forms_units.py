"""The companion's forms (``journal/forms.py``) as rules: a time zone is a real IANA name, a new clock
starts between 1900 and tomorrow where the person is, the plan's numbers are numbers with a name
beside them, and the check-in and journal take only their scales. Errors are checked in English and
in Spanish, the Spanish against the project's own catalogue (``locale/es/.../django.po``).

The hardening tests post the clock form through the pages at the window's edges; here the window
is checked at fixed instants, in zones whose tomorrow is computed by hand, with no database."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.forms import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

import commonground
from commonground.journal import days, forms
from commonground.meetings import schedule

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True)
PO_FILE = Path(commonground.__file__).parent / "locale" / "es" / "LC_MESSAGES" / "django.po"


def spanish_catalogue() -> dict[str, str]:
    """msgid -> msgstr from the .po file (fuzzy and plural entries left out, as msgfmt does)."""
    entries, msgid, msgstr, field, fuzzy = {}, None, None, None, False

    def keep():
        if msgid and msgstr and not fuzzy:
            entries[msgid] = msgstr

    for line in PO_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("msgid "):
            msgid, msgstr, field = ast.literal_eval(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, field = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"') and field == "id":
            msgid += ast.literal_eval(line)
        elif line.startswith('"') and field == "str":
            msgstr += ast.literal_eval(line)
        elif line.startswith(("msgid_plural", "msgstr[", "msgctxt")):
            field = None
        else:
            keep()
            msgid, msgstr, field = None, None, None
            fuzzy = line.startswith("#,") and "fuzzy" in line
    keep()
    return entries


SPANISH = spanish_catalogue()


def es(msgid: str) -> str:
    assert SPANISH.get(msgid), f"no Spanish for {msgid!r}"
    return SPANISH[msgid]


# --- time zones -------------------------------------------------------------------------------------


def test_every_zone_a_person_can_name_is_taken_as_written():
    names = sorted(schedule.valid_zone_names())
    assert len(names) > 300 and "America/Chicago" in names and "Asia/Kathmandu" in names
    for name in names:
        assert forms.clean_zone(name) == name


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "Chicago",
        "america/chicago",
        "America/Chicago ",
        "localtime",
        "EST",
        "Mars/Olympus_Mons",
        "../../etc/passwd",
        "America/" + "x" * 200,
    ],
)
def test_an_unknown_zone_is_refused_with_its_name_and_an_example_in_both_languages(bad):
    with pytest.raises(ValidationError) as refused:
        forms.clean_zone(bad)
    shown = bad[:64]  # a long name is cut in the message
    assert refused.value.messages == [f"{shown} is not a time zone we know. Use a name like America/Chicago."]
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        forms.clean_zone(bad)
    with translation.override("es"):
        spanish = refused.value.messages
    expected = es("%(zone)s is not a time zone we know. Use a name like America/Chicago.") % {"zone": shown}
    assert spanish == [expected] and "America/Chicago" in expected


# --- a new clock's start date -------------------------------------------------------------------------

NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)
# Tomorrow, by hand, at 11:00 UTC on 7 December 2026: Kiritimati (UTC+14) is at 01:00 on the 8th;
# UTC-12 is at 23:00 on the 6th; Kathmandu (UTC+5:45) at 16:45 on the 7th.
TOMORROW_AT_NOW = {
    "Pacific/Kiritimati": date(2026, 12, 9),
    "Etc/GMT+12": date(2026, 12, 7),
    "Asia/Kathmandu": date(2026, 12, 8),
    "UTC": date(2026, 12, 8),
}
OFFSETS = {
    "Pacific/Kiritimati": 14 * 60,
    "Etc/GMT+12": -12 * 60,
    "Asia/Kathmandu": 5 * 60 + 45,
    "UTC": 0,
    "Asia/Kolkata": 5 * 60 + 30,
    "Pacific/Marquesas": -(9 * 60 + 30),
}


def clock_form(start, zone, *, now=NOW, language="en", **more):
    data = {
        "name": "alcohol",
        "start_date": str(start),
        "start_time": "",
        "timezone": zone,
        "convention": "plain",
        **more,
    }
    with pytest.MonkeyPatch.context() as mp, translation.override(language):
        mp.setattr(days, "utcnow", lambda: now)
        form = forms.ClockForm(data, language=language)
        form.is_valid()
        return form, {field: [str(e) for e in errors] for field, errors in form.errors.items()}  # in the language


@pytest.mark.parametrize("zone", sorted(TOMORROW_AT_NOW))
def test_the_window_is_1900_to_tomorrow_where_the_clock_is_kept(zone):
    tomorrow = TOMORROW_AT_NOW[zone]
    for start in (date(1900, 1, 1), date(1987, 6, 5), NOW.date(), tomorrow):
        assert clock_form(start, zone)[1] == {}, (zone, start)
    for start in (date(1899, 12, 31), tomorrow + timedelta(days=1), date(9999, 12, 31), date(1, 1, 1)):
        assert list(clock_form(start, zone)[1]) == ["start_date"], (zone, start)


def test_the_window_s_message_names_its_dates_in_the_page_s_language():
    errors = clock_form(date(2027, 1, 1), "Pacific/Kiritimati")[1]
    assert errors == {"start_date": ["Choose a start date between Jan. 1, 1900 and Dec. 9, 2026 (tomorrow)."]}
    errors = clock_form(date(2027, 1, 1), "Pacific/Kiritimati", language="es")[1]
    template = es("Choose a start date between %(earliest)s and %(latest)s (tomorrow).")
    assert errors == {"start_date": [template % {"earliest": "1 de enero de 1900", "latest": "9 de diciembre de 2026"}]}


@pytest.mark.slow
@PROPERTY
@given(
    st.datetimes(datetime(2001, 1, 1), datetime(2060, 12, 31), timezones=st.just(UTC)),
    st.sampled_from(sorted(OFFSETS)),
    st.integers(-3, 3),
)
def test_a_start_near_tomorrow_is_taken_up_to_tomorrow_and_refused_after(now, zone, days_after_tomorrow):
    tomorrow = (now.replace(tzinfo=None) + timedelta(minutes=OFFSETS[zone])).date() + timedelta(days=1)
    start = tomorrow + timedelta(days=days_after_tomorrow)
    form, errors = clock_form(start, zone, now=now)
    assert form.is_bound and (errors == {}) == (days_after_tomorrow <= 0), (now, zone, start, errors)


def test_with_an_unknown_zone_the_window_ends_tomorrow_in_the_zone_furthest_ahead():
    # The zone is refused; the date is judged against UTC+14's tomorrow, 9 December at this instant.
    assert list(clock_form(date(2026, 12, 9), "Moon/Tranquility")[1]) == ["timezone"]
    assert sorted(clock_form(date(2026, 12, 10), "Moon/Tranquility")[1]) == ["start_date", "timezone"]


def test_the_clock_form_offers_every_convention_in_the_page_s_language_and_only_those():
    codes = list(days.conventions())
    for language in ("en", "es"):
        form = forms.ClockForm(language=language)
        assert form.fields["convention"].choices == [(c, days.conventions()[c].names[language]) for c in codes]
    assert list(clock_form(date(2026, 1, 1), "UTC", convention="cr-chips")[1]) == ["convention"]
    assert clock_form(date(2026, 1, 1), "UTC", convention="aa-chips")[1] == {}


@pytest.mark.parametrize(
    "substance, ok",
    [("", True), ("alcohol", True), ("opioids", True), ("other", True), ("heroin", False), ("Alcohol", False)],
)
def test_a_clock_s_substance_is_one_of_the_safety_layer_s_words_or_unsaid(substance, ok):
    assert (clock_form(date(2026, 1, 1), "UTC", substance=substance)[1] == {}) == ok


@pytest.mark.parametrize(
    "start_time, ok",
    [("", True), ("00:00", True), ("23:59", True), ("7:05", True), ("24:00", False), ("12:60", False), ("noon", False)],
)
def test_a_start_time_is_optional_and_a_time_of_day(start_time, ok):
    assert (clock_form(date(2026, 1, 1), "UTC", start_time=start_time)[1] == {}) == ok


# --- the plan --------------------------------------------------------------------------------------


def plan(**data):
    form = forms.PlanForm(data)
    form.is_valid()
    return form, {field: [str(e) for e in errors] for field, errors in form.errors.items()}


PHONE_CHARS = "0123456789 ().-"
PHONES = st.builds(
    lambda plus, body: plus + body, st.sampled_from(["", "+"]), st.text(alphabet=PHONE_CHARS, min_size=3, max_size=29)
).filter(lambda p: p.strip() == p and any(c.isdigit() for c in p))  # a number has a digit (tests/test_found_bugs_28.py)


@pytest.mark.slow
@PROPERTY
@given(PHONES, st.integers(1, 5))
def test_a_number_of_digits_spaces_dashes_and_brackets_with_a_name_is_kept(phone, n):
    form, errors = plan(**{f"person_{n}_name": " Ana ", f"person_{n}_phone": phone})
    assert errors == {}
    assert form.people() == [{"name": "Ana", "phone": phone}]


@pytest.mark.slow
@PROPERTY
@given(PHONES, st.sampled_from("abcxyz+*#/,;_éñ"), st.integers(0, 29), st.integers(1, 5))
def test_a_number_with_anything_else_in_it_is_refused(phone, odd, at, n):
    if odd == "+" and at == 0 and not phone.startswith("+"):
        at = 1  # a leading + is allowed: put it inside
    typed = (phone[:at] + odd + phone[at:])[:30].strip()
    form, errors = plan(**{f"person_{n}_name": "Ana", f"person_{n}_phone": typed})
    assert errors == {f"person_{n}_phone": ["Use digits, spaces, dashes or brackets, with an optional +."]}, typed


def test_a_number_needs_a_name_and_a_professional_needs_a_number():
    errors = plan(person_2_phone="555 010 2030", clinic_name="Riverside Clinic")[1]
    assert errors == {
        "person_2_name": ["Add a first name for this number."],
        "clinic_phone": ["Add a phone number, so you can call from your plan."],
    }
    with translation.override("es"):
        errors = plan(person_2_phone="555 010 2030", clinic_name="Riverside Clinic", counsellor_phone="x1")[1]
    assert errors == {
        "person_2_name": [es("Add a first name for this number.")],
        "clinic_phone": [es("Add a phone number, so you can call from your plan.")],
        "counsellor_phone": [es("Use digits, spaces, dashes or brackets, with an optional +.")],
    }


def test_what_the_plan_keeps_of_people_professionals_and_a_safer_place():
    form, errors = plan(
        person_1_name="Ana",
        person_1_phone="+34 600 000 000",
        person_3_name="Luis",
        person_4_phone="",
        prescriber_phone="555 301 4477",
        clinic_name="Riverside",
        clinic_phone="555 301 8899",
        safer_naloxone="on",
        safer_notes="  spare key with Tomasz  ",
    )
    assert errors == {}
    # A name without a number is still someone to reach; a number without a name is refused (above).
    assert form.people() == [{"name": "Ana", "phone": "+34 600 000 000"}, {"name": "Luis", "phone": ""}]
    # A professional is kept by their number, named or not, in the order of the form.
    assert form.professionals() == [
        {"role": "prescriber", "name": "", "phone": "555 301 4477"},
        {"role": "clinic", "name": "Riverside", "phone": "555 301 8899"},
    ]
    assert form.safer() == {"naloxone": True, "medicines": False, "means": False, "notes": "spare key with Tomasz"}


@pytest.mark.parametrize(
    "field, limit",
    [
        ("reasons", 3000),
        ("if_i_slip", 3000),
        ("person_1_name", 40),
        ("prescriber_name", 80),
        ("safer_notes", 1000),
        ("clinic_phone", 30),
    ],
)
def test_the_plan_s_fields_hold_their_length_and_no_more(field, limit):
    fill = "5" * limit if field.endswith("phone") else "a" * limit
    beside = {"prescriber_phone": "555 0100"} if field == "prescriber_name" else {}
    assert plan(**beside, **{field: fill})[1] == {}
    assert list(plan(**beside, **{field: fill + fill[0]})[1]) == [field]


def test_the_plan_has_its_six_parts_five_people_and_three_professionals():
    form = forms.PlanForm()
    parts = ["reasons", "triggers", "warning_signs", "what_helps", "if_i_slip", "working"]
    assert [name for name, _label, _help in forms.PLAN_FIELDS] == parts
    people = [f"person_{n}_{what}" for n in range(1, 6) for what in ("name", "phone")]
    professionals = [f"{role}_{what}" for role in ("prescriber", "clinic", "counsellor") for what in ("name", "phone")]
    safer = ["safer_naloxone", "safer_medicines", "safer_means", "safer_notes"]
    assert list(form.fields) == parts + people + professionals + safer
    for _name, label, help_text in forms.PLAN_FIELDS:
        with translation.override("en"):
            english = (str(label), str(help_text))
        with translation.override("es"):
            assert (str(label), str(help_text)) == (es(english[0]), es(english[1]))


# --- the check-in and the groups-tried journal ---------------------------------------------------------


@pytest.mark.parametrize("mood", range(-1, 8))
@pytest.mark.parametrize("craving", [-1, 0, 5, 10, 11])
def test_a_check_in_takes_mood_1_to_5_and_craving_0_to_10(mood, craving):
    form = forms.CheckInForm({"mood": str(mood), "craving": str(craving)})
    assert form.is_valid() == (1 <= mood <= 5 and 0 <= craving <= 10), form.errors
    if form.is_valid():
        assert form.cleaned_data["meeting"] is False and form.cleaned_data["note"] == ""


def test_a_check_in_s_line_is_one_line_of_200_characters_at_most():
    assert forms.CheckInForm({"mood": "3", "craving": "2", "note": "x" * 200, "meeting": "on"}).is_valid()
    assert list(forms.CheckInForm({"mood": "3", "craving": "2", "note": "x" * 201}).errors) == ["note"]


@pytest.mark.parametrize("rating", ["0", "1", "3", "5", "6", ""])
@pytest.mark.parametrize("would_return", ["yes", "unsure", "no", "maybe"])
def test_a_group_tried_is_rated_1_to_5_and_would_go_back_yes_unsure_or_no(rating, would_return):
    form = forms.TriedForm({"rating": rating, "would_return": would_return})
    assert form.is_valid() == (rating in {"1", "3", "5"} and would_return != "maybe")
