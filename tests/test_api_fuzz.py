"""Schemathesis over our own OpenAPI description: no server errors, every error in the one shape.

It generates valid and invalid requests for every operation from /api/v1/openapi.json and sends
them to the app in-process (WSGI: nothing leaves the machine). About a minute in all.
"""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

pytestmark = pytest.mark.slow  # subprocesses or many generated cases: `scripts/test --fast` skips them

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


@pytest.fixture
def data(demo_meetings):
    """Demo meetings, and the test's database connection kept open across WSGI calls.

    A real request closes a connection that is inside a transaction; the test's data lives in
    one (PostgreSQL), so, as Django's own test client does, requests here leave it open.
    """
    from django.core import signals
    from django.db import close_old_connections

    demo_meetings(300)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=250, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_errors_have_one_shape(case, data):
    response = case.call(headers={"Accept-Encoding": "identity"})  # read the JSON as sent
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"]
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/json"), response.text[:200]
        body = json.loads(response.content)
        assert set(body) == {"error"}, body
        error = body["error"]
        assert error["status"] == response.status_code
        assert {"status", "code", "message", "field"} <= set(error) and error["message"].strip()
