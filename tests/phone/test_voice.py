"""The call menu through every branch, with signed requests: 1 (a ZIP keyed in), 2 (an online
meeting with its dial-in), 3 (the on-shift staff one after another, then the crisis line; outside
any shift the crisis line with a message), 9 (Spanish), speech, and the audit of routed calls."""

from datetime import UTC, datetime, time
from xml.etree import ElementTree

import pytest

from commonground.phone.models import CallAudit, CallOutcome, Helpline, Shift
from tests.phone.conftest import CALLER

pytestmark = pytest.mark.django_db
HELPLINE_NUMBER = "+15005550006"  # the number called: the To of every test request


def twiml(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    assert "no-store" in response["Cache-Control"]
    return ElementTree.fromstring(response.content)


def says(root) -> str:
    return " ".join(e.text or "" for e in root.iter("Say"))


def test_a_call_without_a_good_signature_is_refused(phone):
    assert phone.post("/phone/voice", {"CallSid": "CA1"}, sign=False).status_code == 403
    assert phone.post("/phone/voice/menu", {"Digits": "3"}, bad=True).status_code == 403
    assert not CallAudit.objects.exists()


def test_the_menu(phone):
    root = twiml(phone.call())
    gather = root.find("Gather")
    assert gather.get("action") == "/phone/voice/menu?l=en" and gather.get("numDigits") == "1"
    assert "dtmf" in gather.get("input") and "speech" in gather.get("input")
    text = says(root)
    assert "press 1" in text and "press 2" in text and "press 3" in text and "oprima 9" in text
    assert root.find("Redirect").text == "/phone/voice?l=en"  # no key: the menu again


def test_1_meetings_near_a_zip_read_slowly_then_offered_by_text(meetings, phone):
    ask = twiml(phone.call("/phone/voice/menu", Digits="1"))
    gather = ask.find("Gather")
    assert gather.get("numDigits") == "5" and gather.get("action") == "/phone/voice/zip?l=en"
    root = twiml(phone.call("/phone/voice/zip?l=en", Digits="10001"))
    text = says(root)
    assert "Meetings near 1 0 0, 0 1." in text and "Hope Group" in text and "<b>" not in text
    assert "To get these by text, text 1 0 0, 0 1 to this number." in text
    assert twiml(phone.call("/phone/voice/zip?l=en", Digits="12")).find("Say").text == "That was not a ZIP code."


def test_2_an_online_meeting_with_its_dial_in_number_and_id(meetings, phone):
    text = says(twiml(phone.call("/phone/voice/menu", Digits="2")))
    assert "Online Daily Reflections" in text
    assert "call 1, 6 4 6, 5 5 8, 8 6 5 6" in text and "meeting ID 8 5 0, 1 2 3 4, 5 6 7 8" in text
    assert "Again:" in text  # read twice


def test_2_speech_works_too(meetings, phone):
    assert "Online Daily Reflections" in says(twiml(phone.call("/phone/voice/menu", SpeechResult="online please")))


def test_9_spanish_and_back(meetings, phone):
    root = twiml(phone.call("/phone/voice/menu", Digits="9"))
    assert root.find("Gather").get("language") == "es-MX"
    assert "oprima 1" in says(root) and "For English, press 9." in says(root)
    text = says(twiml(phone.call("/phone/voice/zip?l=es", Digits="10001")))
    assert "Reuniones cerca del 1 0 0, 0 1." in text and " a las " in text
    # The number chose Spanish: its next call starts in Spanish.
    assert "oprima 1" in says(twiml(phone.call()))
    assert "press 1" in says(twiml(phone.call("/phone/voice/menu?l=es", Digits="9")))


@pytest.fixture
def helpline():
    line = Helpline.objects.create(
        name="Hope Line", number=HELPLINE_NUMBER, timezone="America/New_York", covers="10001"
    )
    Shift.objects.create(helpline=line, person="Ana", phone="+12125550001", starts=time(0), ends=time(23, 59), order=1)
    Shift.objects.create(helpline=line, person="Ben", phone="+12125550002", starts=time(0), ends=time(23, 59), order=2)
    Shift.objects.create(helpline=line, person="Off", phone="+12125550003", days="", starts=time(0), ends=time(23, 59))
    return line


def test_3_rings_the_on_shift_staff_one_after_another_then_the_crisis_line(phone, helpline):
    root = twiml(phone.call("/phone/voice/menu", Digits="3"))
    dial = root.find("Dial")
    assert dial.text == "+12125550001" and dial.get("timeout") == "20"
    audit = CallAudit.objects.get()
    assert audit.shift.person == "Ana" and audit.outcome == CallOutcome.RINGING
    assert dial.get("action") == f"/phone/voice/dialed?a={audit.pk}&i=0&l=en"
    second = twiml(phone.call(dial.get("action"), DialCallStatus="no-answer")).find("Dial")
    assert second.text == "+12125550002"
    assert second.get("action") == f"/phone/voice/dialed?a={audit.pk}&i=1&l=en"
    last = twiml(phone.call(second.get("action"), DialCallStatus="busy"))
    assert last.find("Dial").text == "988"  # the safety layer's US crisis line
    assert "No one on our helpline could answer." in says(last)
    audit.refresh_from_db()
    assert audit.outcome == CallOutcome.NO_ANSWER and audit.tried == 2


def test_3_answered_is_audited_as_connected(phone, helpline):
    dial = twiml(phone.call("/phone/voice/menu", Digits="3")).find("Dial")
    assert twiml(phone.call(dial.get("action"), DialCallStatus="completed")).find("Hangup") is not None
    assert CallAudit.objects.get().outcome == CallOutcome.CONNECTED


def test_3_outside_any_shift_goes_to_the_crisis_line_with_a_message(phone, helpline):
    helpline.shifts.update(days="")
    root = twiml(phone.call("/phone/voice/menu", Digits="3"))
    assert "no one on shift right now" in says(root) and root.find("Dial").text == "988"
    assert CallAudit.objects.get().outcome == CallOutcome.NO_SHIFT


def test_3_with_no_helpline_goes_to_the_crisis_line(phone):
    root = twiml(phone.call("/phone/voice/menu", SpeechResult="I want to talk to someone"))
    assert root.find("Dial").text == "988"
    assert CallAudit.objects.get().outcome == CallOutcome.NO_HELPLINE


def test_crisis_words_spoken_go_to_a_person(phone, helpline):
    assert twiml(phone.call("/phone/voice/menu", SpeechResult="i want to die")).find("Dial").text == "+12125550001"


def test_the_audit_never_holds_the_callers_number(phone, helpline):
    twiml(phone.call("/phone/voice/menu", Digits="3"))
    row = CallAudit.objects.values().get()
    assert not any(CALLER[2:] in str(v) for v in row.values())


def test_shifts_past_midnight_and_by_weekday():
    shift = Shift(days="4", starts=time(22), ends=time(6))  # Friday 22:00 to Saturday 06:00
    zone = "America/New_York"
    assert shift.on_at(datetime(2026, 12, 12, 4, 0, tzinfo=UTC), zone)  # Fri 23:00 in New York
    assert shift.on_at(datetime(2026, 12, 12, 10, 0, tzinfo=UTC), zone)  # Sat 05:00
    assert not shift.on_at(datetime(2026, 12, 12, 12, 0, tzinfo=UTC), zone)  # Sat 07:00
    assert not shift.on_at(datetime(2026, 12, 11, 4, 0, tzinfo=UTC), zone)  # Thu 23:00
