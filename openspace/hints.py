"""The planning domain on an event from the database: load a Plan, put Reasons and Conflicts into words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from .extensions import db
from .models import Event, Interest, Room, Slot, Topic
from .planning import Conflict, Plan, PlanRoom, PlanSlot, PlanTopic, Reason, normalise_host


def slot_name(slot: Slot) -> str:
    """How a slot is called in hints: its label, else its start and end (wall-clock time of the event)."""
    return slot.label or f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"


def topic_hosts(host: str, cohosts: list[str] | None) -> frozenset[str]:
    """The normalised names of a topic's host and co-hosts."""
    names = (normalise_host(name) for name in [host, *(cohosts or ())])
    return frozenset(name for name in names if name)


def load_plan(event: Event, now: datetime | None = None) -> Plan:
    """The event's wall as a Plan: rooms in display order, slots by time (open: not a break and not begun, in
    the event's time zone), live topics with the author hashes of their counted interest (three queries)."""
    zone = ZoneInfo(event.timezone)
    moment = now or datetime.now(UTC)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # a naive `now` is UTC, as stored times
    local_now = moment.astimezone(zone).replace(tzinfo=None)  # slots keep the event's wall-clock time
    rooms = db.session.execute(
        select(Room.id, Room.name, Room.capacity).where(Room.event_id == event.id).order_by(Room.position, Room.id)
    ).all()
    slots = db.session.scalars(select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at, Slot.id)).all()
    topics = db.session.execute(
        select(
            Topic.id,
            Topic.title,
            Topic.room_id,
            Topic.slot_id,
            Topic.pinned,
            Topic.host,
            Topic.cohosts,
            Topic.author_hash,
        )
        .where(Topic.event_id == event.id, Topic.status == "live")
        .order_by(Topic.id)
    ).all()
    marks: dict[int, set[str]] = {}
    for topic_id, author_hash in db.session.execute(
        select(Interest.topic_id, Interest.author_hash).where(Interest.event_id == event.id)
    ):
        marks.setdefault(topic_id, set()).add(author_hash)
    begun = {slot.id for slot in slots if slot.starts_at <= local_now}
    plan_slots = tuple(PlanSlot(slot.id, slot_name(slot), not slot.is_break and slot.id not in begun) for slot in slots)
    plan_topics = tuple(
        PlanTopic(
            id=row.id,
            title=row.title,
            cell=(row.room_id, row.slot_id) if row.room_id is not None else None,
            fixed=row.pinned or row.slot_id in begun,
            hosts=topic_hosts(row.host, row.cohosts),
            interested=frozenset(marks.get(row.id, set()) - {row.author_hash}),
        )
        for row in topics
    )
    names: dict[str, str] = {}
    for row in topics:
        for name in [row.host, *(row.cohosts or ())]:
            names.setdefault(normalise_host(name), " ".join(name.split()))
    return Plan(tuple(PlanRoom(r.id, r.name, r.capacity) for r in rooms), plan_slots, plan_topics, tuple(names.items()))


def _title(plan: Plan, topic_id: int) -> str:
    return next((t.title for t in plan.topics if t.id == topic_id), "?")


def _slot(plan: Plan, slot_id: int) -> str:
    return next((s.name for s in plan.slots if s.id == slot_id), "?")


def _room(plan: Plan, room_id: int | None) -> str:
    return next((r.name for r in plan.rooms if r.id == room_id), "?")


def reason_text(reason: Reason, plan: Plan) -> str:
    """One reason as a sentence in the request's language."""
    p = reason.params
    code = reason.code
    if code == "overlap":
        return _(
            "%(people)s people interested in this are also interested in ‘%(title)s’ in this slot",
            people=p["people"],
            title=_title(plan, p["topic_id"]),
        )
    if code == "capacity":
        return _("Room holds %(capacity)s, %(interest)s interested", capacity=p["capacity"], interest=p["interest"])
    if code == "host":
        return _(
            "%(host)s already hosts ‘%(title)s’ in this slot",
            host=plan.host_name(p["host"]),
            title=_title(plan, p["topic_id"]),
        )
    if code == "busy":
        return _("%(people)s people are already interested in topics of this slot", people=p["people"])
    if code == "no_clash":
        return _("No clash known")
    if code == "apart":
        return _(
            "No longer at the same time as ‘%(title)s’ (%(people)s people are interested in both)",
            title=_title(plan, p["topic_id"]),
            people=p["people"],
        )
    if code == "room_fits":
        if p["capacity"] is None:
            return _("%(interest)s interested: the new room has no limit", interest=p["interest"])
        return _(
            "%(interest)s interested: the new room holds %(capacity)s",
            interest=p["interest"],
            capacity=p["capacity"],
        )
    if code == "host_free":
        return _(
            "%(host)s no longer hosts ‘%(title)s’ at the same time",
            host=plan.host_name(p["host"]),
            title=_title(plan, p["topic_id"]),
        )
    if code == "makes_room":
        return _("Makes room for ‘%(title)s’", title=_title(plan, p["topic_id"]))
    return _("Fewer clashes on the wall")


def conflict_text(conflict: Conflict, plan: Plan) -> str:
    """One conflict as a sentence in the request's language."""
    slot = _slot(plan, conflict.slot_id)
    titles = [_title(plan, i) for i in conflict.topic_ids]
    if conflict.kind == "capacity":
        topic = next(t for t in plan.topics if t.id == conflict.topic_ids[0])
        room = next(r for r in plan.rooms if r.id == conflict.room_id)
        return _(
            "‘%(title)s’ (%(slot)s): %(room)s holds %(capacity)s, %(interest)s interested",
            title=titles[0],
            slot=slot,
            room=room.name,
            capacity=room.capacity,
            interest=len(topic.interested),
        )
    if conflict.kind == "host":
        held = [t for t in plan.topics if t.id in conflict.topic_ids]
        shared = sorted(frozenset.intersection(*(t.hosts for t in held)))
        return _(
            "%(host)s hosts %(titles)s at the same time (%(slot)s)",
            host=plan.host_name(shared[0]) if shared else "?",
            titles=", ".join(f"‘{title}’" for title in titles),
            slot=slot,
        )
    return _(
        "%(people)s people are interested in both ‘%(a)s’ and ‘%(b)s’ (%(slot)s)",
        people=conflict.people,
        a=titles[0],
        b=titles[1],
        slot=slot,
    )
