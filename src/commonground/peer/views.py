"""The caseload: the dashboard, participants, consent, encounters, BARC-10, referrals, follow-ups."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.i18n import language
from commonground.peer import barc
from commonground.peer import consent as consents
from commonground.peer.access import object_of, staff_view
from commonground.peer.forms import (
    BarcForm,
    ConsentForm,
    EncounterForm,
    FollowUpForm,
    ParticipantForm,
    ReferralForm,
    TreatmentReferralForm,
)
from commonground.peer.models import (
    OPEN_OUTCOMES,
    Assessment,
    Consent,
    Encounter,
    InformationKind,
    Outcome,
    Participant,
    Referral,
    ReferralKind,
    Role,
)
from commonground.peer.records import EncounterDetails, Identity, Interests, Signature
from commonground.peer.rules import caseload
from commonground.private import ids

LIST = 50


@staff_view()
def dashboard(request, staff, _participant):
    today = timezone.localdate()
    org = staff.organisation
    people = caseload(staff)
    # A supervisor's lists go straight through the organisation's (outcome, follow-up date) index,
    # one outcome at a time so the index gives the order; a specialist's through their caseload's
    # participant ids (a hundred or so), which the participant index finds directly.
    if staff.role == Role.SUPERVISOR:
        due = Referral.objects.filter(organisation=org, outcome__in=OPEN_OUTCOMES, follow_up_on__lte=today)
    else:
        due = Referral.objects.filter(
            participant_id__in=list(people.values_list("id", flat=True)),
            outcome__in=OPEN_OUTCOMES,
            follow_up_on__lte=today,
        )
    columns = ("id", "kind", "follow_up_on", "participant_id", "participant__code")
    listed = []
    for outcome in OPEN_OUTCOMES:
        one = due.filter(outcome=outcome).select_related("participant").only(*columns)
        listed += list(one.filter(follow_up_on=today).order_by("id")[:LIST])
        listed += list(one.filter(follow_up_on__lt=today).order_by("follow_up_on", "id")[:LIST])
    listed.sort(key=lambda r: (r.follow_up_on, r.pk))
    quiet_since = today - timedelta(days=org.no_contact_days)
    quiet = people.filter(
        Q(last_contact_on__lt=quiet_since) | Q(last_contact_on__isnull=True, enrolled_on__lt=quiet_since)
    ).order_by("last_contact_on")
    barc_due = people.filter(
        Q(last_barc_on__lt=today - timedelta(days=org.barc_interval_days)) | Q(last_barc_on__isnull=True)
    ).order_by("last_barc_on")
    before = (
        Assessment.objects.filter(participant_id=OuterRef("participant_id"), taken_on__lt=OuterRef("taken_on"))
        .order_by("-taken_on", "-id")
        .values("total")[:1]
    )
    recent = (
        Assessment.objects.filter(participant__in=people, taken_on__gte=today - timedelta(days=30))
        .annotate(before=Subquery(before))
        .filter(before__isnull=False)
        .select_related("participant")
        .only("id", "total", "taken_on", "participant_id", "participant__code")
        .order_by("-taken_on", "-id")[:LIST]
    )
    changes = [{"assessment": a, "change": a.total - a.before} for a in recent]
    return render(
        request,
        "peer/dashboard.html",
        {
            "staff": staff,
            "today": today,
            "due_today": [r for r in listed if r.follow_up_on == today][:LIST],
            "overdue": [r for r in listed if r.follow_up_on < today][:LIST],
            "due_count": due.count(),
            "quiet": quiet.only("id", "code", "last_contact_on")[:LIST],
            "quiet_count": quiet.count(),
            "barc_due": barc_due.only("id", "code")[:LIST],
            "changes": changes[:20],
        },
    )


@staff_view()
def participants(request, staff, _participant):
    people = caseload(staff).select_related("specialist").order_by("code")
    query = request.GET.get("code", "").strip()
    if query:
        people = people.filter(code__icontains=query[:20])
    return render(request, "peer/participants.html", {"people": people[:200], "count": people.count(), "q": query})


def new_code(organisation) -> str:
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    while True:
        code = "P-" + "".join(secrets.choice(alphabet) for _ in range(6))
        if not Participant.objects.filter(organisation=organisation, code=code).exists():
            return code


@staff_view("peer.enrol_participant")
def enrol_participant(request, staff, _participant):
    form = ParticipantForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        code = d["code"].strip() or new_code(staff.organisation)
        if Participant.objects.filter(organisation=staff.organisation, code=code).exists():
            form.add_error("code", _("That code is in use. Leave it empty for a new one."))
        else:
            found = Participant.objects.create(
                organisation=staff.organisation,
                code=code,
                specialist=d["specialist"],
                identity=Identity(
                    name=d["name"] or "",
                    phone=d["phone"] or "",
                    date_of_birth=d["date_of_birth"].isoformat() if d["date_of_birth"] else "",
                ),
                interests=Interests(programs=list(d["programs"])),
            )
            request.audit_object = ("Participant", found.pk)
            return redirect(reverse("peer:consent_new", kwargs={"pk": found.pk}) + "?new=1")
    return render(request, "peer/participant_new.html", {"form": form}, status=400 if form.errors else 200)


@staff_view("peer.view_participant", participant=True)
def participant(request, staff, found):
    from commonground.peer.companion import shared_view

    assessments = list(found.assessments.order_by("taken_on", "id"))
    scope, kinds = consents.scope(found), dict(InformationKind.choices)
    return render(
        request,
        "peer/participant.html",
        {
            "p": found,
            "consents": found.consents.order_by("-signed_at"),
            "scope": scope,
            "scope_kinds": [kinds.get(k, k) for k in scope["kinds"]],
            "encounters": found.encounters.select_related("staff").order_by("-on", "-id")[:20],
            "referrals": found.referrals.order_by("-made_on", "-id")[:30],
            "assessments": assessments,
            "threshold": barc.THRESHOLD,
            "citation": barc.CITATION,
            "citation_url": barc.CITATION_URL,
            "shared": shared_view(found),
            "today": timezone.localdate(),
            "audit_url": f"{reverse('peer:audit')}?{urlencode({'participant': ids.encode('participant', found.pk)})}",
        },
    )


@staff_view("peer.change_participant", participant=True)
def consent_new(request, staff, found):
    initial = {"discloser": staff.organisation.name, "patient_name": found.identity.name}
    if request.GET.get("treatment"):  # from a referral to a treatment provider
        initial |= {"for_treatment": True, "recipients": _("The treatment providers I am referred to")}
    form = ConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        consent = Consent.objects.create(
            participant=found,
            discloser=d["discloser"],
            recipients=d["recipients"],
            information=d["information"],
            information_detail=d["information_detail"],
            purpose=d["purpose"],
            revocation=d["revocation"],
            expires_on=d["expires_on"],
            expiry_event=d["expiry_event"],
            covers_referrals=d["covers_referrals"],
            covers_identified_reports=d["covers_identified_reports"],
            recorded_by=staff,
            signature=Signature(
                typed_name=d["typed_signature"].strip(),
                patient_name=d["patient_name"],
                signer=d["signer"],
                representative=d["representative"],
                redisclosure=consents.REDISCLOSURE_VERSION if d["for_treatment"] else "",
            ),
        )
        request.audit_object = ("Consent", consent.pk)
        return redirect("peer:consent_print", pk=found.pk, consent_pk=consent.pk)
    return render(
        request,
        "peer/consent_new.html",
        {"form": form, "p": found, "redisclosure": consents.redisclosure_statements()},
        status=400 if form.errors else 200,
    )


@staff_view("peer.view_participant", participant=True)
def consent_print(request, staff, found, consent_pk: int):
    consent = object_of(found, Consent, consent_pk)
    request.audit_object = ("Consent", consent.pk)
    kinds = dict(InformationKind.choices)
    return render(
        request,
        "peer/consent_print.html",
        {
            "p": found,
            "c": consent,
            "information": [kinds.get(i, i) for i in consent.information],
            "signer": dict(consents.SIGNERS).get(consent.signature.signer or "self"),
            "redisclosure": consents.redisclosure_statements() if consent.signature.redisclosure else [],
            "redisclosure_source": consents.REDISCLOSURE_SOURCE,
        },
    )


@require_POST
@staff_view("peer.change_participant", participant=True)
def consent_revoke(request, staff, found, consent_pk: int):
    consent = object_of(found, Consent, consent_pk)
    if consent.revoked_at is None:
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])
    request.audit_object, request.audit_action = ("Consent", consent.pk), "revoke"
    return redirect("peer:participant", pk=found.pk)


def _touch(participant, on) -> None:
    if participant.last_contact_on is None or on > participant.last_contact_on:
        Participant.objects.filter(pk=participant.pk).update(last_contact_on=on)


@staff_view("peer.change_participant", participant=True)
def encounter_new(request, staff, found):
    form = EncounterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with transaction.atomic():
            encounter = Encounter.objects.create(
                participant=found,
                organisation_id=found.organisation_id,
                staff=staff,
                on=d["on"],
                kind=d["kind"],
                minutes=d["minutes"],
                details=EncounterDetails(topics=list(d["topics"]), note=d["note"].strip()),
            )
            _touch(found, d["on"])
        request.audit_object = ("Encounter", encounter.pk)
        return redirect("peer:participant", pk=found.pk)
    return render(request, "peer/encounter_new.html", {"form": form, "p": found}, status=400 if form.errors else 200)


@staff_view("peer.change_participant", participant=True)
def barc_new(request, staff, found):
    form = BarcForm(request.POST or None, language=language())
    if request.method == "POST" and form.is_valid():
        answers = form.answers()
        with transaction.atomic():  # (saving it also moves the participant's last_barc_on)
            assessment = Assessment.objects.create(
                participant=found,
                staff=staff,
                taken_on=form.cleaned_data["taken_on"],
                total=barc.total(answers),
                answers=answers,
            )
        request.audit_object = ("Assessment", assessment.pk)
        return redirect("peer:participant", pk=found.pk)
    return render(
        request,
        "peer/barc_new.html",
        {"form": form, "p": found, "language": language(), "items": [form[f"item_{n}"] for n in range(1, 11)]},
        status=400 if form.errors else 200,
    )


@staff_view("peer.view_participant", participant=True)
def barc_chart(request, staff, found):
    from commonground.peer.charts import barc_svg

    rows = list(found.assessments.order_by("taken_on", "id").values_list("taken_on", "total"))
    response = HttpResponse(
        barc_svg(
            rows,
            _("BARC-10 total (10–60)"),
            _("%(threshold)s: sustained remission in the study") % {"threshold": barc.THRESHOLD},
        ),
        content_type="image/svg+xml",
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    return response


def _refer(request, staff, found, form, data: dict, error_field: str | None):
    """Make the referral ``data`` describes: the redirect to its sheet, audited (a disclosure when
    it names the person), or None with the reason on the form."""
    from commonground.peer.referrals import create_referral

    referral, error = create_referral(found, staff, data)
    if error:
        form.add_error(error_field, error)
        return None
    request.audit_object = ("Referral", referral.pk)
    if referral.shares_identity:
        request.audit_action = "disclose"
    return redirect("peer:referral_sheet", pk=found.pk, referral_pk=referral.pk)


@staff_view("peer.change_participant", participant=True)
def referral_new(request, staff, found):
    """Refer to a meeting chosen with the finder's own search, to a program, or to a service."""
    from commonground.peer.referrals import meeting_search

    search = meeting_search(request.GET) if request.GET.get("search") else None
    form = ReferralForm(request.POST or None, initial={"kind": ReferralKind.MEETING if search else None})
    if request.method == "POST" and form.is_valid():
        if (made := _refer(request, staff, found, form, form.cleaned_data, "shares_identity")) is not None:
            return made
    return render(
        request,
        "peer/referral_new.html",
        {
            "form": form,
            "p": found,
            "search": search,
            "consent": consents.covering(found, consents.REFERRAL_WITH_IDENTITY),
        },
        status=400 if form.errors else 200,
    )


