"""The feedback page of each of the nine question types, some answered wrong, as a learner sees it at
1280 and 390 px in light and dark: item by item where an answer has items, axe clean, never wider
than a 360 px phone. Screenshots go to /tmp/shots/feedback/ (looked at by hand). Also: keyboard hints
appear only once a key is pressed, and "?" opens the list of shortcuts."""
from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import serious_violations
from tests.factories import make_bank

SHOTS = Path("/tmp/shots/feedback")

QUESTIONS = [
    {"id": "mc", "type": "multiple_choice", "prompt": "Where did Mao travel in December 1949?",
     "choices": ["Moscow", "Beijing", "Warsaw", "Yalta"], "answer": "Moscow",
     "explanation": "Mao's first trip abroad.", "source": "doc", "evidence": "Mao went to Moscow in 1949."},
    {"id": "ms", "type": "multiple_select", "prompt": "Which were communist states in 1950?",
     "choices": ["USSR", "PRC", "USA", "UK"], "answers": ["USSR", "PRC"]},
    {"id": "tf", "type": "true_false", "prompt": "The treaty was signed in 1950.", "answer": True},
    {"id": "sa", "type": "short_answer", "prompt": "Who led the KMT?", "answers": ["Chiang Kai-shek", "Chiang"]},
    {"id": "num", "type": "numeric", "prompt": "When was the PRC proclaimed?", "answer": 1949},
    {"id": "cz", "type": "cloze", "text": "{{c1::Mao}} met {{c1::Stalin}} in {{c1::Moscow}} in 1949."},
    {"id": "ord", "type": "ordering", "prompt": "Put in order, earliest first",
     "items": ["Long March", "Civil war ends", "Treaty of friendship"]},
    {"id": "mt", "type": "matching", "prompt": "Match each leader to his state",
     "pairs": [["Mao", "PRC"], ["Stalin", "USSR"], ["Truman", "USA"]]},
    {"id": "fc", "type": "flashcard", "front": "Sino-Soviet split", "back": "The break of the 1960s"},
]

# What the learner answers (form fields beyond the card's own), and what the feedback must show.
ANSWERS = {
    "mc": ([("answer", "Beijing")], ["✗ Not quite", "Beijing", "Moscow"]),
    "ms": ([("answer", "USSR"), ("answer", "USA")], ["picked", "not picked"]),
    "tf": ([("answer", "true")], ["✓ Right"]),
    "sa": ([("answer", "Chiang Kai-shk")], ["Difference", "Chiang Kai-shek", "also accepted: Chiang"]),
    "num": ([("answer", "1,950")], ["read as 1950", "1949"]),
    "cz": ([("answer", "Mao"), ("answer", "Lenin"), ("answer", "Moscow")], ["Blank 2", "Lenin", "Stalin"]),
    "ord": ([("item-0", "Long March"), ("position-0", "2"), ("item-1", "Civil war ends"), ("position-1", "1"),
             ("item-2", "Treaty of friendship"), ("position-2", "3")], ["Long March", "Civil war ends"]),
    "mt": ([("match-0", "PRC"), ("match-1", "USA"), ("match-2", "USSR")], ["Stalin", "USA", "USSR"]),
    "fc": ([("rating", "1")], ["✗ Forgotten", "The break of the 1960s", "Rated Again"]),
}
# Rows of the item-by-item table, as (mark, item) for the types that have one.
ROWS = {
    "ms": [("✓", "USSR"), ("✗", "PRC"), ("✗", "USA"), ("✓", "UK")],
    "cz": [("✓", "Blank 1"), ("✗", "Blank 2"), ("✓", "Blank 3")],
    "ord": [("✗", "1."), ("✗", "2."), ("✓", "3.")],
    "mt": [("✓", "Mao"), ("✗", "Stalin"), ("✗", "Truman")],
}


DARK_AXE = ("ms", "sa", "ord", "tf", "fc")


def new_context(browser, server, width: int, scheme: str, state=None):
    context = browser.new_context(base_url=server, viewport={"width": width, "height": 900},
                                  color_scheme=scheme, storage_state=state)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, page, errors


