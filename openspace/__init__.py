"""Open Space organizer: the live Anliegenwand on every phone and projector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import packets, transport
from .config import load_config
from .database import upgrade_schema
from .extensions import csrf, db, limiter, migrate, socketio
from .fields import AsciiIdConverter
from .guard import guard_socketio
from .serving import bound_client_io

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints and socket handlers."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)

    app.url_map.converters["id"] = AsciiIdConverter  # before the blueprints' routes are built
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent / "migrations"), render_as_batch=True)
    limiter.init_app(app)  # before CSRF, so refused floods count too
    from .views.results import allow_photo_upload

    app.before_request(allow_photo_upload)  # before CSRF reads (and size-checks) the form
    csrf.init_app(app)
    from . import i18n

    i18n.init_app(app)

    from . import pdf, security, sockets  # noqa: F401 - registers socket handlers before init_app
    from .cli import register_cli
    from .views import (
        api,
        control,
        exports,
        frame,
        moderation,
        organizer,
        pages,
        planning,
        printables,
        results,
        review,
    )

    app.register_blueprint(pages.bp)
    app.register_blueprint(organizer.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(moderation.actions)
    app.register_blueprint(frame.bp)
    app.register_blueprint(printables.bp)
    pdf.init_app(app)  # logs once when PDFs cannot be made here; the HTML printables work regardless
    app.register_blueprint(control.bp)
    app.register_blueprint(planning.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(review.bp)
    security.init_app(app)
    register_cli(app)

    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE", "gevent"),
        message_queue=app.config["REDIS_URL"],
        cors_allowed_origins=app.config["ALLOWED_ORIGINS"],
        max_http_buffer_size=app.config["SOCKETIO_MAX_BUFFER"],
        manage_session=False,
        json=packets,  # wall snapshots are encoded once per revision, not once per join
        ping_interval=4,  # a silently dropped connection shows "reconnecting…" within 9 s
        ping_timeout=5,
    )

    transport.install(
        socketio.server.eio, max_queued_bytes=app.config["SOCKETIO_MAX_QUEUED_BYTES"]
    )  # gevent only: broadcasts framed once, written straight to idle sockets
    app.wsgi_app = guard_socketio(app.wsgi_app, limit=app.config["SOCKETIO_MAX_BUFFER"])  # type: ignore[method-assign]
    app.wsgi_app = bound_client_io(app.wsgi_app)  # type: ignore[method-assign]

    if app.config["TRUSTED_PROXIES"]:
        # Outside the Socket.IO middleware, so its origin check sees the public scheme and host.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    upgrade_schema(app)
    return app
