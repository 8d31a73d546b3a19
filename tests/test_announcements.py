"""Announcements pinned above the wall: organizers pin and remove them, everyone sees them live until they expire.

Each action: one client acts over HTTP, a phone watches its socket (exactly one delta, one revision, and the
delta applied to the old wall is the new wall); every refusal answers its status and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import Organizer, Participant, build_event
from test_moderation import app, orga, received, watch  # noqa: F401  (shared fixtures)

from openspace.wall import apply_change

SLUG = "orga"
BERLIN = ZoneInfo("Europe/Berlin")


def wall_of(client):
    state = client.wall().get_json()
    state.pop("mine")
    return state


def local_in(**delta) -> datetime:
    """A wall-clock time in the event's zone, `delta` from now, to the minute."""
    return (datetime.now(UTC) + timedelta(**delta)).astimezone(BERLIN).replace(second=0, microsecond=0)


def pin(orga, text="Mittagessen ab 12:30 im Foyer", until=None):
    return orga.call("post", "announcements", {"text": text, "until": until})


def test_pinning_an_announcement_reaches_every_phone_in_one_delta(app, orga):
    phone, _ = watch(Participant(app, SLUG))
    before = wall_of(orga)
    until = local_in(hours=2)

    response = pin(orga, until=until.replace(tzinfo=None).isoformat(timespec="minutes"))

    assert response.status_code == 201
    body = response.get_json()
    shown = {"id": body["announcement"]["id"], "text": "Mittagessen ab 12:30 im Foyer", "until": until.isoformat()}
    assert body == {"ok": True, "announcement": shown, "revision": before["revision"] + 1}
    [message] = received(phone, "wall_changed")
    assert message == {
        "revision": before["revision"] + 1,
        "change": {"type": "announcements_updated", "announcements": [shown]},
    }
    after = wall_of(orga)
    assert after["announcements"] == [shown]
    assert apply_change(before, message) == after
    step = orga.call("get", "log").get_json()["steps"][0]
    assert (step["action"], step["actor"], step["before"], step["after"]) == ("announce", "organizer", None, shown)


def test_announcements_keep_their_order_and_removing_one_sends_the_rest(app, orga):
    first = pin(orga, "Erstens").get_json()["announcement"]
    second = pin(orga, "Zweitens", until="23:59" if local_in(minutes=5).hour < 23 else None).get_json()
    third = pin(orga, "Drittens").get_json()["announcement"]
    assert [a["text"] for a in wall_of(orga)["announcements"]] == ["Erstens", "Zweitens", "Drittens"]
    phone, _ = watch(Participant(app, SLUG))
    before = wall_of(orga)

    response = orga.call("delete", f"announcements/{first['id']}")

    assert (response.status_code, response.get_json()) == (200, {"ok": True, "revision": before["revision"] + 1})
    [message] = received(phone, "wall_changed")
    assert message["change"] == {
        "type": "announcements_updated",
        "announcements": [second["announcement"], third],
    }
    assert apply_change(before, message) == wall_of(orga)
    step = orga.call("get", "log").get_json()["steps"][0]
    assert (step["action"], step["before"], step["after"]) == ("unannounce", first, None)


