from __future__ import annotations

import sqlite3

from sqlalchemy import text

from quizapp import create_app
from quizapp.config import normalise_database_url
from quizapp.extensions import db


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    from quizapp.config import instance_secret

    key = instance_secret(tmp_path / "instance")
    assert len(key) == 64 and key == instance_secret(tmp_path / "instance")
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_app_without_secret_uses_the_generated_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"},
                     instance_path=str(tmp_path / "instance"))
    stored = (tmp_path / "instance" / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == stored and len(stored) == 64


def test_database_url_forms():
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_connection_settings(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    with app.app_context():
        values = {p: db.session.execute(text(f"PRAGMA {p}")).scalar()
                  for p in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")}
    assert values == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2, "busy_timeout": 15000}
    assert sqlite3.connect(tmp_path / "p.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_new_sqlite_database_is_owner_only(tmp_path):
    import stat

    from quizapp import create_app
    from quizapp.extensions import db

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}"},
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    for name in ("new.db", "new.db-wal", "new.db-shm"):
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert (tmp_path / "new.db").exists()