def answer_all(page, app) -> dict[str, str]:
    """Posts one answer to each question as the signed-in learner; the feedback page of each."""
    from sqlalchemy import select

    from quizapp.models import Question

    with app.app_context():
        ids = dict(db.session.execute(select(Question.key, Question.id)).all())
        db.session.remove()
    page.goto("/study")
    hidden = {name: page.locator(f"input[name='{name}']").first.get_attribute("value")
              for name in ("csrf_token", "owner", "shown_at")}
    urls = {}
    for key, (fields, _) in ANSWERS.items():
        body = [*hidden.items(), ("question_id", str(ids[key])), ("ordinal", "1" if key == "cz" else "0"),
                ("client_id", str(uuid.uuid4())), ("duration_ms", "9000"), *fields]
        response = page.request.post("/study/answer", data=urlencode(body),
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.ok, (key, response.status, response.text()[:300])
        urls[key] = response.url
    # A rated flashcard goes back to /study; its answer is the last one posted, right after the matching.
    number = int(urls["mt"].rsplit("/", 1)[1]) + 1
    urls["fc"] = urls["mt"].rsplit("/", 1)[0] + f"/{number}"
    return urls


@pytest.fixture
def learner(app, make_user):
    with app.app_context():
        make_bank(questions=QUESTIONS)
        db.session.remove()
    make_user(email="student@example.com")


def test_feedback_of_every_type_at_two_widths_in_light_and_dark(browser, server, app, learner):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page, errors = new_context(browser, server, 1280, "light")
    page.goto("/login")
    page.get_by_label("Email").fill("student@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()  # by mouse: no key pressed yet
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # Keyboard hints: none until a key is pressed; "?" lists the shortcuts; Esc closes; focus returns.
    page.goto("/study")
    check = page.locator("form.answer-form button[type=submit], #reveal").first
    expect(check.locator("kbd")).to_be_hidden()
    check.focus()
    page.keyboard.press("Escape")  # any key but Tab and Shift shows that a keyboard is in use
    expect(check.locator("kbd")).to_be_visible()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("cell", name="Undo your last answer")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(check).to_be_focused()  # focus is back where it was
    page.evaluate("document.body.dispatchEvent(new PointerEvent('pointerdown', {pointerType: 'touch', bubbles: true}))")
    expect(check.locator("kbd")).to_be_hidden()  # a touch screen: no key hints
    page.keyboard.press("Escape")

    urls = answer_all(page, app)
    state = context.storage_state()

    # What each page says, checked once (light, 1280).
    for key, (_, shown) in ANSWERS.items():
        page.goto(urls[key])
        text = page.locator("article.feedback").inner_text()
        for part in shown:
            assert part in text, (key, part)
        if key in ROWS:
            rows = page.locator(".review-table tbody tr")
            got = [(r.locator("td").first.inner_text().strip(), r.locator("th").inner_text().strip())
                   for r in rows.all()]
            assert got == ROWS[key], key
    context.close()
    assert errors == []

    found: dict[str, list[str]] = {}
    for width, scheme in [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]:
        context, page, errors = new_context(browser, server, width, scheme, state)
        for key, url in urls.items():
            page.goto(url)
            page.screenshot(path=str(SHOTS / f"{key}-{width}-{scheme}.png"), full_page=True)
            # axe on every type in light; in dark on one page of each look (a table and a wrong verdict,
            # a typed difference, a partial and a right verdict, the rating buttons).
            if (width, scheme) == (390, "light") or ((width, scheme) == (1280, "dark") and key in DARK_AXE):
                found[f"{key} {width} {scheme}"] = serious_violations(page)
            if width == 390:
                page.set_viewport_size({"width": 360, "height": 900})
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, (key, scheme)
                page.set_viewport_size({"width": 390, "height": 900})
        context.close()
        assert errors == [], (width, scheme, errors)
    assert {k: v for k, v in found.items() if v} == {}
