"""Review-loop benchmark: the three steps of the study loop under 50 students, against a bare signed-in page.

Run: .venv/bin/python bench/bench_review_loop.py [--postgres] [--students 50] [--rounds 3] [--seconds 10]
     --postgres        also runs on a local PostgreSQL cluster it starts (initdb/pg_ctl as .ci/run does,
                       port --pg-port, 54341 by default; CI's are 54329/54330) and stops afterwards
     --no-sqlite       PostgreSQL only
     DATABASE_URL=postgresql+psycopg://... instead uses that (empty) database (--reset-postgres drops
                       its public schema first)
     --app-root DIR    serve another source tree (a copy of the repository before a change) with the
                       same load: "before" and "after" from the same benchmark
     --synchronous NORMAL   SQLite's PRAGMA synchronous for the run (the app sets FULL; measurement only)
     --probe           log server-side times, GC pauses and write-lock waits (bench/gunicorn_probe.py)

Serves the app as `make serve` does (gunicorn, 4 sync workers, the repository's gunicorn.conf.py when
there is one) on a free loopback port, on a fresh database (migrated with `flask db upgrade`, the
built-in banks loaded from questions/ with ../shared/documents as `make banks` does), creates the
students and logs each one in through the login form. Then, in one run, alternating phases of:
  bare      GET /ping: behind login, so the same server, middleware, session and user loading, no page;
  study     GET /study, the next card, again and again (nothing answered: the same card's page);
  answer    POST /study/answer of the form the student's last card page held, again and again: each with
            a fresh answer id and without the card's version (the same form answered again is recorded
            again: the whole write path each time, the version check is one string comparison);
  feedback  GET /study/answered/<id> of the student's last answer, again and again;
  loop      the loop a student walks: GET /study, POST /study/answer with the form filled as a browser
            would (the page's answer id and CSRF token; a first choice or a typed answer, mostly wrong;
            Good on a flashcard), then GET of the feedback page the answer redirects to (flashcards
            redirect straight to the next card, so they have no feedback step).
Each student is one client with one request in flight. "saturated" phases send the next request at
once and measure capacity; "paced" phases (bare and loop) wait about --think seconds before each
page (reading, typing; the redirect after an answer is followed at once, as a browser does) and
measure the latency a student sees at that load.

Targets (issue "The study loop at the speed of a local app"), each a ratio in one run:
  loop ratio = 3 / (1/study + 1/answer + 1/feedback) requests/s, each step saturated on its own,
               divided by bare requests/s: >= 0.5 (printed per round, and the median)
  paced at 50 students, p99 < 50 ms for each of the three steps.
The measured mixed loop phase is printed beside the formula as a check. Page bytes (as sent, gzip when
the server compresses: the client accepts gzip as a browser does) are printed beside the login page's.

The load generator is one asyncio process on the same machine (raw HTTP/1.1 on loopback, one
connection per request since sync workers close them); its CPU time is printed beside the server's.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import html
import os
import random
import re
import secrets
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
STATIC_RE = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')

STUDY, ANSWER, FEEDBACK, PING = "GET /study", "POST /study/answer", "GET feedback", "GET /ping"
STEPS = (STUDY, ANSWER, FEEDBACK)
PHASE_KEYS = {"bare": [PING], "study": [STUDY], "answer": [ANSWER], "feedback": [FEEDBACK], "loop": list(STEPS)}


# -- a small HTTP client: one connection per request, cookies per student ----------------------
@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: str
    wire_bytes: int  # the body as sent (compressed when the server compressed it)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass
class Student:
    email: str
    cookies: dict[str, str] = field(default_factory=dict)
    answers: int = 0
    form: list[tuple[str, str]] | None = None  # the answer form of the last card page
    feedback: str | None = None  # the last answer's feedback page


def _dechunk(payload: bytes) -> bytes:
    out, rest = bytearray(), payload
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return bytes(out)


class Client:
    def __init__(self, port: int, accept_encoding: str = "gzip"):
        self.port = port
        self.accept_encoding = accept_encoding

    async def request(self, student: Student, method: str, path: str, form: list[tuple[str, str]] | None = None,
                      accept_encoding: str | None = None) -> Response:
        body = urlencode(form).encode() if form is not None else b""
        encoding = self.accept_encoding if accept_encoding is None else accept_encoding
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "User-Agent: quizapp-bench",
                 "Accept: text/html", "Connection: close"]
        if encoding:
            lines.append(f"Accept-Encoding: {encoding}")
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
        lowered = {k.lower(): v for k, v in headers}
        if "chunked" in lowered.get("transfer-encoding", "").lower():
            payload = _dechunk(payload)
        wire = len(payload)
        if lowered.get("content-encoding", "").lower() == "gzip":
            payload = gzip.decompress(payload)
        for name, value in headers:
            if name.lower() == "set-cookie":
                pair, _, attrs = value.partition(";")
                key, _, val = pair.partition("=")
                if "expires=thu, 01 jan 1970" in attrs.lower() or "max-age=0" in attrs.lower():
                    student.cookies.pop(key.strip(), None)
                else:
                    student.cookies[key.strip()] = val.strip()
        return Response(int(status_line.split()[1]), headers, payload.decode("utf-8", "replace"), wire)


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


def resend(form: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The same answer as a new one: a fresh answer id, no card version (so it is not refused as stale)."""
    fresh = secrets.token_urlsafe(16)
    return [(k, fresh if k == "client_id" else v) for k, v in form if k != "version"]


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
    wire_bytes: dict[str, list[int]] = field(default_factory=dict)

    @property
    def all_latencies(self) -> list[float]:
        return [x for values in self.latencies.values() for x in values]

    @property
    def rate(self) -> float:
        return len(self.all_latencies) / self.seconds

    def note(self, key: str, seconds: float, response: Response, expect: int) -> bool:
        self.latencies[key].append(seconds)
        self.wire_bytes.setdefault(key, []).append(response.wire_bytes)
        if response.status != expect:
            name = f"{key} {response.status}"
            self.errors[name] = self.errors.get(name, 0) + 1
            return False
        return True


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


