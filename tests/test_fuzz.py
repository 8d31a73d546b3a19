"""Generated bodies, ids and paths for every API endpoint and socket event, on SQLite and on PostgreSQL.

Every answer is checked, not only the status: a refusal is a clear error that changes nothing on the wall; a
success made exactly the change it claims (compared with the wall before and after) and nothing else. Ids get the
whole shape space that broke servers before: signs, the integer widths of both databases, floats, booleans,
numeric and non-ASCII digit strings, in bodies and in URL paths.
"""

from __future__ import annotations

import collections
import itertools
import json
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from conftest import Organizer, Participant, build_event, make_app, set_topic_cap, topic_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

settings.register_profile(
    "suite", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))
if os.environ.get("FUZZ_MAX_EXAMPLES"):  # a bounded long run of one target, e.g. FUZZ_MAX_EXAMPLES=20000 -k path
    settings.register_profile("bounded", settings.default, max_examples=int(os.environ["FUZZ_MAX_EXAMPLES"]))
    settings.load_profile("bounded")

ALLOWED = {200, 201, 400, 403, 404, 409, 413, 422, 423}
# docs/api.md: the codes each refusal status may carry.
CODES = {
    400: {"bad_request", "http_400"},
    403: {"forbidden", "blocked", "csrf"},
    404: {"not_found", "http_404"},
    409: {"taken", "conflict", "nothing_to_undo"},
    413: {"http_413"},
    422: {"invalid", "limit", "full"},
    423: {"locked"},
    429: {"rate_limited", "http_429"},
}
ID_MAX = 2**31 - 1  # docs/api.md: ids are 1 to 2147483647
SLUG = "zukunft"
NEIGHBOUR = "nachbar"  # a second event: its ids are foreign to SLUG

text = (
    st.text(st.characters(codec="utf-8"), max_size=200)
    | st.text(max_size=5)
    | st.sampled_from(
        ["", " ", "<script>alert(1)</script>", "\x00", "\ud800", "a" * 121, "a" * 1001, "0", "1", "-1", "1e400"]
    )
)
scalar = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats() | text
json_value = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=12
)

ID_EDGES = [
    -(2**63),
    -1,
    0,
    1,
    ID_MAX,
    2**31,
    2**63 - 1,
    2**63,
    2**70,
    1.0,
    1.5,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    True,
    False,
    "1",
    "007",
    " 1",
    "1 ",
    "+1",
    "-1",
    "1e3",
    "1.0",
    "0x1",
    "1_000",
    "",
    "0",
    str(ID_MAX),
    str(2**31),
    str(2**63),
    "²",
    "١",
    "３",
    "१२",
    "1²",
    "𝟏",
]
non_ascii_digits = st.text(st.characters(categories=["Nd", "No"], exclude_characters="0123456789"), min_size=1)


def pick(items: list) -> st.SearchStrategy:
    """One of items, drawn by index: the wall changes between examples, the shape of the draw must not."""
    return st.integers(0, 63).map(lambda k: items[k % len(items)])


def spelled_in(number: int, zero: str) -> str:
    """The number in the decimal digits that start at `zero` ("٠": ١٢ for 12)."""
    return "".join(chr(ord(zero) + int(d)) for d in str(number))


def id_shapes(known: list[int]) -> st.SearchStrategy:
    """Any id a client could send: the event's own ids in every spelling, the edges, and anything else."""
    own = pick(known) if known else st.integers(1, 5)
    return st.one_of(
        own,
        own,
        own.map(str),
        own.map(float),
        own.map(lambda i: f"0{i}"),
        own.map(lambda i: f" {i}"),
        own.map(lambda i: i + 2**32),  # the same id modulo a 32-bit wrap-around
        *(own.map(lambda i, z=zero: spelled_in(i, z)) for zero in "٠０०𝟎"),  # Arabic-Indic, fullwidth, ...
        st.sampled_from(ID_EDGES),
        st.integers(),
        st.floats(),
        non_ascii_digits,
        st.text("0123456789 +-.e_", max_size=12),
        json_value,
    )


