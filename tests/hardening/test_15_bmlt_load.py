"""Issue 25, item 2 and its Low item: the BMLT API as a denial of service.

Every request used to read every public meeting in Python (13 s at 200,000 meetings, even with
page_size=1) and was cached by its whole query string, so a junk parameter made every request
a new one. Now the answers' material is built once per data version (``api/bmlt/store.py``),
a request filters and pages memory-mapped columns and renders only its page, the cache is keyed
on the normalised query, and an unpaged answer larger than ``BMLT_UNPAGED_LIMIT`` is refused
unless it is a whole list, which is written to a file once per version and served from it.
"""

from __future__ import annotations

import json

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from commonground.api.bmlt import lookup
from commonground.api.bmlt import search as bmlt_search
from commonground.api.bmlt import views as bmlt_views
from commonground.feeds.meeting_guide.selection import FeedSelection
from tests.tiers import sweep

ROOT = "/bmlt/client_interface/json/"


def get(client, query, root=ROOT, **headers):
    return client.get(f"{root}?{query}", HTTP_HOST="localhost", **headers)


def answer(client, query, root=ROOT):
    response = get(client, query, root)
    assert response.status_code == 200, response.content[:300]
    return json.loads(b"".join(response.streaming_content) if response.streaming else response.content)


@pytest.fixture
def demo(demo_meetings):
    demo_meetings(400, seed=5)


@pytest.fixture
def published(demo):
    from commonground.web.publishing import publish_current

    publish_current()
    bmlt_views._CACHE.clear()


@pytest.fixture
def no_scan(monkeypatch):
    """Once armed, reading every meeting, or turning one into BMLT's shape, fails the test."""

    def scan(*args, **kwargs):
        raise AssertionError("a request read every meeting")

    def arm():
        monkeypatch.setattr(FeedSelection, "rows", scan)
        monkeypatch.setattr(bmlt_search, "to_bmlt", scan)

    return arm


def oracle(query: str, program=None, base="http://localhost"):
    """What the API answered before: every public meeting read, filtered and sorted in Python."""
    q = bmlt_search.parse(QueryDict(query), program)
    return _read_everything(q, base)


def _read_everything(q, base_url):
    """The old implementation, kept here as the oracle (its filters and order, word for word)."""
    from commonground.api.bmlt import formats as bmlt_formats
    from commonground.api.bmlt.search import KM_PER_MILE, VENUE, bmlt_items
    from commonground.meetings.geo import km as _km  # the one great-circle distance
    from commonground.meetings.models import Source

    slugs = dict(Source.objects.values_list("id", "slug"))
    wanted_sources, excluded_sources = q.services
    source_ids = frozenset(wanted_sources - excluded_sources) if wanted_sources else None
    wanted_days, excluded_days = q.weekdays
    days = {d - 1 for d in (wanted_days or set(range(1, 8))) - excluded_days}
    # Issue 27: a 24/7 group (no weekday, no time) goes out once per weekday, so the days are
    # judged on each item below.
    selection = FeedSelection(program=q.program, source_ids=source_ids)
    wanted_formats, excluded_formats = q.formats
    fmt = bmlt_formats.table()
    rows = []
    for row, item in ((r, i) for r in selection for i in bmlt_items(r, slugs.get(r.source_id, ""), base_url)):
        m = row
        if int(item["weekday_tinyint"]) - 1 not in days:
            continue
        if m.source_id in excluded_sources:
            continue
        venue = int(VENUE.get(m.attendance_mode, "1"))
        if (q.venues[0] and venue not in q.venues[0]) or venue in q.venues[1]:
            continue
        minutes = int(item["start_time"][:2]) * 60 + int(item["start_time"][3:5])
        if (q.starts_after is not None and minutes <= q.starts_after) or (
            q.starts_before is not None and minutes >= q.starts_before
        ):
            continue
        distance = None
        if q.point is not None:
            if m.latitude is None:
                continue
            distance = _km(q.point[0], q.point[1], m.latitude, m.longitude)
            if q.radius_km is not None and distance > q.radius_km:
                continue
        if q.text and not any(q.text in (v or "").casefold() for v in (m.name, m.location, m.address, m.city, m.notes)):
            continue
        if q.meeting_ids and int(item["id_bigint"]) not in q.meeting_ids:
            continue
        if wanted_formats or excluded_formats:
            ids = {fmt[k].id for k in item["formats"].split(",") if k}
            if ids & excluded_formats:
                continue
            if wanted_formats and not (ids & wanted_formats if q.formats_any else wanted_formats <= ids):
                continue
        if distance is not None:
            item["distance_in_km"] = f"{distance:.3f}"
            item["distance_in_miles"] = f"{distance / KM_PER_MILE:.3f}"
        rows.append((distance, item))
    if q.nearest is not None:
        rows = sorted(rows, key=lambda r: r[0])[: q.nearest]
    meetings = [item for _, item in rows]
    meetings.sort(key=_sorter(q))
    used = {k for item in meetings for k in item["formats"].split(",") if k}
    if q.page_size:
        start = (q.page_num - 1) * q.page_size
        meetings = meetings[start : start + q.page_size]
    if q.data_fields:
        meetings = [{k: item.get(k, "") for k in q.data_fields} for item in meetings]
    return meetings, used


