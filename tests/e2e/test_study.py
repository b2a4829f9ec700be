"""A student studies by keyboard alone, undoes an answer, and takes a quiz, in a real browser."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, serious_violations
from tests.factories import make_bank


@pytest.fixture
def student_page(page, app, make_user):
    with app.app_context():
        make_bank()
        db.session.remove()
    make_user(email="student@example.com")
    page.goto("/login")
    page.get_by_label("Email").fill("student@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


def counts(page) -> tuple[int, int, int]:
    text = page.locator(".counts").inner_text()
    return tuple(int(n) for n in re.findall(r"(\d+) (?:new|learning|due)", text))  # type: ignore[return-value]


def answer_by_keyboard(page, kind: str) -> None:
    """Answers the card on screen with keys only (what a keyboard user would press)."""
    kb = page.keyboard
    if kind in ("multiple_choice", "true_false"):
        kb.press("1")
        kb.press("Enter")
    elif kind == "multiple_select":
        kb.press("1")
        kb.press("2")
        kb.press("Enter")
    elif kind == "short_answer":
        kb.type("chiang")
        kb.press("Enter")
    elif kind == "numeric":
        kb.type("1949")
        kb.press("Enter")
    elif kind == "cloze":
        kb.type("Mao")
        kb.press("Enter")
    elif kind == "ordering":
        page.locator("select.position").first.focus()
        kb.press("Alt+ArrowDown")
        kb.press("Enter")
    elif kind == "matching":
        page.locator("#match-0").focus()
        kb.press("ArrowDown")
        kb.press("Enter")
    elif kind == "flashcard":
        page.locator("body").focus()
        kb.press("Space")
        expect(page.locator("#flashcard-back")).to_be_visible()
        with page.expect_navigation():
            kb.press("3")
        return
    expect(page.locator(".verdict")).to_be_visible()
    with page.expect_navigation():
        kb.press("Enter")  # Continue


def test_student_studies_ten_cards_by_keyboard_undoes_one_and_sees_counts_change(student_page):
    page = student_page
    page.goto("/study")
    start = counts(page)
    assert start == (9, 0, 0)
    seen = []
    for n in range(9):
        expect(page.locator(".study-card")).to_be_visible()
        kind = page.locator(".study-card").get_attribute("data-type")
        if kind not in seen:
            screenshot(page, f"study-{kind}")
        seen.append(kind)
        answer_by_keyboard(page, kind)
        new, learning, due = counts(page)
        assert new == start[0] - (n + 1), "each new card answered leaves one fewer new"
    assert set(seen) == {"multiple_choice", "multiple_select", "true_false", "short_answer", "numeric", "cloze",
                         "ordering", "matching", "flashcard"}
    before_undo = counts(page)
    page.locator("body").focus()
    page.keyboard.press("u")  # take back the ninth answer
    expect(page.get_by_text("Your last answer was taken back.")).to_be_visible()
    after_undo = counts(page)
    assert after_undo[0] == before_undo[0] + 1, (before_undo, after_undo)
    # The tenth answer: the card that was taken back is shown again.
    kind = page.locator(".study-card").get_attribute("data-type")
    assert kind == seen[-1]
    answer_by_keyboard(page, kind)
    assert counts(page)[0] == before_undo[0]

def test_feedback_shows_right_answer_explanation_and_source(student_page):
    page = student_page
    page.goto("/study")
    page.get_by_label("Warsaw").check()
    page.get_by_role("button", name="Check answer").click()
    expect(page.get_by_role("heading", name="✗ Not quite")).to_be_visible()
    recap = page.locator(".answer-recap")
    expect(recap).to_contain_text("Warsaw")
    expect(recap).to_contain_text("Moscow")
    expect(page.locator(".explanation")).to_contain_text("Mao's first trip abroad.")
    expect(page.locator(".source")).to_contain_text("A document")
    expect(page.locator(".source blockquote")).to_have_text("Mao went to Moscow in 1949.")
    expect(page.get_by_role("button", name=re.compile("^Again"))).to_have_attribute("aria-pressed", "true")
    screenshot(page, "study-feedback")
    assert serious_violations(page) == []
    page.get_by_role("button", name=re.compile("^Hard")).click()
    expect(page.get_by_text("Rated Hard.")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_study_pages_are_accessible_and_fit_a_phone(student_page, scheme):
    page = student_page
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 360, "height": 740})
    found = {}
    for path in ["/study", "/study?reveal=1", "/study/settings", "/study/leeches", "/quiz"]:
        page.goto(path)
        found[path] = serious_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
    screenshot(page, f"phone-{scheme}-quiz-start")
    assert {p: v for p, v in found.items() if v} == {}


# Gives the form some well-formed answer: the first choice, a number or a word in each box, the first
# right side for each left (an ordering's positions start filled in).
FILL_ANY_ANSWER = """f => {
  const choice = f.querySelector('input[type=radio][name=answer], input[type=checkbox][name=answer]');
  if (choice) { choice.checked = true; return; }
  for (const box of f.querySelectorAll('input[type=text][name=answer]')) {
    box.value = box.inputMode === 'decimal' ? '1949' : 'Moscow';
  }
  for (const select of f.querySelectorAll('select[name^=match-]')) { select.selectedIndex = 1; }
}"""


def test_quiz_of_ten_questions_shows_score_and_review(student_page):
    page = student_page
    page.goto("/quiz")
    page.get_by_label("Number of questions").fill("10")
    page.get_by_role("button", name="Start quiz").click()
    answered = 0
    while page.get_by_text(re.compile(r"Question \d+ of \d+")).count():
        has_input = "f => f.querySelector('[name=answer],select,input.blank') !== null"
        assert page.locator(".study-card form").evaluate(has_input)
        page.locator(".study-card form").evaluate(FILL_ANY_ANSWER)  # an empty answer is refused
        with page.expect_navigation():
            page.locator("form.answer-form button[type=submit]").click()
        answered += 1
        assert answered <= 10
    # Flashcards are self-rated, so a quiz draws only the 8 auto-graded questions of this bank.
    assert answered == 8
    expect(page.locator("#score-heading")).to_contain_text(re.compile(r"Score: [0-9.]+ / 8"))
    expect(page.locator(".quiz-review > li")).to_have_count(8)
    screenshot(page, "quiz-result")
    assert serious_violations(page) == []
