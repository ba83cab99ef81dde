"""POST /phone/sms with Twilio-signed requests: every keyword, a ZIP, a city, program words, unknown
and crisis texts, Spanish, STOP/START/HELP, a bad or missing signature, length and rate limits."""

import pytest

from commonground.phone.gsm import measure
from commonground.phone.models import PhoneContact
from commonground.safety import Situation, guidance
from tests.phone.conftest import PUBLIC, SPANISH_CALLER, Phone, signature

pytestmark = pytest.mark.django_db


def _fits(reply: str) -> None:
    length = measure(reply)
    assert 1 <= length.segments <= 3, (length, reply)


def test_a_bad_or_missing_signature_is_refused(meetings, phone):
    assert phone.post("/phone/sms", {"Body": "10001"}, sign=False).status_code == 403
    assert phone.post("/phone/sms", {"Body": "10001"}, bad=True).status_code == 403
    # Signed for another URL (the proxy's public address matters), or with another token.
    params = {"From": phone.number, "Body": "10001"}
    wrong_url = signature("https://elsewhere.example/phone/sms", params)
    assert phone.client.post("/phone/sms", params, HTTP_X_TWILIO_SIGNATURE=wrong_url).status_code == 403
    wrong_token = signature(PUBLIC + "/phone/sms", params, token="another")
    assert phone.client.post("/phone/sms", params, HTTP_X_TWILIO_SIGNATURE=wrong_token).status_code == 403
    assert phone.client.get("/phone/sms").status_code == 405
    assert not PhoneContact.objects.exists()