def documented_id(value) -> int | None:
    """docs/api.md: a JSON integer, or a string of ASCII digits, from 1 to 2147483647; None when it is not one."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value, re.ASCII):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= ID_MAX:
        return None
    return value


def path_id(segment: str) -> int | None:
    """The topic id a URL path segment names: ASCII digits in 1..2³¹−1, as in bodies (found by fuzzing: "٢" was 2)."""
    return documented_id(segment)


def path_segment(known: list[int]) -> st.SearchStrategy:
    """The topic id of a URL path as text: every id shape spelled out, and any text, URL-quoted by the caller."""
    return id_shapes(known).map(str) | st.text(max_size=20)


@dataclass
class Fuzz:
    app: object
    person: Participant  # the one who fuzzes
    other: Participant  # another participant: person may not change its topics
    orga: Organizer
    foreign_id: int  # a topic of the neighbour event


_databases = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz(request, tmp_path_factory):
    """One app per database for the whole module: a 4 x 4 event without a topic cap, and a neighbour event."""
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_for_suite").new_database(f"fuzz_{next(_databases)}")
    app = make_app(tmp, DATABASE_URL=url, RATELIMIT_ENABLED=False)
    slug, secret = build_event(app, slug=SLUG, rooms=4, slots=4)
    build_event(app, slug=NEIGHBOUR)
    set_topic_cap(app, slug, 0)
    neighbour = Participant(app, NEIGHBOUR)
    foreign = neighbour.post(topic_body(room_id=None, slot_id=None)).get_json()["topic"]["id"]
    yield Fuzz(app, Participant(app, slug), Participant(app, slug), Organizer(app, slug, secret), foreign)
    from openspace.extensions import db

    with app.app_context():
        db.engine.dispose()
    if os.environ.get("FUZZ_STATS"):
        print("", *(f"{n:6d} {key}" for key, n in sorted(STATS.items())), sep="\n")
        STATS.clear()


# ---------------------------------------------------------------- the wall before and after


def wall_of(fuzz: Fuzz) -> dict:
    data = fuzz.person.wall().get_json()
    return {
        "event": data["event"],
        "rooms": data["rooms"],
        "slots": data["slots"],
        "revision": data["revision"],
        "topics": {t["id"]: t for t in data["topics"]},
        "mine": set(data["mine"]),
    }


def panel_of(fuzz: Fuzz) -> dict:
    panel = fuzz.orga.panel()
    return {"settings": panel["settings"], "pending": panel["pending"], "withdrawn": panel["withdrawn"]}


def ready(fuzz: Fuzz, *, pending: bool = False) -> dict:
    """The wall at the start of an example: open, no pre-moderation, no cap, a few topics of each kind."""
    wall = wall_of(fuzz)
    if len(wall["topics"]) > 12:  # keep free cells and a short queue, so posts reach more than 409 and 422
        mine = sorted(wall["topics"])[:-4]
        assert fuzz.orga.act("withdraw", {"topic_ids": mine}).status_code == 200
    if not wall["mine"]:
        fuzz.person.post(topic_body(title="Eigenes", room_id=None, slot_id=None))
    if not wall["topics"].keys() - wall["mine"]:
        fuzz.other.post(topic_body(title="Fremdes", room_id=None, slot_id=None))
    if pending and not panel_of(fuzz)["pending"]:
        assert fuzz.orga.act("settings", {"premoderation": True}, "patch").status_code == 200
        assert fuzz.other.post(topic_body(title="Wartet", room_id=None, slot_id=None)).status_code == 202
        assert fuzz.orga.act("settings", {"premoderation": False}, "patch").status_code == 200
    return wall_of(fuzz)


def known_ids(fuzz: Fuzz, wall: dict) -> list[int]:
    """Live, pending and withdrawn topic ids of the event, and one of the neighbour event."""
    panel = panel_of(fuzz)
    ids = set(wall["topics"]) | {t["id"] for t in panel["pending"]} | {t["id"] for t in panel["withdrawn"][:10]}
    return sorted(ids | {fuzz.foreign_id})


STATS: collections.Counter = collections.Counter()  # FUZZ_STATS=1: (target, status, code) seen, printed per app


def assert_clear(response, allowed=ALLOWED) -> dict:
    assert response.status_code in allowed, (response.status_code, response.get_data(as_text=True)[:300])
    data = response.get_json()
    if os.environ.get("FUZZ_STATS"):
        target = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[-1].split(" ")[0]
        STATS[target, response.status_code, data.get("code"), str(sorted(data.get("fields", {}).items()))[:60]] += 1
    if response.status_code >= 400:
        assert data["ok"] is False
        assert isinstance(data["error"], str) and data["error"]
        assert data["code"] in CODES[response.status_code], data
    else:
        assert data["ok"] is True, data
    return data


def assert_unchanged(fuzz: Fuzz, before: dict) -> None:
    assert wall_of(fuzz) == before


def assert_only(after: dict, before: dict, *, topics: dict, revisions: int, event: dict | None = None) -> None:
    """`after` is `before` with exactly these topics replaced (None: gone), event fields and revision steps."""
    expected = {**before["topics"], **topics}
    assert after["topics"] == {i: t for i, t in expected.items() if t is not None}
    assert after["event"] == {**before["event"], **(event or {})}
    assert (after["rooms"], after["slots"]) == (before["rooms"], before["slots"])
    assert after["revision"] == before["revision"] + revisions


def cleaned(value: str, *, multiline: bool) -> str:
    """docs/api.md: text is trimmed (single-line fields also fold their spaces)."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    return value if multiline else " ".join(value.split())


