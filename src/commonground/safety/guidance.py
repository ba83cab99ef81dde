"""The safety layer's answer for a situation: the notes in order of urgency, and the country's lines.

Every rule is here, once (docs/safety.md lists them with their sources):

1. A crisis said (``crisis=yes``) or written (crisis words in a check-in) puts the ``crisis`` note
   first and the country's crisis line first among the lines. A hard check-in (mood 2 or lower,
   craving 8 or higher) puts the ``struggling`` note first.
2. Own use of opioids, stimulants, sedatives or other drugs, a family member's drug use, or
   opioid medication: the ``overdose`` note (naloxone, not using alone, fentanyl in the drug supply
   including stimulants and counterfeit pills, lower tolerance after any break).
3. Sedatives, or alcohol with withdrawal signs (or not sure), or a slip on an alcohol or sedative
   clock: the ``withdrawal`` note. Alcohol with the withdrawal question unanswered: ``withdrawal-question``.
4. (For the ranking) the same withdrawal risk makes moderation unsafe: ``moderation_unsafe``.
5. Alcohol or sedatives together with opioids or opioid medication: the ``mixing`` note.
6. Pregnant, with own use of alcohol or drugs: the ``pregnancy`` note.
7. Just left prison, detox, treatment or hospital, or a slip on a drug clock: the overdose note leads
   with lower tolerance.
8. Under 18: the ``youth`` note.
9. The lines are the country's own; 988 and SAMHSA only where they serve. When the country is not
   known, the lines are the deployment's home country's, said plainly, with a directory of the world's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from commonground.i18n import language
from commonground.safety import countries
from commonground.safety.countries import Country, Line
from commonground.safety.situation import DRUG_SUBSTANCES, Situation
from commonground.safety.sources import SOURCES

URGENCY = (
    "crisis",
    "struggling",
    "overdose",
    "withdrawal",
    "mixing",
    "pregnancy",
    "withdrawal-question",
    "youth",
    "gambling",
)
OVERDOSE_SUBSTANCES = DRUG_SUBSTANCES - {"cannabis"}
SUBSTANCE_USE = DRUG_SUBSTANCES | {"alcohol"}


@dataclass
class Note:
    id: str
    title: str
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    sources: list[str] = field(default_factory=list)  # keys of sources.SOURCES

    def source_rows(self) -> list[dict[str, str]]:
        return [
            {
                "title": SOURCES[s].title,
                "publisher": SOURCES[s].publisher,
                "url": SOURCES[s].url,
                "checked": SOURCES[s].checked,
            }
            for s in self.sources
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "links": [{"label": label, "href": href} for label, href in self.links],
            "sources": [row["url"] for row in self.source_rows()],
        }


@dataclass
class LineView:
    """A help line as a page or an answer shows it, in the page's language."""

    id: str
    kind: str
    name: str
    number: str
    tel: str
    sms: str
    text_number: str
    text_keyword: str
    about: str
    hours: str
    source: str
    checked: str
    confirmed: bool

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Guidance:
    situation: Situation
    country: Country | None  # the entry whose lines are shown
    country_code: str  # the person's country, "" when unknown
    country_known: bool  # False: the lines are the home country's, and the page says so
    notes: list[Note]
    lines: list[LineView]
    emergency: str
    directory_name: str
    directory_url: str
    moderation_unsafe: bool

    @property
    def crisis_first(self) -> bool:
        return bool(self.notes) and self.notes[0].id in ("crisis", "struggling")

    @property
    def country_name(self) -> str:
        return self.country.label(_language()) if self.country else ""

    def note(self, note_id: str) -> Note | None:
        return next((n for n in self.notes if n.id == note_id), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "country": self.country.code if self.country else None,
            "country_known": self.country_known,
            "emergency": self.emergency or None,
            "notes": [n.as_dict() for n in self.notes],
            "lines": [line.as_dict() for line in self.lines],
            "directory": {"name": self.directory_name, "url": self.directory_url},
        }


def _language() -> str:
    return language()


