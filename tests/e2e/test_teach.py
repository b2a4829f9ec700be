"""A teacher uploads a GIFT file with two errors, fixes them in the page, saves, makes a class and
assigns the bank; a student joins with the code and studies a question from it. Real Chromium."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in, screenshot, serious_violations

GIFT = """// A teacher's file with two mistakes
::capital::Where did Mao travel in December 1949? {=Moscow ~Beijing ~Warsaw}

::year::In which year was the PRC proclaimed? {#19x49}

::tf::The treaty was signed in 1950. {TRUE}

::who::Who led the KMT? {~Chiang Kai-shek ~Mao Zedong}
"""


def test_teacher_upload_fix_save_class_assign_and_student_studies(page, browser, server, make_user):
    make_user("teacher@example.com", role="teacher", name="Ms Teach")
    make_user("student@example.com", name="Sam")
    log_in(page, "teacher@example.com")
    page.get_by_role("link", name="Teach", exact=True).click()
    page.get_by_role("link", name="Upload a question set").click()
    page.get_by_label("Question file").set_input_files(
        {"name": "history.gift", "mimeType": "text/plain", "buffer": GIFT.encode()})
    page.get_by_role("button", name="Check the file").click()

    # Checking runs in the background; the page follows its progress and then shows the result.
    expect(page.get_by_role("heading", name="2 errors to fix")).to_be_visible()
    issues = page.locator(".issue-error")
    expect(issues).to_have_count(2)
    expect(issues.nth(0)).to_contain_text("line 4")
    expect(issues.nth(0)).to_contain_text("19x49")
    expect(issues.nth(1)).to_contain_text("line 8")
    expect(issues.nth(1)).to_contain_text("no right answer")
    expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)
    assert serious_violations(page) == []
    screenshot(page, "teach-upload-errors")

    # Fix both in the page and check again.
    editor = page.get_by_label(re.compile("The file's text"))
    text = editor.input_value()
    editor.fill(text.replace("#19x49", "#1949").replace("~Chiang Kai-shek", "=Chiang Kai-shek"))
    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_role("heading", name="No errors")).to_be_visible()
    expect(page.locator(".preview-item")).to_have_count(4)
    screenshot(page, "teach-upload-fixed")
    page.get_by_role("button", name="Save 4 questions").click()
    expect(page.get_by_role("heading", name="history", exact=False)).to_be_visible()
    expect(page.get_by_text("4 added")).to_be_visible()

    # A class, and the bank assigned to it.
    page.get_by_role("link", name="Teach", exact=True).click()
    page.get_by_role("link", name="New class").click()
    page.get_by_label("Class name").fill("History 9B")
    page.get_by_role("button", name="Create class").click()
    code = page.get_by_test_id("join-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    page.get_by_label("Bank", exact=True).select_option(label="history")
    page.get_by_label("Due date (optional)").fill("2030-06-01")
    page.get_by_role("button", name="Assign bank").click()
    expect(page.get_by_text("Assigned history to History 9B.")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "teach-class")

    # The student joins with the code and studies a question of the bank.
    context = browser.new_context(base_url=server, viewport={"width": 390, "height": 800})
    student = context.new_page()
    log_in(student, "student@example.com")
    student.goto("/join")
    student.get_by_label("Class code").fill(code.lower())
    student.get_by_role("button", name="Join").click()
    expect(student.get_by_text("You joined History 9B.")).to_be_visible()
    student.goto("/")
    expect(student.get_by_text("from History 9B, due 2030-06-01")).to_be_visible()
    student.locator(".bank", has_text="from History 9B").get_by_role("link", name=re.compile("Study this bank")).click()
    prompts = ("Where did Mao travel", "PRC proclaimed", "treaty was signed", "led the KMT")
    card = student.locator("#prompt").inner_text()
    assert any(p in card for p in prompts), card
    screenshot(student, "teach-student-studies")
    student.keyboard.press("1")
    student.keyboard.press("Enter")
    expect(student.locator(".verdict")).to_be_visible()
    context.close()

    # The teacher sees the student on the roster.
    page.reload()
    expect(page.get_by_role("heading", name="Students (1)")).to_be_visible()
    expect(page.get_by_text("student@example.com")).to_be_visible()
