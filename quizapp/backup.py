"""``flask db backup FILE``: a consistent copy of the SQLite database, safe while the app serves.

It uses SQLite's online backup API in one step, which copies a single read transaction's view
of the database: in WAL mode that never blocks the workers saving answers, and the copy holds
every answer committed before it began. The copy is written next to FILE, flushed to disk and
renamed over FILE, so FILE is always either the previous backup or the whole new one.

PostgreSQL has its own tools (``pg_dump``); the command says so instead of copying anything.
See docs/reliability.md for the restore procedure.
"""
from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate.cli import db as db_cli
from sqlalchemy.engine import URL, make_url

from .extensions import db


class BackupError(Exception):
    """Why no backup was made; the message is meant for the operator."""


def sqlite_file(database_url: str | URL) -> Path:
    """The database file of a SQLite URL; BackupError for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        shown = url.render_as_string(hide_password=True)
        hint = "use pg_dump (e.g. pg_dump -Fc -f FILE DBNAME)" if url.get_backend_name() == "postgresql" \
            else "use that database's own backup tool"
        raise BackupError(f"the database is not SQLite ({shown}): {hint}")
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("the database is in memory: there is no file to back up")
    return Path(url.database)


def backup_sqlite(source: Path, target: Path) -> int:
    """Copies ``source`` to ``target`` atomically; returns the size of the copy in bytes."""
    if not source.is_file():
        raise BackupError(f"no database file at {source}")
    target = target.resolve()
    if target == source.resolve():
        raise BackupError("the backup file must not be the database itself")
    if not target.parent.is_dir():
        raise BackupError(f"no such folder: {target.parent}")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        # mode=rw: never create an empty database where the real one was expected.
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(temp)
            try:
                src.backup(dst)  # pages=-1: one step, so concurrent commits never restart it
                # A self-contained file: no -wal beside it is needed to read it.
                dst.execute("PRAGMA journal_mode=DELETE")
                if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise BackupError("the copy failed SQLite's quick_check; nothing was replaced")
            finally:
                dst.close()
        finally:
            src.close()
        with open(temp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(temp, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {source}: {exc}") from None
    finally:
        temp.unlink(missing_ok=True)
    return target.stat().st_size


def _fsync_dir(path: Path) -> None:
    """Makes the rename itself durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(file: str) -> None:
    """Copy the SQLite database to FILE while the app runs (PostgreSQL: use pg_dump)."""
    try:
        # The engine's URL: Flask-SQLAlchemy has resolved a relative SQLite path against instance/.
        source = sqlite_file(db.engine.url)
        size = backup_sqlite(source, Path(file))
    except BackupError as exc:
        click.echo(f"backup: {exc}", err=True)
        sys.exit(1)
    click.echo(f"backed up {source} to {file} ({size:,} bytes)")


def init_app(app: Flask) -> None:
    """Adds ``backup`` to Flask-Migrate's ``flask db`` group (a module-level group: adding twice is harmless)."""
    db_cli.add_command(backup_command)
