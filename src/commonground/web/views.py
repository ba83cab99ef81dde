from django.db.models import Count
from django.shortcuts import render

from commonground.catalog.models import Program
from commonground.meetings.models import Meeting


def home(request):
    # Meta.ordering is not applied to GROUP BY queries, so order explicitly.
    programs = Program.objects.annotate(meeting_count=Count("meetings")).order_by("order", "code")
    return render(
        request,
        "web/home.html",
        {"programs": programs, "meeting_count": Meeting.objects.count()},
    )
