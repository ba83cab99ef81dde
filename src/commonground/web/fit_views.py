"""The fit finder's pages (questionnaire, ranked programs with meetings that fit). The ranking itself
lives in `fit`, which knows nothing of HTTP or pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from commonground.fit.answers import CHOICES, parse_answers
from commonground.fit.ranking import rank, search_params
from commonground.search.query import QueryError
from commonground.web.forms import COMMON_ZONES
from commonground.web.presenters import decorate

NOT_SAY = ("", _("Prefer not to say"))
# (name, question, input kind, options, shown only when: {answer: values}; without JavaScript all show)
QUESTIONS = [
    ("help_with", _("What would you like help with?"), "checkbox", [
        ("alcohol", _("Alcohol")), ("opioids", _("Opioids (heroin, fentanyl, pain pills)")),
        ("stimulants", _("Stimulants (meth, cocaine)")), ("cannabis", _("Cannabis (marijuana)")),
        ("drugs", _("Other drugs")), ("both", _("Both alcohol and other drugs")), ("gambling", _("Gambling")),
        ("behavior", _("Another behaviour, such as food or sex")),
        ("someone_else", _("Someone else's drinking, drug use or gambling (I am family or a friend)"))], None),
    ("their_use", _("If it is someone else's: what do they struggle with?"), "radio", [
        ("drinking", _("Drinking")), ("drugs", _("Drugs")), ("both", _("Both drinking and drugs")),
        ("gambling", _("Gambling"))], {"help_with": ["someone_else"]}),
    ("dependence", _("When you stop or cut down, do you get shaky, sweaty or sick, or have you ever had a seizure? "
                     "Do you drink in the morning?"), "radio", [
        ("yes", _("Yes")), ("no", _("No")), ("unsure", _("I'm not sure"))],
        {"help_with": ["alcohol", "both", "drugs"]}),
    ("goal", _("What is your goal?"), "radio", [
        ("abstinence", _("To stop completely")), ("moderation", _("To cut down")), ("unsure", _("Not sure yet"))],
        {"help_with": ["alcohol", "drugs", "both", "opioids", "stimulants", "cannabis", "gambling", "behavior"]}),
    ("medication", _("Do you take medication?"), "checkbox", [
        ("moud", _("Medication for opioid use disorder: methadone, buprenorphine (Suboxone), or naltrexone for "
                   "opioids")),
        ("alcohol_medication", _("Medication for alcohol use: naltrexone, acamprosate or disulfiram")),
        ("psychiatric", _("Medication for a mental-health condition")), ("none", _("None of these"))], None),
    ("spirituality", _("How do you feel about spirituality?"), "radio", [
        ("spiritual", _("I'd like a spiritual approach")), ("christian", _("I'd like a Christian one")),
        ("buddhist", _("I'd like a Buddhist-inspired one")), ("none", _("No religion or spirituality, please")),
        ("any", _("I don't mind"))], None),
    ("mental_health", _("Do you also live with a mental-health condition?"), "radio", [
        ("yes", _("Yes")), ("no", _("No"))], None),
    ("gender", _("What is your gender?"), "radio", [
        ("woman", _("Woman")), ("man", _("Man")), ("nonbinary", _("Non-binary"))], None),
    ("group", _("Would you feel more at home in a particular group?"), "checkbox", [
        ("women", _("Women only")), ("men", _("Men's meetings")), ("lgbtq", _("LGBTQ+ friendly")),
        ("young", _("Young people")), ("none", _("No preference"))], None),
    ("attend", _("How and where would you like to attend?"), "radio", [
        ("in_person", _("In person")), ("online", _("Online")), ("either", _("Either"))], None),
    ("day", _("When are you free?"), "checkbox", [
        ("0", _("Sunday")), ("1", _("Monday")), ("2", _("Tuesday")), ("3", _("Wednesday")), ("4", _("Thursday")),
        ("5", _("Friday")), ("6", _("Saturday"))], None),
    ("structure", _("What kind of meeting would you like?"), "radio", [
        ("steps", _("Working the steps, with a sponsor")), ("tools", _("Practical tools and skills")),
        ("discussion", _("Open conversation")), ("unsure", _("I don't know yet"))], None),
]
TIMES = [("morning", _("Morning")), ("afternoon", _("Afternoon")), ("evening", _("Evening")), ("night", _("Night"))]
assert {q[0] for q in QUESTIONS} <= set(CHOICES)
LANGUAGES = [("", _("Any language")), ("en", _("English")), ("es", _("Spanish")), ("fr", _("French")),
             ("pt", _("Portuguese"))]


def _questions(params):
    chosen = {name: set(params.getlist(name)) for name in [*(q[0] for q in QUESTIONS), "time_of_day"]}
    out = []
    for name, label, kind, options, show_when in QUESTIONS:
        rows = [{"value": v, "label": text, "checked": v in chosen[name], "id": f"q-{name}-{i}"}
                for i, (v, text) in enumerate(options)]
        if kind == "radio":
            rows.append({"value": "", "label": NOT_SAY[1], "checked": not chosen[name], "id": f"q-{name}-none"})
        show = ";".join(f"{k}:{','.join(v)}" for k, v in (show_when or {}).items())
        out.append({"name": name, "label": label, "kind": kind, "options": rows, "show_when": show})
    times = [{"value": v, "label": text, "checked": v in chosen["time_of_day"], "id": f"q-time-{i}"}
             for i, (v, text) in enumerate(TIMES)]
    return out, times


def questionnaire(request, error=None, status=200):
    questions, times = _questions(request.GET)
    tz = request.GET.get("tz", "")
    zones = list(COMMON_ZONES) if tz in COMMON_ZONES or not tz else [tz, *COMMON_ZONES]
    return render(request, "fit/questionnaire.html", {
        "questions": questions, "times": times, "near": request.GET.get("near", ""), "tz": tz, "zones": zones,
        "language": request.GET.get("language", ""), "languages": LANGUAGES, "error": error,
    }, status=status)


def results(request):
    try:
        answers = parse_answers(request.GET)
        result = rank(answers, language=(get_language() or "en")[:2], now=request.GET.get("now") or None)
    except QueryError as exc:
        return questionnaire(request, error=exc, status=400)
    tz = answers.tz or (result.meetings[0]["timezone"] if result.meetings else "UTC")
    search = search_params(answers, request.GET.get("now") or None)
    return render(request, "fit/results.html", {
        "result": result, "answers_query": urlencode(answers.as_params()),
        "search_query": urlencode([(k, v) for k, vs in search.items() for v in (vs if isinstance(vs, list) else [vs])]),
        "meetings": [decorate(m, tz) for m in result.meetings],
    })