def test_an_expired_announcement_leaves_the_wall_without_a_revision(app, orga, monkeypatch):
    kept = pin(orga, "Bleibt").get_json()["announcement"]
    going = pin(orga, "Geht", until=local_in(hours=1).replace(tzinfo=None).isoformat()).get_json()["announcement"]
    wall = Participant(app, SLUG).client
    assert b"Geht" in wall.get(f"/e/{SLUG}/wall").data
    revision = wall_of(orga)["revision"]
    assert [a["id"] for a in wall_of(orga)["announcements"]] == [kept["id"], going["id"]]
    later = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1, minutes=1)
    monkeypatch.setattr("openspace.snapshot.utcnow", lambda: later)
    monkeypatch.setattr("openspace.announcements.utcnow", lambda: later)

    after = wall_of(orga)
    assert (after["announcements"], after["revision"]) == ([kept], revision)
    assert b"Geht" not in wall.get(f"/e/{SLUG}/wall").data
    gone = orga.call("delete", f"announcements/{going['id']}")
    assert (gone.status_code, gone.get_json()["code"]) == (404, "not_found")
    assert wall_of(orga) == after


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"text": ""}, 422, "invalid", "text"),
        ({"text": "   "}, 422, "invalid", "text"),
        ({}, 422, "invalid", "text"),
        ({"text": "x" * 201}, 422, "invalid", "text"),
        ({"text": 5}, 422, "invalid", "text"),
        ({"text": "<b>Mittag</b>"}, 422, "invalid", "text"),
        ({"text": "Pause", "until": "morgen"}, 422, "invalid", "until"),
        ({"text": "Pause", "until": "2026-02-30T10:00"}, 422, "invalid", "until"),
        ({"text": "Pause", "until": 1030}, 422, "invalid", "until"),
        ({"text": "Pause", "until": "2020-01-01T10:00"}, 422, "invalid", "until"),
        ({"text": "Pause", "until": "2020-01-01T10:00+00:00"}, 422, "invalid", "until"),
        (["Pause"], 400, "bad_request", None),
    ],
)
def test_bad_announcements_are_refused_and_change_nothing(app, orga, body, status, code, field):
    phone, _ = watch(Participant(app, SLUG))
    before = wall_of(orga)
    response = orga.call("post", "announcements", body)
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    if field:
        assert list(response.get_json()["fields"]) == [field]
    assert wall_of(orga) == before
    assert received(phone, "wall_changed") == []


def test_a_time_of_day_means_today_and_a_past_one_is_refused(app, orga, monkeypatch):
    # The server's clock at 10:00 in Berlin (08:00 UTC in summer), whatever the hour the suite runs at.
    monkeypatch.setattr("openspace.announcements.utcnow", lambda: datetime(2026, 6, 1, 8, 0))
    response = pin(orga, until="10:30")
    assert (response.status_code, response.get_json()["announcement"]["until"]) == (201, "2026-06-01T10:30:00+02:00")
    refused = pin(orga, until="09:30")
    assert (refused.status_code, refused.get_json()["fields"]) == (422, {"until": "This time has already passed."})
    late = pin(orga, until="23:59")  # still today in Berlin, though 21:59 UTC
    assert late.get_json()["announcement"]["until"] == "2026-06-01T23:59:00+02:00"


def test_at_most_five_announcements_are_shown_at_once(app, orga):
    for i in range(5):
        assert pin(orga, f"Nummer {i}").status_code == 201
    before = wall_of(orga)
    refused = pin(orga, "Sechs")
    assert (refused.status_code, refused.get_json()["code"]) == (422, "limit")
    assert wall_of(orga) == before


def test_participants_and_outsiders_may_neither_pin_nor_remove(app, orga):
    shown = pin(orga, "Nur für Orga").get_json()["announcement"]
    build_event(app, slug="fremd")
    anna, outsider = Participant(app, SLUG), Participant(app, "fremd")
    phone, _ = watch(Participant(app, SLUG))
    before = wall_of(orga)
    for client in (anna, outsider):
        for method, path, body in (
            ("post", f"/api/events/{SLUG}/announcements", {"text": "Gekapert"}),
            ("delete", f"/api/events/{SLUG}/announcements/{shown['id']}", None),
        ):
            response = getattr(client.client, method)(path, json=body, headers={"X-CSRFToken": client.csrf})
            assert (response.status_code, response.get_json()["code"]) == (403, "forbidden"), (method, path)
    assert wall_of(orga) == before
    assert received(phone, "wall_changed") == []


def test_unknown_and_foreign_announcement_ids_are_404(app, orga):
    shown = pin(orga, "Hier").get_json()["announcement"]
    slug, secret = build_event(app, slug="andere")
    other = Organizer(app, slug, secret)
    foreign = other.call("post", "announcements", {"text": "Drüben"}).get_json()["announcement"]
    before = wall_of(orga)
    for bad in (foreign["id"], 999999):
        response = orga.call("delete", f"announcements/{bad}")
        assert (response.status_code, response.get_json()["code"]) == (404, "not_found")
    assert wall_of(orga) == before
    assert [a["id"] for a in before["announcements"]] == [shown["id"]]
    assert [a["id"] for a in wall_of(other)["announcements"]] == [foreign["id"]]
