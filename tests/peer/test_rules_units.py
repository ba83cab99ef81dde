"""Who may do what (``peer/rules.py``), the participant code rule and the invitation hash
(``peer/models.py``), and who the audit page names (``peer/audit.py::with_names``).

The oracles are written from the modules' docstrings and docs/peer.md, not from the code:

- a peer specialist sees their own caseload; a supervisor the organisation's whole caseload, its
  reports and the audit trail; an organisation admin (a flag on either role) manages staff and
  settings; nobody sees another organisation's participant; an inactive staff member, or one
  whose account is inactive, is nobody;
- the list of a staff member's participants (``caseload``) and the page permission for one
  participant (``in_caseload``) are the same rule, so they must agree on every pair;
- a participant code is 1 to 20 of A-Z (either case), digits, ``-`` and ``_``, starting with a
  letter or digit; a file name made from any stored code is safe;
- the audit page names the organisation's staff (under every audit key still in the ring) and
  shows anyone else as a short opaque id, never a name.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import re
import string

import pytest
import rules as rules_lib
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.peer import audit
from commonground.peer import rules as peer_rules
from commonground.peer.models import (
    AuditRecord,
    Invitation,
    Participant,
    Role,
    Staff,
    code_for_filename,
    invitation_hash,
    validate_code,
)

User = get_user_model()

# --- the permission table, without the database ---------------------------------------------------

ORG, OTHER_ORG, STAFF_PK = 1, 2, 10
# (label, organisation, specialist id) for the participant a staff member asks about.
PARTICIPANTS = {
    "none": None,
    "own": (ORG, STAFF_PK),
    "colleague's": (ORG, STAFF_PK + 1),
    "unassigned": (ORG, None),
    # Another organisation's participant whose specialist id happens to equal this staff member's:
    # the organisation must be checked first, whatever the ids say.
    "other org, same id": (OTHER_ORG, STAFF_PK),
    "other org": (OTHER_ORG, STAFF_PK + 1),
}


def staff_user(role: str, admin: bool, staff_active: bool, user_active: bool):
    user = User(username="someone", is_active=user_active)
    staff = Staff(user=user, organisation_id=ORG, role=role, is_admin=admin, active=staff_active, display_name="S")
    staff.pk = STAFF_PK
    return user


def participant(label: str):
    spec = PARTICIPANTS[label]
    if spec is None:
        return None
    return Participant(organisation_id=spec[0], code="P-1", specialist_id=spec[1])


def expected(perm: str, role: str, admin: bool, staff_active: bool, user_active: bool, label: str) -> bool:
    """docs/peer.md's table, in plain Python."""
    member = staff_active and user_active
    supervisor = member and role == Role.SUPERVISOR
    spec = PARTICIPANTS[label]
    same_org = spec is not None and spec[0] == ORG
    if perm in ("peer.use_workspace", "peer.enrol_participant"):
        return member
    if perm in ("peer.view_participant", "peer.change_participant"):
        return member and same_org and (role == Role.SUPERVISOR or spec[1] == STAFF_PK)
    if perm in ("peer.export_participant", "peer.delete_participant", "peer.view_reports", "peer.view_audit"):
        return supervisor
    if perm == "peer.manage_staff":
        return member and admin
    raise AssertionError(perm)


PERMS = [
    "peer.use_workspace",
    "peer.view_participant",
    "peer.change_participant",
    "peer.enrol_participant",
    "peer.export_participant",
    "peer.delete_participant",
    "peer.view_reports",
    "peer.view_audit",
    "peer.manage_staff",
]


def test_every_workspace_permission_is_in_the_table():
    """A permission added to rules.py without a row in ``expected`` fails here."""
    registered = {name for name in rules_lib.permissions.permissions if name.startswith("peer.")}
    assert registered == set(PERMS)


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.SUPERVISOR])
def test_every_permission_for_every_kind_of_staff_and_participant(role):
    """Exhaustive: 2 admin flags x 2 staff states x 2 account states x 6 participants x 9 permissions."""
    checked = 0
    for admin, staff_active, user_active in itertools.product((False, True), repeat=3):
        user = staff_user(role, admin, staff_active, user_active)
        for label, perm in itertools.product(PARTICIPANTS, PERMS):
            got = rules_lib.has_perm(perm, user, participant(label))
            assert got is expected(perm, role, admin, staff_active, user_active, label), (
                perm,
                role,
                admin,
                staff_active,
                user_active,
                label,
            )
            checked += 1
    assert checked == 8 * len(PARTICIPANTS) * len(PERMS)


