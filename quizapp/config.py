"""Settings: defaults here, overridden by the environment, then by ``create_app(config)``."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def instance_secret(instance_path: Path) -> str:
    """The app's secret key, generated on first run and kept under instance/ (never a fixed default)."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting at once must not write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` mean psycopg 3 here (the driver we ship)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _flag(value: str | None, default: bool = False) -> bool:
    return default if value is None or value == "" else value.strip().lower() in {"1", "true", "yes", "on"}


def _port(value: str | None) -> int:
    try:
        port = int(value or 25)
    except ValueError:
        raise ValueError(f"MAIL_PORT must be a port number, not {value!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"MAIL_PORT must be between 1 and 65535, not {port}")
    return port


def mail_settings(env) -> dict:
    """Outgoing mail (quizapp/services/mail.py). No MAIL_SERVER: each message goes to the log."""
    return {
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": _port(env.get("MAIL_PORT")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS")),  # STARTTLS before logging in
        "MAIL_FROM": env.get("MAIL_FROM") or "Quizapp <quizapp@localhost>",
    }


def from_environment(instance_path: Path, given: set[str] | frozenset[str] = frozenset()) -> dict:
    """Settings from the environment; the secret file is only made when no key is ``given``."""
    env = os.environ
    database = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'quizapp.db'}"
    https = env.get("QUIZAPP_HTTPS", "").lower() in {"1", "true", "yes"}
    return {
        "SECRET_KEY": None if "SECRET_KEY" in given else env.get("SECRET_KEY") or instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "TEACHER_INVITE_CODE": env.get("QUIZAPP_TEACHER_INVITE_CODE") or None,
        # database://: counters in the app's database, shared by every worker (quizapp/ratelimit.py);
        # redis://HOST:6379 or memcached://HOST:11211 when one is there.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "database://"),
        # Cookies: never readable by script; Secure whenever the app is served over HTTPS.
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "BEHIND_PROXY": env.get("QUIZAPP_BEHIND_PROXY", "").lower() in {"1", "true", "yes"},
        # Self-registration signs in only after the emailed link (on unless set to 0; `make run`,
        # the demo, turns it off). Off, a new registrant is signed in at once (docs/reliability.md).
        "REQUIRE_EMAIL_VERIFICATION": _flag(env.get("QUIZAPP_REQUIRE_EMAIL_VERIFICATION"), default=True),
        # The site's address for links in emails (https://quiz.example.org). Unset, the request's own
        # host is used, which a forged Host header could change: set it in production.
        "BASE_URL": (env.get("QUIZAPP_BASE_URL") or "").rstrip("/") or None,
        **mail_settings(env),
    }


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
    # A study session can outlast an hour; the CSRF token is bound to the session instead.
    "WTF_CSRF_TIME_LIMIT": None,
    # Bodies (quizapp/web/bodies.py): the upload cap applies only to the upload routes; every
    # other form is refused with a 413 above a few KB, before anything parses it.
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    # A pasted or edited question file arrives as a text field; allow as much as an uploaded file.
    "MAX_FORM_MEMORY_SIZE": 20 * 1024 * 1024,
    "UPLOAD_MAX_PARTS": 200,
    "FORM_MAX_CONTENT_LENGTH": 16 * 1024,
    "FORM_MAX_PARTS": 100,
    "EDITOR_MAX_CONTENT_LENGTH": 256 * 1024,  # the question editor: rich text typed by a person
    # "queue": uploads are jobs in the database, checked and saved by `flask jobs work` (started
    # beside the web server by make run/serve; quizapp/services/jobs.py); "inline": in the request.
    "IMPORT_RUNNER": "queue",
    "IMPORT_HEARTBEAT_SECONDS": 5,  # how often a worker stamps the jobs it runs
    "IMPORT_WORKER_TIMEOUT_SECONDS": 60,  # unstamped this long: the worker is gone, the job runs again
    "IMPORT_MAX_ATTEMPTS": 3,  # starts of one job before it is failed with a message
    # Login throttling (quizapp/auth/throttle.py). Every login POST, per address:
    "LOGIN_LIMITS_PER_ADDRESS": "20 per minute; 200 per hour",
    # Wrong passwords for one account from one address: then refused without a check.
    "LOGIN_LIMITS_PER_ACCOUNT_ADDRESS": "5 per minute; 20 per hour",
    # Wrong passwords for one account from anywhere: past it, only addresses that have not failed
    # on the account have their password checked (the owner elsewhere still logs in).
    "LOGIN_LIMITS_PER_ACCOUNT": "30 per hour; 100 per day",
    "JOIN_LIMITS_PER_USER": "10 per minute; 50 per hour",  # class codes tried by one account
    # "Forgot password" posts per address; and mails that a signed-out visitor can cause to one
    # address (reset links, registration notices), counted by the address typed, known or not.
    "RESET_LIMITS_PER_ADDRESS": "5 per minute; 30 per hour",
    "MAIL_LIMITS_PER_RECIPIENT": "3 per hour; 10 per day",
    "EMAIL_CHANGE_LIMITS_PER_USER": "5 per hour",  # links to new addresses one account may ask for
    "DATA_EXPORT_LIMITS_PER_USER": "10 per minute; 60 per hour",  # "download my data", per account
    "PASSWORD_RESET_MAX_AGE": 60 * 60,  # seconds a reset link works (once)
    "EMAIL_LINK_MAX_AGE": 2 * 24 * 60 * 60,  # seconds a link confirming an address works (once)
    "MAIL_TIMEOUT": 10,  # seconds to reach the mail server
    "ADMIN_USERS_PER_PAGE": 50,
    "RATELIMIT_HEADERS_ENABLED": True,
    "SEND_FILE_MAX_AGE_DEFAULT": 60 * 60 * 24 * 7,
}
