"""The public-health bodies and papers each safety note rests on, with the date they were checked.

A note names its sources by key; docs/safety.md lists them all. Every address here is a page of the
body that says what the note says (in our own words). Checked on 2026-12-07 with the project's
search tool (stored copies of the pages, not a live visit): a title that ends in "not confirmed"
names a page whose address or words we could not see for ourselves.
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
CDC = "US Centers for Disease Control and Prevention"
FDA = "US Food and Drug Administration"
WHO = "World Health Organization"
SOURCES: dict[str, Source] = {
    # Overdose: fentanyl in the supply, naloxone, not using alone, lower tolerance after a break.
    "cdc-stop-overdose": Source(
        "Helping stop overdose: CDC's Stop Overdose pages on fentanyl, mixing drugs and naloxone",
        CDC,
        "https://www.cdc.gov/stop-overdose/caring/index.html",
        CHECKED,
    ),
    "cdc-fentanyl": Source(
        "Fentanyl facts: fentanyl has spread through the drug supply, and many people do not know their drugs "
        "contain it",
        CDC,
        "https://www.cdc.gov/stop-overdose/caring/fentanyl-facts.html",
        CHECKED,
    ),
    "cdc-polysubstance": Source(
        "Polysubstance overdose: illegally made fentanyl found with cocaine and methamphetamine, and with "
        "benzodiazepines, in overdose deaths",
        CDC,
        "https://www.cdc.gov/overdose-prevention/about/polysubstance-overdose.html",
        CHECKED,
    ),
    "dea-counterfeit-pills": Source(
        "Counterfeit pills fact sheet (2021): fake pills made to look like prescription opioids, Xanax or Adderall "
        "can contain fentanyl or methamphetamine",
        "US Drug Enforcement Administration",
        "https://www.dea.gov/documents/2021/2021-09/2021-09-27/counterfeit-pills-factsheet",
        CHECKED,
    ),
    "cdc-naloxone": Source(
        "Lifesaving naloxone: anyone can carry it and give it; it does no harm if the overdose was not from "
        "opioids; stay with the person until help arrives",
        CDC,
        "https://www.cdc.gov/stop-overdose/caring/naloxone.html",
        CHECKED,
    ),
    "who-opioid-overdose": Source(
        "Opioid overdose fact sheet: opioids can stop breathing; naloxone prevents death if given in time; "
        "treatment lowers the risk",
        WHO,
        "https://www.who.int/news-room/fact-sheets/detail/opioid-overdose",
        CHECKED,
    ),
    "euda-overdose-risk": Source(
        "Preventing overdoses and drug-related deaths (European Drug Report 2017): the first weeks after "
        "treatment ends carry a higher overdose risk",
        "European Union Drugs Agency (EUDA, formerly EMCDDA)",
        "https://www.euda.europa.eu/publications/edr/trends-developments/2017/html/harms-responses/"
        "preventing-overdoses_en",
        CHECKED,
    ),
    "who-europe-prison-release": Source(
        "Prevention of acute drug-related mortality in prison populations during the immediate post-release "
        "period (2010): lower tolerance after prison, and mixing drugs, drive deaths soon after release",
        "World Health Organization Regional Office for Europe",
        "https://apps.who.int/bookorders/anglais/detart1.jsp?codlan=1&codcol=34&codcch=98",
        CHECKED,
    ),
    # Withdrawal: see a doctor before stopping; seizures and delirium tremens.
    "medlineplus-alcohol-withdrawal": Source(
        "Alcohol withdrawal: symptoms after heavy drinking stops, from shakiness to seizures and delirium tremens",
        "MedlinePlus, US National Library of Medicine",
        "https://medlineplus.gov/ency/article/000764.htm",
        CHECKED,
    ),
    "medlineplus-dts": Source(
        "Delirium tremens: a severe, life-threatening form of alcohol withdrawal",
        "MedlinePlus, US National Library of Medicine",
        "https://medlineplus.gov/ency/article/000766.htm",
        CHECKED,
    ),
    "fda-benzodiazepines": Source(
        "FDA requiring Boxed Warning updated to improve safe use of benzodiazepine drug class (2020): dependence "
        "even as prescribed; stopping suddenly can cause withdrawal seizures",
        FDA,
        "https://www.fda.gov/drugs/drug-safety-and-availability/"
        "fda-requiring-boxed-warning-updated-improve-safe-use-benzodiazepine-drug-class",
        CHECKED,
    ),
    # Mixing: alcohol or sedatives with opioids or opioid medication.
    "fda-opioids-benzodiazepines": Source(
        "FDA warns about serious risks and death when combining opioid pain or cough medicines with "
        "benzodiazepines (2016): slowed or stopped breathing",
        FDA,
        "https://www.fda.gov/drugs/drug-safety-and-availability/"
        "fda-drug-safety-communication-fda-warns-about-serious-risks-and-death-when-combining-opioid-pain-or",
        CHECKED,
    ),
    "fda-moud-benzodiazepines": Source(
        "FDA urges caution about withholding opioid addiction medications from patients taking benzodiazepines or "
        "other CNS depressants (2017): the mix is riskier, but untreated opioid addiction is more dangerous; "
        "keep the medication and manage it carefully (FDA's older address)",
        FDA,
        "https://www.fda.gov/Drugs/DrugSafety/ucm575307.htm",
        CHECKED,
    ),
    # Pregnancy: do not stop suddenly alone; medication is the recommended treatment; priority (US).
    "acog-opioids-pregnancy": Source(
        "Committee Opinion 711, Opioid use and opioid use disorder in pregnancy (2017, reaffirmed 2021): opioid "
        "agonist medication is the recommended therapy; withdrawal is not recommended",
        "American College of Obstetricians and Gynecologists",
        "https://www.acog.org/clinical/clinical-guidance/committee-opinion/"
        "articles/2017/08/opioid-use-and-opioid-use-disorder-in-pregnancy",
        CHECKED,
    ),
    "who-pregnancy-guidelines": Source(
        "Guidelines for the identification and management of substance use and substance use disorders in "
        "pregnancy (2014): opioid maintenance treatment rather than detoxification; withdrawal under medical "
        "care",
        WHO,
        "https://www.who.int/publications/i/item/9789241548731",
        CHECKED,
    ),
    "samhsa-pregnant-priority": Source(
        "45 CFR 96.131: in the US, treatment programs funded by the federal substance use block grant must give "
        "pregnant women preference in admission",
        "US Code of Federal Regulations (eCFR)",
        "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-A/part-96/subpart-L/section-96.131",
        CHECKED,
    ),
    # Young people.
    "nida-teens": Source(
        "Principles of adolescent substance use disorder treatment: a research-based guide (treatment fitted to "
        "young people's needs)",
        "US National Institute on Drug Abuse",
        "https://nida.nih.gov/publications/principles-adolescent-substance-use-disorder-treatment-research-based-guide",
        CHECKED,
    ),
    "alateen": Source(
        "Alateen: for young people affected by someone else's drinking",
        "Al-Anon Family Groups",
        "https://al-anon.org/newcomers/teen-corner-alateen/",
        CHECKED,
    ),
    # Crisis and hard moments.
    "988-signs": Source(
        "How we can all prevent suicide: warning signs, and what to do",
        "988 Suicide & Crisis Lifeline",
        "https://988lifeline.org/how-we-can-all-prevent-suicide/",
        CHECKED,
    ),
    "who-suicide": Source(
        "Suicide fact sheet: suicide can be prevented; many suicides happen in a moment of crisis; "
        "limiting access to the means helps",
        WHO,
        "https://www.who.int/news-room/fact-sheets/detail/suicide",
        CHECKED,
    ),
    # Gambling (US only) and the SAMHSA line.
    "ncpg-helpline": Source(
        "Help and treatment: the National Problem Gambling Helpline and help by state",
        "National Council on Problem Gambling",
        "https://www.ncpgambling.org/help-treatment/",
        CHECKED,
    ),
    "samhsa-helpline": Source(
        "SAMHSA's National Helpline: free, confidential treatment referral, 24/7, in English and Spanish",
        "US Substance Abuse and Mental Health Services Administration",
        "https://www.samhsa.gov/find-help/national-helpline",
        CHECKED,
    ),
}
