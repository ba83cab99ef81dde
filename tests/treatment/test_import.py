"""Importing FindTreatment.gov's export (issue 30): every row read or skipped with its reason,
services normalised and kept whole, all or nothing per source, an empty or cut-short export refused,
a paged export read page by page on loopback."""

from __future__ import annotations

import json

import pytest
from feed_standin import FeedServer

from commonground.feeds import fetch
from commonground.feeds.importing import import_location
from commonground.treatment.models import Facility
from tests.treatment.export_fixture import ROWS, pages, row, svc, write


def by_name() -> dict[str, Facility]:
    return {f.name.split(" (")[0]: f for f in Facility.objects.all()}


@pytest.mark.django_db
def test_each_row_is_read_into_a_facility_with_its_services(tmp_path):
    report = import_location(write(tmp_path / "ny.json"), format="findtreatment", name="FindTreatment NY")
    assert not report.failed, report.errors
    assert (report.added, report.skipped) == (6, 1)  # Newark's two rows are one site; one row names nothing
    f = by_name()
    harbor = f["Harbor Bupe Clinic"]
    assert harbor.name == "Harbor Bupe Clinic (Midtown Program)"
    assert harbor.address == "450 West 33rd Street, New York, NY 10001"
    assert (harbor.offers, harbor.pays, harbor.serves, harbor.languages) == (
        ["buprenorphine", "outpatient"],
        ["medicaid", "private_insurance"],
        ["pregnant"],
        ["es", "sgn"],
    )
    assert {
        "category": "Payment/Insurance/Funding Accepted",
        "code": "PAY",
        "values": ["Medicaid", "Private health insurance", "Cash or self-payment"],
    } in harbor.services  # kept whole
    bronx = f["Bronx Opioid Treatment Program"]
    assert bronx.offers == ["methadone", "buprenorphine"]
    assert bronx.pays == ["medicare", "sliding_fee"]  # "other than Medicaid" is not Medicaid
    assert bronx.website == "https://www.bronx-otp.example.org/"
    queens = f["Queens Withdrawal Center"]
    assert queens.offers == ["detox", "residential"] and queens.pays == ["free"] and queens.website == ""
    brooklyn = f["Brooklyn Recovery Partners"]
    assert brooklyn.offers == ["naltrexone", "telehealth"]
    assert brooklyn.serves == ["veterans", "adolescents", "lgbtq", "justice"]
    assert brooklyn.languages == ["ru"]  # "Other languages (excluding Spanish)" is not Spanish
    albany = f["Capital District Counseling"]
    assert albany.latitude is None and albany.offers == ["outpatient"]  # kept, not placed
    newark = f["Newark Harbor Health"]
    assert newark.offers == ["outpatient", "telehealth"] and newark.pays == ["medicaid"]
    assert newark.facility_type == "SA,MH"
    reasons = {(w.field, w.message.split(":")[0]) for w in report.warnings}
    assert ("website", "the website was dropped") in reasons
    assert ("latitude", "no usable coordinates") in reasons
    assert any(w.skipped and "names no facility" in w.message for w in report.warnings)
    assert not any(w.field == "website" and "Brooklyn" in (w.key or "") for w in report.warnings)  # "http://" is none


@pytest.mark.django_db
def test_a_second_import_changes_nothing_and_a_change_is_seen(tmp_path):
    path = write(tmp_path / "ny.json")
    import_location(path, format="findtreatment", name="FT")
    again = import_location(path, format="findtreatment", name="FT")
    assert (again.added, again.updated, again.removed) == (0, 0, 0) and again.unchanged == 6
    changed = [dict(r) for r in ROWS]
    changed[0] = {**changed[0], "phone": "212-555-0199"}
    report = import_location(write(tmp_path / "ny.json", changed), format="findtreatment", name="FT")
    assert report.updated == 1 and by_name()["Harbor Bupe Clinic"].phone == "212-555-0199"


