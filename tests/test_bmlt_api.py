"""The BMLT-compatible read API: what crouton and the BMLT apps ask for, answered from our data."""

import json
import math

import pytest

from commonground.api.bmlt import formats as bmlt_formats
from commonground.api.bmlt.search import public_id
from commonground.feeds.importing import import_location
from commonground.meetings.models import Meeting, Source
from tests.tiers import sweep

ROOT = "/bmlt/client_interface/json/"


def get(client, query="", root=ROOT, **headers):
    return client.get(f"{root}?{query}", HTTP_HOST="localhost", **headers)


def answer(client, query, root=ROOT):
    response = get(client, query, root)
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)


def listed():
    """The meetings a BMLT answer should hold: scheduled, active, each listed once."""
    return (
        Meeting.objects.filter(weekday__isnull=False, start_time__isnull=False, duplicate_of__isnull=True)
        .exclude(attendance_mode="inactive")
        .select_related("source")
    )


def always():
    """24/7 groups (no weekday, no time): each goes out once per weekday, all day (issue 27)."""
    return (
        Meeting.objects.filter(weekday__isnull=True, start_time__isnull=True, duplicate_of__isnull=True)
        .exclude(attendance_mode="inactive")
        .select_related("source")
    )


def items(scheduled, days=7, **only):
    """How many BMLT items: the scheduled meetings, and each 24/7 group once on each of ``days``."""
    return scheduled.count() + days * always().filter(**only).count()


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(400, seed=3)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_scheduled_meeting_of_every_program_goes_out_once_with_bmlt_strings(client, demo):
    meetings = answer(client, "switcher=GetSearchResults")
    assert len(meetings) == items(listed()) > 300 and always().exists()
    assert len({m["id_bigint"] for m in meetings}) == len(meetings)
    assert all(isinstance(v, str) for m in meetings for v in m.values())
    by_id = {public_id(m.source.slug, m.key): m for m in listed()}
    for item in meetings:
        if item["duration_time"] == "24:00:00":
            continue  # a 24/7 group's day (tests/test_bmlt_fellowship.py)
        ours = by_id[int(item["id_bigint"])]
        assert item["weekday_tinyint"] == str(ours.weekday + 1)  # BMLT: 1 = Sunday
        assert item["start_time"] == ours.start_time.strftime("%H:%M:00")
        assert item["time_zone"] == ours.timezone and item["meeting_name"] == ours.name
        assert item["venue_type"] == {"in_person": "1", "online": "2", "hybrid": "3"}[ours.attendance_mode]
        assert item["meeting_url"].endswith(ours.get_absolute_url())
    # Sorted by weekday, then start time, as BMLT sorts by default.
    order = [(int(m["weekday_tinyint"]), m["start_time"]) for m in meetings]
    assert order == sorted(order)
    assert {m.program_id for m in listed()} == {m.program_id for m in by_id.values()} and len(
        {m.program_id for m in listed()}
    ) > 5


@pytest.mark.slow
@pytest.mark.django_db
def test_one_programs_root_server(client, demo):
    meetings = answer(client, "switcher=GetSearchResults", "/bmlt/na/client_interface/json/")
    assert len(meetings) == items(listed().filter(program_id="na"), program_id="na") > 0
    assert get(client, "switcher=GetSearchResults", "/bmlt/nope/client_interface/json/").status_code == 404


@pytest.mark.slow
@pytest.mark.django_db
def test_weekdays_services_and_venue_filters_including_exclusions(client, demo):
    monday_tuesday = answer(client, "switcher=GetSearchResults&weekdays[]=2&weekdays[]=3")
    assert {m["weekday_tinyint"] for m in monday_tuesday} == {"2", "3"}
    assert len(monday_tuesday) == items(listed().filter(weekday__in=[1, 2]), days=2)
    assert len(answer(client, "switcher=GetSearchResults&weekdays=2,3")) == len(monday_tuesday)
    not_sunday = answer(client, "switcher=GetSearchResults&weekdays[]=-1")
    assert "1" not in {m["weekday_tinyint"] for m in not_sunday}
    assert len(not_sunday) == items(listed().exclude(weekday=0), days=6)
    online = answer(client, "switcher=GetSearchResults&venue_types[]=2")
    assert len(online) == items(listed().filter(attendance_mode="online"), attendance_mode="online") > 0
    source = Source.objects.get()
    assert len(answer(client, f"switcher=GetSearchResults&services[]={source.pk}")) == items(listed())
    assert answer(client, f"switcher=GetSearchResults&services[]={source.pk + 1000}") == []


