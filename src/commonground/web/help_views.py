"""The /help page: the help lines of the person's country first, then overdose and withdrawal basics.
No JavaScript, English and Spanish; how the country is found and worded is in ``web/help.py``."""

from __future__ import annotations

from django.shortcuts import render

from commonground import i18n, safety
from commonground.safety import countries
from commonground.safety.guidance import home_country
from commonground.web.help import country_choices, country_of_request, lines_heading, serves_sentence, site_help_for


def help_page(request):
    code, found_from, problem = country_of_request(request.GET)
    guidance = safety.basics(code, found_from)
    home = countries.get_country(home_country())
    shown = guidance.country.code if guidance.country else ""
    return render(
        request,
        "web/help.html",
        {
            "g": guidance,
            "problem": problem,
            "unlisted": bool(code) and guidance.country is None,
            "unlisted_code": code,
            "home_name": home.label(i18n.language()) if home else "",
            "choices": country_choices(),
            "chosen": shown if guidance.country_known else "",
            "crisis_lines": [line for line in guidance.lines if line.kind == "crisis"],
            "other_lines": [line for line in guidance.lines if line.kind != "crisis"],
            "basics": [n for n in guidance.notes if n.id in ("overdose", "withdrawal", "mixing")],
            "serves": serves_sentence(guidance),
            "heading": lines_heading(guidance),
            "site_help": site_help_for(code),
        },
        status=400 if problem else 200,
    )