async def get_card(client: Client, student: Student, result: PhaseResult | None) -> None:
    start = time.perf_counter()
    page = await client.request(student, "GET", "/study")
    if result is not None and not result.note(STUDY, time.perf_counter() - start, page, 200):
        return
    student.form = answer_form(page.body)
    if student.form is None and result is not None:
        result.done_pages += 1


async def post_answer(client: Client, student: Student, result: PhaseResult | None, *, again: bool = False) -> bool:
    """Sends the student's answer form; True when it redirects to a feedback page (recorded in student)."""
    if student.form is None:
        return False
    start = time.perf_counter()
    answered = await client.request(student, "POST", "/study/answer", resend(student.form) if again else student.form)
    if result is not None and not result.note(ANSWER, time.perf_counter() - start, answered, 302):
        return False
    if answered.status != 302:
        return False
    student.answers += 1
    if not again:
        student.form = None  # answered: the next card's page brings the next form
    location = answered.header("location") or ""
    if "/study/answered/" in location:
        student.feedback = "/study/answered/" + location.rsplit("/study/answered/", 1)[1]
        return True
    return False


async def get_feedback(client: Client, student: Student, result: PhaseResult | None) -> None:
    start = time.perf_counter()
    page = await client.request(student, "GET", student.feedback)
    if result is not None:
        result.note(FEEDBACK, time.perf_counter() - start, page, 200)


async def ready(client: Client, student: Student) -> None:
    """Untimed, before a phase: the student holds a card's form and has a feedback page to look at."""
    for _ in range(20):
        if student.form is None:
            await get_card(client, student, None)
        if student.feedback is not None and student.form is not None:
            return
        await post_answer(client, student, None)
    raise RuntimeError(f"{student.email}: no card to answer or no feedback page after 20 tries")


async def run_phase(client: Client, students: list[Student], kind: str, seconds: float, think: float,
                    master: int) -> PhaseResult:
    result = PhaseResult(kind, "paced" if think else "saturated", 0.0, {k: [] for k in PHASE_KEYS[kind]}, {}, 0, 0, 0)
    if kind in ("answer", "feedback"):
        await asyncio.gather(*(ready(client, s) for s in students))
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

    async def step(student: Student, rng: random.Random) -> None:
        if kind == "bare":
            began = time.perf_counter()
            response = await client.request(student, "GET", "/ping")
            if result.note(PING, time.perf_counter() - began, response, 200) and response.body != "pong":
                result.errors["GET /ping body"] = result.errors.get("GET /ping body", 0) + 1
        elif kind == "study":
            await get_card(client, student, result)
        elif kind == "answer":
            await post_answer(client, student, result, again=True)
        elif kind == "feedback":
            await get_feedback(client, student, result)
        else:
            await get_card(client, student, result)
            if student.form is None:
                return
            await pause(rng)  # reading the card and answering
            if loop.time() < deadline and await post_answer(client, student, result):
                await get_feedback(client, student, result)  # the browser follows the redirect at once

    async def one(student: Student, rng: random.Random) -> None:
        if think:
            await asyncio.sleep(rng.uniform(0, think))  # students do not all start at once
        while loop.time() < deadline:
            await step(student, rng)
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
    # With their source documents, as `make banks` loads them: feedback pages show the quotes in context.
    documents = ROOT.parent / "shared" / "documents"
    flask(url, "bank", "load", "questions", *(["--documents", str(documents)] if documents.is_dir() else []))
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


