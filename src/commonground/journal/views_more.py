"""Check-ins and trends, the recovery plan, "I'm struggling", settings, export and delete."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import orjson
from django.contrib.auth import logout
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from commonground.journal import charts, safety_moments
from commonground.journal.access import mine, private_page
from commonground.journal.forms import PLAN_FIELDS, PROFESSIONALS, SAFER, CheckInForm, DeleteForm, PlanForm, clean_zone
from commonground.journal.models import Account, Attendance, CheckIn, Clock, Favourite, Passkey, Plan, ShareGrant, Tried
from commonground.journal.views import account_of, favourite_rows, language, today_for, zone_of
from commonground.meetings import schedule
from commonground.safety import countries
from commonground.search import engine
from commonground.search.query import parse_query
from commonground.web.presenters import decorate

# --- check-ins ---------------------------------------------------------------------------------


@private_page
@sensitive_post_parameters("note")
def checkin(request):
    """A check-in. One with crisis words in its note, a mood of 2 or lower or a craving of 8 or higher
    goes on to "I'm struggling", the crisis or hard-day note first (the safety layer decides which);
    others go on to the trends. The note is read here and never logged or put in an address."""
    today = today_for(request).isoformat()
    existing = next((c for c in mine(request, CheckIn) if c.data.get("date") == today), None)
    form = CheckInForm(request.POST or None, initial=existing.data if existing else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = {"date": today, "mood": int(d["mood"]), "craving": int(d["craving"]), "meeting": d["meeting"],
                "note": d["note"].strip()}
        if existing:
            existing.data = data
            existing.save(update_fields=["data"])
        else:
            CheckIn.objects.create(user=request.user, data=data)
        situation = safety_moments.checkin_situation(account_of(request), [], data)
        if safety_moments.checkin_needs_help(situation):
            return redirect(reverse("journal:help") + "?from=checkin")
        return redirect("journal:trends")
    return render(request, "journal/checkin.html", {"form": form, "again": existing is not None},
                  status=400 if form.errors else 200)


def _trends(request) -> charts.Trends:
    return charts.trends([c.data for c in mine(request, CheckIn)], [a.data for a in mine(request, Attendance)],
                         today_for(request))


@private_page
def trends(request):
    t = _trends(request)
    rows = [{"day": d, "craving": c, "mood": m} for d, c, m in zip(t.days, t.craving, t.mood, strict=True)
            if c is not None]
    weeks = list(zip(t.weeks, t.meetings_per_week, strict=True))
    return render(request, "journal/trends.html", {"t": t, "rows": rows, "weeks": weeks})


@private_page
def chart(request, name: str):
    t = _trends(request)
    day_labels = [date_format(d, "M j") for d in t.days]
    if name == "cravings":
        body = charts.line_svg(_("Craving, last 30 days (0 to 10)"), day_labels, t.craving, low=0, high=10)
    elif name == "mood":
        body = charts.line_svg(_("Mood, last 30 days (1 to 5)"), day_labels, t.mood, low=1, high=5)
    elif name == "meetings":
        body = charts.bar_svg(_("Meetings per week"), [date_format(w, "M j") for w in t.weeks], t.meetings_per_week)
    else:
        raise Http404("No such chart.")
    response = HttpResponse(body, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# --- the plan, and "I'm struggling" ---------------------------------------------------------------

def _plan(request) -> Plan | None:
    return mine(request, Plan).first()


@private_page
def plan(request):
    found = _plan(request)
    data = found.data if found else {}
    initial = {name: data.get(name, "") for name, _label, _help in PLAN_FIELDS}
    for n, person in enumerate(data.get("people", [])[:5], start=1):
        initial[f"person_{n}_name"], initial[f"person_{n}_phone"] = person.get("name", ""), person.get("phone", "")
    for pro in data.get("professionals", []):
        initial[f"{pro.get('role')}_name"], initial[f"{pro.get('role')}_phone"] = pro.get("name", ""), pro.get("phone")
    safer = data.get("safer") or {}
    initial.update({f"safer_{key}": bool(safer.get(key)) for key, _label in SAFER}, safer_notes=safer.get("notes", ""))
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name].strip() for name, _label, _help in PLAN_FIELDS}
        values["people"] = form.people()
        values["professionals"] = form.professionals()
        values["safer"] = form.safer()
        with transaction.atomic():
            if found:
                found.data = values
                found.save(update_fields=["data"])
            else:
                Plan.objects.create(user=request.user, data=values)
        return redirect("journal:plan_print")
    people_rows = [(form[f"person_{n}_name"], form[f"person_{n}_phone"]) for n in range(1, 6)]
    return render(request, "journal/plan.html", {
        "form": form, "people_rows": people_rows, "text_fields": [form[name] for name, _l, _h in PLAN_FIELDS],
        "professional_rows": [(form[f"{role}_name"], form[f"{role}_phone"]) for role, _label in PROFESSIONALS],
        "safer_fields": [form[f"safer_{key}"] for key, _label in SAFER], "safer_notes": form["safer_notes"]},
        status=400 if form.errors else 200)


def _plan_sections(data: dict) -> list[tuple[str, str]]:
    return [(label, data.get(name, "")) for name, label, _help in PLAN_FIELDS if data.get(name)]


def _safer(data: dict) -> dict:
    """The plan's "safer surroundings": the items ticked, and the person's own words."""
    safer = data.get("safer") or {}
    return {"done": [label for key, label in SAFER if safer.get(key)], "notes": safer.get("notes", "")}


def professional_rows(data: dict) -> list[dict]:
    roles = dict(PROFESSIONALS)
    return [{**p, "role_name": roles.get(p.get("role"), "")} for p in data.get("professionals", [])]


@private_page
def plan_print(request):
    found = _plan(request)
    data = found.data if found else {}
    return render(request, "journal/plan_print.html", {"sections": _plan_sections(data),
                                                       "people": data.get("people", []),
                                                       "professionals": professional_rows(data),
                                                       "safer": _safer(data)})


def _struggling_guidance(request, account, substances, family):
    """The layer's guidance: after a hard check-in today (``?from=checkin``) its crisis or hard-day
    note leads; otherwise the person's clocks decide the notes (overdose for a drug clock)."""
    if request.GET.get("from") == "checkin":
        today = today_for(request, account).isoformat()
        done = next((c for c in mine(request, CheckIn) if c.data.get("date") == today), None)
        if done is not None:
            return safety_moments.guidance(safety_moments.checkin_situation(account, substances, done.data))
    return safety_moments.guidance(safety_moments.struggling_situation(account, substances, family))