@pytest.mark.parametrize(
    "user", [AnonymousUser(), User(username="walk-in", is_active=True)], ids=["anonymous", "account without staff"]
)
def test_someone_who_is_not_staff_may_do_nothing(user):
    for perm, label in itertools.product(PERMS, PARTICIPANTS):
        assert rules_lib.has_perm(perm, user, participant(label)) is False, (perm, label)


def test_a_supervisor_who_is_not_admin_may_not_manage_staff_and_an_admin_specialist_may():
    """The admin flag is independent of the role (docs/peer.md: "a flag on either role")."""
    assert not rules_lib.has_perm("peer.manage_staff", staff_user(Role.SUPERVISOR, False, True, True))
    admin_specialist = staff_user(Role.SPECIALIST, True, True, True)
    assert rules_lib.has_perm("peer.manage_staff", admin_specialist)
    assert not rules_lib.has_perm("peer.view_reports", admin_specialist)
    assert not rules_lib.has_perm("peer.view_participant", admin_specialist, participant("colleague's"))


# --- the list and the page agree --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_caseload_list_and_the_page_permission_agree_on_every_pair(world):
    org_a = world["orgs"]["a"]
    unassigned = Participant.objects.create(organisation=org_a, code="P-NOBODY", specialist=None)
    quiet = Staff.objects.create(
        user=User.objects.create_user("quiet-one", password="x" * 20), organisation=org_a, display_name="Quiet"
    )
    everyone = list(Participant.objects.all())
    seen = {}
    for staff in [*world["staff"].values(), quiet]:
        listed = set(peer_rules.caseload(staff).values_list("pk", flat=True))
        for p in everyone:
            assert (p.pk in listed) is peer_rules.in_caseload(staff.user, p), (staff.display_name, p.code)
        seen[staff.display_name] = {p.code for p in everyone if p.pk in listed}
    # And the hand-worked answers (conftest.world): who sees whom.
    assert seen["Ana-Sup"] == {"P-ONE111", "P-TWO222", "P-NOBODY"}
    assert seen["Ben-One"] == {"P-ONE111"} and seen["Cy-Two"] == {"P-TWO222"}
    assert seen["Dee-Sup"] == {"P-THREE3"} and seen["Eve-One"] == {"P-THREE3"}
    assert seen["Quiet"] == set()
    assert unassigned.pk not in set(peer_rules.caseload(world["staff"]["a_one"]).values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_specialist_promoted_to_supervisor_sees_the_whole_organisation_at_once(world):
    staff = world["staff"]["a_two"]
    assert {p.code for p in peer_rules.caseload(staff)} == {"P-TWO222"}
    Staff.objects.filter(pk=staff.pk).update(role=Role.SUPERVISOR)
    staff.refresh_from_db()
    assert {p.code for p in peer_rules.caseload(staff)} == {"P-ONE111", "P-TWO222"}


@pytest.mark.django_db
def test_the_caseload_list_leaves_who_they_are_encrypted_and_unread(world):
    """Lists never need a name: the encrypted fields are deferred, not decrypted for every row."""
    rows = list(peer_rules.caseload(world["staff"]["a_supervisor"]))
    assert rows and all({"identity", "interests"} <= row.get_deferred_fields() for row in rows)


# --- participant codes and file names -----------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
CODE_CHARS = ALNUM + "-_"
codes = st.one_of(
    st.text(alphabet=st.sampled_from(list(CODE_CHARS + " ./\n\r\t\x00éÅ٣Ａ'\"")), max_size=24),
    st.text(alphabet=st.sampled_from(list(CODE_CHARS)), min_size=18, max_size=22),
    st.text(max_size=22),
)


def code_is_good(code: str) -> bool:
    """docs/peer.md: 1 to 20 of A-Z (either case), digits, - and _, starting with a letter or digit."""
    return 1 <= len(code) <= 20 and code[0] in ALNUM and all(c in CODE_CHARS for c in code)


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
@given(codes)
def test_the_code_rule_is_exactly_the_documented_one(code):
    if code_is_good(code):
        validate_code(code)
    else:
        with pytest.raises(ValidationError):
            validate_code(code)


@pytest.mark.parametrize("code", ["A", "9", "a" * 20, "P-1_x", "0-_"])
def test_codes_at_the_edges_of_the_rule_are_taken(code):
    validate_code(code)


@pytest.mark.parametrize("code", ["", "a" * 21, "-A", "_A", "A\n", "\nA", "A ", "Ａ1", "٣1", None, 7])
def test_codes_just_outside_the_rule_are_refused(code):
    with pytest.raises(ValidationError):
        validate_code(code)


@settings(max_examples=60, deadline=None)
@given(codes)
def test_a_file_name_from_any_stored_code_is_safe(code):
    name = code_for_filename(code)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,20}", name), (code, name)
    assert code_for_filename(name) == name  # safe names stay as they are
    if code_is_good(code):
        assert name == code
    elif code:
        # Each unsafe character becomes one "_", so the name keeps the code's shape up to 20 characters.
        assert len(name) == min(len(code), 20)


