"""Safety notes and crisis resources on the fit results, chosen by the person's answers.

Each note is plain words, links a person can tap, and the sources it rests on (the sources are
listed, with the date checked, in docs/fit.md). The footer's crisis help stays on every page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from commonground.fit.answers import Answers

SAMHSA = ("tel:+18006624357", "1-800-662-4357")
FIND_TREATMENT = "https://findtreatment.gov/"
GAMBLING_HELPLINE = ("tel:+18005224700", "1-800-522-4700")
SOURCES = {
    "fda-benzodiazepines": "https://www.fda.gov/drugs/drug-safety-and-availability/"
                           "fda-requiring-boxed-warning-updated-improve-safe-use-benzodiazepine-drug-class",
    "medlineplus-dts": "https://medlineplus.gov/ency/article/000766.htm",
    "who-prison-release": "https://www.who.int/news-room/fact-sheets/detail/opioid-overdose",
    "hhs-naloxone": "https://hhs.gov/opioids/treatment/overdose-response/index.html",
    "samhsa-helpline": "https://www.samhsa.gov/find-help/national-helpline",
    "988": "https://988lifeline.org/get-help/what-to-expect",
    "ncpg-helpline": "https://www.ncpgambling.org/news/ncpg-statement-on-national-access-to-1-800-gambler",
}


@dataclass
class Note:
    id: str
    title: str
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["links"] = [{"label": label, "href": href} for label, href in self.links]
        data["sources"] = [SOURCES[s] for s in self.sources]
        return data


def page_notes(answers: Answers) -> list[Note]:
    """Plain notes for the whole page, in order of urgency."""
    needs = set(answers.needs)
    notes = []
    if "withdrawal_risk" in needs:
        notes.append(Note("withdrawal", _("Stopping suddenly can be dangerous"), _(
            "After heavy, daily drinking, or when you take sedatives such as benzodiazepines, stopping or cutting "
            "down quickly can cause seizures and delirium tremens, which can kill. Please talk to a doctor before "
            "you stop or cut down: a doctor can help you do it safely. The SAMHSA National Helpline can find you "
            "help, free and confidential, day and night, in English and Spanish."),
            [(SAMHSA[1], SAMHSA[0]), ("FindTreatment.gov", FIND_TREATMENT)],
            ["fda-benzodiazepines", "medlineplus-dts", "samhsa-helpline"]))
    elif "moderation" in answers.get("goal") and not answers.get("dependence") and needs & {"alcohol", "drugs"}:
        notes.append(Note("withdrawal-question", _("Before you cut down"), _(
            "When you stop or drink less, do you get shaky, sweaty or sick, or have you ever had a seizure? Do you "
            "drink in the morning? If so, cutting down or stopping on your own can be dangerous, and moderation "
            "groups are not meant for you: please talk to a doctor first."),
            [(SAMHSA[1], SAMHSA[0]), ("FindTreatment.gov", FIND_TREATMENT)],
            ["medlineplus-dts", "samhsa-helpline"]))
    if "opioids" in needs or "moud" in answers.get("medication"):
        notes.append(Note("overdose", _("Overdose and naloxone"), _(
            "If you or someone close to you uses opioids, keep naloxone (Narcan) at hand and let people know "
            "where it is: it can reverse an overdose. Call 911 as well. After any break from using, such as time "
            "in prison or jail, detox, a hospital or treatment, your body handles much less, and your old amount "
            "can kill; the risk is highest in the first weeks. Medication (buprenorphine, methadone or naltrexone) "
            "treats opioid use disorder and lowers the risk of dying; FindTreatment.gov and the helpline can find "
            "it near you."),
            [("FindTreatment.gov", FIND_TREATMENT), (SAMHSA[1], SAMHSA[0])],
            ["hhs-naloxone", "who-prison-release", "samhsa-helpline"]))
    if needs & {"gambling", "family_gambling"}:
        notes.append(Note("gambling", _("Help with gambling"), _(
            "The National Problem Gambling Helpline (National Council on Problem Gambling) is free and "
            "confidential, day and night, for people who gamble and for their families."),
            [(GAMBLING_HELPLINE[1], GAMBLING_HELPLINE[0]), ("ncpgambling.org", "https://ncpgambling.org/chat")],
            ["ncpg-helpline"]))
    return notes


def help_now(answers: Answers) -> list[Note]:
    """The crisis lines for these answers: always 988 and the helpline, more where they apply."""
    needs = set(answers.needs)
    out = [
        Note("988", _("988 Suicide & Crisis Lifeline"), _(
            "Call or text 988, any time. Press 1 for the Veterans Crisis Line; press 2 for help in Spanish, or "
            "text AYUDA to 988."), [("988", "tel:988"), (_("Text 988"), "sms:988")], ["988"]),
        Note("samhsa", _("SAMHSA National Helpline"), _(
            "Free, confidential treatment referral and information, 24 hours a day, in English and Spanish."),
            [(SAMHSA[1], SAMHSA[0])], ["samhsa-helpline"]),
    ]
    if "opioids" in needs or "moud" in answers.get("medication"):
        out.append(Note("naloxone", _("Overdose"), _(
            "Someone will not wake up, or is breathing very slowly? Call 911 and give naloxone if you have it."),
            [("911", "tel:911")], ["hhs-naloxone"]))
    if needs & {"gambling", "family_gambling"}:
        out.append(Note("gambling-line", _("National Problem Gambling Helpline"), _(
            "Call, free and confidential, day and night."), [(GAMBLING_HELPLINE[1], GAMBLING_HELPLINE[0])],
            ["ncpg-helpline"]))
    return out
