"""The webhooks (``/phone/sms``, ``/phone/voice[/<stage>]``), each refused with 403 unless the
provider's signature is good, and the simulator (``/phone/try``), which is not a webhook: it runs
the same answers for a typed text or a path of keys, and stores and rings nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage

from commonground.phone import gsm, limits, numbers, texts, voice
from commonground.phone.models import PhoneContact
from commonground.phone.providers import Dial, Gather, Hangup, Inbound, Redirect, Say, Step
from commonground.phone.providers.registry import get_provider


def _url_for(stage: str, query: dict[str, str]) -> str:
    path = reverse("phone:voice") if stage == "start" else reverse("phone:voice-stage", args=[stage])
    return path + ("?" + urlencode(query) if query else "")


def _limited(request: HttpRequest, row: PhoneContact, now: datetime) -> Callable[[], bool]:
    """Whether this text is over a limit: per number on its own row (``limits``), per source
    address in the cache. Asked only once a text needs a search (STOP, HELP and a crisis text are
    always answered)."""

    def check() -> bool:
        per_number = limits.count_text(row, now)
        per_source = get_usage(
            request,
            group="phone-source",
            key=lambda _g, r: r.META.get("REMOTE_ADDR", ""),
            rate=settings.PHONE_RATE_PER_SOURCE,
            increment=True,
        )
        return per_number or bool((per_source or {}).get("should_limit"))

    return check


def _base(request: HttpRequest) -> str:
    return str(settings.PHONE_PUBLIC_URL) or request.build_absolute_uri("/").rstrip("/")


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


@csrf_exempt
@require_POST
def sms(request: HttpRequest) -> HttpResponse:
    provider = get_provider()
    if not provider.is_signed(request):
        return HttpResponseForbidden("signature")
    inbound = provider.inbound(request)
    number_hash = numbers.hash_number(inbound.sender)
    sender = texts.Sender(numbers.country(inbound.sender), numbers.zone(inbound.sender), _base(request))
    with transaction.atomic():
        row = PhoneContact.of_number(inbound.sender, lock=True)
        if row is None:
            row, _created = PhoneContact.objects.select_for_update().get_or_create(number_hash=number_hash)
        contact = texts.Contact(row.language if row.language != "en" or row.last_seen else "", row.stopped, row.pending)
        now = datetime.now(UTC)
        reply = texts.answer(inbound.text, contact, sender, now=now, limited=_limited(request, row, now))
        row.language, row.stopped = contact.language or row.language, contact.stopped
        row.pending, row.last_seen = contact.pending or {}, now
        row.save()
    return _private(provider.text_reply(reply))


@csrf_exempt
@require_POST
def call(request: HttpRequest, stage: str = "start") -> HttpResponse:
    provider = get_provider()
    if not provider.is_signed(request):
        return HttpResponseForbidden("signature")
    inbound = provider.inbound(request)
    row = PhoneContact.of_number(inbound.sender)
    lang = request.GET.get("l") or (row.language if row else "en")
    lang = lang if lang in ("en", "es") else "en"
    if stage == "menu" and voice.choice(inbound) == "9":
        PhoneContact.objects.update_or_create(
            number_hash=numbers.hash_number(inbound.sender), defaults={"language": "es" if lang == "en" else "en"}
        )
    country, zone = numbers.country(inbound.sender), numbers.zone(inbound.sender)
    state = voice.Call(inbound, country, zone, lang, datetime.now(UTC), dict(request.GET.items()))
    steps = voice.menu(lang) if stage == "start" else voice.answer(stage, state)
    return _private(provider.voice_reply(steps, _url_for))


# --- the simulator -----------------------------------------------------------------------------

SIM_NUMBERS = {"US": "+12025550143", "CA": "+14165550143", "GB": "+447700900143", "MX": "+525555550143"}


def _voice_path(keys: str, country: str, zone: str, lang: str) -> list[tuple[str, list[Step]]]:
    """Each answer a call gets along a path of keys ("1 10001"), as (what was pressed, steps)."""
    now = datetime.now(UTC)
    steps = voice.menu(lang)
    shown = [("", steps)]
    for key in keys.replace(",", " ").split()[:6]:
        gather = next((s for s in steps if isinstance(s, Gather)), None)
        if gather is None:
            break
        state = voice.Call(
            Inbound(sender="", digits=key[:10]), country, zone, gather.query.get("l", lang), now, {}, False
        )
        steps = voice.answer(gather.stage, state)
        shown.append((key, steps))
    return shown


def _describe(step: Step) -> str:
    if isinstance(step, Say):
        return f"Say ({step.language}): {step.text}"
    if isinstance(step, Gather):
        said = " ".join(s.text for s in step.says)
        return f"Gather {step.digits} key(s) → {step.stage}: {said}"
    if isinstance(step, Dial):
        return f"Dial {step.number} (ring {step.timeout} s)"
    if isinstance(step, Redirect):
        return f"Redirect → {step.stage}"
    if isinstance(step, Hangup):
        return "Hang up"
    return str(step)


SIM_SALT = "commonground.phone.try"
SIM_STATE_SECONDS = 24 * 60 * 60  # a conversation left for a day starts again


def _simulated_contact(state: str, lang: str) -> texts.Contact:
    """The simulator's phone between two texts (MORE, STOP, a language chosen): kept in the page's
    form, signed so that no one can hand the search a state of their own making. A state that does
    not verify starts a fresh conversation."""
    try:
        kept = signing.loads(state, salt=SIM_SALT, max_age=SIM_STATE_SECONDS) if state else {}
    except signing.BadSignature:
        kept = {}
    pending = kept.get("pending")
    return texts.Contact(
        language=kept.get("language") or (lang if lang == "es" else ""),
        stopped=bool(kept.get("stopped")),
        pending=pending if isinstance(pending, dict) else None,
    )


@require_GET
def simulator(request: HttpRequest) -> HttpResponse:
    mode = "voice" if request.GET.get("mode") == "voice" else "sms"
    country = request.GET.get("country", "US") if request.GET.get("country") in SIM_NUMBERS else "US"
    number = SIM_NUMBERS[country]
    sender = texts.Sender(numbers.country(number), numbers.zone(number), _base(request))
    lang = "es" if (translation.get_language() or "")[:2] == "es" else "en"
    text = request.GET.get("text", "")[:320]
    keys = request.GET.get("keys", "")[:60]
    context: dict[str, object] = {
        "mode": mode,
        "text": text,
        "keys": keys,
        "country": country,
        "countries": SIM_NUMBERS,
    }
    if mode == "sms" and text.strip():
        contact = _simulated_contact(request.GET.get("state", ""), lang)
        reply = texts.answer(text, contact, sender)
        context["reply"] = reply
        context["length"] = gsm.measure(reply)
        context["state"] = signing.dumps(
            {"language": contact.language, "stopped": contact.stopped, "pending": contact.pending}, salt=SIM_SALT
        )
    elif mode == "voice":
        context["calls"] = [
            (key, [_describe(s) for s in steps]) for key, steps in _voice_path(keys, sender.country, sender.zone, lang)
        ]
    return render(request, "phone/try.html", context)
