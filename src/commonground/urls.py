from django.contrib import admin
from django.urls import path

from commonground.feeds import views as feed_views
from commonground.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("feeds/meeting-guide.json", feed_views.meeting_guide_feed, name="meeting-guide-feed"),
    path("admin/", admin.site.urls),
]
