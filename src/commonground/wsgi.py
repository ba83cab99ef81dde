import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
application = get_wsgi_application()

from commonground.web.checks import refuse_builtin_key  # noqa: E402 - needs the settings loaded above

refuse_builtin_key()  # any WSGI server, not only `commonground serve`

from commonground.replicas import use_replicas  # noqa: E402

use_replicas()  # a web worker may read public finder data from a replica, if any are configured
