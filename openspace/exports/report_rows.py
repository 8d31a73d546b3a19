"""The one query behind the report: an event's schedule with every session's result, as plain, immutable rows.

The report page and the report exports (Markdown, HTML, PDF) are functions of these rows. The public report is
built with include_hidden=False: hidden results and hidden photos are simply not in the rows, so no format can
leak them; organizers get them too, each marked hidden. Nothing here depends on "now".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from ..extensions import db
from ..models import ActionItem, Event, Photo, Result
from ..results import photo_urls
from .rows import ScheduleRows, SlotRow, TopicRow, schedule_rows

SHOWN_STATES = ("draft", "documented", "reviewed")  # a result saved at least once


@dataclass(frozen=True)
class PhotoRow:
    """A flipchart photo: its id, the addresses of the photo and its thumbnail (on the site, without host)."""

    id: int
    url: str
    thumb_url: str
    hidden: bool


@dataclass(frozen=True)
class ItemRow:
    """An action item as agreed (what, who, due) and as followed up (status; owner and note for organizers)."""

    id: int
    what: str
    who: str
    due: date | None
    status: str
    owner: str
    note: str


@dataclass(frozen=True)
class ResultRow:
    """What a session found and agreed."""

    state: str  # draft, documented, reviewed
    summary: str
    insights: str
    attendees: int | None
    links: tuple[str, ...]  # http(s) only (checked on save)
    items: tuple[ItemRow, ...]
    photos: tuple[PhotoRow, ...]
    hidden: bool
    version: int
    updated_at: datetime | None  # aware, UTC

    @property
    def empty(self) -> bool:
        """True when there is nothing to show of it."""
        return not (self.summary or self.insights or self.items or self.links or self.photos) and (
            self.attendees is None
        )


@dataclass(frozen=True)
class SessionRow:
    """A topic on the wall with its result (None: not documented, or hidden from this report)."""

    topic: TopicRow
    result: ResultRow | None


@dataclass(frozen=True)
class SlotBlock:
    """One time window of the schedule with its sessions in room order (a break has none)."""

    slot: SlotRow
    sessions: tuple[SessionRow, ...]


@dataclass(frozen=True)
class DayBlock:
    """One day of the event with its slots by time."""

    day: date
    slots: tuple[SlotBlock, ...]


@dataclass(frozen=True)
class ReportRows:
    """What the report shows of one event."""

    schedule: ScheduleRows  # the frame: name, dates, venue, description, rooms, slots, time zone
    published_at: datetime | None  # aware, UTC; None while only organizers see the report
    include_hidden: bool
    days: tuple[DayBlock, ...]  # slots holding sessions and breaks; empty slots are left out
    unplaced: tuple[SessionRow, ...]  # live topics without a place, by id

    @property
    def sessions(self) -> tuple[SessionRow, ...]:
        """Every session in report order: by day, slot and room, then the unplaced ones."""
        placed = tuple(s for day in self.days for block in day.slots for s in block.sessions)
        return (*placed, *self.unplaced)

    @property
    def published(self) -> bool:
        """True when the report is public."""
        return self.published_at is not None


def _results(event: Event, *, include_hidden: bool) -> dict[int, ResultRow]:
    results = list(
        db.session.scalars(
            select(Result).where(Result.event_id == event.id, Result.state.in_(SHOWN_STATES)).order_by(Result.id)
        )
    )
    if not include_hidden:
        results = [r for r in results if not r.hidden]
    items: dict[int, list[ItemRow]] = defaultdict(list)
    for item in db.session.scalars(
        select(ActionItem)
        .where(ActionItem.event_id == event.id)
        .order_by(ActionItem.result_id, ActionItem.position, ActionItem.id)
    ):
        items[item.result_id].append(
            ItemRow(item.id, item.what, item.who, item.due, item.status, item.owner or "", item.note or "")
        )
    photos: dict[int, list[PhotoRow]] = defaultdict(list)
    for row in db.session.execute(
        select(Photo.id, Photo.result_id, Photo.hidden).where(Photo.event_id == event.id).order_by(Photo.id)
    ):
        if include_hidden or not row.hidden:
            urls = photo_urls(event.slug, row.id)
            photos[row.result_id].append(PhotoRow(row.id, urls["url"], urls["thumb_url"], row.hidden))
    return {
        r.topic_id: ResultRow(
            state=r.state,
            summary=r.summary or "",
            insights=r.insights or "",
            attendees=r.attendees,
            links=tuple(r.links or ()),
            items=tuple(items[r.id]),
            photos=tuple(photos[r.id]),
            hidden=r.hidden,
            version=r.version,
            updated_at=r.updated_at.replace(tzinfo=UTC) if r.updated_at else None,
        )
        for r in results
    }


def report_rows(event: Event, *, include_hidden: bool, base_url: str = "") -> ReportRows:
    """Read the event's schedule and results once, as rows for the report page and every report format."""
    schedule = schedule_rows(event, base_url=base_url)
    results = _results(event, include_hidden=include_hidden)
    by_slot: dict[int, list[SessionRow]] = defaultdict(list)
    unplaced: list[SessionRow] = []
    for topic in schedule.topics:  # scheduled ones by time and room order, then the unplaced
        session = SessionRow(topic, results.get(topic.id))
        if topic.scheduled and topic.slot is not None:
            by_slot[topic.slot.id].append(session)
        else:
            unplaced.append(session)
    days: dict[date, list[SlotBlock]] = {}
    for slot in schedule.slots:
        if slot.is_break or by_slot.get(slot.id):
            days.setdefault(slot.starts_at.date(), []).append(SlotBlock(slot, tuple(by_slot.get(slot.id, ()))))
    published = event.report_published_at
    return ReportRows(
        schedule=schedule,
        published_at=published.replace(tzinfo=UTC) if published else None,
        include_hidden=include_hidden,
        days=tuple(DayBlock(day, tuple(blocks)) for day, blocks in days.items() if _holds_sessions(blocks)),
        unplaced=tuple(unplaced),
    )


def _holds_sessions(blocks: list[SlotBlock]) -> bool:
    """A day of breaks only is left out."""
    return any(block.sessions for block in blocks)
