"""The progress dashboard in a real browser: the seeded numbers, accessibility, a phone, "study just these"."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, serious_violations
from tests.progress_seed import EXPECTED


def stat(page, name: str) -> str:
    return page.locator(f"[data-stat='{name}'] .stat-value").inner_text()


def open_all_details(page) -> None:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def test_dashboard_shows_the_seeded_numbers_and_is_accessible(learner_page):
    page = learner_page
    page.get_by_role("link", name="Progress", exact=True).click()
    expect(page.get_by_role("heading", name="Your progress", level=1)).to_be_visible()
    assert stat(page, "due") == str(EXPECTED["due"])
    expect(page.locator("[data-stat='due']")).to_contain_text(f"{EXPECTED['overdue']} overdue")
    expect(page.locator("[data-stat='week']")).to_contain_text("last week")
    assert stat(page, "streak") == str(EXPECTED["streak"])
    expect(page.locator("[data-stat='streak']")).to_contain_text(f"{EXPECTED['reviews_today']} today")
    assert stat(page, "retention") == "–"  # 5 reviews of review cards (tests/progress_seed.py): too few
    expect(page.locator("[data-stat='retention']")).to_contain_text("not enough reviews yet: 5 of 20")
    for name in ("new", "learning", "young", "mature", "suspended"):
        assert page.locator(f"[data-count='{name}'] td").first.inner_text() == str(EXPECTED[name]), name
    # Charts are images with a name, and their data is a table too.
    expect(page.get_by_role("img", name="Cards due in the next 30 days")).to_be_visible()
    expect(page.get_by_role("img", name="Reviews per day over the past year")).to_be_visible()
    page.get_by_text("The forecast as a table").click()
    rows = page.locator("#forecast-table tbody tr")
    expect(rows).to_have_count(30)
    for offset, count in EXPECTED["forecast"].items():
        expect(rows.nth(offset).locator("td")).to_have_text(str(count))
    expect(page.locator("#weakest-table tbody tr").first).to_contain_text(EXPECTED["weakest_first"])
    expect(page.locator("#weakest-table tbody tr").first).to_contain_text("leech")
    screenshot(page, "progress-desktop")
    open_all_details(page)
    assert serious_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dashboard_fits_a_phone_in_both_themes(learner_page, scheme):
    page = learner_page
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/progress")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The year of reviews scrolls inside its own box, opened at the most recent days.
    box = page.locator(".scroll-x")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth && e.scrollLeft > 0")
    screenshot(page, f"progress-phone-{scheme}")
    open_all_details(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Every table fits inside its panel (the heatmap alone scrolls, inside its own box).
    overflowing = page.evaluate("""[...document.querySelectorAll('.progress-section table')]
        .filter(t => { const s = t.closest('section');
                       const inner = s.getBoundingClientRect().right - parseFloat(getComputedStyle(s).paddingRight);
                       return t.getBoundingClientRect().right > inner + 1; })
        .map(t => t.id)""")
    assert overflowing == []
    assert serious_violations(page) == []
    screenshot(page, f"progress-phone-{scheme}-tables")


def test_study_just_the_chosen_weak_questions_then_back_to_all(learner_page):
    page = learner_page
    page.goto("/progress")
    boxes = page.locator("#weakest-table input[type=checkbox]")
    expect(boxes).to_have_count(3)  # the leech, and the two cards answered Again lately
    boxes.nth(1).uncheck()
    boxes.nth(2).uncheck()
    page.get_by_role("button", name="Study just these").click()
    expect(page.get_by_text("Studying 1 chosen question")).to_be_visible()
    expect(page.locator(".study-card")).to_be_visible()
    screenshot(page, "progress-focus-study")
    page.get_by_role("button", name="back to all").click()
    expect(page.get_by_text("Back to all your cards.")).to_be_visible()
    expect(page.get_by_text("Studying 1 chosen question")).to_have_count(0)


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_first_screen_says_what_to_do_now(learner_page, width, height, scheme):
    """Above the fold: what is due (with the button to study it), this week against last, the streak,
    and the weakest five questions with "Study just these"."""
    page = learner_page
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/progress")
    screenshot(page, f"progress-first-screen-{width}-{scheme}")
    above = lambda locator: locator.bounding_box()["y"] + locator.bounding_box()["height"] <= height  # noqa: E731
    for name in ("due", "week", "streak"):
        assert above(page.locator(f"[data-stat='{name}']")), name
    weak_rows = page.locator("#weakest-table tbody tr")
    assert above(weak_rows.nth(min(4, weak_rows.count() - 1)))
    assert above(page.get_by_role("button", name="Study just these"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert serious_violations(page) == []
