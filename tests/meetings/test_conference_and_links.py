"""Feed links judged as a browser parses them (meetings/links.py) and the known online providers
(meetings/conference.py), checked at the unit level against ada (the WHATWG parser Node uses).

tests/hardening/test_01_join_links.py imports confusable links through a feed and looks at the
page; tests/test_link_repair.py checks the repair of spaces in a path. Here: each refusal and its
reason; the one normalised form (IDNA, full-width letters, ideographic dots, percent-encoded hosts,
default ports); the length limit before and after normalising; every provider's domain and
lookalikes of each; and two properties over generated confusable links: whatever is accepted is
where a browser would go, and a provider is named only when the browser would reach it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from ada_url import parse_url
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.meetings.conference import (
    DEMO_CONFERENCE_URL,
    PROVIDERS,
    clean_phone,
    conference_link,
    is_dialable,
    provider_for,
    provider_for_host,
)
from commonground.meetings.links import MAX_LENGTH, Link, LinkError, safe_href, web_link

EDGES = " \t\n\r\f\v\x00"


def browser(raw: str) -> dict | None:
    """What a browser makes of the link (ada, WHATWG), or None where it is no URL at all."""
    try:
        return parse_url(raw.strip(EDGES))
    except ValueError:
        return None


def provider_domains(label: str) -> list[str]:
    return [domain for domain, name in PROVIDERS.items() if name == label]


def under(host: str, domain: str) -> bool:
    labels, wanted = host.split("."), domain.split(".")
    return labels[-len(wanted) :] == wanted


# --- refusals, each with its reason ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ftp://example.org/", "not ftp"),
        ("wss://example.org/", "not wss"),
        ("mailto:help@example.org", "not mailto"),
        ("JaVaScRiPt:alert(1)", "not javascript"),
        ("data:text/html,<b>x</b>", "not data"),
        ("example.org/meeting", "not a valid web address"),  # no scheme: nothing a browser would open as a link
        ("//example.org/meeting", "not a valid web address"),
        ("https://999.1.1.1/", "not a valid web address"),
        ("https://example.123/", "not a valid web address"),  # a last label of digits must be an IPv4 address
        ("https://user:secret@example.org/", "user name or password"),
        ("https://user@example.org/", "user name or password"),
        ("https://:secret@example.org/", "user name or password"),
        ("https://127.0.0.1/", "bare IP address"),
        ("https://0x7f.1/", "bare IP address"),  # the browser reads 127.0.0.1
        ("https://2130706433/", "bare IP address"),  # 127.0.0.1 as one number
        ("https://1.2.3/", "bare IP address"),  # 1.2.0.3
        ("https://[::1]/", "bare IP address"),
        ("https://localhost/", "not a public site name"),
        ("https://example./", "not a public site name"),  # one label once its trailing dot goes
        ("https://.example.org/", "not a public site name"),
        ("https://a..b.org/", "not a public site name"),
        ("https://exa\u00admple.org/", "U+00AD"),  # a soft hyphen: invisible, and dropped by the browser
        ("https://example.org/\u200b", "U+200B"),
        ("https://example.org/#\u202e", "U+202E"),
        ("https://exam\x00ple.org/", "U+0000"),
        ("https://example.org/a b", "space or line break"),
        ("https://example.org/\u3000", "space or line break"),
        ("https://example.org/a\u2028b", "space or line break"),
        ("https://example.org\\@zoom.us/", "backslash"),
        ("", "empty"),
        (" \t\n", "empty"),
    ],
)
def test_refused_with_a_reason_a_maintainer_can_act_on(raw, reason):
    with pytest.raises(LinkError, match=re.escape(reason)):
        web_link(raw)
    assert safe_href(raw) is None
    assert provider_for(raw) is None


def test_what_is_not_text_is_refused_as_such():
    for value in (None, 42, b"https://zoom.us/j/1", ("https://zoom.us/j/1",)):
        with pytest.raises(LinkError, match="not text"):
            web_link(value)  # type: ignore[arg-type]
        assert provider_for(value) is None  # type: ignore[arg-type]


def test_the_length_limit_holds_before_and_after_normalising():
    base = "https://example.org/"
    assert web_link(base + "a" * (MAX_LENGTH - len(base))).href == base + "a" * (MAX_LENGTH - len(base))
    with pytest.raises(LinkError, match=f"longer than {MAX_LENGTH} characters$"):
        web_link(base + "a" * (MAX_LENGTH - len(base) + 1))
    # Surrounding white space does not count: it is stripped first.
    assert web_link("  " + base + "a" * (MAX_LENGTH - len(base)) + "\n").href.endswith("a")
    # 164 letters é are 184 characters as written, 1,004 once each is percent-encoded (6 characters).
    grows = base + "é" * 164
    assert len(grows) <= MAX_LENGTH and len(base + "%C3%A9" * 164) > MAX_LENGTH
    with pytest.raises(LinkError, match="once normalised"):
        web_link(grows)
    # An IDNA host grows too: 例え.jp (5 characters) is xn--r8jz45g.jp (14).
    idna = "https://例え.jp/" + "a" * (MAX_LENGTH - len("https://例え.jp/"))
    assert len(idna) == MAX_LENGTH
    with pytest.raises(LinkError, match="once normalised"):
        web_link(idna)


# --- the one normalised form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "href", "host"),
    [
        ("https://例え.jp/", "https://xn--r8jz45g.jp/", "xn--r8jz45g.jp"),  # IDNA: the ASCII form is stored
        ("https://zoom。us/j/1", "https://zoom.us/j/1", "zoom.us"),  # U+3002, a dot to browsers
        ("https://ｚｏｏｍ.us/j/1", "https://zoom.us/j/1", "zoom.us"),  # full-width letters map to ASCII
        ("https://zoom%2eus/j/1", "https://zoom.us/j/1", "zoom.us"),  # a percent-encoded dot in a host is a dot
        ("https://ex%61mple.org/", "https://example.org/", "example.org"),
        ("https://zооm.us/j/1", "https://xn--zm-fmca.us/j/1", "xn--zm-fmca.us"),  # Cyrillic о: another site
        ("HTTPS://EXAMPLE.ORG/A?B#C", "https://example.org/A?B#C", "example.org"),  # only scheme and host fold
        ("https://example.org", "https://example.org/", "example.org"),
        ("https://example.org:443/", "https://example.org/", "example.org"),
        ("http://example.org:80/a", "http://example.org/a", "example.org"),
        ("https://example.org:8443/a", "https://example.org:8443/a", "example.org"),
        ("https://ZOOM.us../", "https://zoom.us/", "zoom.us"),  # trailing dots dropped: one form for one site
        ("https:example.org/x", "https://example.org/x", "example.org"),  # browsers supply the slashes
        ("https:///example.org/x", "https://example.org/x", "example.org"),
        ("https://example.org/a/%2e%2e/b", "https://example.org/b", "example.org"),  # dot segments resolved
        ("\t https://example.org/a \n", "https://example.org/a", "example.org"),
    ],
)
def test_the_normalised_form_is_where_the_browser_goes(raw, href, host):
    link = web_link(raw)
    assert link == Link(href=href, host=host)
    seen = browser(raw)
    assert seen is not None and seen["hostname"].rstrip(".") == host
    assert parse_url(href)["href"] == href  # a fixed point of the browser's parser
    assert web_link(href) == link
    assert safe_href(raw) == href


def test_safe_href_takes_anything_with_a_text_form():
    class Stored:
        def __str__(self):
            return "https://example.org"

    assert safe_href(Stored()) == "https://example.org/"
    assert safe_href(None) is safe_href("") is safe_href(0) is None
    assert safe_href(12345) is None


# --- generated links: accepted means the browser's host -----------------------------------------------

SCHEMES = ["https://", "http://", "HTTPS://", "https:", "https:/", "https:\\\\", "javascript://", "ftp://", ""]
USERINFO = ["", "", "", "zoom.us@", "user:pw@", "evil.example\\@", ":@"]
HOSTS = [
    *PROVIDERS,
    "evil.example",
    "us02web.zoom.us",
    "zoom.us.evil.example",
    "notzoom.us",
    "zoom%2eus",
    "zoom。us",
    "ｚｏｏｍ.us",
    "zооm.us",
    "ZOOM.US.",
    "127.0.0.1",
    "[::1]",
    "xn--zm-fmca.us",
    "google.com",
]
JOINS = ["", "", ".", "\\", "%2F", "\t", "#", "?", "@", ":443", ":99999", "\u200b", "/", " "]
PATHS = ["", "/j/1", "/j/ 1", "/j/1?pwd=a b", "\\@zoom.us/", "/@zoom.us", "#zoom.us", "/%2e%2e/"]

confusable = st.builds(
    lambda scheme, user, host, join, second, path: scheme + user + host + join + second + path,
    st.sampled_from(SCHEMES),
    st.sampled_from(USERINFO),
    st.sampled_from(HOSTS),
    st.sampled_from(JOINS),
    st.sampled_from(["", "", *HOSTS]),
    st.sampled_from(PATHS),
)


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(confusable, st.text(max_size=40), st.text(max_size=20).map(lambda t: "https://" + t)))
def test_an_accepted_link_goes_where_the_browser_would_go(raw):
    try:
        link = web_link(raw)
    except LinkError:
        return  # refused: nothing is stored, shown or exported
    seen = browser(raw)
    assert seen is not None
    assert seen["protocol"] in ("https:", "http:") and not seen["username"] and not seen["password"]
    assert seen["hostname"].rstrip(".") == link.host
    assert link.host == link.host.lower() and link.host.isascii()
    assert link.href.isascii() and link.href.isprintable() and " " not in link.href
    assert urlsplit(link.href).hostname == link.host
    assert parse_url(link.href)["href"] == link.href and web_link(link.href) == link
    assert len(link.href) <= MAX_LENGTH


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(confusable)
def test_a_provider_is_named_only_when_the_browser_would_reach_it(raw):
    label = provider_for(raw)
    try:
        link, repair = conference_link(raw)
    except LinkError:
        link = None
    if label is not None:
        seen = browser(raw)
        assert seen is not None and not seen["username"] and not seen["password"]
        assert any(under(seen["hostname"].rstrip(".").lower(), d) for d in provider_domains(label)), raw
    if link is not None and provider_for_host(link.host):
        # A repaired link too: removing spaces from a path never changes the host.
        seen = browser(raw)
        assert seen is not None and seen["hostname"].rstrip(".") == link.host, raw
        assert provider_for(link.href) == provider_for_host(link.host)


@settings(max_examples=60, deadline=None)
@given(
    domain=st.sampled_from(sorted(PROVIDERS)),
    path=st.text(alphabet="abcdefghij0123456789-/", min_size=1, max_size=20),
    spaces=st.lists(st.integers(0, 20), max_size=4),
)
def test_spaces_pasted_into_a_providers_path_are_taken_out_and_nothing_else_changes(domain, path, spaces):
    clean = f"https://{domain}/{path}"
    expected = web_link(clean)
    messy = list(path)
    for position in sorted(spaces, reverse=True):  # before a character of the path: never at its end
        messy.insert(min(position, len(path) - 1), " ")
    link, repair = conference_link(f"https://{domain}/{''.join(messy)}")
    assert link == expected
    assert bool(repair) == bool(spaces)


# --- the providers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", sorted(PROVIDERS))
def test_every_provider_is_known_by_its_domain_and_its_subdomains(domain):
    label = PROVIDERS[domain]
    for raw in (
        f"https://{domain}/x",
        f"http://{domain}/x",
        f"https://us02web.{domain}/j/1",
        f"https://a.b.{domain}/",
        f"HTTPS://{domain.upper()}/x",
        f"https://{domain}./x",
        f"https://{domain}:8443/x",
        f"https://{domain}",
    ):
        assert provider_for(raw) == label, raw


@pytest.mark.parametrize("domain", sorted(PROVIDERS))
def test_no_lookalike_of_a_provider_is_taken_for_it(domain):
    flat = domain.replace(".", "")
    lookalikes = [
        f"https://not{domain}/",
        f"https://{domain}.evil.example/",
        f"https://{domain}-evil.example/",
        f"https://{flat}.com/",
        f"https://{domain.replace('.', '-')}.example/",
        f"https://evil.example/{domain}",
        f"https://evil.example/?next=https://{domain}/",
        f"https://evil.example#{domain}",
        f"https://{domain}@evil.example/",
        f"https://{domain}%2F@evil.example/",
        f"https://evil.example\\@{domain}/",
        f"javascript://{domain}/%0aalert(1)",
        f"ftp://{domain}/",
    ]
    if "o" in domain:
        lookalikes.append(f"https://{domain.replace('o', 'о', 1)}/")  # a Cyrillic о
    for raw in lookalikes:
        assert provider_for(raw) is None, raw


def test_a_providers_parent_domain_is_not_the_provider():
    # The list names the meeting service's own host, not the company's other sites.
    for raw in (
        "https://google.com/",
        "https://www.google.com/",
        "https://live.com/",
        "https://microsoft.com/",
        "https://meta.com/",
        "https://secondlife.com/",
        "https://dialpad.com/",
        "https://jit.si/",
        "https://us",
        "https://group/",
    ):
        assert provider_for(raw) is None, raw


def test_every_listed_domain_names_its_own_label():
    assert len(PROVIDERS) == 21  # the list TSML, TSML UI, Central and online-meeting-list share
    for domain, label in PROVIDERS.items():
        assert provider_for_host(domain) == label
        assert provider_for_host("x" + domain) is None
    assert provider_for(DEMO_CONFERENCE_URL) == "Zoom"


# --- phones -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept", "dialable"),
    [
        ("+1 (555) 123-4567", "+15551234567", True),
        ("555-123-4567", "5551234567", True),  # ten digits: the least TSML UI dials
        ("555-123-456", "555123456", False),
        ("  +44 20 7946 0958 ", "+442079460958", True),
        ("+1 555 123 4567,,987654#", "+15551234567,,987654#", True),  # one-tap meeting id and passcode
        ("*67 555 123 4567", "*675551234567", True),
        ("1+555+123+4567", "15551234567", True),  # a + only counts at the start
        ("++1 555", "+1555", False),
        ("tel:+15551234567", "+15551234567", True),
        ("Call 555-1234 ext. 9", "55512349", False),
        ("５５５１２３４５６７", "", False),  # full-width digits are not what a dialler sends
        ("", "", False),
        ("   ", "", False),
    ],
)
def test_a_phone_keeps_what_a_phone_dials(raw, kept, dialable):
    assert clean_phone(raw) == kept
    assert is_dialable(raw) is dialable


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_a_cleaned_phone_is_a_subsequence_of_what_was_written(raw):
    kept = clean_phone(raw)
    assert set(kept) <= set("0123456789,*#+") and "+" not in kept[1:]
    assert clean_phone(kept) == kept
    remaining = iter(raw)
    assert all(ch in remaining for ch in kept)  # in order, each taken from the text
