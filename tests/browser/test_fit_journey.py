"""The fit finder as people use it, with and without JavaScript, in English and Spanish.

Three journeys from the review: a parent whose teenager uses drugs; a person on methadone; a
person who drinks every morning and wants to cut down. Inputs are chosen by name and value, so
the same journey runs in both languages; what is checked is what the person must see.
"""

import pytest

pytestmark = pytest.mark.browser
MATRIX = [(js, locale) for js in (True, False) for locale in ("en-US", "es-MX")]
IDS = [f"{'js' if js else 'no-js'}-{locale}" for js, locale in MATRIX]


def start(new_page, js, locale):
    page = new_page(java_script_enabled=js, locale=locale)
    page.goto("/")
    page.locator("a[href='/fit']").first.click()
    page.wait_for_url(lambda url: url.endswith("/fit"))
    assert page.locator("html").get_attribute("lang") == locale[:2]
    return page


def choose(page, name, value):
    page.locator(f"input[name='{name}'][value='{value}']").check()


def submit(page):
    page.locator("form.fit button[type=submit]").click()
    page.wait_for_url(lambda url: "/fit/results?" in url)


def ranking(page):
    return [item.get_attribute("id").removeprefix("program-") for item in page.locator("li.ranked").all()]


def meeting_programs(page):
    return set(
        page.locator("ol.meetings li.meeting").evaluate_all(
            "items => items.map(i => (i.querySelector('.program a, .program') || {}).textContent || '')"
        )
    )


@pytest.mark.parametrize("js, locale", MATRIX, ids=IDS)
def test_a_parent_whose_teenager_uses_drugs(new_page, js, locale):
    page = start(new_page, js, locale)
    their_use = page.locator("#question-their_use")
    assert their_use.is_visible() != js, "with JavaScript, asked only of family and friends"
    choose(page, "help_with", "someone_else")
    assert their_use.is_visible()
    choose(page, "their_use", "drugs")
    submit(page)
    order = ranking(page)
    assert order[0] == "nar-anon" and order.index("al-anon") > order.index("nar-anon")
    assert page.locator("#program-na .reason.not_for").count() == 1
    links = page.locator("ol.meetings li.meeting a[href^='/meetings/']").count()
    assert links > 0
    shown = " ".join(page.locator("ol.meetings").all_inner_texts())
    for own_use_program in (
        "Alcoholics Anonymous",
        "Alcohólicos Anónimos",
        "Narcotics Anonymous",
        "Narcóticos Anónimos",
        "SMART Recovery ·",
    ):
        assert own_use_program not in shown


@pytest.mark.parametrize("js, locale", MATRIX, ids=IDS)
def test_a_person_on_methadone(new_page, js, locale):
    page = start(new_page, js, locale)
    choose(page, "help_with", "opioids")
    choose(page, "medication", "moud")
    submit(page)
    order = ranking(page)
    assert "mara" in order[:3] and "na" not in order[:3]
    na = page.locator("#program-na")
    assert na.locator(".reason.minus[data-rule='moud-restrictive']").count() == 1
    assert na.locator(".sources a").count() >= 1
    assert page.locator("#safety-overdose").is_visible()
    assert "tel:+18006624357" in page.locator("#safety-overdose").inner_html().lower()  # the country's drug line
    shown = " ".join(page.locator("ol.meetings").all_inner_texts())
    assert "Narcotics Anonymous" not in shown and "Narcóticos Anónimos" not in shown
    assert "988" in page.locator(".help-now").inner_text()
    page.locator("ol.meetings li.meeting h3 a").first.click()
    page.wait_for_url(lambda url: "/meetings/" in url)


@pytest.mark.parametrize("js, locale", MATRIX, ids=IDS)
def test_a_person_who_drinks_every_morning_and_wants_to_cut_down(new_page, js, locale):
    page = start(new_page, js, locale)
    dependence = page.locator("#question-dependence")
    assert dependence.is_visible() != js
    choose(page, "help_with", "alcohol")
    assert dependence.is_visible()
    choose(page, "dependence", "yes")
    choose(page, "goal", "moderation")
    submit(page)
    assert page.locator("#safety-withdrawal").is_visible()
    assert "1-800-662-4357" in page.locator("#safety-withdrawal").inner_text()
    order = ranking(page)
    assert "mm" not in order[:3]
    assert page.locator("#program-mm .reason.not_for").count() == 1
    for abstinence_program in ("aa", "lifering", "smart"):
        assert order.index("mm") > order.index(abstinence_program)
    page.locator("a[href^='/fit?']").first.click()
    page.wait_for_url(lambda url: "/fit?" in url)
    assert page.locator("input[name='dependence'][value='yes']").is_checked()
