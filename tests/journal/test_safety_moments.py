"""The companion's safety moments (issue 26): what leads the page after a slip, after a hard or a
crisis check-in, on "I'm struggling", with the account's country and the plan's safety parts.

Pages mark their parts with ``data-block`` (``note-<id>`` for a safety note, ``people``, ``lines``,
``kind``, ``count``, ``streak``, ``meetings``); ``blocks(html)`` reads them in page order, after the
companion's own navigation. The expected answers here are written from the rules in the issue, not
read from the safety layer.
"""

import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection

from commonground.journal.models import Account, Clock, Favourite, Plan
from commonground.meetings.models import Meeting
from commonground.private.ids import encode as oid
from tests.journal.test_crypto import all_stored_text
from tests.tiers import sweep

CLOCK_SUBSTANCES = ("alcohol", "opioids", "stimulants", "sedatives", "cannabis", "drugs", "gambling", "other", "")
DRUG_CLOCKS = {"opioids", "stimulants", "sedatives", "drugs"}
WITHDRAWAL_CLOCKS = {"alcohol", "sedatives"}
NOTES = {
    "none": "",
    "crisis-en": "honestly I want to die tonight",
    "crisis-es": "ya no aguanto, quiero morirme",
    "harmless": "Tired but OK, walked the dog and called my sister",
}
CRISIS_NOTES = {"crisis-en", "crisis-es"}
FAMILY_PROGRAMS = {"al-anon", "nar-anon", "gam-anon", "smart-ff"}


def blocks(html: str) -> list[str]:
    """The page's marked parts, in order, after the companion's navigation."""
    start = html.find('class="me-nav"')
    start = html.find("</nav>", start) if start >= 0 else 0
    return re.findall(r'data-block="([^"]+)"', html[start:])


def main(html: str) -> str:
    """The page's own content (the site-wide footer is the finder's, not the companion's), without the
    notes' source lists (a crisis note cites the 988 Lifeline's page on warning signs)."""
    return re.sub(
        r'<details class="sources">.*?</details>', "", html[html.find("<main") : html.find("</main>")], flags=re.S
    )


def block_html(html: str, name: str) -> str:
    """The text of one marked part (up to the next marked part)."""
    at = html.find(f'data-block="{name}"')
    assert at >= 0, (name, blocks(html))
    following = html.find('data-block="', at + 10)
    return html[at : following if following > 0 else len(html)]