@pytest.mark.django_db
def test_formats_keep_their_meaning_and_filter_by_id(client, make_meeting):
    from commonground.catalog.models import Program

    make_meeting(name="AA big book", types=["B", "D"], weekday=1, start_time="19:00")
    make_meeting(
        name="Al-Anon families", program=Program.objects.get(code="al-anon"), types=["C"], weekday=1, start_time="20:00"
    )
    make_meeting(
        name="NA step",
        program=Program.objects.get(code="na"),
        types=["STEP", "X", "C"],
        weekday=1,
        start_time="21:00",
        languages=["es"],
    )
    found = answer(client, "switcher=GetSearchResults&get_used_formats")
    rows = {m["meeting_name"]: m for m in found["meetings"]}
    # Discussion is BMLT's D; Big Book is ours (id 107); AA names the fellowship (issue 27).
    assert rows["AA big book"]["formats"] == "D,BB,AA"
    table = bmlt_formats.table()
    assert rows["AA big book"]["format_shared_id_list"] == f"8,107,{table['AA'].id}"
    # Al-Anon's "Families and Friends Only" is not BMLT's Closed ("closed to non-addicts"): it goes
    # out as Al-Anon's own format, in Al-Anon's words (issue 27: kept, not dropped).
    assert set(rows["Al-Anon families"]["formats"].split(",")) == {"C-al-anon", "AL-ANON"}
    assert rows["NA step"]["formats"] == "C,ES,St,WC,NA"
    formats = {f["key_string"]: f for f in found["formats"]}
    assert set(formats) == {"D", "BB", "C", "ES", "St", "WC", "C-al-anon", "AA", "AL-ANON", "NA"}
    assert formats["NA"]["name_string"] == "Narcotics Anonymous"
    assert (formats["C"]["world_id"], formats["C"]["id"]) == ("CLOSED", "4")
    assert formats["C-al-anon"]["name_string"] == "Families and Friends Only (Al-Anon)"
    assert "addict" not in formats["C-al-anon"]["description_string"]
    # crouton matches a meeting's formats to the formats of the server it came from.
    assert {f["root_server_uri"] for f in found["formats"]} == {m["root_server_uri"] for m in found["meetings"]}
    assert (formats["WC"]["world_id"], formats["St"]["world_id"], formats["ES"]["world_id"]) == ("WCHR", "STEP", "LANG")
    both = answer(client, "switcher=GetSearchResults&formats[]=8&formats[]=107")
    assert [m["meeting_name"] for m in both] == ["AA big book"]
    either = answer(client, "switcher=GetSearchResults&formats[]=107&formats[]=27&formats_comparison_operator=OR")
    assert [m["meeting_name"] for m in either] == ["AA big book", "NA step"]
    assert [m["meeting_name"] for m in answer(client, "switcher=GetSearchResults&formats[]=-4")] == [
        "AA big book",
        "Al-Anon families",
    ]
    spanish = answer(client, "switcher=GetFormats&lang_enum=es&show_all=1")
    assert {f["key_string"]: f["name_string"] for f in spanish}["O"] == "Abierta"


