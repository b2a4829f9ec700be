"""A ``limits`` storage over the app's own database, so every worker shares one count.

Flask-Limiter's default store is a dict in each process: under gunicorn's 4 workers every limit
was 4 times weaker (each worker counted a quarter of the attempts). ``limits`` ships stores for
Redis, Memcached and MongoDB, none for SQL or files; the app already has a database every
worker writes to, so the embedded default is this small store (``RATELIMIT_STORAGE_URI =
"database://"``), registered with ``limits`` under the ``database`` scheme. Redis or Memcached
remain one setting away (``redis://host:6379``, ``memcached://host:11211``).

It supports the fixed-window strategy (Flask-Limiter's default). Each hit is one upsert that
returns the new count (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, the same statement on
SQLite 3.35+ and PostgreSQL), in its own short transaction on its own connection, so it never
mixes with the request's unit of work. Windows that have ended are deleted now and then.
"""
from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

_INCR = text(
    "INSERT INTO rate_limits (key, hits, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN rate_limits.expires_at <= :now THEN :amount ELSE rate_limits.hits + :amount END, "
    "expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires ELSE rate_limits.expires_at END "
    "RETURNING hits"
)
PRUNE_ONE_IN = 200  # hits between deletions of ended windows (on average)


class DatabaseStorage(Storage):
    """Counters in the ``rate_limits`` table of the app's database (Flask-SQLAlchemy's engine).

    Used inside an app context (every request is one); the engine is the current app's.
    """

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with db.engine.begin() as conn:
            hits = conn.execute(_INCR, {"key": key, "amount": amount, "expires": now + expiry, "now": now}).scalar_one()
            if random.randrange(PRUNE_ONE_IN) == 0:
                conn.execute(text("DELETE FROM rate_limits WHERE expires_at <= :now"), {"now": now})
        return int(hits)

    def _row(self, key: str):
        with db.engine.connect() as conn:
            return conn.execute(text("SELECT hits, expires_at FROM rate_limits WHERE key = :key"),
                                {"key": key}).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.hits) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        try:
            with db.engine.begin() as conn:
                return conn.execute(text("DELETE FROM rate_limits")).rowcount
        except SQLAlchemyError:  # no table yet (a database before its migrations)
            return None

    def clear(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM rate_limits WHERE key = :key"), {"key": key})
