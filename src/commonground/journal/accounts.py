"""Anonymous accounts: a username and a passphrase, recovery codes, passkeys, no e-mail.

Passkeys use py_webauthn (the protocol is never written here): the browser's part is
``static/journal/passkeys.js``, the only script, and everything else works without it.

Nobody gets a session row before signing in: a passkey sign-in's challenge travels in a short-lived
signed cookie (used once), not in a session. An account keeps the keys of the sessions it signed in
(encrypted, in ``Account.data``), so deleting it ends them without reading anyone else's.
"""

from __future__ import annotations

import secrets

import orjson
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from commonground.journal.access import private_page
from commonground.journal.backends import code_hash
from commonground.journal.days import utcnow
from commonground.journal.forms import RecoverForm, SignUpForm
from commonground.journal.middleware import EPOCH_KEY
from commonground.journal.models import Account, Passkey, RecoveryCode
from commonground.private.forms import SignInForm

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_CODES = 10
CHALLENGE_COOKIE = "passkey_challenge"
CHALLENGE_SECONDS = 300


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))  # 12 × log2(31) ≈ 59 bits
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def issue_recovery_codes(user) -> list[str]:
    codes = [_new_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=code_hash(user.pk, c)) for c in codes)
    return codes


def _sign_in(request, user) -> None:
    login(request, user, backend=getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"))
    account, _created = Account.objects.get_or_create(user=user)
    request.session[EPOCH_KEY] = account.session_epoch
    # login() saved the session under a new key: remember it, and forget the keys of ended sessions.
    live = sorted(Session.objects.filter(pk__in=account.data.sessions).values_list("pk", flat=True))
    account.data = account.data.but(sessions=[*live, request.session.session_key])
    account.save(update_fields=["data"])


def account_sessions(user) -> list[str]:
    """The keys of the sessions ``user`` signed in with (some may have ended since)."""
    account = Account.objects.filter(user=user).first()
    return list(account.data.sessions) if account else []


def _next(request, default: str | None = None) -> str:
    default = default or reverse("journal:home")
    target = request.POST.get("next") or request.GET.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()) else default


def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                form.cleaned_data["username"], password=form.cleaned_data["passphrase"]
            )
            Account.objects.create(user=user, data={"timezone": form.cleaned_data["timezone"]})
            codes = issue_recovery_codes(user)
        _sign_in(request, user)
        # Shown once, in this answer only: never stored in a form we could show again.
        return render(request, "journal/recovery_codes.html", {"codes": codes, "fresh": True})
    return render(request, "journal/signup.html", {"form": form}, status=400 if request.method == "POST" else 200)


def signin(request):
    form = SignInForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["passphrase"])
        if user is not None:
            _sign_in(request, user)
            return redirect(_next(request))
        locked = getattr(request, "axes_locked_out", False)
        error = (
            _("Too many tries. Wait 15 minutes, or use a recovery code later.")
            if locked
            else _("That username and passphrase do not match. Check them and try again.")
        )
    return render(
        request,
        "journal/signin.html",
        {"form": form, "error": error, "next": _next(request)},
        status=400 if request.method == "POST" else 200,
    )


def recover(request):
    form = RecoverForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], recovery_code=form.cleaned_data["code"])
        if user is not None:
            user.set_password(form.cleaned_data["passphrase"])
            user.save(update_fields=["password"])
            _sign_in(request, user)
            left = RecoveryCode.objects.filter(user=user).count()
            return render(request, "journal/recovered.html", {"left": left})
        error = _("That username and recovery code do not match, or the code was used already.")
    return render(
        request, "journal/recover.html", {"form": form, "error": error}, status=400 if request.method == "POST" else 200
    )


@require_POST
def signout(request):
    logout(request)
    return redirect("home")


@require_POST
@private_page
def signout_everywhere(request):
    account = Account.objects.get(user=request.user)
    account.session_epoch += 1
    account.save(update_fields=["session_epoch"])
    logout(request)  # this one too; every other session ends at its next request
    return redirect(reverse("journal:signin") + "?signed_out_everywhere=1")


@require_POST
@private_page
def new_recovery_codes(request):
    return render(request, "journal/recovery_codes.html", {"codes": issue_recovery_codes(request.user), "fresh": False})


