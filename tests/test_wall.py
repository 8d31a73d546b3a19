"""Domain functions of the wall, called without HTTP."""

from __future__ import annotations

import pytest
from conftest import build_event, make_app, topic_body
from sqlalchemy import select, update

from openspace.errors import DomainError
from openspace.events import event_by_slug
from openspace.extensions import db
from openspace.identity import Actor
from openspace.models import Event, Topic
from openspace.snapshot import snapshot_by_slug, wall_state
from openspace.wall import post_topic, update_topic, withdraw_topic

ANNA = Actor(participant_key="anna-key")
BERT = Actor(participant_key="bert-key")


@pytest.fixture
def ctx(app, event):
    with app.app_context():
        yield event_by_slug(event)


def test_wall_state_of_new_event_lists_rooms_slots_and_revision_zero(ctx):
    state = wall_state(ctx)
    assert [r["name"] for r in state["rooms"]] == ["Raum 1", "Raum 2", "Raum 3"]
    assert [s["starts_at"] for s in state["slots"]] == [
        "2026-02-27T09:00:00+01:00",
        "2026-02-27T10:00:00+01:00",
        "2026-02-27T11:00:00+01:00",
    ]
    assert state["slots"][0]["label"] == "Runde 1"
    assert state["topics"] == []
    assert state["revision"] == 0
    assert state["event"]["slug"] == "zukunft"


def test_post_topic_places_it_and_bumps_revision(ctx):
    topic, change = post_topic(ctx, actor=ANNA, data=topic_body())
    assert (topic["title"], topic["host"], topic["room_id"], topic["slot_id"]) == ("Retouren senken", "Marek", 1, 1)
    assert change.revision == 1
    assert change.as_message() == {"revision": 1, "change": {"type": "topic_posted", "topic": topic}}
    assert wall_state(ctx)["topics"] == [topic]


def test_post_topic_unplaced_goes_to_queue(ctx):
    topic, _ = post_topic(ctx, actor=ANNA, data=topic_body(room_id=None, slot_id=None))
    assert (topic["room_id"], topic["slot_id"]) == (None, None)


def test_post_topic_taken_cell_names_holder_and_changes_nothing(ctx):
    post_topic(ctx, actor=ANNA, data=topic_body(title="Erster"))
    with pytest.raises(DomainError) as refused:
        post_topic(ctx, actor=BERT, data=topic_body(title="Zweiter", host="Bert"))
    assert refused.value.code == "taken"
    assert refused.value.status == 409
    assert "„Erster“" in refused.value.message or "“Erster”" in refused.value.message
    assert refused.value.extra["holder"]["title"] == "Erster"
    state = wall_state(ctx)
    assert [t["title"] for t in state["topics"]] == ["Erster"]
    assert state["revision"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"host": " "}, "host"),
        ({"host": "h" * 81}, "host"),
        ({"goal": "g" * 1001}, "goal"),
        ({"context": "c" * 1001}, "context"),
        ({"title": 42}, "title"),
        ({"title": "<script>alert(1)</script>"}, "title"),
        ({"host": "<img src=x onerror=alert(1)>"}, "host"),
        ({"goal": "javascript:alert(1)"}, "goal"),
        ({"title": "nul\x00byte"}, "title"),
        ({"room_id": 1, "slot_id": None}, "room_id"),
        ({"room_id": "eins"}, "room_id"),
        ({"room_id": True, "slot_id": 1}, "room_id"),
        ({"room_id": 99, "slot_id": 1}, "room_id"),
    ],
)
def test_post_topic_invalid_field_is_refused_and_changes_nothing(ctx, body, field):
    with pytest.raises(DomainError) as refused:
        post_topic(ctx, actor=ANNA, data=topic_body(**body))
    assert refused.value.code == "invalid"
    assert list(refused.value.fields) == [field]
    assert wall_state(ctx)["revision"] == 0
    assert db.session.scalars(select(Topic)).all() == []


def test_post_topic_keeps_text_but_trims_and_allows_less_than_sign(ctx):
    topic, _ = post_topic(ctx, actor=ANNA, data=topic_body(title="  Kosten < Nutzen?  ", goal="Zeile 1\nZeile 2"))
    assert topic["title"] == "Kosten < Nutzen?"
    assert topic["goal"] == "Zeile 1\nZeile 2"


