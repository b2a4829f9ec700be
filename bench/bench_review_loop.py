"""Review-loop benchmark: the study loop under 50 concurrent students, against a bare logged-in page.

Run: .venv/bin/python bench/bench_review_loop.py [--students 50] [--rounds 3] [--seconds 10]
     DATABASE_URL=postgresql+psycopg://... adds a run on PostgreSQL (its database must be empty, or pass
     --reset-postgres to drop its public schema first, as the test suite does).

Serves the app as `make serve` does (gunicorn, 4 sync workers) on a free loopback port, on a fresh
SQLite database under /tmp/quizapp-bench/ (migrated with `flask db upgrade`, the built-in banks
loaded from questions/), creates the students and logs each in through the login form. Then, in
one run, alternating phases of:
  bare  GET /ping: behind login, so the same server, middleware, session and user loading, no page;
  loop  GET /study (the next card), then POST /study/answer with the form the page holds, filled as
        a browser would (the page's fresh client id and CSRF token; wrong answers mostly, a rating of
        Good for flashcards); the redirect to the feedback page is not followed.
Each student is one client with one request in flight (closed loop). "saturated" phases send the
next request at once and measure capacity; "paced" phases wait about --think seconds between
requests (a student reading and typing) and measure the latency a student sees at that load.

The load generator is one asyncio process on the same machine (raw HTTP/1.1 on loopback, one
connection per request since sync workers close them). Its CPU time is measured and printed beside
the server's, so you can see it is not the bottleneck. Every figure has its baseline (bare) from the
same run beside it. Targets (issue "Performance"): loop requests/s >= 50 % of bare, loop p99 < 50 ms
at 50 concurrent students. --probe adds where the slow requests' time goes (bench/gunicorn_probe.py).
"""
from __future__ import annotations

import argparse
import asyncio
import html
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import BENCH_DIR, BIN, flask, flask_env, fresh_sqlite, machine, percentile, sqlite_url  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "bench password 1234"
# The login throttle (20 a minute per address) would take minutes for 50 logins from one address;
# the same limiter stays on the path with a higher quota.
APP = ('quizapp:create_app({"LOGIN_LIMITS_PER_ADDRESS": "100000 per minute", '
       '"LOGIN_LIMITS_PER_ACCOUNT": "100000 per minute"}, %r)')
TICK = os.sysconf("SC_CLK_TCK")

FORM_RE = re.compile(r'<form method="post" action="/study/answer"[^>]*>(.*?)</form>', re.S)
INPUT_RE = re.compile(r"<input\b([^>]*)>")
SELECT_RE = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
OPTION_RE = re.compile(r'<option value="([^"]*)"([^>]*)>')
ATTR_RE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


# -- a small HTTP client: one connection per request, cookies per student ----------------------
@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class Student:
    email: str
    cookies: dict[str, str] = field(default_factory=dict)
    answers: int = 0


