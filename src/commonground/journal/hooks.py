"""What the companion adds to the finder's pages (through ``web.extensions``; see there)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _


def _signed_in(request) -> bool:
    # Without a session cookie nobody is signed in: answer without touching the database.
    return bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME)) and request.user.is_authenticated


def meeting_panel(request, meeting) -> str:
    if not _signed_in(request):
        return render_to_string("journal/_meeting_panel_out.html", {"meeting": meeting}, request=request)
    from commonground.journal.models import Favourite

    ref = meeting.ref
    is_favourite = any(f.data.meeting == ref for f in Favourite.objects.filter(user=request.user))
    return render_to_string(
        "journal/_meeting_panel.html", {"meeting": meeting, "ref": ref, "is_favourite": is_favourite}, request=request
    )


def fit_results_panel(request, result, answers_query) -> str:
    return render_to_string(
        "journal/_fit_panel.html", {"signed_in": _signed_in(request), "answers_query": answers_query}, request=request
    )


def header_links(request) -> list[tuple[str, str, str]]:
    if _signed_in(request):
        return [
            (reverse("journal:home"), _("My space"), ""),
            (reverse("journal:help"), _("I'm struggling"), "struggling"),
        ]
    return [(reverse("journal:home"), _("Sign in"), "")]


def register() -> None:
    from commonground.private.crypto import refuse_missing_key
    from commonground.web import extensions

    if refuse_missing_key not in extensions.STARTUP_CHECKS:
        extensions.STARTUP_CHECKS.append(refuse_missing_key)
    for where, fn in (
        (extensions.MEETING_PANELS, meeting_panel),
        (extensions.FIT_RESULTS_PANELS, fit_results_panel),
        (extensions.HEADER_LINKS, header_links),
    ):
        if fn not in where:
            where.append(fn)
