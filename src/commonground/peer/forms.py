"""The workspace's forms."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import available_timezones

import phonenumbers
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonground.peer import barc
from commonground.peer import consent as consents
from commonground.peer.models import (
    CODE_RULE,
    SERVICES,
    TOPICS,
    EncounterKind,
    InformationKind,
    Organisation,
    Outcome,
    ReferralKind,
    Role,
    validate_code,
)
from commonground.peer.records import Representative
from commonground.phone.models import Helpline, Shift
from commonground.private.forms import USERNAME

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads, in any language


def _programs():
    from commonground.catalog.models import Program

    return [(p.code, p.name) for p in Program.objects.order_by("order", "code")]


class NewAccountMixin(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=40, help_text=_("One account per person: never shared."))
    passphrase = forms.CharField(
        label=_("Passphrase"), widget=forms.PasswordInput, help_text=_("At least 10 characters.")
    )

    def clean_username(self):
        name = self.cleaned_data["username"].strip()
        if not USERNAME.match(name):
            raise forms.ValidationError(_("Use 3 to 40 letters, numbers, dots, dashes or underscores."))
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("That username is taken. Try another."))
        return name

    def clean_passphrase(self):
        value = self.cleaned_data["passphrase"]
        password_validation.validate_password(value)
        return value


class SetupForm(NewAccountMixin):
    invitation = forms.CharField(label=_("Invitation code"), max_length=64)
    organisation = forms.CharField(label=_("Organisation name"), max_length=200)
    display_name = forms.CharField(label=_("Your name, as colleagues will see it"), max_length=80)

    field_order = ["invitation", "organisation", "display_name", "username", "passphrase"]

    def clean_organisation(self):
        name = self.cleaned_data["organisation"].strip()
        if Organisation.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("An organisation with that name exists already."))
        return name


class StaffForm(NewAccountMixin):
    display_name = forms.CharField(label=_("Name, as colleagues will see it"), max_length=80)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_admin = forms.BooleanField(label=_("Also manages staff and settings"), required=False)

    field_order = ["display_name", "username", "passphrase", "role", "is_admin"]


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("The 6-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["barc_interval_days", "no_contact_days", "retention_days"]
        labels = {
            "barc_interval_days": _("BARC-10 after intake"),
            "no_contact_days": _("Flag no contact after (days)"),
            "retention_days": _("Keep records at least (days after the last encounter)"),
        }


class ParticipantForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        help_text=_("Leave empty for a new random code. Never a name. Letters (A–Z), digits, dashes or underscores."),
    )
    name = forms.CharField(label=_("Name (optional)"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=30, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth (optional)"), required=False, widget=DATE)
    programs = forms.MultipleChoiceField(
        label=_("Programs of interest"), required=False, widget=forms.CheckboxSelectMultiple
    )
    specialist = forms.ModelChoiceField(label=_("Peer specialist"), queryset=None, empty_label=None)

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programs"].choices = _programs()
        self.fields["specialist"].queryset = staff.organisation.staff.filter(active=True).order_by("display_name")
        self.fields["specialist"].initial = staff.pk
        if staff.role != Role.SUPERVISOR:  # a specialist enrols into their own caseload
            self.fields["specialist"].queryset = staff.organisation.staff.filter(pk=staff.pk)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code:
            try:
                validate_code(code)
            except forms.ValidationError:
                raise forms.ValidationError(CODE_RULE) from None
        return code


class ConsentForm(forms.Form):
    patient_name = forms.CharField(label=_("Participant's name"), max_length=120)
    discloser = forms.CharField(label=_("Who may disclose"), max_length=200)
    recipients = forms.CharField(
        label=_("To whom"), max_length=500, initial=_("The groups, programs and services I am referred to")
    )
    information = forms.MultipleChoiceField(
        label=_("What information"), choices=InformationKind.choices, widget=forms.CheckboxSelectMultiple
    )
    information_detail = forms.CharField(label=_("Details (optional)"), max_length=500, required=False)
    purpose = forms.CharField(
        label=_("For what purpose"),
        max_length=500,
        initial=_("To connect me with support groups and services, and to follow up"),
    )
    revocation = forms.CharField(
        label=_("The right to revoke, and how"),
        max_length=500,
        initial=_(
            "I may revoke this consent at any time, by telling my peer specialist "
            "or writing to the organisation. It ends at once, except for what was "
            "already shared."
        ),
    )
    expires_on = forms.DateField(label=_("Ends on (date)"), required=False, widget=DATE)
    expiry_event = forms.CharField(label=_("…or ends when (event)"), max_length=200, required=False)
    covers_referrals = forms.BooleanField(label=_("Referrals may carry my name and contact details"), required=False)
    covers_identified_reports = forms.BooleanField(label=_("Reports may name me"), required=False)
    for_treatment = forms.BooleanField(
        label=_("For referrals to treatment providers covered by HIPAA, for my treatment"),
        help_text=_("The consent then carries this statement:"),
        required=False,
    )
    signer = forms.ChoiceField(
        label=_("Who signs"),
        choices=consents.SIGNERS,
        required=False,
        initial="self",
        widget=forms.RadioSelect,
    )
    typed_signature = forms.CharField(
        label=_("Signature: the participant types their full name"), max_length=120, required=False
    )
    representative_name = forms.CharField(
        label=_("Parent, guardian or other authorised person: their full name, typed as their signature"),
        max_length=120,
        required=False,
    )
    representative_authority = forms.CharField(
        label=_("Their relationship or authority"), max_length=200, required=False
    )
    representative_signed_on = forms.DateField(label=_("The date they signed"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if data.get("expires_on") and data["expires_on"] < today:
            self.add_error("expires_on", _("The end date is in the past."))
        if not data.get("expires_on") and not data.get("expiry_event"):
            data["expiry_event"] = ""  # none: allowed, and the form says "no end date"
        self._signatures(data, today)
        return data

    def _signatures(self, data, today) -> None:
        """The signatures the case needs (``consent.missing_signatures``), each problem named."""
        if "representative_signed_on" in self.errors:
            return
        data["signer"] = data.get("signer") or "self"
        signed_on = data.get("representative_signed_on")
        if signed_on and signed_on > today:
            self.add_error("representative_signed_on", _("The date is in the future."))
            return
        representative = Representative(
            name=(data.get("representative_name") or "").strip(),
            authority=(data.get("representative_authority") or "").strip(),
            signed_on=signed_on.isoformat() if signed_on else "",
        )
        data["representative"] = representative or None
        signed = bool((data.get("typed_signature") or "").strip())
        problems = consents.missing_signatures(data["signer"], signed, data["representative"])
        for field, words in problems:
            self.add_error(field, words[:1].upper() + words[1:] + ".")
        if problems:
            self.add_error(
                None,
                _("Not recorded, because of the signatures: %(parts)s.")
                % {"parts": "; ".join(words for _field, words in problems)},
            )


class EncounterForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("Kind"), choices=EncounterKind.choices)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600, initial=30)
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=TOPICS, required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class BarcForm(forms.Form):
    taken_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, language: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        for n, item in enumerate(barc.ITEMS, start=1):
            self.fields[f"item_{n}"] = forms.TypedChoiceField(
                label=f"{n}. {item.get(language) or item['en']}",
                coerce=int,
                widget=forms.RadioSelect,
                choices=[(value, label) for value, label in barc.SCALE],
            )

    def answers(self) -> list[int]:
        return [self.cleaned_data[f"item_{n}"] for n in range(1, 11)]


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(label=_("Refer to"), choices=ReferralKind.choices, widget=forms.RadioSelect)
    meeting = forms.CharField(required=False, widget=forms.HiddenInput)
    program = forms.ChoiceField(label=_("Program"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False, choices=[("", "—"), *SERVICES])
    shares_identity = forms.BooleanField(label=_("Pass on the participant's name and contact details"), required=False)
    follow_up_on = forms.DateField(
        label=_("Follow up on"), widget=DATE, initial=lambda: timezone.localdate() + timedelta(days=7)
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", "—"), *_programs()]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReferralKind.MEETING and not data.get("meeting"):
            self.add_error("kind", _("Choose a meeting from the search results first."))
        if kind == ReferralKind.PROGRAM and not data.get("program"):
            self.add_error("program", _("Choose a program."))
        if kind == ReferralKind.SERVICE and not data.get("service"):
            self.add_error("service", _("Choose a service."))
        return data


class TreatmentReferralForm(forms.Form):
    """A referral to a treatment provider picked from the treatment search's results."""

    facility = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    service = forms.ChoiceField(label=_("Service"), choices=SERVICES, initial="moud")
    shares_identity = forms.BooleanField(label=_("Pass on the participant's name and contact details"), required=False)
    follow_up_on = forms.DateField(
        label=_("Follow up on"), widget=DATE, initial=lambda: timezone.localdate() + timedelta(days=7)
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_facility(self):
        if not self.cleaned_data.get("facility"):
            raise forms.ValidationError(_("Choose a provider from the search results first."))
        return self.cleaned_data["facility"]


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    next_follow_up_on = forms.DateField(label=_("Follow up again on (for “not yet”)"), required=False, widget=DATE)


class LinkForm(forms.Form):
    code = forms.CharField(label=_("The sharing code from the participant's companion"), max_length=40)


class DeleteParticipantForm(forms.Form):
    confirm = forms.CharField(label=_("Type the participant's code to confirm"), max_length=20)


# The organisation's helpline and shifts (issue 31). The models are the phone app's; the peer
# workspace only edits them. A staff member's number is kept in clear (it is dialled), in E.164.
WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
NUMBER_RULE = _("Enter the number with its country code, like +1 212 555 0100.")
COVER_RE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,9}")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def phone_number(text: str) -> str:
    """A number as E.164, or a ValidationError in words."""
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(NUMBER_RULE, code="invalid_number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise forms.ValidationError(NUMBER_RULE, code="invalid_number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class HelplineForm(forms.ModelForm):
    timezone = forms.CharField(
        label=_("Time zone of its shifts"),
        max_length=64,
        help_text=_("The IANA name, like America/New_York or America/Chicago."),
    )

    class Meta:
        model = Helpline
        fields = ["name", "number", "timezone", "covers", "ring_seconds"]
        labels = {
            "name": _("Name"),
            "number": _("The helpline's number"),
            "covers": _("ZIP codes or regions it covers"),
            "ring_seconds": _("Ring each person for (seconds)"),
        }
        help_texts = {
            "number": _("The number people call, with its country code (+1 212 555 0100)."),
            "covers": _("Separated by spaces or commas: 10001 10002 NY."),
            "ring_seconds": _("From 5 to 60."),
        }
        widgets = {"covers": forms.TextInput()}

    def clean_number(self) -> str:
        number = phone_number(self.cleaned_data["number"])
        others = Helpline.objects.filter(number=number)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Another helpline already has this number."), code="taken")
        return number

    def clean_timezone(self) -> str:
        zone = self.cleaned_data["timezone"].strip()
        if zone not in available_timezones():
            raise forms.ValidationError(
                _("%(zone)s is not a time zone name; try America/New_York.") % {"zone": zone}, code="zone"
            )
        return zone

    def clean_covers(self) -> str:
        parts = [p.upper() for p in self.cleaned_data["covers"].replace(",", " ").split()]
        wrong = [p for p in parts if not COVER_RE.fullmatch(p)]
        if wrong:
            raise forms.ValidationError(
                _("Not a ZIP code or a region code: %(parts)s.") % {"parts": ", ".join(wrong)}, code="covers"
            )
        return " ".join(dict.fromkeys(parts))

    def clean_ring_seconds(self) -> int:
        seconds: int = self.cleaned_data["ring_seconds"]
        if not 5 <= seconds <= 60:
            raise forms.ValidationError(_("The ring time is in seconds: from 5 to 60."), code="ring")
        return seconds


class ShiftForm(forms.ModelForm):
    days = forms.MultipleChoiceField(label=_("Days"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Shift
        fields = ["person", "phone", "days", "starts", "ends", "order"]
        labels = {
            "person": _("Who (a staff member's first name or role)"),
            "phone": _("Their phone number, to ring"),
            "starts": _("Starts"),
            "ends": _("Ends"),
            "order": _("Order (the lowest is rung first)"),
        }
        help_texts = {
            "person": _("Shown in the workspace and the call audit."),
            "phone": _("With its country code. Staff contact data: never shown to callers, never logged."),
            "starts": _("In the helpline's time zone."),
            "ends": _("May be earlier than the start: the shift runs past midnight."),
            "order": "",
        }
        widgets = {"starts": TIME, "ends": TIME}
        error_messages = {
            "starts": {"invalid": _("Enter a time like 09:00.")},
            "ends": {"invalid": _("Enter a time like 17:00.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].error_messages["required"] = _("Choose at least one day.")
        if self.instance.pk:
            self.initial["days"] = list(self.instance.days)

    def clean_phone(self) -> str:
        return phone_number(self.cleaned_data["phone"])

    def clean_days(self) -> str:
        return "".join(sorted(set(self.cleaned_data["days"])))

    def clean(self):
        data = super().clean()
        if data.get("starts") is not None and data.get("starts") == data.get("ends"):
            self.add_error("ends", _("A shift starts and ends at different times."))
        return data
