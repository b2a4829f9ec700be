"""Offline study's sync (services/offline.py): answers given offline and synced later leave every card
exactly as answering online at the same times would have; resent answers count once; two devices'
answers are applied in time order; a changed question follows the change rule; hostile batches
write nothing."""
from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Bank, Card, FirstAnswerStats, Question, ReviewLog, User
from quizapp.services import answers, first_answers, offline, study_queue
from tests.answers import response_for
from tests.factories import NOW, QUESTIONS, make_bank

# What a card's schedule is made of (the fields the issue asks to compare, and the rest of the row's state).
SCHEDULE = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses", "leech",
            "question_version", "buried_until")
# A second learner's review-state due dates carry their own fuzz (the seed holds the learner's id):
# everything else must be equal to theirs (docs/offline.md).
FUZZ_FREE = tuple(f for f in SCHEDULE if f != "due")

# (minutes after NOW, question key, ordinal, right, rating: None = take the suggested one)
SCRIPT = [
    (0, "capital", 0, True, None),
    (1, "members", 0, False, None),
    (2, "tf", 0, True, sched.EASY),
    (3, "who", 0, True, None),
    (4, "year", 0, False, None),
    (5, "cloze", 1, True, None),
    (6, "order", 0, True, None),
    (7, "match", 0, False, None),
    (8, "card", 0, True, sched.GOOD),
    (9, "cloze", 2, True, sched.HARD),
    (12, "members", 0, True, None),
    (15, "year", 0, True, None),
    (20, "match", 0, True, None),
    (26 * 60, "capital", 0, True, None),  # the next study day
    (27 * 60, "who", 0, False, None),
]


@pytest.fixture
def learners(app, make_user):
    """Learner A (studies offline) and learner B (online), both with the demo bank of every type."""
    with app.app_context():
        make_bank()
        a = make_user("a@example.com")
        b = make_user("b@example.com")
        yield db.session.get(User, a), db.session.get(User, b)


def question(key: str) -> Question:
    return db.session.scalar(select(Question).where(Question.key == key))


def fields_for(q: Question, ordinal: int, right: bool) -> dict[str, list[str]]:
    """The answer form's values (as FormData gives them) for a right or wrong answer."""
    response = response_for(q, ordinal, right)
    if q.type == "flashcard":
        return {}
    if q.type == "true_false":
        return {"answer": ["true" if response else "false"]}
    if q.type == "numeric":
        return {"answer": [response["text"]]}
    if q.type == "matching":
        return {f"match-{i}": [v] for i, v in enumerate(response)}
    return {"answer": response if isinstance(response, list) else [response]}


