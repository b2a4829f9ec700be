"""Extension objects, bound to the app in create_app, and the SQLite connection settings."""
from __future__ import annotations

import sqlite3

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, MetaData, event

# Named constraints, so Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()


def client_address() -> str:
    return get_remote_address() or "unknown"


def user_key() -> str:
    """Throttle key for signed-in actions: the account (many pupils share a school's address)."""
    from flask_login import current_user

    return f"user:{current_user.id}" if current_user.is_authenticated else "address:" + client_address()


limiter = Limiter(key_func=client_address, default_limits=[], headers_enabled=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer, so pages stay fast while answers are saved.
    cursor.execute("PRAGMA journal_mode=WAL")
    # synchronous=FULL: in WAL mode, NORMAL can lose the last commits on power loss; an answer
    # we acknowledged must survive that, and one fsync per answer is cheap next to the request.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Wait for a busy writer instead of failing with "database is locked".
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
