"""The look (issue 17, "A look people choose"): the phone menu by mouse and keyboard, no page wider than a
360 px phone, the teacher's tables without sideways scrolling at 1280 px, and the welcome and home pages
at 1280 and 390 px in light and dark (screenshots under /tmp/shots/look/, axe on each)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.models.types import utcnow
from tests.class_progress_seed import seed_class
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, serious_violations
from tests.services.test_item_stats import seed_item_analysis

SHOTS = Path("/tmp/shots/look")
LINKS = ["Home", "Study", "Quiz", "Progress", "Settings", "Sam"]
# Elements of the page that scroll sideways inside themselves (a table in its box).
SCROLLERS = """() => [...document.querySelectorAll('main *')].filter(e => e.scrollWidth > e.clientWidth + 1
  && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)).map(e => e.className || e.tagName)"""


def menu_links(page):
    nav = page.get_by_role("navigation", name="Main")
    return [nav.get_by_role("link", name=name, exact=True) for name in LINKS] + [
        nav.get_by_role("button", name="Log out")]


def test_the_phone_menu_opens_and_closes_by_mouse_and_keyboard(learner_page):
    page = learner_page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/progress")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    links = menu_links(page)
    for link in links:
        expect(link).to_be_hidden()  # folded: one row with the brand and the button, not rows of links
    brand = page.get_by_role("link", name="Quizapp")
    assert abs(brand.bounding_box()["y"] - menu.bounding_box()["y"]) < 12
    assert menu.bounding_box()["height"] >= 44

    # Mouse: open, every link there and 44 px tall; the current page marked; open again and close.
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    for link in links:
        expect(link).to_be_visible()
        assert link.bounding_box()["height"] >= 44
    expect(links[3]).to_have_attribute("aria-current", "page")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    menu.click()
    expect(links[0]).to_be_hidden()
    menu.click()
    page.get_by_role("heading", level=1).click()  # a click outside closes it
    expect(menu).to_have_attribute("aria-expanded", "false")

    # Keyboard: Enter opens, Tab walks every link in order, Esc closes and gives the focus back.
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    for link in links:
        page.keyboard.press("Tab")
        expect(link).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(links[0]).to_be_hidden()
    # Space opens too; Tab out of the last link closes it; the keyboard reaches a link's page.
    page.keyboard.press(" ")
    expect(links[0]).to_be_visible()
    for _ in links:
        page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # Study
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/study$"))

    # A wide screen: no button, the links in one row.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(menu).to_be_hidden()
    tops = {round(link.bounding_box()["y"] + link.bounding_box()["height"] / 2) for link in menu_links(page)}
    assert max(tops) - min(tops) <= 4, tops


def answer_one(page) -> str:
    """Answers the first card of /study through its form (any type); the feedback page's URL."""
    page.goto("/study")
    form = page.locator("form.answer-form")
    if page.locator("#reveal").count():
        page.locator("#reveal").click()
        page.locator("#rate-form button[value='3']").click()
        return answer_one(page)
    for group in (form.locator("input[type=radio]"), form.locator("input[type=checkbox]")):
        if group.count():
            group.first.check()
    for box in form.locator("input[type=text], input:not([type]), input[type=number]").all():
        if box.is_visible():
            box.fill("1950")
    form.locator("button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/study/answered/\d+$"))
    return page.url


@pytest.fixture
def school(app):
    with app.app_context():
        ids = seed_class(utcnow())
        teacher = db.session.scalar(select(User).where(User.email == "teacher@example.com"))
        seed_item_analysis(teacher)
        db.session.commit()
        db.session.remove()
    return ids


def test_no_page_is_wider_than_a_360px_phone_and_teacher_tables_fit_1280(page, school):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, "welcome"
    page.goto("/login")
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Ann")).to_be_visible()
    feedback = answer_one(page)
    learner = ["/", "/study", feedback, "/progress", "/study/cards", "/study/custom"]
    teacher = ["/teach/", "/teach/banks/analysed", "/teach/banks/analysed/stats", f"/teach/classes/{school['class']}",
               f"/teach/classes/{school['class']}/progress"]
    too_wide = []
    for url in learner:
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            too_wide.append(url)
    page.context.clear_cookies()
    page.goto("/login")  # not log_in(): at 360 px "Log out" is behind the menu
    page.get_by_label("Email").fill("teacher@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    for url in teacher:
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            too_wide.append(url)
    assert too_wide == []

    # 1280 px, with the seeded class and item analysis: the bank and teacher tables need no sideways scroll.
    page.set_viewport_size({"width": 1280, "height": 900})
    scrolling = {}
    for url in teacher:
        page.goto(url)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        if found := page.evaluate(SCROLLERS):
            scrolling[url] = found
    assert scrolling == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_welcome_and_home_at_two_widths(browser, server, make_user, app, scheme):
    from tests.progress_seed import seed_learner

    uid = make_user(email="student@example.com", name="Sam")
    with app.app_context():
        seed_learner(uid, utcnow())
        db.session.remove()
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto("/")
            expect(page.get_by_role("heading", name="Learn from the documents themselves")).to_be_visible()
            # A visitor's two links need no menu at any width.
            expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Register")).to_be_visible()
            expect(page.get_by_role("button", name="Menu")).to_be_hidden()
            page.screenshot(path=str(SHOTS / f"welcome-{width}-{scheme}.png"), full_page=True)
            assert serious_violations(page) == [], ("welcome", width)
        page.set_viewport_size({"width": 1280, "height": 900})
        log_in(page, "student@example.com")
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto("/")
            tile = page.locator(".bank-tile").filter(has_text="Demo bank")
            expect(tile.locator("[data-figure=due] dd")).not_to_have_text("0")  # the seeded learner has cards due
            expect(tile.locator("[data-figure=mastered] dd")).to_have_text("20 %")  # 2 of its 10 cards
            page.screenshot(path=str(SHOTS / f"home-{width}-{scheme}.png"), full_page=True)
            assert serious_violations(page) == [], ("home", width)
        page.get_by_role("button", name="Menu").click()
        page.screenshot(path=str(SHOTS / f"home-390-{scheme}-menu.png"))
        assert serious_violations(page) == [], "home with the menu open"
    finally:
        context.close()
    assert errors == []
