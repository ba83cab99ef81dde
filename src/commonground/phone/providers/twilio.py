"""Twilio: webhooks signed with ``X-Twilio-Signature`` (HMAC-SHA1 of the URL and the POST fields,
keyed with the account's auth token) and answers in TwiML, both through the ``twilio`` package.

The URL Twilio signed is the public one: behind a proxy, ``PHONE_PUBLIC_URL`` names it (scheme,
host and any path prefix), and the request's path is added to it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from commonground.phone.providers import Dial, Gather, Hangup, Inbound, Redirect, Say, Step

VOICES = {"en": "en-US", "es": "es-MX"}


def signed_url(request: HttpRequest) -> str:
    base = str(settings.PHONE_PUBLIC_URL).rstrip("/")
    return base + request.get_full_path() if base else request.build_absolute_uri()


class TwilioProvider:
    name = "twilio"

    def is_signed(self, request: HttpRequest) -> bool:
        token = str(settings.TWILIO_AUTH_TOKEN)
        signature = request.headers.get("X-Twilio-Signature", "")
        if not token or not signature or request.method != "POST":
            return False
        params = {key: request.POST.get(key, "") for key in request.POST}
        return bool(RequestValidator(token).validate(signed_url(request), params, signature))

    def inbound(self, request: HttpRequest) -> Inbound:
        p = request.POST
        return Inbound(
            sender=p.get("From", ""),
            to=p.get("To", ""),
            text=p.get("Body", ""),
            digits=p.get("Digits", ""),
            speech=p.get("SpeechResult", ""),
            call_id=p.get("CallSid", ""),
            dial_status=p.get("DialCallStatus", ""),
        )

    def text_reply(self, body: str) -> HttpResponse:
        twiml = MessagingResponse()
        if body:
            twiml.message(body)
        return HttpResponse(str(twiml), content_type="text/xml; charset=utf-8")

    def voice_reply(self, steps: list[Step], url_for: Callable[[str, dict[str, str]], str]) -> HttpResponse:
        twiml = VoiceResponse()
        for step in steps:
            if isinstance(step, Say):
                twiml.say(step.text, language=VOICES.get(step.language, "en-US"))
            elif isinstance(step, Gather):
                gather = twiml.gather(
                    input="dtmf speech",
                    num_digits=step.digits,
                    action=url_for(step.stage, step.query),
                    method="POST",
                    language=VOICES.get(step.language, "en-US"),
                    timeout=step.timeout,
                    speech_timeout="auto",
                )
                for say in step.says:
                    gather.say(say.text, language=VOICES.get(say.language, "en-US"))
            elif isinstance(step, Dial):
                action = url_for(step.stage, step.query) if step.stage else None
                twiml.dial(step.number, timeout=step.timeout, action=action, method="POST")
            elif isinstance(step, Redirect):
                twiml.redirect(url_for(step.stage, step.query), method="POST")
            elif isinstance(step, Hangup):
                twiml.hangup()
        return HttpResponse(str(twiml), content_type="text/xml; charset=utf-8")
