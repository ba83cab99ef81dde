"""The providers by name: the one place a new one is added (docs/phone.md)."""

from __future__ import annotations

from commonground.phone.providers import Provider
from commonground.phone.providers.twilio import TwilioProvider

PROVIDERS: dict[str, type[Provider]] = {"twilio": TwilioProvider}


def get_provider(name: str = "twilio") -> Provider:
    return PROVIDERS[name]()
