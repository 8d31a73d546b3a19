"""Results of sessions: the exact shape, versioned saves (a stale one is refused with the current result),
per-field refusals, the history with roles, organizer review and action-item follow-up, and the live mark."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from conftest import Organizer, Participant, make_app, topic_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_moderation import received, watch

from openspace.wall import apply_change

SLUG = "orga"
EMPTY = {
    "summary": "",
    "insights": "",
    "action_items": [],
    "attendees": None,
    "links": [],
    "photos": [],
    "state": "missing",
    "version": 0,
    "updated_at": None,
}


@pytest.fixture
def app(tmp_path, database_url):
    """Documenting takes many saves in a row: only the limits under test apply."""
    app = make_app(tmp_path, DATABASE_URL=database_url, RATE_LIMIT_WRITES="1000 per minute")
    yield app
    from openspace.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def orga(app, organizer_secret):
    slug, secret = organizer_secret
    return Organizer(app, slug, secret)


@pytest.fixture
def host(app, orga):
    return Participant(app, SLUG)


@pytest.fixture
def topic_id(host):
    room_id, slot_id = host.first_cell()
    response = host.post(topic_body(title="Retouren senken", host="Marek", room_id=room_id, slot_id=slot_id))
    assert response.status_code == 201
    return response.get_json()["topic"]["id"]


def path(topic_id, tail=""):
    return f"topics/{topic_id}/result{tail}"


def save(client, topic_id, body):
    return client.call("put", path(topic_id), body)


def without_stamp(result):
    """The result without its save time (checked apart: a recent UTC time)."""
    stamp = result.pop("updated_at")
    assert stamp is None or datetime.fromisoformat(stamp).utcoffset().total_seconds() == 0
    return result


def full_body(version=0, **extra):
    body = {
        "version": version,
        "summary": "Drei Maßnahmen gegen Retouren.\nErst die Größentabelle.",
        "insights": "Kunden bestellen zwei Größen 🙂",
        "attendees": 14,
        "links": ["https://pad.example.org/retouren", "http://example.com/a?b=c"],
        "action_items": [{"what": "Größentabelle prüfen", "who": "Ada", "due": "2026-03-31"}],
    }
    body.update(extra)
    return body


def test_result_is_empty_with_version_0_before_the_first_save(host, topic_id):
    response = host.call("get", path(topic_id))
    assert (response.status_code, response.get_json()) == (200, EMPTY)


def test_host_saves_a_result_with_the_exact_shape_and_the_topic_shows_documented(host, topic_id):
    response = save(host, topic_id, full_body())
    assert response.status_code == 200
    saved = response.get_json()
    [item] = saved["action_items"]
    assert without_stamp(saved) == {
        "summary": "Drei Maßnahmen gegen Retouren.\nErst die Größentabelle.",
        "insights": "Kunden bestellen zwei Größen 🙂",
        "action_items": [
            {"id": item["id"], "what": "Größentabelle prüfen", "who": "Ada", "due": "2026-03-31", "status": "open"}
        ],
        "attendees": 14,
        "links": ["https://pad.example.org/retouren", "http://example.com/a?b=c"],
        "photos": [],
        "state": "documented",
        "version": 1,
    }
    assert without_stamp(host.call("get", path(topic_id)).get_json()) == saved
    [topic] = host.wall().get_json()["topics"]
    assert topic["result_state"] == "documented"


def test_empty_save_is_a_draft_and_a_save_changing_nothing_keeps_the_version(host, topic_id):
    draft = save(host, topic_id, {"version": 0, "summary": "  ", "attendees": 3}).get_json()
    assert (draft["state"], draft["version"], draft["summary"], draft["attendees"]) == ("draft", 1, "", 3)
    again = save(host, topic_id, {"version": 1, "attendees": 3})
    assert (again.status_code, again.get_json()["version"]) == (200, 1)
    assert len(host.call("get", path(topic_id, "/history")).get_json()["versions"]) == 1


def test_stale_save_is_refused_409_with_the_current_result_and_nothing_changes(app, host, topic_id):
    anna = Participant(app, SLUG)
    first = save(anna, topic_id, full_body()).get_json()
    stale = save(host, topic_id, {"version": 0, "summary": "Meine Fassung"})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body == {
        "ok": False,
        "code": "conflict",
        "error": "Someone saved this result meanwhile. Compare their text with yours, then save again.",
        "current": body["current"],
    }
    assert body["current"] == first
    assert host.call("get", path(topic_id)).get_json() == first
    merged = save(host, topic_id, {"version": 1, "summary": first["summary"] + "\nMeine Fassung"})
    assert (merged.status_code, merged.get_json()["version"]) == (200, 2)


INVALID = [
    ({"summary": "<b>fett</b>"}, {"summary": "HTML and scripts are not allowed here."}),
    ({"insights": "x" * 4001}, {"insights": "At most 4000 characters (you have 4001)."}),
    ({"summary": 5}, {"summary": "Must be text."}),
    ({"links": ["javascript:alert(1)"]}, {"links.0": "An address starting with http:// or https://."}),
    (
        {"links": ["https://ok.example", "data:text/html,<script>"]},
        {"links.1": "An address starting with http:// or https://."},
    ),
    (
        {"links": ["https://a.example/<script>"]},
        {"links.0": 'An address cannot contain spaces or the characters < > " ` \\ { } | ^.'},
    ),
    ({"links": ["https:///nohost"]}, {"links.0": "An address starting with http:// or https://."}),
    (
        {"links": ["https://a.example/" + "x" * 490]},
        {"links.0": "At most 500 characters (you have 508)."},
    ),
    ({"links": "https://a.example"}, {"links": "A list of at most 10 addresses."}),
    ({"links": ["https://a.example"] * 11}, {"links": "A list of at most 10 addresses."}),
    ({"attendees": -1}, {"attendees": "A whole number from 0 to 100000."}),
    ({"attendees": 100001}, {"attendees": "A whole number from 0 to 100000."}),
    ({"attendees": "12"}, {"attendees": "A whole number from 0 to 100000."}),
    ({"attendees": True}, {"attendees": "A whole number from 0 to 100000."}),
    (
        {"action_items": [{"what": "Prüfen", "due": "31.03.2026"}]},
        {"action_items.0.due": "A date like 2026-03-31."},
    ),
    (
        {"action_items": [{"what": "Prüfen", "due": "2026-02-30"}]},
        {"action_items.0.due": "A date like 2026-03-31."},
    ),
    ({"action_items": [{"what": "", "who": "Ada"}]}, {"action_items.0.what": "Required."}),
    ({"action_items": [{"what": "x" * 301}]}, {"action_items.0.what": "At most 300 characters (you have 301)."}),
    (
        {"action_items": [{"what": "a", "id": 999}]},
        {"action_items.0.id": "This action item does not exist (any more)."},
    ),
    ({"action_items": ["a"]}, {"action_items.0": "An action item has what, who and due."}),
    ({"version": "0"}, {"version": "Send the version your text is based on."}),
]


def test_invalid_field_is_refused_422_with_its_message_and_nothing_changes(host, topic_id):
    revision = host.wall().get_json()["revision"]
    for body, fields in INVALID:
        response = save(host, topic_id, {"version": 0, **body})
        assert (response.status_code, response.get_json()) == (
            422,
            {"ok": False, "code": "invalid", "error": "Please check the marked fields.", "fields": fields},
        ), body
    assert host.call("get", path(topic_id)).get_json() == EMPTY
    wall = host.wall().get_json()
    assert (wall["revision"], wall["topics"][0]["result_state"]) == (revision, "missing")


def test_missing_version_and_malformed_bodies_are_refused(host, topic_id):
    assert save(host, topic_id, {"summary": "ohne"}).get_json()["fields"] == {
        "version": "Send the version your text is based on."
    }
    for bad in ([1], "text"):
        response = save(host, topic_id, bad)
        assert (response.status_code, response.get_json()["code"]) == (400, "bad_request")
    no_token = host.client.put(f"/api/events/{SLUG}/{path(topic_id)}", json={"version": 0, "summary": "x"})
    assert (no_token.status_code, no_token.get_json()["code"]) == (403, "csrf")
    assert host.call("get", path(topic_id)).get_json() == EMPTY


def test_action_items_sent_replace_the_list_keeping_the_ids_sent(orga, host, topic_id):
    first = save(host, topic_id, {"version": 0, "action_items": [{"what": "A"}, {"what": "B", "who": "Bo"}]})
    a, b = first.get_json()["action_items"]
    assert orga.call("patch", f"action-items/{b['id']}", {"status": "done"}).status_code == 200
    second = save(host, topic_id, {"version": 1, "action_items": [{"id": b["id"], "what": "B2"}, {"what": "C"}]})
    b2, c = second.get_json()["action_items"]
    assert (b2["id"], b2["what"], b2["who"], b2["status"]) == (b["id"], "B2", "", "done")
    assert c["id"] not in (a["id"], b["id"]) and c["status"] == "open"
    emptied = save(host, topic_id, {"version": 2, "action_items": []}).get_json()
    assert (emptied["action_items"], emptied["state"]) == ([], "draft")


def test_history_keeps_every_version_newest_first_with_who_saved_it(app, orga, host, topic_id):
    anna = Participant(app, SLUG)
    save(host, topic_id, {"version": 0, "summary": "eins"})
    save(anna, topic_id, {"version": 1, "summary": "zwei", "links": ["https://z.example"]})
    save(orga, topic_id, {"version": 2, "summary": "drei", "action_items": [{"what": "Tun", "due": "2026-04-01"}]})
    response = host.call("get", path(topic_id, "/history"))
    assert response.status_code == 200
    versions = response.get_json()["versions"]
    assert [(v["version"], v["role"], v["summary"], v["state"]) for v in versions] == [
        (3, "organizer", "drei", "documented"),
        (2, "participant", "zwei", "documented"),
        (1, "host", "eins", "documented"),
    ]
    item_id = host.call("get", path(topic_id)).get_json()["action_items"][0]["id"]
    assert {k: versions[0][k] for k in ("insights", "attendees", "links", "action_items")} == {
        "insights": "",
        "attendees": None,
        "links": ["https://z.example"],
        "action_items": [{"id": item_id, "what": "Tun", "who": "", "due": "2026-04-01"}],
    }
    assert versions[1]["links"] == ["https://z.example"] and versions[2]["links"] == []
    assert all(datetime.fromisoformat(v["at"]).utcoffset().total_seconds() == 0 for v in versions)


def test_unknown_other_events_and_withdrawn_topics_are_404(app, orga, host, topic_id):
    guest = Participant(app, "zukunft")
    other = guest.post(topic_body(title="Anderswo")).get_json()["topic"]["id"]
    assert host.call("get", path(other)).status_code == 404
    assert save(host, other, {"version": 0, "summary": "x"}).status_code == 404
    assert host.call("get", path(99999)).status_code == 404
    assert host.call("get", path(99999, "/history")).status_code == 404
    assert host.delete(topic_id).status_code == 200
    for response in (host.call("get", path(topic_id)), save(host, topic_id, {"version": 0, "summary": "x"})):
        assert (response.status_code, response.get_json()["code"]) == (404, "not_found")
    assert guest.call("get", path(other)).get_json() == EMPTY


def test_a_locked_wall_does_not_stop_documenting_results(orga, host, topic_id):
    assert orga.act("lock", {"locked": True, "reason": "Sessions laufen."}).status_code == 200
    response = save(host, topic_id, {"version": 0, "summary": "Trotzdem festgehalten"})
    assert (response.status_code, response.get_json()["state"]) == (200, "documented")


def test_a_blocked_device_cannot_save_results(app, orga, host, topic_id):
    anna = Participant(app, SLUG)
    own = anna.post(topic_body(title="Spam", room_id=None, slot_id=None)).get_json()["topic"]["id"]
    assert orga.act("block", {"topic_id": own}).status_code == 200
    response = save(anna, topic_id, {"version": 0, "summary": "x"})
    assert (response.status_code, response.get_json()["code"]) == (403, "blocked")
    assert host.call("get", path(topic_id)).get_json() == EMPTY


def test_review_and_action_items_are_refused_403_for_participants_and_outsiders(app, orga, host, topic_id):
    saved = save(host, topic_id, full_body()).get_json()
    item_id = saved["action_items"][0]["id"]
    outsider = Participant(app, "zukunft")
    outsider.slug = SLUG  # the same CSRF-valid session, on an event it has no rights on
    for client in (host, Participant(app, SLUG), outsider):
        for response in (
            client.call("post", path(topic_id, "/review"), {"state": "reviewed", "hidden": True}),
            client.call("patch", f"action-items/{item_id}", {"status": "done", "owner": "Ich"}),
        ):
            assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")
    assert host.call("get", path(topic_id)).get_json() == saved
    shown = orga.call("get", path(topic_id)).get_json()
    assert (shown["state"], shown["hidden"], shown["action_items"][0]["status"], shown["action_items"][0]["owner"]) == (
        "documented",
        False,
        "open",
        "",
    )


def test_organizer_reviews_and_hides_and_a_participant_save_asks_for_review_again(app, orga, host, topic_id):
    save(host, topic_id, full_body())
    watcher, _ = watch(Participant(app, SLUG))
    response = orga.call("post", path(topic_id, "/review"), {"state": "reviewed", "hidden": True})
    assert response.status_code == 200
    reviewed = response.get_json()
    assert (reviewed["state"], reviewed["hidden"], reviewed["version"]) == ("reviewed", True, 1)
    assert set(reviewed["action_items"][0]) == {"id", "what", "who", "due", "status", "owner", "note"}
    [message] = received(watcher, "wall_changed")
    assert message["change"]["result"] == {"topic_id": topic_id, "state": "reviewed", "version": 1}
    assert "hidden" not in host.call("get", path(topic_id)).get_json()
    kept = save(orga, topic_id, {"version": 1, "summary": "Für die Veröffentlichung"}).get_json()
    assert (kept["state"], kept["version"]) == ("reviewed", 2)  # an organizer's edit for publication
    changed = save(host, topic_id, {"version": 2, "insights": "Neu"}).get_json()
    assert changed["state"] == "documented"
    back = orga.call("post", path(topic_id, "/review"), {"state": "documented"}).get_json()
    assert (back["state"], back["hidden"]) == ("documented", True)
    for bad, fields in (
        ({"state": "published"}, {"state": "Either reviewed or documented."}),
        ({"state": "reviewed", "hidden": "yes"}, {"hidden": "Must be true or false."}),
    ):
        refused = orga.call("post", path(topic_id, "/review"), bad)
        assert (refused.status_code, refused.get_json()["fields"]) == (422, fields)


def test_an_undocumented_result_cannot_be_reviewed(orga, host, topic_id):
    response = orga.call("post", path(topic_id, "/review"), {"state": "reviewed"})
    assert (response.status_code, response.get_json()["fields"]) == (422, {"state": "Document the session first."})
    assert host.call("get", path(topic_id)).get_json() == EMPTY


def test_organizer_tracks_an_action_item_and_bad_input_changes_nothing(orga, host, topic_id):
    item_id = save(host, topic_id, full_body()).get_json()["action_items"][0]["id"]
    response = orga.call(
        "patch", f"action-items/{item_id}", {"status": "in_progress", "owner": "Team Logistik", "note": "Q2\nStart"}
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "id": item_id,
        "what": "Größentabelle prüfen",
        "who": "Ada",
        "due": "2026-03-31",
        "status": "in_progress",
        "owner": "Team Logistik",
        "note": "Q2\nStart",
    }
    tracked = response.get_json()
    for bad, expected in (
        ({"status": "finished"}, (422, {"status": "One of open, in_progress, done, dropped."})),
        ({"due": "morgen"}, (422, {"due": "A date like 2026-03-31."})),
        ({"note": "<script>x</script>"}, (422, {"note": "HTML and scripts are not allowed here."})),
        ({"owner": "x" * 121}, (422, {"owner": "At most 120 characters (you have 121)."})),
        ({"what": "anders"}, (400, None)),
        ({}, (400, None)),
    ):
        refused = orga.call("patch", f"action-items/{item_id}", bad)
        assert (refused.status_code, refused.get_json().get("fields")) == expected, bad
    assert orga.call("get", path(topic_id)).get_json()["action_items"] == [tracked]
    cleared = orga.call("patch", f"action-items/{item_id}", {"due": None}).get_json()
    assert cleared["due"] is None
    assert orga.call("patch", "action-items/99999", {"status": "done"}).status_code == 404


def test_a_save_sends_watchers_exactly_one_result_changed_delta(app, host, topic_id):
    watcher_client = Participant(app, SLUG)
    watcher, _ = watch(watcher_client)
    before = watcher_client.wall().get_json()
    before.pop("mine")
    response = save(host, topic_id, full_body())
    assert response.status_code == 200
    [message] = received(watcher, "wall_changed")
    assert message["revision"] == before["revision"] + 1
    assert message["change"]["type"] == "result_changed"
    assert message["change"]["result"] == {"topic_id": topic_id, "state": "documented", "version": 1}
    assert message["change"]["topic"]["result_state"] == "documented"
    assert "summary" not in str(message)  # the delta carries the state, not the text
    after = watcher_client.wall().get_json()
    after.pop("mine")
    assert apply_change(before, message) == after
    refused = save(host, topic_id, {"version": 0, "summary": "alt"})
    assert refused.status_code == 409
    assert received(watcher, "wall_changed") == []


def test_saves_and_reviews_are_logged_with_versions_and_states_only(orga, host, topic_id):
    save(host, topic_id, full_body())
    orga.call("post", path(topic_id, "/review"), {"state": "reviewed"})
    steps = orga.call("get", "log").get_json()["steps"]
    assert [(s["action"], s["actor"], s["topic_id"], s["before"], s["after"]) for s in steps[:2]] == [
        (
            "result_review",
            "organizer",
            topic_id,
            {"state": "documented", "hidden": False},
            {"state": "reviewed", "hidden": False, "title": "Retouren senken"},
        ),
        (
            "result",
            "participant",
            topic_id,
            {"version": 0, "state": "missing"},
            {"version": 1, "state": "documented", "title": "Retouren senken"},
        ),
    ]
    assert steps[1]["revision"] + 1 == steps[0]["revision"]


def test_of_many_saves_on_one_version_at_once_exactly_one_wins(app, host, topic_id):
    import threading

    people = [Participant(app, SLUG) for _ in range(6)]
    barrier = threading.Barrier(len(people))
    answers = [None] * len(people)

    def attempt(index):
        barrier.wait()
        response = save(people[index], topic_id, {"version": 0, "summary": f"Fassung {index}"})
        answers[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _ in answers) == [200] + [409] * (len(people) - 1)
    winner = next(body for status, body in answers if status == 200)
    assert all(body["current"] == winner for status, body in answers if status == 409)
    assert [v["version"] for v in host.call("get", path(topic_id, "/history")).get_json()["versions"]] == [1]


def test_a_result_saved_after_an_organizer_step_does_not_stop_undoing_it(orga, host, topic_id):
    assert orga.call("post", f"topics/{topic_id}/pin").status_code == 200
    assert save(host, topic_id, full_body()).status_code == 200
    undone = orga.call("post", "undo")
    assert (undone.status_code, undone.get_json()["undone"]["action"]) == (200, "pin")
    [topic] = host.wall().get_json()["topics"]
    assert (topic["pinned"], topic["result_state"]) == (False, "documented")


# ---------------------------------------------------------------- anything a client may send


_databases = itertools.count(1)

_text = st.text(max_size=30) | st.sampled_from(["", "<i>x</i>", "javascript:x", "https://ok.example", "2026-03-31"])
_scalar = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | _text
_json = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3))
_item = st.dictionaries(st.sampled_from(["id", "what", "who", "due", "status"]), _json, max_size=5)
_fields = {
    "version": st.integers(-2, 3) | _json,
    "summary": _json,
    "insights": _json,
    "attendees": st.integers(-5, 100_005) | _json,
    "links": st.lists(_text | _json, max_size=12) | _json,
    "action_items": st.lists(_item | _json, max_size=4) | _json,
}
_bodies = st.fixed_dictionaries({}, optional=_fields) | _json


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(request, tmp_path_factory):
    """One app per database for the whole fuzz run, with one topic to document."""
    from conftest import build_event

    tmp = tmp_path_factory.mktemp(f"results-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_for_suite").new_database(f"results_fuzz_{next(_databases)}")
    app = make_app(tmp, DATABASE_URL=url, RATELIMIT_ENABLED=False)
    build_event(app, slug=SLUG)
    person = Participant(app, SLUG)
    topic = person.post(topic_body(room_id=None, slot_id=None)).get_json()["topic"]["id"]
    yield person, topic
    from openspace.extensions import db

    with app.app_context():
        db.engine.dispose()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies)
def test_fuzz_save_answers_clearly_and_a_refusal_changes_nothing(fuzzed, body):
    person, topic = fuzzed
    before = person.call("get", path(topic)).get_json()
    response = save(person, topic, body)
    assert response.status_code in {200, 400, 409, 422}, (response.status_code, response.get_data(as_text=True))
    answer = response.get_json()
    after = person.call("get", path(topic)).get_json()
    if response.status_code == 200:
        assert answer == after
    else:
        assert (answer["ok"], after) == (False, before)
        assert answer["code"] == {400: "bad_request", 409: "conflict", 422: "invalid"}[response.status_code]
