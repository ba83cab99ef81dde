from django.apps import AppConfig


class PhoneConfig(AppConfig):
    name = "commonground.phone"
    label = "phone"
    verbose_name = "Phone and text"
    default_auto_field = "django.db.models.BigAutoField"
