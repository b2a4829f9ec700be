"""A deployment as an operator runs it, and students as browsers drive it.

``deploy`` makes a fresh database (a SQLite file, or the PostgreSQL database DATABASE_URL names,
emptied as tests/conftest.py does), runs ``flask db upgrade`` and ``flask bank load questions``
and creates the students. ``Gunicorn`` serves it with 4 workers on a free loopback port.
``Student`` is a plain HTTP client (the standard library's http.client, one connection per
request as gunicorn's sync workers do) that logs in and answers cards through the same forms a
browser without script posts. ``run_load`` drives many of them for a bounded time and tallies
what the server acknowledged; ``Ledger`` reads the database afterwards to check it.
"""
from __future__ import annotations

import contextlib
import html
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, func, select, text
from werkzeug.security import generate_password_hash

from quizapp import create_app
from quizapp.domain import scheduling as sched
from quizapp.extensions import db
from quizapp.models import Card, ReviewLog, User
from quizapp.services.cards import card_seed, card_state, scheduler_for
from tests.answers import fill_card_form
from tests.conftest import PASSWORD, POSTGRES

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "reliability-test-secret"
REQUEST_TIMEOUT = 120  # seconds; a request waits in gunicorn's queue behind the other students'
ANSWERED = re.compile(r"^/study(/answered/\d+)?$")  # where an accepted answer redirects


def load_seconds() -> float:
    return float(os.environ.get("QUIZAPP_LOAD_SECONDS", "20"))


def load_students() -> int:
    return int(os.environ.get("QUIZAPP_LOAD_STUDENTS", "100"))


def database_kind() -> str:
    return "postgresql" if POSTGRES else "sqlite"


# -- the deployment --------------------------------------------------------------------------
@dataclass
class Deployment:
    database_url: str
    folder: Path
    emails: list[str]

    @property
    def instance(self) -> Path:
        return self.folder / "instance"

    @property
    def sqlite_path(self) -> Path:
        assert not POSTGRES
        return Path(self.database_url.removeprefix("sqlite:///"))

    def env(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """``flask --app quizapp ARGS`` as an operator types it, against this deployment."""
        result = subprocess.run([str(BIN / "flask"), "--app", "quizapp", *args], cwd=ROOT, env=self.env(),
                                capture_output=True, text=True, timeout=600)
        if check:
            assert result.returncode == 0, (args, result.stdout, result.stderr)
        return result

    def app(self):
        """An app object on the same database, for reading it (no server)."""
        return create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": self.database_url},
                          instance_path=str(self.instance))


def empty_database(folder: Path) -> str:
    """A SQLite file under ``folder``, or DATABASE_URL's PostgreSQL database with an empty schema."""
    if not POSTGRES:
        return f"sqlite:///{folder / 'quizapp.db'}"
    url = os.environ["DATABASE_URL"]
    from quizapp.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def deploy(folder: Path, students: int) -> Deployment:
    """A fresh database, migrated, with the built-in banks and ``students`` accounts (see below)."""
    deployment = Deployment(empty_database(folder), folder, [f"student{i}@example.com" for i in range(students)])
    deployment.instance.mkdir(parents=True, exist_ok=True)
    deployment.flask("db", "upgrade")
    deployment.flask("bank", "load", "questions")
    app = deployment.app()
    with app.app_context():
        # A cheap hash (Werkzeug checks any method it names): the login form and session code run as
        # usual, but 100 students arriving at once do not spend ~20 s of the shared CPU on scrypt.
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        # Half the class takes 1 new card a day: then cards in learning come back within minutes,
        # so the run also reviews cards again (what replaying a card's log is about).
        db.session.add_all(User(email=email, name=f"Student {i}", password_hash=cheap, new_per_day=1 if i % 2 else 20)
                           for i, email in enumerate(deployment.emails))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return deployment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


