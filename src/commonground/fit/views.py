"""The fit finder's pages: the questionnaire, and the ranked programs with meetings that fit."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from commonground.fit.answers import CHOICES, parse_answers
from commonground.fit.ranking import rank, search_params
from commonground.search.query import QueryError
from commonground.web.presenters import decorate

NOT_SAY = ("", _("Prefer not to say"))
QUESTIONS = [
    ("help_with", _("What would you like help with?"), "checkbox", [
        ("alcohol", _("Alcohol")), ("drugs", _("Other drugs")), ("both", _("Both alcohol and other drugs")),
        ("behavior", _("A behaviour, such as gambling or food")),
        ("someone_else", _("Someone else's drinking or drug use (I am family or a friend)"))]),
    ("spirituality", _("How do you feel about spirituality?"), "radio", [
        ("spiritual", _("I'd like a spiritual approach")), ("christian", _("I'd like a Christian one")),
        ("buddhist", _("I'd like a Buddhist-inspired one")), ("none", _("No religion or spirituality, please")),
        ("any", _("I don't mind"))]),
    ("medication", _("Do you take medication?"), "checkbox", [
        ("moud", _("I take, or may take, medication for opioid use disorder (methadone, buprenorphine, naltrexone)")),
        ("psychiatric", _("I take psychiatric medication")), ("none", _("Neither"))]),
    ("mental_health", _("Do you also live with a mental-health condition?"), "radio", [
        ("yes", _("Yes")), ("no", _("No"))]),
    ("group", _("Would you feel more at home in a particular group?"), "checkbox", [
        ("women", _("Women only")), ("men", _("Men's meetings")), ("lgbtq", _("LGBTQ+ friendly")),
        ("young", _("Young people")), ("none", _("No preference"))]),
    ("attend", _("How would you like to attend?"), "radio", [
        ("in_person", _("In person")), ("online", _("Online")), ("either", _("Either"))]),
    ("day", _("Which days are you free?"), "checkbox", [
        ("0", _("Sunday")), ("1", _("Monday")), ("2", _("Tuesday")), ("3", _("Wednesday")), ("4", _("Thursday")),
        ("5", _("Friday")), ("6", _("Saturday"))]),
    ("time_of_day", _("At what time of day?"), "checkbox", [
        ("morning", _("Morning")), ("afternoon", _("Afternoon")), ("evening", _("Evening")), ("night", _("Night"))]),
    ("structure", _("What kind of meeting would you like?"), "radio", [
        ("steps", _("Working the steps, with a sponsor")), ("tools", _("Practical tools and skills")),
        ("discussion", _("Open discussion")), ("unsure", _("I don't know yet"))]),
    ("goal", _("What is your goal?"), "radio", [
        ("abstinence", _("To stop completely")), ("moderation", _("To cut down")), ("unsure", _("Not sure yet"))]),
]
assert {q[0] for q in QUESTIONS} <= set(CHOICES)
LANGUAGES = [("", _("Any language")), ("en", _("English")), ("es", _("Spanish")), ("fr", _("French")),
             ("pt", _("Portuguese"))]


def _questions(params):
    chosen = {name: set(params.getlist(name)) for name, *_ in QUESTIONS}
    out = []
    for name, label, kind, options in QUESTIONS:
        rows = [{"value": v, "label": text, "checked": v in chosen[name], "id": f"q-{name}-{i}"}
                for i, (v, text) in enumerate(options)]
        if kind == "radio":
            rows.append({"value": "", "label": NOT_SAY[1], "checked": not chosen[name], "id": f"q-{name}-none"})
        out.append({"name": name, "label": label, "kind": kind, "options": rows})
    return out


def questionnaire(request, error=None, status=200):
    return render(request, "fit/questionnaire.html", {
        "questions": _questions(request.GET), "near": request.GET.get("near", ""),
        "language": request.GET.get("language", ""), "languages": LANGUAGES, "error": error,
    }, status=status)


def results(request):
    try:
        answers = parse_answers(request.GET)
        result = rank(answers, language=(get_language() or "en")[:2], now=request.GET.get("now") or None)
    except QueryError as exc:
        return questionnaire(request, error=exc, status=400)
    tz = result.meetings[0]["timezone"] if result.meetings else "UTC"
    return render(request, "fit/results.html", {
        "result": result, "answers_query": urlencode(answers.as_params()),
        "search_query": urlencode(search_params(answers, request.GET.get("now") or None)),
        "meetings": [decorate(m, tz) for m in result.meetings],
    })