def _sorter(q):
    """The order: the sort keys (numbers as numbers, text casefolded), then the name, then the id."""
    numeric = {
        "id_bigint",
        "weekday_tinyint",
        "service_body_bigint",
        "distance_in_km",
        "distance_in_miles",
        "latitude",
        "longitude",
        "venue_type",
    }
    keys = list(q.sort_keys)
    if q.by_distance and q.point is not None:
        keys = ["distance_in_km", *keys]
    if not keys:
        keys = ["weekday_tinyint", "start_time"]

    def key(item):
        out = [float(item.get(k, "") or 0) if k in numeric else str(item.get(k, "")).casefold() for k in keys]
        return (*out, item["meeting_name"].casefold(), int(item["id_bigint"]))

    return key


# --- the Low item: page_size=--5 and friends --------------------------------------------------


@pytest.mark.django_db
@sweep("name", ["page_size", "page_num", "StartsAfterH", "StartsBeforeM"])
@sweep("value", ["--5", "-", "²", "٣", "1_0", "99999999999999999999", "-0x1", " ", "1e3", "+-1", "5-"])
def test_item25_low_bad_numbers_are_a_400_in_the_one_error_shape(client, name, value):
    response = get(client, f"switcher=GetSearchResults&{name}={value}")
    if value.strip() == "":
        assert response.status_code == 200
        return
    assert response.status_code == 400, (name, value, response.status_code)
    error = response.json()["error"]
    assert error["field"] == name and error["code"] == "invalid_parameter" and error["message"]


PARAMS = [
    "page_size",
    "page_num",
    "weekdays",
    "weekdays[]",
    "services[]",
    "formats[]",
    "venue_types[]",
    "meeting_ids[]",
    "lat_val",
    "long_val",
    "geo_width",
    "geo_width_km",
    "StartsAfterH",
    "StartsAfterM",
    "StartsBeforeH",
    "StartsBeforeM",
    "SearchString",
    "sort_keys",
    "data_field_key",
    "lang_enum",
    "formats_comparison_operator",
    "sort_results_by_distance",
    "key_strings[]",
    "show_all",
    "services",
]


NASTY = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"[-+ ]{0,3}[0-9²٣.,eE_x-]{0,25}", fullmatch=True),
    st.sampled_from(["--5", "²", "-", "1e999", "nan", "-0", "9" * 40, ",,,", "-,-", "\x00", "%"]),
)


@pytest.mark.slow
@pytest.mark.django_db
@hsettings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    switcher=st.sampled_from(bmlt_views.SWITCHERS),
    pairs=st.lists(st.tuples(st.sampled_from(PARAMS), NASTY), max_size=5),
)
def test_item25_low_no_parameter_value_gives_a_5xx(client, switcher, pairs):
    params = QueryDict(mutable=True)
    params["switcher"] = switcher
    for name, value in pairs:
        params.appendlist(name, value)
    response = client.get(ROOT, params, HTTP_HOST="localhost")
    assert response.status_code < 500, (params.urlencode(), response.content[:200])
    if response.status_code >= 400:
        assert response.json()["error"]["code"]


