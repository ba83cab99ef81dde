"""Form pieces both private apps use: the username rule and the sign-in form."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

# 3 to 40 letters, numbers, dots, dashes or underscores: never an e-mail address or a full name.
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")


class SignInForm(forms.Form):  # type: ignore[misc]
    username = forms.CharField(label=_("Username"), max_length=40)
    passphrase = forms.CharField(label=_("Passphrase"), widget=forms.PasswordInput(render_value=False))
