"""Issue 25, item 12: no private answer may be kept by a browser's cache or a proxy.

Every URL of the private namespaces (the companion, the workspace, its API and the admin) is found
by walking the URL resolver, not listed by hand, and requested with GET and POST, signed in as the
right kind of user and signed out. Whatever the status (a page, JSON, a CSV, an ``.ics`` file, a
chart, a redirect, a 404, a 500), the answer says ``no-store``. The finder's public answers keep
their caching.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from django.urls.resolvers import RegexPattern
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonground.journal.models import Account, Clock
from commonground.private.ids import OpaqueId
from commonground.private.ids import encode as oid
from commonground.web.privacy import PRIVATE_NAMESPACES
from tests.peer.conftest import make_staff, world  # noqa: F401 (world: a fixture)
from tests.tiers import sweep

SAMPLES = {IntConverter: "1", SlugConverter: "cravings", StringConverter: "x", PathConverter: "1"}


def _route_example(pattern) -> str:
    """A concrete piece of address that ``pattern`` matches (converters and named groups filled in)."""
    if isinstance(pattern, RegexPattern):
        text = pattern._regex.lstrip("^").rstrip("$")
        # A named group of literal choices takes the first; any other group takes a plain word.
        return re.sub(
            r"\(\?P<\w+>([^)]*)\)",
            lambda m: m.group(1).split("|")[0] if re.fullmatch(r"[\w|]+", m.group(1)) else "x",
            text,
        )
    route = str(pattern)
    for name, converter in pattern.converters.items():
        sample = converter.to_url(1) if isinstance(converter, OpaqueId) else SAMPLES[type(converter)]
        route = re.sub(rf"<(?:\w+:)?{name}>", sample, route)
    return route


def private_urls():
    """(namespace, url name, path) for every URL pattern under a private namespace."""
    out = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, prefix + _route_example(entry.pattern), entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace in PRIVATE_NAMESPACES:
                out.append((namespace, entry.name or "", "/" + prefix + _route_example(entry.pattern)))

    walk(get_resolver(), "", None)
    return out


URLS = private_urls()


def test_item25_12_the_walk_finds_every_private_area_and_each_example_address_reaches_its_pattern():
    namespaces = {ns for ns, _name, _path in URLS}
    assert namespaces == {"journal", "peer", "peer_api", "admin"} == set(PRIVATE_NAMESPACES)
    assert len(URLS) > 100
    for _ns, name, path in URLS:
        match = resolve(path)
        assert match.namespace in PRIVATE_NAMESPACES, path
        if name:
            assert match.url_name == name, (path, match.url_name, name)


def assert_never_stored(response, what):
    cache_control = response.get("Cache-Control", "")
    directives = {d.strip().split("=")[0].lower() for d in cache_control.split(",")}
    assert "no-store" in directives, (what, response.status_code, cache_control)
    assert "public" not in directives, (what, cache_control)
    assert response.get("Pragma") == "no-cache", (what, response.status_code)
    assert "cookie" in response.get("Vary", "").lower(), (what, response.status_code, response.get("Vary"))


@pytest.fixture
def visitors(world):  # noqa: F811
    """Signed-in clients of each kind: a companion user, workspace staff, a superuser; and nobody."""
    users = get_user_model()
    person = users.objects.create_user("quiet-river", password="lantern harbour pebble")
    Account.objects.create(user=person, data={"timezone": "America/Chicago"})
    clock = Clock.objects.create(
        user=person,
        data={
            "name": "c",
            "start_date": "2026-01-01",
            "start_time": None,
            "timezone": "UTC",
            "convention": "plain",
            "slips": [],
            "stretches": [],
        },
    )
    admin = users.objects.create_superuser("site-admin", password="a long admin passphrase")

    def companion():
        client = Client(raise_request_exception=False)
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        return client

    def superuser():
        client = Client(raise_request_exception=False)
        client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return {
        "journal": [companion],
        "peer": [lambda: world["clients"]["a_one"], lambda: world["clients"]["a_supervisor"]],
        "peer_api": [lambda: world["clients"]["a_one"]],
        "admin": [superuser],
        "ids": {"journal": clock.pk},
        "world": world,
    }


def _with_real_ids(ns, path, visitors):
    """Put a real object's id in the first id slot, so object pages answer 200, not only 404."""
    real = visitors["ids"].get(ns) or visitors["world"]["people"]["p1"].pk
    return re.sub(r"/1(?=/|$|\.)", f"/{real}", path, count=1) if ns != "admin" else path


