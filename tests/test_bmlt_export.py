"""BMLT's daily aggregator export as a source (issue 29): the manifest, one source per root, only
changed roots fetched, each file checked against the manifest, stale roots withheld, one bad root
never blocking the others. Stand-in exports on disk and on loopback; never the real address."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from feed_standin import FeedServer, Route

from commonground.feeds import fetch
from commonground.feeds.health import status
from commonground.feeds.importing import import_location
from commonground.feeds.schedule import sync_one
from commonground.meetings.models import Meeting, Source, SyncStatus

FORMATS = [
    {
        "key_string": "O",
        "name_string": "Open",
        "world_id": "OPEN",
        "format_type_enum": "O",
        "id": "1",
        "root_server_id": 113,
    },
    {
        "key_string": "S",
        "name_string": "Sluten",
        "world_id": "CLOSED",
        "format_type_enum": "O",
        "id": "2",
        "root_server_id": 999,
    },
]
BODIES = [{"id": "5", "parent_id": "0", "name": "Dublin Area", "root_server_id": 113}]


def row(root: int, n: int, **extra) -> dict:
    return {
        "id_bigint": str(n),
        "root_server_id": str(root),
        "service_body_bigint": "5",
        "weekday_tinyint": "3",
        "start_time": "20:00:00",
        "duration_time": "01:00:00",
        "time_zone": "Europe/Dublin" if root == 113 else "Asia/Tehran",
        "formats": "O",
        "published": "1",
        "meeting_name": f"Group {root}-{n}",
        "venue_type": "1",
        "location_street": f"{n} Main Street",
        "location_municipality": "Dublin" if root == 113 else "تهران",
        "latitude": "53.35" if root == 113 else "35.69",
        "longitude": "-6.26" if root == 113 else "51.39",
        **extra,
    }


class Export:
    """An export folder: manifest.json, meetings/root-<id>.ndjson.gz, formats and bodies."""

    def __init__(self, folder, roots: dict[int, list[dict]], *, stale=(), schema=1, lie_about=None):
        self.folder, self.roots = folder, roots
        (folder / "meetings").mkdir(parents=True, exist_ok=True)
        files = []
        for root, rows in roots.items():
            data = gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in rows), mtime=0)
            (folder / "meetings" / f"root-{root}.ndjson.gz").write_bytes(data)
            sha = hashlib.sha256(data).hexdigest() if root != lie_about else "0" * 64
            files.append(
                {"path": f"meetings/root-{root}.ndjson.gz", "size": len(data), "sha256": sha, "records": len(rows)}
            )
        for name, value in (("formats.json.gz", FORMATS), ("service_bodies.json.gz", BODIES)):
            (folder / name).write_bytes(gzip.compress(json.dumps(value).encode(), mtime=0))
        manifest = {
            "schema_version": schema,
            "files": files,
            "root_servers": [
                {"id": root, "name": f"Root {root}", "lastSuccessfulImport": "2026-12-06T05:00:00Z"} for root in roots
            ],
            "stale_root_servers": list(stale),
        }
        (folder / "manifest.json").write_text(json.dumps(manifest))
        self.manifest = str(folder / "manifest.json")


def roots_of(export_source: Source) -> dict[str, Source]:
    return {
        s.registry_key.rsplit("/", 1)[1]: s
        for s in Source.objects.filter(registry_key__startswith=f"{export_source.slug}/")
    }


@pytest.mark.django_db
def test_each_root_of_the_export_becomes_a_source_of_its_own(tmp_path):
    export = Export(tmp_path, {113: [row(113, n) for n in range(1, 6)], 160: [row(160, n) for n in range(1, 4)]})
    report = import_location(export.manifest, name="NA world")
    assert not report.failed and report.added == 8
    parent = Source.objects.get(name="NA world")
    assert parent.format == "bmlt-export" and parent.default_program_id == "na"
    roots = roots_of(parent)
    assert set(roots) == {"113", "160"}
    assert roots["113"].countries == "IE" and roots["160"].countries == "IR"  # from the bmlt-roots list, by id
    assert Meeting.objects.filter(source=roots["160"]).count() == 3
    assert Meeting.objects.filter(source=roots["113"]).first().regions == ["Dublin Area"]


@pytest.mark.django_db
def test_a_root_that_does_not_match_its_checksum_fails_alone(tmp_path):
    export = Export(tmp_path, {113: [row(113, 1)], 160: [row(160, 1)]}, lie_about=160)
    report = import_location(export.manifest, name="NA world")
    assert not report.failed
    (bad,) = [p for p in report.parts if p.failed]
    assert "does not match the manifest's SHA-256" in bad.errors[0]["message"]
    assert Meeting.objects.count() == 1
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("sync", stdout=out, stderr=err)
    assert exit_info.value.code == 1 and "SHA-256" in err.getvalue()


@pytest.mark.django_db
def test_a_root_whose_file_holds_fewer_meetings_than_the_manifest_says_fails(tmp_path):
    export = Export(tmp_path, {113: [row(113, 1), row(113, 2)]})
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["files"][0]["records"] = 3
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (part,) = import_location(export.manifest, name="NA world").parts
    assert part.failed and "holds 2 meetings where the manifest says 3" in part.errors[0]["message"]


@pytest.mark.django_db
def test_a_layout_we_do_not_know_is_refused_whole(tmp_path):
    export = Export(tmp_path, {113: [row(113, 1)]}, schema=2)
    report = import_location(export.manifest, name="NA world")
    assert report.failed and "schema_version" in report.errors[0]["message"] and Source.objects.count() == 0


@pytest.mark.django_db
def test_a_stale_root_is_withheld_and_shown_as_stale(tmp_path, client):
    Export(tmp_path, {113: [row(113, 1)], 160: [row(160, 1), row(160, 2)]})
    import_location(str(tmp_path / "manifest.json"), name="NA world")
    parent = Source.objects.get(name="NA world")
    iran = roots_of(parent)["160"]
    assert Meeting.objects.public().filter(source=iran).count() == 2
    Export(tmp_path, {113: [row(113, 1)], 160: [row(160, 1), row(160, 2)]}, stale=[160])
    report = sync_one(parent)
    assert any(w.key == "root 160" and "more than 14 days" in w.message for w in report.warnings)
    iran.refresh_from_db()
    assert iran.last_status == SyncStatus.STALE and status(iran) == "stale"
    assert Meeting.objects.public().filter(source=iran).count() == 0  # never shown as current
    api = {r["name"]: r for r in client.get("/api/v1/sources").json()["results"]}
    assert api[iran.name]["status"] == "stale" and "14 days" in api[iran.name]["last_error"]
    Export(tmp_path, {113: [row(113, 1)], 160: [row(160, 1), row(160, 2)]})  # it recovers
    sync_one(parent)
    iran.refresh_from_db()
    assert status(iran) == "ok" and Meeting.objects.public().filter(source=iran).count() == 2


@pytest.mark.django_db
def test_a_root_stale_the_first_time_we_see_it_is_shown_stale_with_no_meetings(tmp_path, client):
    Export(tmp_path, {113: [row(113, 1)], 160: [row(160, 1)]}, stale=[160])
    report = import_location(str(tmp_path / "manifest.json"), name="NA world")
    assert report.added == 1
    iran = roots_of(Source.objects.get(name="NA world"))["160"]
    assert status(iran) == "stale" and Meeting.objects.filter(source=iran).count() == 0
    api = {r["name"]: r for r in client.get("/api/v1/sources").json()["results"]}
    assert api[iran.name]["status"] == "stale"
    ireland = roots_of(Source.objects.get(name="NA world"))["113"]
    Source.objects.filter(pk=ireland.pk).update(last_ok_at=ireland.last_ok_at - timedelta(days=5))
    again = sync_one(Source.objects.get(name="NA world"))
    assert again.unchanged == 1  # the meetings of the root that did not change
    ireland.refresh_from_db()
    assert status(ireland) == "ok"  # its file did not change: the manifest vouches for it


@pytest.mark.django_db
def test_a_root_read_from_its_own_server_is_left_to_it(tmp_path):
    Source.objects.create(
        name="NA Ireland", format="bmlt", location="https://bmlt.example.ie/main_server/", registry_key="bmlt-roots:113"
    )
    export = Export(tmp_path, {113: [row(113, 1)], 160: [row(160, 1)]})
    report = import_location(export.manifest, name="NA world")
    assert set(roots_of(Source.objects.get(name="NA world"))) == {"160"}
    assert any(w.key == "root 113" and "read from its own server (NA Ireland)" in w.message for w in report.warnings)


@pytest.fixture
def served(settings, monkeypatch):
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    monkeypatch.setattr(fetch, "resolve", lambda host, port: ["127.0.0.1"])
    servers = []
    yield servers
    for server in servers:
        server.close()


def serve(folder, servers) -> FeedServer:
    routes = {
        f"/aggregator/{path.relative_to(folder)}": Route(
            path.read_bytes(), content_type="application/gzip", etag=f'"{hashlib.md5(path.read_bytes()).hexdigest()}"'
        )
        for path in folder.rglob("*")
        if path.is_file()
    }
    server = FeedServer(routes)
    servers.append(server)
    return server


@pytest.mark.django_db
def test_only_the_roots_that_changed_are_fetched_again(tmp_path, served):
    Export(tmp_path, {113: [row(113, 1)], 160: [row(160, 1)]})
    server = serve(tmp_path, served)
    url = server.url.replace("127.0.0.1", "cdn.example.org") + "/aggregator/manifest.json"
    assert import_location(url, name="NA world", format="bmlt-export").added == 2
    first = len(server.hits)
    assert first == 5  # the manifest, two roots' files, formats and service bodies, once each
    Export(tmp_path, {113: [row(113, 1, meeting_name="Renamed")], 160: [row(160, 1)]})
    server.routes.update(serve(tmp_path, []).routes)
    report = sync_one(Source.objects.get(name="NA world"))
    paths = [h["path"] for h in server.hits[first:]]
    assert "/aggregator/meetings/root-160.ndjson.gz" not in paths  # its checksum did not move
    assert "/aggregator/meetings/root-113.ndjson.gz" in paths and report.updated == 1
    assert Meeting.objects.get(name="Renamed")


@pytest.mark.django_db(transaction=True)  # real commits: each root's commit announces its data version
@pytest.mark.parametrize("how", ["import", "sync"])
def test_the_exports_roots_are_published_once_not_after_each_root(tmp_path, monkeypatch, how):
    """The export is forty roots in one source: publishing the feed files and the BMLT material after
    each root's commit was most of a world sync. The roots' run publishes once, at its end, and the
    search index is brought forward after each root."""
    from commonground.feeds.schedule import sync_all
    from commonground.meetings.models import DataVersion
    from commonground.search import store
    from commonground.web import publishing

    published: list[tuple] = []
    plain = publishing.publish_current
    monkeypatch.setattr(publishing, "publish_current", lambda **kw: published.append(plain(**kw)))
    export = Export(tmp_path, {root: [row(root, n) for n in range(1, 4)] for root in (113, 160, 161)})
    if how == "import":
        report = import_location(export.manifest, name="NA world")
    else:
        parent = Source.objects.create(name="NA world", format="bmlt-export", location=export.manifest)
        (report,) = sync_all([parent])
    assert report.added == 9
    assert published == [DataVersion.current_with_time()]
    assert store.load(DataVersion.current_with_time()) is not None