@pytest.mark.slow
@pytest.mark.django_db
def test_a_search_around_a_point_in_miles_km_or_nearest_n(client, demo):
    lat, lng = 40.7128, -74.0060
    km = answer(client, f"switcher=GetSearchResults&lat_val={lat}&long_val={lng}&geo_width_km=50")
    assert km and all(float(m["distance_in_km"]) <= 50 for m in km)
    with_point = [m for m in listed() if m.latitude is not None]
    expected = sum(1 for m in with_point if _km(lat, lng, m.latitude, m.longitude) <= 50) + 7 * sum(
        1 for m in always() if m.latitude is not None and _km(lat, lng, m.latitude, m.longitude) <= 50
    )
    assert len(km) == expected
    miles = answer(client, f"switcher=GetSearchResults&lat_val={lat}&long_val={lng}&geo_width={50 / 1.609344}")
    assert len(miles) == len(km)
    nearest = answer(
        client, f"switcher=GetSearchResults&lat_val={lat}&long_val={lng}&geo_width=-5&sort_results_by_distance=1"
    )
    distances = [float(m["distance_in_km"]) for m in nearest]
    assert len(nearest) == 5 and distances == sorted(distances)
    fifth = sorted(_km(lat, lng, m.latitude, m.longitude) for m in with_point)[4]
    assert distances[-1] == pytest.approx(fifth, abs=0.01)
    assert distances[0] == pytest.approx(min(_km(lat, lng, m.latitude, m.longitude) for m in with_point), abs=0.01)


def _km(lat1, lng1, lat2, lng2):
    p1, p2, dl = map(math.radians, (lat1, lat2, lng2 - lng1))
    return (
        math.acos(max(-1, min(1, math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)))) * 6371.0088
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_fields_sorting_paging_and_meeting_ids(client, demo):
    only = answer(client, "switcher=GetSearchResults&data_field_key=meeting_name,start_time&sort_keys=meeting_name")
    assert set(only[0]) == {"meeting_name", "start_time"}
    names = [m["meeting_name"].casefold() for m in only]
    assert names == sorted(names)
    page_two = answer(client, "switcher=GetSearchResults&page_size=10&page_num=2")
    everything = answer(client, "switcher=GetSearchResults")
    assert page_two == everything[10:20]
    picked = [everything[3]["id_bigint"], everything[7]["id_bigint"]]
    chosen = answer(client, f"switcher=GetSearchResults&meeting_ids[]={picked[0]}&meeting_ids[]={picked[1]}")
    assert sorted(m["id_bigint"] for m in chosen) == sorted(picked)


@pytest.mark.slow
@pytest.mark.django_db
def test_ids_survive_a_reimport_from_scratch(client, samples):
    import_location(str(samples / "bmlt-bronx"), name="Bronx")
    before = {
        m["meeting_name"] + m["start_time"] + m["weekday_tinyint"]: m["id_bigint"]
        for m in answer(client, "switcher=GetSearchResults")
    }
    Meeting.objects.all().delete()
    Source.objects.all().delete()
    import_location(str(samples / "bmlt-bronx"), name="Bronx")
    after = {
        m["meeting_name"] + m["start_time"] + m["weekday_tinyint"]: m["id_bigint"]
        for m in answer(client, "switcher=GetSearchResults")
    }
    assert after == before and all(int(v) < 2**53 for v in after.values())


