"""How a meeting can be attended: one list, read by the model and by the public-meetings rule."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttendanceMode(models.TextChoices):  # type: ignore[misc]  # Django is untyped here
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")
    INACTIVE = "inactive", _("Inactive")
