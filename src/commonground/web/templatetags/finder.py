"""Template filters for catalog facts and translated program text."""

from django import template
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from commonground.i18n import language

register = template.Library()

VALUE_LABELS = {
    "sponsor": _("sponsor"),
    "facilitator": _("facilitator"),
    "mentor": _("mentor"),
    "convenor": _("convenor"),
    "peer-leader": _("peer leader"),
    "clinician": _("clinician"),
    "unknown": _("unknown"),
    "alcohol": _("alcohol"),
    "drugs": _("drugs"),
    "any-substance": _("any substance"),
    "behaviours": _("behaviours (gambling, food and more)"),
    "family": _("family and friends"),
    "everyone": _("everyone"),
    "women": _("women"),
    "young-people": _("young people"),
    "people-on-medication": _("people taking medication for opioid use disorder"),
    "dual-diagnosis": _("people with a co-occurring mental-health condition"),
    "yes": _("yes"),
    "no": _("no"),
    "limited": _("limited"),
    "welcoming": _("welcoming"),
    "group-decides": _("each group decides"),
    "restrictive": _("restrictive"),
    "varies": _("no rule in its literature; attitudes vary"),
    "non-theistic": _("secular, no Higher Power"),
    "gambling": _("gambling"),
    "cannabis": _("cannabis (marijuana)"),
    "stimulants": _("stimulants (meth, cocaine)"),
    "medication": _("people taking medication for a substance use disorder"),
    "drinking": _("drinking"),
    "any": _("any addiction"),
    "discussion": _("open conversation"),
    "speaker": _("speakers"),
    "step-study": _("step study"),
    "tools": _("practical tools"),
    "meditation": _("meditation"),
    "teaching": _("teaching"),
    "not-applicable": _("not applicable"),
    "none": _("none"),
    "spiritual": _("spiritual"),
    "religious": _("religious"),
    "indigenous": _("grounded in Native American and Indigenous teachings"),
    "islamic": _("grounded in Islam"),
    "twelve-step": _("twelve-step"),
    "secular": _("secular"),
    "faith-based": _("faith-based"),
    "buddhist-inspired": _("Buddhist-inspired"),
    "clinical": _("clinical, with peer support"),
    "abstinence": _("abstinence"),
    "moderation-or-abstinence": _("moderation or abstinence"),
    "self-chosen": _("goals you choose"),
}


@register.filter
def program_text(program, field: str) -> str:
    return program.text(field, language())


@register.filter
def program_name(program) -> str:
    return program.text("name", language())


@register.filter
def fact_value(value) -> str:
    values = value if isinstance(value, list) else [value]
    return ", ".join(str(VALUE_LABELS.get(v, v)) for v in values)


@register.filter
def choice_labels(values) -> str:
    return fact_value(values)


@register.filter
def language_label(code: str) -> str:
    info = LANG_INFO.get(code)
    if not info:
        return code
    return info["name_local"] if language() == code else str(_(info["name"]))


@register.filter
def checked_date(value: str) -> str:
    """ "2026-11-27" as a date in the page's language (27 Nov 2026 / 27 nov 2026)."""
    from datetime import date

    from django.utils.formats import date_format

    try:
        return date_format(date.fromisoformat(value), "j M Y")
    except (TypeError, ValueError):
        return value or ""


@register.simple_tag(takes_context=True)
def extension_panels(context, where: str, *args):
    """HTML that other apps registered for this place (``web.extensions``), already escaped by them."""
    from django.utils.safestring import mark_safe

    from commonground.web import extensions

    panels = {"meeting": extensions.MEETING_PANELS, "fit_results": extensions.FIT_RESULTS_PANELS}[where]
    return mark_safe(extensions.render(panels, context["request"], *args))  # noqa: S308 - rendered templates


@register.filter
def treatment_offers(codes) -> str:
    """A facility's ``offers`` in plain words, from the one table (``treatment/labels.py``)."""
    from commonground.treatment.labels import labels

    return ", ".join(labels("offers", list(codes or ())))