@private_page
def struggling(request):
    """One page with what helps now: it must answer fast, and it needs no JavaScript. The help
    lines, notes and their order are the safety layer's, for the account's country."""
    found = _plan(request)
    data = found.data if found else {}
    account = account_of(request)
    zone = zone_of(request, account)
    substances = safety_moments.clock_substances(mine(request, Clock))
    someone_else, family = safety_moments.about_someone_else(request.user, account)
    guidance = _struggling_guidance(request, account, substances, family)
    programs = sorted(safety_moments.own_use_programs(someone_else=someone_else))
    found = engine.search(parse_query({"mode": "online", "starting_within": "60", "tz": zone, "limit": "40",
                                       "program": programs})).results if programs else []
    soon = [r for r in found if not r["ongoing"]][:5]
    always = [r for r in found if r["ongoing"]][:3]  # 24/7 chat and e-mail groups: open now, too
    today = datetime.now(UTC).astimezone(schedule.zone(zone))
    weekday = (today.weekday() + 1) % 7  # our weekdays: 0 = Sunday
    favourites_today = []
    for row in favourite_rows(request):
        m = row["meeting"]
        if m is None or m.is_ongoing:
            continue
        start = m.next_start(datetime.now(UTC))
        if start is not None and start.astimezone(schedule.zone(zone)).date() == today.date():
            favourites_today.append({"meeting": m, "start": start.astimezone(schedule.zone(zone))})
        elif m.weekday == weekday and start is None:
            favourites_today.append({"meeting": m, "start": None})
    lead = [n for n in guidance.notes if n.id in ("crisis", "struggling")]
    return render(request, "journal/struggling.html", {
        "guidance": guidance, "lead_notes": lead, "other_notes": [n for n in guidance.notes if n not in lead],
        "sections": _plan_sections(data), "people": data.get("people", []),
        "professionals": professional_rows(data), "has_plan": bool(data),
        "soon": [decorate(r, zone) for r in soon], "always": [decorate(r, zone) for r in always],
        "favourites_today": favourites_today, "zone": zone})


# --- settings, export, delete ------------------------------------------------------------------

