"""The database router: web workers read public finder data from a replica; writes, private data
and transactions stay on the primary; only the primary is migrated (docs/deploy.md)."""

import os
import subprocess
import sys

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from commonground import replicas
from commonground.catalog.models import Program
from commonground.journal.models import CheckIn
from commonground.meetings.models import DataVersion, Meeting
from commonground.peer.models import Participant
from commonground.replicas import ReplicaRouter


@pytest.fixture
def two_replicas(monkeypatch):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1", "replica2"])
    replicas.use_replicas(True)
    yield
    replicas.use_replicas(False)


def test_public_reads_go_to_one_replica_per_process(two_replicas):
    router = ReplicaRouter()
    chosen = {router.db_for_read(model) for model in (Meeting, DataVersion, Program) for _ in range(5)}
    assert len(chosen) == 1 and chosen <= {"replica1", "replica2"}


def test_private_data_writes_and_migrations_stay_on_the_primary(two_replicas):
    router = ReplicaRouter()
    assert router.db_for_read(CheckIn) == router.db_for_read(Participant) == "default"
    assert router.db_for_write(Meeting) == router.db_for_write(CheckIn) == "default"
    assert router.allow_migrate("default", "meetings") and not router.allow_migrate("replica1", "meetings")


def test_nothing_reads_a_replica_unless_the_process_serves_the_web(monkeypatch):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1"])
    replicas.use_replicas(False)
    assert ReplicaRouter().db_for_read(Meeting) == "default"


@pytest.mark.django_db
def test_a_transaction_reads_its_own_writes_on_the_primary(two_replicas):
    with transaction.atomic():
        assert ReplicaRouter().db_for_read(Meeting) == "default"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_search_reads_the_replica_end_to_end(client, demo_meetings, monkeypatch):
    """A second connection to the same database stands in for the replica: every query a search
    makes (the data version, the page of meetings, the other listings) goes to it."""
    demo_meetings(200)
    connections["replica1"] = connections.create_connection("default")  # its own connection
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1"])
    replicas.use_replicas(True)
    try:
        warm = client.get("/api/v1/meetings", {"mode": "online", "limit": 5}).json()["results"]  # index warm
        # Another source lists the first result too, so the search also reads the other listings.
        shown = [r["id"] for r in warm]
        Meeting.objects.filter(pk=Meeting.objects.exclude(pk__in=shown).values_list("pk", flat=True).first()).update(
            duplicate_of_id=shown[0]
        )
        with (
            CaptureQueriesContext(connections["replica1"]) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_primary,
        ):
            response = client.get("/api/v1/meetings", {"mode": "online", "limit": 5})
        assert response.status_code == 200 and len(response.json()["results"]) == 5
        assert len(on_replica) >= 3, [q["sql"] for q in on_replica]
        assert any("duplicate_of_id" in q["sql"] and " OR " in q["sql"] for q in on_replica)  # the listings
        assert not [q for q in on_primary if "meetings_" in q["sql"] or "catalog_" in q["sql"]]
    finally:
        replicas.use_replicas(False)
        connections["replica1"].close()
        del connections["replica1"]


@pytest.mark.slow
def test_replica_urls_become_mirrored_aliases():
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({a: [d['ENGINE'], d['NAME'], d.get('TEST', {}).get('MIRROR')] "
        "for a, d in settings.DATABASES.items()}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commonground.settings",
        "DATABASE_URL": "postgres://cg@127.0.0.1:5432/primary",
        "DATABASE_REPLICA_URLS": "postgres://cg@127.0.0.1:5433/primary, postgres://cg@127.0.0.1:5434/primary",
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert '"replica1": ["django.db.backends.postgresql", "primary", "default"]' in done.stdout
    assert '"replica2"' in done.stdout and '"replica3"' not in done.stdout
