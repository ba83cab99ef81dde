"""What each treatment code means, in plain words in the page's language: the one table.

The /treatment page, the fit finder's "Medication treatment near you" block and the companion all
show a facility's ``offers``, ``pays``, ``serves`` and ``languages`` (``vocabulary.py``'s codes) with
these labels, so a code reads the same everywhere.
"""

from __future__ import annotations

from django.conf.locale import LANG_INFO
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commonground.treatment.vocabulary import OFFERS, PAYS, SERVES

OFFER_LABELS: dict[str, Promise] = {
    "methadone": _("Methadone"),
    "buprenorphine": _("Buprenorphine (such as Suboxone)"),
    "naltrexone": _("Naltrexone (such as Vivitrol)"),
    "detox": _("Detox: help through withdrawal"),
    "outpatient": _("Outpatient: you live at home"),
    "residential": _("Residential: you stay there"),
    "telehealth": _("Telehealth: by video or phone"),
}
PAY_LABELS: dict[str, Promise] = {
    "medicaid": _("Medicaid"),
    "medicare": _("Medicare"),
    "private_insurance": _("Private health insurance"),
    "sliding_fee": _("Sliding fee: you pay what your income allows"),
    "free": _("Free: no payment asked"),
}
SERVE_LABELS: dict[str, Promise] = {
    "pregnant": _("Pregnant women and new mothers"),
    "veterans": _("Veterans"),
    "adolescents": _("Young people (adolescents)"),
    "lgbtq": _("LGBTQ+ people"),
    "justice": _("People in the justice system"),
}
LABELS: dict[str, dict[str, Promise]] = {"offers": OFFER_LABELS, "pays": PAY_LABELS, "serves": SERVE_LABELS}
for _name, _codes in (("offers", OFFERS), ("pays", PAYS), ("serves", SERVES)):
    assert tuple(LABELS[_name]) == _codes, f"treatment/labels.py: every {_name} code needs a label, in order"

# Each list's heading, for a form's fieldset or a result's line.
HEADINGS: dict[str, Promise] = {
    "offers": _("Treatment"),
    "pays": _("Payment"),
    "serves": _("Programs for"),
    "languages": _("Languages"),
}
SIGN_LANGUAGE = "sgn"
SIGN_LANGUAGE_LABEL = _("Sign language, or services for deaf people")
# The languages a person can choose to search by: Spanish and sign language first, then others
# facilities list often (their names from Django's own table, translated).
LANGUAGE_CHOICES = ("es", SIGN_LANGUAGE, "ar", "fr", "pl", "pt", "ru")


def label(list_name: str, code: str) -> str:
    """A code's label in the current language; an unknown code as itself."""
    found = LABELS[list_name].get(code)
    return str(found) if found is not None else code


def labels(list_name: str, codes: list[str] | tuple[str, ...]) -> list[str]:
    if list_name == "languages":
        return [language_label(code) for code in codes]
    return [label(list_name, code) for code in codes]


def language_label(code: str) -> str:
    """ "Spanish" / "español", "Sign language, or services for deaf people"; an unknown code as itself."""
    if code == SIGN_LANGUAGE:
        return str(SIGN_LANGUAGE_LABEL)
    info = LANG_INFO.get(code)
    return gettext(info["name"]) if info else code
