"""GET /api/v1/treatment (issue 30): nearest first, every filter (all must match), 400s in the one
error shape for bad values; a facility without coordinates is never found by distance."""

from __future__ import annotations

import pytest

from commonground.feeds.importing import import_location
from commonground.treatment import search
from tests.treatment.export_fixture import write


@pytest.fixture
def facilities(db, tmp_path):
    search.reset()
    import_location(write(tmp_path / "ny.json"), format="findtreatment", name="FindTreatment NY")
    yield
    search.reset()


def names(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/treatment?{query}")
    assert response.status_code == 200, response.content
    return [r["name"].split(" (")[0] for r in response.json()["results"]]


def test_nearest_first_with_everything_a_result_says(client, facilities):
    response = client.get("/api/v1/treatment?near=10001&radius_km=30")
    results = response.json()["results"]
    assert [r["name"].split(" (")[0] for r in results] == [
        "Harbor Bupe Clinic",
        "Brooklyn Recovery Partners",
        "Newark Harbor Health",
        "Bronx Opioid Treatment Program",
        "Queens Withdrawal Center",
    ]
    first = results[0]
    assert set(first) >= {
        "name",
        "address",
        "phone",
        "website",
        "distance_km",
        "offers",
        "pays",
        "serves",
        "languages",
        "source",
    }
    assert first["distance_km"] < 1.5 and first["source"]["name"] == "FindTreatment NY" and first["source"]["updated"]
    distances = [r["distance_km"] for r in results]
    assert distances == sorted(distances)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("offers=methadone", ["Bronx Opioid Treatment Program"]),
        ("offers=buprenorphine", ["Harbor Bupe Clinic", "Bronx Opioid Treatment Program"]),
        ("offers=buprenorphine&offers=methadone", ["Bronx Opioid Treatment Program"]),
        ("offers=naltrexone,telehealth", ["Brooklyn Recovery Partners"]),
        ("offers=detox", ["Queens Withdrawal Center"]),
        ("pays=medicaid", ["Harbor Bupe Clinic", "Newark Harbor Health"]),
        ("pays=sliding_fee", ["Bronx Opioid Treatment Program"]),
        ("pays=free", ["Queens Withdrawal Center"]),
        ("serves=pregnant", ["Harbor Bupe Clinic"]),
        ("serves=veterans&serves=lgbtq", ["Brooklyn Recovery Partners"]),
        ("language=es", ["Harbor Bupe Clinic"]),
        ("language=sgn", ["Harbor Bupe Clinic"]),
        ("language=fr", []),
        ("offers=buprenorphine&pays=medicaid&serves=pregnant&language=es", ["Harbor Bupe Clinic"]),
        ("radius_km=2", ["Harbor Bupe Clinic"]),
        ("limit=2", ["Harbor Bupe Clinic", "Brooklyn Recovery Partners"]),
    ],
)
def test_each_filter(client, facilities, query, expected):
    assert names(client, f"near=10001&radius_km=30&{query}") == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offers=heroin", "offers"),
        ("pays=cash", "pays"),
        ("serves=everyone", "serves"),
        ("language=spanish", "language"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("radius_km=-1", "radius_km"),
        ("", "near"),
    ],
)
def test_a_bad_value_is_a_400_naming_its_field(client, facilities, query, field):
    near = "" if field == "near" else "near=10001&"
    response = client.get(f"/api/v1/treatment?{near}{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field and error["message"]


def test_a_place_nobody_knows_is_a_400(client, facilities):
    response = client.get("/api/v1/treatment?near=Nowhereville%2C+ZZ")
    assert response.status_code == 400 and response.json()["error"]["field"] == "near"


def test_a_facility_without_coordinates_is_not_found_by_distance(client, facilities):
    assert "Capital District Counseling" not in names(client, "near=Albany%2C+NY&radius_km=250&limit=50")
