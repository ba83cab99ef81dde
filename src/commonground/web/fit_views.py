"""The fit finder's pages (questionnaire, ranked programs with meetings that fit). The ranking itself
lives in `fit`, which knows nothing of HTTP or pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from commonground.fit.answers import CHOICES, parse_answers
from commonground.fit.ranking import rank
from commonground.i18n import language
from commonground.search.query import QueryError
from commonground.web.forms import COMMON_ZONES
from commonground.web.help import country_choices, lines_heading, serves_sentence, site_help_for
from commonground.web.presenters import decorate

NOT_SAY = ("", _("Prefer not to say"))
# (name, question, input kind, options, shown only when: {answer: values}; without JavaScript all show)
QUESTIONS = [
    (
        "help_with",
        _("What would you like help with?"),
        "checkbox",
        [
            ("alcohol", _("Alcohol")),
            ("opioids", _("Opioids (heroin, fentanyl, pain pills)")),
            ("stimulants", _("Stimulants (meth, cocaine)")),
            ("sedatives", _("Benzodiazepines or sleeping pills")),
            ("cannabis", _("Cannabis (marijuana)")),
            ("drugs", _("Other drugs")),
            ("both", _("Both alcohol and other drugs")),
            ("gambling", _("Gambling")),
            ("behavior", _("Another behaviour, such as food or sex")),
            ("someone_else", _("Someone else's drinking, drug use or gambling (I am family or a friend)")),
        ],
        None,
    ),
    (
        "crisis",
        _("Are you thinking about ending your life, or are you in danger right now?"),
        "radio",
        [("yes", _("Yes")), ("no", _("No"))],
        None,
    ),
    (
        "their_use",
        _("If it is someone else's: what do they struggle with?"),
        "radio",
        [
            ("drinking", _("Drinking")),
            ("drugs", _("Drugs")),
            ("both", _("Both drinking and drugs")),
            ("gambling", _("Gambling")),
        ],
        {"help_with": ["someone_else"]},
    ),
    (
        "dependence",
        _(
            "When you stop or cut down, do you get shaky, sweaty, sick or very anxious, or have you ever had "
            "a seizure? Do you drink or use first thing in the morning?"
        ),
        "radio",
        [("yes", _("Yes")), ("no", _("No")), ("unsure", _("I'm not sure"))],
        {"help_with": ["alcohol", "both", "drugs", "opioids", "stimulants", "sedatives", "cannabis"]},
    ),
    (
        "goal",
        _("What is your goal?"),
        "radio",
        [("abstinence", _("To stop completely")), ("moderation", _("To cut down")), ("unsure", _("Not sure yet"))],
        {
            "help_with": [
                "alcohol",
                "drugs",
                "both",
                "opioids",
                "stimulants",
                "sedatives",
                "cannabis",
                "gambling",
                "behavior",
            ]
        },
    ),
    (
        "medication",
        _("Do you take medication?"),
        "checkbox",
        [
            (
                "moud",
                _("Medication for opioid use disorder: methadone, buprenorphine (Suboxone), or naltrexone for opioids"),
            ),
            ("alcohol_medication", _("Medication for alcohol use: naltrexone, acamprosate or disulfiram")),
            ("psychiatric", _("Medication for a mental-health condition")),
            ("none", _("None of these")),
        ],
        None,
    ),
    (
        "spirituality",
        _("How do you feel about spirituality?"),
        "radio",
        [
            ("spiritual", _("I'd like a spiritual approach")),
            ("christian", _("I'd like a Christian one")),
            ("buddhist", _("I'd like a Buddhist-inspired one")),
            ("indigenous", _("I'd like one grounded in Native or Indigenous teachings")),
            ("muslim", _("I'd like one grounded in Islam")),
            ("none", _("No religion or spirituality, please")),
            ("any", _("I don't mind")),
        ],
        None,
    ),
    (
        "mental_health",
        _("Do you also live with a mental-health condition?"),
        "radio",
        [("yes", _("Yes")), ("no", _("No"))],
        None,
    ),
    (
        "gender",
        _("What is your gender?"),
        "radio",
        [("woman", _("Woman")), ("man", _("Man")), ("nonbinary", _("Non-binary"))],
        None,
    ),
    (
        "age",
        _("How old are you?"),
        "radio",
        [
            ("under_18", _("Under 18")),
            ("18_24", _("18 to 24")),
            ("25_64", _("25 to 64")),
            ("65_plus", _("65 or older")),
        ],
        None,
    ),
    ("pregnant", _("Are you pregnant?"), "radio", [("yes", _("Yes")), ("no", _("No"))], None),
    (
        "recently_left",
        _("In the last few weeks, have you left any of these?"),
        "checkbox",
        [
            ("prison", _("Prison or jail")),
            ("detox", _("Detox")),
            ("treatment", _("A treatment programme")),
            ("hospital", _("Hospital")),
            ("none", _("None of these")),
        ],
        None,
    ),
    (
        "group",
        _("Would you feel more at home in a particular group?"),
        "checkbox",
        [
            ("women", _("Women only")),
            ("men", _("Men's meetings")),
            ("lgbtq", _("LGBTQ+ friendly")),
            ("young", _("Young people")),
            ("asl", _("Meetings in American Sign Language (ASL)")),
            ("none", _("No preference")),
        ],
        None,
    ),
    (
        "attend",
        _("How and where would you like to attend?"),
        "radio",
        [("in_person", _("In person")), ("online", _("Online")), ("either", _("Either"))],
        None,
    ),
    (
        "day",
        _("When are you free?"),
        "checkbox",
        [
            ("0", _("Sunday")),
            ("1", _("Monday")),
            ("2", _("Tuesday")),
            ("3", _("Wednesday")),
            ("4", _("Thursday")),
            ("5", _("Friday")),
            ("6", _("Saturday")),
        ],
        None,
    ),
    (
        "structure",
        _("What kind of meeting would you like?"),
        "radio",
        [
            ("steps", _("Working the steps, with a sponsor")),
            ("tools", _("Practical tools and skills")),
            ("discussion", _("Open conversation")),
            ("unsure", _("I don't know yet")),
        ],
        None,
    ),
]
# Questions asked together, under one heading (a fieldset of fieldsets): the short list stays short.
GROUPS = {
    "about": (
        _("About you (all optional; these change the safety notes we show)"),
        ("gender", "age", "pregnant", "recently_left"),
    )
}
TIMES = [("morning", _("Morning")), ("afternoon", _("Afternoon")), ("evening", _("Evening")), ("night", _("Night"))]
assert {q[0] for q in QUESTIONS} <= set(CHOICES)
LANGUAGES = [
    ("", _("Any language")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
]


def _questions(params):
    chosen = {name: set(params.getlist(name)) for name in [*(q[0] for q in QUESTIONS), "time_of_day"]}
    grouped = {name: group for group, (_label, names) in GROUPS.items() for name in names}
    out, groups = [], {}
    for name, label, kind, options, show_when in QUESTIONS:
        rows = [
            {"value": v, "label": text, "checked": v in chosen[name], "id": f"q-{name}-{i}"}
            for i, (v, text) in enumerate(options)
        ]
        if kind == "radio":
            rows.append({"value": "", "label": NOT_SAY[1], "checked": not chosen[name], "id": f"q-{name}-none"})
        show = ";".join(f"{k}:{','.join(v)}" for k, v in (show_when or {}).items())
        question = {"name": name, "label": label, "kind": kind, "options": rows, "show_when": show}
        group = grouped.get(name)
        if group is None:
            out.append(question)
        elif group in groups:
            groups[group]["questions"].append(question)
        else:
            groups[group] = {"name": group, "label": GROUPS[group][0], "questions": [question]}
            out.append(groups[group])
    times = [
        {"value": v, "label": text, "checked": v in chosen["time_of_day"], "id": f"q-time-{i}"}
        for i, (v, text) in enumerate(TIMES)
    ]
    return out, times


def questionnaire(request, error=None, status=200):
    questions, times = _questions(request.GET)
    tz = request.GET.get("tz", "")
    zones = list(COMMON_ZONES) if tz in COMMON_ZONES or not tz else [tz, *COMMON_ZONES]
    return render(
        request,
        "fit/questionnaire.html",
        {
            "questions": questions,
            "times": times,
            "near": request.GET.get("near", ""),
            "tz": tz,
            "zones": zones,
            "language": request.GET.get("language", ""),
            "languages": LANGUAGES,
            "error": error,
            "country": request.GET.get("country", "").upper(),
            "countries": country_choices(),
        },
        status=status,
    )


def results(request):
    try:
        answers = parse_answers(request.GET)
        result = rank(answers, language=language(), now=request.GET.get("now") or None)
    except QueryError as exc:
        return questionnaire(request, error=exc, status=400)
    tz = answers.tz or (result.meetings[0]["timezone"] if result.meetings else "UTC")
    guidance = result.guidance
    code = guidance.country_code if guidance else ""
    return render(
        request,
        "fit/results.html",
        {
            "result": result,
            "answers_query": urlencode(answers.as_params()),
            "search_query": urlencode(
                [(k, v) for k, vs in result.params.items() for v in (vs if isinstance(vs, list) else [vs])]
            ),
            "meetings": [decorate(m, tz) for m in result.meetings],
            "g": guidance,
            "serves": serves_sentence(guidance) if guidance else "",
            "lines_heading": lines_heading(guidance) if guidance else "",
            "crisis_note": guidance.note("crisis") if guidance else None,
            "other_notes": [n for n in guidance.notes if n.id != "crisis"] if guidance else [],
            "site_help": site_help_for(code),
        },
    )
