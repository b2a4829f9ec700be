"""A throwaway local PostgreSQL cluster for a benchmark, started as .ci/run starts CI's.

    with local_postgres(port=54341) as url:   # postgresql+psycopg://postgres@127.0.0.1:54341/quizapp_bench
        ...

initdb into a fresh directory under /tmp (trust authentication on loopback only), pg_ctl start with
fsync on (as CI and production), createdb; stopped (fast) and removed on exit. Run as root, the
commands run as the ``postgres`` user, as in .ci/run. The newest /usr/lib/postgresql/*/bin is used.
The port must be free: CI uses 54329 (and 54330), so the default here is another.
"""
from __future__ import annotations

import glob
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_PORT = 54341


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[4].split(".")])
    if not found:
        raise SystemExit("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin): apt-get install postgresql")
    return Path(found[-1])


def _run(command: str) -> None:
    if os.geteuid() == 0:  # initdb refuses root
        subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], check=True, stdout=subprocess.DEVNULL)
    else:
        subprocess.run(["/bin/sh", "-c", command], check=True, stdout=subprocess.DEVNULL)


@contextmanager
def local_postgres(port: int = DEFAULT_PORT, database: str = "quizapp_bench") -> Iterator[str]:
    binary = pg_bin()
    data = Path(tempfile.mkdtemp(prefix="quizapp-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
    q = shlex.quote
    _run(f"{q(str(binary / 'initdb'))} -D {q(str(data))} -A trust -U postgres")
    options = f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on"
    _run(f"{q(str(binary / 'pg_ctl'))} -D {q(str(data))} -l {q(str(data / 'log'))} -o {q(options)} -w start")
    try:
        _run(f"{q(str(binary / 'createdb'))} -h 127.0.0.1 -p {port} -U postgres {q(database)}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
    finally:
        _run(f"{q(str(binary / 'pg_ctl'))} -D {q(str(data))} -m fast -w stop")
        shutil.rmtree(data, ignore_errors=True)