# --- item 2: no request reads every meeting ----------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_a_paged_answer_reads_only_its_page(client, published, no_scan):
    no_scan()
    one = answer(client, "switcher=GetSearchResults&page_size=1&page_num=3&junk=1")
    assert len(one) == 1
    ten = answer(client, "switcher=GetSearchResults&page_size=10&weekdays[]=2&sort_keys=meeting_name")
    assert len(ten) == 10 and [m["meeting_name"].casefold() for m in ten] == sorted(
        m["meeting_name"].casefold() for m in ten
    )
    assert answer(client, "switcher=GetSearchResults&page_size=5&page_num=1000000") == []


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_whole_list_answers_are_built_at_publish_time(client, published, no_scan, settings):
    settings.BMLT_UNPAGED_LIMIT = 50  # so the whole list is one served from its file
    expected_all = oracle("switcher=GetSearchResults")
    expected_crouton = oracle("switcher=GetSearchResults&sort_keys=start_time")
    bodies_before = answer(client, "switcher=GetServiceBodies")
    bmlt_views._CACHE.clear()
    no_scan()
    assert answer(client, "switcher=GetServiceBodies") == bodies_before
    sources = "&".join(f"services[]={b['id']}" for b in bodies_before)
    # What crouton asks for first: every service body, used formats, sorted by start time.
    crouton = answer(client, f"switcher=GetSearchResults&get_used_formats&lang_enum=en&{sources}&sort_keys=start_time")
    assert crouton["meetings"] == expected_crouton[0]
    assert {f["key_string"] for f in crouton["formats"]} == expected_crouton[1]
    assert answer(client, "switcher=GetSearchResults") == expected_all[0]
    formats = answer(client, "switcher=GetFormats")
    assert {f["key_string"] for f in formats} == expected_all[1]


QUERIES = [
    "weekdays[]=2&weekdays[]=3",
    "weekdays[]=-1&venue_types[]=2",
    "venue_types[]=-1",
    "formats[]=8",
    "formats[]=-4&sort_keys=location_municipality,meeting_name",
    "formats[]=8&formats[]=107&formats_comparison_operator=OR",
    "lat_val=40.7128&long_val=-74.0060&geo_width_km=80",
    "lat_val=40.7&long_val=-74&geo_width=-7&sort_results_by_distance=1",
    "lat_val=40.7&long_val=-74&geo_width=30&sort_keys=distance_in_miles,meeting_name",
    "StartsAfterH=18&StartsBeforeH=21&StartsBeforeM=30",
    "SearchString=church",
    "SearchString=St",
    "sort_keys=meeting_name&page_size=7&page_num=3",
    "sort_keys=weekday_tinyint,start_time&page_size=11&page_num=2",
    "sort_keys=duration_time,id_bigint",
    "sort_keys=comments&weekdays[]=4",
    "data_field_key=meeting_name,start_time&weekdays[]=5",
    "sort_keys=latitude,longitude&page_size=20",
    "services[]=-99",
    "get_used_formats&weekdays[]=6",
    "lat_val=0&long_val=-150&geo_width_km=-3",
    "lat_val=34.05&long_val=-118.24&geo_width=-1",
    "lat_val=40.7&long_val=-74&geo_width=-400&sort_keys=meeting_name&page_size=30",
    "sort_keys=venue_type,location_province&page_size=3&page_num=2",
    "sort_keys=time_zone&page_size=9&page_num=4",
    "lat_val=40.7&long_val=-74&geo_width=300&sort_results_by_distance=1&page_size=4&page_num=3",
    "lat_val=40.7&long_val=-74&geo_width_km=700",
    "lat_val=21&long_val=179.9&geo_width_km=2600",
    "lat_val=-33.9&long_val=151.2&geo_width=900&sort_results_by_distance=1",
    "weekdays[]=3&page_size=6&page_num=4",
    "venue_types[]=1&sort_keys=start_time&page_size=5&page_num=2",
    "get_used_formats&formats[]=8&page_size=3",
    "get_used_formats&page_size=2&page_num=7",
]


@pytest.mark.django_db
@sweep("query", QUERIES)
def test_item25_2_the_published_answers_are_the_answers_of_reading_every_meeting(client, published, no_scan, query):
    expected = oracle(f"switcher=GetSearchResults&{query}")
    no_scan()
    got = answer(client, f"switcher=GetSearchResults&{query}")
    if "get_used_formats" in query:
        assert got["meetings"] == expected[0] and {f["key_string"] for f in got["formats"]} == expected[1]
    else:
        assert got == expected[0] and (got or "SearchString" in query)


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_one_programs_root_and_meeting_ids(client, published, no_scan):
    expected = oracle("switcher=GetSearchResults", "na")[0]
    no_scan()
    na = answer(client, "switcher=GetSearchResults", "/bmlt/na/client_interface/json/")
    assert na == expected and na
    picked = [na[0]["id_bigint"], na[-1]["id_bigint"]]
    chosen = answer(
        client,
        f"switcher=GetSearchResults&meeting_ids[]={picked[0]}&meeting_ids[]={picked[1]}",
        "/bmlt/na/client_interface/json/",
    )
    assert sorted(m["id_bigint"] for m in chosen) == sorted(picked)


