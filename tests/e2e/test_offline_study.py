"""Studying offline in a real browser (issue 22): the service worker opens the app without a
connection, answers wait in IndexedDB, and the sync gives the server exactly those answers, once,
leaving every card as answering online at the same times would have.

Playwright's ``context.set_offline(True)`` cuts the page and its service worker off the network.
"""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Card, ReviewLog, User
from tests.e2e.conftest import ARGS, CHROMIUM, log_in, screenshot, serious_violations
from tests.factories import make_bank

# Sixteen questions of seven types (no cloze: its siblings wait a day, online and offline alike).
QUESTIONS = [
    *({"id": f"mc{i}", "type": "multiple_choice", "prompt": f"Which city is number {i}?",
       "choices": ["Moscow", "Beijing", "Warsaw", "Yalta"], "answer": ["Moscow", "Beijing", "Warsaw", "Yalta"][i % 4],
       "explanation": f"City {i} is explained.", "source": "doc", "evidence": "Mao went to Moscow in 1949."}
      for i in range(3)),
    *({"id": f"tf{i}", "type": "true_false", "prompt": f"Statement {i} is true.", "answer": i % 2 == 0}
      for i in range(2)),
    *({"id": f"sa{i}", "type": "short_answer", "prompt": f"Who led the KMT ({i})?",
       "answers": ["Chiang Kai-shek", "Chiang"]} for i in range(3)),
    *({"id": f"num{i}", "type": "numeric", "prompt": f"When was the PRC proclaimed ({i})?", "answer": 1949 + i}
      for i in range(2)),
    {"id": "members", "type": "multiple_select", "prompt": "Which were communist states in 1950?",
     "choices": ["USSR", "PRC", "USA", "UK"], "answers": ["USSR", "PRC"]},
    {"id": "match", "type": "matching", "prompt": "Match", "pairs": [["Mao", "PRC"], ["Stalin", "USSR"]]},
    {"id": "order", "type": "ordering", "prompt": "Put in order", "items": ["First", "Second", "Third"]},
    *({"id": f"fc{i}", "type": "flashcard", "front": f"Front {i}", "back": f"Back {i}"} for i in range(3)),
]
SCHEDULING = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")

# Reads the store of static/offline/store.js from inside the page.
PACK_CARDS = """async () => {
  const store = await import("/static/offline/store.js");
  const kept = await store.getPack();
  return kept ? kept.pack.cards.length : 0;
}"""
QUEUED = """async () => (await (await import("/static/offline/store.js")).queued()).length"""


@pytest.fixture
def bank(app):
    with app.app_context():
        make_bank("offline", QUESTIONS, title="Offline bank")
        db.session.remove()


def take_pack(page) -> int:
    """The online study page: the worker installed, the pack kept in IndexedDB."""
    page.goto("/study")
    expect(page.locator(".study-card")).to_be_visible()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(100):
        if cards := page.evaluate(PACK_CARDS):
            return cards
        page.wait_for_timeout(100)
    return 0


