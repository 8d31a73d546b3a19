"""Organizer rights live in the server's state: resetting the link or recreating the database takes them away."""

from __future__ import annotations

import json
import re

from conftest import Participant, build_event, make_app, topic_body
from flask.sessions import SecureCookieSessionInterface

from openspace.events import event_by_slug, reset_organizer_secret
from openspace.extensions import db


def organizer(app, slug, secret):
    """A browser that opened the organizer link of `slug`."""
    person = Participant(app, slug)
    assert person.client.get(f"/e/{slug}/organize/{secret}").status_code == 302
    assert person.client.get(f"/e/{slug}/organizer").status_code == 200
    return person


def test_reset_organizer_link_takes_rights_from_browsers_that_had_them(app, organizer_secret):
    slug, secret = organizer_secret
    host = Participant(app, slug)
    room_id, slot_id = host.first_cell()
    topic = host.post(topic_body(room_id=room_id, slot_id=slot_id)).get_json()["topic"]
    orga = organizer(app, slug, secret)
    assert orga.patch(topic["id"], {"title": "Vom Orga-Team"}).status_code == 200
    assert [t["title"] for t in host.wall().get_json()["topics"]] == ["Vom Orga-Team"]
    with app.app_context():
        new_secret = reset_organizer_secret(event_by_slug(slug))

    page = orga.client.get(f"/e/{slug}/organizer")
    refused = orga.patch(topic["id"], {"title": "Nach dem Zurücksetzen"})

    assert page.status_code == 403
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    assert [t["title"] for t in host.wall().get_json()["topics"]] == ["Vom Orga-Team"]
    again = organizer(app, slug, new_secret)
    assert again.patch(topic["id"], {"title": "Mit neuem Link"}).get_json()["topic"]["title"] == "Mit neuem Link"
    assert [t["title"] for t in host.wall().get_json()["topics"]] == ["Mit neuem Link"]


def test_phone_page_stops_showing_organizer_tools_after_reset(app, organizer_secret):
    slug, secret = organizer_secret
    orga = organizer(app, slug, secret)
    assert b'href="/e/orga/organizer"' in orga.client.get(f"/e/{slug}/").data
    with app.app_context():
        reset_organizer_secret(event_by_slug(slug))
    assert b'href="/e/orga/organizer"' not in orga.client.get(f"/e/{slug}/").data


def test_organizer_cookie_from_an_old_database_grants_nothing_on_a_new_one(tmp_path):
    first = make_app(tmp_path / "a", DATABASE_URL=f"sqlite:///{tmp_path / 'a.sqlite3'}")
    second = make_app(tmp_path / "b", DATABASE_URL=f"sqlite:///{tmp_path / 'b.sqlite3'}")
    slug, secret = build_event(first, slug="zukunft")
    build_event(second, slug="zukunft")  # same slug and id, another organizer key
    orga = organizer(first, slug, secret)
    cookie = orga.client.get_cookie("session")
    author = Participant(second, slug)
    topic = author.post(topic_body()).get_json()["topic"]

    stranger = Participant(second, slug)
    stranger.client.set_cookie("session", cookie.value, domain="localhost")
    stranger.csrf = (
        __import__("re")
        .search(rb'name="csrf-token" content="([^"]+)"', stranger.client.get(f"/e/{slug}/").data)
        .group(1)
        .decode()
    )

    assert stranger.client.get(f"/e/{slug}/organizer").status_code == 403
    refused = stranger.patch(topic["id"], {"title": "Übernommen"})
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    assert [t["title"] for t in author.wall().get_json()["topics"]] == [topic["title"]]
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_forged_organizer_grant_in_the_session_grants_nothing(app, organizer_secret):
    slug, _secret = organizer_secret
    host = Participant(app, slug)
    room_id, slot_id = host.first_cell()
    topic = host.post(topic_body(room_id=room_id, slot_id=slot_id)).get_json()["topic"]
    forger = Participant(app, slug)
    with forger.client.session_transaction() as session:
        session["org"] = [[2, "0" * 32], 2, [2]]

    assert forger.client.get(f"/e/{slug}/organizer").status_code == 403
    refused = forger.delete(topic["id"])
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    assert host.wall().get_json()["topics"] == [topic]


