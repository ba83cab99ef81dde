from django.conf import settings


def site(request):
    return {"fit_finder": settings.FIT_FINDER}