def assert_fields_applied(topic: dict, payload: dict) -> None:
    """A 2xx topic shows exactly the ids and texts the body sent."""
    for name in ("room_id", "slot_id"):
        if name in payload:
            sent = payload[name]
            assert topic[name] == (None if sent in (None, "") else documented_id(sent)), (name, sent, topic)
    for name, multiline in (("title", False), ("host", False), ("goal", True), ("context", True)):
        if isinstance(payload.get(name), str):
            assert topic[name] == cleaned(payload[name], multiline=multiline), (name, payload[name], topic)


# ---------------------------------------------------------------- topics


@st.composite
def cell_ids(draw, rooms: list[int], slots: list[int]) -> dict:
    """room_id and slot_id: a cell of the event, unplaced, or one of them (or both) of any shape."""
    room, slot = draw(pick(rooms) | pick(rooms).map(str)), draw(pick(slots) | pick(slots).map(str))
    cell = draw(st.integers(0, 4))
    if cell == 0:  # a cell of the event, the ids as numbers or digit strings
        return {"room_id": room, "slot_id": slot}
    if cell == 1:  # unplaced
        return draw(st.sampled_from([{}, {"room_id": None, "slot_id": None}]))
    if cell == 2:
        return {"room_id": draw(id_shapes(rooms)), "slot_id": slot}
    if cell == 3:
        return {"room_id": room, "slot_id": draw(id_shapes(slots))}
    fields = {}
    for name, known in (("room_id", rooms), ("slot_id", slots)):
        if draw(st.integers(0, 4)):
            fields[name] = draw(id_shapes(known) | st.none())
    return fields


