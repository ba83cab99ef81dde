"""A FindTreatment.gov export in its documented shape (``locator/exportsAsJson/v2``): pages of
``{page, totalPages, recordCount, rows}``, each row with the real field names and category names
and codes, multi-value ``f3`` strings, a row without coordinates, unsafe websites, one site listed
twice (once for substance use, once for mental health) and a row that names no facility."""

from __future__ import annotations

import json


def svc(f1: str, f2: str, *values: str) -> dict:
    return {"f1": f1, "f2": f2, "f3": "; ".join(values)}


OM = ("Opioid Medications used in Treatment", "OM")
OT = ("Type of Opioid Treatment", "OT")
PHR = ("Pharmacotherapies", "PHR")
TC = ("Type of Care", "TC")
SET = ("Service Settings (e.g., Outpatient, Residential, Inpatient etc.)", "SET")
TAP = ("Treatment Approaches", "TAP")
PAY = ("Payment/Insurance/Funding Accepted", "PAY")
PYAS = ("Payment Assistance Available", "PYAS")
SG = ("Special Programs/Groups Offered", "SG")
AGE = ("Age Groups Accepted", "AGE")
SL = ("Language Services", "SL")
OL = ("Other Languages", "OL")


def row(name1: str, lat, lng, *services, **fields) -> dict:
    base = {
        "_irow": 0,
        "name1": name1,
        "name2": "",
        "street1": "1 Main Street",
        "street2": "",
        "city": "New York",
        "state": "NY",
        "zip": "10001",
        "phone": "212-555-0100",
        "intake1": None,
        "hotline1": None,
        "website": "https://clinic.example.org",
        "latitude": None if lat is None else str(lat),
        "longitude": None if lng is None else str(lng),
        "typeFacility": "SA",
        "services": list(services),
    }
    return {**base, **fields}


ROWS = [
    row(
        "Harbor Bupe Clinic",
        40.7506,
        -73.9972,
        svc(*OM, "Buprenorphine used in Treatment"),
        svc(*PHR, "Buprenorphine with naloxone", "Buprenorphine (extended-release, injectable)"),
        svc(*SET, "Outpatient", "Outpatient methadone/buprenorphine or naltrexone treatment"),
        svc(*PAY, "Medicaid", "Private health insurance", "Cash or self-payment"),
        svc(*SG, "Pregnant/postpartum women", "Adult women"),
        svc(*SL, "Services for the deaf and hard of hearing"),
        svc(*OL, "Spanish"),
        name2="Midtown Program",
        street1="450 West 33rd Street",
    ),
    row(
        "Bronx Opioid Treatment Program",
        40.8448,
        -73.8648,
        svc(*OT, "Federally-certified Opioid Treatment Program", "Methadone maintenance"),
        svc(*OM, "Methadone used in Treatment", "Buprenorphine used in Treatment"),
        svc(*PAY, "Medicare", "State-financed health insurance plan other than Medicaid"),
        svc(*PYAS, "Sliding fee scale (fee is based on income and other factors)"),
        city="Bronx",
        zip="10460",
        website="www.bronx-otp.example.org",
    ),
    row(
        "Queens Withdrawal Center",
        40.7282,
        -73.7949,
        svc(*TC, "Detoxification", "Substance use treatment"),
        svc(*SET, "Hospital inpatient detoxification", "Residential"),
        svc(*PAY, "No payment accepted"),
        city="Queens",
        zip="11432",
        website="javascript:alert(1)",
    ),
    row(
        "Brooklyn Recovery Partners",
        40.6782,
        -73.9442,
        svc(*OM, "Naltrexone used in Treatment"),
        svc(*TAP, "Telemedicine/telehealth therapy"),
        svc(*AGE, "Children/adolescents", "Adults"),
        svc(
            *SG,
            "Veterans",
            "Lesbian, gay, bisexual, transgender, or queer/questioning (LGBTQ)",
            "Criminal justice (other than DUI/DWI)/Forensic clients",
        ),
        svc(*OL, "Other languages (excluding Spanish)", "Russian"),
        city="Brooklyn",
        zip="11213",
        website="http://",
    ),
    row("Capital District Counseling", None, None, svc(*SET, "Outpatient"), city="Albany", zip="12207"),
    # one site, listed once for substance use and once for mental health, each with its own services
    row("Newark Harbor Health", 40.7357, -74.1724, svc(*SET, "Outpatient"), city="Newark", state="NJ", zip="07102"),
    row(
        "Newark Harbor Health",
        40.7357,
        -74.1724,
        svc(*SET, "Telemedicine/telehealth"),
        svc(*PAY, "Medicaid"),
        city="Newark",
        state="NJ",
        zip="07102",
        typeFacility="MH",
    ),
    row("", 40.75, -73.99, svc(*SET, "Outpatient")),  # names no facility
]


def pages(rows: list[dict] = ROWS, size: int = 100) -> list[dict]:
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
    out = []
    for number, chunk in enumerate(chunks, 1):
        for n, r in enumerate(chunk, 1):
            r["_irow"] = (number - 1) * size + n
        out.append({"page": number, "totalPages": len(chunks), "recordCount": len(rows), "rows": chunk})
    return out


def write(path, rows: list[dict] = ROWS) -> str:
    path.write_text(json.dumps(pages(rows)[0] if len(rows) <= 100 else pages(rows)))
    return str(path)
