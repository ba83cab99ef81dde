"""The permission matrix: every workspace URL and API endpoint, for each role in its own
organisation and in another one. Another organisation's data answers 404; a page outside a
role answers 404 too; a signed-out visitor is sent to sign in (pages) or gets 401 (API).
A URL added to peer/urls.py without a row here fails the test."""

import pytest
from django.test import Client
from django.urls import reverse

from commonground.peer import urls as peer_urls
from commonground.peer.models import Consent, Referral
from tests.peer.conftest import helpline_with_a_shift
from tests.tiers import sweep

ROLES = ("a_supervisor", "a_one", "a_two", "b_supervisor", "b_one")
PUBLIC = {"setup", "signin", "enrol", "verify", "signout"}
OK = (200, 302)

# name -> (method, kwargs maker, {role: allowed?}); a role not allowed must get 404.
EVERYONE = {role: True for role in ROLES}
CASELOAD = {"a_supervisor": True, "a_one": True, "a_two": False, "b_supervisor": False, "b_one": False}
SUPERVISOR_A = {"a_supervisor": True, "a_one": False, "a_two": False, "b_supervisor": False, "b_one": False}
SUPERVISORS = {"a_supervisor": True, "a_one": False, "a_two": False, "b_supervisor": True, "b_one": False}
ADMINS_OWN_STAFF = {"a_supervisor": True, "a_one": False, "a_two": False, "b_supervisor": False, "b_one": False}
ADMINS = {"a_supervisor": True, "a_one": False, "a_two": False, "b_supervisor": True, "b_one": False}


def none(w):
    return {}


def p1(w):
    return {"pk": w["people"]["p1"].pk}


def consent(w):
    return {"pk": w["people"]["p1"].pk, "consent_pk": w["consent"].pk}


def referral(w):
    return {"pk": w["people"]["p1"].pk, "referral_pk": w["referral"].pk}


def shift(w):
    return {"shift_pk": w["shift"].pk}


MATRIX = {
    "dashboard": ("get", none, EVERYONE),
    "participants": ("get", none, EVERYONE),
    "participant_new": ("get", none, EVERYONE),
    "participant": ("get", p1, CASELOAD),
    "consent_new": ("get", p1, CASELOAD),
    "consent_print": ("get", consent, CASELOAD),
    "consent_revoke": ("post", consent, CASELOAD),
    "encounter_new": ("get", p1, CASELOAD),
    "barc_new": ("get", p1, CASELOAD),
    "barc_chart": ("get", p1, CASELOAD),
    "referral_new": ("get", p1, CASELOAD),
    "referral_treatment": ("get", p1, CASELOAD),
    "referral_sheet": ("get", referral, CASELOAD),
    "follow_up": ("get", referral, CASELOAD),
    "companion_link": ("get", p1, CASELOAD),
    "participant_export": ("get", p1, SUPERVISOR_A),
    "participant_delete": ("get", p1, SUPERVISOR_A),
    "staff": (
        "get",
        none,
        {"a_supervisor": True, "a_one": False, "a_two": False, "b_supervisor": True, "b_one": False},
    ),
    "staff_deactivate": ("post", lambda w: {"staff_pk": w["staff"]["a_two"].pk}, ADMINS_OWN_STAFF),
    "settings": (
        "get",
        none,
        {"a_supervisor": True, "a_one": False, "a_two": False, "b_supervisor": True, "b_one": False},
    ),
    "helpline": ("get", none, ADMINS),
    "shift_new": ("get", none, ADMINS),
    "shift_edit": ("get", shift, ADMINS_OWN_STAFF),
    "shift_delete": ("post", shift, ADMINS_OWN_STAFF),
    "report": ("get", none, SUPERVISORS),
    "report_chart": ("get", none, SUPERVISORS),
    "audit": ("get", none, SUPERVISORS),
}
API = {
    "api_dashboard": (none, EVERYONE),
    "api_participants": (none, EVERYONE),
    "api_participant": (p1, CASELOAD),
    "api_report": (none, SUPERVISORS),
}


@pytest.fixture
def w(world):
    p = world["people"]["p1"]
    world["consent"] = Consent.objects.create(
        participant=p,
        discloser="Harbor",
        recipients="groups",
        information=["identity"],
        purpose="connect",
        revocation="tell us",
        covers_referrals=True,
        signature={"typed_name": "J R"},
    )
    world["referral"] = Referral.objects.create(
        participant=p,
        staff=world["staff"]["a_one"],
        made_on="2026-11-01",
        kind="program",
        program="aa",
        follow_up_on="2026-11-08",
    )
    world["shift"] = helpline_with_a_shift(world["orgs"]["a"])
    return world


def test_every_url_has_a_row():
    names = {p.name for p in peer_urls.urlpatterns}
    assert names == PUBLIC | set(MATRIX), names ^ (PUBLIC | set(MATRIX))
    assert {p.name for p in peer_urls.api_urlpatterns} == set(API)


@pytest.mark.django_db
@sweep("name", sorted(MATRIX))  # the fast tier: one page, for every role
@pytest.mark.parametrize("role", ROLES)
def test_pages(w, name, role):
    method, kwargs, allowed = MATRIX[name]
    url = reverse(f"peer:{name}", kwargs=kwargs(w))
    response = getattr(w["clients"][role], method)(url)
    if allowed[role]:
        assert response.status_code in OK, (name, role, response.status_code)
    else:
        assert response.status_code == 404, (name, role, response.status_code)
        assert b"Jordan" not in response.content and b"P-ONE111" not in response.content


@pytest.mark.django_db
@sweep("name", sorted(MATRIX))
def test_pages_signed_out_and_without_a_second_factor(w, name):
    method, kwargs, _allowed = MATRIX[name]
    url = reverse(f"peer:{name}", kwargs=kwargs(w))
    response = getattr(Client(), method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/peer/signin")
    half = Client()
    half.force_login(w["staff"]["a_supervisor"].user, backend="django.contrib.auth.backends.ModelBackend")
    response = getattr(half, method)(url)  # a passphrase alone is not enough
    assert response.status_code == 302 and response["Location"].startswith("/peer/signin")


@pytest.mark.django_db
@sweep("name", sorted(API))
@sweep("role", ROLES)
def test_api(w, name, role):
    kwargs, allowed = API[name]
    response = w["clients"][role].get(reverse(f"peer_api:{name}", kwargs=kwargs(w)))
    if allowed[role]:
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    else:
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
        assert "Jordan" not in response.content.decode()


@pytest.mark.django_db
def test_api_signed_out_is_401_in_the_error_shape(w):
    response = Client().get(reverse("peer_api:api_dashboard"))
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_signed_in"


@pytest.mark.django_db
def test_a_specialist_sees_only_their_own_caseload_in_lists(w):
    page = w["clients"]["a_two"].get("/peer/participants").content.decode()
    assert "P-TWO222" in page and "P-ONE111" not in page and "P-THREE3" not in page
    listed = w["clients"]["b_supervisor"].get("/api/v1/peer/participants").json()["results"]
    assert [r["code"] for r in listed] == ["P-THREE3"]