class Client:
    def __init__(self, port: int):
        self.port = port

    async def request(self, student: Student, method: str, path: str, form: list[tuple[str, str]] | None = None
                      ) -> Response:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "User-Agent: quizapp-bench",
                 "Accept: text/html", "Connection: close"]
        if student.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in student.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        reader, writer = await asyncio.open_connection(HOST, self.port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            raw = await reader.read()  # sync workers close the connection after the response
        finally:
            writer.close()
        head, _, payload = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = [tuple(h.split(": ", 1)) for h in header_lines if ": " in h]
        for name, value in headers:
            if name.lower() == "set-cookie":
                pair, _, attrs = value.partition(";")
                key, _, val = pair.partition("=")
                if "expires=thu, 01 jan 1970" in attrs.lower() or "max-age=0" in attrs.lower():
                    student.cookies.pop(key.strip(), None)
                else:
                    student.cookies[key.strip()] = val.strip()
        return Response(int(status_line.split()[1]), headers, payload.decode("utf-8", "replace"))


def answer_form(page: str) -> list[tuple[str, str]] | None:
    """The answer form of a study page, filled as a hurried learner would; None on the 'done' page."""
    match = FORM_RE.search(page)
    if match is None:
        return None
    form_html = match.group(1)
    fields: list[tuple[str, str]] = []
    chosen: set[str] = set()
    for raw in INPUT_RE.findall(form_html):
        attrs = {k: html.unescape(v or "") for k, v in ATTR_RE.findall(raw)}
        name, kind = attrs.get("name"), attrs.get("type", "text")
        if not name:
            continue
        if kind in ("radio", "checkbox"):
            if name not in chosen:  # the first choice: right sometimes, wrong mostly
                chosen.add(name)
                fields.append((name, attrs.get("value", "on")))
        elif kind == "hidden":
            fields.append((name, attrs.get("value", "")))
        else:
            fields.append((name, "1950" if attrs.get("inputmode") == "decimal" else "Moscow"))
    for raw, options in SELECT_RE.findall(form_html):
        name = dict(ATTR_RE.findall(raw)).get("name")
        values = [(html.unescape(v), "selected" in rest) for v, rest in OPTION_RE.findall(options)]
        pick = next((v for v, sel in values if sel), None) or next((v for v, _ in values if v), "")
        fields.append((name, pick))
    if 'name="rating"' in form_html:
        fields.append(("rating", "3"))
    return fields


# -- the load ----------------------------------------------------------------------------------
@dataclass
class PhaseResult:
    kind: str
    mode: str
    seconds: float
    latencies: dict[str, list[float]]
    errors: dict[str, int]
    client_cpu: float
    server_cpu: float
    machine_busy: float
    done_pages: int = 0

    @property
    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    @property
    def rate(self) -> float:
        return len(self.all_latencies) / self.seconds


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def server_pids(master: int) -> list[int]:
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


async def study_step(client: Client, student: Student, result: PhaseResult, pause) -> None:
    start = time.perf_counter()
    page = await client.request(student, "GET", "/study")
    result.latencies["GET /study"].append(time.perf_counter() - start)
    if page.status != 200:
        result.errors[f"GET /study {page.status}"] = result.errors.get(f"GET /study {page.status}", 0) + 1
        return
    form = answer_form(page.body)
    if form is None:
        result.done_pages += 1
        return
    await pause()  # reading the card and answering
    start = time.perf_counter()
    answered = await client.request(student, "POST", "/study/answer", form)
    result.latencies["POST /study/answer"].append(time.perf_counter() - start)
    if answered.status != 302:
        key = f"POST /study/answer {answered.status}"
        result.errors[key] = result.errors.get(key, 0) + 1
    else:
        student.answers += 1


async def ping(client: Client, student: Student, result: PhaseResult, pause=None) -> None:
    start = time.perf_counter()
    response = await client.request(student, "GET", "/ping")
    result.latencies["GET /ping"].append(time.perf_counter() - start)
    if response.status != 200 or response.body != "pong":
        result.errors[f"GET /ping {response.status}"] = result.errors.get(f"GET /ping {response.status}", 0) + 1


async def run_phase(client: Client, students: list[Student], kind: str, seconds: float, think: float,
                    master: int) -> PhaseResult:
    keys = ["GET /ping"] if kind == "bare" else ["GET /study", "POST /study/answer"]
    result = PhaseResult(kind, "paced" if think else "saturated", 0.0, {k: [] for k in keys}, {}, 0, 0, 0)
    step = ping if kind == "bare" else study_step
    loop = asyncio.get_running_loop()
    pids = server_pids(master)
    server_before = sum(cpu_seconds(p) for p in pids)
    client_before, (busy_before, total_before) = time.process_time(), machine_ticks()
    start = loop.time()
    deadline = start + seconds

    async def pause(rng: random.Random) -> None:
        """A paced student reads, thinks and types (about ``think`` seconds, never past the deadline)."""
        if think:
            await asyncio.sleep(max(0.0, min(rng.expovariate(1 / think), deadline - loop.time())))

    async def one(student: Student, rng: random.Random) -> None:
        if think:
            await asyncio.sleep(rng.uniform(0, think))  # students do not all start at once
        while loop.time() < deadline:
            await step(client, student, result, lambda: pause(rng))
            await pause(rng)

    await asyncio.gather(*(one(s, random.Random(i)) for i, s in enumerate(students)))
    result.seconds = loop.time() - start
    busy_after, total_after = machine_ticks()
    result.client_cpu = (time.process_time() - client_before) / result.seconds
    result.server_cpu = (sum(cpu_seconds(p) for p in pids) - server_before) / result.seconds
    result.machine_busy = (busy_after - busy_before) / max(1, total_after - total_before) * (os.cpu_count() or 1)
    return result


async def log_in(client: Client, student: Student) -> None:
    page = await client.request(student, "GET", "/login")
    token = CSRF_RE.search(page.body).group(1)
    response = await client.request(student, "POST", "/login",
                                    [("csrf_token", token), ("email", student.email), ("password", PASSWORD)])
    if response.status != 302:
        raise RuntimeError(f"login of {student.email} failed: {response.status}")
    check = await client.request(student, "GET", "/ping")
    if check.status != 200:
        raise RuntimeError(f"{student.email} is not logged in: /ping said {check.status}")


# -- the server ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def prepare_database(url: str, students: int, prefix: str) -> None:
    """Migrations and built-in banks through the flask commands; students straight through the service."""
    flask(url, "db", "upgrade")
    flask(url, "bank", "load", "questions")
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.services.accounts import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"}, instance_path=str(BENCH_DIR / "instance"))
    with app.app_context():
        for i in range(students):
            create_user(f"{prefix}{i}@example.com", PASSWORD, name=f"Student {i}")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def start_server(url: str, port: int, workers: int, log: Path, probe: Path | None = None) -> subprocess.Popen:
    spec = APP % str(BENCH_DIR / "instance")
    extra, env = [], flask_env(url)
    if probe is not None:
        extra = ["--config", str(ROOT / "bench" / "gunicorn_probe.py"), "--access-logfile", str(probe) + ".access",
                 "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
        env["QUIZAPP_PROBE_LOG"] = str(probe)
    with log.open("w") as fh:
        server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers), "--bind", f"{HOST}:{port}",
                                   "--no-control-socket", "--log-level", "warning", *extra, spec],
                                  cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {log}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    time.sleep(1)  # let every worker finish booting
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer within 60 s: see {log}")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# -- report --------------------------------------------------------------------------------------
def summarise(results: list[PhaseResult], kind: str, mode: str) -> dict:
    chosen = [r for r in results if r.kind == kind and r.mode == mode]
    latencies = [x for r in chosen for x in r.all_latencies]
    seconds = sum(r.seconds for r in chosen)
    per_request = {k: [x for r in chosen for x in r.latencies[k]] for k in chosen[0].latencies}
    errors: dict[str, int] = {}
    for r in chosen:
        for k, v in r.errors.items():
            errors[k] = errors.get(k, 0) + v
    return {"rate": len(latencies) / seconds, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "per_request": per_request, "errors": errors, "seconds": seconds,
            "client_cpu": sum(r.client_cpu * r.seconds for r in chosen) / seconds,
            "server_cpu": sum(r.server_cpu * r.seconds for r in chosen) / seconds,
            "machine_busy": sum(r.machine_busy * r.seconds for r in chosen) / seconds,
            "done_pages": sum(r.done_pages for r in chosen), "phases": len(chosen)}


