"""The answer flow's awkward paths in a real browser: undo from an older feedback page, two tabs, an
empty answer, and an answer sent after the session ended. Each checks the page and the database."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card, Question, ReviewLog
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, serious_violations
from tests.factories import QUESTIONS, make_bank

EMAIL = "student@example.com"
BY_ID = {q["id"]: q for q in QUESTIONS}
CAPITAL, TF, WHO = BY_ID["capital"], BY_ID["tf"], BY_ID["who"]  # multiple choice, true/false, short answer
UNDO = re.compile("^Undo this answer")


def start(page, app, make_user, *questions: dict) -> None:
    """A bank of ``questions`` (studied in this order: all new), a student, logged in."""
    with app.app_context():
        make_bank(questions=list(questions))
        db.session.remove()
    make_user(email=EMAIL)
    page.goto("/login")
    fill_login(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def fill_login(page) -> None:
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def logs(app) -> list[tuple[str, object]]:
    """Every recorded answer, oldest first: (the question's id in the bank, the answer)."""
    with app.app_context():
        rows = db.session.execute(
            select(Question.key, ReviewLog.answer)
            .join(Card, Card.id == ReviewLog.card_id).join(Question, Question.id == Card.question_id)
            .order_by(ReviewLog.id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def log_ids(app) -> list[int]:
    with app.app_context():
        ids = list(db.session.scalars(select(ReviewLog.id).order_by(ReviewLog.id)))
        db.session.remove()
    return ids


def expect_card(page, question: dict) -> None:
    expect(page.locator("#prompt")).to_have_text(question["prompt"])


def check_answer(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Check answer")).click()


def test_undo_only_from_the_latest_feedback_page(page, app, make_user):
    start(page, app, make_user, CAPITAL, TF)
    page.goto("/study")
    expect_card(page, CAPITAL)
    page.get_by_label("Moscow").check()
    check_answer(page)
    expect(page.locator(".verdict")).to_have_text("✓ Right")
    url_a = page.url
    assert re.search(r"/study/answered/\d+$", url_a), url_a
    expect(page.get_by_role("button", name=UNDO)).to_be_visible()  # A is the latest answer for now
    page.locator("#continue").click()
    expect_card(page, TF)
    page.get_by_label("True").check()
    check_answer(page)
    expect(page.locator(".verdict")).to_have_text("✓ Right")
    url_b = page.url
    assert url_b != url_a
    [log_a, log_b] = log_ids(app)
    assert url_a.endswith(f"/{log_a}") and url_b.endswith(f"/{log_b}")

    # Back in history to A's feedback: no undo there any more (B is the latest answer).
    page.go_back()
    page.go_back()
    assert page.url == url_a
    expect(page.locator(".prompt-recap")).to_have_text(CAPITAL["prompt"])
    expect(page.locator(".answer-recap")).to_contain_text("Moscow")
    expect(page.get_by_role("button", name=UNDO)).to_have_count(0)
    expect(page.locator("form[action$='/study/undo']")).to_have_count(0)
    screenshot(page, "answer-flow-older-feedback-no-undo")

    # Even a hand-made undo of A (with a valid form token) is refused by the server.
    page.evaluate("""logId => {
        const f = document.createElement('form');
        f.method = 'post'; f.action = '/study/undo';
        const token = document.querySelector("input[name=csrf_token]").value;
        for (const [k, v] of [['csrf_token', token], ['log_id', String(logId)]]) {
            const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
        }
        document.body.appendChild(f); f.submit();
    }""", log_a)
    expect(page.get_by_text("Only your latest answer can be taken back; this one is older.")).to_be_visible()
    assert log_ids(app) == [log_a, log_b]

    # On B's page, undo takes back B only.
    page.goto(url_b)
    screenshot(page, "answer-flow-latest-feedback-with-undo")
    page.get_by_role("button", name=UNDO).click()
    expect(page.get_by_text("Your last answer was taken back.")).to_be_visible()
    expect_card(page, TF)  # B is shown again to answer
    screenshot(page, "answer-flow-after-undo")
    assert log_ids(app) == [log_a]
    assert logs(app) == [("capital", "Moscow")]


def test_second_tab_answer_to_the_same_card_is_not_recorded(page, app, make_user):
    start(page, app, make_user, CAPITAL, TF)
    tab1 = page
    tab2 = page.context.new_page()
    tab1.goto("/study")
    tab2.goto("/study")
    expect_card(tab1, CAPITAL)
    expect_card(tab2, CAPITAL)

    tab1.get_by_label("Moscow").check()
    check_answer(tab1)
    expect(tab1.locator(".verdict")).to_have_text("✓ Right")

    tab2.get_by_label("Beijing").check()
    check_answer(tab2)
    assert tab2.url.endswith("/study"), tab2.url
    expect(tab2.get_by_text(re.compile(
        r"^This card was already answered \(in another tab or window\), so this answer was not recorded\. "
        r"Here is the next card\.$"))).to_be_visible()
    expect_card(tab2, TF)
    screenshot(tab2, "answer-flow-second-tab-refused")
    assert logs(app) == [("capital", "Moscow")]


def test_empty_answers_are_refused_and_announced(page, app, make_user):
    start(page, app, make_user, WHO, CAPITAL)
    page.goto("/study")
    expect_card(page, WHO)
    box = page.get_by_label("Your answer")
    expect(box).to_be_focused()
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))")

    # Enter on the empty text box: the server is asked, and refuses.
    with page.expect_response(lambda r: r.url.endswith("/study/answer")) as sent:
        box.press("Enter")
    assert sent.value.status == 400
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Type or choose an answer first: an empty answer is not recorded.")
    expect_card(page, WHO)
    expect(alert).to_be_focused()  # read out first; Tab leads on to the answer box
    box = page.get_by_label("Your answer")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_attribute("aria-describedby", "answer-error")
    expect(page.get_by_text("Bad request")).to_have_count(0)
    screenshot(page, "answer-flow-empty-typed-answer")
    assert serious_violations(page) == []
    assert logs(app) == []

    # Spaces only are no answer either.
    box.fill("   ")
    with page.expect_response(lambda r: r.url.endswith("/study/answer")) as sent:
        box.press("Enter")
    assert sent.value.status == 400
    expect(page.get_by_role("alert")).to_contain_text("Type or choose an answer first")
    assert logs(app) == []

    # The refused card can then be answered as usual.
    page.get_by_label("Your answer").fill("Chiang")
    with page.expect_navigation():
        page.get_by_label("Your answer").press("Enter")
    expect(page.locator(".verdict")).to_have_text("✓ Right")
    page.locator("#continue").click()

    # A choice card with nothing chosen.
    expect_card(page, CAPITAL)
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))")
    with page.expect_response(lambda r: r.url.endswith("/study/answer")) as sent:
        page.get_by_role("button", name=re.compile("^Check answer")).click()
    assert sent.value.status == 400
    expect(page.get_by_role("alert")).to_have_text("Type or choose an answer first: an empty answer is not recorded.")
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.locator("fieldset.choices")).to_have_attribute("aria-describedby", "answer-error")
    expect_card(page, CAPITAL)
    expect(page.locator("input[name=answer]:checked")).to_have_count(0)
    screenshot(page, "answer-flow-empty-choice")
    assert serious_violations(page) == []
    assert logs(app) == [("who", "Chiang")]


