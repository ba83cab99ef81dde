"""The public-health bodies and papers each safety note rests on, with the date they were checked.

A note names its sources by key; docs/safety.md lists them all. Every address here is a page of the
body that says what the note says (in our own words).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str
    checked: str


CHECKED = "2026-12-07"
SOURCES: dict[str, Source] = {
    "cdc-stop-overdose": Source(
        "Stop Overdose: fentanyl, naloxone, and not using alone", "US Centers for Disease Control and Prevention",
        "https://www.cdc.gov/stop-overdose/", CHECKED),
    "cdc-fentanyl": Source(
        "Fentanyl facts (fentanyl found in other drugs, including cocaine, meth and counterfeit pills)",
        "US Centers for Disease Control and Prevention", "https://www.cdc.gov/stop-overdose/caring/fentanyl-facts.html",
        CHECKED),
    "who-opioid-overdose": Source(
        "Opioid overdose fact sheet (naloxone; lower tolerance after release from prison or after detoxification)",
        "World Health Organization", "https://www.who.int/news-room/fact-sheets/detail/opioid-overdose", CHECKED),
    "samhsa-naloxone": Source(
        "Naloxone", "US Substance Abuse and Mental Health Services Administration",
        "https://www.samhsa.gov/substance-use/treatment/options/naloxone", CHECKED),
    "medlineplus-alcohol-withdrawal": Source(
        "Alcohol withdrawal", "MedlinePlus, US National Library of Medicine",
        "https://medlineplus.gov/ency/article/000764.htm", CHECKED),
    "medlineplus-dts": Source(
        "Delirium tremens", "MedlinePlus, US National Library of Medicine",
        "https://medlineplus.gov/ency/article/000766.htm", CHECKED),
    "fda-benzodiazepines": Source(
        "FDA requiring Boxed Warning updated to improve safe use of benzodiazepine drug class (2020): dependence, "
        "withdrawal reactions including seizures", "US Food and Drug Administration",
        "https://www.fda.gov/drugs/drug-safety-and-availability/"
        "fda-requiring-boxed-warning-updated-improve-safe-use-benzodiazepine-drug-class", CHECKED),
    "fda-opioids-benzodiazepines": Source(
        "FDA warns about serious risks and death when combining opioid pain or cough medicines with benzodiazepines "
        "(2016)", "US Food and Drug Administration",
        "https://www.fda.gov/drugs/drug-safety-and-availability/"
        "fda-drug-safety-communication-fda-warns-about-serious-risks-and-death-when-combining-opioid-pain-or",
        CHECKED),
    "samhsa-buprenorphine": Source(
        "Buprenorphine: do not use alcohol or sedatives with it", "US Substance Abuse and Mental Health Services "
        "Administration", "https://www.samhsa.gov/substance-use/treatment/options/buprenorphine", CHECKED),
    "acog-opioids-pregnancy": Source(
        "Committee Opinion 711: Opioid use and opioid use disorder in pregnancy (medication is the recommended "
        "treatment; withdrawal is not recommended)", "American College of Obstetricians and Gynecologists",
        "https://www.acog.org/clinical/clinical-guidance/committee-opinion/articles/2017/08/"
        "opioid-use-and-opioid-use-disorder-in-pregnancy", CHECKED),
    "samhsa-pregnant-priority": Source(
        "Substance use block grant: pregnant women are given preference in admission to treatment (45 CFR 96.131)",
        "US Code of Federal Regulations (eCFR)", "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-L/"
        "part-96/subpart-L/section-96.131", CHECKED),
    "nida-teens": Source(
        "Principles of adolescent substance use disorder treatment", "US National Institute on Drug Abuse",
        "https://nida.nih.gov/publications/principles-adolescent-substance-use-disorder-treatment-research-based-guide",
        CHECKED),
    "alateen": Source("Alateen: for young people affected by someone else's drinking", "Al-Anon Family Groups",
                      "https://al-anon.org/newcomers/teen-corner-alateen/", CHECKED),
    "988-signs": Source("Know the signs: warning signs of suicide, and what to do", "988 Suicide & Crisis Lifeline",
                        "https://988lifeline.org/how-we-can-all-prevent-suicide/", CHECKED),
    "who-suicide": Source("Suicide fact sheet", "World Health Organization",
                          "https://www.who.int/news-room/fact-sheets/detail/suicide", CHECKED),
    "ncpg-helpline": Source("National Problem Gambling Helpline", "National Council on Problem Gambling",
                            "https://www.ncpgambling.org/help-treatment/", CHECKED),
    "samhsa-helpline": Source("SAMHSA's National Helpline", "US Substance Abuse and Mental Health Services "
                              "Administration", "https://www.samhsa.gov/find-help/helplines/national-helpline", CHECKED),
}
