"""Index benchmark: each query bench/common.py proposes an index for, without and with that index.

Run: .venv/bin/python bench/bench_indexes.py [--users 200]    (after bench/gen_data.py)

For each proposed index and each generated database (small, large), times the query it is for,
for --users different students, first on the migrations' schema (the baseline, same run), then
with the index created; the index is dropped again afterwards, leaving the schema as it was. The
query is the one SQLAlchemy sends (compiled from the service's own select), run with sqlite3.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import PROPOSED_INDEXES, machine, percentile, set_proposed_indexes  # noqa: E402
from bench.gen_data import SIZES, path_for  # noqa: E402


def last_log_sql() -> str:
    """study.last_log's statement as SQLite gets it (one ? for the user)."""
    from sqlalchemy import select
    from sqlalchemy.dialects import sqlite

    from quizapp.models import ReviewLog

    query = (select(ReviewLog).where(ReviewLog.user_id == -1, ReviewLog.kind == "study")
             .order_by(ReviewLog.id.desc()).limit(1))
    compiled = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    return str(compiled).replace("-1", "?", 1)


QUERIES = {"ix_review_logs_user_kind_id": ("study.last_log", last_log_sql)}


def timings(path: Path, sql: str, users: list[int]) -> list[float]:
    conn = sqlite3.connect(path)
    try:
        out = []
        for user in users:
            start = time.perf_counter()
            conn.execute(sql, (user,)).fetchall()
            out.append(time.perf_counter() - start)
        return out
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    print(machine())
    print(f"{'index':30} {'query':16} {'size':6} {'without p50':>11} {'p95':>6} {'with p50':>9} {'p95':>6} "
          f"{'p50 ratio':>9}  (ms per query, {args.users} students)")
    for name, table, columns in PROPOSED_INDEXES:
        label, make_sql = QUERIES[name]
        sql = make_sql()
        for size in SIZES:
            path = path_for(size)
            conn = sqlite3.connect(path)
            ids = [r[0] for r in conn.execute("SELECT id FROM users WHERE role = 'student'")]
            conn.close()
            users = random.Random(1).sample(ids, min(args.users, len(ids)))
            set_proposed_indexes(path, False)
            timings(path, sql, users[:20])  # warm the page cache
            without = timings(path, sql, users)
            set_proposed_indexes(path, True)
            with_index = timings(path, sql, users)
            set_proposed_indexes(path, False)
            w50, i50 = percentile(without, 50) * 1e3, percentile(with_index, 50) * 1e3
            print(f"{name:30} {label:16} {size:6} {w50:>11.3f} {percentile(without, 95) * 1e3:>6.3f} {i50:>9.3f} "
                  f"{percentile(with_index, 95) * 1e3:>6.3f} {w50 / i50:>9.0f}x")
        print(f"  = CREATE INDEX {name} ON {table} ({', '.join(columns)})")


if __name__ == "__main__":
    main()
