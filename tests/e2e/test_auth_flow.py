from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, serious_violations


def test_visitor_registers_logs_out_logs_in_and_sees_their_name(page):
    page.goto("/")
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Hello, Grace Hopper")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Grace Hopper")).to_be_visible()
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()


def test_wrong_password_shows_an_error_and_no_session(page, make_user):
    make_user()
    page.goto("/login")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").get_by_text("Wrong email or password.")).to_be_visible()
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_keyboard_only_login(page, make_user):
    make_user()
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Email").focus()
    page.keyboard.type("ada@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello, ada")).to_be_visible()


PAGES_ANONYMOUS = ["/", "/login", "/register", "/no-such-page"]
PAGES_SIGNED_IN = ["/", "/account"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(page, make_user, scheme):
    page.emulate_media(color_scheme=scheme)
    found = {}
    for path in PAGES_ANONYMOUS:
        page.goto(path)
        found[path] = serious_violations(page)
    make_user()
    page.goto("/login")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    for path in PAGES_SIGNED_IN:
        page.goto(path)
        found[f"{path} (signed in)"] = serious_violations(page)
        screenshot(page, f"{scheme}-{path.strip('/') or 'home'}")
    assert {p: v for p, v in found.items() if v} == {}


def test_phone_width_has_no_horizontal_scroll(browser, server, make_user):
    context = browser.new_context(base_url=server, viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    for path in ["/", "/login", "/register"]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    screenshot(page, "phone-register")
    context.close()
