"""Talk to someone now: ring the helpline's on-shift staff one after another (a ``Dial`` with a
timeout each), else the country's crisis line (from the safety layer). Every routed call is
audited (time, helpline, shift, outcome) under a hash of the provider's call id, never the caller's
number. A call outside any shift hears that the helpline is closed and goes to the crisis line."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from commonground.phone import numbers
from commonground.phone.models import CallAudit, CallOutcome, Helpline, Shift
from commonground.phone.providers import Dial, Hangup, Say, Step
from commonground.safety import Situation, guidance


def helpline_for(to: str, zip_code: str = "") -> Helpline | None:
    """The helpline called (its own number), else one covering the caller's ZIP, else the only one."""
    called = Helpline.objects.filter(number=numbers.normalise(to)).first() if to else None
    if called:
        return called
    helplines = list(Helpline.objects.all()[:50])
    if zip_code:
        covering = [h for h in helplines if zip_code in h.covered()]
        if covering:
            return covering[0]
    return helplines[0] if len(helplines) == 1 else None


def on_shift(helpline: Helpline, now: datetime) -> list[Shift]:
    return [s for s in helpline.shifts.all() if s.on_at(now, helpline.timezone)]


def crisis_steps(country: str, lang: str, message: str) -> list[Step]:
    g = guidance(Situation(crisis="yes", country=country))
    line = next((v for v in g.lines if v.kind == "crisis" and v.tel), None)
    if line is None:
        return [Say(message, lang), Say(_("Please call %(number)s.") % {"number": g.emergency}, lang), Hangup()]
    connecting = _("Connecting you to %(name)s.") % {"name": line.name}
    return [Say(message, lang), Say(connecting, lang), Dial(line.tel.lstrip("tel:"), timeout=60)]


def _audit(call_id: str, record: bool, **values: object) -> CallAudit | None:
    if not record:
        return None
    return CallAudit.objects.create(call_hash=numbers.hash_number("call:" + call_id), **values)


def route(
    call_id: str, to: str, country: str, lang: str, now: datetime, *, zip_code: str = "", record: bool = True
) -> list[Step]:
    helpline = helpline_for(to, zip_code)
    if helpline is None:
        _audit(call_id, record, outcome=CallOutcome.NO_HELPLINE)
        return crisis_steps(country, lang, _("No helpline answers this number."))
    shifts = on_shift(helpline, now)
    if not shifts:
        _audit(call_id, record, helpline=helpline, outcome=CallOutcome.NO_SHIFT)
        return crisis_steps(country, lang, _("Our helpline has no one on shift right now."))
    audit = _audit(call_id, record, helpline=helpline, shift=shifts[0], tried=1)
    query = {"a": str(audit.pk if audit else 0), "i": "0", "l": lang}
    return [
        Say(_("Connecting you to someone now. Please stay on the line."), lang),
        Dial(shifts[0].phone, timeout=helpline.ring_seconds, stage="dialed", query=query),
    ]


def after_dial(audit_id: str, index: str, status: str, country: str, lang: str, now: datetime) -> list[Step]:
    """A staff member's phone rang: answered (the call is over), or ring the next one on shift."""
    audit = (
        CallAudit.objects.filter(pk=int(audit_id)).select_related("helpline").first() if audit_id.isdigit() else None
    )
    if status == "completed":
        if audit:
            audit.outcome = CallOutcome.CONNECTED
            audit.save(update_fields=["outcome"])
        return [Hangup()]
    shifts = on_shift(audit.helpline, now) if audit and audit.helpline else []
    following = int(index) + 1 if index.isdigit() else len(shifts)
    if audit and following < len(shifts):
        audit.shift, audit.tried = shifts[following], following + 1
        audit.save(update_fields=["shift", "tried"])
        query = {"a": str(audit.pk), "i": str(following), "l": lang}
        return [Dial(shifts[following].phone, timeout=audit.helpline.ring_seconds, stage="dialed", query=query)]
    if audit:
        audit.outcome = CallOutcome.NO_ANSWER
        audit.save(update_fields=["outcome"])
    return crisis_steps(country, lang, _("No one on our helpline could answer."))
