"""URLs are built by name: no internal path is written by hand in a template, and every route has a name.

A path written by hand (href="/me/plan") breaks silently when a route moves; {% url 'journal:plan' %}
fails loudly at render time instead. These tests keep it that way for every template under src/.
"""

import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

SRC = Path(__file__).resolve().parent.parent / "src"

# An attribute whose value starts with one "/" (not "//", which is another host) is a path of ours.
LITERAL = re.compile(r"""\b(href|action|src|formaction)\s*=\s*(["'])/(?!/)""", re.IGNORECASE)

# Allowed literals, as (template path relative to src/, the literal's start). Each needs a reason.
ALLOWED_LITERALS: set[tuple[str, str]] = {
    # (none today: add one only with a comment saying why a name cannot do)
}


def literals_in(text):
    """(line number, the attribute and path up to the closing quote) for each internal literal."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in LITERAL.finditer(line):
            end = line.find(match.group(2), match.end())
            found.append((number, line[match.start() : end + 1 if end >= 0 else None]))
    return found


def test_the_finder_sees_literals_and_leaves_names_and_other_hosts_alone():
    text = (
        '<a href="/me/plan">x</a>\n<form action=\'/fit/results\'>\n<img src="//cdn.example/x.png">\n'
        '<a href="{% url \'home\' %}">\n<a href="https://example.org/">\n<button formaction="/me/went">'
    )
    assert [n for n, _ in literals_in(text)] == [1, 2, 6]


def test_no_template_writes_an_internal_path_by_hand():
    templates = sorted(SRC.rglob("*.html"))
    assert templates, "no templates found under src/"
    problems = []
    for template in templates:
        relative = template.relative_to(SRC).as_posix()
        for number, literal in literals_in(template.read_text(encoding="utf-8")):
            if not any(relative == path and start in literal for path, start in ALLOWED_LITERALS):
                problems.append(f"{relative}:{number}: {literal}")
    assert not problems, "internal paths written by hand; use {% url %} (or {% static %}):\n" + "\n".join(problems)


# Unnamed routes that come from Django's admin, not from us, as (route prefix, view): the admin's
# catch-all (it only redirects to the login or answers 404) and its redirect from the old
# /admin/<app>/<model>/<id>/ address to .../<id>/change/ have no name by design in Django.
UNNAMED_ALLOWED = {
    ("admin/", "django.contrib.admin.sites.catch_all_view"),
    ("admin/", "django.views.generic.base.view"),
}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def view_path(pattern):
    callback = pattern.callback
    callback = getattr(callback, "__wrapped__", callback)
    return f"{getattr(callback, '__module__', '')}.{getattr(callback, '__name__', type(callback).__name__)}"


def test_every_route_has_a_name():
    routes = list(walk(get_resolver().url_patterns))
    assert len(routes) > 20
    unnamed = [
        f"{route} -> {view_path(p)}"
        for route, p in routes
        if not p.name and not any(route.startswith(prefix) and view_path(p) == view for prefix, view in UNNAMED_ALLOWED)
    ]
    assert not unnamed, "routes without a name:\n" + "\n".join(unnamed)