def test_no_token_configured_refuses_everything(meetings, phone, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    assert phone.post("/phone/sms", {"Body": "10001"}).status_code == 403


def test_a_zip_gives_the_next_three_in_person_meetings_then_more(meetings, phone):
    reply = phone.text("10001")
    lines = reply.splitlines()
    assert len(lines) == 4 and lines[-1] == "Reply MORE for more."
    assert "AA Hope Group, St Mark's Hall https://phone.example.org/meetings/" in lines[0]
    assert "<b>" not in reply and "\x07" not in reply  # cleaned feed data
    assert "Serenity at Noon" in lines[1] and "Early Birds" in lines[2]
    _fits(reply)
    more = phone.text("MORE")
    assert "Late Night Living" in more  # the fourth in person, then online with its dial-in
    assert "call +1 646 558 8656 ID 850 1234 5678" in more
    _fits(more)


def test_meetings_near_a_city_and_with_a_lead_phrase(meetings, phone):
    assert "Hope Group" in phone.text("meetings near New York, NY")
    assert "Hope Group" in phone.text("Manhattan")


def test_program_words_narrow(meetings, phone):
    reply = phone.text("NA 10001")
    assert "Serenity at Noon" in reply and "Hope Group" not in reply
    smart = phone.text("SMART online 10001")
    assert "SMART Online Tools" in smart and "Hope" not in smart


def test_now_gives_online_meetings_with_phone_and_id(meetings, phone):
    reply = phone.text("NOW")
    assert "Online Daily Reflections: call +1 646 558 8656 ID 850 1234 5678" in reply
    # No dial-in number: the short link, with the ID parsed from the notes never needed.
    assert "SMART Online Tools: online https://phone.example.org/meetings/" in reply
    assert "Hope Group" not in reply
    _fits(reply)


def test_unknown_text_gets_a_short_how_to(meetings, phone):
    for text in ("blah", "", "?????", "x" * 300):
        reply = phone.text(text)
        assert "Text a ZIP code" in reply
        _fits(reply)


def test_a_crisis_text_gets_the_countrys_crisis_line_first(meetings, phone):
    reply = phone.text("i cant take it anymore, i want to die")
    line = guidance(Situation(crisis="yes", country="US")).lines[0]
    assert reply.startswith("You are not alone. Please call or text " + line.number)
    assert "988" in reply  # the safety layer's US line
    assert reply.index(line.number) < reply.index("ZIP code")  # then the offer of a meeting
    _fits(reply)
    # A UK number gets the UK's line, from the same layer.
    uk = Phone("+447700900123").text("quiero morir")
    gb = guidance(Situation(crisis="yes", country="GB")).lines[0]
    assert gb.number in uk and "988" not in uk


def test_help_and_ayuda(meetings, phone):
    help_reply = phone.text("HELP")
    assert "STOP" in help_reply and "ZIP" in help_reply and "988" in help_reply
    _fits(help_reply)
    ayuda = Phone(SPANISH_CALLER).text("AYUDA")
    assert "STOP" in ayuda and "código postal" not in ayuda  # written for GSM-7: no accent it lacks
    assert "codigo postal" in ayuda
    assert measure(ayuda).encoding == "GSM-7"
    _fits(ayuda)


def test_spanish_is_remembered(meetings):
    phone = Phone(SPANISH_CALLER)
    first = phone.text("reuniones cerca de 10001")
    assert "Hope Group" in first and "Responda MAS" in first
    assert PhoneContact.objects.get().language == "es"
    assert "Responda MAS" in phone.text("10001") or "AA Hope" in phone.text("10001")
    assert "Escriba un codigo postal" in phone.text("hola")
    assert "English" in phone.text("ENGLISH") and PhoneContact.objects.get().language == "en"


@pytest.mark.parametrize("stop", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
def test_stop_variants_then_silence_until_start(meetings, stop):
    phone = Phone("+12125550100")
    confirmation = phone.text(stop)
    assert "no more messages" in confirmation and "START" in confirmation
    assert PhoneContact.objects.get().stopped
    for text in ("10001", "HELP", "NOW", "MORE", "I want to die"):
        assert phone.text(text) == ""
    again = phone.text("START")
    assert "Welcome back" in again
    assert "Hope Group" in phone.text("10001")


@pytest.mark.parametrize("start", ["YES", "UNSTOP"])
def test_start_variants(meetings, start):
    phone = Phone("+12125550101")
    phone.text("STOP")
    assert "Welcome back" in phone.text(start)
    assert not PhoneContact.objects.get().stopped


def test_rate_limit_per_number_is_polite(meetings, settings):
    settings.PHONE_RATE_PER_NUMBER = "3/h"
    phone = Phone("+12125550102")
    for _ in range(3):
        assert "Hope Group" in phone.text("10001")
    limited = phone.text("10001")
    assert limited.startswith("You have sent many texts") and "988" in limited
    # Another number is not limited; STOP is always honoured.
    assert "Hope Group" in Phone("+12125550103").text("10001")
    assert "no more messages" in phone.text("STOP")


def test_the_limit_per_number_holds_across_web_workers(meetings, settings):
    """Each web worker has its own cache: counted there, a number would get the limit once per
    worker. It is counted on the number's own row, under the lock its text already takes."""
    from django.core.cache import cache

    settings.PHONE_RATE_PER_NUMBER = "2/h"
    phone = Phone("+12125550107")
    for _ in range(2):
        assert "Hope Group" in phone.text("10001")
        cache.clear()  # the next text reaches another worker
    assert phone.text("10001").startswith("You have sent many texts")
    assert "STOP" in phone.text("HELP")  # the carriers' rule: HELP is answered whatever the count


@pytest.mark.parametrize("rate", ["12", "12/fortnight", "x/h", "0/h", "-1/m"])
def test_a_rate_we_cannot_read_is_a_clear_error(meetings, settings, rate):
    from django.core.exceptions import ImproperlyConfigured

    settings.PHONE_RATE_PER_NUMBER = rate
    with pytest.raises(ImproperlyConfigured, match="PHONE_RATE_PER_NUMBER"):
        Phone("+12125550108").text("10001")


def test_rate_limit_per_source(meetings, settings):
    settings.PHONE_RATE_PER_SOURCE = "2/m"
    assert "Hope" in Phone("+12125550104").text("10001")
    assert "Hope" in Phone("+12125550105").text("10001")
    assert "many texts" in Phone("+12125550106").text("10001")


def test_every_reply_fits_three_segments_even_with_long_feed_names(meetings, phone):
    from commonground.meetings.models import DataVersion, Meeting
    from commonground.search import engine

    # the longest the columns hold (255), in letters no text message can send in one segment's worth
    Meeting.objects.update(name="Ω" * 127 + " " + "W" * 127, location="東京" * 50)
    DataVersion.bump()
    engine.reset()
    for text in ("10001", "MORE", "NOW", "HELP", "AYUDA", "quiero morir"):
        _fits(phone.text(text))


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["AYUDA", "quiero morir"])
def test_a_spanish_help_or_crisis_text_keeps_the_number_in_spanish(meetings, phone, first):
    phone.text(first)
    assert phone.text("10001").splitlines()[-1] == "Responda MAS para ver mas."