def new_clock(client, substance, name="my clock"):
    response = client.post(
        "/me/clocks/new",
        {
            "name": name,
            "substance": substance,
            "start_date": "2026-09-01",
            "start_time": "",
            "timezone": "America/Chicago",
            "convention": "plain",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def reset_page(client, clock_url):
    response = client.post(clock_url + "/reset", {"note": ""})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


# --- clocks gain a substance -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_a_clock_keeps_its_substance_shows_it_and_can_change_it(person):
    client = person()
    url = new_clock(client, "opioids", name="Since the hospital")
    clock = Clock.objects.get()
    assert clock.data.substance == "opioids"
    html = client.get(url).content.decode()
    assert "Opioids" in html
    response = client.post(url, {"name": "Still going", "substance": "stimulants", "convention": "plain"})
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.data.substance == "stimulants" and clock.data.name == "Still going"
    assert clock.data.start_date == "2026-09-01"  # editing does not move the start
    assert client.post(url, {"name": "x", "substance": "chocolate", "convention": "plain"}).status_code == 400
    assert "Stimulants" in client.get("/me/").content.decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_an_old_clock_without_a_substance_still_shows_and_resets(person):
    client = person()
    user = get_user_model().objects.get()
    clock = Clock.objects.create(
        user=user,
        data={
            "name": "old clock",
            "start_date": "2025-01-01",
            "start_time": None,
            "timezone": "UTC",
            "convention": "plain",
            "slips": [],
            "stretches": [],
        },
    )
    assert client.get(f"/me/clocks/{oid('clock', clock.pk)}").status_code == 200
    html = reset_page(client, f"/me/clocks/{oid('clock', clock.pk)}")
    assert "note-overdose" not in blocks(html) and "lines" in blocks(html)


# --- a reset, for every clock substance ------------------------------------------------------------


@pytest.mark.django_db
@sweep("substance", CLOCK_SUBSTANCES, ids=[s or "unsaid" for s in CLOCK_SUBSTANCES])
def test_what_leads_the_page_after_a_reset(person, substance):
    client = person()
    client.post("/me/plan", {"person_1_name": "Ana", "person_1_phone": "+1 555 010 2030"})
    html = reset_page(client, new_clock(client, substance))
    order = blocks(html)
    assert "kind" in order and "lines" in order, order
    if substance in DRUG_CLOCKS:
        # The overdose and tolerance note first, then my people, then the country's lines; kind words after.
        assert order[0] == "note-overdose", order
        assert order.index("people") < order.index("lines") < order.index("kind"), order
        note = block_html(html, "note-overdose")
        assert "naloxone" in note.lower() and "tolerance" in note.lower()
        assert 'href="tel:+15550102030"' in block_html(html, "people")
    else:
        assert "note-overdose" not in order, order
    if substance in WITHDRAWAL_CLOCKS:
        assert "note-withdrawal" in order and order.index("note-withdrawal") < order.index("kind"), order
    else:
        assert "note-withdrawal" not in order, order
    # Nothing kind or celebratory above the safety help.
    assert order.index("kind") > order.index("lines") and order.index("kind") > order.index("people")
    assert 'href="tel:988"' in block_html(html, "lines")  # a Chicago account: the US lines


@pytest.mark.django_db
@sweep("note", ["quiero morirme", "I want to kill myself", "rough night, called Ana"])
def test_crisis_words_in_a_slips_note_put_the_crisis_note_first(person, note):
    client = person()
    url = new_clock(client, "alcohol")
    response = client.post(url + "/reset", {"note": note})
    assert note not in response["Location"]
    order = blocks(client.get(response["Location"]).content.decode())
    crisis = note != "rough night, called Ana"
    assert (order[0] == "note-crisis") is crisis, order
    assert "note-withdrawal" in order and order.index("note-withdrawal") < order.index("kind")


# --- check-ins over the whole grid -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_checkins_over_the_grid_lead_with_help_exactly_when_the_rule_says(person, caplog):
    client = person()
    caplog.set_level(logging.DEBUG)
    checked = 0
    for mood in range(1, 6):
        for craving in range(0, 11):
            for kind, note in NOTES.items():
                response = client.post("/me/checkin", {"mood": str(mood), "craving": str(craving), "note": note})
                assert response.status_code == 302
                assert note == "" or note not in response["Location"]
                html = client.get(response["Location"]).content.decode()
                order = blocks(html)
                crisis = kind in CRISIS_NOTES
                hard = mood <= 2 or craving >= 8
                where = (mood, craving, kind, order[:4])
                if crisis:
                    assert order[0] == "note-crisis", where
                    lines = block_html(html, "lines")
                    assert lines.find('href="tel:988"') >= 0, where
                    assert 'href="tel:988"' in block_html(html, "note-crisis"), where  # the crisis line, first
                elif hard:
                    assert order[0] == "note-struggling", where
                else:
                    assert "note-crisis" not in order and "note-struggling" not in order, where
                if crisis or hard:
                    assert "streak" not in order, where
                    assert order.index("people") < order.index("meetings"), where
                else:
                    assert order[0] == "streak", where
                checked += 1
    assert checked == 5 * 11 * 4 == 220
    for note in NOTES.values():
        if note:
            assert note not in caplog.text, "a check-in's note was logged"


# --- the account's country ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_a_london_account_sees_samaritans_and_999_never_988(person):
    client = person(username="in-london", timezone="Europe/London")
    assert Account.objects.get().data.country in (None, "", "GB")
    settings_html = client.get("/me/settings").content.decode()
    assert re.search(r'<option value="GB"[^>]*selected', settings_html), "the default comes from the time zone"
    for html in map(
        main,
        (
            client.get("/me/help").content.decode(),
            reset_page(client, new_clock(client, "opioids")),
            client.get(
                client.post("/me/checkin", {"mood": "1", "craving": "9", "note": "I want to kill myself"})["Location"]
            ).content.decode(),
        ),
    ):
        assert "116 123" in html and 'href="tel:116123"' in html
        assert "999" in html
        assert "988" not in html and "911" not in html and "1-800" not in html


@pytest.mark.slow
@pytest.mark.django_db
def test_the_country_is_chosen_in_settings_and_kept_encrypted(person):
    client = person(username="moved-abroad", timezone="America/Chicago")
    assert 'href="tel:988"' in client.get("/me/help").content.decode()
    response = client.post("/me/settings", {"timezone": "America/Chicago", "country": "GB"})
    assert response.status_code == 302
    assert Account.objects.get().data.country == "GB"
    html = main(client.get("/me/help").content.decode())
    assert "116 123" in html and "988" not in html
    assert client.post("/me/settings", {"timezone": "America/Chicago", "country": "XX"}).status_code == 400
    assert Account.objects.get().data.country == "GB"
    # A time zone alone (the older form) keeps the country.
    client.post("/me/settings", {"timezone": "Europe/Madrid"})
    assert Account.objects.get().data.country == "GB"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {Account._meta.db_table}")
        # Ciphertext is base64, where "GB" may turn up by chance; the plain JSON would carry quotes and the key.
        assert all('"GB"' not in str(row[0]) and "country" not in str(row[0]) for row in cursor.fetchall())


@pytest.mark.django_db
def test_a_country_without_listed_lines_gets_its_directory_and_no_invented_number(person):
    client = person(username="far-away", timezone="Asia/Tokyo")
    html = main(client.get("/me/help").content.decode())
    assert "findahelpline.com" in html
    assert "988" not in html and "911" not in html


# --- "I'm struggling" --------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_struggling_has_naloxone_guidance_only_with_a_drug_clock(person):
    client = person()
    new_clock(client, "alcohol")
    html = client.get("/me/help").content.decode()
    assert "note-overdose" not in blocks(html)
    new_clock(client, "stimulants", name="second")
    html = client.get("/me/help").content.decode()
    assert "note-overdose" in blocks(html) and "naloxone" in block_html(html, "note-overdose").lower()
    # the lines come before the notes: a call first
    assert blocks(html).index("lines") < blocks(html).index("note-overdose")


@pytest.mark.django_db
def test_struggling_offers_texting_where_a_line_takes_texts(person):
    client = person()
    assert 'href="sms:988"' in client.get("/me/help").content.decode()


def _family_meeting_soon():
    """An online family-group meeting with a weekly time (the demo data has some)."""
    return (
        Meeting.objects.filter(
            program_id__in=FAMILY_PROGRAMS, attendance_mode="online", weekday__isnull=False, start_time__isnull=False
        )
        .select_related("source", "program")
        .order_by("id")
        .first()
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_struggling_shows_only_meetings_for_my_own_use(person, demo_meetings):
    from commonground.journal.safety_moments import own_use_programs
    from commonground.search import engine
    from commonground.search.query import parse_query

    demo_meetings(800, seed=3)
    own = own_use_programs(someone_else=False)
    assert own and not own & FAMILY_PROGRAMS and "cr" not in own and {"aa", "na", "smart"} <= own
    assert FAMILY_PROGRAMS <= own_use_programs(someone_else=True)
    family = _family_meeting_soon()
    assert family is not None
    start = family.next_start(datetime.now(UTC))
    with time_machine.travel(start - timedelta(minutes=20), tick=False):
        client = person(timezone="America/Chicago")
        unfiltered = engine.search(
            parse_query({"mode": "online", "starting_within": "60", "tz": "America/Chicago", "limit": "200"})
        ).results
        assert any(r["program"]["code"] in FAMILY_PROGRAMS for r in unfiltered), "the test needs a family meeting soon"
        html = client.get("/me/help").content.decode()
        meetings = block_html(html, "meetings")
        listed = re.findall(r'data-program="([^"]+)"', meetings)
        assert listed and not set(listed) & FAMILY_PROGRAMS, listed
        # Someone whose saved meetings are about someone else's use sees family groups too.
        Favourite.objects.create(
            user=get_user_model().objects.get(),
            data={"meeting": f"{family.source.slug}/{family.key}", "name": family.name, "added_on": "2026-12-01"},
        )
        html = client.get("/me/help").content.decode()
        assert family.name in html


# --- the plan's safety parts ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_the_plans_safety_parts_survive_a_save_are_called_and_are_encrypted(person):
    client = person(username="planner")
    response = client.post(
        "/me/plan",
        {
            "reasons": "my kids",
            "person_1_name": "Ana",
            "person_1_phone": "+1 555 010 2030",
            "prescriber_name": "Dr Okafor",
            "prescriber_phone": "555 301 4477",
            "clinic_name": "Riverside Clinic",
            "clinic_phone": "555 301 8899",
            "counsellor_name": "Sam Whitlock",
            "counsellor_phone": "(555) 301-2211",
            "safer_naloxone": "on",
            "safer_medicines": "on",
            "safer_notes": "Spare key with my brother Tomasz",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    data = Plan.objects.get().data
    assert [p.role for p in data.professionals] == ["prescriber", "clinic", "counsellor"]
    assert data.safer["naloxone"] is True and data.safer["medicines"] is True
    assert data.safer["means"] is False and data.safer["notes"] == "Spare key with my brother Tomasz"
    form = client.get("/me/plan").content.decode()
    assert 'value="Dr Okafor"' in form and "checked" in form and "Spare key with my brother Tomasz" in form
    printed = client.get("/me/plan/print").content.decode()
    for tel in ('href="tel:5553014477"', 'href="tel:5553018899"', 'href="tel:(555)301-2211"'):
        assert tel in printed
    assert "Spare key with my brother Tomasz" in printed
    help_html = client.get("/me/help").content.decode()
    assert 'href="tel:5553014477"' in block_html(help_html, "people") and "Dr Okafor" in help_html
    stored = all_stored_text()
    for needle in (
        "555 301 4477",
        "5553014477",
        "555 301 8899",
        "(555) 301-2211",
        "Dr Okafor",
        "Riverside Clinic",
        "Tomasz",
        "Sam Whitlock",
    ):
        assert needle not in stored, f"{needle!r} is stored in plain text"


@pytest.mark.django_db
def test_a_professional_needs_a_usable_number(person):
    client = person()
    response = client.post("/me/plan", {"prescriber_name": "Dr Okafor", "prescriber_phone": "call me maybe"})
    assert response.status_code == 400 and not Plan.objects.exists()


# --- no hard-coded help numbers left ---------------------------------------------------------------------


def test_no_help_number_is_written_into_the_companion():
    from pathlib import Path

    import commonground.journal as journal

    root = Path(journal.__file__).parent
    found = []
    for path in [*root.rglob("*.py"), *root.rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        for number in ("988", "911", "1-800", "18006624357", "662-4357", "116 123", "999"):
            if re.search(rf"(?<![\w-]){re.escape(number)}(?![\w-])", text):
                found.append(f"{path.relative_to(root)}: {number}")
    assert not found, found