def _view(line: Line, language: str) -> LineView:
    return LineView(
        line.id,
        line.kind,
        line.label(language),
        line.call,
        line.tel_href,
        line.sms_href,
        line.text,
        line.text_keyword,
        line.about(language),
        line.when(language),
        line.source,
        line.checked,
        line.confirmed,
    )


def home_country() -> str:
    return str(settings.HELP_COUNTRY)


def guidance(situation: Situation, *, every_line: bool = False) -> Guidance:
    """The notes and lines for a situation. ``every_line``: all the country's lines (the /help page)."""
    language = _language()
    code = situation.country.upper()
    entry = countries.get_country(code) if code else None
    known = bool(code)
    if entry is None and not code:
        entry = countries.get_country(home_country())
    lines = _lines(situation, entry, every_line)
    views = [_view(line, language) for line in lines]
    emergency = entry.emergency if entry else ""
    d = countries.directory()
    notes = _notes(situation, entry, known, emergency, d.url)
    notes.sort(key=lambda n: URGENCY.index(n.id))
    return Guidance(situation, entry, code, known, notes, views, emergency, d.name, d.url, situation.withdrawal_risk)


def _lines(situation: Situation, entry: Country | None, every_line: bool) -> list[Line]:
    if entry is None:
        return []
    gambling = "gambling" in situation.own or "gambling" in situation.family
    wanted = ["crisis", "drugs"]
    if every_line or gambling:
        wanted.append("gambling")
    if every_line or situation.age == "under_18":
        wanted.append("youth")
    return [line for kind in wanted for line in entry.lines_of(kind)]


def _call_links(entry: Country | None, emergency: str, directory_url: str) -> list[tuple[str, str]]:
    links = []
    if entry is not None:
        line = entry.crisis_line
        links.append(
            (_("Call %(name)s: %(number)s") % {"name": line.label(_language()), "number": line.call}, line.tel_href)
        )
        if line.sms_href:
            links.append((_("Text %(number)s") % {"number": line.text}, line.sms_href))
        for other in entry.lines_of("crisis"):  # lines that only take texts
            if not other.tel and other.sms_href:
                links.append(
                    (
                        _("Text %(name)s: %(number)s") % {"name": other.label(_language()), "number": other.text},
                        other.sms_href,
                    )
                )
    if emergency:
        links.append((_("Emergency: %(number)s") % {"number": emergency}, f"tel:{emergency}"))
    if entry is None:
        links.append((_("Find a helpline in your country"), directory_url))
    return links


def _emergency_words(emergency: str) -> str:
    return emergency or _("your local emergency number")


@dataclass(frozen=True)
class Decision:
    """What the rules decided for a situation, before any words: which notes, in which order, and how the
    overdose note leads. A pure function of the situation (``decide``), so the rules can be checked over
    every combination of answers; ``guidance`` then writes the notes in the page's language."""

    notes: tuple[str, ...]
    tolerance_first: bool = False
    own_overdose: bool = False
    family_overdose: bool = False


def decide(s: Situation) -> Decision:
    ids = []
    moment = s.moment
    if s.in_crisis:
        ids.append("crisis")
    elif s.hard_checkin:
        ids.append("struggling")
    drug_reset = moment is not None and moment.kind == "reset" and moment.substance in OVERDOSE_SUBSTANCES
    own_overdose = bool(s.own & OVERDOSE_SUBSTANCES) or s.opioid_medication or drug_reset
    if own_overdose or s.family_drugs:
        ids.append("overdose")
    depressant_reset = moment is not None and moment.kind == "reset" and moment.substance in ("alcohol", "sedatives")
    if s.withdrawal_risk or depressant_reset:
        ids.append("withdrawal")
    elif s.drinks and not s.dependence:
        ids.append("withdrawal-question")
    if (s.drinks or "sedatives" in s.own) and ("opioids" in s.own or s.opioid_medication):
        ids.append("mixing")
    if s.pregnant == "yes" and s.own & SUBSTANCE_USE:
        ids.append("pregnancy")
    if s.age == "under_18":
        ids.append("youth")
    if "gambling" in s.own or "gambling" in s.family:
        ids.append("gambling")
    ids.sort(key=URGENCY.index)
    return Decision(
        tuple(ids),
        tolerance_first=own_overdose and (s.left_recently or drug_reset),
        own_overdose=own_overdose,
        family_overdose=s.family_drugs,
    )


