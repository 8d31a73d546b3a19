"""A flood from one address that drops its cookie for a fresh participant key every few posts.

Replays the probe that got 1,180 of 1,300 posts onto a wall in 12 s, with the default limits: what gets
through is bounded by the per-event ceiling, and one organizer action takes all of it off again.
"""

from __future__ import annotations

import re

from conftest import Participant, build_event, make_app, topic_body

from openspace.config import DEFAULTS


def test_defaults_are_the_documented_ones():
    assert DEFAULTS["RATE_LIMIT_EVENT_POSTS"] == "200 per minute"
    assert DEFAULTS["RATE_LIMIT_NEW_PARTICIPANTS"] == "2000 per 5 minutes"


def test_cookie_cycling_flood_gets_199_posts_through_and_one_organizer_action_removes_them(tmp_path):
    app = make_app(tmp_path)
    slug, secret = build_event(app, rooms=6, slots=4)
    before = Participant(app, slug)
    assert before.post(topic_body(title="Echtes Anliegen", room_id=None, slot_id=None)).status_code == 201
    accepted, refused = [], {}
    attempts = 0
    while attempts < 300:
        attacker = Participant(app, slug)  # a fresh cookie: a new participant key
        for _ in range(3):
            attempts += 1
            response = attacker.post(topic_body(title=f"Spam {attempts}", room_id=None, slot_id=None))
            if response.status_code == 201:
                accepted.append(response.get_json()["topic"]["id"])
            else:
                code = response.get_json()["code"]
                refused[code] = refused.get(code, 0) + 1
    assert len(accepted) == 199  # the event's 200 posts a minute, the genuine one before the flood included
    assert refused == {"rate_limited": 101}
    legit = Participant(app, slug).post(topic_body(title="Nach der Flut", room_id=None, slot_id=None))
    assert (legit.status_code, legit.get_json()["error"]) == (
        429,
        "Very many topics are being pinned right now. Please try again in a minute.",
    )
    orga = Participant(app, slug)
    assert orga.client.get(f"/e/{slug}/organize/{secret}").status_code == 302
    cleaned = orga.client.post(
        f"/api/events/{slug}/moderation/withdraw", json={"topic_ids": accepted}, headers={"X-CSRFToken": orga.csrf}
    )
    assert cleaned.get_json()["changed"] == 199
    assert [t["title"] for t in orga.wall().get_json()["topics"]] == ["Echtes Anliegen"]
    assert orga.post(topic_body(title="Organisatorin", room_id=None, slot_id=None)).status_code == 201


def test_2000_phones_behind_one_nat_all_get_a_key_and_the_2001st_is_asked_to_wait(tmp_path):
    app = make_app(tmp_path)
    slug, _ = build_event(app)
    keys = set()
    for _ in range(2000):
        client = app.test_client()
        assert client.get(f"/e/{slug}/").status_code == 200
        with client.session_transaction() as session:
            keys.add(session["pk"])
    assert len(keys) == 2000
    late = app.test_client()
    late.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = late.get(f"/e/{slug}/").get_data(as_text=True)
    assert "Very many new devices are joining from this network right now. Please reload in a minute." in page
    with late.session_transaction() as session:
        assert "pk" not in session
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    refused = late.post(f"/api/events/{slug}/topics", json=topic_body(), headers={"X-CSRFToken": csrf})
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    other_network = app.test_client()
    other_network.get(f"/e/{slug}/", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    with other_network.session_transaction() as session:
        assert "pk" in session
