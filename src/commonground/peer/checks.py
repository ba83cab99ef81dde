"""A server refuses to start without the audit trail's key; `check --deploy` says so too (E003)."""

from django.core.checks import Error, Tags, register

from commonground.peer import audit


@register(Tags.security, deploy=True)
def audit_key_check(app_configs, **kwargs):
    try:
        audit.keys()
    except audit.AuditKeyError as exc:
        return [Error(str(exc), id="commonground.E003")]
    return []


def register_startup_check() -> None:
    from commonground.web import extensions

    if audit.refuse_missing_key not in extensions.STARTUP_CHECKS:
        extensions.STARTUP_CHECKS.append(audit.refuse_missing_key)
