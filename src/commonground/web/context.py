from django.conf import settings


def site(request):
    from commonground.web import extensions
    from commonground.web.help import country_of_request, site_help_for

    # The header's "Help now" and the footer's lines: the country the request names (?country, ?near,
    # ?tz), else the home country's lines, said so. A view that knows better passes its own site_help.
    code = country_of_request(request.GET)[0] if request.method == "GET" else ""
    return {
        "fit_finder": settings.FIT_FINDER,
        "extension_links": [link for fn in extensions.HEADER_LINKS for link in fn(request)],
        "site_help": site_help_for(code),
    }