class Gunicorn:
    """``gunicorn --workers 4 'quizapp:create_app(...)'`` on a loopback port, its output in a log file."""

    def __init__(self, deployment: Deployment, workers: int = 4, port: int | None = None,
                 config: dict | None = None, extra_args: tuple[str, ...] = ()):
        self.deployment = deployment
        self.workers = workers
        # Login throttling is per address; every simulated student comes from 127.0.0.1.
        self.config = {"RATELIMIT_ENABLED": False} if config is None else config
        self.extra_args = extra_args
        self.port = port or free_port()
        self.log_path = deployment.folder / "gunicorn.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Gunicorn:
        factory = f"quizapp:create_app({self.config!r}, {str(self.deployment.instance)!r})"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                # As `make serve` runs it (sync workers, default 30 s timeout), stopping sooner.
                [str(BIN / "gunicorn"), "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
                 # No control socket: gunicorn's default (~/.gunicorn/gunicorn.ctl) is one per user, so a
                 # second instance (another test, a benchmark, `make serve`) would take it over and
                 # delete it on exit.
                 "--no-control-socket", "--access-logfile", "-", "--graceful-timeout", "10",
                 *self.extra_args, factory],
                cwd=ROOT, env=self.deployment.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"gunicorn exited:\n{self.log()[-3000:]}"
            if len(children(self.proc.pid)) >= self.workers:
                try:
                    if Student(self.url, "").request("GET", "/healthz").status == 200:
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not come up:\n{self.log()[-3000:]}")

    def pids(self) -> list[int]:
        assert self.proc is not None
        return [self.proc.pid, *children(self.proc.pid)]

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc.wait()
        self.proc = None

    def kill(self) -> list[int]:
        """SIGKILL to the master and every worker at once, as a power cut would; waits until all are gone."""
        assert self.proc is not None
        pids = self.pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(30)
        self.proc = None
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in pids):
            assert time.monotonic() < deadline, "gunicorn workers survived SIGKILL"
            time.sleep(0.05)
        return pids

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def logged_server_errors(self) -> list[str]:
        """Access-log lines of 5xx responses (the server's own count, next to what clients saw)."""
        return [line for line in self.log().splitlines() if re.search(r'HTTP/1\.[01]" 5\d\d ', line)]


# -- a student's browser ---------------------------------------------------------------------
@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return urlsplit(self.headers.get("Location", "")).path