def test_post_topic_in_cell_of_other_event_is_refused(app, ctx):
    build_event(app, slug="andere")
    db.session.commit()  # end this context's read snapshot so the new event is visible
    other = event_by_slug("andere")
    with pytest.raises(DomainError) as refused:
        post_topic(other, actor=ANNA, data=topic_body(room_id=1, slot_id=1))
    assert refused.value.code == "invalid"
    assert refused.value.fields == {"room_id": "This room or slot does not exist."}


def test_post_topic_replayed_request_id_returns_first_topic_once(ctx):
    first, change = post_topic(ctx, actor=ANNA, data=topic_body(request_id="req-12345678"))
    again, no_change = post_topic(ctx, actor=ANNA, data=topic_body(request_id="req-12345678"))
    assert again == first
    assert no_change is None
    assert change.revision == 1
    assert wall_state(ctx)["revision"] == 1
    assert len(wall_state(ctx)["topics"]) == 1


def test_update_topic_by_author_moves_and_edits(ctx):
    topic, _ = post_topic(ctx, actor=ANNA, data=topic_body())
    updated, change = update_topic(
        ctx, actor=ANNA, topic_id=topic["id"], data={"title": "Neu", "room_id": 2, "slot_id": 3}
    )
    assert (updated["title"], updated["room_id"], updated["slot_id"], updated["host"]) == ("Neu", 2, 3, "Marek")
    assert change.as_message() == {"revision": 2, "change": {"type": "topic_updated", "topic": updated}}


def test_update_topic_by_someone_else_is_forbidden(ctx):
    topic, _ = post_topic(ctx, actor=ANNA, data=topic_body())
    with pytest.raises(DomainError) as refused:
        update_topic(ctx, actor=BERT, topic_id=topic["id"], data={"title": "Gekapert"})
    assert refused.value.code == "forbidden"
    assert wall_state(ctx)["topics"][0]["title"] == "Retouren senken"


def test_update_topic_by_organizer_is_allowed(ctx):
    topic, _ = post_topic(ctx, actor=ANNA, data=topic_body())
    organizer = Actor(participant_key="orga", organizer_of=frozenset({ctx.id}))
    updated, _ = update_topic(ctx, actor=organizer, topic_id=topic["id"], data={"room_id": None, "slot_id": None})
    assert (updated["room_id"], updated["slot_id"]) == (None, None)


def test_update_topic_into_taken_cell_is_refused(ctx):
    post_topic(ctx, actor=ANNA, data=topic_body(title="A", room_id=1, slot_id=1))
    b, _ = post_topic(ctx, actor=BERT, data=topic_body(title="B", room_id=2, slot_id=1))
    with pytest.raises(DomainError) as refused:
        update_topic(ctx, actor=BERT, topic_id=b["id"], data={"room_id": 1, "slot_id": 1})
    assert refused.value.code == "taken"
    assert {t["title"]: (t["room_id"], t["slot_id"]) for t in wall_state(ctx)["topics"]} == {"A": (1, 1), "B": (2, 1)}


def test_update_topic_keeping_its_own_cell_is_fine(ctx):
    topic, _ = post_topic(ctx, actor=ANNA, data=topic_body())
    updated, _ = update_topic(ctx, actor=ANNA, topic_id=topic["id"], data={"title": "T", "room_id": 1, "slot_id": 1})
    assert (updated["room_id"], updated["slot_id"]) == (1, 1)


def test_withdraw_topic_frees_cell(ctx):
    topic, _ = post_topic(ctx, actor=ANNA, data=topic_body())
    change = withdraw_topic(ctx, actor=ANNA, topic_id=topic["id"])
    assert change.as_message() == {"revision": 2, "change": {"type": "topic_withdrawn", "topic_id": topic["id"]}}
    again, _ = post_topic(ctx, actor=BERT, data=topic_body(title="Nachrücker"))
    assert again["room_id"] == 1


def test_withdraw_unknown_topic_is_not_found(ctx):
    with pytest.raises(DomainError) as refused:
        withdraw_topic(ctx, actor=ANNA, topic_id=4711)
    assert refused.value.code == "not_found"


