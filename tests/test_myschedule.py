"""My schedule: own and interesting topics, and the personal calendar feed at a secret, resettable address."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
from conftest import build_event, topic_body

from openspace.exports.rows import topic_guid
from openspace.extensions import db
from openspace.identity import hash_secret
from openspace.models import FeedKey, Interest, Topic

BERLIN = ZoneInfo("Europe/Berlin")


def mark(app, participant, topic_id):
    """Store `participant`'s interest in a topic, as the interest endpoint does."""
    with participant.client.session_transaction() as session:
        author = hash_secret(session["pk"])
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        db.session.add(Interest(topic_id=topic_id, author_hash=author, event_id=topic.event_id))
        db.session.commit()


def feed_path(participant):
    page = participant.client.get(f"/e/{participant.slug}/me")
    assert page.status_code == 200
    url = html.unescape(re.search(rb'<code id="feed-url">([^<]+)</code>', page.data).group(1).decode())
    assert url.startswith("http://localhost/e/zukunft/me.ics?key=")
    return url.removeprefix("http://localhost")


def entries(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response.headers["Cache-Control"]
    calendar = icalendar.Calendar.from_ical(response.data)
    return calendar, {
        str(e["summary"]): (e.decoded("dtstart"), e.decoded("dtend"), str(e["location"]), str(e["uid"]))
        for e in calendar.walk("VEVENT")
    }


def posted(participant, **body):
    response = participant.post(topic_body(**body))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["topic"]["id"]


def test_feed_holds_own_and_interesting_topics_where_they_are(app, event, alice, bob):
    own = posted(alice, title="Eigenes Anliegen", host="Alice", room_id=1, slot_id=1)
    liked = posted(bob, title="Bobs Thema", host="Bob", room_id=2, slot_id=2)
    posted(bob, title="Nicht markiert", host="Bob", room_id=3, slot_id=3)
    mark(app, alice, liked)
    calendar, found = entries(alice.client.get(feed_path(alice)))
    assert str(calendar["x-wr-calname"]) == "Zukunftskonferenz – My schedule"
    assert found == {
        "Eigenes Anliegen": (
            datetime(2026, 2, 27, 9, 0, tzinfo=BERLIN),
            datetime(2026, 2, 27, 9, 50, tzinfo=BERLIN),
            "Raum 1",
            f"topic-{topic_guid('zukunft', own)}-me@localhost",
        ),
        "Bobs Thema": (
            datetime(2026, 2, 27, 10, 0, tzinfo=BERLIN),
            datetime(2026, 2, 27, 10, 50, tzinfo=BERLIN),
            "Raum 2",
            f"topic-{topic_guid('zukunft', liked)}-me@localhost",
        ),
    }
    assert [c.name for c in calendar.subcomponents if c.name == "VTIMEZONE"] == ["VTIMEZONE"]
    # Bob's own feed holds only his two topics.
    _, bobs = entries(bob.client.get(feed_path(bob)))
    assert set(bobs) == {"Bobs Thema", "Nicht markiert"}


def test_a_moved_topic_moves_in_the_feed(app, event, alice, bob):
    liked = posted(bob, title="Bobs Thema", host="Bob", room_id=2, slot_id=2)
    mark(app, alice, liked)
    path = feed_path(alice)
    assert bob.patch(liked, {"room_id": 3, "slot_id": 3}).status_code == 200
    _, found = entries(alice.client.get(path))
    assert found["Bobs Thema"][:3] == (
        datetime(2026, 2, 27, 11, 0, tzinfo=BERLIN),
        datetime(2026, 2, 27, 11, 50, tzinfo=BERLIN),
        "Raum 3",
    )
    # Unplaced, it leaves the calendar; withdrawn, too.
    assert bob.patch(liked, {"room_id": None, "slot_id": None}).status_code == 200
    assert entries(alice.client.get(path))[1] == {}


def test_reset_makes_the_old_address_404_and_the_page_shows_the_new_one(app, event, alice):
    posted(alice, title="Eigenes Anliegen", host="Alice")
    old = feed_path(alice)
    assert feed_path(alice) == old  # the same address on every visit
    refused = alice.client.post("/api/events/zukunft/me/feed-key", json={})  # no CSRF token
    assert refused.status_code == 403
    assert alice.client.get(old).status_code == 200
    reset = alice.call("post", "me/feed-key", {})
    assert reset.status_code == 200
    new = reset.get_json()["feed_url"].removeprefix("http://localhost")
    assert new != old
    assert alice.client.get(old).status_code == 404
    assert set(entries(alice.client.get(new))[1]) == {"Eigenes Anliegen"}
    assert feed_path(alice) == new
    with app.app_context():
        assert db.session.query(FeedKey).one().generation == 2


def test_unknown_malformed_and_foreign_keys_are_404(app, event, alice):
    build_event(app, slug="andere")
    path = feed_path(alice)
    key = path.split("key=")[1]
    assert alice.client.get("/e/zukunft/me.ics").status_code == 404
    assert alice.client.get("/e/zukunft/me.ics?key=").status_code == 404
    assert alice.client.get("/e/zukunft/me.ics?key=" + "A" * 32).status_code == 404
    assert alice.client.get("/e/zukunft/me.ics?key=" + key + "x").status_code == 404
    assert alice.client.get(f"/e/andere/me.ics?key={key}").status_code == 404  # another event's address
    assert alice.client.get(f"/e/nirgends/me.ics?key={key}").status_code == 404
    # Someone else (no cookie) with the address gets the same feed: the address is the secret.
    assert app.test_client().get(path).status_code == 200


def test_me_api_names_own_and_interesting_topics(app, event, alice, bob):
    own = posted(alice, title="Eigenes Anliegen", host="Alice")
    liked = posted(bob, title="Bobs Thema", host="Bob", room_id=2, slot_id=2)
    mark(app, alice, liked)
    body = alice.client.get("/api/events/zukunft/me").get_json()
    assert body["mine"] == [own]
    assert body["interested"] == [liked]
    assert body["feed_url"] == "http://localhost" + feed_path(alice)
    assert bob.client.get("/api/events/zukunft/me").get_json()["interested"] == []
    assert app.test_client().get("/api/events/nirgends/me").status_code == 404


def test_schedule_page_lists_data_for_the_agenda(app, event, alice):
    own = posted(alice, title="Eigenes Anliegen", host="Alice")
    page = alice.client.get("/e/zukunft/me")
    assert page.status_code == 200
    data = re.search(rb'<script type="application/json" id="page-data">(.+?)</script>', page.data).group(1)
    assert f'"mine": [{own}]'.encode() in data and b'"interested": []' in data


def test_a_phone_without_key_gets_no_feed(app, event):
    client = app.test_client()
    assert client.get("/api/events/zukunft/me").get_json() == {"mine": [], "interested": [], "feed_url": None}


def test_page_link_from_the_phone(alice):
    assert b'href="/e/zukunft/me"' in alice.client.get("/e/zukunft/").data
