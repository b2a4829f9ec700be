"""The card browser and custom study in a real browser: filter, "study just these", study by tag;
by keyboard, on a phone, in dark mode, axe clean."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_violations


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_filter_then_study_just_these_by_keyboard(learner_page):
    page = learner_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/study/cards")
    expect(page.get_by_role("heading", name="Your cards", level=1)).to_be_visible()
    expect(page.locator(".browse-table tbody tr")).to_have_count(10)
    # The filter by keyboard: choose the tag, then Enter in the search box sends the form.
    page.get_by_label("Tag").select_option("treaty")
    page.get_by_label("Search").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"tag=treaty"))
    rows = page.locator(".browse-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("status")).to_contain_text("2 cards found")
    expect(rows.first).to_contain_text("✗ wrong")  # the failing learner's Again today
    assert serious_violations(page) == []
    screenshot(page, "browse-filtered-1280")
    page.emulate_media(color_scheme="dark")
    assert serious_violations(page) == []
    screenshot(page, "browse-filtered-1280-dark")
    page.emulate_media(color_scheme="light")

    # Suspend one card from its row (keyboard: focus the button, Enter), back on the same filtered page.
    suspend = rows.first.get_by_role("button", name="Suspend")
    suspend.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 card suspended.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"tag=treaty"))
    expect(page.locator(".browse-table tbody tr").first).to_contain_text("Suspended")
    page.locator(".browse-table tbody tr").first.get_by_role("button", name="Unsuspend").click()
    expect(page.get_by_text("1 card unsuspended.")).to_be_visible()

    # A phone, in dark mode: the table becomes a list of cards, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme="dark")
    page.reload()
    no_sideways_scroll(page)
    assert serious_violations(page) == []
    screenshot(page, "browse-filtered-390-dark")
    page.emulate_media(color_scheme="light")

    page.get_by_role("button", name="Study these cards").click()
    expect(page.get_by_text("Studying the cards you found (2 cards)")).to_be_visible()
    expect(page.locator("#prompt")).to_contain_text(re.compile("Where did Mao travel|The treaty was signed"))
    assert serious_violations(page) == []
    screenshot(page, "browse-study-these-390")


def test_custom_study_by_tag(learner_page):
    page = learner_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/study/custom")
    expect(page.get_by_role("heading", name="Custom study", level=1)).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "custom-study-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    screenshot(page, "custom-study-390")
    page.emulate_media(color_scheme="dark")
    assert serious_violations(page) == []
    screenshot(page, "custom-study-390-dark")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "custom-study-1280-dark")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 390, "height": 844})
    # Nothing chosen: the form says so, next to the tags.
    page.get_by_role("button", name="Study these tags").click()
    expect(page.get_by_text("Choose at least one tag.").first).to_be_visible()
    page.get_by_label(re.compile(r"^alliances")).check()
    page.get_by_label(re.compile(r"^1949")).check()
    page.get_by_role("button", name="Study these tags").click()
    expect(page.get_by_text("Studying the tags 1949, alliances (3 cards)")).to_be_visible()
    expect(page.locator("#prompt")).to_contain_text(
        re.compile("Where did Mao travel|Which were communist states|When was the PRC proclaimed"))
    no_sideways_scroll(page)
    assert serious_violations(page) == []
    screenshot(page, "custom-study-by-tag-390")
    page.get_by_role("button", name="back to all").click()
    expect(page.get_by_text("Back to all your cards.")).to_be_visible()


def test_flag_reschedule_and_a_cards_history(learner_page):
    """Tick two cards, flag them, find them by flag, open one's history, set its due date there;
    at 1280 and 390 px, axe clean."""
    page = learner_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/study/cards?tag=treaty")
    rows = page.locator(".browse-table tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label(re.compile(r"^Tick card 1:")).check()
    page.get_by_label(re.compile(r"^Tick card 2:")).check()
    page.get_by_label("Flag colour").select_option("4")
    page.get_by_role("button", name="Set flag").click()
    expect(page.get_by_text("2 cards flagged blue.")).to_be_visible()
    expect(page.locator(".browse-table .card-flag-4")).to_have_count(2)
    page.goto("/study/cards?flag=4")
    expect(page.locator(".browse-table tbody tr")).to_have_count(2)
    assert serious_violations(page) == []
    screenshot(page, "browse-flags-1280")

    page.get_by_role("link", name="Where did Mao travel in December 1949?").click()
    expect(page.get_by_role("heading", name="Where did Mao travel in December 1949?", level=1)).to_be_visible()
    history = page.locator(".history-table tbody tr")
    expect(history).to_have_count(2)  # the seed's Good and Again today
    expect(history.first).to_contain_text("✗ wrong")
    page.get_by_label("Due on").fill("2030-01-31")
    page.get_by_role("button", name="Set due date").click()
    expect(page.get_by_text("1 card due on 2030-01-31.")).to_be_visible()
    expect(page.locator(".card-facts")).to_contain_text("Blue flag")
    assert serious_violations(page) == []
    screenshot(page, "card-history-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    no_sideways_scroll(page)
    assert serious_violations(page) == []
    screenshot(page, "card-history-390")
    page.goto("/study/cards?flag=4")
    no_sideways_scroll(page)
    screenshot(page, "browse-flags-390")
