"""A real browser (Debian's Chromium driven by Playwright) against the app served on 127.0.0.1."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("QUIZAPP_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def server(app):
    """The test's app served on a free loopback port for the length of the test."""
    from quizapp.services.jobs import Worker

    app.config["RATELIMIT_ENABLED"] = True
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    # Request threads are joined at the end (server_close): a request still running when the test's
    # database is dropped would leave its connection open (a service worker fetches in the background).
    srv.daemon_threads, srv.block_on_close = False, True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    # Uploads go through the job queue, as in production; its worker runs in a thread here.
    worker = Worker(app, threads=1, poll=0.1)
    worker_thread = threading.Thread(target=worker.run, daemon=True)
    worker_thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()
    worker.stop.set()
    thread.join(5)
    worker_thread.join(10)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 1000, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Form errors are answered 4xx on purpose; Chromium logs those, they are not script errors.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and "responded with a status of 4" not in msg.text else None)
    yield page
    context.close()
    assert errors == [], f"errors in the browser console: {errors}"


def log_in(page, email: str) -> None:
    """Logs in through the form (PASSWORD, as make_user sets it) and waits for the signed-in page."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    from playwright.sync_api import expect  # imported here like the browser fixture's playwright

    # The signed-in page has the log-out form (on a phone its button is behind the "Menu" button).
    expect(page.locator("form[action$='/logout']")).to_have_count(1)


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture
def learner_page(page, app, make_user):
    """A signed-in learner with the seeded history of tests/progress_seed.py."""
    from quizapp.extensions import db
    from quizapp.models.types import utcnow
    from tests.progress_seed import seed_learner

    uid = make_user(email="student@example.com", name="Sam")
    with app.app_context():
        seed_learner(uid, utcnow())
        db.session.remove()
    log_in(page, "student@example.com")
    return page