@st.composite
def topic_bodies(draw, rooms: list[int], slots: list[int]):
    """Topic bodies: mostly well-formed texts, with room and slot ids of every shape; sometimes anything at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(json_value)
    fields = {}
    for name, good in (("title", "Retouren senken"), ("host", "Marek"), ("goal", ""), ("context", "")):
        choice = draw(st.integers(0, 7))
        if choice == 7:
            fields[name] = draw(json_value)
        elif choice == 6:
            fields[name] = draw(text)
        elif choice > 0:
            fields[name] = good
    fields.update(draw(cell_ids(rooms, slots)))
    if draw(st.integers(0, 3)) == 0:
        fields["request_id"] = draw(json_value | st.text("abcXYZ019_-", min_size=8, max_size=8))
    return fields


def cells(wall: dict) -> tuple[list[int], list[int]]:
    return [r["id"] for r in wall["rooms"]], [s["id"] for s in wall["slots"]]


@given(data=st.data())
def test_fuzz_post_topic(fuzz, data):
    before = ready(fuzz)
    payload = data.draw(topic_bodies(*cells(before)))
    response = fuzz.person.post(payload)
    answer = assert_clear(response)
    after = wall_of(fuzz)
    if response.status_code == 201:
        topic = answer["topic"]
        assert topic["id"] not in before["topics"]
        assert_fields_applied(topic, payload)
        assert_only(after, before, topics={topic["id"]: topic}, revisions=1)
        assert answer["revision"] == after["revision"]
        assert after["mine"] == before["mine"] | {topic["id"]}
    elif response.status_code == 200:  # a replayed request_id: the earlier topic, nothing new
        assert isinstance(payload, dict) and isinstance(payload.get("request_id"), str)
        assert after == before
    else:
        assert after == before


@given(data=st.data())
def test_fuzz_post_topic_ids(fuzz, data):
    """A well-formed topic whose room_id or slot_id takes every shape: only documented ids are accepted."""
    before = ready(fuzz)
    payload = {"title": "Retouren senken", "host": "Marek", **data.draw(cell_ids(*cells(before)))}
    response = fuzz.person.post(payload)
    answer = assert_clear(response, {201, 400, 409, 422})  # 400: a NUL anywhere in the body, e.g. in a key
    if response.status_code == 400:
        assert "\\u0000" in json.dumps(payload)
    after = wall_of(fuzz)
    if response.status_code == 201:
        assert_fields_applied(answer["topic"], payload)
        assert_only(after, before, topics={answer["topic"]["id"]: answer["topic"]}, revisions=1)
    else:
        assert after == before


@given(data=st.data())
def test_fuzz_patch_topic_body(fuzz, data):
    before = ready(fuzz)
    topic_id = data.draw(pick(sorted(before["topics"])))
    payload = data.draw(topic_bodies(*cells(before)))
    check_patch(fuzz, before, str(topic_id), payload)


@given(data=st.data())
def test_fuzz_patch_topic_path(fuzz, data):
    before = ready(fuzz)
    segment = data.draw(path_segment(known_ids(fuzz, before)))
    check_patch(fuzz, before, segment, {"title": "Umbenannt", "host": "Zoe"})


def patch_path(fuzz: Fuzz, segment: str) -> str:
    return f"/api/events/{SLUG}/topics/{quote(segment, safe='', errors='surrogatepass')}"  # lone surrogates: bad UTF-8


def path_allowed(segment: str) -> set[int]:
    # '/' inside a quoted segment is unquoted by the server; Werkzeug merges '//' with a 308
    return ALLOWED | {308, 405} if "/" in segment else ALLOWED


def check_patch(fuzz: Fuzz, before: dict, segment: str, payload) -> None:
    person = fuzz.person
    response = person.client.patch(patch_path(fuzz, segment), json=payload, headers={"X-CSRFToken": person.csrf})
    after = wall_of(fuzz)
    if response.status_code in {308, 405}:
        assert response.status_code in path_allowed(segment), segment
        assert after == before
        return
    answer = assert_clear(response)
    if response.status_code == 200:
        topic = answer["topic"]
        assert topic["id"] == path_id(segment), (segment, topic)
        assert topic["id"] in before["mine"]
        assert_fields_applied(topic, payload)
        assert_only(after, before, topics={topic["id"]: topic}, revisions=1)
        assert answer["revision"] == after["revision"]
        old = before["topics"][topic["id"]]
        untouched = {"title", "host", "goal", "context"} - set(payload)
        assert {k: topic[k] for k in untouched} == {k: old[k] for k in untouched}
        if "room_id" not in payload and "slot_id" not in payload:
            assert (topic["room_id"], topic["slot_id"]) == (old["room_id"], old["slot_id"])
    else:
        assert after == before


@given(data=st.data())
def test_fuzz_delete_topic_path(fuzz, data):
    before = ready(fuzz)
    segment = data.draw(path_segment(known_ids(fuzz, before)))
    person = fuzz.person
    response = person.client.delete(patch_path(fuzz, segment), headers={"X-CSRFToken": person.csrf})
    after = wall_of(fuzz)
    if response.status_code in {308, 405}:
        assert response.status_code in path_allowed(segment), segment
        assert after == before
        return
    answer = assert_clear(response)
    if response.status_code == 200:
        topic_id = path_id(segment)
        assert topic_id in before["mine"], segment
        assert_only(after, before, topics={topic_id: None}, revisions=1)
        assert answer["revision"] == after["revision"]
        assert after["mine"] == before["mine"] - {topic_id}
    else:
        assert after == before


@given(raw=st.binary(max_size=300))
def test_fuzz_post_raw_bytes(fuzz, raw):
    before = wall_of(fuzz)
    person = fuzz.person
    response = person.client.post(
        f"/api/events/{SLUG}/topics", data=raw, content_type="application/json", headers={"X-CSRFToken": person.csrf}
    )
    assert_clear(response, {400, 422})  # random bytes are never a complete topic
    assert_unchanged(fuzz, before)


@given(slug=st.text(st.characters(codec="utf-8"), max_size=80))
def test_fuzz_wall_slug(fuzz, slug):
    response = fuzz.person.client.get(
        "/api/events/" + slug.replace("/", "%2F").replace("?", "%3F").replace("#", "%23") + "/wall"
    )
    # 308: Werkzeug merges '//' in paths; 405: "/api/events//wall" merged is the event "wall" (PATCH only)
    assert response.status_code in {200, 308, 404, 400, 405}


@given(payload=json_value | st.fixed_dictionaries({"event": json_value}))
def test_fuzz_socket_join(fuzz, payload):
    socket = fuzz.person.socket()
    try:
        ack = socket.emit("join", payload, callback=True)
        assert isinstance(ack, dict)
        assert ack["ok"] in {True, False}
        if not ack["ok"]:
            assert ack["error"]
            assert ack["code"] == "not_found", ack  # docs/api.md; rate limits are off in this app
    finally:
        socket.disconnect()


# ---------------------------------------------------------------- moderation (organizers)


@given(data=st.data(), action=st.sampled_from(["approve", "restore", "withdraw"]))
def test_fuzz_moderation_topic_ids(fuzz, data, action):
    before = ready(fuzz, pending=action == "approve")
    panel = panel_of(fuzz)
    ids = id_shapes(known_ids(fuzz, before))
    fitting = {
        "approve": [t["id"] for t in panel["pending"]],
        "restore": [t["id"] for t in panel["withdrawn"][:10]],
        "withdraw": sorted(before["topics"]),
    }[action] or [fuzz.foreign_id]
    plain = pick(fitting) | pick(fitting).map(str)
    body = data.draw(
        st.fixed_dictionaries({"topic_ids": st.lists(plain, min_size=1, max_size=3)})
        | st.fixed_dictionaries({"topic_ids": st.lists(plain | ids, min_size=1, max_size=3)})
        | st.fixed_dictionaries({"topic_ids": st.lists(ids, min_size=1, max_size=4)})
        | st.fixed_dictionaries({"topic_ids": ids | st.lists(ids, max_size=3)})
        | st.fixed_dictionaries({"topic_ids": st.just(list(range(1, 502)))})
        | json_value
    )
    response = fuzz.orga.act(action, body)
    answer = assert_clear(response)
    after = wall_of(fuzz)
    if response.status_code != 200:
        assert after == before
        assert panel_of(fuzz) == panel
        return
    wanted = [documented_id(i) for i in body["topic_ids"]]
    assert None not in wanted and 0 < len(body["topic_ids"]) <= 500, body
    wanted = set(wanted)
    pending = {t["id"] for t in panel["pending"]}
    withdrawn = {t["id"] for t in panel["withdrawn"]}
    if action == "withdraw":
        assert wanted <= set(before["topics"]) | pending
        gone = wanted & set(before["topics"])
        assert_only(after, before, topics=dict.fromkeys(gone), revisions=int(bool(gone)))
        assert answer["changed"] == len(gone)
    else:
        assert wanted <= (pending if action == "approve" else withdrawn) or len(panel["withdrawn"]) >= 100
        assert set(after["topics"]) - set(before["topics"]) == wanted
        assert_only(after, before, topics={i: after["topics"][i] for i in wanted}, revisions=int(bool(wanted)))
        assert answer["changed"] == len(wanted)
    assert answer["revision"] == (after["revision"] if answer["changed"] else None)


@given(data=st.data())
def test_fuzz_moderation_block_and_unblock(fuzz, data):
    before = ready(fuzz)
    live = sorted(before["topics"])
    body = data.draw(
        st.fixed_dictionaries({"topic_id": pick(live) | pick(live).map(str) | id_shapes(known_ids(fuzz, before))})
        | json_value
    )
    response = fuzz.orga.act("block", body)
    answer = assert_clear(response)
    after = wall_of(fuzz)
    if response.status_code != 200:
        assert after == before
        assert_clear(fuzz.orga.act("unblock", body), {400, 403, 404, 422})
        assert wall_of(fuzz) == before
        return
    topic_id = documented_id(body["topic_id"])
    assert topic_id is not None and topic_id != fuzz.foreign_id, body
    gone = set(before["topics"]) - set(after["topics"])
    assert topic_id not in after["topics"]
    assert_only(after, before, topics=dict.fromkeys(gone), revisions=int(bool(gone)))
    assert answer["changed"] == len(gone)
    unblocked = fuzz.orga.act("unblock", body)
    assert (unblocked.status_code, unblocked.get_json()["changed"]) == (200, 0)
    assert wall_of(fuzz) == after
    again = fuzz.orga.act("unblock", body)
    assert (again.status_code, again.get_json()["code"]) == (404, "not_found")


settings_values = st.sampled_from([*ID_EDGES, 2, 3, 99, 100, 101, None]) | json_value


@given(
    body=st.fixed_dictionaries(
        {}, optional={"premoderation": st.booleans(), "max_topics_per_participant": st.integers(-1, 101)}
    )
    | st.fixed_dictionaries(
        {}, optional={"premoderation": settings_values, "max_topics_per_participant": settings_values}
    )
    | st.fixed_dictionaries({"locked": settings_values})
    | json_value
)
def test_fuzz_moderation_settings(fuzz, body):
    before = ready(fuzz)
    response = fuzz.orga.act("settings", body, "patch")
    assert_clear(response)
    after = wall_of(fuzz)
    if response.status_code != 200:
        assert after == before
        return
    try:
        assert body and set(body) <= {"premoderation", "max_topics_per_participant"}
        assert isinstance(body.get("premoderation", False), bool)
        cap = body.get("max_topics_per_participant", 0)
        assert type(cap) is int and 0 <= cap <= 100, body
        assert_only(after, before, topics={}, revisions=1, event=body)
    finally:
        fuzz.orga.act("settings", {"premoderation": False, "max_topics_per_participant": 0}, "patch")


@given(
    body=st.fixed_dictionaries({"locked": settings_values}, optional={"reason": text | json_value})
    | st.fixed_dictionaries({"locked": st.booleans()}, optional={"reason": text})
    | json_value
)
def test_fuzz_moderation_lock(fuzz, body):
    before = ready(fuzz)
    response = fuzz.orga.act("lock", body)
    assert_clear(response)
    after = wall_of(fuzz)
    if response.status_code != 200:
        assert after == before
        return
    try:
        assert isinstance(body["locked"], bool), body
        reason = body.get("reason")
        reason = cleaned(reason, multiline=False) if isinstance(reason, str) else None
        expected = {"locked": body["locked"], "lock_reason": (reason or None) if body["locked"] else None}
        assert_only(after, before, topics={}, revisions=1, event=expected)
    finally:
        fuzz.orga.act("lock", {"locked": False})


# ---------------------------------------------------------------- the frame

NEW_ROOM = "Neuer Raum"
times = (
    st.sampled_from(
        [
            "2026-02-27T13:00",
            "2026-02-27T13:50",
            "2026-02-27T14:00",
            "2026-02-27T09:30",
            "2026-02-28T13:00",
            "2026-02-27T13:00+05:00",
            "2026-02-27T13:00Z",
            "2026-02-27 13:00",
            "13:00",
            "2026-02-27T25:00",
            "",
        ]
    )
    | text
    | json_value
)


def frame_call(fuzz: Fuzz, method: str, path: str, body=None):
    return fuzz.orga.call(method, path, body)


def unchanged_or_404(fuzz: Fuzz, response, before: dict) -> None:
    assert wall_of(fuzz) == before, response.get_json()


@given(
    body=st.fixed_dictionaries(
        {"name": text | st.just(NEW_ROOM)},
        optional={
            "capacity": st.integers(-2, 100001) | scalar,
            "location": text | st.none(),
            "position": st.integers(-1, 61) | scalar,
        },
    )
    | json_value
)
def test_fuzz_frame_add_room(fuzz, body):
    """A new room appears with exactly the cleaned fields sent, one revision on; a refusal changes nothing."""
    before = ready(fuzz)
    response = frame_call(fuzz, "post", "rooms", body)
    answer = assert_clear(response, ALLOWED)
    after = wall_of(fuzz)
    if response.status_code != 201:
        assert after == before
        return
    try:
        room = answer["room"]
        assert room["name"] == cleaned(body["name"], multiline=False)
        assert room["capacity"] == body.get("capacity")
        assert room["location"] == (
            cleaned(body["location"], multiline=False) or None if body.get("location") else None
        )
        position = body.get("position")
        expected = [r for r in before["rooms"]]
        expected.insert(len(expected) if position is None else min(position, len(expected)), room)
        assert after["rooms"] == expected
        assert (after["topics"], after["slots"], after["revision"]) == (
            before["topics"],
            before["slots"],
            before["revision"] + 1,
        )
    finally:
        assert frame_call(fuzz, "delete", f"rooms/{answer['room']['id']}").status_code == 200


@given(data=st.data())
def test_fuzz_frame_room_path_and_body(fuzz, data):
    """PATCH rooms/<segment>: only this event's room ids in documented spelling change anything."""
    before = ready(fuzz)
    rooms = [r["id"] for r in before["rooms"]]
    segment = data.draw(path_segment(rooms))
    body = data.draw(
        st.fixed_dictionaries({}, optional={"capacity": st.integers(-1, 100000) | scalar, "location": text})
        | json_value
    )
    response = fuzz.orga.client.patch(
        f"/api/events/{SLUG}/rooms/{quote(segment, safe='', errors='surrogatepass')}",
        json=body,
        headers={"X-CSRFToken": fuzz.orga.csrf},
    )
    after = wall_of(fuzz)
    if response.status_code in {308, 405}:
        assert response.status_code in path_allowed(segment) and after == before
        return
    assert_clear(response)
    if response.status_code != 200:
        assert after == before
        return
    room_id = path_id(segment)
    assert room_id in rooms, segment
    [room] = [r for r in after["rooms"] if r["id"] == room_id]
    old = next(r for r in before["rooms"] if r["id"] == room_id)
    assert room["capacity"] == body.get("capacity", old["capacity"])
    if "location" in body:
        assert room["location"] == (cleaned(body["location"], multiline=False) or None)
    assert [r["id"] for r in after["rooms"]] == rooms
    assert (after["topics"], after["slots"]) == (before["topics"], before["slots"])


