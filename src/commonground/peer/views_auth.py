"""Staff sign-in: a unique account, a passphrase and a second factor (TOTP, django-otp), throttled
by django-axes and signed out after 15 minutes idle. A new organisation starts from a one-time
invitation code (``commonground peer-invite``)."""

from __future__ import annotations

import base64

from django.contrib.auth import authenticate, get_user_model, login, logout
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonground.peer.access import SESSION_SECONDS, public_view
from commonground.peer.forms import SetupForm, TokenForm
from commonground.peer.models import Invitation, Organisation, Role, Staff, invitation_hash
from commonground.private.forms import SignInForm


def _start_session(request, user) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(SESSION_SECONDS)


@public_view
def setup(request):
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update()
                .filter(code_hash=invitation_hash(d["invitation"]), used_at__isnull=True)
                .first()
            )
            if invitation is None:
                form.add_error("invitation", _("That invitation code is not valid or was used already."))
            else:
                invitation.used_at = timezone.now()
                invitation.save(update_fields=["used_at"])
                organisation = Organisation.objects.create(name=d["organisation"])
                user = get_user_model().objects.create_user(d["username"], password=d["passphrase"])
                Staff.objects.create(
                    user=user,
                    organisation=organisation,
                    role=Role.SUPERVISOR,
                    is_admin=True,
                    display_name=d["display_name"],
                )
        if not form.errors:
            request.audit_action = "setup"
            _start_session(request, user)
            return redirect("peer:enrol")
    return render(request, "peer/setup.html", {"form": form}, status=400 if form.errors else 200)


@public_view
def signin(request):
    form = SignInForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["passphrase"])
        if user is not None and Staff.objects.filter(user=user, active=True).exists():
            request.audit_action = "signin"
            _start_session(request, user)
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            return redirect("peer:verify" if has_device else "peer:enrol")
        request.audit_action = "signin_failed"
        error = (
            _("Too many tries. Wait 15 minutes.")
            if getattr(request, "axes_locked_out", False)
            else _("That username and passphrase do not match a workspace account.")
        )
    return render(request, "peer/signin.html", {"form": form, "error": error}, status=400 if error else 200)


def _pending_user(request):
    user = request.user
    if not user.is_authenticated or not Staff.objects.filter(user=user, active=True).exists():
        return None
    return user


@public_view
def enrol(request):
    """Set up the authenticator app: the key as text and as an otpauth: address (no script needed)."""
    user = _pending_user(request)
    if user is None:
        return redirect("peer:signin")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("peer:verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.audit_action = "otp_enrolled"
            return redirect("peer:dashboard")
        form.add_error("token", _("That code did not match. Check the time on your phone, and try the newest code."))
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "peer/enrol.html",
        {"form": form, "key": " ".join(key[i : i + 4] for i in range(0, len(key), 4)), "url": device.config_url},
        status=400 if form.errors else 200,
    )


@public_view
def verify(request):
    user = _pending_user(request)
    if user is None:
        return redirect("peer:signin")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"].strip()):
                otp_login(request, device)
                request.audit_action = "otp_verified"
                target = request.GET.get("next", "")
                safe = url_has_allowed_host_and_scheme(target, {request.get_host()}) and target.startswith(
                    reverse("peer:dashboard")
                )
                return redirect(target if safe else "peer:dashboard")
        request.audit_action = "otp_failed"
        form.add_error("token", _("That code did not match. Try the newest code from your app."))
    return render(request, "peer/verify.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@public_view
def signout(request):
    request.audit_action = "signout"
    logout(request)
    return redirect("peer:signin")