def test_new_event_cookie_never_carries_the_organizer_secret_and_the_link_shows_once(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    app.config["WTF_CSRF_ENABLED"] = False
    form = {
        "name": "Geheim",
        "slug": "geheim",
        "starts_on": "2026-02-27",
        "ends_on": "",
        "timezone": "Europe/Berlin",
        "language": "en",
        "rooms": "A",
        "slots": "09:00-10:00",
    }
    assert client.post("/new", data=form).status_code == 302
    cookie_after_post = client.get_cookie("session").value
    page = client.get("/e/geheim/created").get_data(as_text=True)
    secret = re.search(r"/e/geheim/organize/([A-Za-z0-9_-]+)", page).group(1)
    decoded = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie_after_post)
    assert secret not in json.dumps(decoded)
    assert secret not in cookie_after_post
    assert client.get("/e/geheim/organizer").status_code == 200  # the creator keeps organizer rights
    replay = app.test_client()  # an old copy of the cookie, from before /created was opened
    replay.set_cookie("session", cookie_after_post, domain="localhost")
    again = replay.get("/e/geheim/created")
    assert (again.status_code, again.headers["Location"]) == (302, "/e/geheim/organizer")
    stranger = app.test_client()
    assert stranger.get(f"/e/geheim/organize/{secret}").status_code == 302  # the link shown works
    assert stranger.get("/e/geheim/organizer").status_code == 200


def test_rotating_the_organizer_link_shows_the_new_one_once_and_ends_every_other_grant(app, organizer_secret):
    slug, secret = organizer_secret
    first, second = organizer(app, slug, secret), organizer(app, slug, secret)
    participant = Participant(app, slug)
    forged = participant.client.post(f"/api/events/{slug}/organizer-link", headers={"X-CSRFToken": participant.csrf})
    assert (forged.status_code, forged.get_json()["code"]) == (403, "forbidden")
    rotated = first.client.post(f"/api/events/{slug}/organizer-link", headers={"X-CSRFToken": first.csrf})
    assert rotated.status_code == 200
    assert rotated.headers["Cache-Control"] == "no-store"
    link = rotated.get_json()["organizer_link"]
    new_secret = re.fullmatch(rf"http://localhost/e/{slug}/organize/([A-Za-z0-9_-]+)", link).group(1)
    assert new_secret != secret
    assert first.client.get(f"/e/{slug}/organizer").status_code == 200  # who rotated keeps the rights
    assert second.client.get(f"/e/{slug}/organizer").status_code == 403  # everyone else loses them
    assert Participant(app, slug).client.get(f"/e/{slug}/organize/{secret}").status_code == 404
    assert organizer(app, slug, new_secret).client.get(f"/e/{slug}/organizer").status_code == 200
    steps = first.client.get(f"/api/events/{slug}/log").get_json()["steps"]
    assert (steps[0]["actor"], steps[0]["action"]) == ("organizer", "rotate_link")


def test_event_creation_password_guards_new_when_set(tmp_path, monkeypatch):
    from test_pages import new_event_form

    monkeypatch.setenv("EVENT_CREATION_PASSWORD", "wand-2026")
    app = make_app(tmp_path)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert 'name="password"' in client.get("/new").get_data(as_text=True)
    for wrong in ("", "wand-2025"):
        refused = client.post("/new", data={**new_event_form(client), "password": wrong})
        assert refused.status_code == 403
        assert "Wrong password: ask whoever runs this server for it." in refused.get_data(as_text=True)
    assert client.get("/e/zukunftskonferenz-2026/").status_code == 404
    created = client.post("/new", data={**new_event_form(client), "password": "wand-2026"})
    assert (created.status_code, created.headers["Location"]) == (302, "/e/zukunftskonferenz-2026/created")
    monkeypatch.delenv("EVENT_CREATION_PASSWORD")  # unset: no password asked (a laptop at the venue)
    (tmp_path / "open").mkdir()
    assert 'name="password"' not in make_app(tmp_path / "open").test_client().get("/new").get_data(as_text=True)