@given(
    body=st.fixed_dictionaries(
        {"starts_at": times, "ends_at": times}, optional={"label": text | st.none(), "is_break": scalar}
    )
    | json_value
)
def test_fuzz_frame_add_slot(fuzz, body):
    """A new slot lands on the event's day, in order, overlapping none; a refusal changes nothing."""
    before = ready(fuzz)
    response = frame_call(fuzz, "post", "slots", body)
    answer = assert_clear(response, ALLOWED)
    after = wall_of(fuzz)
    if response.status_code != 201:
        assert after == before
        return
    try:
        slot = answer["slot"]
        assert slot["starts_at"][:10] == "2026-02-27" and slot["starts_at"] < slot["ends_at"]
        assert isinstance(body.get("is_break", False), bool)
        assert slot["is_break"] is body.get("is_break", False)
        for other in before["slots"]:
            assert slot["ends_at"] <= other["starts_at"] or other["ends_at"] <= slot["starts_at"], (slot, other)
        assert after["slots"] == sorted([*before["slots"], slot], key=lambda s: s["starts_at"])
        assert (after["topics"], after["rooms"]) == (before["topics"], before["rooms"])
    finally:
        assert frame_call(fuzz, "delete", f"slots/{answer['slot']['id']}").status_code == 200


@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "name": text,
            "description": text,
            "venue": text | st.none(),
            "language": st.sampled_from(["de", "en", "fr", ""]) | scalar,
            "timezone": st.sampled_from(["Europe/Berlin", "Europe/Vienna", "UTC", "Mars/Base", "localtime"]) | scalar,
            "starts_on": st.sampled_from(["2026-02-27", "2026-02-26", "2026-02-28", "27.02.2026"]) | scalar,
            "ends_on": st.sampled_from(["2026-02-27", "2026-03-01", "2026-04-30", "2026-02-26"]) | scalar,
        },
    )
    | json_value
)
def test_fuzz_frame_event(fuzz, body):
    """PATCH the event: exactly the cleaned fields change, the slots still fit; a refusal changes nothing."""
    before = ready(fuzz)
    response = frame_call(fuzz, "patch", "", body)
    assert_clear(response)
    after = wall_of(fuzz)
    if response.status_code != 200:
        assert after == before
        return
    try:
        assert body and isinstance(body, dict)
        expected = dict(before["event"])
        for name, value in body.items():
            if name == "name":
                expected[name] = cleaned(value, multiline=False)
            elif name == "venue":
                expected[name] = None if value is None else cleaned(value, multiline=False) or None
            elif name == "description":
                expected[name] = cleaned(value, multiline=True)
            else:
                expected[name] = value
        assert after["event"] == expected
        assert expected["starts_on"] <= "2026-02-27" <= expected["ends_on"]
        assert (after["topics"], after["rooms"]) == (before["topics"], before["rooms"])

        def local(slots):  # a new time zone keeps the slots' wall-clock times; only their offsets change
            return [{**s, "starts_at": s["starts_at"][:19], "ends_at": s["ends_at"][:19]} for s in slots]

        assert local(after["slots"]) == local(before["slots"])
    finally:
        restore = {
            k: before["event"][k]
            for k in ("name", "description", "venue", "language", "timezone", "starts_on", "ends_on")
        }
        assert frame_call(fuzz, "patch", "", restore).status_code == 200


