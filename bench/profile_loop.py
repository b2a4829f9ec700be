"""Profiles each step of the study loop on its own (pyinstrument), with its SQL and CPU beside /ping's.

Run: .venv/bin/python bench/profile_loop.py [--requests 200] [--step study|answer|feedback|ping]
                                           [--html DIR] [--database-url URL] [--no-profile]

In-process with the Flask test client, on a fresh SQLite database made as bench_review_loop.py makes
its own (migrations, built-in banks, --students students), or on --database-url (an empty database).
Each student walks the loop a few times first (warm-up: templates compiled, caches filled). Then for
each step, --requests requests round the students:
  ping      GET /ping (the bare signed-in route, the baseline);
  study     GET /study;
  answer    POST /study/answer of the student's card form, answered again under a fresh answer id;
  feedback  GET of the student's latest feedback page.
Printed per step: CPU ms per request (time.process_time, no profiler attached, best of 3 passes),
its ratio to /ping's, SQL statements per request by total time, and the pyinstrument tree.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_review_loop import CSRF_RE, PASSWORD, answer_form, prepare_database, resend  # noqa: E402
from bench.common import BENCH_DIR, fresh_sqlite, machine, sqlite_url  # noqa: E402

STEPS = ("ping", "study", "answer", "feedback")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--students", type=int, default=5)
    parser.add_argument("--step", action="append", choices=STEPS, help="only these steps (repeatable)")
    parser.add_argument("--database-url")
    parser.add_argument("--html", help="write each step's profile as DIR/<step>.html")
    parser.add_argument("--no-profile", action="store_true", help="CPU and SQL only")
    parser.add_argument("--split", action="store_true",
                        help="CPU per request inside template rendering and inside SQL statements, per step")
    parser.add_argument("--cprofile", action="store_true",
                        help="cProfile instead of pyinstrument: functions by own time, and the app's by total")
    parser.add_argument("--warmup", type=int, default=6, help="loops each student walks first")
    args = parser.parse_args()
    from pyinstrument import Profiler
    from sqlalchemy import event
    from werkzeug.datastructures import MultiDict

    from quizapp import create_app
    from quizapp.extensions import db

    print(machine())
    url = args.database_url or sqlite_url(fresh_sqlite("profile-loop.db"))
    prefix = f"profile{os.getpid()}-"
    prepare_database(url, args.students, prefix)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "profile",
                      "LOGIN_LIMITS_PER_ADDRESS": "100000 per minute",
                      "LOGIN_LIMITS_PER_ACCOUNT": "100000 per minute"}, instance_path=str(BENCH_DIR / "instance"))
    clients = []
    for i in range(args.students):
        client = app.test_client()
        token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
        response = client.post("/login", data={"csrf_token": token, "email": f"{prefix}{i}@example.com",
                                               "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        clients.append(client)
    forms: dict[int, list] = {}
    feedback: dict[int, str] = {}
    for _ in range(args.warmup):
        for i, client in enumerate(clients):
            form = answer_form(client.get("/study").get_data(as_text=True))
            if form is None:
                continue
            forms[i] = form
            location = client.post("/study/answer", data=MultiDict(form)).headers.get("Location", "")
            if "/study/answered/" in location:
                feedback[i] = location[location.index("/study/answered/"):]
                client.get(feedback[i])
    for i, client in enumerate(clients):  # each student on a card with a form, with a feedback page
        while i not in feedback or i not in forms:
            form = answer_form(client.get("/study").get_data(as_text=True))
            location = client.post("/study/answer", data=MultiDict(form)).headers.get("Location", "")
            if "/study/answered/" in location:
                feedback[i] = location[location.index("/study/answered/"):]
        forms[i] = answer_form(client.get("/study").get_data(as_text=True))

    def request(step: str, n: int) -> None:
        i = n % len(clients)
        client = clients[i]
        if step == "ping":
            response = client.get("/ping")
        elif step == "study":
            response = client.get("/study")
        elif step == "answer":
            response = client.post("/study/answer", data=MultiDict(resend(forms[i])))
            location = response.headers.get("Location", "")
            if "/study/answered/" in location:  # the feedback step views the latest answer, as a learner does
                feedback[i] = location[location.index("/study/answered/"):]
        else:
            response = client.get(feedback[i])
        assert response.status_code in (200, 302), (step, response.status_code)

    with app.app_context():
        engine = db.engine
    count: Counter = Counter()
    spent: Counter = Counter()

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, params, context, executemany):
        conn.info["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, params, context, executemany):
        key = " ".join(statement.split())[:140]
        count[key] += 1
        spent[key] += time.perf_counter() - conn.info["started"]

    cpu: dict[str, float] = {}
    steps = args.step or list(STEPS)
    if "ping" not in steps:
        steps = ["ping", *steps]
    for step in steps:
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            for n in range(args.requests):
                request(step, n)
            best = min(best, (time.process_time() - start) / args.requests)
        cpu[step] = best * 1e3
    if args.split:
        split_costs(steps, args.requests, request)
    print("\nCPU per request (ms, in-process, best of 3 passes of", args.requests, "requests):")
    for step in steps:
        print(f"  {step:9} {cpu[step]:7.2f}  x ping {cpu[step] / cpu['ping']:5.2f}")
    if {"study", "answer", "feedback"} <= set(cpu):
        total = cpu["study"] + cpu["answer"] + cpu["feedback"]
        print(f"  loop ratio these costs give (3 x ping / sum of the three): {3 * cpu['ping'] / total:.2f}")

    for step in steps:
        count.clear()
        spent.clear()
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
        elif not args.no_profile:
            profiler = Profiler(interval=0.0002)
            profiler.start()
        for n in range(args.requests):
            request(step, n)
        print(f"\n==== {step}: SQL per request {sum(count.values()) / args.requests:.1f} statements; "
              f"by total time (ms per request):")
        for key, total in spent.most_common(14):
            print(f"  {total / args.requests * 1e3:7.3f} ms  x{count[key] / args.requests:4.1f}  {key}")
        if args.cprofile:
            profiler.disable()
            if os.environ.get("PROFILE_DUMP"):
                profiler.dump_stats(f"{os.environ['PROFILE_DUMP']}-{step}.prof")
            stats = pstats.Stats(profiler).sort_stats("tottime")
            stats.print_stats(30)
            stats.sort_stats("cumulative").print_stats(r"quizapp|templates", 40)
        elif not args.no_profile:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
            if args.html:
                Path(args.html).mkdir(parents=True, exist_ok=True)
                Path(args.html, f"{step}.html").write_text(profiler.output_html())


def split_costs(steps, requests: int, request) -> None:
    """CPU per request spent rendering templates, running SQL statements (from the statement to its
    rows, through SQLAlchemy), and the rest, per step: no profiler attached, a timer around each."""
    import flask.templating
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    spent = Counter()
    depth = {"sql": 0}

    def timed(kind, function):
        def wrapper(*args, **kwargs):
            if kind == "sql" and depth["sql"]:
                return function(*args, **kwargs)  # a session's execute calls the connection's
            depth["sql"] += kind == "sql"
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[kind] += time.process_time() - start
                depth["sql"] -= kind == "sql"
        return wrapper

    saved = (flask.templating._render, Session.execute, Session.scalar, Session.scalars, Connection.execute)
    flask.templating._render = timed("template", saved[0])
    Session.execute, Session.scalar, Session.scalars, Connection.execute = (timed("sql", f) for f in saved[1:])
    try:
        print("\nCPU per request (ms) by part: templates, SQL (SQLAlchemy and the database), the rest")
        for step in steps:
            spent.clear()
            start = time.process_time()
            for n in range(requests):
                request(step, n)
            total = (time.process_time() - start) / requests * 1e3
            template, sql = spent["template"] / requests * 1e3, spent["sql"] / requests * 1e3
            print(f"  {step:9} total {total:5.2f}  templates {template:5.2f}  SQL {sql:5.2f}  "
                  f"rest {total - template - sql:5.2f}")
    finally:
        (flask.templating._render, Session.execute, Session.scalar, Session.scalars, Connection.execute) = saved


if __name__ == "__main__":
    main()