def offline_item(step: int, entry, *, use_fields: bool, client_id: str | None = None) -> dict:
    minutes, key, ordinal, right, rating = entry
    q = question(key)
    item = {"client_id": client_id or f"off-{step}", "question_id": q.id, "ordinal": ordinal, "rating": rating,
            "answered_at": (NOW + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
            "duration_ms": 3000 + 700 * step, "question_version": q.version}
    if use_fields:
        item["fields"] = fields_for(q, ordinal, right)
    else:
        item["response"] = response_for(q, ordinal, right)
    return item


def answer_online(user: User, step: int, entry, client_id: str | None = None):
    minutes, key, ordinal, right, rating = entry
    q = question(key)
    return answers.record_answer(user, q.id, ordinal, response_for(q, ordinal, right), client_id or f"on-{step}",
                                 now=NOW + timedelta(minutes=minutes), duration_ms=3000 + 700 * step, rating=rating)


def send(user: User, items: list[dict], now=None) -> list[offline.SyncResult]:
    """A batch as the browser sends it: JSON text, read and checked, then applied."""
    body = json.loads(json.dumps({"answers": items}))
    return offline.sync(user, offline.read_batch(body), now or NOW + timedelta(days=2))


def schedule(user: User, fields=SCHEDULE) -> dict[tuple[str, int], tuple]:
    db.session.expire_all()
    rows = db.session.execute(select(Card, Question.key).join(Question, Question.id == Card.question_id)
                              .where(Card.user_id == user.id)).all()
    return {(key, card.ordinal): tuple(getattr(card, f) for f in fields) for card, key in rows}


def history(user: User) -> list[tuple]:
    """The learner's answers in time order: card, time, rating, grade, states, the version answered."""
    db.session.expire_all()
    rows = db.session.execute(select(ReviewLog, Question.key, Card.ordinal).join(Card, Card.id == ReviewLog.card_id)
                              .join(Question, Question.id == Card.question_id).where(ReviewLog.user_id == user.id)
                              .order_by(ReviewLog.reviewed_at, ReviewLog.id)).all()
    return [(key, ordinal, log.reviewed_at, log.rating, log.score, log.prior_state, log.answer, log.duration_ms,
             log.state_before, log.state_after, log.question_version) for log, key, ordinal in rows]


def wipe(user: User) -> None:
    db.session.execute(delete(ReviewLog).where(ReviewLog.user_id == user.id))
    db.session.execute(delete(Card).where(Card.user_id == user.id))
    db.session.commit()


def count_logs(user: User | None = None) -> int:
    query = select(func.count(ReviewLog.id))
    if user is not None:
        query = query.where(ReviewLog.user_id == user.id)
    return db.session.scalar(query)


def stats_rows() -> list[tuple]:
    db.session.expire_all()
    return sorted((r.question_id, r.response_key, r.answers, round(r.score_sum, 9), r.duration_sum_ms, r.timed)
                  for r in db.session.scalars(select(FirstAnswerStats)))


def test_fifteen_answers_synced_leave_every_card_as_online_answers_at_the_same_times(learners):
    a, b = learners
    for step, entry in enumerate(SCRIPT):
        answer_online(b, step, entry)
    # A's device was offline all along: the 15 answers come in one batch, two days later, shuffled.
    items = [offline_item(step, entry, use_fields=step % 2 == 0) for step, entry in enumerate(SCRIPT)]
    results = send(a, items[::-1])
    assert [r.status for r in results] == ["applied"] * 15
    assert count_logs(a) == 15 and len({r.log_id for r in results}) == 15

    types = {question(key).type for _, key, *_ in SCRIPT}
    assert len(types) == 9  # every question type, flashcard included
    online = schedule(b, FUZZ_FREE)
    synced = schedule(a, FUZZ_FREE)
    assert len(synced) == 10 and synced == online
    b_due, a_due = schedule(b, ("state", "due")), schedule(a, ("state", "due"))
    for key, (state, due) in a_due.items():
        if state != sched.REVIEW:  # learning steps have no fuzz: the same minute for both learners
            assert due == b_due[key][1], key
    # The grades and ratings given, answer by answer, as online (the suggestions read the same history).
    strip = [(k, o, at, rating, score, prior, answer) for k, o, at, rating, score, prior, answer, *_ in history(b)]
    assert [(k, o, at, rating, score, prior, answer) for k, o, at, rating, score, prior, answer, *_
            in history(a)] == strip

    # And against A answering online at those same times (the same learner: the same fuzz, so every due
    # date too): A's synced cards, then A's history wiped and the same answers given online.
    synced_all, synced_history = schedule(a), history(a)
    wipe(a)
    for step, entry in enumerate(SCRIPT):
        answer_online(a, step, entry, client_id=f"twin-{step}")
    assert schedule(a) == synced_all
    assert history(a) == synced_history


def test_a_wrong_answer_synced_is_graded_by_the_server_not_by_the_device(learners):
    a, _ = learners
    q = question("capital")
    item = offline_item(0, (0, "capital", 0, False, None), use_fields=True)
    [result] = send(a, [item])
    assert result.status == "applied" and result.score == 0.0 and result.rating == sched.AGAIN
    card = db.session.scalar(select(Card).where(Card.user_id == a.id, Card.question_id == q.id))
    assert card.state == sched.LEARNING and card.reps == 1


def test_the_same_batch_sent_twice_is_applied_once(learners):
    a, _ = learners
    items = [offline_item(step, entry, use_fields=True) for step, entry in enumerate(SCRIPT[:6])]
    first = send(a, items)
    cards_after_first = schedule(a)
    again = send(a, items, now=NOW + timedelta(days=3))
    assert [r.status for r in first] == ["applied"] * 6
    assert [r.status for r in again] == ["duplicate"] * 6
    assert [r.log_id for r in again] == [r.log_id for r in first]
    assert count_logs(a) == 6 and schedule(a) == cards_after_first
    # An answer made online and then sent by a device with the same id is the same answer too.
    online = answer_online(a, 20, (30, "order", 0, True, None), client_id="shared-id")
    [resent] = send(a, [offline_item(20, (30, "order", 0, True, None), use_fields=True, client_id="shared-id")])
    assert resent.status == "duplicate" and resent.log_id == online.log.id and count_logs(a) == 7


def test_two_devices_batches_arriving_out_of_time_order_are_applied_in_time_order(learners):
    a, b = learners
    device_1 = [(0, "capital", 0, True, None), (1, "who", 0, True, None), (15, "capital", 0, True, sched.GOOD),
                (3 * 24 * 60, "capital", 0, True, sched.EASY)]
    device_2 = [(5, "capital", 0, False, None), (20, "who", 0, False, None), (24 * 60, "capital", 0, True, None),
                (24 * 60 + 30, "who", 0, True, sched.HARD)]
    timeline = sorted(device_1 + device_2)
    for step, entry in enumerate(timeline):
        answer_online(b, step, entry)
    step_of = {entry: step for step, entry in enumerate(timeline)}
    # Device 2 syncs first (its answers are older than device 1's unsynced ones, and newer), then device 1.
    second = send(a, [offline_item(step_of[e], e, use_fields=True) for e in device_2], now=NOW + timedelta(days=4))
    first = send(a, [offline_item(step_of[e], e, use_fields=False) for e in device_1], now=NOW + timedelta(days=4))
    assert {r.status for r in first + second} == {"applied"}
    assert schedule(a, FUZZ_FREE) == schedule(b, FUZZ_FREE)
    log = history(a)
    assert [at for _, _, at, *_ in log] == [NOW + timedelta(minutes=m) for m, *_ in timeline]
    # Each card's answers chain: every answer starts from the state the one before it left.
    for key in ("capital", "who"):
        chain = [(before, after) for k, _, _, _, _, _, _, _, before, after, _ in log if k == key]
        assert all(chain[i][1] == chain[i + 1][0] for i in range(len(chain) - 1))
        assert chain[0][0]["state"] == sched.NEW
    # The day's counts and the items' first-answer totals follow the time order too: the first answer of
    # capital is device 1's (kept up to date as it was inserted before device 2's), as a rebuild finds.
    assert [prior for k, _, _, _, _, prior, *_ in log if k == "capital"][0] == sched.NEW
    assert sum(row[5] == sched.NEW for row in log) == 2  # one new card each: capital and who
    totals = stats_rows()
    first_answers.rebuild()
    db.session.commit()
    assert stats_rows() == totals
    # And the same learner answering online at those times: identical, due dates included.
    synced = schedule(a)
    wipe(a)
    for step, entry in enumerate(timeline):
        answer_online(a, step, entry, client_id=f"twin-{step}")
    assert schedule(a) == synced


def test_undo_after_an_answer_inserted_in_the_history_replays_the_later_ones(learners):
    a, _ = learners
    send(a, [offline_item(0, (30, "capital", 0, True, sched.GOOD), use_fields=True)])
    # A late device's older answer: inserted before the first one, and the latest logged.
    [late] = send(a, [offline_item(1, (10, "capital", 0, False, sched.AGAIN), use_fields=True)])
    assert answers.last_log(a).id == late.log_id
    answers.undo(a, late.log_id)
    db.session.expire_all()
    card = db.session.scalar(select(Card).where(Card.user_id == a.id))
    only = sched.review(sched.CardState(), sched.GOOD, NOW + timedelta(minutes=30),
                        study_queue.scheduler_for(a), seed=f"{a.id}:{question('capital').id}:0")
    assert study_queue.card_state(card) == only and count_logs(a) == 1


def change_capital(answer: str) -> None:
    """The teacher changes the right answer of "capital" (its version goes up: learners restart it)."""
    changed = copy.deepcopy(QUESTIONS)
    changed[0]["answer"] = answer
    make_bank(questions=changed, now=NOW + timedelta(hours=1))


def test_an_answer_to_a_question_changed_meanwhile_is_kept_and_the_card_restarts(learners):
    a, b = learners
    q = question("capital")
    pack_version = q.version
    # B answers online before the change; A answers the same way offline, and syncs after the change.
    answers.record_answer(b, q.id, 0, "Moscow", "b1", now=NOW, duration_ms=4000, rating=sched.GOOD)
    change_capital("Beijing")
    assert question("capital").version == pack_version + 1
    item = offline_item(0, (0, "capital", 0, True, sched.GOOD), use_fields=True)
    item["question_version"], item["fields"] = pack_version, {"answer": ["Moscow"]}  # right in the pack
    [result] = send(a, [item], now=NOW + timedelta(hours=2))
    assert result.status == "applied" and "changed" in result.message
    log = db.session.get(ReviewLog, result.log_id)
    assert log.question_version == pack_version and log.answer == "Moscow"
    assert schedule(a) == schedule(b)  # as B's: restarted by the change, the old answer in its log only
    # The next answer, to the new version, starts the card afresh for both.
    for user in (a, b):
        nxt = answers.record_answer(user, q.id, 0, "Beijing", f"next-{user.id}", now=NOW + timedelta(hours=3),
                                    rating=sched.GOOD)
        assert nxt.log.state_before["state"] == sched.NEW and nxt.log.state_after["reps"] == 1
    assert schedule(a, FUZZ_FREE) == schedule(b, FUZZ_FREE)


def test_an_old_version_answer_given_after_the_new_version_was_studied_moves_nothing(learners):
    a, _ = learners
    q = question("capital")
    old = q.version
    change_capital("Beijing")
    answers.record_answer(a, q.id, 0, "Beijing", "new-1", now=NOW + timedelta(hours=2), rating=sched.GOOD)
    before = schedule(a)
    # A second device still holding the old pack answers later, and syncs.
    item = offline_item(0, (180, "capital", 0, True, sched.EASY), use_fields=True)
    item["question_version"] = old
    [result] = send(a, [item], now=NOW + timedelta(hours=4))
    assert result.status == "applied" and result.message
    assert schedule(a) == before and count_logs(a) == 2
    # A version the server never had is refused.
    item = offline_item(1, (181, "capital", 0, True, sched.EASY), use_fields=True)
    item["question_version"] = old + 5
    [refused] = send(a, [item], now=NOW + timedelta(hours=4))
    assert refused.status == "refused" and count_logs(a) == 2


def snapshot() -> dict[str, list]:
    db.session.expire_all()
    return {table.name: sorted(repr(tuple(r)) for r in db.session.execute(select(table)))
            for table in db.metadata.sorted_tables if table.name in ("cards", "review_logs", "first_answer_stats")}


@pytest.mark.parametrize("breach", ["too_many", "bad_date", "naive_date", "long_id", "repeated_id", "bad_rating",
                                    "not_a_list", "string_id", "nul_id"])
def test_a_hostile_batch_is_refused_whole_with_where_and_nothing_written(learners, breach):
    a, _ = learners
    items = [offline_item(step, entry, use_fields=True) for step, entry in enumerate(SCRIPT[:3])]
    where = {"too_many": "answers", "bad_date": "answers[2].answered_at", "naive_date": "answers[2].answered_at",
             "long_id": "answers[1].client_id", "repeated_id": "answers[2].client_id",
             "bad_rating": "answers[0].rating", "not_a_list": "answers", "string_id": "answers[1].question_id",
             "nul_id": "answers[1].client_id"}[breach]
    body: dict = {"answers": items}
    if breach == "too_many":
        body["answers"] = [dict(items[i % 3], client_id=f"many-{i}") for i in range(offline.MAX_ANSWERS + 1)]
    elif breach == "bad_date":
        items[2]["answered_at"] = "yesterday at noon"
    elif breach == "naive_date":
        items[2]["answered_at"] = "2026-03-02T12:00:00"
    elif breach == "long_id":
        items[1]["client_id"] = "k" * 65
    elif breach == "repeated_id":
        items[2]["client_id"] = items[0]["client_id"]
    elif breach == "bad_rating":
        items[0]["rating"] = 7
    elif breach == "not_a_list":
        body["answers"] = {"0": items[0]}
    elif breach == "string_id":
        items[1]["question_id"] = "1; DROP TABLE cards"
    elif breach == "nul_id":  # PostgreSQL text cannot hold it
        items[1]["client_id"] = "a\x00b"
    before = snapshot()
    with pytest.raises(offline.BatchError) as refused:
        offline.read_batch(json.loads(json.dumps(body)))
    assert refused.value.where == where and refused.value.status == 400
    assert snapshot() == before


def test_answers_to_cards_not_the_learners_are_refused_one_by_one_without_a_write(app, learners, make_user):
    a, _ = learners
    teacher = db.session.get(User, make_user("t@example.com", role="teacher"))
    make_bank("private", title="Teacher's own", builtin=False, owner=teacher,
              questions=[{"id": "secret", "type": "short_answer", "prompt": "Secret?", "answers": ["Penrose"]}])
    secret = question("secret")
    retired = question("tf")
    retired.retired = True
    db.session.commit()
    good = offline_item(0, SCRIPT[0], use_fields=True)
    hostile = [
        {**good, "client_id": "other-bank", "question_id": secret.id, "fields": {"answer": ["Penrose"]},
         "question_version": secret.version},
        {**good, "client_id": "retired", "question_id": retired.id, "fields": {"answer": ["true"]}},
        {**good, "client_id": "no-such", "question_id": 999_999},
        {**good, "client_id": "no-card", "ordinal": 3},
        {**good, "client_id": "not-offered", "fields": {"answer": ["Paris"]}},
        {**good, "client_id": "empty", "fields": {"answer": [""]}},
        {**good, "client_id": "wrong-shape", "fields": None, "response": {"nested": [1, 2]}},
        {**good, "client_id": "flashcard-unrated", "question_id": question("card").id, "fields": {}, "rating": None},
        {**good, "client_id": "too-old", "answered_at": (NOW - timedelta(days=40)).isoformat()},
        # Content no answer may hold (the online form asks again for it): that answer alone is refused.
        {**good, "client_id": "huge-fields", "fields": {"answer": ["z" * 9000]}},
        {**good, "client_id": "huge-response", "fields": None, "response": ["x" * 5000, "y" * 5000]},
        {**good, "client_id": "nul", "fields": {"answer": ["Mos\x00cow"]}},
        {**good, "client_id": "surrogate", "fields": {"answer": ["Mos\ud800cow"]}},
    ]
    before = snapshot()
    results = send(a, hostile)
    assert [(r.client_id, r.status) for r in results] == [(h["client_id"], "refused") for h in hostile]
    assert all(r.message and r.log_id is None for r in results)
    assert "not in any of your banks" in results[0].message
    assert snapshot() == before
    # In a batch with good answers, the good ones are applied and the hostile one alone is refused.
    mixed = send(a, [good, hostile[0]])
    assert [r.status for r in mixed] == ["applied", "refused"] and count_logs(a) == 1
    assert db.session.scalar(select(func.count(Card.id)).where(Card.question_id == secret.id)) == 0


def test_a_time_ahead_of_the_server_is_taken_as_now(learners):
    a, _ = learners
    now = NOW + timedelta(hours=1)
    items = [offline_item(0, (600, "capital", 0, True, None), use_fields=True),
             offline_item(1, (601, "capital", 0, True, None), use_fields=True)]
    results = send(a, items, now=now)
    logs = [db.session.get(ReviewLog, r.log_id) for r in results]
    assert [log.reviewed_at for log in logs] == [now, now]
    assert logs[0].prior_state == sched.NEW and logs[1].state_before == logs[0].state_after


def test_the_pack_holds_due_and_new_cards_of_the_learners_banks_only(app, learners, make_user):
    a, _ = learners
    teacher = db.session.get(User, make_user("t@example.com", role="teacher"))
    make_bank("private", title="Teacher's own", builtin=False, owner=teacher,
              questions=[{"id": "secret", "type": "short_answer", "prompt": "Secret?", "answers": ["Penrose"]}])
    demo = db.session.scalar(select(Bank.id).where(Bank.slug == "demo"))
    private = db.session.scalar(select(Bank.id).where(Bank.slug == "private"))
    a.new_per_day = 4
    db.session.commit()
    # Two cards studied: one due tomorrow (within the horizon), one in a month (not).
    answer_online(a, 0, (0, "capital", 0, True, sched.GOOD))
    answer_online(a, 1, (1, "capital", 0, True, sched.GOOD))
    answer_online(a, 2, (2, "tf", 0, True, sched.EASY))
    tf_card = db.session.scalar(select(Card).where(Card.question_id == question("tf").id))
    tf_card.due = NOW + timedelta(days=40)
    db.session.commit()
    now = NOW + timedelta(minutes=30)
    pack = offline.build_pack(a, [demo, private], now)  # the private bank is not A's: ignored
    data = offline.pack_data(pack)
    keys = [(c["question_id"], c["ordinal"]) for c in data["cards"]]
    assert [b["id"] for b in data["banks"]] == [demo]
    assert all(question_id != question("secret").id for question_id, _ in keys)
    assert (question("capital").id, 0) in keys and (question("tf").id, 0) not in keys
    new = [c for c in data["cards"] if c["new"]]
    assert len(new) == 4 - 2  # the daily limit, less the two new cards introduced today
    assert data["user"]["new_done_today"] == 2 and data["user"]["new_per_day"] == 4
    capital = next(c for c in data["cards"] if c["question_id"] == question("capital").id)
    assert capital["state"]["reps"] == 2 and capital["due"] and not capital["new"]
    assert capital["grading"]["data"]["answer"] == "Moscow"
    assert capital["card_version"].startswith("2.")
    assert len(data["user"]["fsrs_parameters"]) == 21
    # Nothing of quizzes: no attempt or item is read or named.
    assert "quiz" not in json.dumps(data).lower()
    with pytest.raises(offline.BatchError):
        offline.build_pack(a, [demo], now, horizon_days=0)


@pytest.mark.parametrize("bury", [True, False])
def test_a_synced_answer_put_into_the_history_buries_siblings_only_if_the_banks_option_says_so(learners, bury):
    from quizapp.services import bank_options

    a, _ = learners
    cloze = question("cloze")
    for ordinal in (1, 2):
        db.session.add(Card(user_id=a.id, question_id=cloze.id, ordinal=ordinal, state=sched.REVIEW,
                            stability=5.0, difficulty=5.0, due=NOW - timedelta(hours=1),
                            last_review=NOW - timedelta(days=5), reps=2, question_version=cloze.version))
    db.session.commit()
    bank_options.save(a, cloze.bank_id, bank_options.Options(bury_siblings=bury))
    answer_online(a, 1, (10, "cloze", 1, True, sched.GOOD))
    # Answered offline before that online answer: put into the card's history at its place.
    [result] = send(a, [offline_item(0, (0, "cloze", 1, True, sched.GOOD), use_fields=True)],
                    now=NOW + timedelta(minutes=15))
    assert result.status == "applied", result
    assert [log[2] for log in history(a)] == [NOW, NOW + timedelta(minutes=10)]
    db.session.expire_all()
    sibling = db.session.scalar(select(Card).where(Card.user_id == a.id, Card.question_id == cloze.id,
                                                   Card.ordinal == 2))
    assert (sibling.buried_until is not None) is bury