# --- invitation codes ----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list(ALNUM + "-_")), min_size=1, max_size=40),
    st.sampled_from(["", " ", "\n", "\t ", " \r\n"]),
    st.sampled_from(["", " ", "\n", "  \n"]),
)
def test_an_invitation_code_is_stored_hashed_and_pasted_with_spaces_still_matches(code, before, after):
    stored = invitation_hash(code)
    assert re.fullmatch(r"[0-9a-f]{64}", stored)
    assert invitation_hash(before + code + after) == stored
    assert invitation_hash(code + "x") != stored


@pytest.mark.django_db
def test_the_command_s_code_is_the_one_the_set_up_page_looks_for():
    out = io.StringIO()
    call_command("peer_invite", stdout=out)
    code = out.getvalue().strip()
    assert code and not Invitation.objects.filter(code_hash=code).exists()  # never stored as it is
    assert Invitation.objects.filter(code_hash=invitation_hash(f"  {code}\n"), used_at__isnull=True).count() == 1


# --- who the audit page names ---------------------------------------------------------------------------


def key_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_an_opaque_id_depends_on_the_account_and_the_key_and_names_neither():
    ring = audit.AuditKeys("k1", {"k1": b"\x01" * 32, "k2": b"\x02" * 32})
    ids = {(pk, key): audit.pseudonym(pk, ring, key) for pk in (1, 2, 11, 12) for key in ("k1", "k2")}
    assert len(set(ids.values())) == len(ids)  # no two accounts, no two keys, give the same id
    assert all(re.fullmatch(r"[0-9a-f]{32}", v) for v in ids.values())
    assert audit.pseudonym(11, ring) == ids[(11, "k1")]  # the signing key by default
    # Worked out independently: HMAC-SHA256 of "user:<pk>" under the key, first 32 hex digits.
    import hmac

    assert ids[(2, "k2")] == hmac.new(b"\x02" * 32, b"user:2", hashlib.sha256).hexdigest()[:32]


@pytest.mark.django_db
def test_the_audit_page_names_its_own_staff_under_every_key_and_no_one_else(world, settings):
    a, b = world["orgs"]["a"], world["orgs"]["b"]
    one, eve, ana = world["staff"]["a_one"].user, world["staff"]["b_one"].user, world["staff"]["a_supervisor"].user
    gone = User.objects.create_user("left-already", password="x" * 20)
    old_key = settings.AUDIT_KEYS

    def act(user, view):
        return audit.record(user=user, organisation_id=a.pk, action="view", view=view)

    act(one, "before-rotation")
    act(gone, "by-someone-since-deleted")
    settings.AUDIT_KEYS = f"{key_text(b'r' * 32)},{old_key}"  # a new key signs, the old one still verifies
    act(one, "after-rotation")
    act(ana, "supervisor")
    act(eve, "other-organisation")
    act(None, "nobody-signed-in")
    gone.delete()
    assert audit.verify().ok

    def who(rows):
        return {r.view: r.who for r in rows}

    rows = list(AuditRecord.objects.order_by("seq"))
    by_view = {r.view: r for r in rows}
    assert by_view["before-rotation"].key_id != by_view["after-rotation"].key_id  # the rotation did happen
    names = who(audit.with_names(rows, a))
    assert names["before-rotation"] == names["after-rotation"] == "Ben-One (ben-one)"
    assert names["supervisor"] == "Ana-Sup (ana-sup)"
    assert names["nobody-signed-in"] == ""
    for view in ("other-organisation", "by-someone-since-deleted"):
        assert names[view] == f"#{by_view[view].user_id_at[:12]}", view
    assert not any(n in str(names.values()) for n in ("eve", "Eve", "left-already"))

    # Seen from the other organisation: its own specialist is named, ours are opaque.
    theirs = who(audit.with_names(list(AuditRecord.objects.order_by("seq")), b))
    assert theirs["other-organisation"] == "Eve-One (eve-one)"
    assert theirs["after-rotation"].startswith("#") and "Ben" not in theirs["after-rotation"]

    # The old key dropped from the ring: what it signed can no longer be tied to anyone.
    settings.AUDIT_KEYS = key_text(b"r" * 32)
    dropped = who(audit.with_names(list(AuditRecord.objects.order_by("seq")), a))
    assert dropped["before-rotation"].startswith("#") and dropped["after-rotation"] == "Ben-One (ben-one)"
