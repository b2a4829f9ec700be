"""Write transactions that must not interleave (an answer reads a card, then writes it)."""
from __future__ import annotations

from ..extensions import db


def begin_write() -> None:
    """Takes SQLite's write lock before reading what will be written.

    A deferred SQLite transaction that reads and then writes cannot wait for a busy writer (it
    fails at once with "database is locked"), and two of them could both read the old card.
    BEGIN IMMEDIATE waits (busy_timeout) and then holds the lock. PostgreSQL needs nothing here:
    the services lock the rows they change with SELECT ... FOR UPDATE.
    """
    if db.engine.dialect.name != "sqlite":
        return
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"

