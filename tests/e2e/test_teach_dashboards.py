"""A teacher's dashboards in a real browser: a class's progress (the seeded numbers, sorting, a
student's read-only dashboard) and a bank's item analysis (the hand-computed figures of
tests/services/test_item_stats.py); axe on each, a 360 px phone, screenshots."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import User
from quizapp.models.types import utcnow
from tests.class_progress_seed import EXPECTED, seed_class
from tests.e2e.conftest import log_in, screenshot, serious_violations
from tests.progress_seed import EXPECTED as ANN
from tests.services.test_item_stats import seed_item_analysis


def fits_a_phone(page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def row(page, name: str):
    return page.locator("#class-progress-table tbody tr").filter(has=page.get_by_role("link", name=name, exact=True))


@pytest.fixture
def class_page(page, app):
    with app.app_context():
        ids = seed_class(utcnow())
        db.session.remove()
    log_in(page, "teacher@example.com")
    return page, ids


def test_class_progress_numbers_sorting_and_a_students_dashboard(class_page):
    page, ids = class_page
    page.goto(f"/teach/classes/{ids['class']}")
    head = EXPECTED["headline"]
    expect(page.locator("[data-stat='active'] .stat-value")).to_have_text(head["active"])
    page.get_by_role("link", name="View progress").click()
    expect(page.get_by_role("heading", name="Progress: History 1", level=1)).to_be_visible()
    help_list = page.locator("#needs-help li")
    expect(help_list.first).to_contain_text("overdue")  # who needs help comes before the full table
    for stat in ("active", "reviews", "retention", "due"):
        expect(page.locator(f"[data-stat='{stat}'] .stat-value")).to_have_text(head[stat])
    for name in ("Ann", "Ben", "Cy"):
        want, r = EXPECTED[name], row(page, name)
        expect(r.locator("[data-col='last-active']")).to_have_text(want["last"])
        expect(r.locator("[data-col='reviews']")).to_have_text(str(want["reviews"]))
        expect(r.locator("[data-col='retention']")).to_contain_text(want["retention"])
        expect(r.locator("[data-col='due']")).to_have_text(str(want["due"]))
        expect(r.locator("[data-col='overdue']")).to_have_text(str(want["overdue"]))
    expect(page.locator("#class-progress-table tbody tr")).to_have_count(3)  # Zed is not in the class
    expect(page.get_by_role("img", name="Reviews per week of Demo bank")).to_be_visible()
    expect(page.get_by_role("img", name="True retention per week of Demo bank")).to_be_visible()
    expect(page.get_by_text(f"Studied by {EXPECTED['bank']['studied_by']} of 3 students.")).to_be_visible()

    # Sorting: each heading is a button; numbers sort as numbers, both ways.
    names = page.locator("#class-progress-table tbody th[scope=row]")
    page.get_by_role("button", name="Reviews, 7 days").click()
    expect(names).to_have_text(["Cy", "Ben", "Ann"])
    expect(page.locator("#class-progress-table th[aria-sort='ascending']")).to_have_text("Reviews, 7 days")
    page.get_by_role("button", name="Reviews, 7 days").click()
    expect(names).to_have_text(["Ann", "Ben", "Cy"])
    page.get_by_role("button", name="Due now").click()
    expect(names).to_have_text(["Ben", "Cy", "Ann"])  # 0, 0, 3 (ties keep their order)
    screenshot(page, "teach-class-progress")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert serious_violations(page) == []

    # Ann's row opens her dashboard, read-only, limited to the class's banks.
    row(page, "Ann").get_by_role("link", name="Ann").click()
    expect(page.get_by_role("heading", name="Ann's progress in History 1", level=1)).to_be_visible()
    expect(page.locator("[data-stat='due'] .stat-value")).to_have_text(str(ANN["due"]))
    expect(page.locator("[data-stat='retention']")).to_contain_text("not enough reviews yet: 5 of 20")
    main = page.locator("main")
    expect(main.locator("form")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.locator("input")).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile("Download the forecast"))).to_be_visible()
    screenshot(page, "teach-student-dashboard")
    assert serious_violations(page) == []
    fits_a_phone(page)
    screenshot(page, "teach-student-dashboard-phone")
    page.get_by_role("link", name="Progress: History 1").click()
    expect(page.get_by_role("heading", name="Progress: History 1", level=1)).to_be_visible()


def test_class_progress_fits_a_phone(class_page):
    page, ids = class_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/teach/classes/{ids['class']}/progress")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The wide table scrolls inside its own box.
    box = page.locator(".table-scroll[aria-labelledby=students-heading]")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    screenshot(page, "teach-class-progress-phone")
    fits_a_phone(page)
    assert serious_violations(page) == []
    page.goto(f"/teach/classes/{ids['class']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "teach-class-page-phone")


def test_item_analysis_shows_the_hand_computed_figures(page, app, make_user):
    teacher = make_user("teacher@example.com", role="teacher", name="Ms Teach")
    with app.app_context():
        seed_item_analysis(db.session.get(User, teacher))
        slug = "analysed"
        db.session.remove()
    log_in(page, "teacher@example.com")
    page.goto(f"/teach/banks/{slug}/stats")
    expect(page.get_by_role("heading", name="Item analysis: Analysed bank", level=1)).to_be_visible()
    expect(page.get_by_text("From 5 finished quiz attempts")).to_be_visible()
    q1, q4 = page.locator("#stats-q1 td"), page.locator("#stats-q4 td")
    expect(q1.nth(0)).to_have_text("5")
    expect(q1.nth(1)).to_have_text("60 %")  # facility
    expect(q1.nth(3)).to_have_text("16.7")  # discrimination index
    expect(q4.nth(1)).to_have_text("60 %")
    expect(q4.nth(3)).to_have_text("-72.1")
    expect(page.locator("#stats-q4")).not_to_contain_text("negative discrimination")  # 5 attempts: no warning yet
    expect(page.get_by_text("Warnings need at least 10 attempts")).to_be_visible()
    alpha = page.locator(".stat-grid div").filter(has_text="Cronbach's alpha").locator("dd")
    expect(alpha).to_have_text("-95.2 %")
    # Sorting by discrimination index puts q4 first.
    page.get_by_role("button", name="Discrimination index").click()
    expect(page.locator(".stats-table tbody tr").first).to_have_id("stats-q4")
    screenshot(page, "teach-item-analysis")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "teach-item-analysis-phone")
    assert serious_violations(page) == []