@staff_view("peer.change_participant", participant=True)
def referral_treatment(request, staff, found):
    """Refer to a treatment provider picked from the treatment search (the finder's own engine)."""
    from commonground.peer.providers import offers, search

    found_providers = search(request.GET) if request.GET.get("near") else None
    form = TreatmentReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data | {"kind": ReferralKind.SERVICE}
        if (made := _refer(request, staff, found, form, data, None)) is not None:
            return made
    return render(
        request,
        "peer/referral_treatment.html",
        {
            "form": form,
            "p": found,
            "search": found_providers,
            "offers": offers(),
            "consent": consents.covering(found, consents.REFERRAL_TO_TREATMENT),
        },
        status=400 if form.errors else 200,
    )


@staff_view("peer.view_participant", participant=True)
def referral_sheet(request, staff, found, referral_pk: int):
    """What the participant (or, with consent, the recipient) takes away; with the §2.32 notice."""
    from commonground.peer.referrals import sheet

    referral = object_of(found, Referral, referral_pk)
    context = sheet(found, referral)
    request.audit_object = ("Referral", referral.pk)
    if context["identity"]:
        request.audit_action = "disclose"
    return render(request, "peer/referral_sheet.html", context)


@staff_view("peer.change_participant", participant=True)
def follow_up(request, staff, found, referral_pk: int):
    referral = object_of(found, Referral, referral_pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        today = timezone.localdate()
        referral.outcome, referral.outcome_on = form.cleaned_data["outcome"], today
        if referral.outcome == Outcome.NOT_YET:
            referral.follow_up_on = form.cleaned_data["next_follow_up_on"] or today + timedelta(days=7)
        referral.save(update_fields=["outcome", "outcome_on", "follow_up_on"])
        _touch(found, today)
        request.audit_object = ("Referral", referral.pk)
        return redirect("peer:participant", pk=found.pk)
    return render(
        request, "peer/follow_up.html", {"form": form, "p": found, "r": referral}, status=400 if form.errors else 200
    )
