from django.conf import settings


def site(request):
    from commonground.web import extensions

    return {"fit_finder": settings.FIT_FINDER,
            "extension_links": [link for fn in extensions.HEADER_LINKS for link in fn(request)]}
