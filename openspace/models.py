"""Database tables of an event's wall: typed columns and constraints, no business rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db

TITLE_MAX = 120
HOST_MAX = 80
TEXT_MAX = 1000
NAME_MAX = 120
ROOM_NAME_MAX = 80
LABEL_MAX = 80


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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="de")
    organizer_key_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=0)
    locked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    label: Mapped[str | None] = mapped_column(String(LABEL_MAX))

    event: Mapped[Event] = relationship(back_populates="slots")


class Topic(db.Model):
    """An Anliegen: placed in one cell (room + slot) or waiting unplaced."""

    __tablename__ = "topics"
    __table_args__ = (
        UniqueConstraint("room_id", "slot_id", name="uq_topics_cell"),
        UniqueConstraint("event_id", "request_id", name="uq_topics_request"),
        CheckConstraint("(room_id IS NULL) = (slot_id IS NULL)", name="cell_complete"),
        CheckConstraint("length(title) BETWEEN 1 AND 120", name="title_length"),
        CheckConstraint("length(host) BETWEEN 1 AND 80", name="host_length"),
        CheckConstraint("length(goal) <= 1000", name="goal_length"),
        CheckConstraint("length(context) <= 1000", name="context_length"),
        Index("ix_topics_event_slot", "event_id", "slot_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    host: Mapped[str] = mapped_column(String(HOST_MAX))
    goal: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="RESTRICT"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slots.id", ondelete="RESTRICT"))
    author_hash: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(back_populates="topics")
