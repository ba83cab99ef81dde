"""The /coverage page (issue 29): where our meeting sources reach, each source's health, and where
coverage is thin, in English and Spanish, with no JavaScript needed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commonground.feeds import coverage as feeds_coverage
from commonground.meetings.models import DataVersion, Source, SyncStatus
from commonground.web import coverage


@pytest.fixture(autouse=True)
def _fresh_cache():
    coverage.forget()
    yield
    coverage.forget()


NYC = (40.75, -73.99)  # within 50 km of New York City's centre
ALBANY = (42.66, -73.78)  # New York's state capital
MEXICO_CITY = (19.43, -99.13)


@pytest.fixture
def world(db, make_meeting, source, settings):
    now = timezone.now()
    source.countries, source.last_ok_at, source.last_sync_at = "US", now, now
    source.last_status = SyncStatus.OK
    source.save()
    for _ in range(6):
        make_meeting(country="USA", region="NY", latitude=NYC[0], longitude=NYC[1])
    for _ in range(2):
        make_meeting(country="USA", region="New York", latitude=ALBANY[0], longitude=ALBANY[1])
    for _ in range(3):  # online only: counted apart, never in a country
        make_meeting(
            country="USA",
            formatted_address="",
            approximate=True,
            conference_url="https://zoom.us/j/123456789",
        )
    stale = Source.objects.create(
        name="Old <b>feed</b>",
        format="csv",
        countries="IE",
        last_status=SyncStatus.OK,
        last_ok_at=now - timedelta(hours=settings.SOURCE_WARN_HOURS + 5),
    )
    make_meeting(
        source=stale,
        program_id="na",
        country="Ireland",
        region="Leinster",
        timezone="Europe/Dublin",
        formatted_address="1 O'Connell St, Dublin, Ireland",
        latitude=53.35,
        longitude=-6.26,
    )
    Source.objects.create(
        name="Down root",
        format="bmlt",
        countries="MX",
        last_status=SyncStatus.FAILED,
        last_sync_at=now,
        last_ok_at=now - timedelta(days=2),
        last_error="<script>alert(1)</script> The server answered 503.\nTraceback that stays out",
    )
    gone = Source.objects.create(
        name="Gone list",
        format="meeting-guide",
        countries="MX",
        last_status=SyncStatus.FAILED,
        disconnected_at=now,
        last_ok_at=now - timedelta(days=30),
        last_error="Not found (404).",
    )
    Source.objects.create(name="Never read", format="meeting-guide")
    make_meeting(
        source=gone,  # a disconnected source's meeting is not public: it counts nowhere
        country="Mexico",
        timezone="America/Mexico_City",
        latitude=MEXICO_CITY[0],
        longitude=MEXICO_CITY[1],
    )
    mexican = Source.objects.create(
        name="Mesa", format="meeting-guide", countries="MX", last_status=SyncStatus.OK, last_ok_at=now
    )
    make_meeting(
        source=mexican,
        country="",  # no country given: the source serves one country, Mexico
        region="CDMX",
        timezone="America/Mexico_City",
        formatted_address="Calle 1, Ciudad de México",
        latitude=MEXICO_CITY[0],
        longitude=MEXICO_CITY[1],
    )
    return source


def _main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def _section(html: str, section_id: str) -> str:
    return _main(html).split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _source_card(html: str, name: str) -> str:
    sources = _section(html, "sources")
    return next(card for card in sources.split("<li class=")[1:] if name in card)


@pytest.mark.django_db
def test_the_page_in_english(client, world):
    response = client.get(reverse("coverage"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("coverage") == "/coverage"

    countries = _text(_section(html, "countries"))
    assert "United States" in countries and "Ireland" in countries and "Mexico" in countries
    us = _text(_section(html, "countries").split('id="country-US"', 1)[1].split("</div>", 1)[0])
    assert "8 meetings in person" in us  # the 3 online ones count apart
    assert "Alcoholics Anonymous: 8" in us
    assert "New York: 8" in us  # "NY" and "New York" are one state
    ie = _text(_section(html, "countries").split('id="country-IE"', 1)[1].split("</div>", 1)[0])
    assert "1 meeting in person" in ie and "Narcotics Anonymous: 1" in ie and "Leinster: 1" in ie
    mx = _text(_section(html, "countries").split('id="country-MX"', 1)[1].split("</div>", 1)[0])
    assert "1 meeting in person" in mx  # the disconnected source's meeting is not counted

    online = _text(_section(html, "online"))
    assert "3 online meetings" in online and "open to anyone" in online

    assert "Up to date" in _text(_source_card(html, "Test intergroup"))
    old = _source_card(html, "Old &lt;b&gt;feed&lt;/b&gt;")
    assert "Not read lately" in _text(old) and "Ireland" in _text(old)
    down = _source_card(html, "Down root")
    assert "Failing" in _text(down) and "2 days ago" in _text(down)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; The server answered 503." in down
    assert "Traceback" not in down
    gone = _text(_source_card(html, "Gone list"))
    assert "Failing" in gone and "Disconnected" in gone and "Not found (404)." in gone
    never = _text(_source_card(html, "Never read"))
    assert "Not read lately" in never and "Never" in never
    assert "<b>feed</b>" not in html and "<script>alert" not in html

    thin = _text(_section(html, "thin"))
    assert "We have no meetings in Brazil yet." in thin
    assert "Albany, NY: 2 meetings within 50 km" in thin
    assert "Mexico City: 1 meeting within 50 km" in thin
    assert "New York City" not in thin  # six meetings: not thin
    assert "open to anyone" in thin


@pytest.mark.django_db
def test_the_page_in_spanish(client, world):
    html = client.get(reverse("coverage"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in html
    countries = _text(_section(html, "countries"))
    assert "Estados Unidos" in countries and "Irlanda" in countries and "México" in countries
    assert "8 reuniones presenciales" in countries and "1 reunión presencial" in countries
    online = _text(_section(html, "online"))
    assert "3 reuniones en línea" in online and "abiertas a cualquier persona" in online
    assert "Al día" in _text(_source_card(html, "Test intergroup"))
    assert "Sin lectura reciente" in _text(_source_card(html, "Old &lt;b&gt;feed&lt;/b&gt;"))
    down = _text(_source_card(html, "Down root"))
    assert "Con errores" in down and "hace 2 días" in down
    assert "Desconectada" in _text(_source_card(html, "Gone list"))
    assert "Nunca" in _text(_source_card(html, "Never read"))
    thin = _text(_section(html, "thin"))
    assert "Todavía no tenemos reuniones en Brasil." in thin
    assert "Albany, NY: 2 reuniones a menos de 50 km" in thin
    assert "abiertas a cualquier persona" in thin


@pytest.mark.django_db
def test_no_javascript_is_needed_and_none_is_inline(client, world):
    response = client.get(reverse("coverage"))
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all('src="' in s or 'type="application/json"' in s for s in scripts), scripts
    assert any("web/coverage.js" in s for s in scripts)
    # The map is an addition: without it, the page says so and the lists carry everything.
    assert 'id="coverage-map"' in html and "The map needs JavaScript" in html
    assert 'id="coverage-points"' in html


@pytest.mark.django_db
def test_each_status_comes_from_the_one_rule(client, world, monkeypatch):
    """The page asks feeds/health.py's status, as the API does: it does not work it out again."""
    from commonground.feeds import health

    monkeypatch.setattr(health, "status", lambda source, now=None: "failing")
    html = client.get(reverse("coverage")).content.decode()
    assert "Up to date" not in _section(html, "sources")
    api = client.get("/api/v1/sources").json()["results"]
    assert {r["status"] for r in api} == {"failing"}


