"""Synthetic data for the growth benchmark: many students with a year of reviews, in bulk.

Run: .venv/bin/python bench/gen_data.py [--size small|large|both]      (databases under /tmp/quizapp-bench/)

  small: 200 students x 1,000 cards,  1,000,000 review_logs,   500 quiz attempts x 20 items
  large: 2,000 students x 1,000 cards, 10,000,000 review_logs, 5,000 quiz attempts x 20 items
Every student has the same amount of data at both sizes (1,000 cards, 5,000 answers, 2.5 quizzes),
so the large database only has ten times as many rows around each student: what the growth
benchmark is about.

The schema is the real one: a fresh SQLite file migrated with `flask db upgrade` (indexes
included), the built-in banks loaded with `flask bank load questions`. Two more built-in banks
are saved through the bank store: "bench-items" (300 questions, the built-in ones repeated under
new keys; the one quizzes and item statistics use) and "bench-more" (700 more), so that each
student's 1,000 cards are the first 1,000 in bank order (as the study loop introduces them) and a
few hundred cards are still new. Users go in with one SQLAlchemy Core insert (one password hash
for all: "bench password 1234"). A teacher (teacher@bench.example, an admin so that the item
statistics of the built-in bench-items bank are theirs to see) with a 30-student class is made
when the classes tables exist. Cards, review logs, quiz attempts and items go in with
sqlite3's executemany, with journal_mode=OFF and synchronous=OFF for the load only (the app's own
connections set WAL and synchronous=FULL as always). No ANALYZE is run: the app does not run it.

Card states: about 4 % new (half of them suspended), 2 % learning, 1 % relearning, the rest in
review, last seen up to 1.1 intervals ago (about 9 % overdue); stability log-normal around 20 days,
difficulty 2 to 9. Each card's answers are a chain: the first starts from new, each answer's
state_before is the previous state_after, times spread over the past year, ratings mostly Good.
Quiz answers are review logs of kind "quiz" in the same chains, linked from their quiz items.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import BENCH_DIR, Timer, db_size, flask, fresh_sqlite, machine, sqlite_url  # noqa: E402

SIZES = {"small": 200, "large": 2000}
CARDS_PER_STUDENT = 1000
LOGS_PER_STUDENT = 5000
QUIZZES_PER_STUDENT = 2.5
QUIZ_ITEMS = 20
ITEM_BANK, ITEM_BANK_SIZE = "bench-items", 300
MORE_BANK, MORE_BANK_SIZE = "bench-more", 700
CLASS_SIZE = 30
PASSWORD = "bench password 1234"
DAY, YEAR = 86400, 365 * 86400
NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3


def path_for(size: str) -> Path:
    return BENCH_DIR / f"growth-{size}.db"


# -- the parts that go through the app ------------------------------------------------------------
def make_banks() -> None:
    """bench-items and bench-more: the built-in questions repeated under new keys, via the bank store."""
    from quizapp.banks import formats
    from quizapp.banks.model import Bank
    from quizapp.extensions import db
    from quizapp.models.types import utcnow
    from quizapp.services.bank_store import save_bank

    originals = []
    for path in sorted((ROOT / "questions").glob("*.yaml")):
        result = formats.parse(path.read_bytes(), str(path), "auto")
        originals += [(result.bank, q) for q in result.bank.questions]
    for slug, title, size in ((ITEM_BANK, "Benchmark items (300 questions)", ITEM_BANK_SIZE),
                              (MORE_BANK, "Benchmark, more questions", MORE_BANK_SIZE)):
        sources: dict = {}
        questions = []
        for i in range(size):
            bank, q = originals[i % len(originals)]
            sources.update(bank.sources)
            questions.append(dataclasses.replace(q, id=f"{slug}-{i:04d}", tags=[*q.tags, slug]))
        save_bank(Bank(id=slug, title=title, questions=questions, sources=sources), now=utcnow(), builtin=True)
    db.session.commit()


def make_users(students: int) -> None:
    from sqlalchemy import insert, inspect
    from werkzeug.security import generate_password_hash

    from quizapp.extensions import db
    from quizapp.models import User

    digest = generate_password_hash(PASSWORD)  # once: hashing 2,000 passwords would take minutes
    rows = [{"email": f"student{i}@bench.example", "name": f"Student {i}", "password_hash": digest,
             "role": "student"} for i in range(students)]
    # An admin: the item statistics of a built-in bank are for admins (teachers see their own banks').
    rows.append({"email": "teacher@bench.example", "name": "Bench Teacher", "password_hash": digest,
                 "role": "admin"})
    db.session.execute(insert(User.__table__), rows)
    db.session.commit()
    try:
        from quizapp.models import Assignment, Bank, Classroom, Membership
    except ImportError:
        print("  (no classes model: no class made)")
        return
    if not inspect(db.engine).has_table(Classroom.__tablename__):
        print("  (the classes tables are not in the migrations yet: no class made)")
        return
    from sqlalchemy import select

    teacher = db.session.scalar(select(User.id).where(User.email == "teacher@bench.example"))
    members = db.session.scalars(select(User.id).where(User.role == "student").order_by(User.id)
                                 .limit(CLASS_SIZE)).all()
    room = Classroom(name=f"Bench class ({CLASS_SIZE} students)", owner_id=teacher, join_code="BENCHCLASS")
    db.session.add(room)
    db.session.flush()
    db.session.add_all([Membership(class_id=room.id, user_id=u) for u in members])
    item_bank = db.session.scalar(select(Bank.id).where(Bank.slug == ITEM_BANK))
    db.session.add(Assignment(class_id=room.id, bank_id=item_bank))
    db.session.commit()
    print(f"  class {room.id}: {len(members)} students, teacher@bench.example, bank {ITEM_BANK} assigned")


def app_steps(url: str, students: int) -> None:
    from quizapp import create_app
    from quizapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"}, instance_path=str(BENCH_DIR / "instance"))
    with app.app_context():
        make_banks()
        make_users(students)
        db.session.remove()
        db.engine.dispose()


# -- the bulk load --------------------------------------------------------------------------------
class Days(dict):
    """Day number -> 'YYYY-MM-DD', computed once per day (formatting 30 M timestamps adds up)."""

    def __missing__(self, day: int) -> str:
        value = time.strftime("%Y-%m-%d", time.gmtime(day * DAY))
        self[day] = value
        return value


DAYS = Days()


def db_time(ts: int) -> str:
    """How SQLAlchemy stores a UTC datetime on SQLite."""
    day, sec = divmod(ts, DAY)
    return f"{DAYS[day]} {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.000000"


def iso(ts: int) -> str:
    """How CardState.to_json writes one (datetime.isoformat of an aware UTC datetime)."""
    day, sec = divmod(ts, DAY)
    return f'"{DAYS[day]}T{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}+00:00"'


NEW_STATE = json.dumps({"state": 0, "step": None, "stability": None, "difficulty": None, "due": None,
                        "last_review": None, "reps": 0, "lapses": 0, "leech": False})


def state_json(state: int, step: int | None, stability: float, difficulty: float, due: int, last: int, reps: int,
               lapses: int, leech: bool) -> str:
    """CardState.to_json() as SQLAlchemy's JSON type stores it (json.dumps, default separators)."""
    return (f'{{"state": {state}, "step": {"null" if step is None else step}, "stability": {stability}, '
            f'"difficulty": {difficulty}, "due": {iso(due)}, "last_review": {iso(last)}, "reps": {reps}, '
            f'"lapses": {lapses}, "leech": {"true" if leech else "false"}}}')


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def check_columns(conn: sqlite3.Connection, table: str, ours: list[str]) -> None:
    """Fails loudly if the schema grew a required column this generator does not fill."""
    missing = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")
               if row[1] not in ours and row[3] and row[4] is None]
    if missing:
        raise SystemExit(f"{table} has required columns the generator does not fill: {missing}")


