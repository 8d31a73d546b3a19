"""The frame editor: an organizer changes the event, its rooms and slots while phones watch.

Each change is one revision and one `frame_updated` delta that carries the event, rooms and slots whole and the
topics it moved; the delta applied to the old wall is the new wall. Removing a room or slot never loses a topic.
Every refusal changes nothing.
"""

from __future__ import annotations

import pytest
from conftest import Organizer, Participant, build_event
from test_moderation import app, body_at, cells, orga, received, watch  # noqa: F401  (shared fixtures)

from openspace.wall import apply_change

SLUG = "orga"


def wall_of(client):
    state = client.wall().get_json()
    state.pop("mine")
    return state


def frame_of(state):
    return state["event"], state["rooms"], state["slots"]


def one_delta(phone, before, after):
    """The phone got exactly one frame_updated delta, one revision on, that turns `before` into `after`."""
    [message] = received(phone, "wall_changed")
    assert message["revision"] == before["revision"] + 1 == after["revision"]
    assert message["change"]["type"] == "frame_updated"
    assert apply_change(before, message) == after
    return message["change"]


@pytest.fixture
def phone(app, orga):
    socket, _ack = watch(Participant(app, SLUG))
    return socket


def test_event_fields_change_live_in_one_delta(app, orga, phone):
    before = wall_of(orga)
    response = orga.call(
        "patch",
        "",
        {
            "name": "  Zukunft  2027 ",
            "description": "Zwei Tage\nOpen Space",
            "venue": "Halle 3",
            "language": "de",
            "ends_on": "2026-02-28",
        },
    )
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["changed"], answer["unplaced"]) == (0, [])
    after = wall_of(orga)
    assert after["event"] == {
        **before["event"],
        "name": "Zukunft 2027",
        "description": "Zwei Tage\nOpen Space",
        "venue": "Halle 3",
        "language": "de",
        "ends_on": "2026-02-28",
    }
    assert (after["rooms"], after["slots"], after["topics"]) == (before["rooms"], before["slots"], before["topics"])
    change = one_delta(phone, before, after)
    assert (change["event"], change["rooms"], change["slots"], change["topics"]) == (
        after["event"],
        after["rooms"],
        after["slots"],
        [],
    )
    step = orga.call("get", "log").get_json()["steps"][0]
    assert (step["action"], step["actor"], step["before"], step["after"]) == (
        "frame",
        "organizer",
        {
            "event": {
                "name": "Zukunftskonferenz",
                "description": "",
                "venue": None,
                "language": "en",
                "ends_on": "2026-02-27",
            }
        },
        {
            "event": {
                "name": "Zukunft 2027",
                "description": "Zwei Tage\nOpen Space",
                "venue": "Halle 3",
                "language": "de",
                "ends_on": "2026-02-28",
            }
        },
    )


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"name": ""}, 422, {"name"}),
        ({"name": "<script>alert(1)</script>"}, 422, {"name"}),
        ({"name": 5}, 422, {"name"}),
        ({"name": "x" * 121}, 422, {"name"}),
        ({"timezone": "Mars/Olympus"}, 422, {"timezone"}),
        ({"language": "fr"}, 422, {"language"}),
        ({"starts_on": "27.02.2026"}, 422, {"starts_on"}),
        ({"ends_on": "2026-02-26"}, 422, {"ends_on"}),
        ({"ends_on": "2026-04-30"}, 422, {"ends_on"}),
        ({"starts_on": "2026-02-28", "ends_on": "2026-03-01"}, 422, {"slots"}),  # the slots are on the 27th
        ({"slug": "neu"}, 422, {"slug"}),
        ({}, 400, None),
        ([], 400, None),
    ],
)
def test_bad_event_changes_are_refused_and_change_nothing(app, orga, phone, body, status, fields):
    before = wall_of(orga)
    response = orga.call("patch", "", body)
    assert response.status_code == status, response.get_json()
    answer = response.get_json()
    assert answer["ok"] is False
    if fields is not None:
        assert set(answer["fields"]) == fields
    assert wall_of(orga) == before
    assert received(phone, "wall_changed") == []