@pytest.mark.django_db
def test_the_api_and_the_page_count_the_same(client, world):
    api = {r["name"]: r["meetings"] for r in client.get("/api/v1/sources").json()["results"]}
    page = {s.name: s.meetings for s in feeds_coverage.source_states()}
    assert api == page and api["Test intergroup"] == 11


@pytest.mark.django_db
def test_the_data_is_cached_per_data_version(world, make_meeting, django_assert_max_num_queries):
    first = coverage.page_data()
    with django_assert_max_num_queries(1):  # the version, nothing more
        assert coverage.page_data() is first
    assert "BR" not in {c["code"] for c in first["countries"]}
    before = DataVersion.current()
    make_meeting(
        country="Brazil",
        timezone="America/Sao_Paulo",
        formatted_address="Av. Paulista 1",
        latitude=-23.55,
        longitude=-46.63,
    )
    assert DataVersion.current() > before
    second = coverage.page_data()
    assert second is not first
    assert {c["code"]: c["in_person"] for c in second["countries"]}["BR"] == 1
    sao_paulo = next(c for c in second["cities"] if c["name"] == "São Paulo")
    assert sao_paulo["meetings"] == 1


@pytest.mark.django_db
def test_an_empty_site_still_says_where_it_stands(client):
    html = client.get(reverse("coverage")).content.decode()
    text = _text(_main(html))
    assert "No source has been added yet." in text
    assert "We have no meetings in Brazil yet." in text


@pytest.mark.django_db
def test_the_footer_links_the_page(client):
    html = client.get(reverse("home")).content.decode()
    footer = html.split('<footer class="crisis"', 1)[1]
    assert f'href="{reverse("coverage")}"' in footer