def report(label: str, results: list[PhaseResult], students: int) -> None:
    print(f"\n== {label}: {students} concurrent students; each phase's figures, then the totals")
    print(f"{'phase':22} {'s':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}  {'client CPU':>10} {'server CPU':>10} "
          f"{'machine busy':>12}  errors")
    for r in results:
        lat = r.all_latencies
        print(f"{r.kind + ' ' + r.mode:22} {r.seconds:>5.1f} {r.rate:>7.1f} {percentile(lat, 50) * 1e3:>7.1f} "
              f"{percentile(lat, 99) * 1e3:>7.1f}  {r.client_cpu:>9.0%}  {r.server_cpu:>9.0%}  {r.machine_busy:>11.0%}"
              f"  {r.errors or ''}")
    print("  (CPU as a share of one core; the machine has", os.cpu_count(), "cores)")
    for mode in ("saturated", "paced"):
        if not any(r.mode == mode for r in results):
            continue
        bare, loop = summarise(results, "bare", mode), summarise(results, "loop", mode)
        print(f"\n{mode}: {'':16} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}  {'client CPU':>10} {'server CPU':>10}")
        for name, s in (("bare GET /ping", bare), ("loop (GET+POST)", loop)):
            print(f"  {name:22} {s['rate']:>7.1f} {s['p50'] * 1e3:>7.1f} {s['p99'] * 1e3:>7.1f}  "
                  f"{s['client_cpu']:>9.0%}  {s['server_cpu']:>9.0%}")
        for key, values in loop["per_request"].items():
            print(f"    {key:20} {len(values) / loop['seconds']:>7.1f} {percentile(values, 50) * 1e3:>7.1f} "
                  f"{percentile(values, 99) * 1e3:>7.1f}")
        ratio = loop["rate"] / bare["rate"]
        print(f"  ratio loop/bare: requests/s {ratio:.2f}, p50 {loop['p50'] / bare['p50']:.2f}, "
              f"p99 {loop['p99'] / bare['p99']:.2f}")
        pairs = list(zip([r for r in results if r.kind == "bare" and r.mode == mode],
                         [r for r in results if r.kind == "loop" and r.mode == mode]))
        if mode == "saturated":
            per_round = sorted(lo.rate / b.rate for b, lo in pairs)
            print(f"  requests/s ratio of each round (bare phase, then its loop phase): "
                  f"{', '.join(f'{x:.2f}' for x in per_round)}; median {per_round[len(per_round) // 2]:.2f}")
            # Server CPU per request: less hostage to the other tenants of the machine than requests/s.
            cost = (bare["server_cpu"] / bare["rate"]) / (loop["server_cpu"] / loop["rate"])
            print(f"  server CPU per request, bare / loop: {cost:.2f} (the requests/s ratio a machine of our own "
                  f"would give, if the server's CPU is the bottleneck)")
        if mode == "saturated":
            print(f"  target loop rate >= 50 % of bare: {'met' if ratio >= 0.5 else 'MISSED'} ({ratio:.0%})")
            per = {k: (s["client_cpu"] / s["rate"] * 1e3, s["server_cpu"] / s["rate"] * 1e3)
                   for k, s in (("bare", bare), ("loop", loop))}
            print(f"  CPU per request, client / server: bare {per['bare'][0]:.2f} / {per['bare'][1]:.2f} ms, "
                  f"loop {per['loop'][0]:.2f} / {per['loop'][1]:.2f} ms")
        print(f"  target loop p99 < 50 ms ({mode}): {'met' if loop['p99'] < 0.05 else 'MISSED'} "
              f"({loop['p99'] * 1e3:.1f} ms)")
        if loop["errors"] or bare["errors"]:
            print(f"  ERRORS: bare {bare['errors']}, loop {loop['errors']}")
        if loop["done_pages"]:
            print(f"  ({loop['done_pages']} 'done for today' pages in the loop)")


