"""Distances in the unit people use where they are: miles in a few places, kilometres elsewhere.

Decided by country (ISO 3166 alpha-2), from what road signs show, since a distance to a meeting is
read as a distance to travel (checked 2026-12-07):

- The United States, and the territories that sign their roads by the federal MUTCD in miles
  (Guam, the US Virgin Islands, American Samoa, the Northern Mariana Islands). Not Puerto Rico:
  its road signs give distances in kilometres (and speed limits in miles per hour), as the
  Wikipedia article "Road signs in Puerto Rico" and travellers' reports say.
- The United Kingdom, its Crown dependencies (Isle of Man, Jersey, Guernsey) and the overseas
  territories whose road signs follow the UK's in miles and yards (Wikipedia, "Road signs in the
  United Kingdom"). Not Gibraltar, Bermuda or Pitcairn, which sign in kilometres (metricviews.uk,
  "Gibraltar is far ahead of UK on metric road signs", 15 September 2023).
- Not Liberia or Myanmar, often named beside the US as countries that never adopted the metric
  system *officially* (the CIA World Factbook): their speed limits and road distances are metric
  (metricviews.uk, "Metric speed limits in Myanmar and Liberia", 2 May 2023, citing the WHO and the
  Global Road Safety Facility).
"""

from __future__ import annotations

MILES = frozenset(
    {
        "US",
        "GU",
        "VI",
        "AS",
        "MP",
        "UM",
        "GB",
        "IM",
        "JE",
        "GG",
        "AI",  # Anguilla
        "VG",  # British Virgin Islands
        "KY",  # Cayman Islands
        "FK",  # Falkland Islands
        "MS",  # Montserrat
        "SH",  # St Helena, Ascension and Tristan da Cunha
        "TC",  # Turks and Caicos Islands
    }
)
KM_PER_MILE = 1.609344  # the international mile, exactly


def distance_unit(country: str) -> str:
    """ "mi" where distances are read in miles, else "km"."""
    return "mi" if (country or "").upper() in MILES else "km"
