"""Growth benchmark: do a student's pages slow down as the database grows ten times?

Run: .venv/bin/python bench/gen_data.py              (once: builds the small and large databases)
     .venv/bin/python bench/bench_growth.py [--students 30] [--rounds 3]

Measured in-process with Flask's test client (the whole request: routing, login and session
handling, queries, templates; no network, no server), the same way at both sizes, on the
databases bench/gen_data.py made under /tmp/quizapp-bench/ (small: 200 students, 1 M review logs;
large: 2,000 students, 10 M; the same data per student in both). Both apps live in this process
and the sizes take turns, student by student, so that noise on this shared machine falls on both
alike. The baseline is the small database, measured in the same run: each figure's growth factor
is large / small. GET /ping (logged in, no page) is measured too, as the noise floor: its growth
factor should stay near 1.

Operations are a list: one line each. An operation whose URL does not answer as expected at the
time of the run is printed "not available yet" (pages others are building). Answers are
committed to the databases (a few hundred among millions: re-run gen_data.py for pristine ones).
Targets (issue "Performance"): large <= 1.5 x small, every page p95 < 100 ms at the large size.
--proposed-indexes add measures with the indexes bench/common.py proposes (not yet in the migrations).
--gc default measures with Python's collector untouched (default: as gunicorn.conf.py sets it after warm-up).
"""
from __future__ import annotations

import argparse
import gc
import random
import runpy
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_review_loop import CSRF_RE, answer_form  # noqa: E402
from bench.common import (  # noqa: E402
    BENCH_DIR,
    PROPOSED_INDEXES,
    machine,
    percentile,
    set_proposed_indexes,
    sqlite_url,
)
from bench.gen_data import ITEM_BANK, PASSWORD, SIZES, path_for  # noqa: E402


@dataclass(frozen=True)
class Operation:
    name: str
    who: str  # "student" (each sampled student) or "teacher" (the class's teacher)
    method: str
    url: str  # may name {class_id}, {item_bank} (slug) or {item_bank_id}
    expect: int = 200


OPERATIONS = [
    Operation("bare page (noise floor)", "student", "GET", "/ping"),
    Operation("next card", "student", "GET", "/study"),
    Operation("answer", "student", "POST", "/study/answer", expect=302),  # the form of the card just fetched
    Operation("learner dashboard", "student", "GET", "/progress"),
    Operation("class page (30 students)", "teacher", "GET", "/teach/classes/{class_id}"),
    Operation("class progress (30 students)", "teacher", "GET", "/teach/classes/{class_id}/progress"),
    Operation("item statistics (300 questions)", "teacher", "GET", "/teach/banks/{item_bank}/stats"),
]


@dataclass
class Size:
    name: str
    app: object
    students: list = field(default_factory=list)  # (email, test client, last /study page)
    teacher: object = None
    ids: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict)


def open_size(name: str, sample: int, rng: random.Random) -> Size:
    from sqlalchemy import select

    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.models import Bank, User

    path = path_for(name)
    if not path.exists():
        raise SystemExit(f"{path} is missing: run .venv/bin/python bench/gen_data.py first")
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url(path), "SECRET_KEY": "bench-growth",
                      "LOGIN_LIMITS_PER_ADDRESS": "100000 per minute", "LOGIN_LIMITS_PER_ACCOUNT": "100000 per minute",
                      "LOG_LEVEL": "WARNING"}, instance_path=str(BENCH_DIR / "instance"))
    size = Size(name, app)
    with app.app_context():
        ids = {"item_bank": ITEM_BANK, "item_bank_id": db.session.scalar(select(Bank.id).where(Bank.slug == ITEM_BANK))}
        try:
            from quizapp.models import Classroom

            ids["class_id"] = db.session.scalar(select(Classroom.id).order_by(Classroom.id).limit(1))
        except ImportError:
            ids["class_id"] = 0
        emails = db.session.scalars(select(User.email).where(User.role == "student").order_by(User.id)).all()
        db.session.remove()
    size.ids = ids
    for email in rng.sample(emails, sample):
        size.students.append([email, log_in(app, email), None])
    size.teacher = log_in(app, "teacher@bench.example")
    return size


def log_in(app, email: str):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} failed ({response.status_code})")
    return client


def run(size: Size, op: Operation, who: list) -> tuple[float, int]:
    """One request of ``op`` for ``who`` (a student entry, or [None, teacher client, None])."""
    from werkzeug.datastructures import MultiDict

    client = who[1]
    url = op.url.format(**size.ids)
    form = None
    if op.method == "POST":
        if who[2] is None:
            who[2] = client.get("/study").get_data(as_text=True)
        form = MultiDict(answer_form(who[2]) or [])
        who[2] = None
    start = time.perf_counter()
    response = client.open(url, method=op.method, data=form)
    body = response.get_data(as_text=True)
    seconds = time.perf_counter() - start
    if op.url == "/study" and response.status_code == 200:
        who[2] = body
    return seconds, response.status_code


