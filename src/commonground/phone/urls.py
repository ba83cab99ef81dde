from django.urls import path

from commonground.phone import views

app_name = "phone"
urlpatterns = [
    path("sms", views.sms, name="sms"),
    path("voice", views.call, name="voice"),
    path("voice/<slug:stage>", views.call, name="voice-stage"),
    path("try", views.simulator, name="try"),
]
