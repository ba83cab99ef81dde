"""Every private URL, walked as its owner, as another person and as a signed-out visitor.

Object addresses answer 404 to anyone but the owner (never 403: that would say the object
exists). Private pages without an object send a signed-out visitor to sign in, and show another
person only their own data. A URL added to journal/urls.py without a place here fails the test.
"""

import pytest
from django.test import Client
from django.urls import reverse

from commonground.journal import urls as journal_urls
from commonground.journal.models import Clock, Passkey, ShareGrant, Tried
from tests.tiers import sweep

PUBLIC = {"signup", "signin", "recover", "signout", "passkey_signin_options", "passkey_signin", "calendar_feed"}
OBJECT = {
    "clock": Clock,
    "clock_reset": Clock,
    "clock_delete": Clock,
    "clock_ics": Clock,
    "passkey_remove": Passkey,
    "tried_delete": Tried,
    "share_stop": ShareGrant,
}
PAGES = {
    "home",
    "signout_everywhere",
    "recovery_codes",
    "passkeys",
    "passkey_register_options",
    "passkey_register",
    "clock_new",
    "favourite",
    "went",
    "tried",
    "tried_new",
    "fit_save",
    "calendar",
    "calendar_new_link",
    "checkin",
    "trends",
    "plan",
    "plan_print",
    "help",
    "settings",
    "export",
    "delete",
    "share",
}
SECRET = "owner-only-words-5521"


def test_every_url_is_classified():
    names = {p.name for p in journal_urls.urlpatterns}
    assert names == PUBLIC | set(OBJECT) | PAGES, names ^ (PUBLIC | set(OBJECT) | PAGES)


@pytest.fixture
def owner_objects(person, db):
    owner = person(username="owner-one")
    user = owner.session["_auth_user_id"]
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.get(pk=user)
    objects = {
        Clock: Clock.objects.create(
            user=u,
            data={
                "name": SECRET,
                "start_date": "2026-01-01",
                "start_time": None,
                "timezone": "UTC",
                "convention": "plain",
                "slips": [],
                "stretches": [],
            },
        ),
        Passkey: Passkey.objects.create(user=u, credential_id="cred-owner", public_key="x", data={"name": SECRET}),
        Tried: Tried.objects.create(
            user=u,
            data={
                "program": "aa",
                "name": SECRET,
                "rating": 2,
                "date": "2026-01-02",
                "would_return": "no",
                "note": SECRET,
            },
        ),
        ShareGrant: ShareGrant.objects.create(user=u, code_hash="x" * 64, data={"shared_with": SECRET}),
    }
    owner.post("/me/plan", {"reasons": SECRET})
    owner.post("/me/checkin", {"mood": "3", "craving": "2", "note": SECRET})
    return owner, objects


def _url(name, obj=None):
    kwargs = {"pk": obj.pk} if obj is not None else {}
    return reverse(f"journal:{name}", kwargs=kwargs)


@pytest.mark.django_db
@sweep("name", sorted(OBJECT))
def test_objects_are_404_to_others_and_to_signed_out_visitors(owner_objects, person, name):
    owner, objects = owner_objects
    url = _url(name, objects[OBJECT[name]])
    other, anonymous = person(username="someone-else"), Client()
    for visitor in (other, anonymous):
        for method in (visitor.get, visitor.post):
            response = method(url)
            assert response.status_code in (404, 405), (name, method.__name__, response.status_code)
            assert SECRET.encode() not in response.content
    assert OBJECT[name].objects.filter(pk=objects[OBJECT[name]].pk).exists(), "nothing was changed or deleted"
    owner_answer = owner.get(url) if name in ("clock", "clock_ics") else owner.post(url)
    assert owner_answer.status_code in (200, 302)


@pytest.mark.django_db
@sweep("name", sorted(PAGES))
def test_private_pages_send_visitors_to_sign_in_and_show_others_only_their_own(owner_objects, person, name):
    url = _url(name)
    for method in (Client().get, Client().post):
        response = method(url)
        assert response.status_code in (302, 405), (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/me/signin?next=")
    other = person(username="someone-else")
    response = other.get(url)
    assert SECRET.encode() not in response.content, name


@pytest.mark.slow
@pytest.mark.django_db
def test_the_calendar_link_is_the_only_key_and_a_new_one_revokes_the_old(owner_objects):
    owner, _objects = owner_objects
    assert Client().get("/me/calendar/not-a-token.ics").status_code == 404
    owner.post("/me/calendar/new-link")
    page = owner.get("/me/calendar").content.decode()
    first = page.split('id="cal-url" type="text" readonly value="')[1].split('"')[0]
    path = first.split("testserver")[1]
    assert Client().get(path).status_code == 200
    owner.post("/me/calendar/new-link")
    assert Client().get(path).status_code == 404
    owner.post("/me/calendar/new-link", {"off": "1"})
    assert 'id="cal-url"' not in owner.get("/me/calendar").content.decode()
