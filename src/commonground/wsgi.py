import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
application = get_wsgi_application()

from commonground.web.checks import refuse_builtin_key  # noqa: E402 - needs the settings loaded above

refuse_builtin_key()  # any WSGI server, not only `commonground serve`

from commonground.web.serving import prepare_web_worker  # noqa: E402

prepare_web_worker()  # read replicas for public reads, if any; a small SQLite page cache
