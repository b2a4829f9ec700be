"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from quizapp import create_app
from quizapp.extensions import db
from tests.conftest import POSTGRES, database_url


def test_upgrade_builds_the_models_schema(tmp_path):
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url(tmp_path)})
    with app.app_context():
        if POSTGRES:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "banks", "questions", "cards", "review_logs", "login_sessions"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == []
        db.session.remove()
        db.engine.dispose()


def test_upgrading_a_database_with_learners_keeps_every_row(tmp_path):
    """Each migration after the first, run over a database with a learner's cards and answers in it,
    keeps them all and leaves foreign keys enforced (a batch copy of a parent table once could have
    cascaded its children away on SQLite)."""
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url(tmp_path)})
    with app.app_context():
        if POSTGRES:
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
        first = revisions[0]
        upgrade(revision=first)
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO users (id, email, name, password_hash, role, timezone, day_start_hour, "
                "desired_retention, new_per_day, reviews_per_day, created_at) VALUES "
                "(1, 'ada@example.com', 'Ada', 'x', 'student', 'UTC', 4, 0.9, 20, 200, '2026-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO banks (id, slug, title, description, tags, sources, extra, builtin, "
                              "created_at, updated_at) VALUES (1, 'b', 'B', '', '[]', '{}', '{}', true, "
                              "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
            conn.execute(text("INSERT INTO questions (id, bank_id, key, position, type, data, answer_hash, "
                              "content_hash, version, retired) VALUES (1, 1, 'q', 0, 'flashcard', "
                              "'{\"front\": \"f\", \"back\": \"b\"}', 'a', 'c', 1, false)"))
            conn.execute(text("INSERT INTO cards (id, user_id, question_id, ordinal, state, reps, lapses, leech, "
                              "suspended, question_version) VALUES (1, 1, 1, 0, 2, 3, 0, false, false, 1)"))
        counts = {}
        for revision in revisions[1:]:
            upgrade(revision=revision)
            with db.engine.connect() as conn:
                counts[revision] = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                                    for t in ("users", "banks", "questions", "cards")]
                if not POSTGRES:
                    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert all(c == [1, 1, 1, 1] for c in counts.values()), counts
        downgrade(revision=first)  # and back down, nothing lost either
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
