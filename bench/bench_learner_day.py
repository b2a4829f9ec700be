"""Does a learner's page get slower as their day goes on? 300 answers today against 3, same database.

Run: .venv/bin/python bench/bench_learner_day.py [--answers 300] [--rounds 40] [--app-root DIR]
                                                 [--database-url URL]

In-process (Flask test client, as bench/profile_loop.py), on a fresh SQLite database made as
bench_review_loop.py makes its own (or on --database-url, an empty database). Two learners with
limits high enough never to run out of cards (1,000 new and 5,000 reviews a day): "busy" first
answers --answers cards today through the real pages (GET /study, POST /study/answer, mostly wrong
answers, so learning cards come back), "fresh" answers 3. Then, for --rounds rounds, taking turns,
each learner's GET /study, POST /study/answer (the card's form) and GET of its feedback page are
timed (wall clock, one request at a time) and their SQL statements counted. Printed: p50 / p95 ms of
each step for each learner, and busy / fresh (the target: about 1). --app-root DIR measures another
source tree (a copy from before a change) the same way.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--app-root", default=str(ROOT))
    parser.add_argument("--database-url")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.common import BENCH_DIR, fresh_sqlite, machine, percentile, sqlite_url

    url = args.database_url or sqlite_url(fresh_sqlite("learner-day.db"))
    from bench.bench_review_loop import CSRF_RE, PASSWORD, answer_form, prepare_database

    prefix = f"day{os.getpid()}-"
    prepare_database(url, 2, prefix)  # with this repository's migrations and banks
    for name in [n for n in sys.modules if n == "quizapp" or n.startswith("quizapp.")]:
        del sys.modules[name]  # then the app of --app-root
    sys.path.insert(0, str(Path(args.app_root).resolve()))
    from sqlalchemy import event, text
    from werkzeug.datastructures import MultiDict

    from quizapp import create_app
    from quizapp.extensions import db

    print(machine())
    print(f"app from {sys.modules['quizapp'].__file__}")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "day",
                      "LOGIN_LIMITS_PER_ADDRESS": "100000 per minute",
                      "LOGIN_LIMITS_PER_ACCOUNT": "100000 per minute"}, instance_path=str(BENCH_DIR / "instance"))
    with app.app_context():
        db.session.execute(text("UPDATE users SET new_per_day = 1000, reviews_per_day = 5000"))
        db.session.commit()
        engine = db.engine
    statements = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_):
        statements[0] += 1

    def log_in(email: str):
        client = app.test_client()
        token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
        assert client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
                           ).status_code == 302
        return client

    def walk(client, n: int) -> None:
        for _ in range(n):
            form = answer_form(client.get("/study").get_data(as_text=True))
            assert form is not None, "no card to answer"
            location = client.post("/study/answer", data=MultiDict(form)).headers.get("Location", "")
            if "/study/answered/" in location:
                client.get(location)

    busy, fresh = log_in(f"{prefix}0@example.com"), log_in(f"{prefix}1@example.com")
    started = time.perf_counter()
    walk(busy, args.answers)
    walk(fresh, 3)
    print(f"busy learner answered {args.answers} cards today, fresh 3 ({time.perf_counter() - started:.1f} s)")
    times: dict[tuple[str, str], list[float]] = {}
    sql: dict[tuple[str, str], list[int]] = {}

    def timed(who: str, step: str, call):
        statements[0] = 0
        start = time.perf_counter()
        response = call()
        times.setdefault((who, step), []).append(time.perf_counter() - start)
        sql.setdefault((who, step), []).append(statements[0])
        return response

    for _ in range(args.rounds):
        for who, client in (("busy", busy), ("fresh", fresh)):
            page = timed(who, "GET /study", lambda c=client: c.get("/study")).get_data(as_text=True)
            form = answer_form(page)
            answered = timed(who, "POST /study/answer", lambda c=client, f=form: c.post("/study/answer",
                                                                                       data=MultiDict(f)))
            location = answered.headers.get("Location", "")
            if "/study/answered/" in location:
                timed(who, "GET feedback", lambda c=client, p=location: c.get(p))
    print(f"\n{'step':20} {'fresh p50 / p95 ms':>20} {'busy p50 / p95 ms':>20} {'busy / fresh p50':>17} "
          f"{'SQL fresh / busy':>17}")
    for step in ("GET /study", "POST /study/answer", "GET feedback"):
        f, b = times.get(("fresh", step), []), times.get(("busy", step), [])
        if not f or not b:
            continue
        fs, bs = sql[("fresh", step)], sql[("busy", step)]
        print(f"{step:20} {percentile(f, 50) * 1e3:9.2f} / {percentile(f, 95) * 1e3:7.2f} "
              f"{percentile(b, 50) * 1e3:9.2f} / {percentile(b, 95) * 1e3:7.2f} "
              f"{percentile(b, 50) / percentile(f, 50):>17.2f} {sum(fs) / len(fs):>8.1f} / {sum(bs) / len(bs):.1f}")


if __name__ == "__main__":
    main()
