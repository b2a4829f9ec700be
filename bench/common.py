"""Helpers shared by the benchmarks: where databases go, the machine, percentiles, flask commands."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(os.environ.get("QUIZAPP_BENCH_DIR", "/tmp/quizapp-bench"))  # never inside the repo
BIN = Path(sys.executable).parent
BENCH_SECRET = "bench-only-secret-key-not-for-production"


# Indexes the benchmarks suggest, not (yet) in the migrations: (name, table, columns). bench_growth.py
# measures without them by default and with them on --proposed-indexes add (docs/performance.md).
# Indexes measured here before they go into a migration. ix_review_logs_user_kind_id (study.last_log:
# without it SQLite sorts all of a learner's answers) was measured so and is now in migration bc468586c7f3.
PROPOSED_INDEXES: list[tuple[str, str, tuple[str, ...]]] = []


def set_proposed_indexes(path: Path, present: bool) -> list[str]:
    """Creates (or drops) PROPOSED_INDEXES on the SQLite file ``path``; returns what was done."""
    import sqlite3

    done = []
    conn = sqlite3.connect(path)
    try:
        existing = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        for name, table, columns in PROPOSED_INDEXES:
            if present and name not in existing:
                conn.execute(f"CREATE INDEX {name} ON {table} ({', '.join(columns)})")
                done.append(f"created {name}")
            elif not present and name in existing:
                conn.execute(f"DROP INDEX {name}")
                done.append(f"dropped {name}")
        conn.commit()
    finally:
        conn.close()
    return done


def machine() -> str:
    """One line: date, CPUs, CPU model, RAM, load average (the machine is shared: figures are noisy)."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        load = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        mem_kb, load = 0, ["?"] * 3
    return (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs ({model}), {mem_kb / 2**20:.1f} GiB RAM; "
            f"load average {' '.join(load)}; python {platform.python_version()}")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``values``; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def flask_env(database_url: str) -> dict[str, str]:
    """The environment of a bench app: its own database, a fixed key (no file under instance/)."""
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": BENCH_SECRET, "LOG_LEVEL": "WARNING"}


def flask(database_url: str, *args: str, timeout: int = 600) -> str:
    """Runs ``flask --app quizapp ARGS`` on ``database_url`` (migrations, bank loading); returns stdout."""
    out = subprocess.run([str(BIN / "flask"), "--app", "quizapp", *args], cwd=ROOT, env=flask_env(database_url),
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def fresh_sqlite(name: str) -> Path:
    """A path under BENCH_DIR with no database (nor WAL files) left from an earlier run."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / name
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def db_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