def _notes(s: Situation, entry: Country | None, known: bool, emergency: str, directory_url: str) -> list[Note]:
    decision = decide(s)
    calls = _call_links(entry, emergency, directory_url)
    em = _emergency_words(emergency)
    # The country's drug and alcohol lines (where it has one): they find treatment and a doctor.
    drug_lines = [
        (f"{line.label(_language())}: {line.call}", line.tel_href)
        for line in (entry.lines_of("drugs") if entry else [])
        if line.tel
    ]
    writers = {
        "crisis": lambda: Note(
            "crisis",
            _("You do not have to face this alone: talk to someone now"),
            _(
                "If you are thinking about ending your life, or you are in danger, please call a crisis line now. If "
                "your life is at risk right now, call %(emergency)s or go to the nearest hospital emergency department. "
                "You do not need to be sure it is bad enough to call, and many crisis lines are free and answer day and "
                "night. If you can, stay with someone you trust, and put away (or ask someone to take away) anything you "
                "could use to hurt yourself."
            )
            % {"emergency": em},
            calls,
            ["988-signs", "who-suicide"],
        ),
        "struggling": lambda: Note(
            "struggling",
            _("A hard day: reach out now"),
            _(
                "Cravings come in waves: they rise, peak and pass, even when it feels as if they will not. You do not "
                "have to ride this out alone. Call someone from your plan, join a meeting (there are online meetings at "
                "most hours of the day), or call a crisis line: you do not need to be in danger to call."
            ),
            calls,
            ["988-signs"],
        ),
        "overdose": lambda: _overdose(decision, em, drug_lines),
        "withdrawal": lambda: Note(
            "withdrawal",
            _("Stopping suddenly can be dangerous"),
            _(
                "If you drink heavily most days, or take benzodiazepines or sleeping pills regularly (even as "
                "prescribed), stopping or cutting down suddenly can cause seizures or a dangerous confusion called "
                "delirium tremens (the DTs). Both can kill. Please talk to a doctor before you stop or cut down: they can "
                "help you do it safely, often with medication. If you have already stopped and feel very shaky, sweaty "
                "or sick, get medical help today. Confusion, seeing or hearing things that are not there, or a seizure "
                "is an emergency: call %(emergency)s."
            )
            % {"emergency": em},
            drug_lines,
            ["medlineplus-alcohol-withdrawal", "medlineplus-dts", "fda-benzodiazepines"],
        ),
        "withdrawal-question": lambda: Note(
            "withdrawal-question",
            _("Before you stop or cut down"),
            _(
                "When you stop or cut down, do you get shaky, sweaty, sick or very anxious, or have you ever had a "
                "seizure? Do you drink or use first thing in the morning? If so, your body may depend on alcohol: "
                "stopping suddenly on your own can be dangerous, and so can cutting down fast. Please talk to a doctor "
                "first; they can help you stop safely."
            ),
            [],
            ["medlineplus-alcohol-withdrawal", "medlineplus-dts"],
        ),
        "mixing": lambda: Note(
            "mixing",
            _("Mixing alcohol or sedatives with opioids"),
            _(
                "Alcohol, benzodiazepines and sleeping pills slow your breathing, and so do opioids, including methadone "
                "and buprenorphine. Together they can stop your breathing: this mix is behind many overdose deaths. If "
                "you take methadone or buprenorphine, keep taking it, because it protects you, and tell your prescriber "
                "what else you drink or take so they can keep you safe. If you do mix them, do not use alone, and keep "
                "naloxone nearby if you can get it."
            ),
            [],
            ["fda-opioids-benzodiazepines", "fda-moud-benzodiazepines", "cdc-polysubstance"],
        ),
        "pregnancy": lambda: Note(
            "pregnancy",
            _("If you are pregnant"),
            _(
                "Please do not stop opioids or heavy drinking suddenly on your own. Sudden withdrawal can be dangerous, "
                "and stopping opioids this way often leads back to using, with a higher risk of overdose. For opioids, "
                "medication (methadone or buprenorphine) is the recommended treatment in pregnancy; if you already take "
                "it, keep taking it. You deserve care without judgement: a doctor, midwife or treatment service can help "
                "you make a plan. In the United States, many treatment programs must see pregnant women first; "
                "elsewhere, ask whether they do."
            ),
            [],
            ["acog-opioids-pregnancy", "who-pregnancy-guidelines", "samhsa-pregnant-priority"],
        ),
        "youth": lambda: Note(
            "youth",
            _("If you are under 18"),
            _(
                "You can get help too, and asking for it takes courage. Talk to an adult you trust, such as a school "
                "counsellor, a doctor or a relative. Help made for young people fits your age and your life better than "
                "help made for adults. Young people's meetings, and Alateen for teenagers affected by someone else's "
                "drinking, are listed where they exist."
            ),
            [],
            ["nida-teens", "alateen"],
        ),
        "gambling": lambda: Note(
            "gambling",
            _("Help with gambling"),
            _(
                "Gambling problems can be treated, and there is help for families as well. Gambling helplines are "
                "usually free and confidential."
            ),
            [
                (line.label(_language()) + f": {line.call}", line.tel_href)
                for line in (entry.lines_of("gambling") if entry else [])
                if line.tel
            ],
            ["ncpg-helpline"] if entry and entry.code == "US" else [],
        ),
    }
    return [writers[note_id]() for note_id in decision.notes]


