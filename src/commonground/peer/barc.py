"""BARC-10, the Brief Assessment of Recovery Capital (Vilsaint, Kelly, Bergman, Groshkova, Best and
White, 2017, Drug and Alcohol Dependence 177:71–76, doi:10.1016/j.drugalcdep.2017.03.022).

Ten statements, each answered 1 (strongly disagree) to 6 (strongly agree); the total is 10–60.
In the validation study a total of 47 or more went with sustained remission (more than 12 months):
the one threshold we show, with that citation, and no bands of our own. The instrument is freely
available without permission (PhenX Toolkit, protocol 590502). The statements are the
instrument's own, so its scores mean what the study measured; the Spanish is our translation and
has not been validated, and the page says so.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

THRESHOLD = 47
CITATION = (
    "Vilsaint CL, Kelly JF, Bergman BG, Groshkova T, Best D, White W. Development and validation of a "
    "Brief Assessment of Recovery Capital (BARC-10) for alcohol and drug use disorder. Drug and Alcohol "
    "Dependence 2017;177:71–76."
)
CITATION_URL = "https://doi.org/10.1016/j.drugalcdep.2017.03.022"
LICENCE_URL = "https://www.phenxtoolkit.org/protocols/view/590502"
SCALE = [
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Somewhat disagree")),
    (4, _("Somewhat agree")),
    (5, _("Agree")),
    (6, _("Strongly agree")),
]
ITEMS = [
    {
        "en": "There are more important things to me in life than using substances.",
        "es": "Hay cosas en la vida más importantes para mí que consumir sustancias.",
    },
    {"en": "In general, I am happy with my life.", "es": "En general, estoy contento o contenta con mi vida."},
    {
        "en": "I have enough energy to complete the tasks I set myself.",
        "es": "Tengo suficiente energía para terminar las tareas que me propongo.",
    },
    {
        "en": "I am proud of the community I live in and feel part of it.",
        "es": "Estoy orgulloso u orgullosa de la comunidad en la que vivo y me siento parte de ella.",
    },
    {"en": "I get lots of support from friends.", "es": "Recibo mucho apoyo de mis amistades."},
    {
        "en": "I regard my life as challenging and fulfilling without the need for using drugs or alcohol.",
        "es": "Veo mi vida como un reto que me llena, sin necesidad de consumir drogas o alcohol.",
    },
    {
        "en": "My living space has helped to drive my recovery journey.",
        "es": "El lugar donde vivo me ha ayudado a avanzar en mi recuperación.",
    },
    {"en": "I take full responsibility for my actions.", "es": "Asumo toda la responsabilidad de mis actos."},
    {
        "en": "I am happy dealing with a range of professional people.",
        "es": "Me siento bien tratando con distintos profesionales.",
    },
    {"en": "I am making good progress on my recovery journey.", "es": "Estoy avanzando bien en mi recuperación."},
]


def total(answers: list[int]) -> int:
    if len(answers) != 10 or any(not 1 <= a <= 6 for a in answers):
        raise ValueError("BARC-10 needs ten answers, each 1 to 6.")
    return sum(answers)
