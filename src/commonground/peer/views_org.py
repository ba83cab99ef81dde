"""The organisation: staff and settings (admins), reports and the audit trail (supervisors), a
participant's full record and its deletion (supervisors), and the companion link."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import orjson
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.peer import audit, reports
from commonground.peer.access import staff_view
from commonground.peer.forms import (
    WEEKDAYS,
    DeleteParticipantForm,
    HelplineForm,
    LinkForm,
    SettingsForm,
    ShiftForm,
    StaffForm,
)
from commonground.peer.models import AuditRecord, Participant, Staff, code_for_filename
from commonground.phone.models import Helpline, Shift
from commonground.private import ids


@staff_view("peer.manage_staff")
def staff_list(request, staff, _participant):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = get_user_model().objects.create_user(d["username"], password=d["passphrase"])
        made = Staff.objects.create(
            user=user,
            organisation=staff.organisation,
            role=d["role"],
            is_admin=d["is_admin"],
            display_name=d["display_name"],
        )
        request.audit_object = ("Staff", made.pk)
        return redirect("peer:staff")
    members = staff.organisation.staff.select_related("user").order_by("display_name")
    return render(request, "peer/staff.html", {"form": form, "members": members}, status=400 if form.errors else 200)


@require_POST
@staff_view("peer.manage_staff")
def staff_deactivate(request, staff, _participant, staff_pk: int):
    member = Staff.objects.filter(organisation=staff.organisation, pk=staff_pk).exclude(pk=staff.pk).first()
    if member is None:
        raise Http404("Not found.")
    member.active = False
    member.save(update_fields=["active"])
    request.audit_object = ("Staff", member.pk)
    return redirect("peer:staff")


@staff_view("peer.manage_staff")
def settings_page(request, staff, _participant):
    form = SettingsForm(request.POST or None, instance=staff.organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        request.audit_object = ("Organisation", staff.organisation_id)
        return redirect("peer:settings")
    return render(request, "peer/settings.html", {"form": form}, status=400 if form.errors else 200)


@staff_view("peer.manage_staff")
def helpline(request, staff, _participant):
    """The organisation's helpline (the phone app's ``Helpline``) and a list of its shifts."""
    org = staff.organisation
    line = org.helpline
    form = HelplineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            if org.helpline_id != saved.pk:
                org.helpline = saved
                org.save(update_fields=["helpline"])
        request.audit_object = ("Helpline", saved.pk)
        return redirect("peer:helpline")
    shifts = list(line.shifts.all()) if line else []
    return render(
        request,
        "peer/helpline.html",
        {"form": form, "line": line, "shifts": shifts, "weekdays": WEEKDAYS},
        status=400 if form.errors else 200,
    )


def _shift_of(staff, shift_pk: int) -> Shift:
    """One of the organisation's own shifts, or 404 (recorded as denied by ``staff_view``)."""
    line_id = staff.organisation.helpline_id
    found = Shift.objects.filter(helpline_id=line_id, pk=shift_pk).first() if line_id else None
    if found is None:
        raise Http404("Not found.")
    return found


def _shift_page(request, line: Helpline, shift: Shift | None):
    form = ShiftForm(request.POST or None, instance=shift or Shift(helpline=line))
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        request.audit_object = ("Shift", saved.pk)
        return redirect("peer:helpline")
    return render(
        request,
        "peer/shift.html",
        {"form": form, "line": line, "shift": shift},
        status=400 if form.errors else 200,
    )


@staff_view("peer.manage_staff")
def shift_new(request, staff, _participant):
    line = staff.organisation.helpline
    if line is None:  # a shift belongs to a helpline: set that first
        return redirect("peer:helpline")
    return _shift_page(request, line, None)


@staff_view("peer.manage_staff")
def shift_edit(request, staff, _participant, shift_pk: int):
    shift = _shift_of(staff, shift_pk)
    return _shift_page(request, shift.helpline, shift)


@require_POST
@staff_view("peer.manage_staff")
def shift_delete(request, staff, _participant, shift_pk: int):
    shift = _shift_of(staff, shift_pk)
    pk = shift.pk
    shift.delete()
    request.audit_object = ("Shift", pk)
    request.audit_action = "delete"
    return redirect("peer:helpline")


@staff_view("peer.view_reports")
def report(request, staff, _participant):
    today = timezone.localdate()
    error = None
    try:
        first, last = reports.parse_range(request.GET.get("from"), request.GET.get("to"), today)
    except reports.RangeError as exc:
        error = str(exc)
        first, last = reports.parse_range(None, None, today)
    if error is None and request.GET.get("format") == "csv":
        result = reports.monthly(staff.organisation, first, last)
        request.audit_action = "export"
        response = HttpResponse(reports.as_csv(result), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"report-{first:%Y-%m}-{last:%Y-%m}.csv")
        return response
    result = reports.monthly(staff.organisation, first, last)
    return render(
        request,
        "peer/report.html",
        {
            "r": result,
            "first": first,
            "last": last,
            "error": error,
            "small": reports.SMALL_CELL,
            "max_months": reports.MAX_MONTHS,
        },
        status=400 if error else 200,
    )