@pytest.mark.django_db
@sweep(("ns", "name", "path"), URLS, ids=[f"{ns}:{name or path}" for ns, name, path in URLS])
def test_item25_12_every_private_url_answers_no_store_whatever_its_status(visitors, ns, name, path):
    path = _with_real_ids(ns, path, visitors)
    statuses = set()
    for make in [*visitors[ns], lambda: Client(raise_request_exception=False)]:
        for method in ("get", "post"):
            client = make()
            response = getattr(client, method)(path)
            statuses.add(response.status_code)
            assert_never_stored(response, f"{method.upper()} {path}")
    assert statuses, path


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_12_the_answers_people_keep_are_no_store_too(visitors):
    """The pages the issue names, with their secrets on them, each seen answering 200."""
    person = visitors["journal"][0]()
    for path in ("/me/", "/me/calendar", "/me/trends", "/me/export", "/me/settings", "/me/plan/print", "/me/help"):
        response = person.get(path)
        assert response.status_code == 200, path
        assert_never_stored(response, path)
    response = person.post("/me/recovery-codes")
    assert response.status_code == 200 and b"<code>" in response.content
    assert_never_stored(response, "recovery codes")
    person.post("/me/calendar/new-link")
    token = Account.objects.get(user__username="quiet-river").data.calendar_token
    response = Client().get(f"/me/calendar/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert_never_stored(response, "calendar file")
    newcomer = make_staff(visitors["world"]["orgs"]["a"], "new-staff")
    TOTPDevice.objects.filter(user=newcomer.user).delete()  # signed in with a passphrase, no authenticator yet
    client = Client()
    client.force_login(newcomer.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/peer/enrol")
    assert response.status_code == 200 and b"otpauth://" in response.content
    assert_never_stored(response, "/peer/enrol with the TOTP secret")
    staff = visitors["world"]["clients"]["a_one"]
    p1 = visitors["world"]["people"]["p1"].pk
    for path in (
        f"/peer/participants/{oid('participant', p1)}",
        f"/api/v1/peer/participants/{oid('participant', p1)}",
        "/api/v1/peer/dashboard",
    ):
        response = staff.get(path)
        assert response.status_code == 200, path
        assert_never_stored(response, path)


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_12_addresses_under_a_private_prefix_that_match_nothing_are_no_store(visitors):
    person = visitors["journal"][0]()
    for path in (
        "/me/nothing-here",
        "/me",
        "/peer/nothing-here",
        "/api/v1/peer/nothing-here",
        "/admin",
        "/admin/nothing-here/",
    ):
        for client in (person, Client()):
            assert_never_stored(client.get(path), path)


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_12_a_server_error_and_a_csrf_refusal_on_a_private_url_are_no_store(visitors, monkeypatch):
    from commonground.journal import views_plan

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views_plan, "render", explode)
    response = visitors["journal"][0]().get("/me/help")
    assert response.status_code == 500
    assert_never_stored(response, "500")
    response = Client(enforce_csrf_checks=True).post("/me/signin", {"username": "x", "passphrase": "y"})
    assert response.status_code == 403
    assert_never_stored(response, "CSRF 403")


@pytest.mark.slow
@pytest.mark.django_db
def test_item25_12_public_finder_answers_stay_cacheable(program, make_meeting):
    from commonground.web.publishing import publish_current

    make_meeting()
    publish_current()
    client = Client()
    feed = client.get("/feeds/meeting-guide.json")
    assert feed.status_code == 200
    assert feed["Cache-Control"] == "public, max-age=300" and feed.has_header("ETag")
    assert client.get("/feeds/meeting-guide.json", HTTP_IF_NONE_MATCH=feed["ETag"]).status_code == 304
    bmlt = client.get("/bmlt/client_interface/json/?switcher=GetSearchResults")
    assert bmlt.status_code == 200 and bmlt["Cache-Control"] == "public, max-age=60" and bmlt.has_header("ETag")
    for path in ("/", "/meetings", "/programs", "/fit", "/api/v1/meetings", "/feeds/meeting-guide.json"):
        response = client.get(path)
        assert "no-store" not in response.get("Cache-Control", ""), path
        assert not response.has_header("Pragma"), path


@pytest.mark.slow
def test_item25_12_a_finder_page_built_for_a_signed_in_person_is_no_store(visitors, program, make_meeting):
    """A public page shown to a signed-in person carries their own state (a header link to their
    space, what they saved): on a shared phone it must not come back from the cache after sign-out."""
    from commonground.web.publishing import publish_current

    meeting = make_meeting()
    publish_current()
    signed_in = visitors["journal"][0]()
    for path in ("/", "/meetings", "/programs", "/fit", meeting.get_absolute_url()):
        response = signed_in.get(path)
        assert response.status_code in (200, 302), (path, response.status_code)
        assert "no-store" in response.get("Cache-Control", ""), path
    # The same pages for nobody in particular stay as they were: no cookie, nothing personal, cacheable.
    for path in ("/", "/meetings", "/programs", "/fit"):
        response = Client().get(path)
        assert "no-store" not in response.get("Cache-Control", ""), path
