"""Quizapp: flashcards and quizzes from source documents, scheduled by FSRS."""
from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """``templates``, ``static`` or ``migrations``: inside the installed package, else the source tree."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / name


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    configure_settings(app, config or {})
    configure_logging(app)
    configure_extensions(app)
    configure_security(app)
    configure_blueprints(app)
    configure_assets(app)
    configure_cli(app)
    return app


def configure_settings(app: Flask, overrides: dict[str, Any]) -> None:
    from .config import DEFAULTS, from_environment, normalise_database_url

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(DEFAULTS)
    app.config.update({k: v for k, v in from_environment(Path(app.instance_path), set(overrides)).items()
                       if k not in overrides})
    app.config.update(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    create_sqlite_owner_only(app.config["SQLALCHEMY_DATABASE_URI"])


def create_sqlite_owner_only(url: str) -> None:
    """A new SQLite file is made readable by its owner only (0600): it holds password hashes.
    SQLite gives its -wal and -shm files the database file's permissions."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another worker made it first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def configure_logging(app: Flask) -> None:
    app.logger.setLevel(getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")), logging.INFO))


def configure_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the tables on the metadata)
    from .extensions import csrf, db, limiter, login_manager, migrate
    from .ratelimit import DatabaseStorage  # noqa: F401  (registers the database:// store with limits)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(resource_dir("migrations")))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    # Ends sessions whose cookie turns up from a different browser fingerprint.
    login_manager.session_protection = "basic"

    from .services.accounts import load_user_for_session

    login_manager.user_loader(load_user_for_session)


def configure_security(app: Flask) -> None:
    from .web.security import init_app

    init_app(app)


def configure_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .main import bp as main_bp
    from .progress import bp as progress_bp
    from .study import bp as study_bp
    from .teach import bp as teach_bp
    from .teach import enrol_bp
    from .web.errors import init_app as init_errors
    from .web.text import init_app as init_text

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(study_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(teach_bp)
    app.register_blueprint(enrol_bp)
    app.register_blueprint(admin_bp)
    init_errors(app)
    init_text(app)


def configure_assets(app: Flask) -> None:
    """Compressed pages, CSS and JS; static files fingerprinted (?v=<content hash>) and cached a year."""
    from .web.assets import init_app
    from .web.urls import init_app as init_urls

    init_app(app)
    init_urls(app)  # after every blueprint's url_defaults (there must be none but the static version)


def configure_cli(app: Flask) -> None:
    from .cli import init_app

    init_app(app)
