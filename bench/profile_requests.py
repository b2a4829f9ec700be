"""Profiles a student's study requests with pyinstrument (a dev extra), and counts their SQL.

Run: .venv/bin/python bench/profile_requests.py [--size small|large | --db FILE] [--requests 20]
                                                [--get /progress] [--html out.html]
Logs in five students of bench/gen_data.py's database (or of another, e.g. the review-loop
benchmark's /tmp/quizapp-bench/review-loop.db) and profiles GET /study then POST /study/answer,
in-process with the Flask test client as bench/bench_growth.py measures them; with --get PATH,
GET of that page instead. Then lists the SQL statements by total time.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_growth import log_in  # noqa: E402
from bench.bench_review_loop import answer_form  # noqa: E402
from bench.common import BENCH_DIR, sqlite_url  # noqa: E402
from bench.gen_data import path_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--db", help="another SQLite file, e.g. /tmp/quizapp-bench/review-loop.db")
    parser.add_argument("--requests", type=int, default=20, help="GET /study + POST answer pairs (or GETs)")
    parser.add_argument("--get", help="profile GET of this path instead (e.g. /progress)")
    parser.add_argument("--html", help="write the profile as HTML here")
    args = parser.parse_args()
    from pyinstrument import Profiler
    from sqlalchemy import event, select
    from werkzeug.datastructures import MultiDict

    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.models import User

    url = sqlite_url(Path(args.db) if args.db else path_for(args.size))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "profile",
                      "LOGIN_LIMITS_PER_ADDRESS": "100000 per minute",
                      "LOGIN_LIMITS_PER_ACCOUNT": "100000 per minute"}, instance_path=str(BENCH_DIR / "instance"))
    with app.app_context():
        emails = db.session.scalars(select(User.email).where(User.role == "student")).all()
        engine = db.engine
    clients = [log_in(app, e) for e in random.Random(3).sample(emails, 5)]
    count: Counter = Counter()
    seconds: Counter = Counter()

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, params, context, executemany):
        conn.info["started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, params, context, executemany):
        key = " ".join(statement.split())[:150]
        count[key] += 1
        seconds[key] += time.perf_counter() - conn.info["started"]

    for client in clients:  # warm-up
        client.get(args.get or "/study")
    count.clear()
    seconds.clear()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for i in range(args.requests):
        client = clients[i % len(clients)]
        if args.get:
            client.get(args.get)
            continue
        form = answer_form(client.get("/study").get_data(as_text=True))
        if form is not None:
            client.post("/study/answer", data=MultiDict(form))
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    unit = "GET" if args.get else "GET+POST pair"
    print(f"SQL per {unit}: {sum(count.values()) / args.requests:.1f} statements; by total time (ms per {unit}):")
    for key, total in seconds.most_common(12):
        print(f"  {total / args.requests * 1e3:7.2f} ms  x{count[key] / args.requests:4.1f}  {key}")


if __name__ == "__main__":
    main()
