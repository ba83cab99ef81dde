"""The companion's forms: short, plain, and every error in words a person can act on."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from commonground.journal.days import EARLIEST_START, conventions, latest_start
from commonground.journal.safety_moments import CLOCK_SUBSTANCES
from commonground.meetings import schedule
from commonground.private.forms import USERNAME

MOODS = [(str(n), str(n)) for n in range(1, 6)]
CRAVINGS = [(str(n), str(n)) for n in range(0, 11)]


def zone_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label=_("Your time zone"),
        max_length=64,
        initial="America/New_York",
        help_text=_("For example America/Chicago or Europe/Madrid."),
        **kwargs,
    )


def clean_zone(value: str) -> str:
    try:
        schedule.zone(value)
    except ValueError:
        raise forms.ValidationError(
            _("%(zone)s is not a time zone we know. Use a name like America/Chicago."), params={"zone": value[:64]}
        ) from None
    return value


class SignUpForm(forms.Form):
    username = forms.CharField(
        label=_("Choose a username"),
        max_length=40,
        help_text=_("Not your real name or e-mail: letters, numbers, dots, dashes or underscores, 3 to 40 of them."),
    )
    passphrase = forms.CharField(
        label=_("Choose a passphrase"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters. A few unrelated words are easy to remember."),
    )
    passphrase2 = forms.CharField(label=_("The passphrase again"), widget=forms.PasswordInput(render_value=False))
    timezone = zone_field()

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not USERNAME.match(name):
            raise forms.ValidationError(_("Use 3 to 40 letters, numbers, dots, dashes or underscores."))
        if "@" in name or get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("That username is taken. Try another."))
        return name

    def clean_timezone(self):
        return clean_zone(self.cleaned_data["timezone"])

    def clean(self):
        data = super().clean()
        one, two = data.get("passphrase"), data.get("passphrase2")
        if one and two and one != two:
            self.add_error("passphrase2", _("The two passphrases are not the same."))
        if one and data.get("username"):
            try:
                password_validation.validate_password(one, get_user_model()(username=data["username"]))
            except forms.ValidationError as exc:
                self.add_error("passphrase", exc)
        return data


class RecoverForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=40)
    code = forms.CharField(label=_("One of your recovery codes"), max_length=40)
    passphrase = forms.CharField(label=_("A new passphrase"), widget=forms.PasswordInput(render_value=False))

    def clean_passphrase(self):
        value = self.cleaned_data["passphrase"]
        password_validation.validate_password(value)
        return value


def substance_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("What are you staying away from?"),
        required=False,
        choices=[("", _("I'd rather not say")), *CLOCK_SUBSTANCES],
        help_text=_("Optional. It lets the companion show the right safety help if you slip."),
    )


class ClockForm(forms.Form):
    name = forms.CharField(
        label=_("What is this clock for?"), max_length=60, help_text=_("For example: alcohol, opioids, gambling.")
    )
    substance = substance_field()
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Start time (optional)"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    timezone = zone_field()
    convention = forms.ChoiceField(label=_("Milestones"))

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].choices = [(c.code, c.name(language)) for c in conventions().values()]

    def clean_timezone(self):
        return clean_zone(self.cleaned_data["timezone"])

    def clean(self):
        data = super().clean()
        start, latest = data.get("start_date"), latest_start(data.get("timezone"))
        if start is not None and not EARLIEST_START <= start <= latest:
            self.add_error(
                "start_date",
                forms.ValidationError(
                    _("Choose a start date between %(earliest)s and %(latest)s (tomorrow)."),
                    params={
                        "earliest": date_format(EARLIEST_START, "DATE_FORMAT"),
                        "latest": date_format(latest, "DATE_FORMAT"),
                    },
                ),
            )
        return data


class ClockEditForm(forms.Form):
    """A clock's name, substance and milestones; the start and its history stay as they are."""

    name = forms.CharField(label=_("What is this clock for?"), max_length=60)
    substance = substance_field()
    convention = forms.ChoiceField(label=_("Milestones"))

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["convention"].choices = [(c.code, c.name(language)) for c in conventions().values()]


