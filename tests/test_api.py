"""The JSON API contract of docs/api.md, including every error status."""

from __future__ import annotations

from conftest import Participant, build_event, topic_body


def test_get_wall_returns_state_with_revision(alice):
    response = alice.wall()
    assert response.status_code == 200
    body = response.get_json()
    assert sorted(body) == [
        "announcements", "event", "headcounts", "marketplace", "mine", "revision", "rooms", "slots", "topics",
    ]  # fmt: skip
    assert body["revision"] == 0
    assert body["announcements"] == []
    assert body["marketplace"] == {"open": False, "position": 0, "total": 0, "current": None, "next": []}
    assert body["event"]["name"] == "Zukunftskonferenz"
    assert len(body["rooms"]) == 3
    assert len(body["slots"]) == 3


def test_get_wall_unknown_event_is_404_json(alice):
    response = alice.client.get("/api/events/gibtsnicht/wall")
    assert response.status_code == 404
    assert response.get_json() == {"ok": False, "error": "There is no event at this address.", "code": "not_found"}


def test_post_topic_returns_201_topic_and_revision(alice):
    response = alice.post(topic_body())
    assert response.status_code == 201
    body = response.get_json()
    assert body["ok"] is True
    assert body["revision"] == 1
    assert {k: body["topic"][k] for k in ("id", "title", "host", "goal", "context", "room_id", "slot_id")} == {
        "id": 1,
        "title": "Retouren senken",
        "host": "Marek",
        "goal": "Drei Maßnahmen",
        "context": "",
        "room_id": 1,
        "slot_id": 1,
    }
    assert alice.wall().get_json()["mine"] == [1]


def test_post_topic_unplaced_with_null_cell(alice):
    response = alice.post(topic_body(room_id=None, slot_id=None))
    assert response.status_code == 201
    assert (response.get_json()["topic"]["room_id"], response.get_json()["topic"]["slot_id"]) == (None, None)


def test_post_topic_taken_cell_is_409_naming_holder(alice, bob):
    alice.post(topic_body(title="Erster"))
    response = bob.post(topic_body(title="Zweiter", host="Bob"))
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "taken"
    assert body["holder"]["title"] == "Erster"
    assert "Erster" in body["error"]
    assert [t["title"] for t in bob.wall().get_json()["topics"]] == ["Erster"]


def test_post_topic_invalid_is_422_with_field_errors(alice):
    response = alice.post(topic_body(title="", host="x" * 81))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid"
    assert sorted(body["fields"]) == ["host", "title"]
    assert alice.wall().get_json()["revision"] == 0


def test_post_topic_unknown_event_is_404(alice):
    response = alice.post(topic_body(), slug="gibtsnicht")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_post_topic_without_csrf_token_is_refused(alice):
    response = alice.client.post("/api/events/zukunft/topics", json=topic_body())
    assert response.status_code == 403
    assert response.get_json()["code"] == "csrf"
    assert alice.wall().get_json()["topics"] == []


def test_post_topic_non_object_body_is_400(alice):
    response = alice.client.post("/api/events/zukunft/topics", json=["a"], headers={"X-CSRFToken": alice.csrf})
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_request"