def _overdose(decision: Decision, em: str, links: list[tuple[str, str]]) -> Note:
    tolerance = _(
        "After any break from using (prison or jail, detox, hospital, treatment, or even a few days without "
        "using), your body can handle much less. Your old amount can kill, and the risk is highest in the first "
        "weeks. If you use, start with much less, go slowly, and never use alone."
    )
    supply = _(
        "Fentanyl, a very strong opioid, is mixed into drugs in many places, often without people knowing: not "
        "only heroin, but also cocaine, meth and fake pills made to look like real medicines. Carry naloxone where "
        "you can get it, and show the people around you where it is. If someone will not wake up, or is breathing "
        "very slowly or not at all, call %(emergency)s, give naloxone and stay with them: naloxone does no harm if "
        "it was not opioids."
    ) % {"emergency": em}
    family = _(
        "If someone close to you uses drugs, keep naloxone at home if you can get it, and learn how to give it: "
        "you may be the one who finds them. Ask them not to use alone. After any break from using (prison, detox, "
        "hospital or treatment) their body can handle much less, and their old amount can kill."
    )
    parts = [tolerance, supply] if decision.tolerance_first else [supply, tolerance]
    if not decision.own_overdose:
        parts = [family, supply]
    elif decision.family_overdose:
        parts.append(family)
    title = (
        _("Lower tolerance: overdose risk")
        if decision.tolerance_first
        else _("Overdose: naloxone, and never use alone")
    )
    return Note(
        "overdose",
        title,
        " ".join(parts),
        links,
        [
            "cdc-stop-overdose",
            "cdc-fentanyl",
            "cdc-polysubstance",
            "dea-counterfeit-pills",
            "cdc-naloxone",
            "who-opioid-overdose",
            "euda-overdose-risk",
            "who-europe-prison-release",
        ],
    )


# What everyone should know, for a page that knows nothing of the person (/help): the overdose note
# (naloxone, never alone, fentanyl, lower tolerance, for families too), the withdrawal note and the
# mixing note. Chosen here, by the layer, as a situation that calls for exactly those three.
BASICS = Situation(own=frozenset({"opioids", "sedatives"}), family=frozenset({"drugs"}))


def basics(country: str, country_from: str = "") -> Guidance:
    """The help page's answer: every line of the country, then the basics."""
    from dataclasses import replace

    return guidance(replace(BASICS, country=country, country_from=country_from), every_line=True)
