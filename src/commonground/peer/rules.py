"""Who may do what, in one place (the ``rules`` library): checked by ``access.staff_view`` for every
page and API endpoint, never in the views themselves.

- a peer specialist: their own caseload;
- a supervisor: the organisation's whole caseload, its reports and the audit trail;
- an organisation admin (a flag on either role): staff and settings.

Objects of another organisation never get this far: ``access`` looks them up inside the signed-in
person's organisation only, so they answer 404.
"""

from __future__ import annotations

import rules

from commonground.peer.models import Participant, Role


@rules.predicate
def is_staff_member(user) -> bool:
    staff = getattr(user, "peer_staff", None)
    return bool(staff and staff.active and user.is_active)


@rules.predicate
def is_supervisor(user) -> bool:
    return is_staff_member(user) and user.peer_staff.role == Role.SUPERVISOR


@rules.predicate
def is_org_admin(user) -> bool:
    return is_staff_member(user) and user.peer_staff.is_admin


@rules.predicate
def in_caseload(user, participant) -> bool:
    if participant is None or not is_staff_member(user):
        return False
    staff = user.peer_staff
    if participant.organisation_id != staff.organisation_id:
        return False
    return staff.role == Role.SUPERVISOR or participant.specialist_id == staff.pk


rules.add_perm("peer.use_workspace", is_staff_member)
rules.add_perm("peer.view_participant", in_caseload)
rules.add_perm("peer.change_participant", in_caseload)
rules.add_perm("peer.enrol_participant", is_staff_member)
rules.add_perm("peer.export_participant", is_supervisor)
rules.add_perm("peer.delete_participant", is_supervisor)
rules.add_perm("peer.view_reports", is_supervisor)
rules.add_perm("peer.view_audit", is_supervisor)
rules.add_perm("peer.manage_staff", is_org_admin)


def caseload(staff):
    """The participants a staff member's lists show: a supervisor's whole organisation, a specialist's
    own caseload. Lists never need who a participant is, so the encrypted fields stay undecrypted."""
    people = Participant.objects.filter(organisation=staff.organisation).defer("identity", "interests")
    return people if staff.role == Role.SUPERVISOR else people.filter(specialist=staff)
