"""A forgotten password, in a real browser: the emailed link (a local SMTP server) sets a new one
once, and the other signed-in browser is signed out."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, serious_violations
from tests.mailbox import link_in

NEW_PASSWORD = "a brand new passphrase"


def test_a_forgotten_password_is_reset_from_the_emailed_link(page, browser, server, make_user, mailbox):
    make_user()
    other = browser.new_context(base_url=server)  # a second device, signed in before the reset
    laptop = other.new_page()
    log_in(laptop, "ada@example.com")

    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("If an account uses that address, we have emailed it a link")).to_be_visible()

    [message] = mailbox.wait_for(1)
    link = link_in(message)
    assert link.startswith(server + "/reset-password/")
    page.goto(link)
    expect(page.get_by_text("For the account of ada@example.com")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()

    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").get_by_text("Wrong email or password.")).to_be_visible()
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(link)  # a second use
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(page.get_by_text("already been used")).to_be_visible()

    laptop.goto("/account")
    expect(laptop).to_have_url(re.compile(r"/login\?next=%2Faccount$"))
    other.close()
