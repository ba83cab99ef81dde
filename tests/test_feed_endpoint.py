"""GET /feeds/meeting-guide.json: cached by data version, changing right after an import."""

import json

import pytest

from commonground.feeds.importing import import_location


def body(response) -> list:
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def feed_file(tmp_path):
    path = tmp_path / "f.json"

    def write(name):
        path.write_text(
            json.dumps(
                [
                    {
                        "name": name,
                        "slug": "a",
                        "day": 1,
                        "time": "19:00",
                        "timezone": "America/Denver",
                        "formatted_address": "1 A St, Denver, CO 80202, USA",
                    }
                ]
            )
        )
        return str(path)

    return write


@pytest.mark.django_db
def test_feed_has_validators_and_changes_right_after_an_import(client, feed_file):
    import_location(feed_file("First name"), name="S")
    first = client.get("/feeds/meeting-guide.json")
    assert first.status_code == 200 and first["Content-Type"].startswith("application/json")
    assert body(first)[0]["name"] == "First name"
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/feeds/meeting-guide.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304

    import_location(feed_file("Second name"), name="S")
    changed = client.get("/feeds/meeting-guide.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert body(changed)[0]["name"] == "Second name"


@pytest.mark.django_db
def test_the_cache_is_keyed_by_version_not_time(client, feed_file, django_assert_num_queries):
    import_location(feed_file("Cached"), name="S")
    client.get("/feeds/meeting-guide.json")
    # A second request renders nothing: only the version look-up runs, and a file is streamed.
    with django_assert_num_queries(1):
        response = client.get("/feeds/meeting-guide.json")
    assert body(response)[0]["name"] == "Cached"


@pytest.mark.slow
@pytest.mark.django_db
def test_program_filter_and_unknown_program(client, samples):
    import_location(str(samples / "bmlt-bronx"))
    import_location(str(samples / "tsml-template-san-jose.csv"))
    assert len(body(client.get("/feeds/meeting-guide.json?program=na"))) == 113
    assert len(body(client.get("/feeds/meeting-guide.json?program=aa"))) == 36
    bad = client.get("/feeds/meeting-guide.json?program=nope")
    assert bad.status_code == 400 and json.loads(bad.content)["error"]["field"] == "program"


@pytest.mark.slow
@pytest.mark.django_db
def test_the_feed_narrows_by_source_region_and_place(client, samples, demo_meetings):
    demo_meetings(800, seed=4)
    import_location(str(samples / "bmlt-bronx"), name="Bronx NA")
    import_location(str(samples / "tsml-template-san-jose.csv"), name="San Jose")
    by_source = body(client.get("/feeds/meeting-guide.json?source=San+Jose"))
    assert len(by_source) == 36
    near = body(client.get("/feeds/meeting-guide.json?near=Bronx%2C+NY&radius_km=15&program=na"))
    assert near and all(m["program"] == "na" for m in near)
    assert all(abs(m["latitude"] - 40.85) < 0.3 for m in near), "only meetings near the Bronx"
    region = body(client.get("/feeds/meeting-guide.json?region=Bronx+Area+Service"))
    assert region and all("Bronx Area Service" in m["regions"] for m in region)
    again = client.get(
        "/feeds/meeting-guide.json?source=San+Jose",
        HTTP_IF_NONE_MATCH=client.get("/feeds/meeting-guide.json?source=San+Jose")["ETag"],
    )
    assert again.status_code == 304 and again["Access-Control-Allow-Origin"] == "*"
    bad = client.get("/feeds/meeting-guide.json?source=Nowhere")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "source"
    unknown_place = client.get("/feeds/meeting-guide.json?near=Springfield")
    assert unknown_place.status_code == 400 and unknown_place.json()["error"]["field"] == "near"


@pytest.mark.slow
@pytest.mark.django_db
def test_exported_codes_mean_what_clients_read_them_as(client, samples):
    import_location(str(samples / "bmlt-bronx"))
    rows = body(client.get("/feeds/meeting-guide.json?program=na"))
    codes = {code for row in rows for code in row["types"]}
    assert {"D", "SP"} & codes and not {"DISC", "SPK", "BT", "JFT"} & codes
    assert all(row["updated"] for row in rows), "every meeting says when it last changed"
