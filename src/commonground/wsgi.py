import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")

from commonground.web.serving import web_application  # noqa: E402 - after the settings module is named

application = web_application()