# --- passkeys -------------------------------------------------------------------------------


def _relying_party(request) -> tuple[str, str]:
    host = request.get_host()
    return host.split(":")[0].strip("[]"), f"{'https' if request.is_secure() else 'http'}://{host}"


@private_page
def passkeys(request):
    keys = Passkey.objects.filter(user=request.user).order_by("id")
    return render(request, "journal/passkeys.html", {"keys": keys})


@require_POST
@private_page
def passkey_register_options(request):
    rp_id, _origin = _relying_party(request)
    account = Account.objects.get(user=request.user)
    handle = account.data.webauthn_handle
    if not handle:
        handle = bytes_to_base64url(secrets.token_bytes(32))  # never the username or the database id
        account.data = account.data.but(webauthn_handle=handle)
        account.save(update_fields=["data"])
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name="Common Ground",
        user_name=request.user.username,
        user_id=base64url_to_bytes(handle),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(k.credential_id))
            for k in Passkey.objects.filter(user=request.user)
        ],
    )
    request.session["webauthn_register"] = bytes_to_base64url(options.challenge)
    return JsonResponse(orjson.loads(options_to_json(options)))


@require_POST
@private_page
def passkey_register(request):
    rp_id, origin = _relying_party(request)
    challenge = request.session.pop("webauthn_register", None)
    if not challenge:
        return HttpResponseBadRequest("Start again: the passkey request expired.")
    try:
        verified = verify_registration_response(
            credential=request.body.decode(),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except Exception:  # noqa: BLE001 - any failure of the ceremony is the same answer to the browser
        return JsonResponse(
            {"ok": False, "message": _("The passkey could not be added. Please try again.")}, status=400
        )
    Passkey.objects.create(
        user=request.user,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
        data={"name": _("Passkey added %(date)s") % {"date": utcnow().date().isoformat()}},
    )
    return JsonResponse({"ok": True})


@require_POST
@private_page
def passkey_remove(request, pk: int):
    from commonground.journal.access import owned

    owned(request, Passkey, pk).delete()
    return redirect("journal:passkeys")


def _challenge_path() -> str:
    return reverse("journal:passkey_signin")  # the options URL is below it, so both see the cookie


@require_POST
def passkey_signin_options(request):
    rp_id, _origin = _relying_party(request)
    options = generate_authentication_options(rp_id=rp_id, user_verification=UserVerificationRequirement.PREFERRED)
    response = JsonResponse(orjson.loads(options_to_json(options)))
    response.set_signed_cookie(
        CHALLENGE_COOKIE,
        bytes_to_base64url(options.challenge),
        salt=CHALLENGE_COOKIE,
        max_age=CHALLENGE_SECONDS,
        path=_challenge_path(),
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _take_challenge(request) -> str | None:
    """The challenge this browser was given, once: a second use within its lifetime is refused."""
    try:
        challenge = request.get_signed_cookie(CHALLENGE_COOKIE, salt=CHALLENGE_COOKIE, max_age=CHALLENGE_SECONDS)
    except (KeyError, signing.BadSignature):
        return None
    return challenge if cache.add(f"passkey-challenge-used:{challenge}", 1, CHALLENGE_SECONDS) else None


@require_POST
def passkey_signin(request):
    response = _passkey_signin(request)
    response.delete_cookie(CHALLENGE_COOKIE, path=_challenge_path(), samesite="Strict")
    return response


def _passkey_signin(request):
    rp_id, origin = _relying_party(request)
    challenge = _take_challenge(request)
    failed = JsonResponse(
        {"ok": False, "message": _("That passkey did not work here. Use your passphrase.")}, status=400
    )
    try:
        credential = orjson.loads(request.body)
        key = Passkey.objects.select_related("user").filter(credential_id=str(credential.get("id", ""))[:1400]).first()
    except (orjson.JSONDecodeError, AttributeError):
        return failed
    if key is None or not challenge:
        return failed
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=base64url_to_bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except Exception:  # noqa: BLE001
        return failed
    Passkey.objects.filter(pk=key.pk).update(sign_count=verified.new_sign_count)
    user = authenticate(request, passkey=key)
    if user is None:
        return failed
    _sign_in(request, user)
    return JsonResponse({"ok": True, "next": _next(request)})
