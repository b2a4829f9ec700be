"""Housekeeping in a real browser (issue 18): a teacher renames, retires and restores a bank and
renames, archives and restores a class; a visitor follows a class link, registers, joins and later
leaves the class; the question editor's document source and quote check."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Document, User
from quizapp.models.types import utcnow
from quizapp.services import classes
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in, serious_violations
from tests.factories import make_bank

QUESTIONS = [{"id": "sum", "type": "short_answer", "prompt": "What is two plus two?", "answers": ["4"]}]


@pytest.fixture
def teacher_bank_class(app, make_user):
    """Ada's bank "Algebra basics" (with the document notes.txt) assigned to her class "Maths 7"."""
    teacher = make_user("ada@example.com", role="teacher", name="Ada")
    with app.app_context():
        owner = db.session.get(User, teacher)
        make_bank("algebra", QUESTIONS, title="Algebra basics", builtin=False, owner=owner,
                  bank_fields={"sources": {}})
        bank = db.session.scalar(select(Bank).where(Bank.slug == "algebra"))
        db.session.add(Document(bank_id=bank.id, name="notes.txt", text="Two plus two makes four, as ever."))
        db.session.commit()
        classroom = classes.create(owner, "Maths 7", utcnow())
        classes.assign(owner, classroom, bank.id, None, utcnow())
        return classroom.id, classroom.join_code


def test_a_teacher_renames_retires_and_restores_a_bank_and_a_class(page, teacher_bank_class):
    class_id, _ = teacher_bank_class
    log_in(page, "ada@example.com")
    page.goto("/teach/banks/algebra")
    page.get_by_label("Title", exact=True).fill("Algebra, year 7")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("heading", name="Algebra, year 7", level=1)).to_be_visible()
    page.get_by_role("button", name="Retire this bank").click()
    expect(page.locator("#retired-notice")).to_contain_text("students do not see it")
    page.goto("/teach/")
    expect(page.locator("#retired-banks")).to_contain_text("Algebra, year 7")
    page.locator("#retired-banks").get_by_role("link", name="Algebra, year 7").click()
    page.get_by_role("button", name="Restore this bank").click()
    expect(page.get_by_text("Restored Algebra, year 7")).to_be_visible()
    expect(page.locator("#retired-notice")).to_have_count(0)

    page.goto(f"/teach/classes/{class_id}")
    page.get_by_label("Class name").fill("Maths 7B")
    page.get_by_role("button", name="Rename class").click()
    expect(page.get_by_role("heading", name="Maths 7B", level=1)).to_be_visible()
    page.get_by_role("button", name="Archive this class").click()
    expect(page.locator("#archived-notice")).to_contain_text("read-only")
    expect(page.get_by_role("button", name="Assign bank")).to_have_count(0)
    assert serious_violations(page) == []
    page.get_by_role("button", name="Restore this class").click()
    expect(page.get_by_role("button", name="Assign bank")).to_have_count(0)  # every bank assigned already
    expect(page.get_by_test_id("join-code")).to_be_visible()
    expect(page.locator("#archived-notice")).to_have_count(0)


def test_a_visitor_follows_a_class_link_registers_joins_and_later_leaves(page, teacher_bank_class):
    _, code = teacher_bank_class
    page.goto(f"/join/{code}")
    expect(page.get_by_text("you will join the class at once")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Your name").fill("Nia")
    page.get_by_label("Email").fill("nia@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("You joined Maths 7.")).to_be_visible()
    expect(page.get_by_text("Algebra basics").first).to_be_visible()

    page.goto("/join")
    classes_list = page.locator("#my-classes")
    expect(classes_list).to_contain_text("Maths 7")
    classes_list.get_by_role("button", name="Leave Maths 7").click()
    expect(page.get_by_text("You left Maths 7.")).to_be_visible()
    expect(page.locator("#my-classes")).to_have_count(0)
    page.goto("/")
    expect(page.get_by_text("Algebra basics")).to_have_count(0)


def test_the_editor_picks_an_uploaded_document_and_checks_quotes_before_saving(page, teacher_bank_class):
    log_in(page, "ada@example.com")
    page.goto("/teach/banks/algebra/questions/sum/edit")
    page.get_by_label("Source document").select_option(label="notes.txt (uploaded document)")
    page.get_by_label("Evidence quotes").fill("Two plus two makes five")
    page.get_by_role("button", name="Save question").click()
    warnings = page.locator("#edit-warnings")
    expect(warnings).to_contain_text("Evidence not found verbatim in notes.txt")
    expect(page.get_by_role("button", name="Save anyway")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Evidence quotes").fill("Two plus two makes four")
    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_text("Saved question sum.")).to_be_visible()
    page.goto("/teach/banks/algebra/questions/sum/edit")
    expect(page.get_by_label("Source document")).to_have_value("notes")
    expect(page.get_by_label("Evidence quotes")).to_have_value(re.compile("Two plus two makes four"))