# ---------------------------------------------------------------- found by fuzzing


def test_lone_surrogate_in_title_is_a_clear_422(fuzz):
    response = fuzz.person.post({"title": "a\ud800b", "host": "x", "room_id": None, "slot_id": None})
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid"
    assert response.get_json()["fields"] == {"title": "Contains control characters."}


@pytest.mark.parametrize("zero", ["٠", "０", "०"])  # Arabic-Indic, fullwidth, Devanagari
def test_non_ascii_digits_in_the_path_are_not_a_topic_id(fuzz, zero):
    """docs/api.md: ids are ASCII digits; "١" is refused in bodies and must not reach topic 1 in a URL either."""
    person = fuzz.person
    topic = person.post(topic_body(title="Ziel", room_id=None, slot_id=None)).get_json()["topic"]
    spelled = spelled_in(topic["id"], zero)
    before = wall_of(fuzz)
    response = person.client.patch(
        patch_path(fuzz, spelled), json={"title": "Umbenannt"}, headers={"X-CSRFToken": person.csrf}
    )
    assert (response.status_code, response.get_json()["code"]) == (404, "http_404")
    assert wall_of(fuzz) == before


def test_join_with_lone_surrogate_slug_is_refused_in_ack(fuzz):
    socket = fuzz.person.socket()
    assert socket.emit("join", {"event": "\ud800"}, callback=True)["code"] == "not_found"
    socket.disconnect()
