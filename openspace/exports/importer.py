"""Import an event file (event_json.py): check all of it first (import_check.py), then write it in one transaction
with new ids.

A problem anywhere — not JSON, another format or version, a missing or mistyped field, a reference to nothing,
a slug in use without `replace` — refuses the whole file and changes nothing. References are remapped to the new
ids: topics to rooms and slots, merged topics, results to topics, photos and action items to results, the log
and the marketplace queue to topics. The imported event gets a new organizer secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..database import write_transaction
from ..extensions import db
from ..identity import hash_secret, new_secret
from ..models import (
    ActionItem,
    Announcement,
    BlockedParticipant,
    CheckIn,
    Event,
    FeedKey,
    Interest,
    LogEntry,
    Photo,
    Result,
    ResultVersion,
    Room,
    Slot,
    Topic,
)
from .import_check import ImportProblem, Plan, check_file


@dataclass
class Imported:
    """The event made by an import and its new organizer secret."""

    slug: str
    secret: str


_ROOM_KEYS, _SLOT_KEYS, _TOPIC_KEYS = (
    ("room_id", "wanted_room_id"),
    ("slot_id", "wanted_slot_id"),
    ("topic_id", "merged_into_id"),
)


def _remapped(value: Any, ids: dict[str, dict[int, int]]) -> Any:
    """A logged before/after with the room, slot and topic ids it names turned into the new ones."""
    if isinstance(value, list):
        return [_remapped(v, ids) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _remapped(v, ids) for k, v in value.items()}
    for keys, table in ((_ROOM_KEYS, "room"), (_SLOT_KEYS, "slot"), (_TOPIC_KEYS, "topic")):
        for key in keys:
            if isinstance(out.get(key), int):
                out[key] = ids[table].get(out[key], out[key])
    if isinstance(out.get("id"), int) and "title" in out and "host" in out:  # a logged topic
        out["id"] = ids["topic"].get(out["id"], out["id"])
    return out


def _delete_event(event_id: int) -> None:
    result_ids = select(Result.id).where(Result.event_id == event_id)
    db.session.execute(delete(ResultVersion).where(ResultVersion.result_id.in_(result_ids)))
    tables = (Photo, ActionItem, Result, LogEntry, Announcement, BlockedParticipant, Interest, CheckIn, FeedKey)
    for table in (*tables, Topic, Slot, Room):
        db.session.execute(delete(table).where(table.event_id == event_id))
    db.session.execute(delete(Event).where(Event.id == event_id))


def _write(plan: Plan) -> None:
    event = plan.event
    db.session.add(event)
    db.session.flush()
    ids: dict[str, dict[int, int]] = {"room": {}, "slot": {}, "topic": {}}
    for table, rows in (("room", plan.rooms), ("slot", plan.slots)):
        for _old, row in rows:
            row.event_id = event.id
        db.session.add_all([row for _old, row in rows])
        db.session.flush()
        ids[table] = {old: row.id for old, row in rows}
    for _old, topic, refs in plan.topics:
        topic.event_id = event.id
        for key in ("room_id", "wanted_room_id"):
            setattr(topic, key, ids["room"].get(refs[key]) if refs[key] is not None else None)
        for key in ("slot_id", "wanted_slot_id"):
            setattr(topic, key, ids["slot"].get(refs[key]) if refs[key] is not None else None)
        db.session.add(topic)
        db.session.flush()  # one by one, in the file's order: new ids keep the old order
    ids["topic"] = {old: topic.id for old, topic, _refs in plan.topics}
    nonce = new_secret()[:16]  # this import's participants: nobody's key hashes to these, and they sort by number
    for _old, topic, refs in plan.topics:
        topic.merged_into_id = ids["topic"][refs["merged_into_id"]] if refs["merged_into_id"] is not None else None
        db.session.add_all(
            Interest(topic_id=topic.id, event_id=event.id, author_hash=f"import-{nonce}-{number:08d}")
            for number in refs["interested"]
        )
    event.market_topic_id = ids["topic"].get(event.market_topic_id) if event.market_topic_id is not None else None
    ordered = sorted(ids["topic"].items())
    event.market_skipped = [
        [ids["topic"].get(topic_id, 0), max((new for old, new in ordered if old <= highest), default=0)]
        for topic_id, highest in event.market_skipped
        if topic_id in ids["topic"]
    ]
    for result, topic_id, versions, items, photos in plan.results:
        result.event_id, result.topic_id = event.id, ids["topic"][topic_id]
        db.session.add(result)
        db.session.flush()
        for _old, item in items:
            item.result_id, item.event_id = result.id, event.id
        db.session.add_all([item for _old, item in items])
        db.session.flush()
        item_ids = {old: item.id for old, item in items}
        for version in versions:
            version.result_id = result.id
            version.action_items = [{**i, "id": item_ids.get(i.get("id"))} for i in version.action_items]
        for photo in photos:
            photo.result_id, photo.event_id = result.id, event.id
        db.session.add_all([*versions, *photos])
    for notice in plan.announcements:
        notice.event_id = event.id
    for entry in plan.log:
        entry.event_id = event.id
        entry.topic_id = ids["topic"].get(entry.topic_id, entry.topic_id) if entry.topic_id is not None else None
        entry.before, entry.after = _remapped(entry.before, ids), _remapped(entry.after, ids)
    db.session.add_all([*plan.announcements, *plan.log])


def import_event(text: str | bytes, *, slug: str | None = None, replace: bool = False) -> Imported:
    """Check the file, then write the event in one transaction; refused with nothing changed on any problem."""
    plan = check_file(text, slug=slug)
    slug = plan.event.slug
    secret = new_secret()
    plan.event.organizer_key_hash = hash_secret(secret)
    try:
        with write_transaction():
            existing = db.session.scalar(select(Event.id).where(Event.slug == slug))
            if existing is not None:
                if not replace:
                    raise ImportProblem(
                        f"an event with the slug “{slug}” exists: choose another with --slug, or --replace it"
                    )
                _delete_event(existing)
                db.session.flush()
            _write(plan)
    except IntegrityError as error:
        raise ImportProblem(f"the file breaks a rule of the database: {error.orig}") from None
    db.session.expunge_all()
    return Imported(slug, secret)


__all__ = ["ImportProblem", "Imported", "import_event"]
