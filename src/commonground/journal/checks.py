"""`check --deploy` says when the companion has no key for its private data."""

from django.core.checks import Error, Tags, register

from commonground.private import crypto


@register(Tags.security, deploy=True)
def companion_key_check(app_configs, **kwargs):
    try:
        crypto.ring()
    except crypto.KeyError_ as exc:
        return [Error(str(exc), id="commonground.E002")]
    return []
