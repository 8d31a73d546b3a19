"""Configuration: defaults, then the environment, then a test's overrides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration cannot run safely."""


DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "SOCKETIO_MAX_BUFFER": 64 * 1024,
    "SOCKETIO_MAX_QUEUED_BYTES": 1024 * 1024,  # unread bytes per WebSocket before it is dropped (it resyncs)
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 90,
    "SESSION_REFRESH_EACH_REQUEST": False,  # re-signing the cookie on every API answer costs CPU at scale
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_SSL_STRICT": False,
    "REDIS_URL": None,
    "ALLOWED_ORIGINS": None,
    "PUBLIC_URL": None,
    "EVENT_CREATION_PASSWORD": None,  # set on a public instance: /new then asks for it
    "RATE_LIMIT_WRITES": "5 per 2 seconds;30 per minute;300 per hour",
    "RATE_LIMIT_WRITES_PER_ADDRESS": "1200 per minute",
    "RATE_LIMIT_ORGANIZER_WRITES": "50 per 2 seconds;600 per minute;6000 per hour",
    "RATE_LIMIT_NEW_EVENTS": "10 per hour",
    "RATE_LIMIT_JOINS": "30 per minute",
    "RATE_LIMIT_NEW_PARTICIPANTS": "2000 per 5 minutes",  # per address: a whole venue behind one NAT, at once
    "RATE_LIMIT_EVENT_POSTS": "200 per minute",  # per event: participants' new topics together
    "RATE_LIMIT_PUBLIC_EXPORTS": "20 per minute",  # per address: a published report's files (a PDF takes a worker)
    "RATE_LIMIT_TAPS": "10 per 2 seconds;60 per minute;600 per hour",  # per participant: interest marks, check-ins
    "RATE_LIMIT_TAPS_PER_ADDRESS": "6000 per minute",  # a venue's phones behind one NAT tapping at once
    "COUNTS_INTERVAL": 1.0,  # seconds: at most one counts_changed per event in this time
    "MAX_TOPICS_PER_PARTICIPANT": 3,  # default for new events; organizers change it per event
    "UNPLACED_MAX": 200,  # per event: unplaced topics, and separately topics waiting for approval
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    "TRUSTED_PROXIES": 0,
    "PDF_CONCURRENCY": 1,  # PDFs rendered at once (each a process busy on one core)
    "PDF_TIMEOUT": 120,  # seconds one PDF may wait for a free place, and again to be made
    "PDF_WORKER_ENV": {},  # extra environment for the PDF worker process
    "HOST": "127.0.0.1",
    "PORT": 5000,
}


def database_url(raw: str | None, instance_path: str) -> str:
    """Return the SQLAlchemy URL: the SQLite file in instance/ unless DATABASE_URL says otherwise."""
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'openspace.sqlite3'}"
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw.removeprefix("postgres://")
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw.removeprefix("postgresql://")
    return raw


def read_secret_key(instance_path: str) -> str | None:
    """Return SECRET_KEY from the environment, or from instance/secret_key that `make run` writes."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = Path(os.environ.get("SECRET_KEY_FILE") or Path(instance_path) / "secret_key")
    if key_file.is_file():
        return key_file.read_text(encoding="utf-8").strip() or None
    return None


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill app.config from defaults, environment and test_config, and refuse to run without a secret."""
    app.config.from_mapping(DEFAULTS)
    env = os.environ
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(env.get("DATABASE_URL"), app.instance_path)
    app.config["SECRET_KEY"] = read_secret_key(app.instance_path)
    app.config["REDIS_URL"] = env.get("REDIS_URL") or None
    app.config["PUBLIC_URL"] = (env.get("PUBLIC_URL") or "").rstrip("/") or None
    app.config["EVENT_CREATION_PASSWORD"] = env.get("EVENT_CREATION_PASSWORD") or None
    app.config["HOST"] = env.get("HOST", app.config["HOST"])
    app.config["PORT"] = int(env.get("PORT", app.config["PORT"]))
    if env.get("ALLOWED_HOSTS"):  # Host headers answered at all (Flask's TRUSTED_HOSTS); others get 400
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in env["ALLOWED_HOSTS"].split(",") if h.strip()]
    if env.get("ALLOWED_ORIGINS"):
        app.config["ALLOWED_ORIGINS"] = [o.strip() for o in env["ALLOWED_ORIGINS"].split(",") if o.strip()]
    if env.get("SESSION_COOKIE_SECURE", "").lower() in {"1", "true", "yes"}:
        app.config["SESSION_COOKIE_SECURE"] = True
    for name in (
        "RATE_LIMIT_WRITES",
        "RATE_LIMIT_WRITES_PER_ADDRESS",
        "RATE_LIMIT_ORGANIZER_WRITES",
        "RATE_LIMIT_NEW_EVENTS",
        "RATE_LIMIT_JOINS",
        "RATE_LIMIT_NEW_PARTICIPANTS",
        "RATE_LIMIT_EVENT_POSTS",
        "RATE_LIMIT_PUBLIC_EXPORTS",
        "RATE_LIMIT_TAPS",
        "RATE_LIMIT_TAPS_PER_ADDRESS",
    ):
        if env.get(name):
            app.config[name] = env[name]
    if env.get("RATE_LIMIT_ENABLED", "").lower() in {"0", "false", "no"}:
        app.config["RATELIMIT_ENABLED"] = False
    if env.get("SOCKETIO_MAX_QUEUED_BYTES"):
        app.config["SOCKETIO_MAX_QUEUED_BYTES"] = int(env["SOCKETIO_MAX_QUEUED_BYTES"])
    for name in ("UNPLACED_MAX", "MAX_TOPICS_PER_PARTICIPANT", "PDF_CONCURRENCY", "PDF_TIMEOUT"):
        if env.get(name):
            app.config[name] = int(env[name])
    app.config["TRUSTED_PROXIES"] = int(env.get("TRUSTED_PROXIES", app.config["TRUSTED_PROXIES"]))
    if test_config:
        app.config.update(test_config)
        if "DATABASE_URL" in test_config:
            app.config["SQLALCHEMY_DATABASE_URI"] = database_url(test_config["DATABASE_URL"], app.instance_path)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "openspace-memory://")
    if not app.config.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or run `make run`, which keeps one in instance/secret_key."
        )
