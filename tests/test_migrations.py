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
        assert set(inspect(conn).get_table_names()) == {"alembic_version", "events", "rooms", "slots", "topics"}


def test_start_up_on_migrated_database_is_idempotent(app, tmp_path, database_url):
    from conftest import make_app

    again = make_app(tmp_path, DATABASE_URL=database_url)
    with again.app_context(), db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0001"
    with again.app_context():
        db.engine.dispose()
