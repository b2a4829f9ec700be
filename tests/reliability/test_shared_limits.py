"""Login limits hold across gunicorn's 4 workers (the database:// store), not 4 times over.

With Flask-Limiter's per-process memory store, 4 workers let 4 x 20 logins a minute through from
one address. 40 wrong logins sent at once from one address must give exactly 20 answers and
20 refusals (429), with the answers coming from more than one worker (their pids in the log).
"""
from __future__ import annotations

import re
import threading
from collections import Counter

from tests.reliability.harness import Deployment, Gunicorn, Student, empty_database, figures, hidden

ATTEMPTS = 40
PER_MINUTE = 20


def test_login_limits_hold_across_four_workers(tmp_path):
    deployment = Deployment(empty_database(tmp_path), tmp_path, [])
    deployment.instance.mkdir(parents=True, exist_ok=True)
    deployment.flask("db", "upgrade")
    server = Gunicorn(deployment, config={"LOGIN_LIMITS_PER_ADDRESS": f"{PER_MINUTE} per minute"},
                      extra_args=("--access-logformat", "pid=%(p)s %(r)s %(s)s")).start()
    try:
        browser = Student(server.url, "")
        token = hidden(browser.request("GET", "/login").body, "csrf_token")
        statuses: Counter = Counter()
        lock = threading.Lock()
        start = threading.Barrier(ATTEMPTS)

        def attempt(n: int) -> None:
            start.wait()
            response = browser.request("POST", "/login", {"csrf_token": token, "email": f"guess{n}@example.com",
                                                          "password": "wrong password"})
            with lock:
                statuses[response.status] += 1

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        answered_by = Counter(m.group(1) for m in re.finditer(r"pid=<(\d+)> POST /login HTTP/1\.[01] 401",
                                                                server.log()))
    finally:
        server.stop()
    print(figures("shared-limits", attempts=ATTEMPTS, limit=PER_MINUTE, answered=statuses[401],
                  refused=statuses[429], workers_answering=len(answered_by)))
    assert statuses == Counter({401: PER_MINUTE, 429: ATTEMPTS - PER_MINUTE})
    assert len(answered_by) >= 2, answered_by  # the attempts really were spread over workers
