"""A results page or API answer costs the same number of queries for 2 results as for 50: nothing
a result shows is read row by row (see search/rows.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

NOW = "2026-06-09T23:00:00Z"


def queries(client, path, limit):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"mode": "online", "now": NOW, "limit": limit})
    assert response.status_code == 200
    shown = response.json()["results"] if path.startswith("/api") else response.context["results"]
    assert len(shown) == limit
    return len(captured)


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/meetings", "/meetings"])
def test_queries_do_not_grow_with_the_results(client, demo_meetings, path):
    demo_meetings(1500)
    queries(client, path, 2)  # warm the index and the caches
    few = queries(client, path, 2)
    many = queries(client, path, 50)
    assert few == many, f"{few} queries for 2 results, {many} for 50"