CARD_COLS = ["id", "user_id", "question_id", "ordinal", "state", "step", "stability", "difficulty", "due",
             "last_review", "reps", "lapses", "leech", "suspended", "buried_until", "question_version"]
LOG_COLS = ["id", "user_id", "card_id", "client_id", "kind", "rating", "prior_state", "score", "answer",
            "duration_ms", "reviewed_at", "state_before", "state_after", "question_version"]
ATTEMPT_COLS = ["id", "user_id", "bank_ids", "started_at", "finished_at"]
ITEM_COLS = ["id", "attempt_id", "position", "question_id", "ordinal", "question_version", "response", "score",
             "duration_ms", "answered_at", "review_log_id"]


def insert_sql(table: str, columns: list[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def rating(rng: random.Random) -> int:
    r = rng.random()
    return 3 if r < 0.75 else 1 if r < 0.83 else 2 if r < 0.92 else 4


def student_rows(rng: random.Random, user_id: int, now: int, pairs: list[tuple], card_base: int, log_base: int,
                 quizzes: list[tuple[int, int, list[int]]]):
    """One student's cards, review logs and quiz items. ``pairs``: (question_id, ordinal, version,
    self_rated) of the first 1,000 cards; ``quizzes``: (attempt id, start time, card indexes)."""
    events: list[list[tuple]] = [[] for _ in pairs]  # per card: (time, kind, client id, attempt, position)
    for attempt_id, started, indexes in quizzes:
        for position, index in enumerate(indexes):
            events[index].append((started + 20 * (position + 1), "quiz", f"quiz:{attempt_id}:{position}",
                                  attempt_id, position))
    plan = []
    for index in range(len(pairs)):
        r = rng.random()
        state = NEW if r < 0.04 and not events[index] else LEARNING if r < 0.06 else RELEARNING if r < 0.07 \
            else REVIEW
        plan.append(state)
    studied = [i for i, s in enumerate(plan) if s != NEW]
    quiz_logs = sum(len(e) for e in events)
    counts = dict.fromkeys(studied, 1)
    for i in rng.choices(studied, k=max(0, LOGS_PER_STUDENT - quiz_logs - len(studied))):
        counts[i] += 1

    cards, logs, items = [], [], []
    log_id = log_base
    for index, (question_id, ordinal, version, self_rated) in enumerate(pairs):
        card_id, state = card_base + index, plan[index]
        if state == NEW:
            suspended = rng.random() < 0.5
            cards.append((card_id, user_id, question_id, ordinal, NEW, None, None, None, None, None, 0, 0, 0,
                          int(suspended), None, version))
            continue
        difficulty = round(rng.uniform(2, 9), 4)
        if state == REVIEW:
            stability = round(min(300.0, max(1.0, rng.lognormvariate(math.log(20), 0.8))), 4)
            # Seen a while ago, due when its interval (about its stability) runs out: ~9 % overdue.
            last = max(now - 330 * DAY, now - 3600 - int(rng.uniform(0, 1.1) * stability * DAY))
            due, step = last + int(stability * DAY), None
        else:
            stability = round(rng.uniform(0.2, 3), 4)
            last = now - int(rng.uniform(1800, 7 * DAY))
            due, step = last + 600, rng.choice((0, 1))
        card_events = events[index]
        if card_events and max(e[0] for e in card_events) >= last:
            last = max(e[0] for e in card_events) + 60
            due = last + (int(stability * DAY) if state == REVIEW else 600)
        card_events.append((last, "study", None, None, None))
        earliest = min(now - YEAR, last - DAY)
        card_events += [(rng.randint(earliest, last - 1), "study", None, None, None) for _ in range(counts[index] - 1)]
        card_events.sort()
        before, prior, lapses, total = NEW_STATE, NEW, 0, len(card_events)
        for n, (at, kind, client_id, attempt_id, position) in enumerate(card_events, start=1):
            final = n == total
            grade = (1 if state == RELEARNING or (state == LEARNING and n == 1) else rating(rng)) if final \
                else rating(rng)
            if grade == 1 and prior != NEW:
                lapses += 1
            if final:
                after_state = state
                after = state_json(state, step, stability, difficulty, due, at, n, lapses, lapses >= 8)
            else:
                after_state, s = REVIEW, round(stability * n / total, 4)
                after = state_json(REVIEW, None, s, difficulty, at + int(s * DAY), at, n, lapses, False)
            log_id += 1
            score = None if self_rated and kind == "study" else (1.0 if grade >= 3 else 0.0)
            logs.append((log_id, user_id, card_id, client_id or f"g{user_id:06d}-{log_id:014d}", kind, grade, prior,
                         score, "null" if self_rated else '"Moscow"', rng.randint(2000, 30000), db_time(at), before,
                         after, version))
            if kind == "quiz":
                items.append((attempt_id, position, question_id, ordinal, version, '"Moscow"', score,
                              rng.randint(2000, 30000), db_time(at), log_id))
            before, prior = after, after_state
        cards.append((card_id, user_id, question_id, ordinal, state, step, stability, difficulty, db_time(due),
                      db_time(last), total, lapses, int(lapses >= 8), 0, None, version))
    return cards, logs, items


def bulk_load(path: Path, now: int, seed: int) -> dict[str, int]:
    from quizapp.domain.questions import get_type

    conn = sqlite3.connect(path, isolation_level=None)
    # For the load only: nothing to recover if it dies half-way, we would start again.
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY",
                   "locking_mode=EXCLUSIVE", "foreign_keys=OFF"):
        conn.execute(f"PRAGMA {pragma}")
    for table, cols in (("cards", CARD_COLS), ("review_logs", LOG_COLS), ("quiz_attempts", ATTEMPT_COLS),
                        ("quiz_items", ITEM_COLS)):
        check_columns(conn, table, cols)
    users = [row[0] for row in conn.execute("SELECT id FROM users WHERE role = 'student' ORDER BY id")]
    questions = conn.execute("""SELECT q.id, q.type, q.data, q.version, b.slug FROM questions q
                                JOIN banks b ON b.id = q.bank_id WHERE NOT q.retired
                                ORDER BY q.bank_id, q.position""").fetchall()
    pairs, item_cards = [], []
    for question_id, kind, data, version, slug in questions:
        qtype = get_type(kind)
        for ordinal in qtype.cards(json.loads(data)):
            if len(pairs) < CARDS_PER_STUDENT:
                if slug == ITEM_BANK and qtype.auto_graded and ordinal == qtype.cards(json.loads(data))[0]:
                    item_cards.append(len(pairs))
                pairs.append((question_id, ordinal, version, not qtype.auto_graded))
    if len(pairs) < CARDS_PER_STUDENT:
        raise SystemExit(f"only {len(pairs)} cards in the banks; {CARDS_PER_STUDENT} needed")
    item_bank_id = conn.execute("SELECT id FROM banks WHERE slug = ?", (ITEM_BANK,)).fetchone()[0]

    rng = random.Random(seed)
    attempts_by_user: dict[int, list] = {u: [] for u in users}
    attempt_rows = []
    for attempt_id in range(1, round(QUIZZES_PER_STUDENT * len(users)) + 1):
        user = rng.choice(users)
        started = now - rng.randint(DAY, YEAR - DAY)
        attempts_by_user[user].append((attempt_id, started, rng.sample(item_cards, QUIZ_ITEMS)))
        attempt_rows.append((attempt_id, user, f"[{item_bank_id}]", db_time(started),
                             db_time(started + 20 * QUIZ_ITEMS)))
    conn.execute("BEGIN")
    conn.executemany(insert_sql("quiz_attempts", ATTEMPT_COLS), attempt_rows)
    totals = {"cards": 0, "review_logs": 0, "quiz_attempts": len(attempt_rows), "quiz_items": 0,
              "building_seconds": 0.0}
    item_id, log_base = 0, 0
    for n, user in enumerate(users):
        started = time.perf_counter()
        cards, logs, items = student_rows(random.Random(seed * 100003 + user), user, now, pairs,
                                          n * CARDS_PER_STUDENT + 1, log_base, attempts_by_user[user])
        totals["building_seconds"] += time.perf_counter() - started
        log_base += len(logs)
        conn.executemany(insert_sql("cards", CARD_COLS), cards)
        conn.executemany(insert_sql("review_logs", LOG_COLS), logs)
        rows = []
        for item in items:
            item_id += 1
            rows.append((item_id, *item))
        conn.executemany(insert_sql("quiz_items", ITEM_COLS), rows)
        totals["cards"] += len(cards)
        totals["review_logs"] += len(logs)
        totals["quiz_items"] += len(rows)
        if n % 200 == 199:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            print(f"  {n + 1} students, {totals['review_logs']:,} review logs", flush=True)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode=WAL")  # what the app sets; left on the file
    conn.close()
    return totals


def baseline_rate(now: int, seed: int) -> float:
    """Review-log-shaped rows per second into a table with no index, same pragmas: this machine, now."""
    path = fresh_sqlite("baseline.db")
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "locking_mode=EXCLUSIVE"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(f"CREATE TABLE review_logs ({', '.join(LOG_COLS)})")
    pairs = [(i + 1, 0, 1, False) for i in range(CARDS_PER_STUDENT)]
    rows = [student_rows(random.Random(seed + u), u + 1, now, pairs, 1, u * LOGS_PER_STUDENT, [])[1] for u in range(40)]
    with Timer() as timer:
        conn.execute("BEGIN")
        for chunk in rows:
            conn.executemany(insert_sql("review_logs", LOG_COLS), chunk)
        conn.execute("COMMIT")
    conn.close()
    path.unlink()
    return sum(len(chunk) for chunk in rows) / timer.seconds


def generate(size: str, seed: int) -> None:
    students = SIZES[size]
    path = fresh_sqlite(path_for(size).name)
    url = sqlite_url(path)
    print(f"\n{size}: {students} students -> {path}", flush=True)
    with Timer() as total:
        with Timer() as schema:
            flask(url, "db", "upgrade")
            flask(url, "bank", "load", "questions")
        with Timer() as app_part:
            app_steps(url, students)
        with Timer() as bulk:
            totals = bulk_load(path, int(time.time()), seed)
        with Timer() as aggregates:  # the bulk load bypassed the services that keep these
            flask(url, "bank", "rebuild-stats")
    building = totals.pop("building_seconds")
    base = baseline_rate(int(time.time()), seed)
    inserting = totals["review_logs"] / (bulk.seconds - building)
    print(f"  rows: {', '.join(f'{k} {v:,}' for k, v in totals.items())}")
    print(f"  seconds: migrations + built-in banks {schema.seconds:.1f}, bench banks + users {app_part.seconds:.1f}, "
          f"bulk load {bulk.seconds:.1f} (of which building rows in Python {building:.1f}), first-answer totals "
          f"{aggregates.seconds:.1f}, total {total.seconds:.1f}")
    print(f"  SQLite inserting (indexes, cards and quiz items included): {inserting:,.0f} review logs/s; baseline "
          f"(same run, same rows, a table with no index): {base:,.0f}/s; ratio {inserting / base:.2f}")
    print(f"  size on disk: {db_size(path) / 2**20:,.0f} MiB ({db_size(path) / max(1, totals['review_logs']):.0f} "
          f"bytes per review log, everything included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=[*SIZES, "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(machine())
    for size in SIZES if args.size == "both" else [args.size]:
        generate(size, args.seed)


if __name__ == "__main__":
    main()
