"""The fit finder as a person uses it: questionnaire, ranked programs, then a meeting."""

import pytest

pytestmark = pytest.mark.browser


def answer_and_follow(page, javascript: bool):
    page.goto("/")
    page.get_by_role("link", name="Which group fits me?").first.click()
    page.wait_for_url(lambda url: url.endswith("/fit"))
    page.get_by_label("No religion or spirituality, please").check()
    page.get_by_label("I take, or may take, medication for opioid use disorder", exact=False).check()
    page.get_by_label("Online", exact=True).check()
    page.get_by_role("button", name="Show my results").click()
    page.wait_for_url(lambda url: "/fit/results?" in url)
    ranked = page.locator("li.ranked h2").all_inner_texts()
    assert len(ranked) == 14
    assert {"SMART Recovery", "LifeRing Secular Recovery"} & set(ranked[:3])
    na = page.locator("li.ranked", has_text="Narcotics Anonymous")
    assert "leaves it to each group" in na.inner_text() and "Source:" in na.inner_text()
    page.get_by_role("link", name="Change my answers").click()
    page.wait_for_url(lambda url: "/fit?" in url)
    assert page.get_by_label("No religion or spirituality, please").is_checked()
    page.go_back()
    page.locator("#fit-meetings ~ ol li.meeting h3 a, ol.meetings li.meeting h3 a").first.click()
    page.wait_for_url(lambda url: "/meetings/" in url)
    assert page.get_by_role("heading", name="Join online").count() == 1


def test_fit_journey_with_javascript(new_page):
    answer_and_follow(new_page(), javascript=True)


def test_fit_journey_without_javascript(new_page):
    answer_and_follow(new_page(java_script_enabled=False), javascript=False)