@staff_view("peer.view_reports")
def report_chart(request, staff, _participant):
    from commonground.peer.charts import month_bars

    try:
        first, last = reports.parse_range(request.GET.get("from"), request.GET.get("to"), timezone.localdate())
    except reports.RangeError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    result = reports.monthly(staff.organisation, first, last)
    # A suppressed month has no bar (and no value in the drawing); the table beside it says why.
    values = [row["encounters"] if isinstance(row["encounters"], int) else None for row in result.by_month]
    response = HttpResponse(
        month_bars(
            _("Encounters per month (suppressed months have no bar)"),
            [m.strftime("%Y-%m") for m in result.months],
            values,
        ),
        content_type="image/svg+xml",
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@staff_view("peer.view_audit")
def audit_trail(request, staff, _participant):
    rows = AuditRecord.objects.filter(organisation_id_at=staff.organisation_id).order_by("-seq")
    token = request.GET.get("participant", "")
    number = ids.decode("participant", token) if token else None
    found, error = None, ""
    if token and number is None:
        error = _("That participant filter names no participant; it was not applied.")
    elif number is not None:
        found = Participant.objects.filter(organisation=staff.organisation, pk=number).first()
        rows = rows.filter(participant_id_at=found.pk if found else -1)
    return render(
        request,
        "peer/audit.html",
        {"rows": audit.with_names(rows[:300], staff.organisation), "participant": found, "error": error},
        status=400 if error else 200,
    )


def participant_record(participant) -> dict:
    """Everything the workspace holds about one participant (the right of access)."""
    return {
        "code": participant.code,
        "enrolled_on": participant.enrolled_on.isoformat(),
        "identity": participant.identity.dump(),
        "interests": participant.interests.dump(),
        "consents": [
            {
                "id": c.pk,
                "discloser": c.discloser,
                "recipients": c.recipients,
                "information": c.information,
                "purpose": c.purpose,
                "revocation": c.revocation,
                "expires_on": c.expires_on,
                "expiry_event": c.expiry_event,
                "covers_referrals": c.covers_referrals,
                "signed_at": c.signed_at,
                "signature": c.signature.dump(),
                "revoked_at": c.revoked_at,
            }
            for c in participant.consents.order_by("signed_at")
        ],
        "encounters": [
            {"on": e.on, "kind": e.kind, "minutes": e.minutes, **e.details.dump()}
            for e in participant.encounters.order_by("on", "id")
        ],
        "referrals": [
            {
                "made_on": r.made_on,
                "kind": r.kind,
                "program": r.program,
                "meeting": r.meeting,
                "service": r.service,
                "shares_identity": r.shares_identity,
                "follow_up_on": r.follow_up_on,
                "outcome": r.outcome,
                "outcome_on": r.outcome_on,
                **r.details.dump(),
            }
            for r in participant.referrals.order_by("made_on", "id")
        ],
        "barc10": [
            {"taken_on": a.taken_on, "total": a.total, "answers": a.answers}
            for a in participant.assessments.order_by("taken_on", "id")
        ],
    }


@staff_view("peer.export_participant", participant=True)
def participant_export(request, staff, found):
    request.audit_action = "export"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        name = code_for_filename(found.code)
        archive.writestr(f"{name}.json", orjson.dumps(participant_record(found), option=orjson.OPT_INDENT_2))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"{name}-record.zip")
    response["Cache-Control"] = "private, no-store"
    return response


def retained_until(participant) -> date | None:
    days = participant.organisation.retention_days
    last = participant.encounters.order_by("-on").values_list("on", flat=True).first() or participant.enrolled_on
    until = last + timedelta(days=days)
    return until if days and until > timezone.localdate() else None


def delete_participant(participant, request) -> None:
    """Delete every record of a participant (the retention rule in ``docs/peer.md``), with its audit
    record in the same transaction: both happen, or neither.

    Referrals go first: one that carried the participant's identity holds on to the consent it was
    made under (``on_delete=PROTECT``, so a consent alone can never be removed from under a
    disclosure), and the cascade from the participant would otherwise meet that guard. The audit
    trail keeps each past disclosure (who, when, which referral), naming no one."""
    from commonground.peer import audit, companion

    pk, organisation_id = participant.pk, participant.organisation_id
    with transaction.atomic():
        counts = {"referrals": participant.referrals.count(), "consents": participant.consents.count()}
        companion.end_links(participant)
        participant.referrals.all().delete()
        participant.delete()  # consents, encounters, assessments and links go with it
        audit.record(
            user=request.user,
            organisation_id=organisation_id,
            action="delete",
            view="peer.participant_delete",
            object_type="Participant",
            object_id=f"{pk} r{counts['referrals']} c{counts['consents']}",
            participant_id=pk,
            address=audit.address_of(request),
        )


@staff_view("peer.delete_participant", participant=True)
def participant_delete(request, staff, found):
    form = DeleteParticipantForm(request.POST or None)
    keep_until = retained_until(found)
    if request.method == "POST" and form.is_valid():
        if keep_until is not None:
            form.add_error(
                "confirm",
                _("The organisation keeps records until %(date)s; it cannot be deleted yet.")
                % {"date": keep_until.isoformat()},
            )
        elif form.cleaned_data["confirm"].strip() != found.code:
            form.add_error("confirm", _("That is not this participant's code, so nothing was deleted."))
        else:
            code = found.code
            delete_participant(found, request)
            request.audit_object = ("Participant", "")  # the deletion's own record names it
            return render(request, "peer/deleted.html", {"code": code})
    return render(
        request,
        "peer/participant_delete.html",
        {"p": found, "form": form, "keep_until": keep_until},
        status=400 if form.errors else 200,
    )


@staff_view("peer.change_participant", participant=True)
def companion_link(request, staff, found):
    from commonground.peer import companion

    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if companion.link(found, form.cleaned_data["code"]):
            request.audit_object = ("CompanionLink", found.pk)
            return redirect("peer:participant", pk=found.pk)
        form.add_error("code", _("That code does not match a sharing code, or it was used or withdrawn."))
    return render(request, "peer/companion_link.html", {"form": form, "p": found}, status=400 if form.errors else 200)