def answer_offline(page, n: int, audit: bool = False) -> tuple[str, int | None]:
    """Answers the card on the offline page as a learner would; returns its type and the rating
    chosen (None: the suggested one kept). Some answers are wrong; every fifth card's rating is
    changed to Hard on the feedback screen. ``audit``: axe-core on the card and on its feedback."""
    card = page.locator(".study-card:not(.feedback)")
    expect(card).to_be_visible()
    kind, key = card.get_attribute("data-type"), card.get_attribute("data-card")
    if audit:
        assert serious_violations(page) == []
    chosen = None
    if kind == "flashcard":
        page.get_by_role("button", name="Show answer").click()
        page.get_by_role("button", name="Good").click()
        chosen = 3
    elif kind in ("multiple_choice", "true_false") and n % 3 == 0:  # by keyboard alone
        page.keyboard.press("2")
        page.keyboard.press("Enter")  # checks the answer
        expect(page.locator(".verdict")).to_be_visible()
        expect(page.locator("#continue")).to_be_focused()
        page.keyboard.press("Enter")  # goes on with the suggested rating
    else:
        if kind in ("multiple_choice", "true_false"):
            card.locator("input[type=radio]").nth(n % 2).check()
        elif kind == "multiple_select":
            card.locator("input[type=checkbox]").nth(0).check()
            card.locator("input[type=checkbox]").nth(1).check()
        elif kind == "short_answer":
            card.get_by_role("textbox").first.fill("Chiang" if n % 3 else "Mao")
        elif kind == "numeric":
            card.get_by_role("textbox").first.fill("1949")
        elif kind == "matching":
            for select in card.locator("select").all():
                select.select_option(index=1)
        # ordering: the positions as shown
        card.get_by_role("button", name="Check answer").click()
        expect(page.locator(".verdict")).to_be_visible()
        expect(page.locator(".feedback .ratings button")).to_have_count(4)
        expect(page.locator("#continue")).to_be_focused()  # Enter goes on
        if audit:
            assert serious_violations(page) == []
        if n % 5 == 4:
            page.get_by_role("button", name="Hard").click()  # another rating than the suggested one
            chosen = 2
        else:
            page.get_by_role("button", name="Continue").click()
    # The next card (or the end) is on screen.
    expect(page.locator(f".study-card:not(.feedback):not([data-card='{key}'])").or_(
        page.get_by_text("All done for now"))).to_be_visible()
    return kind, chosen


def card_rows(user_id: int) -> dict[tuple[int, int], dict]:
    rows = db.session.scalars(select(Card).where(Card.user_id == user_id)).all()
    return {(c.question_id, c.ordinal): {name: getattr(c, name) for name in SCHEDULING} for c in rows}


def online_twin(app, monkeypatch, learner_id: int, email: str, make_user) -> int:
    """A second learner who gives the first learner's answers online (services.answers.record_answer,
    the online path), at the times the server logged for the first: the state answering online would
    have given. The fuzz is seeded by the learner's id: the twin takes the first learner's."""
    from quizapp.services import answers, cards

    twin_id = make_user(email=email)
    monkeypatch.setattr(answers, "fuzz_seed",
                        lambda _user, question, ordinal: cards.fuzz_seed(learner_id, question, ordinal))
    with app.app_context():
        twin = db.session.get(User, twin_id)
        logs = db.session.scalars(select(ReviewLog).where(ReviewLog.user_id == learner_id)
                                  .order_by(ReviewLog.reviewed_at, ReviewLog.id)).all()
        for log in logs:
            card = db.session.get(Card, log.card_id)
            answers.record_answer(twin, card.question_id, card.ordinal, log.answer, f"twin-{log.client_id}",
                                  now=log.reviewed_at, duration_ms=log.duration_ms, rating=log.rating)
        db.session.remove()
    return twin_id


def sent_answers(page) -> list[dict]:
    """Every answer the page sends to the sync endpoint, as sent."""
    sent: list[dict] = []
    page.on("request", lambda r: sent.extend(json.loads(r.post_data)["answers"])
            if r.method == "POST" and r.url.endswith("/study/offline/sync") else None)
    return sent