def test_rooms_are_added_renamed_reordered_and_checked(app, orga, phone):
    before = wall_of(orga)
    response = orga.call(
        "post", "rooms", {"name": "Garten", "capacity": 40, "location": "hinter dem Haus", "position": 0}
    )
    assert response.status_code == 201, response.get_json()
    room = response.get_json()["room"]
    assert room == {"id": room["id"], "name": "Garten", "capacity": 40, "location": "hinter dem Haus"}
    after = wall_of(orga)
    assert [r["name"] for r in after["rooms"]] == ["Garten", "Raum 1", "Raum 2", "Raum 3"]
    one_delta(phone, before, after)

    before = after
    response = orga.call("patch", f"rooms/{room['id']}", {"name": "Gartenhaus", "position": 2, "capacity": None})
    assert response.status_code == 200, response.get_json()
    after = wall_of(orga)
    assert [(r["name"], r["capacity"]) for r in after["rooms"]] == [
        ("Raum 1", 20),
        ("Raum 2", 20),
        ("Gartenhaus", None),
        ("Raum 3", 20),
    ]
    one_delta(phone, before, after)

    for body, field in [
        ({"name": "raum  1"}, "name"),  # the same name to a reader
        ({"name": "Raum\u200b 1"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "<b>x</b>"}, "name"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": "20"}, "capacity"),
        ({"position": 99}, "position"),
        ({"colour": "red"}, "colour"),
    ]:
        refused = orga.call("patch", f"rooms/{room['id']}", body)
        assert (refused.status_code, set(refused.get_json()["fields"])) == (422, {field}), body
    assert orga.call("post", "rooms", {"name": "Raum 2"}).status_code == 422
    assert orga.call("post", "rooms", {"capacity": 3}).status_code == 422
    assert wall_of(orga) == after
    assert received(phone, "wall_changed") == []


def test_removing_a_room_sends_its_topics_to_the_queue_never_deleting_them(app, orga, cells, phone):
    anna = Participant(app, SLUG)
    first = anna.post(body_at(cells[0], title="Retouren", host="Anna")).get_json()["topic"]
    other = anna.post(body_at(cells[1], title="Lager", host="Anna")).get_json()["topic"]
    third = anna.post(body_at(cells[3], title="Versand", host="Anna")).get_json()["topic"]  # room 1, second slot
    received(phone, "wall_changed")
    before = wall_of(orga)
    room_id = cells[0][0]
    response = orga.call("delete", f"rooms/{room_id}")
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["unplaced"] == [
        {"id": first["id"], "title": "Retouren", "host": "Anna"},
        {"id": third["id"], "title": "Versand", "host": "Anna"},
    ]
    assert answer["changed"] == 2
    after = wall_of(orga)
    assert [r["id"] for r in after["rooms"]] == [r["id"] for r in before["rooms"] if r["id"] != room_id]
    cells_after = {t["id"]: (t["room_id"], t["slot_id"]) for t in after["topics"]}
    assert cells_after == {first["id"]: (None, None), other["id"]: cells[1], third["id"]: (None, None)}
    change = one_delta(phone, before, after)
    assert sorted(t["id"] for t in change["topics"]) == [first["id"], third["id"]]
    steps = orga.call("get", "log").get_json()["steps"][:3]
    assert [(s["action"], s["topic_id"]) for s in steps] == [
        ("frame", None),
        ("unplace", third["id"]),
        ("unplace", first["id"]),
    ]
    assert steps[0]["before"]["room"]["name"] == "Raum 1"
    assert orga.call("patch", f"rooms/{room_id}", {"name": "wieder"}).status_code == 404


def test_a_withdrawn_topic_of_a_removed_slot_is_restored_unplaced(app, orga, cells, phone):
    anna = Participant(app, SLUG)
    topic = anna.post(body_at(cells[0], title="Retouren", host="Anna")).get_json()["topic"]
    assert anna.delete(topic["id"]).status_code == 200
    assert orga.call("delete", f"slots/{cells[0][1]}").status_code == 200
    assert orga.call("post", f"topics/{topic['id']}/restore").status_code == 200
    [restored] = [t for t in wall_of(orga)["topics"] if t["id"] == topic["id"]]
    assert (restored["room_id"], restored["slot_id"]) == (None, None)


def test_slots_are_added_moved_made_breaks_and_removed(app, orga, cells, phone):
    anna = Participant(app, SLUG)
    topic = anna.post(body_at(cells[3], title="Retouren", host="Anna")).get_json()["topic"]  # second slot
    received(phone, "wall_changed")
    before = wall_of(orga)
    response = orga.call(
        "post",
        "slots",
        {"starts_at": "2026-02-27T12:15", "ends_at": "2026-02-27T13:15", "label": "Mittag", "is_break": True},
    )
    assert response.status_code == 201, response.get_json()
    slot = response.get_json()["slot"]
    assert slot == {
        "id": slot["id"],
        "starts_at": "2026-02-27T12:15:00+01:00",
        "ends_at": "2026-02-27T13:15:00+01:00",
        "label": "Mittag",
        "is_break": True,
    }
    after = wall_of(orga)
    assert [s["label"] for s in after["slots"]] == ["Runde 1", "Runde 2", "Runde 3", "Mittag"]
    one_delta(phone, before, after)

    before = after
    response = orga.call(
        "patch", f"slots/{slot['id']}", {"starts_at": "2026-02-27T07:00+00:00", "ends_at": "2026-02-27T08:45"}
    )
    assert response.status_code == 200, response.get_json()
    after = wall_of(orga)
    assert [(s["label"], s["starts_at"][11:16], s["ends_at"][11:16]) for s in after["slots"]] == [
        ("Mittag", "08:00", "08:45"),  # an offset is turned into the event's time: 07:00 UTC is 08:00 in Berlin
        ("Runde 1", "09:00", "09:50"),
        ("Runde 2", "10:00", "10:50"),
        ("Runde 3", "11:00", "11:50"),
    ]
    one_delta(phone, before, after)

    before = after
    response = orga.call("patch", f"slots/{cells[3][1]}", {"is_break": True, "label": "Kaffee"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["unplaced"] == [{"id": topic["id"], "title": "Retouren", "host": "Anna"}]
    after = wall_of(orga)
    [moved] = after["topics"]
    assert (moved["room_id"], moved["slot_id"]) == (None, None)
    change = one_delta(phone, before, after)
    assert [t["id"] for t in change["topics"]] == [topic["id"]]
    assert anna.post(body_at(cells[3], title="Pause?")).status_code == 422  # a break holds no topics

    before = after
    response = orga.call("delete", f"slots/{slot['id']}")
    assert (response.status_code, response.get_json()["unplaced"]) == (200, [])
    after = wall_of(orga)
    assert slot["id"] not in [s["id"] for s in after["slots"]]
    one_delta(phone, before, after)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"starts_at": "2026-02-27T09:30", "ends_at": "2026-02-27T10:15"}, {"starts_at"}),  # overlaps Runde 1
        ({"starts_at": "2026-02-27T14:00", "ends_at": "2026-02-27T13:00"}, {"ends_at"}),
        ({"starts_at": "2026-02-28T14:00", "ends_at": "2026-02-28T15:00"}, {"slots"}),  # not one of the days
        ({"starts_at": "14:00", "ends_at": "2026-02-27T15:00"}, {"starts_at"}),
        ({"starts_at": "2026-02-27T14:00"}, {"ends_at"}),
        ({"starts_at": "2026-02-27T14:00", "ends_at": "2026-02-27T15:00", "label": "<img src=x>"}, {"label"}),
        ({"starts_at": "2026-02-27T14:00", "ends_at": "2026-02-27T15:00", "is_break": "yes"}, {"is_break"}),
        ({"starts_at": "2026-02-27T14:00", "ends_at": "2026-02-27T15:00", "room": 1}, {"room"}),
    ],
)
def test_bad_slots_are_refused_and_change_nothing(app, orga, phone, body, fields):
    before = wall_of(orga)
    response = orga.call("post", "slots", body)
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["fields"]) == fields
    assert wall_of(orga) == before
    assert received(phone, "wall_changed") == []


