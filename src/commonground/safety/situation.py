"""What the safety layer needs to know: a person's situation, in the layer's own words.

Every field may be unknown (empty). The fit finder builds a situation from its answers, the
companion from an account's clocks and the moment (a reset, a check-in, a plan, "I'm struggling"),
the `/help` page from a country alone. Derived facts (``uses_drugs``, ``withdrawal_risk`` …) are
computed here, once, so every front door reads the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What a person's own use may be about; "drugs" is any drug not named.
SUBSTANCES = ("alcohol", "opioids", "stimulants", "sedatives", "cannabis", "drugs", "gambling", "behaviour")
DRUG_SUBSTANCES = frozenset({"opioids", "stimulants", "sedatives", "cannabis", "drugs"})
FAMILY_USE = ("drinking", "drugs", "gambling")
DEPENDENCE = ("yes", "no", "unsure")
PREGNANT = ("yes", "no", "undisclosed")
AGES = ("under_18", "18_24", "25_64", "65_plus", "undisclosed")
LEFT = ("prison", "detox", "treatment", "hospital", "none")
MEDICATION = ("moud", "alcohol_medication", "psychiatric", "none", "undisclosed")
MOMENTS = ("reset", "checkin", "struggling", "plan")


@dataclass(frozen=True)
class Moment:
    """A moment in the companion: a clock reset for a substance, a check-in, "I'm struggling", a plan."""

    kind: str
    substance: str = ""  # a clock's substance (reset; struggling: the first drug clock's, if any)
    mood: int | None = None  # 1-5 (check-in)
    craving: int | None = None  # 0-10 (check-in)
    note: str = ""  # the check-in's note: read for crisis words, never kept here longer than the request

    def __post_init__(self) -> None:
        if self.kind not in MOMENTS:
            raise ValueError(f"moment {self.kind!r} is not one of {MOMENTS}")
        if self.substance and self.substance not in (*SUBSTANCES, "other"):
            raise ValueError(f"substance {self.substance!r} is not one of {SUBSTANCES}")


@dataclass(frozen=True)
class Situation:
    own: frozenset[str] = frozenset()  # SUBSTANCES the person's own use is about
    family: frozenset[str] = frozenset()  # FAMILY_USE: what someone close to them struggles with
    dependence: str = ""  # withdrawal signs: yes / no / unsure / "" (not asked or not answered)
    medication: frozenset[str] = frozenset()
    pregnant: str = ""
    age: str = ""
    recently_left: frozenset[str] = frozenset()
    crisis: str = ""  # yes / no / ""
    country: str = ""  # ISO 3166 alpha-2, "" when unknown
    country_from: str = ""  # answer, place, zone, account, default: how the country was found
    moment: Moment | None = None
    extra_substances: tuple[str, ...] = field(default=())  # clocks' substances, in the companion

    def __post_init__(self) -> None:
        sets: tuple[tuple[str, tuple[str, ...]], ...] = (
            ("own", SUBSTANCES),
            ("family", FAMILY_USE),
            ("medication", MEDICATION),
            ("recently_left", LEFT),
        )
        for name, allowed in sets:
            bad = set(getattr(self, name)) - set(allowed)
            if bad:
                raise ValueError(f"{name} cannot hold {sorted(bad)}")
        ones: tuple[tuple[str, tuple[str, ...]], ...] = (
            ("dependence", DEPENDENCE),
            ("pregnant", PREGNANT),
            ("age", AGES),
            ("crisis", ("yes", "no")),
        )
        for name, allowed in ones:
            value = getattr(self, name)
            if value and value not in allowed:
                raise ValueError(f"{name} cannot be {value!r}")

    # --- derived, once -----------------------------------------------------------------------
    @property
    def uses_drugs(self) -> bool:
        """Any own drug use, the drug named or not."""
        return bool(self.own & DRUG_SUBSTANCES)

    @property
    def uses_anything(self) -> bool:
        return bool(self.own)

    @property
    def family_drugs(self) -> bool:
        return "drugs" in self.family

    @property
    def opioid_medication(self) -> bool:
        return "moud" in self.medication

    @property
    def drinks(self) -> bool:
        return "alcohol" in self.own

    @property
    def withdrawal_risk(self) -> bool:
        """Stopping suddenly may be dangerous: sedatives whatever the answer, alcohol with signs or not sure."""
        return "sedatives" in self.own or (self.drinks and self.dependence in ("yes", "unsure"))

    @property
    def left_recently(self) -> bool:
        return bool(self.recently_left - {"none"})

    @property
    def in_crisis(self) -> bool:
        """Said so (``crisis=yes``), or crisis words in a check-in's note."""
        from commonground.safety.crisis import is_crisis_text

        if self.crisis == "yes":
            return True
        return self.moment is not None and self.moment.kind == "checkin" and is_crisis_text(self.moment.note)

    @property
    def hard_checkin(self) -> bool:
        """A check-in of mood 2 or lower, or craving 8 or higher: the "I'm struggling" help comes first."""
        m = self.moment
        return (
            m is not None
            and m.kind == "checkin"
            and ((m.mood is not None and m.mood <= 2) or (m.craving is not None and m.craving >= 8))
        )