@pytest.mark.django_db
def test_an_empty_export_is_refused_and_nothing_changes(tmp_path):
    import_location(write(tmp_path / "ny.json"), format="findtreatment", name="FT")
    report = import_location(write(tmp_path / "ny.json", []), format="findtreatment", name="FT")
    assert report.failed and report.errors[0]["code"] == "empty"
    assert Facility.objects.count() == 6


@pytest.mark.django_db
def test_an_export_that_holds_far_fewer_rows_than_it_says_is_refused(tmp_path):
    page = pages()[0]
    page["recordCount"] = 500
    (tmp_path / "cut.json").write_text(json.dumps(page))
    report = import_location(str(tmp_path / "cut.json"), format="findtreatment", name="FT")
    assert report.failed and "says it holds 500" in report.errors[0]["message"] and Facility.objects.count() == 0


@pytest.mark.django_db
def test_most_facilities_gone_is_refused(tmp_path):
    import_location(write(tmp_path / "ny.json"), format="findtreatment", name="FT")
    report = import_location(write(tmp_path / "ny.json", ROWS[:1]), format="findtreatment", name="FT")
    assert report.failed and report.errors[0]["code"] == "too-many-removals" and Facility.objects.count() == 6


@pytest.mark.django_db
def test_one_state_of_an_export(tmp_path):
    report = import_location(write(tmp_path / "all.json"), format="findtreatment", name="FT NJ", state="nj")
    assert report.added == 1 and {f.state for f in Facility.objects.all()} == {"NJ"}


@pytest.fixture
def served(settings, monkeypatch):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["127.0.0.1"])
    servers = []
    yield servers
    for server in servers:
        server.close()


class PagedExport(FeedServer):
    """The export on loopback, answering ``page=N`` from its pages."""

    def __init__(self, all_pages: list[dict], fail_page: int | None = None):
        super().__init__()
        self.all_pages, self.fail_page = all_pages, fail_page
        self.server.RequestHandlerClass.do_GET = self._handler()

    def _handler(self):
        standin = self

        def do_get(handler):
            from urllib.parse import parse_qs, urlsplit

            query = parse_qs(urlsplit(handler.path).query)
            number = int((query.get("page") or ["1"])[0])
            standin.hits.append({"path": handler.path, "headers": dict(handler.headers)})
            status, body = (
                (500, b"<html>busy</html>")
                if number == standin.fail_page
                else (200, json.dumps(standin.all_pages[number - 1]).encode())
            )
            handler.send_response(status)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return do_get


@pytest.mark.django_db
def test_a_paged_export_is_read_page_by_page_from_its_url(served):
    many = [row(f"Clinic {n}", 40.7 + n / 1000, -73.9, svc("Pharmacotherapies", "PHR", "Methadone")) for n in range(25)]
    server = PagedExport(pages(many, size=10))
    served.append(server)
    url = server.url.replace("127.0.0.1", "findtreatment.example.gov") + "/locator/exportsAsJson/v2?sType=SA"
    report = import_location(url, name="FT national")
    assert not report.failed and report.added == 25 and Facility.objects.count() == 25
    asked = [h["path"] for h in server.hits]
    assert [p.rsplit("page=", 1)[1] for p in asked] == ["1", "2", "3"] and all("sType=SA" in p for p in asked)


@pytest.mark.django_db
def test_a_failed_page_fails_the_whole_export(served):
    many = [row(f"Clinic {n}", 40.7 + n / 1000, -73.9) for n in range(25)]
    server = PagedExport(pages(many, size=10), fail_page=2)
    served.append(server)
    url = server.url.replace("127.0.0.1", "findtreatment.example.gov") + "/locator/exportsAsJson/v2"
    report = import_location(url, name="FT national", format="findtreatment")
    assert report.failed and "page 2 of 3" in report.errors[0]["message"] and Facility.objects.count() == 0


@pytest.mark.django_db
def test_the_source_is_listed_with_its_facilities(client, tmp_path):
    import_location(write(tmp_path / "ny.json"), format="findtreatment", name="FindTreatment NY")
    (row,) = client.get("/api/v1/sources").json()["results"]
    assert (row["format"], row["facilities"], row["meetings"], row["status"]) == ("findtreatment", 6, 0, "ok")