@private_page
def settings_page(request):
    account = account_of(request)
    error = country_error = None
    if request.method == "POST":
        country = request.POST.get("country", "").strip().upper()
        if "country" in request.POST and country not in countries.iso_codes():
            country_error = _("Choose your country from the list.")
        try:
            zone = clean_zone(request.POST.get("timezone", "").strip())
        except Exception as exc:  # noqa: BLE001 - a ValidationError with a message for the person
            error = " ".join(getattr(exc, "messages", [str(exc)]))
        if not error and not country_error:
            account.data = {**account.data, "timezone": zone,
                            **({"country": country} if "country" in request.POST else {})}
            account.save(update_fields=["data"])
            return redirect("journal:settings")
    return render(request, "journal/settings.html", {
        "country": safety_moments.account_country(account), "countries": safety_moments.country_choices(language()),
        "country_error": country_error,
        "zone": zone_of(request, account), "error": error, "passkeys": Passkey.objects.filter(user=request.user).count(),
        "codes_left": request.user.recovery_codes.count()}, status=400 if error or country_error else 200)


TABLES = (("clocks", Clock), ("favourites", Favourite), ("meetings_attended", Attendance), ("groups_tried", Tried),
          ("check_ins", CheckIn), ("plan", Plan), ("sharing", ShareGrant))


# Account values that are the server's, not the person's: the passkey handle, the calendar link's seal,
# and the keys of live sessions (in a downloaded file, a session key would let its holder use the session).
SERVER_ONLY = frozenset({"webauthn_handle", "calendar_seal", "sessions"})


def export_data(user) -> dict:
    account = Account.objects.filter(user=user).first()
    out = {"exported_at": datetime.now(UTC).isoformat(timespec="seconds"), "username": user.username,
           "settings": {k: v for k, v in (account.data if account else {}).items() if k not in SERVER_ONLY},
           "passkeys": [k.data for k in Passkey.objects.filter(user=user)]}
    for name, model in TABLES:
        out[name] = [{"id": row.pk, **row.data} for row in model.objects.filter(user=user)]
    return out


def _csv(rows: list[dict]) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or ["id"])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: orjson.dumps(v).decode() if isinstance(v, (list, dict)) else v for k, v in row.items()})
    return buffer.getvalue()


@private_page
def export(request):
    if request.method != "POST":
        return render(request, "journal/export.html")
    data = export_data(request.user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("common-ground.json", orjson.dumps(data, option=orjson.OPT_INDENT_2))
        for name, _model in TABLES:
            archive.writestr(f"{name}.csv", _csv(data[name]))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="common-ground-export.zip"'
    return response


@private_page
def delete_account(request):
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"].strip().lower() != request.user.username.lower():
            form.add_error("confirm", _("That is not your username, so nothing was deleted."))
        else:
            user = request.user
            logout(request)
            erase_user(user)
            return render(request, "journal/deleted.html")
    return render(request, "journal/delete.html", {"form": form}, status=400 if form.errors else 200)


def erase_user(user) -> None:
    """A hard delete: the person's rows, their sessions everywhere, and the sign-in failure records."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.sessions.models import Session

    from commonground.journal.accounts import account_sessions

    with transaction.atomic():
        Session.objects.filter(pk__in=account_sessions(user)).delete()  # by key: no one else's is read
        for _name, model in TABLES:
            model.objects.filter(user=user).delete()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=user.username).delete()
        user.delete()  # the account, passkeys and recovery codes go with it (cascade)


# --- sharing with a peer specialist -------------------------------------------------------------

@private_page
def share(request):
    """Share clocks and check-ins with a peer-support organisation, by a code; stop at any time."""
    from commonground.journal.models import ShareGrant

    code = None
    if request.method == "POST":
        import hashlib
        import secrets

        alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        normal = "".join(ch for ch in code if ch.isalnum())
        ShareGrant.objects.create(user=request.user, data={"made_on": today_for(request).isoformat()},
                                  code_hash=hashlib.sha256(f"commonground-share:{normal}".encode()).hexdigest())
    grants = [g for g in ShareGrant.objects.filter(user=request.user).order_by("-id") if g.revoked_at is None]
    return render(request, "journal/share.html", {"code": code, "grants": grants})


@require_POST
@private_page
def share_stop(request, pk: int):
    from django.utils import timezone

    from commonground.journal.access import owned
    from commonground.journal.models import ShareGrant

    grant = owned(request, ShareGrant, pk)
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    return redirect("journal:share")
