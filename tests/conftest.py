"""Builder fixtures: an app on a real SQLite file, events, participants with cookies and CSRF tokens."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time
from pathlib import Path

import pytest

from openspace import create_app
from openspace.events import RoomSpec, SlotSpec, create_event
from openspace.extensions import socketio

DAY = date(2026, 2, 27)
SECRET = "test-secret-key-" + "x" * 32


def make_app(tmp_path: Path, **overrides):
    """A fresh app on its own SQLite file."""
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "SOCKETIO_ASYNC_MODE": "threading",
        "SERVER_NAME": "localhost",
    }
    config.update(overrides)
    return create_app(config)


_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_for_suite():
    """One PostgreSQL server on loopback for the whole run (skipped without it, except on CI)."""
    from services import PostgresServer

    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Same code, same tests: every app-level test runs on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_for_suite").new_database(f"suite_{next(_databases)}")


@pytest.fixture
def app(tmp_path, database_url):
    app = make_app(tmp_path, DATABASE_URL=database_url)
    yield app
    from openspace.extensions import db

    with app.app_context():
        db.engine.dispose()


def build_event(app, *, slug="zukunft", rooms=3, slots=3, language="en"):
    """An event with `rooms` rooms and `slots` one-hour slots on DAY; returns (event, organizer secret)."""
    with app.app_context():
        event, secret = create_event(
            name="Zukunftskonferenz",
            slug=slug,
            starts_on=DAY,
            ends_on=None,
            timezone="Europe/Berlin",
            language=language,
            rooms=[RoomSpec(f"Raum {i + 1}", 20) for i in range(rooms)],
            slots=[
                SlotSpec(datetime.combine(DAY, time(9 + i)), datetime.combine(DAY, time(9 + i, 50)), f"Runde {i + 1}")
                for i in range(slots)
            ],
        )
        return event.slug, secret


def set_topic_cap(app, slug, cap):
    """Set an event's cap on topics per participant (0: none) straight in the database."""
    from openspace.events import event_by_slug
    from openspace.extensions import db

    with app.app_context():
        event_by_slug(slug).max_topics_per_participant = cap
        db.session.commit()


@pytest.fixture
def event(app):
    """Slug of a 3 x 3 event; ids: rooms 1-3, slots 1-3."""
    slug, _secret = build_event(app)
    return slug


@pytest.fixture
def organizer_secret(app, event):
    """Not available after creation (only the hash is stored): rebuild a second event to get one."""
    slug, secret = build_event(app, slug="orga")
    return slug, secret


class Participant:
    """A browser-like client: cookie jar plus the CSRF token its page handed out."""

    def __init__(self, app, slug: str) -> None:
        self.client = app.test_client()
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.slug = slug
        page = self.client.get(f"/e/{slug}/")
        assert page.status_code == 200
        self.csrf = re.search(rb'name="csrf-token" content="([^"]+)"', page.data).group(1).decode()

    def post(self, body, slug=None):
        return self.client.post(
            f"/api/events/{slug or self.slug}/topics", json=body, headers={"X-CSRFToken": self.csrf}
        )

    def patch(self, topic_id, body):
        return self.client.patch(
            f"/api/events/{self.slug}/topics/{topic_id}", json=body, headers={"X-CSRFToken": self.csrf}
        )

    def delete(self, topic_id):
        return self.client.delete(f"/api/events/{self.slug}/topics/{topic_id}", headers={"X-CSRFToken": self.csrf})

    def first_cell(self):
        """(room_id, slot_id) of the first room and slot of this participant's event."""
        wall = self.wall().get_json()
        return wall["rooms"][0]["id"], wall["slots"][0]["id"]

    def wall(self):
        return self.client.get(f"/api/events/{self.slug}/wall")

    def socket(self):
        return socketio.test_client(self.client.application, flask_test_client=self.client)

    def call(self, method, path, body=None):
        """A contract path: `method` /api/events/<slug>/<path> with the CSRF token (and a JSON body if given)."""
        extra = {} if body is None else {"json": body}
        return getattr(self.client, method)(
            f"/api/events/{self.slug}" + (f"/{path}" if path else ""), headers={"X-CSRFToken": self.csrf}, **extra
        )


class Organizer(Participant):
    """A browser that opened the organizer link of `slug`."""

    def __init__(self, app, slug, secret):
        super().__init__(app, slug)
        assert self.client.get(f"/e/{slug}/organize/{secret}").status_code == 302

    def act(self, path, body, method="post"):
        """A moderation action: POST (or `method`) /api/events/<slug>/moderation/<path> with the CSRF token."""
        call = getattr(self.client, method)
        return call(f"/api/events/{self.slug}/moderation/{path}", json=body, headers={"X-CSRFToken": self.csrf})

    def panel(self):
        return self.client.get(f"/api/events/{self.slug}/moderation").get_json()


@pytest.fixture
def alice(app, event):
    return Participant(app, event)


@pytest.fixture
def bob(app, event):
    return Participant(app, event)


def topic_body(title="Retouren senken", host="Marek", room_id=1, slot_id=1, **extra):
    body = {
        "title": title,
        "host": host,
        "goal": "Drei Maßnahmen",
        "context": "",
        "room_id": room_id,
        "slot_id": slot_id,
    }
    body.update(extra)
    return body
