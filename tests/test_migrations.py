"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from openspace.extensions import db


def test_migrated_schema_matches_models(app):
    with app.app_context(), db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert differences == []
        assert set(inspect(conn).get_table_names()) == {
            "alembic_version",
            "events",
            "rooms",
            "slots",
            "topics",
            "blocked_participants",
            "announcements",
            "activity_log",
            "results",
            "result_versions",
            "action_items",
            "photos",
            "interests",
            "checkins",
            "feed_keys",
        }


def test_start_up_on_migrated_database_is_idempotent(app, tmp_path, database_url):
    from conftest import make_app

    again = make_app(tmp_path, DATABASE_URL=database_url)
    with again.app_context(), db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0009"  # the newest migration
    with again.app_context():
        db.engine.dispose()


def test_upgrade_from_first_schema_keeps_every_row_and_never_reuses_ids(tmp_path, database_url):
    """A wall written by the first schema survives the upgrade whole; afterwards no id is handed out twice."""
    from conftest import SECRET
    from flask import Flask
    from flask_migrate import Migrate, upgrade
    from sqlalchemy import text

    from openspace.config import database_url as to_sqlalchemy_url
    from openspace.database import tune_engine

    old = Flask("old")
    old.config.update(SQLALCHEMY_DATABASE_URI=to_sqlalchemy_url(database_url, str(tmp_path)), SECRET_KEY=SECRET)
    db.init_app(old)
    directory = str(__import__("pathlib").Path(__file__).resolve().parent.parent / "openspace" / "migrations")
    Migrate(old, db, directory=directory, render_as_batch=True)
    with old.app_context():
        tune_engine(db.engine)
        upgrade(directory=directory, revision="0001")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO events (id, slug, name, starts_on, ends_on, timezone, language, organizer_key_hash,"
                    " revision, locked, created_at) VALUES (1, 'alt', 'Alt', '2026-02-27', '2026-02-27',"
                    " 'Europe/Berlin', 'de', :h, 3, false, '2026-02-01 10:00:00')"
                ),
                {"h": "0" * 64},
            )
            conn.execute(
                text("INSERT INTO rooms (id, event_id, name, capacity, position) VALUES (1, 1, 'Plenum', 50, 0)")
            )
            conn.execute(
                text(
                    "INSERT INTO slots (id, event_id, starts_at, ends_at, label)"
                    " VALUES (1, 1, '2026-02-27 10:00:00', '2026-02-27 11:00:00', 'Runde 1')"
                )
            )
            for topic_id, room in ((1, 1), (2, None)):  # ids from the table itself: PostgreSQL's sequence counts
                conn.execute(
                    text(
                        "INSERT INTO topics (event_id, title, host, goal, context, room_id, slot_id, author_hash,"
                        " created_at, updated_at) VALUES (1, :title, 'Jan', '', '', :room, :room, :a,"
                        " '2026-02-01 10:00:00', '2026-02-01 10:00:00')"
                    ),
                    {"title": f"Thema {topic_id}", "room": room, "a": "a" * 64},
                )
        upgrade(directory=directory)
        with db.engine.begin() as conn:
            rows = conn.execute(text("SELECT id, title, room_id, slot_id, status FROM topics ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(1, "Thema 1", 1, 1, "live"), (2, "Thema 2", None, None, "live")]
            assert conn.execute(text("SELECT name, capacity FROM rooms")).all() == [("Plenum", 50)]
            assert conn.execute(text("SELECT is_break FROM slots")).all() == [(False,)]
            event = conn.execute(text("SELECT revision, max_topics_per_participant, premoderation FROM events")).one()
            assert tuple(event) == (3, 3, False)
            conn.execute(text("DELETE FROM topics WHERE id = 2"))
            conn.execute(
                text(
                    "INSERT INTO topics (event_id, title, host, goal, context, author_hash, created_at, updated_at)"
                    " VALUES (1, 'Neu', 'Ola', '', '', :a, '2026-02-01 11:00:00', '2026-02-01 11:00:00')"
                ),
                {"a": "b" * 64},
            )
            assert conn.execute(text("SELECT id FROM topics WHERE title = 'Neu'")).scalar() == 3
            if conn.dialect.name == "sqlite":  # every later migration kept it: no batch rebuild dropped it
                tables = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
                autoincrement = sorted(name for name, sql in tables if "AUTOINCREMENT" in sql)
                assert autoincrement == [
                    "action_items",
                    "activity_log",
                    "announcements",
                    "events",
                    "photos",
                    "result_versions",
                    "results",
                    "rooms",
                    "slots",
                    "topics",
                ]
        db.engine.dispose()
