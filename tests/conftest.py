"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when DATABASE_URL says so)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from quizapp import create_app
from quizapp.extensions import db, limiter

# The ``mailbox`` fixture: a local SMTP server that keeps what the app sends.
pytest_plugins = ("tests.mailbox",)
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql"))
SHARED = Path(os.environ.get("QUIZAPP_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
PASSWORD = "correct horse battery"


def database_url(tmp_path: Path) -> str:
    return os.environ["DATABASE_URL"] if POSTGRES else f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
        "TEACHER_INVITE_CODE": "teach-me",
        # Registration signs in at once, as in the demo (tests of the emailed link turn it on), and no
        # mail server from the environment is ever used (tests/mailbox.py gives one of their own).
        "REQUIRE_EMAIL_VERIFICATION": False,
        "MAIL_SERVER": None,
    }, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        limiter.reset()  # the limiter's memory outlives one app; each test starts unthrottled
        if POSTGRES:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Overrides pytest-flask's: one context held across a whole test would make every request of
    the test share ``g`` and the database session (a logged-out user would look logged in).
    Each test client request gets its own context, as in production."""
    yield


@pytest.fixture
def client(app):
    """Overrides pytest-flask's, which keeps the last request's context pushed (``with
    app.test_client()``): a second browser in the same test would then share the first's ``g``."""
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class AuthActions:
    """Registers and logs in through the real forms (CSRF token included)."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/login") -> str:
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def register(self, email="ada@example.com", name="Ada", password=PASSWORD, timezone="UTC", **extra):
        data = {"csrf_token": self.token("/register"), "name": name, "email": email, "password": password,
                "confirm": password, "timezone": timezone, **extra}
        return self.client.post("/register", data=data)

    def login(self, email="ada@example.com", password=PASSWORD, remember=False):
        data = {"csrf_token": self.token("/login"), "email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.client.post("/login", data=data)

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.token("/account")})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def make_user(app):
    """Creates a user directly (for tests about something other than registration)."""
    from quizapp.services.accounts import create_user

    def make(email="ada@example.com", role="student", password=PASSWORD, **kw):
        with app.app_context():
            user = create_user(email, password, role=role, **kw)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def teacher(app, client, make_user):
    """A logged-in teacher (the test client); uploads are checked in the request (no job worker)."""
    app.config["IMPORT_RUNNER"] = "inline"
    make_user("teacher@example.com", role="teacher")
    AuthActions(client).login("teacher@example.com")
    return client
