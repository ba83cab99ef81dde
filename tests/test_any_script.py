"""Meeting text in any script shows the right way round (issue 29): a name, place or note in Persian,
Hebrew or Arabic sets its own direction (dir="auto") in a left-to-right page, and Greek or Hindi
text passes through unchanged."""

import pytest
from django.urls import reverse

from commonground.web.presenters import decorate
from commonground.web.templatetags.resultcard import result_card

PERSIAN = "جلسه گروه امید"
GREEK = "Ομάδα Ελπίδα"


@pytest.mark.django_db
def test_the_meeting_page_lets_each_feed_text_set_its_own_direction(client, make_meeting):
    m = make_meeting(
        name=PERSIAN,
        notes="یادداشت: در طبقه دوم",
        location="کلیسا",
        location_notes=GREEK,
        formatted_address="خیابان ولیعصر ۱۲, تهران",
        timezone="Asia/Tehran",
    )
    page = client.get(m.get_absolute_url()).content.decode()
    assert f'<h1 dir="auto">{PERSIAN}</h1>' in page
    assert '<p class="notes" dir="auto">یادداشت: در طبقه دوم</p>' in page
    assert '<p class="notes" dir="auto">' + GREEK + "</p>" in page
    assert '<p dir="auto"><strong dir="auto">کلیسا</strong><br>خیابان ولیعصر ۱۲, تهران</p>' in page


@pytest.mark.django_db
def test_a_result_card_lets_the_name_and_place_set_their_direction(client, make_meeting):
    m = make_meeting(name=PERSIAN, formatted_address="Athens, " + GREEK, location="کلیسا", timezone="Europe/Athens")
    from commonground.search import engine
    from commonground.search.query import parse_query

    engine.reset()
    (found,) = engine.search(parse_query({"tz": "Europe/Athens", "limit": "5"})).results
    card = str(result_card(decorate(found, "Europe/Athens")))
    assert f'<h3 dir="auto"><a href="{m.get_absolute_url()}">{PERSIAN}</a></h3>' in card
    assert '<p class="where" dir="auto">' in card
    assert reverse("meeting", kwargs={"source": m.source.slug, "key": m.key}) in card