def available(sizes: list[Size], op: Operation) -> str | None:
    """None when ``op`` answers as expected at every size, else why not."""
    for size in sizes:
        who = size.students[0] if op.who == "student" else [None, size.teacher, None]
        _, status = run(size, op, who)
        if status != op.expect:
            return f"not available yet ({op.method} {op.url.format(**size.ids)} answered {status} on {size.name})"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=30, help="students sampled per size")
    parser.add_argument("--rounds", type=int, default=3, help="requests of each operation per student")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gc", choices=["served", "default"], default="served",
                        help="the garbage collector as gunicorn.conf.py sets it after warm-up, or Python's default")
    parser.add_argument("--teacher-every", type=int, default=10, help="a teacher's page after every Nth student")
    parser.add_argument("--proposed-indexes", choices=["drop", "add"], default="drop",
                        help="measure the migrations' schema as it is (drop), or with bench.common.PROPOSED_INDEXES")
    args = parser.parse_args()
    print(machine())
    for name in SIZES:
        if path_for(name).exists():
            for line in set_proposed_indexes(path_for(name), args.proposed_indexes == "add"):
                print(f"{name}: {line}")
    names = ", ".join(f"{t}({', '.join(c)})" for _, t, c in PROPOSED_INDEXES)
    print(f"schema: the migrations' {'plus ' + names if args.proposed_indexes == 'add' else 'only'}")
    sizes = [open_size(name, args.students, random.Random(args.seed)) for name in SIZES]
    print(f"sizes: {', '.join(f'{n} ({c} students)' for n, c in SIZES.items())}; {args.students} students sampled "
          f"each; {args.rounds} rounds; in-process, Flask test client; garbage collector: {args.gc}")
    operations, skipped = [], []
    for op in OPERATIONS:
        why = available(sizes, op)
        if why:
            skipped.append((op, why))
        else:
            operations.append(op)
    for size in sizes:  # warm-up: every sampled student once, templates compiled, caches filled
        for who in size.students:
            for op in operations:
                if op.who == "student":
                    run(size, op, who)
        for op in operations:
            if op.who == "teacher":
                run(size, op, [None, size.teacher, None])
        size.samples = {op.name: [] for op in operations}
    if args.gc == "served":
        # As gunicorn.conf.py runs the workers (make serve): what the warm-up built is frozen, so no
        # full collection walks it during a request; "default" leaves Python's collector as it is.
        served = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
        gc.freeze()
        gc.set_threshold(*served["GC_THRESHOLD"])
    errors: dict[str, int] = {}
    for _ in range(args.rounds):
        for i in range(args.students):
            for size in sizes:
                for op in operations:
                    if op.who == "teacher" and i % args.teacher_every:
                        continue  # the teacher's pages: less often (one teacher, 30 students; some pages are slow)
                    who = size.students[i] if op.who == "student" else [None, size.teacher, None]
                    seconds, status = run(size, op, who)
                    if status != op.expect:
                        key = f"{size.name} {op.name} {status}"
                        errors[key] = errors.get(key, 0) + 1
                    size.samples[op.name].append(seconds)
    small, large = sizes
    print(f"\n{'operation':32} {'n':>3} {'small p50':>9} {'p95':>7} {'large p50':>9} {'p95':>7}  {'growth p50':>10} "
          f"{'p95':>5} {'x bare':>6}  targets (growth <= 1.5, large p95 < 100 ms)")
    bare = percentile(large.samples[operations[0].name], 50) * 1e3  # the noise floor, large size
    for op in operations:
        a, b = small.samples[op.name], large.samples[op.name]
        s50, s95, l50, l95 = (percentile(a, 50) * 1e3, percentile(a, 95) * 1e3, percentile(b, 50) * 1e3,
                              percentile(b, 95) * 1e3)
        g50, g95 = l50 / s50, l95 / s95
        verdict = "met" if max(g50, g95) <= 1.5 and l95 < 100 else "MISSED"
        print(f"{op.name:32} {len(b):>3} {s50:>9.1f} {s95:>7.1f} {l50:>9.1f} {l95:>7.1f}  {g50:>10.2f} {g95:>5.2f} "
              f"{l50 / bare:>6.1f}  {verdict}")
    for op, why in skipped:
        print(f"{op.name:34} {why}")
    print("(milliseconds per request; x bare: large p50 / the bare page's large p50, same run)")
    if errors:
        print(f"unexpected statuses: {errors}")


if __name__ == "__main__":
    main()