def test_fifteen_answers_offline_then_synced_once_each_as_online(page, app, bank, make_user, monkeypatch):
    uid = make_user(email="student@example.com")
    log_in(page, "student@example.com")
    assert take_pack(page) == len(QUESTIONS)
    sent = sent_answers(page)

    page.context.set_offline(True)
    page.goto("/study")  # the worker answers with the offline study page
    expect(page.get_by_role("heading", name="Study offline")).to_be_visible()
    expect(page.locator("#connection")).to_contain_text("Offline")
    given = [answer_offline(page, n, audit=n == 1) for n in range(8)]
    expect(page.get_by_role("status").filter(has_text="8 answers waiting to sync")).to_be_visible()

    page.reload()  # still offline: the app opens from the worker's cache, the queue is kept
    expect(page.get_by_role("heading", name="Study offline")).to_be_visible()
    expect(page.locator("#sync-status")).to_have_text("8 answers waiting to sync.")
    given += [answer_offline(page, n) for n in range(8, 15)]
    expect(page.locator("#sync-status")).to_have_text("15 answers waiting to sync.")
    assert {"multiple_choice", "true_false", "short_answer", "numeric", "flashcard"} <= {kind for kind, _ in given}
    page.goto("/quiz")  # quizzes stay online
    expect(page.get_by_role("heading", name="Quizzes need a connection")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ReviewLog)) == 0  # nothing left the device
    page.go_back()
    expect(page.locator("#sync-status")).to_have_text("15 answers waiting to sync.")

    page.context.set_offline(False)  # back online: the queue goes, in order
    expect(page.locator("#sync-status")).to_have_text("All answers synced.")
    assert page.evaluate(QUEUED) == 0

    # The worker kept the app shell and nothing else: no quiz, no pack, no answer, no other page.
    cached = page.evaluate("""async () => {
      const urls = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) { urls.push(new URL(request.url).pathname); }
      }
      return urls;
    }""")
    assert "/study/offline" in cached and "/static/offline/app.js" in cached
    assert [url for url in cached if not url.startswith("/static/") and url != "/study/offline"] == []

    sent = list(sent)  # the page's own sends (the resend below is not one)
    assert len(sent) == 15 and len({a["client_id"] for a in sent}) == 15
    assert [a["answered_at"] for a in sent] == sorted(a["answered_at"] for a in sent)
    # The same batch again (a lost reply): every answer a duplicate, nothing new.
    again = page.evaluate("""async (answers) => {
      const token = (await (await fetch("/study/offline/token")).json()).csrf_token;
      const r = await fetch("/study/offline/sync", {method: "POST", body: JSON.stringify({answers}),
        headers: {"Content-Type": "application/json", "X-CSRFToken": token}});
      return (await r.json()).results.map((x) => x.status);
    }""", sent)
    assert again == ["duplicate"] * 15
    with app.app_context():
        logs = db.session.scalars(select(ReviewLog).where(ReviewLog.user_id == uid)).all()
        assert sorted(log.client_id for log in logs) == sorted(a["client_id"] for a in sent)
        at = {a["client_id"]: datetime.fromisoformat(a["answered_at"]) for a in sent}
        assert all(log.reviewed_at == at[log.client_id] for log in logs)  # at the time given
        rating = {log.client_id: log.rating for log in logs}
        for answer, (_kind, chosen) in zip(sent, given, strict=True):  # sent in the order given
            assert answer["rating"] == chosen
            if chosen:
                assert rating[answer["client_id"]] == chosen
        db.session.remove()

    twin = online_twin(app, monkeypatch, uid, "twin@example.com", make_user)
    with app.app_context():
        offline, online = card_rows(uid), card_rows(twin)
        assert len(offline) == 15
        assert offline == online