@pytest.mark.parametrize("how", ["cookies-cleared", "logged-out-in-another-tab"])
def test_answer_sent_after_the_session_ended_is_kept_and_recorded_on_request(page, app, make_user, how):
    start(page, app, make_user, WHO, CAPITAL)
    page.goto("/study")
    expect_card(page, WHO)
    page.get_by_label("Your answer").fill("Chiang Kai-shek")

    if how == "cookies-cleared":
        page.context.clear_cookies()
    else:
        other = page.context.new_page()
        other.goto("/")
        other.get_by_role("button", name="Log out").click()
        expect(other.get_by_text("You have logged out.")).to_be_visible()
        other.close()

    with page.expect_navigation():
        page.get_by_label("Your answer").press("Enter")
    assert re.search(r"/login\?next=(/|%2F)study(/|%2F)pending$", page.url), page.url
    expect(page.get_by_text(re.compile(
        r"Your session had ended\. Log in and your answer will be shown back to you\. "
        r"Your answer was not recorded yet: it is kept until you confirm it\."))).to_be_visible()
    expect(page.get_by_text("Bad request")).to_have_count(0)
    screenshot(page, f"answer-flow-session-ended-login-{how}")
    assert logs(app) == []

    fill_login(page)
    expect(page.get_by_role("heading", name="Your answer, sent while you were signed out")).to_be_visible()
    assert page.url.endswith("/study/pending"), page.url
    expect(page.locator(".prompt-recap")).to_have_text(WHO["prompt"])
    expect(page.locator(".answer-recap dd")).to_have_text("Chiang Kai-shek")
    record = page.get_by_role("button", name="Record this answer")
    expect(record).to_be_focused()
    expect(page.get_by_role("button", name="Discard it")).to_be_visible()
    screenshot(page, f"answer-flow-pending-answer-{how}")
    assert serious_violations(page) == []
    assert logs(app) == []  # shown back, not yet recorded

    record.click()
    expect(page.locator(".verdict")).to_have_text("✓ Right")
    expect(page.locator(".answer-recap")).to_contain_text("Chiang Kai-shek")
    screenshot(page, f"answer-flow-pending-recorded-{how}")
    assert logs(app) == [("who", "Chiang Kai-shek")]
    # The kept answer is gone from the session: the pending page now leads on to studying.
    page.goto("/study/pending")
    assert page.url.endswith("/study"), page.url
    assert logs(app) == [("who", "Chiang Kai-shek")]
