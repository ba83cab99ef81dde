import pytest
from django.utils.html import escape

from commonground.catalog.models import Program
from commonground.feeds.demo import load_demo


@pytest.mark.slow
@pytest.mark.django_db
def test_home_lists_every_program_and_the_meeting_count(client):
    load_demo(120, seed=1)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    listed = html[html.index('class="program-list"') :]
    positions = [listed.index(escape(program.name)) for program in Program.objects.order_by("order")]
    assert positions == sorted(positions), "programs appear in catalog order"
    assert "120 meetings listed" in html
    assert 'href="/meetings?mode=online&amp;starting_within=60"' in html


@pytest.mark.django_db
def test_every_page_shows_crisis_help(client):
    html = client.get("/").content.decode()
    assert "988" in html and "1-800-662-4357" in html
    assert "not a treatment service" in html


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