def start_server(url: str, port: int, args, log: Path, probe: Path | None = None) -> subprocess.Popen:
    spec = APP % str(BENCH_DIR / "instance")
    root = Path(args.app_root).resolve()
    env = flask_env(url)
    env["PYTHONPATH"] = str(root)  # the tree served (an editable install would put this repository first)
    own = root / "gunicorn.conf.py"
    extra = ["--config", str(own)] if own.exists() else []
    if probe is not None or args.synchronous:
        # The probe config loads the served tree's gunicorn.conf.py and adds its measurements.
        extra = ["--config", str(ROOT / "bench" / "gunicorn_probe.py")]
        env["QUIZAPP_GUNICORN_CONF"] = str(own)
    if probe is not None:
        extra += ["--access-logfile", str(probe) + ".access", "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
        env["QUIZAPP_PROBE_LOG"] = str(probe)
    if args.synchronous:
        env["QUIZAPP_BENCH_SYNCHRONOUS"] = args.synchronous
    with log.open("w") as fh:
        server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind", f"{HOST}:{port}",
                                   "--no-control-socket", "--log-level", "warning", *extra, spec],
                                  cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT)
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
def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return (ordered[n // 2] + ordered[(n - 1) // 2]) / 2 if n else float("nan")


def loop_rate(study: float, answer: float, feedback: float) -> float:
    """Requests/s of the loop (one request of each step in turn) from each step's saturated rate."""
    return 3 / (1 / study + 1 / answer + 1 / feedback)


def report(label: str, results: list[PhaseResult], students: int) -> dict:
    print(f"\n== {label}: {students} concurrent students; each phase's figures, then the totals")
    print(f"{'phase':20} {'s':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}  {'client CPU':>10} {'server CPU':>10} "
          f"{'machine busy':>12}  {'server ms/req':>13}  errors")
    for r in results:
        lat = r.all_latencies
        print(f"{r.kind + ' ' + r.mode:20} {r.seconds:>5.1f} {r.rate:>7.1f} {percentile(lat, 50) * 1e3:>7.1f} "
              f"{percentile(lat, 99) * 1e3:>7.1f}  {r.client_cpu:>9.0%}  {r.server_cpu:>9.0%}  {r.machine_busy:>11.0%}"
              f"  {r.server_cpu / max(r.rate, 1e-9) * 1e3:>13.2f}  {r.errors or ''}")
    print("  (CPU as a share of one core; the machine has", os.cpu_count(), "cores)")
    summary: dict = {}

    sat = [r for r in results if r.mode == "saturated"]
    rounds: list[dict[str, PhaseResult]] = []
    for r in sat:
        if r.kind == "bare" or not rounds:
            rounds.append({})
        rounds[-1][r.kind] = r
    rounds = [r for r in rounds if all(k in r for k in ("bare", "study", "answer", "feedback"))]
    if rounds:
        print("\nsaturated, each round's requests/s and its ratio to that round's bare /ping:")
        print(f"  {'round':6} {'bare':>7} {'study':>13} {'answer':>13} {'feedback':>13} {'loop (formula)':>16} "
              f"{'loop (measured)':>16}")
        ratios: dict[str, list[float]] = {k: [] for k in ("study", "answer", "feedback", "formula", "measured")}
        for i, rnd in enumerate(rounds, 1):
            bare = rnd["bare"].rate
            formula = loop_rate(rnd["study"].rate, rnd["answer"].rate, rnd["feedback"].rate)
            measured = rnd["loop"].rate if "loop" in rnd else float("nan")
            cells = {"study": rnd["study"].rate, "answer": rnd["answer"].rate, "feedback": rnd["feedback"].rate,
                     "formula": formula, "measured": measured}
            for k, v in cells.items():
                ratios[k].append(v / bare)
            print(f"  {i:<6} {bare:>7.0f} " + " ".join(
                f"{cells[k]:>7.0f} ({cells[k] / bare:.2f})" for k in ("study", "answer", "feedback"))
                + f" {formula:>8.0f} ({formula / bare:.2f}) {measured:>8.0f} ({measured / bare:.2f})")
        med = {k: median(v) for k, v in ratios.items()}
        print(f"  median ratio to bare: study {med['study']:.2f}, answer {med['answer']:.2f}, "
              f"feedback {med['feedback']:.2f}; loop {med['formula']:.2f} (formula), {med['measured']:.2f} (measured)")
        print(f"  target loop ratio >= 0.5: {'met' if med['formula'] >= 0.5 else 'MISSED'} ({med['formula']:.2f})")
        cost = {k: median([rnd[k].server_cpu / rnd[k].rate * 1e3 for rnd in rounds])
                for k in ("bare", "study", "answer", "feedback")}
        print("  server CPU per request (ms, median of rounds): " + ", ".join(f"{k} {v:.2f}" for k, v in cost.items())
              + f"; CPU-based loop ratio {3 * cost['bare'] / (cost['study'] + cost['answer'] + cost['feedback']):.2f}")
        summary["ratios"] = med
        summary["bare_rate"] = median([rnd["bare"].rate for rnd in rounds])

    for mode in ("saturated", "paced"):
        chosen = [r for r in results if r.mode == mode]
        if not chosen:
            continue
        print(f"\n{mode}, all phases of a kind together: {'':4} {'n':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'max ms':>7}")
        kinds = ["bare", "study", "answer", "feedback", "loop"]
        for kind in kinds:
            of_kind = [r for r in chosen if r.kind == kind]
            if not of_kind:
                continue
            seconds = sum(r.seconds for r in of_kind)
            for key in PHASE_KEYS[kind]:
                values = [x for r in of_kind for x in r.latencies[key]]
                if not values:
                    continue
                print(f"  {kind:9} {key:28} {len(values):>6} {len(values) / seconds:>7.1f} "
                      f"{percentile(values, 50) * 1e3:>7.1f} {percentile(values, 99) * 1e3:>7.1f} "
                      f"{max(values) * 1e3:>7.1f}")
                if mode == "paced":
                    summary.setdefault("paced", {})[key] = (percentile(values, 50), percentile(values, 99))
        errors: dict[str, int] = {}
        for r in chosen:
            for k, v in r.errors.items():
                errors[k] = errors.get(k, 0) + v
        if errors:
            print(f"  ERRORS: {errors}")
        done = sum(r.done_pages for r in chosen)
        if done:
            print(f"  ({done} 'done for today' pages)")
    if "paced" in summary:
        verdict = {k: v[1] < 0.05 for k, v in summary["paced"].items() if k in STEPS}
        print("  target paced p99 < 50 ms for each step: " + ", ".join(
            f"{k} {'met' if ok else 'MISSED'} ({summary['paced'][k][1] * 1e3:.1f} ms)" for k, ok in verdict.items()))
    return summary


async def page_bytes(client: Client, student: Student) -> None:
    """Bytes of each page as sent (gzip accepted, as a browser does) beside the login page's, and the
    static files with their caching headers."""
    print("\npage bytes (one request each; 'identity' asks for no compression):")
    print(f"  {'page':34} {'identity':>9} {'gzip':>7} {'x login (gzip)':>15}  cache-control")
    await ready(client, student)
    anonymous = Student("anonymous")
    rows: list[tuple[str, Student, str]] = [("login (signed out, baseline)", anonymous, "/login"),
                                           ("study: next card", student, "/study"),
                                           ("feedback", student, student.feedback or "/study")]
    first = await client.request(student, "GET", "/study")
    rows += [(f"static {p.split('?')[0][8:]}", student, p) for p in sorted(set(STATIC_RE.findall(first.body)))]
    login_gzip = None
    for name, who, path in rows:
        plain = await client.request(who, "GET", path, accept_encoding="identity")
        packed = await client.request(who, "GET", path, accept_encoding="gzip")
        if plain.status != 200 or packed.status != 200:
            print(f"  {name:34} status {plain.status}/{packed.status}")
            continue
        if plain.body != packed.body and "/static/" in path:
            print(f"  {name:34} COMPRESSED BODY DIFFERS")
        login_gzip = login_gzip or packed.wire_bytes
        print(f"  {name:34} {plain.wire_bytes:>9,} {packed.wire_bytes:>7,} {packed.wire_bytes / login_gzip:>15.2f}  "
              f"{packed.header('cache-control') or ''}")
    # The answer itself: a redirect, a few hundred bytes either way.


async def drive(port: int, students: list[Student], args, master: int) -> list[PhaseResult]:
    client = Client(port)
    for student in students:  # one at a time: password hashing is slow on purpose
        await log_in(client, student)
    print(f"{len(students)} students logged in", flush=True)
    for kind in ("bare", "loop", "study", "answer", "feedback"):  # warm-up: workers' caches, first pages
        await run_phase(client, students, kind, args.warmup, 0, master)
    results = []
    plan = [(kind, 0.0, args.seconds) for _ in range(args.rounds)
            for kind in ("bare", "study", "answer", "feedback", "loop")]
    plan += [(kind, args.think, args.paced_seconds) for _ in range(args.paced_rounds) for kind in ("bare", "loop")]
    for kind, think, seconds in plan:
        result = await run_phase(client, students, kind, seconds, think, master)
        line = "  ".join(f"{k} p50 {percentile(v, 50) * 1e3:5.1f} p99 {percentile(v, 99) * 1e3:6.1f}"
                         for k, v in result.latencies.items())
        print(f"  {kind:8} {result.mode:9} {result.rate:7.1f} req/s  {line}  {result.errors or ''}", flush=True)
        results.append(result)
    await page_bytes(client, students[0])
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


def bench(label: str, url: str, args) -> dict:
    prefix = f"bench{os.getpid()}-"
    print(f"\n{label}: preparing {url}", flush=True)
    prepare_database(url, args.students, prefix)
    port = free_port()
    probe = BENCH_DIR / f"probe-{label}.log" if args.probe else None
    if probe is not None:
        probe.unlink(missing_ok=True)
        Path(str(probe) + ".access").unlink(missing_ok=True)
    server = start_server(url, port, args, BENCH_DIR / f"gunicorn-{label}.log", probe)
    try:
        print(f"gunicorn ({args.workers} workers) on {HOST}:{port}, pid {server.pid}, serving {args.app_root}",
              flush=True)
        students = [Student(f"{prefix}{i}@example.com") for i in range(args.students)]
        results = asyncio.run(drive(port, students, args, server.pid))
    finally:
        stop_server(server)
    summary = report(label, results, args.students)
    print(f"  answers recorded: {sum(s.answers for s in students)}; load average now "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    if probe is not None:
        probe_report(probe)
    return summary


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
    from bench.local_postgres import DEFAULT_PORT, local_postgres

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="saturated rounds of bare, study, answer, feedback, loop")
    parser.add_argument("--paced-rounds", type=int, default=1, help="paced (bare, loop) pairs")
    parser.add_argument("--seconds", type=float, default=8, help="length of each saturated phase")
    parser.add_argument("--paced-seconds", type=float, default=40, help="length of each paced phase")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds before each of a paced student's pages")
    parser.add_argument("--postgres", action="store_true", help="also run on a local PostgreSQL cluster it starts")
    parser.add_argument("--pg-port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--reset-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true", help="only the PostgreSQL run")
    parser.add_argument("--app-root", default=str(ROOT), help="the source tree to serve (default: this one)")
    parser.add_argument("--synchronous", choices=["FULL", "NORMAL"], help="SQLite's synchronous for this run")
    parser.add_argument("--probe", action="store_true", help="log server-side times, GC pauses and write-lock "
                        "waits (bench/gunicorn_probe.py); adds a little work to every request")
    args = parser.parse_args()
    print(machine())
    print(f"serving {args.app_root}; phases: {args.rounds} saturated rounds of (bare, study, answer, feedback, loop), "
          f"{args.seconds:.0f} s each; {args.paced_rounds} x (bare, loop) paced (think {args.think} s), "
          f"{args.paced_seconds:.0f} s each; {args.warmup:.0f} s warm-up of each kind first"
          + (f"; SQLite synchronous={args.synchronous}" if args.synchronous else ""))
    if not args.no_sqlite:
        bench("SQLite", sqlite_url(fresh_sqlite("review-loop.db")), args)
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith(("postgres://", "postgresql")):
        reset_postgres(postgres, args.reset_postgres)
        bench("PostgreSQL", postgres, args)
    elif args.postgres:
        with local_postgres(args.pg_port) as url:
            bench("PostgreSQL", url, args)
    print(f"\nfinished {machine()}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