def hidden(page: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" (?:type="hidden" )?value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


class Student:
    """A browser without script: cookies, forms, no redirects followed unless asked."""

    def __init__(self, base_url: str, email: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.email = email
        self.cookies: dict[str, str] = {}
        self.tally: Tally | None = None  # counts every response's status when set
        self.rng = random.Random(email)  # noqa: S311

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            headers = {"Accept": "text/html", "User-Agent": "quizapp-reliability"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urlencode(form, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode("utf-8", errors="replace"))
        finally:
            conn.close()
        if self.tally is not None:
            with self.tally.lock:
                self.tally.statuses[response.status] += 1
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def login(self) -> None:
        page = self.request("GET", "/login")
        token = hidden(page.body, "csrf_token")
        response = self.request("POST", "/login", {"csrf_token": token, "email": self.email, "password": PASSWORD})
        assert response.status == 302 and response.location == "/", (self.email, response.status, response.body[:500])

    def answer_form(self) -> dict | None:
        """GET /study and fill in the card's form as a student would; None when the day's work is done."""
        page = self.request("GET", "/study")
        if page.status != 200:
            raise UnexpectedResponse("GET /study", page)
        if 'name="question_id"' not in page.body:
            return None
        form = fill_card_form(page.body, self.rng)
        form["client_id"] = uuid.uuid4().hex  # a fresh answer id, made by the client
        return form


class UnexpectedResponse(Exception):
    def __init__(self, what: str, response: Response):
        super().__init__(f"{what}: {response.status} {response.location or response.body[:200]!r}")
        self.status = response.status


# -- load ------------------------------------------------------------------------------------
@dataclass
class Tally:
    """What the students saw: answers sent, the ones acknowledged, and everything that went wrong."""

    sent: int = 0
    acknowledged: list[tuple[str, str, float]] = field(default_factory=list)  # (email, client_id, when)
    errors: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    started: float = 0.0  # time.monotonic() when the students began
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def acknowledged_before(self, moment: float) -> list[tuple[str, str]]:
        with self.lock:
            return [(email, cid) for email, cid, when in self.acknowledged if when < moment]


def study(student: Student, tally: Tally, until: float, stop: threading.Event) -> None:
    """One student's loop: next card, answer it, read the feedback; until time is up or ``stop``."""
    student.tally = tally
    stop.wait(student.rng.uniform(0, 1))  # a class does not click in step
    while time.monotonic() < until and not stop.is_set():
        try:
            form = student.answer_form()
            if form is None:
                stop.wait(1)
                continue
            with tally.lock:
                tally.sent += 1
            response = student.request("POST", "/study/answer", form)
            if response.status not in (302, 303) or not ANSWERED.match(response.location):
                raise UnexpectedResponse("POST /study/answer", response)
            with tally.lock:
                tally.acknowledged.append((student.email, form["client_id"], time.monotonic()))
            if response.location != "/study":
                feedback = student.request("GET", response.location)
                if feedback.status != 200:
                    raise UnexpectedResponse("GET feedback", feedback)
        except UnexpectedResponse as exc:
            tally.error(f"HTTP {exc.status}")
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out
            tally.error(type(exc).__name__)
            stop.wait(0.05)
        except Exception as exc:  # a bug in this harness must show, not end the thread silently
            tally.error(f"{type(exc).__name__}: {exc}")
            stop.wait(0.05)


def log_in_all(base_url: str, emails: list[str]) -> list[Student]:
    """Every student logs in (a few at a time, as a class arriving)."""
    students = [Student(base_url, email) for email in emails]
    failures: list[str] = []

    def login(chunk: list[Student]) -> None:
        for s in chunk:
            try:
                s.login()
            except (AssertionError, OSError, http.client.HTTPException) as exc:
                failures.append(f"{s.email}: {exc!r}")

    threads = [threading.Thread(target=login, args=(students[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [], failures[:5]
    return students


def run_load(students: list[Student], seconds: float, stop: threading.Event | None = None,
             tally: Tally | None = None) -> Tally:
    """All ``students`` study at once for ``seconds`` (or until ``stop`` is set); the loops end by themselves.
    Pass ``tally`` to watch it from another thread while they study."""
    stop = stop or threading.Event()
    tally = tally or Tally()
    tally.started = time.monotonic()
    until = tally.started + seconds
    threads = [threading.Thread(target=study, args=(s, tally, until, stop), name=s.email) for s in students]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + REQUEST_TIMEOUT + 30)
    assert not any(t.is_alive() for t in threads), "a student's loop did not end"
    tally.seconds = time.monotonic() - tally.started
    return tally


def in_background(function, *args) -> tuple[threading.Thread, list]:
    """Runs ``function(*args)`` in a thread; its result lands in the returned list."""
    box: list = []
    thread = threading.Thread(target=lambda: box.append(function(*args)))
    thread.start()
    return thread, box


# -- what the database holds ------------------------------------------------------------------
class Ledger:
    """Reads a deployment's database after (or between) runs."""

    def __init__(self, deployment: Deployment):
        self.app = deployment.app()

    def close(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def answer_counts(self) -> Counter:
        """(email, client_id) -> rows in review_logs."""
        with self.app.app_context():
            rows = db.session.execute(select(User.email, ReviewLog.client_id, func.count())
                                      .join(User, User.id == ReviewLog.user_id)
                                      .group_by(User.email, ReviewLog.client_id)).all()
            db.session.remove()
        return Counter({(email, cid): n for email, cid, n in rows})

    def cards_off_their_log(self) -> list[str]:
        """Cards whose state is not what replaying their review log gives (should be none)."""
        wrong = []
        with self.app.app_context():
            for card in db.session.scalars(select(Card).order_by(Card.id)):
                user = db.session.get(User, card.user_id)
                logs = db.session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id)
                                          .order_by(ReviewLog.id)).all()
                replayed = sched.replay([(log.rating, log.reviewed_at) for log in logs], scheduler_for(user),
                                        seed=card_seed(card))
                if card_state(card) != replayed:
                    wrong.append(f"card {card.id}: {card_state(card)} != replayed {replayed}")
            db.session.remove()
        return wrong

    def cards_answered(self) -> int:
        with self.app.app_context():
            n = db.session.scalar(select(func.count(func.distinct(ReviewLog.card_id)))) or 0
            db.session.remove()
        return n


def missing(acknowledged: list[tuple[str, str]], counts: Counter) -> list[tuple[str, str]]:
    return [key for key in acknowledged if counts[key] == 0]


def figures(name: str, **values) -> str:
    """One line, easy to grep from the test output: ``FIGURES load db=sqlite students=100 ...``."""
    parts = [f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()]
    return f"FIGURES {name} db={database_kind()} " + " ".join(parts)
