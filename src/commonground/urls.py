from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from commonground.api import feed_views
from commonground.api.bmlt.views import client_interface
from commonground.api.views import api
from commonground.meetings.refs import KeyConverter
from commonground.peer.urls import api_urlpatterns as peer_api_urls
from commonground.web import coverage_views, fit_views, help_views, treatment_views
from commonground.web import views as web_views

register_converter(KeyConverter, "meeting_key")

urlpatterns = [
    path("", web_views.home, name="home"),
    path("meetings", web_views.meetings, name="meetings"),
    # Old id addresses redirect, permanently, to the lasting /meetings/<source>/<key>.
    path("meetings/<int:pk>", web_views.meeting_by_id, name="meeting-by-id"),
    path("meetings/<int:pk>.ics", web_views.meeting_by_id, {"ics": True}, name="meeting-ics-by-id"),
    path("meetings/<slug:source>/<meeting_key:key>", web_views.meeting, name="meeting"),
    path("report/<slug:source>/<meeting_key:key>", web_views.report_problem, name="report-problem"),
    path("programs", web_views.programs, name="programs"),
    path("programs/<slug:code>", web_views.program, name="program"),
    path("help", help_views.help_page, name="help"),
    path("treatment", treatment_views.treatment_page, name="treatment"),
    path("coverage", coverage_views.coverage_page, name="coverage"),
    path("fit", fit_views.questionnaire, name="fit"),
    path("fit/results", fit_views.results, name="fit-results"),
    # The language switch needs no CSRF token: switching a language is harmless, and the token's
    # cookie would otherwise be set on every page, a year-long trace on a shared phone.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("feeds/meeting-guide.json", feed_views.meeting_guide_feed, name="meeting-guide-feed"),
    # BMLT clients (crouton ...) take a root server address and add /client_interface/json/ to it;
    # /bmlt/<program> is a root server of one program's meetings.
    re_path(
        r"^bmlt/(?:(?P<program>[a-z0-9-]{1,40})/)?/?client_interface/(?P<kind>json|jsonp)/?(?:index\.php)?$",
        client_interface,
        name="bmlt",
    ),
    path("me/", include("commonground.journal.urls")),
    path("peer/", include("commonground.peer.urls")),
    path("phone/", include("commonground.phone.urls")),
    path("api/v1/peer/", include((peer_api_urls, "peer_api"))),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]


def handler404(request, exception):
    """JSON (in the API's error shape) under /api/, the normal page elsewhere."""
    if request.path.startswith(("/api/", "/bmlt/")):
        from commonground.errors import error_response

        return error_response(404, f"There is no API endpoint at {request.path}.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
