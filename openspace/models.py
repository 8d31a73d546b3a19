"""Database tables of an event's wall: typed columns and constraints, no business rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

TITLE_MAX = 120
HOST_MAX = 80
TEXT_MAX = 1000
DESCRIPTION_MAX = 2000
NAME_MAX = 120
ROOM_NAME_MAX = 80
LABEL_MAX = 80
VENUE_MAX = 120
REASON_MAX = 200
ANNOUNCEMENT_MAX = 200
TOPIC_STATUSES = ("live", "pending", "withdrawn")
# SQLite reuses the highest rowid after a delete; AUTOINCREMENT never hands an id out twice (PostgreSQL's
# sequences never do), so a phone or organizer view holding an old id can never act on someone else's row.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def utcnow() -> datetime:
    """Naive UTC timestamp, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class Event(db.Model):
    """One Open Space conference; `revision` grows with every committed change to its wall."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("length(name) BETWEEN 1 AND 120", name="name_length"),
        CheckConstraint("length(slug) BETWEEN 1 AND 64", name="slug_length"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("max_topics_per_participant >= 0", name="max_topics_positive"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="de")
    venue: Mapped[str | None] = mapped_column(String(VENUE_MAX))
    organizer_key_hash: Mapped[str] = mapped_column(String(64))
    organizer_reveal_hash: Mapped[str | None] = mapped_column(String(64))  # one-time: shows the organizer link once
    revision: Mapped[int] = mapped_column(default=0)
    locked: Mapped[bool] = mapped_column(default=False)
    lock_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    max_topics_per_participant: Mapped[int] = mapped_column(default=3, server_default="3")
    premoderation: Mapped[bool] = mapped_column(default=False, server_default=false())
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The marketplace (pitch round): whether it runs, the topic presented now (None: the queue's start), and the
    # topics skipped, each [topic id, highest topic id when skipped], which puts it back after those topics.
    market_open: Mapped[bool] = mapped_column(default=False, server_default=false())
    market_topic_id: Mapped[int | None]  # no foreign key: a withdrawn topic still says where the queue stood
    market_skipped: Mapped[list[list[int]]] = mapped_column(JSON, default=list, server_default="[]")
    report_published_at: Mapped[datetime | None]  # naive UTC: since when /e/<slug>/report is public (None: not)

    rooms: Mapped[list[Room]] = relationship(
        back_populates="event", order_by="Room.position", cascade="all, delete-orphan"
    )
    slots: Mapped[list[Slot]] = relationship(
        back_populates="event", order_by="(Slot.starts_at, Slot.id)", cascade="all, delete-orphan"
    )
    topics: Mapped[list[Topic]] = relationship(
        back_populates="event", order_by="Topic.id", cascade="all, delete-orphan"
    )


class Room(db.Model):
    """A place where sessions happen."""

    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("event_id", "name", name="uq_rooms_event_name"),
        CheckConstraint("length(name) BETWEEN 1 AND 80", name="name_length"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_positive"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(ROOM_NAME_MAX))
    capacity: Mapped[int | None]
    location: Mapped[str | None] = mapped_column(String(NAME_MAX))
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="rooms")


class Slot(db.Model):
    """A time window, stored as wall-clock time in the event's time zone."""

    __tablename__ = "slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_ordered"),
        CheckConstraint("label IS NULL OR length(label) <= 80", name="label_length"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    label: Mapped[str | None] = mapped_column(String(LABEL_MAX))
    is_break: Mapped[bool] = mapped_column(default=False, server_default=false())  # lunch, coffee: holds no topics

    event: Mapped[Event] = relationship(back_populates="slots")


class Topic(db.Model):
    """An Anliegen: placed in one cell (room + slot) or waiting unplaced.

    `status` is "live" (on the wall), "pending" (waiting for an organizer's approval under pre-moderation) or
    "withdrawn" (kept for restoring and the activity log). Only live topics hold a cell; a pending topic keeps the
    cell it asked for, a withdrawn one the cell it had, in wanted_room_id / wanted_slot_id.
    """

    __tablename__ = "topics"
    __table_args__ = (
        UniqueConstraint("room_id", "slot_id", name="uq_topics_cell"),
        UniqueConstraint("event_id", "request_id", name="uq_topics_request"),
        CheckConstraint("(room_id IS NULL) = (slot_id IS NULL)", name="cell_complete"),
        CheckConstraint("length(title) BETWEEN 1 AND 120", name="title_length"),
        CheckConstraint("length(host) BETWEEN 1 AND 80", name="host_length"),
        CheckConstraint("length(goal) <= 1000", name="goal_length"),
        CheckConstraint("length(context) <= 1000", name="context_length"),
        CheckConstraint("status IN ('live', 'pending', 'withdrawn')", name="status_known"),
        CheckConstraint("status = 'live' OR room_id IS NULL", name="only_live_topics_hold_cells"),
        Index("ix_topics_event_slot", "event_id", "slot_id"),
        Index("ix_topics_event_author", "event_id", "author_hash"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    host: Mapped[str] = mapped_column(String(HOST_MAX))
    goal: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="RESTRICT"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16), default="live", server_default="live")
    wanted_room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    wanted_slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id", ondelete="SET NULL"))
    author_hash: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    pinned: Mapped[bool] = mapped_column(default=False, server_default=false())  # only organizers move it
    cohosts: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")  # hosts of merged topics
    merged_into_id: Mapped[int | None]  # a withdrawn topic merged into this one (no foreign key: kept as history)
    # Its result's state, kept beside the result in the same transaction, so the wall shows it without a join.
    result_state: Mapped[str] = mapped_column(String(16), default="missing", server_default="missing")

    event: Mapped[Event] = relationship(back_populates="topics")


class Announcement(db.Model):
    """A short notice the organizers pin above the wall and every phone, optionally until a given time."""

    __tablename__ = "announcements"
    __table_args__ = (
        CheckConstraint("length(text) BETWEEN 1 AND 200", name="text_length"),
        Index("ix_announcements_event_position", "event_id", "position"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(ANNOUNCEMENT_MAX))
    until: Mapped[datetime | None]  # naive UTC; past it the announcement is no longer shown
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlockedParticipant(db.Model):
    """A participant key (by hash) an organizer blocked from changing one event's wall; nobody's identity is kept."""

    __tablename__ = "blocked_participants"
    __table_args__ = (PrimaryKeyConstraint("event_id", "author_hash"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    author_hash: Mapped[str] = mapped_column(String(64))
    blocked_at: Mapped[datetime] = mapped_column(default=utcnow)


class LogEntry(db.Model):
    """One step in an event's activity log: who (organizer or participant, never a person) did what, before/after."""

    __tablename__ = "activity_log"
    __table_args__ = (
        CheckConstraint("actor IN ('organizer', 'participant', 'system')", name="actor_known"),
        Index("ix_activity_log_event_id_id", "event_id", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    revision: Mapped[int]
    actor: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    topic_id: Mapped[int | None]  # no foreign key: the log outlives what it describes
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    undone: Mapped[bool] = mapped_column(default=False, server_default=false())  # reverted by an organizer's undo


RESULT_TEXT_MAX = 4000
ATTENDEES_MAX = 100_000
LINKS_MAX = 10
LINK_MAX = 500
WHAT_MAX = 300
WHO_MAX = 120
NOTE_MAX = 1000
RESULT_STATES = ("missing", "draft", "documented", "reviewed")
RESULT_ROLES = ("host", "participant", "organizer")
ACTION_STATUSES = ("open", "in_progress", "done", "dropped")


class Result(db.Model):
    """What one session found: its summary, insights, attendees and links; `version` grows with every save."""

    __tablename__ = "results"
    __table_args__ = (
        CheckConstraint("length(summary) <= 4000", name="summary_length"),
        CheckConstraint("length(insights) <= 4000", name="insights_length"),
        CheckConstraint("attendees IS NULL OR attendees BETWEEN 0 AND 100000", name="attendees_range"),
        CheckConstraint("state IN ('missing', 'draft', 'documented', 'reviewed')", name="state_known"),
        CheckConstraint(
            "updated_by IS NULL OR updated_by IN ('host', 'participant', 'organizer')", name="updated_by_known"
        ),
        Index("ix_results_event_id", "event_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    summary: Mapped[str] = mapped_column(Text, default="")
    insights: Mapped[str] = mapped_column(Text, default="")
    attendees: Mapped[int | None]
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(16), default="missing")
    hidden: Mapped[bool] = mapped_column(default=False)  # left out of the public report
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str | None] = mapped_column(String(16))


class ResultVersion(db.Model):
    """One saved version of a result, kept for good: who (host, participant, organizer — never a person) and when."""

    __tablename__ = "result_versions"
    __table_args__ = (
        UniqueConstraint("result_id", "version", name="uq_result_versions_result_version"),
        CheckConstraint("role IN ('host', 'participant', 'organizer')", name="role_known"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"))
    version: Mapped[int]
    summary: Mapped[str] = mapped_column(Text)
    insights: Mapped[str] = mapped_column(Text)
    attendees: Mapped[int | None]
    links: Mapped[list[str]] = mapped_column(JSON)
    action_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # what, who, due as saved
    state: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ActionItem(db.Model):
    """A follow-up a session agreed on (what, who, by when), tracked by the organizers after the event."""

    __tablename__ = "action_items"
    __table_args__ = (
        CheckConstraint("length(what) BETWEEN 1 AND 300", name="what_length"),
        CheckConstraint("length(who) <= 120", name="who_length"),
        CheckConstraint("length(owner) <= 120", name="owner_length"),
        CheckConstraint("length(note) <= 1000", name="note_length"),
        CheckConstraint("status IN ('open', 'in_progress', 'done', 'dropped')", name="status_known"),
        Index("ix_action_items_result_id", "result_id"),
        Index("ix_action_items_event_id", "event_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    what: Mapped[str] = mapped_column(String(WHAT_MAX))
    who: Mapped[str] = mapped_column(String(WHO_MAX), default="")
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    owner: Mapped[str] = mapped_column(String(WHO_MAX), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class Photo(db.Model):
    """A flipchart photo of a result, re-encoded on upload (upright, no EXIF, longest side 2,000 px) with a thumbnail.

    The bytes live in the database, so every process (and PostgreSQL scale-out) serves them; they are loaded only
    when a photo is served.
    """

    __tablename__ = "photos"
    __table_args__ = (
        CheckConstraint("content_type IN ('image/jpeg', 'image/png', 'image/webp')", name="content_type_known"),
        Index("ix_photos_result_id", "result_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("results.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    image: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumb: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_type: Mapped[str] = mapped_column(String(32), default="image/jpeg")
    width: Mapped[int]
    height: Mapped[int]
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Interest(db.Model):
    """One participant's "interessiert mich" on a topic, by participant key hash; nobody's identity is kept.

    A host's mark on their own topic is stored like any other but never counted (see the interest counts).
    """

    __tablename__ = "interests"
    __table_args__ = (
        PrimaryKeyConstraint("topic_id", "author_hash"),
        Index("ix_interests_event_id", "event_id"),
        Index("ix_interests_event_author", "event_id", "author_hash"),
    )

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    author_hash: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckIn(db.Model):
    """Where one participant (by key hash) is during one slot: a new check-in in that slot moves them."""

    __tablename__ = "checkins"
    __table_args__ = (
        PrimaryKeyConstraint("event_id", "slot_id", "author_hash"),
        Index("ix_checkins_event_slot_room", "event_id", "slot_id", "room_id"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id", ondelete="CASCADE"))
    author_hash: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedKey(db.Model):
    """A participant's personal calendar feed of one event: only the hash of the secret in its URL is stored.

    `generation` grows with every reset; the secret is derived from the participant's own key and the generation,
    so the phone can show the URL again while a reset makes every older URL unknown.
    """

    __tablename__ = "feed_keys"
    __table_args__ = (PrimaryKeyConstraint("event_id", "author_hash"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    author_hash: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(default=1)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