def test_two_devices_answer_the_same_cards_offline_applied_once_in_time_order(browser, server, app, bank, make_user,
                                                                               monkeypatch):
    uid = make_user(email="student@example.com")
    devices = []
    errors: list[str] = []
    for _ in range(2):
        context = browser.new_context(base_url=server, viewport={"width": 1000, "height": 800})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        log_in(page, "student@example.com")
        page.set_viewport_size({"width": 390, "height": 844})  # then a phone's width
        take_pack(page)
        context.set_offline(True)
        page.goto("/study")
        expect(page.get_by_role("heading", name="Study offline")).to_be_visible()
        devices.append(page)
    phone, laptop = devices
    sent = {"phone": sent_answers(phone), "laptop": sent_answers(laptop)}
    # The same three cards, first on the phone then on the laptop; both keep them.
    for n in range(3):
        answer_offline(phone, n)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(phone, "offline-study-390px")
    for n in range(3):
        answer_offline(laptop, n + 1)
    # The laptop syncs first (the later answers), then the phone (the earlier ones arrive late).
    laptop.context.set_offline(False)
    expect(laptop.locator("#sync-status")).to_have_text("All answers synced.")
    phone.context.set_offline(False)
    expect(phone.locator("#sync-status")).to_have_text("All answers synced.")
    for page in devices:
        page.context.close()
    assert errors == []

    assert len(sent["phone"]) == len(sent["laptop"]) == 3
    assert [(a["question_id"], a["ordinal"]) for a in sent["phone"]] == \
        [(a["question_id"], a["ordinal"]) for a in sent["laptop"]]  # the same cards
    with app.app_context():
        logs = db.session.scalars(select(ReviewLog).where(ReviewLog.user_id == uid)
                                  .order_by(ReviewLog.card_id, ReviewLog.reviewed_at)).all()
        assert len(logs) == 6 and len({log.client_id for log in logs}) == 6  # each once
        by_card: dict[int, list[ReviewLog]] = {}
        for log in logs:
            by_card.setdefault(log.card_id, []).append(log)
        phone_ids = {a["client_id"] for a in sent["phone"]}
        for history in by_card.values():  # phone first, then laptop: each answer follows the one before
            assert [log.client_id in phone_ids for log in history] == [True, False]
            assert history[1].state_before == history[0].state_after
        db.session.remove()
    twin = online_twin(app, monkeypatch, uid, "twin@example.com", make_user)
    with app.app_context():
        assert card_rows(uid) == card_rows(twin)


def test_chromium_finds_the_app_installable(browser, server, tmp_path):
    """Chromium's own installability check (what Lighthouse's PWA audits ran until Lighthouse 12
    dropped them): no errors. A profile on disk: a test context is incognito, never installable."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=ARGS, headless=True, base_url=server)
    try:
        page = context.new_page()
        page.goto("/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # a page the worker controls
        session = context.new_cdp_session(page)
        manifest = session.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert json.loads(manifest["data"])["start_url"] == "/study"
        assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()


def test_a_banks_own_learning_steps_are_on_the_buttons_offline_as_online(page, app, make_user):
    """The pack carries each bank's options: a flashcard of a bank with 30-minute and 2-hour learning
    steps offers the same intervals offline as online (not the learner's default 1 and 10 minutes)."""
    from quizapp.models import Bank
    from quizapp.services import bank_options

    make_user(email="steps@example.com")
    with app.app_context():
        make_bank("steps", [{"id": "fc", "type": "flashcard", "front": "Front", "back": "Back"}], title="Steps")
        learner = db.session.scalar(select(User).where(User.email == "steps@example.com"))
        bank_id = db.session.scalar(select(Bank.id).where(Bank.slug == "steps"))
        bank_options.save(learner, bank_id, bank_options.Options(learning_steps=(30, 120)))
        db.session.remove()
    log_in(page, "steps@example.com")
    page.goto(f"/study?bank={bank_id}")
    assert take_pack(page) >= 1
    page.get_by_role("button", name="Show answer").or_(page.get_by_role("link", name="Show answer")).click()
    online = [text.split()[:2] for text in page.locator("#rate-form button.rating").all_inner_texts()]
    assert online[0] == ["Again", "30m"] and online[2] == ["Good", "2h"], online

    page.context.set_offline(True)
    page.goto("/study")
    expect(page.get_by_role("heading", name="Study offline")).to_be_visible()
    expect(page.locator(".study-card")).to_have_attribute("data-type", "flashcard")
    page.get_by_role("button", name="Show answer").click()
    offline = [text.split()[:2] for text in page.locator(".study-card button.rating").all_inner_texts()]
    assert offline == online
