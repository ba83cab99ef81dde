"""Settings, export, deleting the account, and sharing with a peer specialist."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import orjson
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.i18n import language
from commonground.journal import safety_moments, sharing
from commonground.journal.access import owned, private_page
from commonground.journal.context import account_of, today_for, zone_of
from commonground.journal.forms import DeleteForm, clean_zone
from commonground.journal.models import (
    Account,
    Attendance,
    CheckIn,
    Clock,
    Favourite,
    Passkey,
    Plan,
    ShareGrant,
    Tried,
)
from commonground.safety import countries

TABLES = (
    ("clocks", Clock),
    ("favourites", Favourite),
    ("meetings_attended", Attendance),
    ("groups_tried", Tried),
    ("check_ins", CheckIn),
    ("plan", Plan),
    ("sharing", ShareGrant),
)


# Account values that are the server's, not the person's: the passkey handle, the calendar link's seal,
# and the keys of live sessions (in a downloaded file, a session key would let its holder use the session).
SERVER_ONLY = frozenset({"webauthn_handle", "calendar_seal", "sessions"})


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
            account.data = account.data.but(
                timezone=zone, **({"country": country} if "country" in request.POST else {})
            )
            account.save(update_fields=["data"])
            return redirect("journal:settings")
    return render(
        request,
        "journal/settings.html",
        {
            "country": safety_moments.account_country(account),
            "countries": safety_moments.country_choices(language()),
            "country_error": country_error,
            "zone": zone_of(request, account),
            "error": error,
            "passkeys": Passkey.objects.filter(user=request.user).count(),
            "codes_left": request.user.recovery_codes.count(),
        },
        status=400 if error or country_error else 200,
    )


def export_data(user) -> dict:
    account = Account.objects.filter(user=user).first()
    out = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "username": user.username,
        "settings": {k: v for k, v in (account.data.dump() if account else {}).items() if k not in SERVER_ONLY},
        "passkeys": [k.data.dump() for k in Passkey.objects.filter(user=user)],
    }
    for name, model in TABLES:
        out[name] = [{"id": row.pk, **row.data.dump()} for row in model.objects.filter(user=user)]
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


@private_page
def share(request):
    """Share clocks and check-ins with a peer-support organisation, by a code; stop at any time."""
    code = sharing.new_code(request.user, today_for(request)) if request.method == "POST" else None
    grants = [g for g in ShareGrant.objects.filter(user=request.user).order_by("-id") if g.revoked_at is None]
    return render(request, "journal/share.html", {"code": code, "grants": grants})


@require_POST
@private_page
def share_stop(request, pk: int):
    from django.utils import timezone

    grant = owned(request, ShareGrant, pk)
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    return redirect("journal:share")
