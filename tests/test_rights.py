"""Every organizer action refuses everyone else with 403 and changes nothing.

Three kinds of caller per action: a participant with the event's page open, an outsider with no session at all,
and a browser whose organizer rights were rotated away. After all refusals, the wall, the moderation panel and
the activity log are exactly as before, and a watching phone received nothing.
"""

from __future__ import annotations

import pytest
from conftest import Organizer, Participant
from test_moderation import app, body_at, cells, orga, received, watch  # noqa: F401  (shared fixtures)

SLUG = "orga"


def actions(topic: int, other: int, room: int, slot: int, announcement: int) -> list[tuple[str, str, dict | None]]:
    """(method, path under /api/events/<slug>, body) of every organizer action."""
    return [
        ("get", "moderation", None),
        ("get", "moderation/log", None),
        ("get", "log", None),
        ("get", "proposal", None),
        ("get", "conflicts", None),
        ("post", "moderation/lock", {"locked": True, "reason": "x"}),
        ("patch", "moderation/settings", {"premoderation": True}),
        ("post", "moderation/approve", {"topic_ids": [topic]}),
        ("post", "moderation/withdraw", {"topic_ids": [topic]}),
        ("post", "moderation/restore", {"topic_ids": [topic]}),
        ("post", "moderation/block", {"topic_id": topic}),
        ("post", "moderation/unblock", {"topic_id": topic}),
        ("post", f"topics/{topic}/swap", {"other_id": other}),
        ("post", f"topics/{topic}/merge", {"into_id": other}),
        ("post", f"topics/{topic}/pin", None),
        ("post", f"topics/{topic}/unpin", None),
        ("post", f"topics/{topic}/restore", None),
        ("post", "undo", None),
        (
            "post",
            "proposal",
            {
                "moves": [
                    {
                        "topic_id": topic,
                        "from": {"room_id": room, "slot_id": slot},
                        "to": {"room_id": room, "slot_id": slot + 1},
                    }
                ]
            },
        ),
        ("post", "lock", {"reason": "x"}),
        ("post", "unlock", None),
        ("post", "organizer-link", None),
        ("patch", "", {"name": "Übernommen"}),
        ("post", "rooms", {"name": "Neu"}),
        ("patch", f"rooms/{room}", {"name": "Neu"}),
        ("delete", f"rooms/{room}", None),
        ("post", "slots", {"starts_at": "2026-02-27T14:00", "ends_at": "2026-02-27T15:00"}),
        ("patch", f"slots/{slot}", {"label": "Neu"}),
        ("delete", f"slots/{slot}", None),
        ("post", "announcements", {"text": "Übernommen"}),
        ("delete", f"announcements/{announcement}", None),
        *[("post", "marketplace", {"action": step}) for step in ("open", "next", "back", "skip", "close")],
    ]


def everything(orga):
    """What an organizer sees: the wall, the panel and the log."""
    wall = orga.wall().get_json()
    wall.pop("mine")
    return wall, orga.panel(), orga.call("get", "log").get_json()["steps"]


@pytest.fixture
def setting(app, orga, cells, organizer_secret):
    """Two topics on the wall (one by a participant), a rotated-away organizer, and a phone watching."""
    _slug, secret = organizer_secret
    anna = Participant(app, SLUG)
    first = anna.post(body_at(cells[0], title="Retouren", host="Anna")).get_json()["topic"]
    second = orga.post(body_at(cells[1], title="Lager", host="Orga")).get_json()["topic"]
    announcement = orga.call("post", "announcements", {"text": "Mittag um 12:30"}).get_json()["announcement"]
    rotated = Organizer(app, SLUG, secret)
    assert orga.call("post", "organizer-link").status_code == 200  # `rotated` keeps its cookie, loses its rights
    phone, _ack = watch(Participant(app, SLUG))
    return anna, rotated, phone, actions(first["id"], second["id"], cells[0][0], cells[0][1], announcement["id"])


def test_every_organizer_action_is_403_for_participants_outsiders_and_rotated_away_browsers(app, orga, setting):
    anna, rotated, phone, every = setting
    before = everything(orga)
    outsider = app.test_client()
    for method, path, body in every:
        url = f"/api/events/{SLUG}" + (f"/{path}" if path else "")
        for who, client in (("participant", anna), ("rotated", rotated)):
            response = client.call(method, path, body)
            assert (response.status_code, response.get_json()["code"]) == (403, "forbidden"), (who, method, path)
        extra = {} if body is None else {"json": body}
        response = getattr(outsider, method)(url, **extra)
        expected = "forbidden" if method == "get" else "csrf"  # no session: no token to send
        assert (response.status_code, response.get_json()["code"]) == (403, expected), ("outsider", method, path)
    assert everything(orga) == before
    assert received(phone, "wall_changed") == []


def test_the_rotated_away_browser_gets_no_organizer_socket_room(app, orga, setting):
    _anna, rotated, _phone, _every = setting
    socket, ack = watch(rotated)
    assert "moderation" not in ack
    assert orga.call("post", "lock", {"reason": "Pause"}).status_code == 200
    names = [m["name"] for m in socket.get_received()]
    assert names == ["wall_changed"]  # the wall's change, never the organizers' panel
