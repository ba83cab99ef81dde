from django.urls import path

from commonground.peer import api, views, views_auth, views_org
from commonground.private import ids  # noqa: F401 - registers the opaque-id converters

app_name = "peer"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("setup", views_auth.setup, name="setup"),
    path("signin", views_auth.signin, name="signin"),
    path("enrol", views_auth.enrol, name="enrol"),
    path("verify", views_auth.verify, name="verify"),
    path("signout", views_auth.signout, name="signout"),
    path("participants", views.participants, name="participants"),
    path("participants/new", views.enrol_participant, name="participant_new"),
    path("participants/<participant_id:pk>", views.participant, name="participant"),
    path("participants/<participant_id:pk>/consents/new", views.consent_new, name="consent_new"),
    path(
        "participants/<participant_id:pk>/consents/<consent_id:consent_pk>", views.consent_print, name="consent_print"
    ),
    path(
        "participants/<participant_id:pk>/consents/<consent_id:consent_pk>/revoke",
        views.consent_revoke,
        name="consent_revoke",
    ),
    path("participants/<participant_id:pk>/encounters/new", views.encounter_new, name="encounter_new"),
    path("participants/<participant_id:pk>/barc/new", views.barc_new, name="barc_new"),
    path("participants/<participant_id:pk>/barc.svg", views.barc_chart, name="barc_chart"),
    path("participants/<participant_id:pk>/refer", views.referral_new, name="referral_new"),
    path("participants/<participant_id:pk>/refer/treatment", views.referral_treatment, name="referral_treatment"),
    path(
        "participants/<participant_id:pk>/referrals/<referral_id:referral_pk>",
        views.referral_sheet,
        name="referral_sheet",
    ),
    path(
        "participants/<participant_id:pk>/referrals/<referral_id:referral_pk>/follow-up",
        views.follow_up,
        name="follow_up",
    ),
    path("participants/<participant_id:pk>/companion", views_org.companion_link, name="companion_link"),
    path("participants/<participant_id:pk>/export", views_org.participant_export, name="participant_export"),
    path("participants/<participant_id:pk>/delete", views_org.participant_delete, name="participant_delete"),
    path("staff", views_org.staff_list, name="staff"),
    path("staff/<staff_id:staff_pk>/deactivate", views_org.staff_deactivate, name="staff_deactivate"),
    path("settings", views_org.settings_page, name="settings"),
    path("settings/helpline", views_org.helpline, name="helpline"),
    path("settings/helpline/shifts/new", views_org.shift_new, name="shift_new"),
    path("settings/helpline/shifts/<shift_id:shift_pk>", views_org.shift_edit, name="shift_edit"),
    path("settings/helpline/shifts/<shift_id:shift_pk>/delete", views_org.shift_delete, name="shift_delete"),
    path("reports", views_org.report, name="report"),
    path("reports/encounters.svg", views_org.report_chart, name="report_chart"),
    path("audit", views_org.audit_trail, name="audit"),
]

api_urlpatterns = [
    path("dashboard", api.api_dashboard, name="api_dashboard"),
    path("participants", api.api_participants, name="api_participants"),
    path("participants/<participant_id:pk>", api.api_participant, name="api_participant"),
    path("reports/monthly", api.api_report, name="api_report"),
]
