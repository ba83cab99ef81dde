"""Every workspace view goes through ``staff_view``: sign-in with a second factor, the permission
(``rules.py``), the organisation's own objects only, and an audit record. Nowhere else.

- Not signed in, or no second factor yet: off to sign in (pages) or 401 (API).
- Another organisation's participant, or one outside a specialist's caseload: 404, as if it did
  not exist.
- Every answer, including a refusal, writes an audit record naming the view (the "why"). A refusal
  of an object (another organisation's, or an id that does not exist) is recorded as "denied",
  naming the object asked for: probes leave a trace.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from commonground.errors import error_response
from commonground.peer import audit
from commonground.peer.models import Participant, Staff

SESSION_SECONDS = 15 * 60  # HIPAA §164.312(a)(2)(iii) automatic logoff: 15 minutes idle


def signed_in_staff(request) -> Staff | None:
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return None
    staff = Staff.objects.select_related("organisation").filter(user=user, active=True).first()
    return staff


class NotPermitted(Http404):
    pass


def staff_view(perm: str = "peer.use_workspace", *, participant: bool = False, api: bool = False):
    """Wrap a view ``fn(request, staff, participant_or_None, **kwargs)``."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            staff = signed_in_staff(request)
            name = f"peer.{view.__name__}"
            if staff is None:
                audit.record(
                    user=request.user if request.user.is_authenticated else None,
                    action="refused",
                    view=name,
                    address=audit.address_of(request),
                )
                if api:
                    return error_response(
                        401, "Sign in to the workspace, with your second factor.", code="not_signed_in"
                    )
                return redirect_to_login(request.get_full_path(), login_url="peer:signin")
            found = None
            if participant:
                asked = kwargs.pop("pk")
                found = Participant.objects.filter(organisation=staff.organisation, pk=asked).first()
            allowed = request.user.has_perm(perm, found) if participant else request.user.has_perm(perm)
            if participant and (found is None or not allowed):
                _denied(request, staff, name, "Participant", asked)
                raise NotPermitted("Not found.")
            if not allowed:
                audit.record(
                    user=request.user,
                    organisation_id=staff.organisation_id,
                    action="refused",
                    view=name,
                    address=audit.address_of(request),
                )
                raise NotPermitted("Not found.")
            request.audit_object = ("Participant", found.pk) if found else ("", "")
            participant_pk = found.pk if found else None  # kept: a deletion clears found.pk
            try:
                response = view(request, staff, found, *args, **kwargs)
            except Http404:
                kind, object_id = _object_asked(kwargs)
                _denied(request, staff, name, kind, object_id, participant_pk)
                raise
            kind, object_id = request.audit_object
            action = "view" if request.method in ("GET", "HEAD") else "change"
            audit.record(
                user=request.user,
                organisation_id=staff.organisation_id,
                action=getattr(request, "audit_action", action),
                view=name,
                object_type=kind,
                object_id=object_id,
                participant_id=participant_pk,
                address=audit.address_of(request),
            )
            return response

        wrapper.audited = True
        wrapper.permission = perm
        return wrapper

    return decorate


def _object_asked(kwargs) -> tuple[str, str]:
    """The object a URL names by its last ``<kind>_pk`` part ("consent_pk" -> Consent)."""
    names = [k for k in kwargs if k.endswith("_pk")]
    if not names:
        return "", ""
    return names[-1][:-3].title(), kwargs[names[-1]]


def _denied(request, staff, view_name, kind, object_id, participant_pk=None) -> None:
    audit.record(
        user=request.user,
        organisation_id=staff.organisation_id,
        action="denied",
        view=view_name,
        object_type=kind,
        object_id=object_id,
        participant_id=participant_pk,
        address=audit.address_of(request),
    )


def public_view(view):
    """Sign-in and set-up pages: no staff yet, but still audited (attempts included)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        user = request.user if request.user.is_authenticated else None
        staff = getattr(user, "peer_staff", None) if user else None
        audit.record(
            user=user,
            organisation_id=staff.organisation_id if staff else None,
            action=getattr(request, "audit_action", "view" if request.method == "GET" else "attempt"),
            view=f"peer.{view.__name__}",
            address=audit.address_of(request),
        )
        return response

    wrapper.audited = True
    return wrapper


def object_of(participant, model, pk):
    """A record (encounter, referral, consent ...) of this participant, or 404."""
    found = model.objects.filter(participant=participant, pk=pk).first()
    if found is None:
        raise Http404("Not found.")
    return found