@pytest.mark.slow
@pytest.mark.django_db
def test_jsonp_as_crouton_asks(client, demo):
    response = client.get(
        "/bmlt/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&lang_enum=en"
        "&services[]=1&sort_keys=start_time&callback=jsonp_1764230000000_12345",
        HTTP_HOST="localhost",
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    text = response.content.decode()
    assert text.startswith("/**/jsonp_1764230000000_12345(") and text.endswith(");")
    data = json.loads(text[len("/**/jsonp_1764230000000_12345(") : -2])
    assert set(data) == {"meetings", "formats"}
    for bad in ("alert(1)//", "a b", "", "x" * 300):
        refused = client.get(f"/bmlt/client_interface/jsonp/?switcher=GetFormats&callback={bad}", HTTP_HOST="localhost")
        assert refused.status_code == 400 and refused.json()["error"]["field"] == "callback"


@pytest.mark.slow
@pytest.mark.django_db
def test_service_bodies_server_info_and_field_keys(client, demo):
    bodies = answer(client, "switcher=GetServiceBodies")
    source = Source.objects.get()
    assert bodies == [
        {
            "id": str(source.pk),
            "parent_id": "0",
            "name": source.name,
            "description": f"{items(listed())} meetings, from Synthetic demo data",
            "type": "AS",
            "url": "",
            "helpline": "",
            "world_id": "",
            "contact_email": "",
        }
    ]
    info = answer(client, "switcher=GetServerInfo")[0]
    assert info["version"] == "3.0.0" and info["meeting_time_zones_enabled"] == "1"
    assert "meeting_name" in info["available_keys"].split(",")
    keys = [k["key"] for k in answer(client, "switcher=GetFieldKeys")]
    assert "weekday_tinyint" in keys and "meeting_url" in keys


@pytest.mark.django_db
@sweep(
    "query, field",
    [
        ("switcher=Nope", "switcher"),
        ("", "switcher"),
        ("switcher=GetSearchResults&weekdays[]=9", "weekdays"),
        ("switcher=GetSearchResults&weekdays[]=x", "weekdays"),
        ("switcher=GetSearchResults&lat_val=40", "long_val"),
        ("switcher=GetSearchResults&lat_val=40&long_val=-74", "geo_width"),
        ("switcher=GetSearchResults&lat_val=nan&long_val=-74&geo_width=5", "lat_val"),
        ("switcher=GetSearchResults&page_size=0", "page_size"),
        ("switcher=GetSearchResults&StartsAfterH=25", "StartsAfterH"),
    ],
)
def test_bad_requests_get_the_one_error_shape(client, query, field):
    response = get(client, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field and error["code"] == "invalid_parameter" and error["message"]


@pytest.mark.slow
@pytest.mark.django_db
def test_conditional_get_cors_and_no_language_vary(client, demo):
    first = get(client, "switcher=GetSearchResults&weekdays[]=2", HTTP_ORIGIN="https://na.example.org")
    assert first["Access-Control-Allow-Origin"] == "*" and first["ETag"]
    assert "Accept-Language" not in first.get("Vary", "")
    again = get(
        client,
        "switcher=GetSearchResults&weekdays[]=2",
        HTTP_IF_NONE_MATCH=first["ETag"],
        HTTP_ORIGIN="https://na.example.org",
    )
    assert again.status_code == 304 and again["Access-Control-Allow-Origin"] == "*"
    posted = client.post(ROOT, HTTP_HOST="localhost")
    assert posted.status_code == 405 and posted.json()["error"]["code"] == "method_not_allowed"


def test_every_spec_code_has_a_format_or_a_reason_not_to():
    from commonground.meetings import types

    table = bmlt_formats.table()
    ids = [f.id for f in table.values()]
    assert len(ids) == len(set(ids)) and len({k.casefold() for k in table}) == len(table)
    for code, info in types.type_table("spec").items():
        key = bmlt_formats.shared_key_for("spec", code)
        if code == "ONL":
            continue  # attendance comes from the meeting's link and address
        if info.language:
            continue  # languages go out from Meeting.languages
        assert key, f"spec code {code} ({info.name}) has no BMLT format"
        assert code == "TC" or table[key].spec_code == code or bmlt_formats.SPEC_TO_STOCK.get(code) == key


@pytest.mark.slow
@pytest.mark.django_db
def test_other_sites_may_load_answers_but_not_pages_behind_https(client, settings, demo):
    settings.HTTPS = True
    settings.SECURE_SSL_REDIRECT = False
    jsonp = client.get(
        "/bmlt/client_interface/jsonp/?switcher=GetFormats&callback=cb", HTTP_HOST="localhost", secure=True
    )
    assert jsonp["Cross-Origin-Resource-Policy"] == "cross-origin"  # crouton loads it as a script
    assert (
        client.get("/api/v1/programs", HTTP_HOST="localhost", secure=True)["Cross-Origin-Resource-Policy"]
        == "cross-origin"
    )
    assert client.get("/programs", HTTP_HOST="localhost", secure=True)["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.slow
@pytest.mark.django_db
def test_gzip_when_asked_for_json_and_jsonp(client, demo):
    import gzip

    plain = get(client, "switcher=GetSearchResults&weekdays[]=3")
    zipped = get(client, "switcher=GetSearchResults&weekdays[]=3", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    again = get(client, "switcher=GetSearchResults&weekdays[]=3", HTTP_ACCEPT_ENCODING="gzip")
    assert again.content == zipped.content  # made once, then served from the cache
    jsonp = client.get(
        "/bmlt/client_interface/jsonp/?switcher=GetSearchResults&weekdays[]=3&callback=cb7",
        HTTP_HOST="localhost",
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert gzip.decompress(jsonp.content) == b"/**/cb7(" + plain.content + b");"
