"""The safety layer: the one owner of every safety note, crisis line and their order.

Everything that shows help asks it: the fit finder's results and API, the companion (a clock reset,
a check-in, "I'm struggling"), the `/help` page and the header's "Help now". Its input is a
``Situation`` (``situation.py``): the answers a person gave, or did not give, their country, and in
the companion the moment. Its output is ``Guidance`` (``guidance.py``): the notes in order of urgency
and the help lines of the country (``countries.py``, data in ``countries.toml``). It imports nothing
from the apps above it; the rules are listed, with their sources, in docs/safety.md.
"""

from commonground.safety.countries import Country, Line, country_for_zone, get_country
from commonground.safety.crisis import is_crisis_text
from commonground.safety.guidance import Decision, Guidance, Note, basics, decide, guidance
from commonground.safety.situation import Moment, Situation

__all__ = [
    "Country",
    "Decision",
    "Guidance",
    "basics",
    "decide",
    "Line",
    "Moment",
    "Note",
    "Situation",
    "country_for_zone",
    "get_country",
    "guidance",
    "is_crisis_text",
]