async def drive(port: int, students: list[Student], args, master: int) -> list[PhaseResult]:
    client = Client(port)
    for student in students:  # one at a time: password hashing is slow on purpose
        await log_in(client, student)
    print(f"{len(students)} students logged in", flush=True)
    for kind in ("bare", "loop"):  # warm-up: workers' caches, connection pools, first pages
        await run_phase(client, students, kind, args.warmup, 0, master)
    results = []
    plan = [(kind, 0.0) for _ in range(args.rounds) for kind in ("bare", "loop")]
    plan += [(kind, args.think) for _ in range(args.paced_rounds) for kind in ("bare", "loop")]
    for kind, think in plan:
        result = await run_phase(client, students, kind, args.seconds, think, master)
        lat = result.all_latencies
        print(f"  {kind:4} {result.mode:9} {result.rate:7.1f} req/s  p50 {percentile(lat, 50) * 1e3:6.1f} ms  "
              f"p99 {percentile(lat, 99) * 1e3:6.1f} ms", flush=True)
        results.append(result)
    return results


def probe_report(probe: Path) -> None:
    """What --probe logged: server-side time per request kind, GC pauses, write-lock waits."""
    values: dict[str, list[float]] = {}
    for line in Path(str(probe) + ".access").read_text().splitlines():
        method, path, status, micros = line.split()
        path = "/study/answered/<id>" if path.startswith("/study/answered/") else path
        values.setdefault(f"server time {method} {path}", []).append(int(micros) / 1000)
    for line in probe.read_text().splitlines():
        key, ms = line.rsplit(" ", 1)
        values.setdefault(key, []).append(float(ms))
    print(f"\nprobe (whole run, warm-up included; all workers): {'n':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
          f"{'total s':>7} {'> 20 ms':>7}")
    for key, v in sorted(values.items()):
        if len(v) >= 10:
            print(f"  {key:45} {len(v):>6} {percentile(v, 50):>7.1f} {percentile(v, 99):>7.1f} {max(v):>7.1f} "
                  f"{sum(v) / 1000:>7.1f} {sum(x > 20 for x in v):>7}")


