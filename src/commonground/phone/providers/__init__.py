"""One small interface between the phone app and an SMS/voice provider.

The app decides *what* to answer as plain values (a text's body; a list of voice ``Step``s); a
provider knows *how* its webhooks arrive and how its answers are written. Twilio is the first
(``twilio.py``). To add another (Vonage, Plivo, an SMPP gateway), write a class with the methods of
``Provider`` and name it in ``registry.PROVIDERS``; docs/phone.md walks through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Inbound:
    """What a webhook brought: the sender (never stored or logged as is), the text or the keys."""

    sender: str
    to: str = ""
    text: str = ""
    digits: str = ""
    speech: str = ""
    call_id: str = ""
    dial_status: str = ""  # the outcome of a <Dial>: completed, no-answer, busy, failed, canceled


@dataclass(frozen=True)
class Say:
    text: str
    language: str = "en"


@dataclass(frozen=True)
class Gather:
    """Wait for keys (or speech); what was given goes to the voice ``stage`` named."""

    stage: str
    says: tuple[Say, ...] = ()
    digits: int = 1
    language: str = "en"
    timeout: int = 6
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dial:
    """Ring a number for ``timeout`` seconds; its outcome goes to the voice ``stage`` named ("" for none)."""

    number: str
    timeout: int = 20
    stage: str = ""
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Redirect:
    stage: str
    query: dict[str, str] = field(default_factory=dict)


Step = Say | Gather | Dial | Hangup | Redirect


class Provider(Protocol):
    name: str

    def is_signed(self, request: HttpRequest) -> bool:
        """True when the request carries the provider's valid signature for the URL it was sent to."""

    def inbound(self, request: HttpRequest) -> Inbound: ...

    def text_reply(self, body: str) -> HttpResponse:
        """The answer to an inbound text ("" for no reply at all)."""

    def voice_reply(self, steps: list[Step], url_for: Callable[[str, dict[str, str]], str]) -> HttpResponse:
        """The answer to a call's webhook; ``url_for(stage, query)`` gives a stage's address."""