def test_the_last_room_and_slot_stay(app, tmp_path):
    slug, secret = build_event(app, slug="klein", rooms=1, slots=1)
    orga = Organizer(app, slug, secret)
    wall = orga.wall().get_json()
    for path in (f"rooms/{wall['rooms'][0]['id']}", f"slots/{wall['slots'][0]['id']}"):
        response = orga.call("delete", path)
        assert (response.status_code, response.get_json()["code"]) == (422, "invalid")
    assert orga.wall().get_json() == wall


def test_frame_changes_need_organizer_rights_and_ids_of_this_event(app, orga, organizer_secret, phone):
    slug, secret = organizer_secret
    other_slug, _ = build_event(app, slug="fremd")
    foreign = Participant(app, other_slug).wall().get_json()
    wall = orga.wall().get_json()
    room, slot = wall["rooms"][0]["id"], wall["slots"][0]["id"]
    actions = [
        ("patch", "", {"name": "Übernommen"}),
        ("post", "rooms", {"name": "Neu"}),
        ("patch", f"rooms/{room}", {"name": "Neu"}),
        ("delete", f"rooms/{room}", None),
        ("post", "slots", {"starts_at": "2026-02-27T14:00", "ends_at": "2026-02-27T15:00"}),
        ("patch", f"slots/{slot}", {"label": "Neu"}),
        ("delete", f"slots/{slot}", None),
    ]
    rotated = Organizer(app, slug, secret)
    assert orga.call("post", "organizer-link").status_code == 200  # `rotated` loses its rights
    received(phone, "wall_changed")
    before = wall_of(orga)
    outsider = app.test_client()
    for method, path, body in actions:
        for client in (Participant(app, SLUG), rotated):
            response = client.call(method, path, body)
            assert (response.status_code, response.get_json()["code"]) == (403, "forbidden"), (path, client)
        extra = {} if body is None else {"json": body}
        response = getattr(outsider, method)(f"/api/events/{SLUG}" + (f"/{path}" if path else ""), **extra)
        assert (response.status_code, response.get_json()["code"]) == (403, "csrf"), path  # no session, no token
    for method, path, body in [
        ("patch", f"rooms/{foreign['rooms'][0]['id']}", {"name": "Neu"}),
        ("delete", f"rooms/{foreign['rooms'][0]['id']}", None),
        ("patch", f"slots/{foreign['slots'][0]['id']}", {"label": "Neu"}),
        ("delete", f"slots/{foreign['slots'][0]['id']}", None),
        ("delete", "rooms/99999", None),
    ]:
        response = orga.call(method, path, body)
        assert (response.status_code, response.get_json()["code"]) == (404, "not_found"), path
    assert wall_of(orga) == before
    assert Participant(app, other_slug).wall().get_json()["rooms"] == foreign["rooms"]
    assert received(phone, "wall_changed") == []