class ResetForm(forms.Form):
    note = forms.CharField(
        label=_("A private note (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TriedForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How did it feel?"),
        widget=forms.RadioSelect,
        choices=[("1", _("1: not for me")), ("2", "2"), ("3", "3"), ("4", "4"), ("5", _("5: it fit me well"))],
    )
    would_return = forms.ChoiceField(
        label=_("Would you go back?"),
        widget=forms.RadioSelect,
        choices=[("yes", _("Yes")), ("unsure", _("Not sure")), ("no", _("No"))],
    )
    note = forms.CharField(
        label=_("A private note (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CheckInForm(forms.Form):
    mood = forms.ChoiceField(label=_("Mood today (1 low, 5 good)"), choices=MOODS, widget=forms.RadioSelect)
    craving = forms.ChoiceField(label=_("Craving (0 none, 10 strongest)"), choices=CRAVINGS, widget=forms.RadioSelect)
    meeting = forms.BooleanField(label=_("I went to a meeting today"), required=False)
    note = forms.CharField(label=_("One line (optional)"), max_length=200, required=False)


PLAN_FIELDS = (
    ("reasons", _("My reasons for recovery"), _("What matters most to me; what I want my life to hold.")),
    ("triggers", _("My triggers"), _("People, places, times and feelings that make using more likely.")),
    ("warning_signs", _("My warning signs"), _("How I can tell I am sliding, before it happens.")),
    ("what_helps", _("What helps me"), _("Things I can do right away: a walk, a meeting, a call, food, sleep.")),
    ("if_i_slip", _("If I slip"), _("What I will do next, and who I will tell.")),
    ("working", _("How I will know my plan is working"), _("Signs of progress I can look for.")),
)


# The safety plan's parts (Stanley and Brown's Safety Planning Intervention, 2012: professionals to
# contact, and making the surroundings safer), in our words; see docs/companion.md.
PROFESSIONALS = (
    ("prescriber", _("My prescriber (doctor or nurse)")),
    ("clinic", _("My clinic or treatment service")),
    ("counsellor", _("My counsellor or therapist")),
)
SAFER = (
    ("naloxone", _("Naloxone is at hand, and the people around me know where it is.")),
    ("medicines", _("My medicines are locked away, and ones I no longer need are handed back to a pharmacy.")),
    ("means", _("Anything I could use to hurt myself is put away or kept by someone I trust.")),
)
PHONE = re.compile(r"\+?(?=[^0-9]*[0-9])[0-9 ().-]{3,30}")  # at least one digit
PHONE_ERROR = _("Use digits, spaces, dashes or brackets, with an optional +.")


class PlanForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, help_text in PLAN_FIELDS:
            self.fields[name] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        for n in range(1, 6):
            self.fields[f"person_{n}_name"] = forms.CharField(label=_("First name"), required=False, max_length=40)
            self.fields[f"person_{n}_phone"] = forms.CharField(label=_("Phone"), required=False, max_length=30)
        for role, label in PROFESSIONALS:
            self.fields[f"{role}_name"] = forms.CharField(label=label, required=False, max_length=80)
            self.fields[f"{role}_phone"] = forms.CharField(label=_("Phone"), required=False, max_length=30)
        for key, label in SAFER:
            self.fields[f"safer_{key}"] = forms.BooleanField(label=label, required=False)
        self.fields["safer_notes"] = forms.CharField(
            label=_("What else makes my surroundings safer"),
            required=False,
            max_length=1000,
            help_text=_("For example: who keeps my spare medicines, or where the naloxone is."),
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def clean(self):
        data = super().clean()
        for n in range(1, 6):
            phone = data.get(f"person_{n}_phone", "")
            if phone and not PHONE.fullmatch(phone):
                self.add_error(f"person_{n}_phone", PHONE_ERROR)
            if phone and not data.get(f"person_{n}_name"):
                self.add_error(f"person_{n}_name", _("Add a first name for this number."))
        for role, _label in PROFESSIONALS:
            phone = data.get(f"{role}_phone", "")
            if phone and not PHONE.fullmatch(phone):
                self.add_error(f"{role}_phone", PHONE_ERROR)
            if data.get(f"{role}_name") and not phone:
                self.add_error(f"{role}_phone", _("Add a phone number, so you can call from your plan."))
        return data

    def people(self) -> list[dict]:
        return [
            {"name": self.cleaned_data[f"person_{n}_name"].strip(), "phone": self.cleaned_data[f"person_{n}_phone"]}
            for n in range(1, 6)
            if self.cleaned_data.get(f"person_{n}_name")
        ]

    def professionals(self) -> list[dict]:
        return [
            {
                "role": role,
                "name": (self.cleaned_data.get(f"{role}_name") or "").strip(),
                "phone": self.cleaned_data.get(f"{role}_phone") or "",
            }
            for role, _label in PROFESSIONALS
            if self.cleaned_data.get(f"{role}_phone")
        ]

    def safer(self) -> dict:
        return {
            **{key: bool(self.cleaned_data.get(f"safer_{key}")) for key, _label in SAFER},
            "notes": (self.cleaned_data.get("safer_notes") or "").strip(),
        }


class DeleteForm(forms.Form):
    confirm = forms.CharField(label=_("Type your username to confirm"), max_length=40)
