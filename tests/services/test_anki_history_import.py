"""An Anki deck's review history taken as the uploader's own progress (services/anki_history.py):
offered when saving an upload, replayed through the learner's scheduler to Anki's own FSRS state,
said in the save's notice either way, and never applied twice or over progress made here."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from quizapp.banks.anki_notes import guid_question_id
from quizapp.banks.apkg import parse_apkg
from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Bank, Card, ImportJob, Question, ReviewLog, User
from quizapp.services import answers, imports
from quizapp.services.anki_history import apply_history
from tests.banks.anki_support import Collection, add_note, export

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = 24 * 60
LEARN, REVIEW, RELEARN = 0, 1, 2
# (minutes after START, button, revlog type, interval, ease factor)
HELLO = [(0, 3, LEARN, -600, 0), (10, 3, LEARN, 1, 2500), (DAY + 5, 3, REVIEW, 3, 2500),
         (4 * DAY, 1, REVIEW, -600, 2300), (4 * DAY + 10, 3, RELEARN, 1, 2300), (6 * DAY, 4, REVIEW, 5, 2450)]
RIVER_BACK = [(0, 3, LEARN, 1, 2500), (2 * DAY, 3, REVIEW, 5, 2500)]


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """A package with history for two cards (one the reverse card of a note), and Anki's FSRS state of each."""
    root = tmp_path_factory.mktemp("deck")
    col = Collection(str(root / "c.anki2"))
    try:
        col.set_config("fsrs", True)
        hello = add_note(col, "Basic", "Chinese", Front="你好", Back="hello")
        river = add_note(col, "Basic (and reversed card)", "Chinese", Front="河", Back="river")
        add_note(col, "Basic", "Chinese", Front="水", Back="water")
        targets = {"hello": (hello.cards()[0].id, HELLO), "river": (river.cards()[1].id, RIVER_BACK)}
        for n, (card_id, rows) in enumerate(targets.values()):
            for i, (minutes, ease, kind, ivl, factor) in enumerate(rows):
                rid = int((START + timedelta(minutes=minutes)).timestamp() * 1000) + 100 * n + i
                col.db.execute("insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                               "values (?, ?, -1, ?, ?, 0, ?, 3000, ?)", rid, card_id, ease, ivl, factor, kind)
        anki = {key: col.compute_memory_state(card_id) for key, (card_id, _) in targets.items()}
        package = export(col, root / "chinese.apkg", with_scheduling=True)
        keys = {"hello": guid_question_id(hello.guid), "river": guid_question_id(river.guid)}
    finally:
        col.close()
    return package, anki, keys


@pytest.fixture
def teacher(app, make_user):
    return make_user("teacher@example.com", role="teacher")


def upload_and_save(app, owner_id: int, package: bytes, import_history: bool) -> ImportJob:
    with app.app_context():
        owner = db.session.get(User, owner_id)
        job = imports.start(owner, "chinese.apkg", package, {}, NOW)
        imports.run(app, job.id)
        db.session.expire_all()
        job = db.session.get(ImportJob, job.id)
        assert job.status == "checked" and imports.can_save(job), job.result.get("issues")
        assert job.result["history"] == {"cards": 2, "reviews": 8}  # the preview offers it
        imports.request_save(job, import_history=import_history)
        imports.run(app, job.id)
        db.session.expire_all()
        return db.session.get(ImportJob, job.id)


def learner_cards(user_id: int) -> dict[tuple[str, int], Card]:
    rows = db.session.execute(select(Question.key, Card).join(Card, Card.question_id == Question.id)
                              .where(Card.user_id == user_id)).all()
    return {(key, card.ordinal): card for key, card in rows}


def test_the_uploader_brings_in_their_history_as_their_own_progress(app, teacher, deck):
    package, anki, keys = deck
    job = upload_and_save(app, teacher, package, import_history=True)
    with app.app_context():
        assert job.status == "saved"
        assert job.result["summary"].endswith("; 8 reviews of 2 cards imported as your progress")
        cards = learner_cards(teacher)
        assert set(cards) == {(keys["hello"], 0), (keys["river"], 1)}  # the reverse card of the note
        for key, ordinal in (("hello", 0), ("river", 1)):
            card = cards[(keys[key], ordinal)]
            assert card.stability == pytest.approx(anki[key].stability, rel=1e-4)
            assert card.difficulty == pytest.approx(anki[key].difficulty, rel=1e-4)
            assert card.state == sched.REVIEW and card.due > card.last_review
        hello = cards[(keys["hello"], 0)]
        assert (hello.reps, hello.lapses) == (6, 1)
        assert hello.last_review == START + timedelta(days=6, milliseconds=5)  # the revlog id: its time in ms
        logs = db.session.scalars(select(ReviewLog).where(ReviewLog.user_id == teacher)).all()
        assert len(logs) == 8 and {log.kind for log in logs} == {"anki"}
        assert sorted(log.rating for log in logs if log.card_id == hello.id) == [1, 3, 3, 3, 3, 4]


def test_history_left_out_unless_asked_and_the_notice_says_so(app, teacher, deck):
    package, _, _ = deck
    job = upload_and_save(app, teacher, package, import_history=False)
    with app.app_context():
        assert job.result["summary"].endswith("; the package held a review history (8 reviews of 2 cards), "
                                              "not imported")
        assert db.session.scalar(select(func.count()).select_from(Card)) == 0
        assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 0


def test_history_is_applied_once_and_never_over_progress_made_here(app, teacher, deck):
    package, _, keys = deck
    upload_and_save(app, teacher, package, import_history=True)
    with app.app_context():
        user = db.session.get(User, teacher)
        bank_id = db.session.scalar(select(Bank.id))
        history = parse_apkg(package).bank.history
        again = apply_history(user, bank_id, history, NOW)
        db.session.commit()
        assert (again.cards, again.reviews, again.kept) == (0, 0, 2)
        assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 8


def test_a_card_studied_here_keeps_its_progress(app, teacher, deck):
    package, _, keys = deck
    with app.app_context():
        user = db.session.get(User, teacher)
        job = imports.start(user, "chinese.apkg", package, {}, NOW)
        imports.run(app, job.id)
        db.session.expire_all()
        imports.request_save(db.session.get(ImportJob, job.id))
        imports.run(app, job.id)
        db.session.expire_all()
        hello = db.session.scalar(select(Question).where(Question.key == keys["hello"]))
        answers.record_answer(user, hello.id, 0, None, "here-1", now=NOW, rating=sched.GOOD)
        bank_id = hello.bank_id
        report = apply_history(user, bank_id, parse_apkg(package).bank.history, NOW)
        db.session.commit()
        assert (report.cards, report.reviews, report.kept) == (1, 2, 1)
        assert "1 card you had already studied kept its progress" in report.sentence()
        card = learner_cards(teacher)[(keys["hello"], 0)]
        assert card.reps == 1  # the answer given here, not Anki's six


def test_an_imported_card_answered_then_undone_returns_to_its_imported_state(app, teacher, deck):
    """The imported log replays to the card's state, so undo (which replays) keeps it."""
    package, _, keys = deck
    upload_and_save(app, teacher, package, import_history=True)
    with app.app_context():
        user = db.session.get(User, teacher)
        hello = db.session.scalar(select(Question).where(Question.key == keys["hello"]))
        before = learner_cards(teacher)[(keys["hello"], 0)]
        imported = (before.stability, before.difficulty, before.due, before.reps)
        answers.record_answer(user, hello.id, 0, None, "study-1", now=NOW, rating=sched.AGAIN)
        answers.undo(user)
        db.session.expire_all()
        after = learner_cards(teacher)[(keys["hello"], 0)]
        assert (after.stability, after.difficulty, after.due, after.reps) == imported
