"""The planning domain on an event from the database: load a Plan, put Reasons and Conflicts into words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from .exports.pace import in_batches, pause
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


def read_marks(event_id: int) -> dict[int, frozenset[str]]:
    """Every topic's interest marks (author hashes, the host's own still among them), read in batches."""
    marks: dict[int, set[str]] = {}
    interests = select(Interest.topic_id, Interest.author_hash).where(Interest.event_id == event_id)
    for topic_id, author_hash in in_batches(interests, size=500):  # thousands of marks: the loop keeps turning
        marks.setdefault(topic_id, set()).add(author_hash)
    pause()
    return {topic_id: frozenset(found) for topic_id, found in marks.items()}


def load_plan(event: Event, now: datetime | None = None, marks: dict[int, frozenset[str]] | None = None) -> Plan:
    """The event's wall as a Plan: rooms in display order, slots by time (open: not a break and not begun, in
    the event's time zone), live topics with the author hashes of their counted interest (four queries, the
    marks read in batches unless `marks` (read_marks) are given)."""
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
    if marks is None:
        marks = read_marks(event.id)
    pause()
    begun = {slot.id for slot in slots if slot.starts_at <= local_now}
    plan_slots = tuple(PlanSlot(slot.id, slot_name(slot), not slot.is_break and slot.id not in begun) for slot in slots)
    plan_topics = tuple(
        PlanTopic(
            id=row.id,
            title=row.title,
            cell=(row.room_id, row.slot_id) if row.room_id is not None else None,
            fixed=row.pinned or row.slot_id in begun,
            hosts=topic_hosts(row.host, row.cohosts),
            interested=marks.get(row.id, frozenset()) - {row.author_hash},
        )
        for row in topics
    )
    names: dict[str, str] = {}
    for row in topics:
        for name in [row.host, *(row.cohosts or ())]:
            names.setdefault(normalise_host(name), " ".join(name.split()))
    return Plan(tuple(PlanRoom(r.id, r.name, r.capacity) for r in rooms), plan_slots, plan_topics, tuple(names.items()))


_indexes: dict[int, tuple[Plan, dict[int, PlanTopic]]] = {}  # id(plan) -> its topics by id (texts of one answer)


def _topics(plan: Plan) -> dict[int, PlanTopic]:
    """The plan's topics by id, built once per plan: an answer puts hundreds of reasons into words."""
    found = _indexes.get(id(plan))
    if found is None or found[0] is not plan:
        if len(_indexes) >= 8:
            _indexes.pop(next(iter(_indexes)))
        found = _indexes[id(plan)] = (plan, {t.id: t for t in plan.topics})
    return found[1]


_plans: dict[tuple[str, int], tuple[tuple[object, ...], Plan]] = {}  # (database, event id) -> (version, plan)
# (database, event id) -> (the marks' version, every topic's marks): a moved topic does not read 10,000 marks again
_marks: dict[tuple[str, int], tuple[tuple[object, ...], dict[int, frozenset[str]]]] = {}


def current_plan(event: Event, now: datetime | None = None) -> Plan:
    """load_plan(event, now), kept while nothing it is made of changed: the wall's revision (topics, rooms,
    slots, pins), the interest marks (their number and newest time: a mark added or taken back changes one of
    them) and which slots have begun. Two small queries while nothing changed; after a change of the wall alone
    the marks are kept too, and only rooms, slots and topics are read again."""
    zone = ZoneInfo(event.timezone)
    moment = now or datetime.now(UTC)
    local_now = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).replace(tzinfo=None)
    begun = tuple(
        db.session.scalars(
            select(Slot.id).where(Slot.event_id == event.id, Slot.starts_at <= local_now).order_by(Slot.id)
        )
    )
    marks = db.session.execute(
        select(func.count(), func.max(Interest.created_at)).where(Interest.event_id == event.id)
    ).one()
    version = (event.revision, event.created_at, tuple(marks), begun)
    key = (str(db.engine.url), event.id)
    cached = _plans.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    known = _marks.get(key)
    if known is None or known[0] != tuple(marks):
        known = _marks[key] = (tuple(marks), read_marks(event.id))
    plan = load_plan(event, now, known[1])
    pause()
    _plans[key] = (version, plan)
    return plan


def _title(plan: Plan, topic_id: int) -> str:
    topic = _topics(plan).get(topic_id)
    return topic.title if topic else "?"


def _slot(plan: Plan, slot_id: int) -> str:
    return next((s.name for s in plan.slots if s.id == slot_id), "?")


def reason_text(reason: Reason, plan: Plan) -> str:
    """One reason as a sentence in the request's language."""
    p = reason.params
    code = reason.code
    if code == "overlap":
        return ngettext(
            "%(num)s person interested in this is also interested in ‘%(title)s’ in this slot",
            "%(num)s people interested in this are also interested in ‘%(title)s’ in this slot",
            p["people"],
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
    if code == "overlap_more":
        return ngettext(
            "and %(num)s more topic of this slot with some of the same people",
            "and %(num)s more topics of this slot with some of the same people",
            p["topics"],
        )
    if code == "busy":
        return ngettext(
            "%(num)s person is already interested in topics of this slot",
            "%(num)s people are already interested in topics of this slot",
            p["people"],
        )
    if code == "no_clash":
        return _("No clash known")
    if code == "apart":
        return ngettext(
            "No longer at the same time as ‘%(title)s’ (%(num)s person is interested in both)",
            "No longer at the same time as ‘%(title)s’ (%(num)s people are interested in both)",
            p["people"],
            title=_title(plan, p["topic_id"]),
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
        topic = _topics(plan)[conflict.topic_ids[0]]
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
        held = [_topics(plan)[i] for i in conflict.topic_ids]
        shared = sorted(frozenset.intersection(*(t.hosts for t in held)))
        return _(
            "%(host)s hosts %(titles)s at the same time (%(slot)s)",
            host=plan.host_name(shared[0]) if shared else "?",
            titles=", ".join(f"‘{title}’" for title in titles),
            slot=slot,
        )
    return ngettext(
        "%(num)s person is interested in both ‘%(a)s’ and ‘%(b)s’ (%(slot)s)",
        "%(num)s people are interested in both ‘%(a)s’ and ‘%(b)s’ (%(slot)s)",
        conflict.people,
        a=titles[0],
        b=titles[1],
        slot=slot,
    )