# --- the cache: keyed on the normalised query --------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_junk_parameters_and_spelling_do_not_make_a_new_answer(client, published):
    bmlt_views._CACHE.clear()
    spellings = [
        "switcher=GetSearchResults&weekdays[]=2&weekdays[]=3&page_size=5",
        "weekdays=3,2&page_size=05&switcher=GetSearchResults&junk=1",
        "switcher=GetSearchResults&weekdays[]=3&x=%F0%9F%92%A5&weekdays[]=2&page_size=5&page_num=1&_=17",
        "switcher=GetSearchResults&weekdays[]=3,2,3&page_size=5&lang_enum=en&sort_keys=nonsense",
    ]
    etags = {get(client, s)["ETag"] for s in spellings}
    assert len(etags) == 1 and len(bmlt_views._CACHE) == 1
    assert get(client, "switcher=GetSearchResults&weekdays[]=4&page_size=5")["ETag"] not in etags
    assert len(bmlt_views._CACHE) == 2


# --- unpaged answers are capped; whole lists come from files -------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_a_large_unpaged_answer_is_refused_with_a_clear_message(client, published, settings):
    settings.BMLT_UNPAGED_LIMIT = 50
    refused = get(client, "switcher=GetSearchResults&weekdays[]=2&weekdays[]=3&weekdays[]=4")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["field"] == "page_size" and "page_size" in error["message"] and "50" in error["message"]
    paged = answer(client, "switcher=GetSearchResults&weekdays[]=2&weekdays[]=3&weekdays[]=4&page_size=50")
    assert len(paged) == 50
    # The whole list is not refused: it is one of a few answers, written once to a file and served.
    everything = get(client, "switcher=GetSearchResults&get_used_formats", HTTP_ACCEPT_ENCODING="gzip")
    assert everything.status_code == 200 and everything["Content-Encoding"] == "gzip"
    jsonp = client.get(
        "/bmlt/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&callback=cb", HTTP_HOST="localhost"
    )
    text = b"".join(jsonp.streaming_content if jsonp.streaming else [jsonp.content]).decode()
    assert text.startswith("/**/cb(") and len(json.loads(text[len("/**/cb(") : -2])["meetings"]) > 50


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_a_whole_list_is_compressed_once_even_as_jsonp(client, published, settings, monkeypatch):
    """The API's gzip middleware compressed a streamed JSONP whole list on every request (seconds
    at 200,000 meetings); the stored deflate stream is spliced into the gzip answer instead."""
    import gzip
    import zlib

    settings.BMLT_UNPAGED_LIMIT = 50
    path = "/bmlt/client_interface/jsonp/?switcher=GetSearchResults&get_used_formats&sort_keys=start_time&callback="
    plain = client.get(path + "cb1", HTTP_HOST="localhost")
    plain_text = b"".join(plain.streaming_content)
    compressed = 0
    real = zlib.compressobj

    def counting(*args, **kwargs):
        nonlocal compressed
        inner = real(*args, **kwargs)

        class Counted:
            def compress(self, data):
                nonlocal compressed
                compressed += len(data)
                return inner.compress(data)

            def flush(self, *a):
                return inner.flush(*a)

        return Counted()

    monkeypatch.setattr(zlib, "compressobj", counting)
    monkeypatch.setattr(gzip.zlib, "compressobj", counting)
    for callback in ("cb2", "jsonp_1764230000000_1"):
        zipped = client.get(path + callback, HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip")
        assert zipped["Content-Encoding"] == "gzip"
        body = gzip.decompress(b"".join(zipped.streaming_content))
        assert body == plain_text.replace(b"cb1(", callback.encode() + b"(", 1)
    # Only the two ends were compressed (the call, and the used formats' object), never the list.
    formats = json.loads(plain_text[len(b"/**/cb1(") : -2])["formats"]
    assert compressed < 2 * (len(json.dumps(formats)) + 200) < len(plain_text) // 10
    json_zipped = client.get(
        path.replace("jsonp", "json").split("&callback")[0], HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert gzip.decompress(b"".join(json_zipped.streaming_content)) == plain_text[len(b"/**/cb1(") : -2]


def test_item25_2_crc32_combine_is_zlibs():
    import random
    import zlib

    from commonground.api.bmlt.answers import crc32_combine

    rng = random.Random(4)
    for _ in range(50):
        a, b = rng.randbytes(rng.randrange(0, 3000)), rng.randbytes(rng.randrange(0, 3000))
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("word", ["st", "e", "group", "zzzq", "ö"])
def test_item25_2_a_common_word_is_found_with_numpy_as_a_rare_one_by_find(client, published, monkeypatch, word):
    expected = oracle(f"switcher=GetSearchResults&SearchString={word}")[0]
    monkeypatch.setattr(lookup, "FIND_HITS", 3)
    assert answer(client, f"switcher=GetSearchResults&SearchString={word}") == expected


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_a_web_worker_never_builds_the_material_while_an_older_one_can_answer(
    client, published, settings, monkeypatch
):
    from commonground.api.bmlt import store as bmlt_store
    from commonground.meetings.models import DataVersion
    from commonground.search import engine

    before = answer(client, "switcher=GetSearchResults&page_size=3")
    DataVersion.bump()
    settings.PUBLISH_MODE = "background"
    asked = []
    monkeypatch.setattr(engine, "request_build", lambda: asked.append(1))
    monkeypatch.setattr(bmlt_store, "build", lambda version: (_ for _ in ()).throw(AssertionError("built")))
    monkeypatch.setattr(bmlt_store, "_loaded", {})
    assert answer(client, "switcher=GetSearchResults&page_size=3") == before and asked


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_material_stored_by_an_older_release_is_replaced(client, published):
    from commonground.api.bmlt import store as bmlt_store
    from commonground.meetings.models import DataVersion

    folder = bmlt_store.folder_for(DataVersion.current_with_time())
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "format": bmlt_store.FORMAT - 1}))
    bmlt_store._loaded.clear()
    assert len(answer(client, "switcher=GetSearchResults&page_size=2")) == 2
    assert json.loads((folder / "meta.json").read_text())["format"] == bmlt_store.FORMAT


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_a_cached_answer_is_compressed_once_for_every_jsonp_callback(client, published, monkeypatch):
    import gzip
    import zlib

    path = "/bmlt/client_interface/jsonp/?switcher=GetSearchResults&page_size=200&callback="
    first = client.get(path + "cb0", HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip")
    plain = gzip.decompress(first.content)
    compressed = []
    real = zlib.compressobj

    class Counted:
        def __init__(self, *args):
            self.inner = real(*args)

        def compress(self, data):
            compressed.append(len(data))
            return self.inner.compress(data)

        def flush(self, *args):
            return self.inner.flush(*args)

    real_compress = zlib.compress

    def compress(data, *args, **kwargs):
        compressed.append(len(data))
        return real_compress(data, *args, **kwargs)

    monkeypatch.setattr(zlib, "compressobj", Counted)
    monkeypatch.setattr(zlib, "compress", compress)
    for n in range(1, 4):
        zipped = client.get(path + f"cb{n}", HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip")
        assert gzip.decompress(zipped.content) == plain.replace(b"cb0(", f"cb{n}(".encode(), 1)
    assert len(plain) > 10_000 and sum(compressed) < 100


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_2_one_file_per_whole_list_whatever_goes_around_it(client, published, settings):
    from commonground.api.bmlt import store as bmlt_store
    from commonground.meetings.models import DataVersion

    settings.BMLT_UNPAGED_LIMIT = 50
    for query in ("", "&get_used_formats", "&get_used_formats&lang_enum=es", "&lang_enum=xx&junk=1"):
        for kind, extra in (("json", ""), ("jsonp", "&callback=cb")):
            response = client.get(
                f"/bmlt/client_interface/{kind}/?switcher=GetSearchResults{query}{extra}",
                HTTP_HOST="localhost",
                HTTP_ACCEPT_ENCODING="gzip",
            )
            assert response.status_code == 200
    folder = bmlt_store.folder_for(DataVersion.current_with_time()) / "answers"
    assert len(list(folder.glob("*.json"))) == 1


@pytest.mark.slow
def test_item25_2_the_cheap_cuts_of_a_radius_search_never_drop_a_meeting_inside_it():
    import numpy as np

    from commonground.api.bmlt.lookup import _within_longitudes
    from commonground.meetings.geo import km as _km_many  # the one great-circle distance, over arrays

    rng = np.random.default_rng(8)
    lat, lng = rng.uniform(-89, 89, 200_000), rng.uniform(-180, 180, 200_000)
    for _ in range(200):
        lat0, lng0, km = rng.uniform(-80, 80), rng.uniform(-180, 180), rng.uniform(1, 1200)
        inside = np.flatnonzero(_km_many(lat0, lng0, lat, lng) <= km)
        kept = _within_longitudes({"point": (lat0, lng0), "radius_km": km}, {"lng": lng}, np.arange(len(lat)))
        assert np.isin(inside, kept).all(), (lat0, lng0, km)
