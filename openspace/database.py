"""Engine tuning and the write discipline every domain change goes through.

SQLite under gevent: its calls do not yield, so writers are serialised in-process
by a (monkey-patched, hence gevent-aware) lock and open their transaction with
BEGIN IMMEDIATE, so two processes never both hold a read lock they then try to
upgrade ("database is locked"). Reads keep plain deferred BEGIN and never block.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .extensions import db

WRITE_OPTION = "openspace_write"
_write_lock = threading.RLock()


def tune_engine(engine: Engine) -> None:
    """Give SQLite WAL, foreign keys, a busy timeout and explicit transaction control."""
    if engine.dialect.name != "sqlite":
        return

    @sa_event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let the "begin" hook below issue BEGIN
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[Session]:
    """One serialised unit of work: commit on success, roll back on any error."""
    with _write_lock:
        session = db.session()
        if session.in_transaction():
            session.commit()  # end the read transaction; domain code leaves nothing pending
        session.connection(execution_options={WRITE_OPTION: True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def schema_lock(engine: Engine) -> Iterator[None]:
    """Let one process at a time migrate: a PostgreSQL advisory lock, or a file lock beside the SQLite file."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(4711)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(4711)"))
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def upgrade_schema(app: Flask) -> None:
    """Bring the database to the newest schema (Alembic migrations in openspace/migrations)."""
    with app.app_context():
        tune_engine(db.engine)
        with schema_lock(db.engine):
            upgrade(directory=app.extensions["migrate"].directory)