def test_locked_wall_refuses_participants_but_not_organizers(ctx):
    topic, _ = post_topic(ctx, actor=ANNA, data=topic_body())
    ctx.locked = True
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        post_topic(ctx, actor=BERT, data=topic_body(room_id=2))
    assert refused.value.code == "locked"
    with pytest.raises(DomainError):
        withdraw_topic(ctx, actor=ANNA, topic_id=topic["id"])
    organizer = Actor(participant_key="orga", organizer_of=frozenset({ctx.id}))
    withdraw_topic(ctx, actor=organizer, topic_id=topic["id"])
    assert wall_state(ctx)["topics"] == []


def test_change_messages_carry_the_next_revision_and_the_topic_as_the_wall_shows_it(ctx):
    # The browser applies these deltas (tests/test_browser_live.py); here: each one is exactly the wall's new state.
    a, c1 = post_topic(ctx, actor=ANNA, data=topic_body(title="A"))
    assert c1.as_message() == {"revision": 1, "change": {"type": "topic_posted", "topic": wall_state(ctx)["topics"][0]}}
    _, c2 = update_topic(ctx, actor=ANNA, topic_id=a["id"], data={"title": "A2", "room_id": 2, "slot_id": 1})
    assert wall_state(ctx)["topics"][0]["title"] == "A2"
    assert c2.as_message() == {
        "revision": 2,
        "change": {"type": "topic_updated", "topic": wall_state(ctx)["topics"][0]},
    }
    c3 = withdraw_topic(ctx, actor=ANNA, topic_id=a["id"])
    assert c3.as_message() == {"revision": 3, "change": {"type": "topic_withdrawn", "topic_id": a["id"]}}
    assert (wall_state(ctx)["revision"], wall_state(ctx)["topics"]) == (3, [])


def test_database_refuses_second_topic_in_same_cell(ctx):
    from sqlalchemy.exc import IntegrityError

    post_topic(ctx, actor=ANNA, data=topic_body())
    db.session.add(Topic(event_id=ctx.id, title="Doppelt", host="X", author_hash="h", room_id=1, slot_id=1))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_database_refuses_overlong_title(ctx):
    from sqlalchemy.exc import DataError, IntegrityError

    db.session.add(Topic(event_id=ctx.id, title="x" * 121, host="X", author_hash="h"))
    with pytest.raises((IntegrityError, DataError)):  # CHECK on SQLite, VARCHAR(120) on PostgreSQL
        db.session.commit()
    db.session.rollback()


def test_wall_state_follows_every_committed_change_and_never_alters_one_handed_out(ctx):
    first = wall_state(ctx)
    assert wall_state(ctx) == first
    post_topic(ctx, actor=ANNA, data=topic_body())
    after = wall_state(ctx)
    assert (after["revision"], [t["title"] for t in after["topics"]]) == (1, ["Retouren senken"])
    assert (first["revision"], first["topics"]) == (0, [])  # a page still rendering the old wall keeps it whole

    # Another process changes the wall: only the database knows.
    event_id = ctx.id
    db.session.commit()  # end this session's read transaction, as each request does
    with db.engine.begin() as other_process:
        other_process.execute(update(Topic).values(title="Anderswo geändert"))
        other_process.execute(update(Event).where(Event.id == event_id).values(revision=Event.revision + 1))
    seen = snapshot_by_slug("zukunft").state
    assert (seen["revision"], [t["title"] for t in seen["topics"]]) == (2, ["Anderswo geändert"])


def test_wall_state_of_two_databases_never_mixes_their_events(ctx, tmp_path):
    post_topic(ctx, actor=ANNA, data=topic_body(title="Hier"))
    other = make_app(tmp_path / "other", DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    build_event(other)  # the same slug and event id, in another database
    with other.app_context():
        elsewhere = event_by_slug("zukunft")
        assert elsewhere.id == ctx.id
        post_topic(elsewhere, actor=BERT, data=topic_body(title="Dort", room_id=2))
        assert [t["title"] for t in wall_state(elsewhere)["topics"]] == ["Dort"]
        db.engine.dispose()
    assert [t["title"] for t in wall_state(ctx)["topics"]] == ["Hier"]
