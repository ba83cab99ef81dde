"""Extension points: other apps add to the finder's pages, and the finder never imports them.

Private data lives only in the companion (``journal``) and the peer workspace (``peer``), which
depend on the finder, never the reverse. They register small callables here in their
``AppConfig.ready``; the finder's templates render whatever is registered:

- ``MEETING_PANELS``: ``fn(request, meeting) -> str``, HTML placed on a meeting's page;
- ``FIT_RESULTS_PANELS``: ``fn(request, result, answers_query) -> str``, on the fit results;
- ``HEADER_LINKS``: ``fn(request) -> list[(url, label, css class)]``, in every page's header;
- ``STARTUP_CHECKS``: ``fn()`` that raises ImproperlyConfigured when a server must not start
  (``serve`` and any WSGI server run them, after the secret-key check).

Each must cost nothing for a signed-out visitor (no database query): ``request.user`` is only
looked up when a session cookie exists.
"""

from __future__ import annotations

MEETING_PANELS: list = []
FIT_RESULTS_PANELS: list = []
HEADER_LINKS: list = []
STARTUP_CHECKS: list = []


def render(panels: list, *args) -> str:
    return "".join(str(fn(*args) or "") for fn in panels)
