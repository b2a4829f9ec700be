"""A 10,000-question upload in the browser flow while students study: progress, and their latency.

Run: .venv/bin/python bench/bench_upload.py [--students 10] [--questions 10000] [--baseline 15]

Serves the app as `make serve` does (gunicorn, 4 sync workers) on a fresh SQLite database under
/tmp/quizapp-bench/. Students answer cards in a closed loop (GET /study, POST /study/answer) the
whole time. First a baseline phase with no upload; then a teacher uploads a GIFT file of
--questions questions through /teach/upload, follows /status.json until it is checked (the
progress the page shows), saves, and follows it until saved. Printed: seconds to check and to save,
the progress samples seen, and the students' requests per second and p50 / p99 / max latency in
both phases (baseline beside the upload phase), with any 5xx.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import BIN, flask, flask_env, fresh_sqlite, machine, percentile, sqlite_url  # noqa: E402

PASSWORD = "bench password 1234"
APP = ('quizapp:create_app({"LOGIN_LIMITS_PER_ADDRESS": "100000 per minute", '
       '"LOGIN_LIMITS_PER_ACCOUNT": "100000 per minute"})')
CSRF = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(base: str, email: str) -> requests.Session:
    s = requests.Session()
    token = CSRF.search(s.get(base + "/login").text).group(1)
    r = s.post(base + "/login", data={"csrf_token": token, "email": email, "password": PASSWORD},
               allow_redirects=False)
    assert r.status_code == 302, r.status_code
    return s


class Students:
    """Closed-loop students; each sample is (phase, seconds, status)."""

    def __init__(self, base: str, sessions: list[requests.Session]):
        self.base, self.sessions = base, sessions
        self.phase = "baseline"
        self.samples: list[tuple[str, float, int]] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def _timed(self, fn, *args, **kwargs):
        start = time.perf_counter()
        r = fn(*args, **kwargs)
        with self.lock:
            self.samples.append((self.phase, time.perf_counter() - start, r.status_code))
        return r

    def run(self, s: requests.Session) -> None:
        while not self.stop.is_set():
            page = self._timed(s.get, self.base + "/study").text
            form = dict(HIDDEN.findall(page))
            if "question_id" not in form:
                time.sleep(0.2)
                continue
            self._timed(s.post, self.base + "/study/answer", data={**form, "answer": "x", "rating": "3"},
                        allow_redirects=False)

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.run, args=(s,), daemon=True) for s in self.sessions]
        for t in threads:
            t.start()
        return threads

    def summary(self, phase: str, seconds: float) -> str:
        times = [t for p, t, _ in self.samples if p == phase]
        errors = sum(1 for p, _, code in self.samples if p == phase and code >= 500)
        return (f"{phase:9} {len(times) / seconds:7.1f} req/s  p50 {percentile(times, 50) * 1000:6.1f} ms  "
                f"p99 {percentile(times, 99) * 1000:6.1f} ms  max {max(times) * 1000:7.1f} ms  5xx {errors}")


def gift(n: int) -> bytes:
    return "\n\n".join(f"::q{i}::In which year did event number {i} happen? {{#{1900 + i % 100}}}"
                       for i in range(n)).encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=10)
    ap.add_argument("--questions", type=int, default=10_000)
    ap.add_argument("--baseline", type=float, default=15.0)
    args = ap.parse_args()
    print(machine())
    url = sqlite_url(fresh_sqlite("upload.db"))
    flask(url, "db", "upgrade")
    flask(url, "bank", "load", "questions")
    flask(url, "user", "create", "teacher@example.com", "--role", "teacher", "--password", PASSWORD)
    for i in range(args.students):
        flask(url, "user", "create", f"s{i}@example.com", "--password", PASSWORD)
    port = free_port()
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "4", "--bind", f"127.0.0.1:{port}",
                               "--no-control-socket", APP],
                              cwd=ROOT, env=flask_env(url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    # The upload job worker beside gunicorn, as `make serve` starts it (quizapp/services/jobs.py).
    worker = subprocess.Popen([str(BIN / "flask"), "--app", "quizapp", "jobs", "work"], cwd=ROOT, env=flask_env(url),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        students = Students(base, [login(base, f"s{i}@example.com") for i in range(args.students)])
        threads = students.start()
        time.sleep(args.baseline)

        students.phase = "upload"
        upload_start = time.perf_counter()
        teacher = login(base, "teacher@example.com")
        token = CSRF.search(teacher.get(base + "/teach/upload").text).group(1)
        data = gift(args.questions)
        r = teacher.post(base + "/teach/upload", data={"csrf_token": token, "fmt": "auto"},
                         files={"file": ("big.gift", data, "text/plain")}, allow_redirects=False)
        job = base + r.headers["Location"]
        progress = []
        while True:
            status = teacher.get(job + "/status.json").json()
            progress.append((round(time.perf_counter() - upload_start, 1), status["status"], status["done"]))
            if status["status"] not in ("queued", "checking"):
                break
            time.sleep(0.25)
        checked = time.perf_counter() - upload_start
        assert status["status"] == "checked", status
        page = teacher.get(job)
        assert f"Save {args.questions:,}".replace(",", "") in page.text.replace(",", ""), "no save button"
        save_start = time.perf_counter()
        teacher.post(job + "/save", data={"csrf_token": token}, allow_redirects=False)
        while teacher.get(job + "/status.json").json()["status"] == "saving":
            time.sleep(0.25)
        saved = time.perf_counter() - save_start
        final = teacher.get(job + "/status.json").json()["status"]
        upload_seconds = time.perf_counter() - upload_start
        students.stop.set()
        for t in threads:
            t.join(10)
    finally:
        server.terminate()
        worker.terminate()
        server.wait(10)
        worker.wait(30)
    print(f"upload of {args.questions} questions ({len(data) / 1e6:.2f} MB GIFT): checked in {checked:.2f} s, "
          f"saved in {saved:.2f} s, final status {final}")
    samples = [p for p in progress if p[1] == "checking"]
    print("progress seen (s, status, done):", samples[:1] + samples[1:-1][:: max(1, len(samples) // 8)] + samples[-1:])
    print(f"{args.students} students answering meanwhile:")
    print("  " + students.summary("baseline", args.baseline))
    print("  " + students.summary("upload", upload_seconds))


if __name__ == "__main__":
    main()
