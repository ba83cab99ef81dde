"""Every URL of the peer workspace (walked from the ``peer`` and ``peer_api`` namespaces, so a new
one is in without a row here) x every kind of visitor, against docs/peer.md's "Roles" table:

- nobody signed in, a companion account (with or without a second factor of its own), and a
  deactivated member of staff: sent to sign in (pages) or 401 (API), whatever the URL;
- staff of another organisation: another organisation's participant answers 404; its own
  organisation-wide pages follow its role;
- in the right organisation: a plain supervisor, a supervisor who is admin, a specialist whose
  caseload holds the participant, one whose caseload does not, and a specialist who is admin
  (docs: "organisation admin (a flag on either)").

Every answer writes an audit record naming the view, and every allowed access to a participant's
record writes one naming the participant and the member of staff (by their opaque id). Each visit
runs in a savepoint that is rolled back, so a POST (a revocation, a deactivation) leaves the next
visitor the same world.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonground.peer import audit
from commonground.peer.models import AuditRecord, Consent, Referral, Role
from tests.peer.conftest import helpline_with_a_shift, make_staff, signed_in

# docs/peer.md, "Roles", row by row (the URL names of each row).
WORKSPACE = {"dashboard", "participants", "participant_new", "api_dashboard", "api_participants"}
RECORD = {
    "participant",
    "consent_new",
    "consent_print",
    "consent_revoke",
    "encounter_new",
    "barc_new",
    "barc_chart",
    "referral_new",
    "referral_treatment",
    "referral_sheet",
    "follow_up",
    "companion_link",
    "api_participant",
}
EXPORT_DELETE = {"participant_export", "participant_delete"}
REPORTS_AUDIT = {"report", "report_chart", "audit", "api_report"}
STAFF_SETTINGS = {"staff", "staff_deactivate", "settings", "helpline", "shift_new", "shift_edit", "shift_delete"}
SIGN_IN = {"setup", "signin", "enrol", "verify", "signout"}
POST_ONLY = {"consent_revoke", "staff_deactivate", "shift_delete", "signout"}

# visitor -> (organisation "a" or "b" or None, role, admin, holds P1 in their caseload)
STAFF = {
    "a_supervisor": ("a", Role.SUPERVISOR, True, True),
    "a_sup_plain": ("a", Role.SUPERVISOR, False, True),
    "a_one": ("a", Role.SPECIALIST, False, True),
    "a_two": ("a", Role.SPECIALIST, False, False),
    "a_spec_admin": ("a", Role.SPECIALIST, True, False),
    "b_supervisor": ("b", Role.SUPERVISOR, True, False),
    "b_one": ("b", Role.SPECIALIST, False, False),
}
OUTSIDERS = ("anonymous", "companion", "companion_with_otp", "a_deactivated")


def peer_patterns():
    """(namespace, URLPattern) for every URL under the two peer namespaces."""
    found = []

    def walk(resolver, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace in ("peer", "peer_api"):
                found.append((namespace, entry))

    walk(get_resolver(), None)
    return found


PATTERNS = peer_patterns()


def expected(visitor: str, name: str) -> str:
    """'ok', 'refused' (404), or 'sign_in' (a redirect to sign in, or a 401 from the API)."""
    if visitor in OUTSIDERS:
        return "sign_in"
    org, role, admin, caseload = STAFF[visitor]
    supervisor = role == Role.SUPERVISOR
    if name in WORKSPACE:
        return "ok"
    if name in RECORD:  # P1 is organisation A's
        return "ok" if org == "a" and caseload else "refused"
    if name in EXPORT_DELETE:
        return "ok" if org == "a" and supervisor else "refused"
    if name in REPORTS_AUDIT:
        return "ok" if supervisor else "refused"
    if name in ("staff_deactivate", "shift_edit", "shift_delete"):  # the specialist and the shift are A's
        return "ok" if org == "a" and admin else "refused"
    if name in STAFF_SETTINGS:
        return "ok" if admin else "refused"
    raise AssertionError(f"{name} is in no row of docs/peer.md's Roles table: add it there and here")


def test_every_peer_url_is_in_a_row_of_the_roles_table():
    names = {p.name for _ns, p in PATTERNS}
    rows = WORKSPACE | RECORD | EXPORT_DELETE | REPORTS_AUDIT | STAFF_SETTINGS | SIGN_IN
    assert names == rows, names ^ rows
    assert len(PATTERNS) == len(names), "two URLs share a name"


@pytest.fixture
def visitors(world):
    a = world["orgs"]["a"]
    p1 = world["people"]["p1"]
    staff = dict(world["staff"])
    staff["a_sup_plain"] = make_staff(a, "fay-sup", Role.SUPERVISOR)
    staff["a_spec_admin"] = make_staff(a, "gus-adm", Role.SPECIALIST, is_admin=True)
    gone = make_staff(a, "hal-gone")
    clients = {name: signed_in(s) for name, s in staff.items()}
    clients["a_deactivated"] = signed_in(gone)
    gone.active = False
    gone.save()
    user_model = get_user_model()
    clients["anonymous"] = Client()
    companion = Client()
    companion.force_login(
        user_model.objects.create_user("quiet-river", password="lantern harbour pebble"),
        backend="django.contrib.auth.backends.ModelBackend",
    )
    clients["companion"] = companion
    # A companion account that has a confirmed second factor of its own still has no staff row.
    other = user_model.objects.create_user("still-lake", password="lantern harbour pebble")
    device = TOTPDevice.objects.create(user=other, name="authenticator", confirmed=True)
    with_otp = Client()
    with_otp.force_login(other, backend="django.contrib.auth.backends.ModelBackend")
    session = with_otp.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    clients["companion_with_otp"] = with_otp
    consent = Consent.objects.create(
        participant=p1,
        discloser="Harbor",
        recipients="groups",
        information=["identity"],
        purpose="connect",
        revocation="tell us",
        covers_referrals=True,
        signature={"typed_name": "J R"},
    )
    referral = Referral.objects.create(
        participant=p1,
        staff=staff["a_one"],
        made_on="2026-11-01",
        kind="program",
        program="aa",
        follow_up_on="2026-11-08",
        shares_identity=True,
        consent=consent,
    )
    shift = helpline_with_a_shift(a)
    kwargs = {
        "pk": p1.pk,
        "consent_pk": consent.pk,
        "referral_pk": referral.pk,
        "staff_pk": staff["a_two"].pk,
        "shift_pk": shift.pk,
    }
    users = {name: s.user for name, s in staff.items()} | {"a_deactivated": gone.user}
    return {"clients": clients, "kwargs": kwargs, "p1": p1, "users": users}


def _url(namespace, pattern, kwargs) -> str:
    wanted = {k: kwargs[k] for k in pattern.pattern.converters}
    return reverse(f"{namespace}:{pattern.name}", kwargs=wanted)


def _outcome(response, api: bool) -> str:
    if response.status_code == 404:
        return "refused"
    if api and response.status_code == 401:
        return "sign_in"
    if not api and response.status_code == 302 and response["Location"].startswith("/peer/signin"):
        return "sign_in"
    if response.status_code in (200, 302):
        return "ok"
    return f"status {response.status_code}"


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize(
    "namespace,pattern", [p for p in PATTERNS if p[1].name not in SIGN_IN], ids=lambda v: getattr(v, "name", v)
)
def test_each_url_for_each_visitor(visitors, namespace, pattern):
    url = _url(namespace, pattern, visitors["kwargs"])
    method = "post" if pattern.name in POST_ONLY else "get"
    view_name = f"peer.{pattern.callback.__name__}"
    wrong = []
    for visitor, client in visitors["clients"].items():
        with transaction.atomic():
            before = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
            response = getattr(client, method)(url)
            got, want = _outcome(response, namespace == "peer_api"), expected(visitor, pattern.name)
            if got != want:
                wrong.append((visitor, want, got))
            if got != "ok":
                assert b"Jordan" not in response.content and b"P-ONE111" not in response.content, visitor
            added = list(AuditRecord.objects.filter(seq__gt=before))
            assert any(r.view == view_name for r in added), (visitor, view_name, [r.view for r in added])
            if got == "ok" and "pk" in pattern.pattern.converters:
                user = visitors["users"][visitor]
                assert any(
                    r.participant_id_at == visitors["p1"].pk
                    and r.user_id_at == audit.pseudonym(user.pk)
                    and r.action not in ("refused", "denied")
                    for r in added
                ), (visitor, added)
            if got == "refused":
                assert any(r.action in ("refused", "denied") for r in added), (visitor, [r.action for r in added])
            transaction.set_rollback(True)
    assert wrong == [], f"{pattern.name}: (visitor, docs say, got) {wrong}"
    assert audit.verify().ok


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGN_IN))
def test_the_sign_in_pages_answer_everyone_and_are_audited(visitors, name):
    url = reverse(f"peer:{name}")
    for visitor, client in visitors["clients"].items():
        with transaction.atomic():
            before = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
            response = getattr(client, "post" if name in POST_ONLY else "get")(url)
            assert response.status_code in (200, 302), (visitor, response.status_code)
            assert AuditRecord.objects.filter(seq__gt=before, view=f"peer.{name}").exists(), visitor
            transaction.set_rollback(True)