def bench(label: str, url: str, args) -> None:
    prefix = f"bench{os.getpid()}-"
    print(f"\n{label}: preparing {url}", flush=True)
    prepare_database(url, args.students, prefix)
    port = free_port()
    probe = BENCH_DIR / f"probe-{label}.log" if args.probe else None
    if probe is not None:
        probe.unlink(missing_ok=True)
        Path(str(probe) + ".access").unlink(missing_ok=True)
    server = start_server(url, port, args.workers, BENCH_DIR / f"gunicorn-{label}.log", probe)
    try:
        print(f"gunicorn ({args.workers} workers) on {HOST}:{port}, pid {server.pid}", flush=True)
        students = [Student(f"{prefix}{i}@example.com") for i in range(args.students)]
        results = asyncio.run(drive(port, students, args, server.pid))
    finally:
        stop_server(server)
    report(label, results, args.students)
    print(f"  answers recorded: {sum(s.answers for s in students)}")
    if probe is not None:
        probe_report(probe)


def reset_postgres(url: str, reset: bool) -> None:
    from sqlalchemy import create_engine, inspect, text

    from quizapp.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        if reset:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        elif inspect(conn).get_table_names():
            raise SystemExit("DATABASE_URL's database is not empty: pass --reset-postgres to drop its public schema")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="saturated bare/loop pairs")
    parser.add_argument("--paced-rounds", type=int, default=1, help="paced bare/loop pairs")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between a paced student's requests")
    parser.add_argument("--reset-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL run")
    parser.add_argument("--probe", action="store_true", help="log server-side times, GC pauses and write-lock "
                        "waits (bench/gunicorn_probe.py); adds a little work to every request")
    args = parser.parse_args()
    print(machine())
    print(f"phases: {args.rounds} x (bare, loop) saturated, {args.paced_rounds} x (bare, loop) paced "
          f"(think {args.think} s), {args.seconds:.0f} s each, after {args.warmup:.0f} s warm-up of each")
    if not args.no_sqlite:
        bench("SQLite", sqlite_url(fresh_sqlite("review-loop.db")), args)
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith(("postgres://", "postgresql")):
        reset_postgres(postgres, args.reset_postgres)
        bench("PostgreSQL", postgres, args)


if __name__ == "__main__":
    main()