def test_post_topic_malformed_json_is_400(alice):
    response = alice.client.post(
        "/api/events/zukunft/topics",
        data=b'{"title": ',
        content_type="application/json",
        headers={"X-CSRFToken": alice.csrf},
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_request"


def test_post_topic_invalid_utf8_is_400(alice):
    response = alice.client.post(
        "/api/events/zukunft/topics",
        data=b'{"title": "\xff\xfe", "host": "x"}',
        content_type="application/json",
        headers={"X-CSRFToken": alice.csrf},
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_request"
    assert alice.wall().get_json()["revision"] == 0


def test_post_topic_nul_byte_is_400(alice):
    response = alice.client.post(
        "/api/events/zukunft/topics",
        data=b'{"title": "a\\u0000b", "host": "x"}',
        content_type="application/json",
        headers={"X-CSRFToken": alice.csrf},
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_request"


def test_post_topic_oversized_body_is_413(alice):
    response = alice.post(topic_body(goal="g" * 70_000))
    assert response.status_code == 413
    assert response.get_json()["code"] == "http_413"


def test_post_topic_same_request_id_twice_creates_one_topic(alice):
    first = alice.post(topic_body(request_id="a1b2c3d4e5f6"))
    second = alice.post(topic_body(request_id="a1b2c3d4e5f6"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["topic"] == first.get_json()["topic"]
    assert second.get_json()["revision"] == 1
    assert len(alice.wall().get_json()["topics"]) == 1


def test_patch_topic_by_author_is_200(alice):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    response = alice.patch(topic_id, {"title": "Retouren halbieren", "room_id": 2, "slot_id": 2})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["topic"]["title"], body["topic"]["room_id"], body["topic"]["slot_id"], body["revision"]) == (
        "Retouren halbieren",
        2,
        2,
        2,
    )


def test_patch_topic_by_other_participant_is_403(alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    response = bob.patch(topic_id, {"title": "Gekapert"})
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"
    assert alice.wall().get_json()["topics"][0]["title"] == "Retouren senken"


def test_delete_topic_by_other_participant_is_403(alice, bob):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    response = bob.delete(topic_id)
    assert response.status_code == 403
    assert response.get_json()["code"] == "forbidden"
    assert [t["id"] for t in alice.wall().get_json()["topics"]] == [topic_id]


def test_delete_topic_by_author_is_200(alice):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    response = alice.delete(topic_id)
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "revision": 2}
    assert alice.wall().get_json()["topics"] == []


def test_delete_unknown_topic_is_404(alice):
    response = alice.delete(999)
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_topic_of_other_event_cannot_be_changed_through_this_event(app, alice):
    build_event(app, slug="andere")
    other = Participant(app, "andere")
    room_id, slot_id = other.first_cell()
    topic_id = other.post(topic_body(room_id=room_id, slot_id=slot_id)).get_json()["topic"]["id"]
    before = other.wall().get_json()
    response = alice.client.patch(
        f"/api/events/zukunft/topics/{topic_id}", json={"title": "x"}, headers={"X-CSRFToken": alice.csrf}
    )
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
    assert other.wall().get_json() == before
    assert before["topics"][0]["title"] == "Retouren senken"


def test_organizer_link_grants_rights_to_change_any_topic(app, alice):
    slug, secret = build_event(app, slug="orga")
    author = Participant(app, slug)
    topic_id = author.post(topic_body(room_id=None, slot_id=None)).get_json()["topic"]["id"]
    organizer = Participant(app, slug)
    refused = organizer.patch(topic_id, {"title": "Moderiert"})
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    assert [t["title"] for t in author.wall().get_json()["topics"]] == ["Retouren senken"]
    redeemed = organizer.client.get(f"/e/{slug}/organize/{secret}")
    assert redeemed.status_code == 302
    assert redeemed.headers["Location"].endswith(f"/e/{slug}/organizer")
    saved = organizer.patch(topic_id, {"title": "Moderiert"})
    assert saved.status_code == 200
    assert saved.get_json()["topic"]["title"] == "Moderiert"
    assert [(t["id"], t["title"]) for t in author.wall().get_json()["topics"]] == [(topic_id, "Moderiert")]


def test_organizer_link_with_wrong_secret_is_404(app, alice):
    slug, secret = build_event(app, slug="orga")
    wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")  # differs from the real secret in its last character
    response = alice.client.get(f"/e/{slug}/organize/{wrong}")
    assert response.status_code == 404
    assert alice.client.get(f"/e/{slug}/organizer").status_code == 403


def test_api_responses_are_not_cached_and_carry_security_headers(alice):
    response = alice.wall()
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_unknown_api_path_is_json_404(alice):
    response = alice.client.get("/api/nothing")
    assert response.status_code == 404
    assert (response.get_json()["ok"], response.get_json()["code"]) == (False, "http_404")


def test_patch_without_fields_is_422_and_changes_nothing(alice):
    topic_id = alice.post(topic_body()).get_json()["topic"]["id"]
    response = alice.patch(topic_id, {})
    assert response.status_code == 422
    assert (response.get_json()["code"], response.get_json()["error"]) == ("invalid", "Nothing to change.")
    assert alice.wall().get_json()["revision"] == 1
