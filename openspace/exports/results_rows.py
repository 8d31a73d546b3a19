"""The one query behind the report exports: each placed session in schedule order with its result, as plain rows.

Built on the schedule rows (rows.py), so the report and the schedule files agree on order, times and links.
Nothing depends on "now": two exports of an unchanged event are identical.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import LargeBinary, literal, select

from ..models import ActionItem, Event, Photo, Result
from .pace import in_batches, pause
from .rows import ScheduleRows, TopicRow, schedule_rows


@dataclass(frozen=True)
class PhotoRow:
    """A photo of a result: its bytes as stored (re-encoded on upload) and their content type."""

    id: int
    content_type: str
    width: int
    height: int
    image: bytes
    url: str  # absolute address of the photo on this site


@dataclass(frozen=True)
class ItemRow:
    """An action item with its follow-up."""

    id: int
    what: str
    who: str
    due: date | None
    status: str
    owner: str
    note: str


@dataclass(frozen=True)
class SessionRow:
    """A placed topic and what it found (empty fields while undocumented)."""

    topic: TopicRow
    state: str
    summary: str
    insights: str
    attendees: int | None
    links: tuple[str, ...]
    items: tuple[ItemRow, ...]
    photos: tuple[PhotoRow, ...]
    updated_at: datetime | None  # aware, UTC
    withheld: bool = False  # its result is hidden from the report: left out, and not called undocumented

    @property
    def documented(self) -> bool:
        """True when the result says something."""
        return bool(self.summary or self.insights or self.items or self.photos or self.links)


@dataclass(frozen=True)
class ResultsRows:
    """What the report exports show of one event: the schedule, and the sessions in schedule order."""

    schedule: ScheduleRows
    sessions: tuple[SessionRow, ...]
    labels: dict[str, str]  # headings in the event's language

    @property
    def slug(self) -> str:
        """The event's slug."""
        return self.schedule.slug


def _labels(language: str) -> dict[str, str]:
    with force_locale(language):
        return {
            "report": _("Report"),
            "host": _("Host"),
            "hosts": _("Hosts"),
            "room": _("Room"),
            "time": _("Time"),
            "goal": _("Goal"),
            "context": _("Context"),
            "summary": _("Summary"),
            "insights": _("Key insights"),
            "action_items": _("Action items"),
            "what": _("What"),
            "who": _("Who"),
            "due": _("Due"),
            "status": _("Status"),
            "attendees": _("Attendees"),
            "links": _("Links"),
            "photos": _("Photos"),
            "photo": _("Photo"),
            "undocumented": _("Not documented yet."),
            "sessions": _("Sessions"),
            "open": _("open"),
            "in_progress": _("in progress"),
            "done": _("done"),
            "dropped": _("dropped"),
        }


def results_rows(event: Event, *, base_url: str, include_hidden: bool, photo_bytes: bool = True) -> ResultsRows:
    """Read every placed session's result, action items and photos once; hidden results and photos only when asked.

    Without `photo_bytes` the photos come without their bytes (b""): the Markdown only links them.
    """
    schedule = schedule_rows(event, base_url=base_url)
    pause()
    placed = [t for t in schedule.topics if t.scheduled]
    results = {r.topic_id: r for r in in_batches(select(Result).where(Result.event_id == event.id), scalars=True)}
    withheld = set() if include_hidden else {topic_id for topic_id, r in results.items() if r.hidden}
    results = {topic_id: r for topic_id, r in results.items() if topic_id not in withheld}
    by_result = {r.id: r.topic_id for r in results.values()}
    items: dict[int, list[ItemRow]] = defaultdict(list)
    for i in in_batches(
        select(ActionItem).where(ActionItem.event_id == event.id).order_by(ActionItem.position, ActionItem.id),
        scalars=True,
        size=100,
    ):
        if i.result_id in by_result:
            items[i.result_id].append(ItemRow(i.id, i.what, i.who or "", i.due, i.status, i.owner or "", i.note or ""))
    photos: dict[int, list[PhotoRow]] = defaultdict(list)
    image = Photo.image if photo_bytes else literal(b"", LargeBinary).label("image")
    query = select(Photo.id, Photo.result_id, Photo.content_type, Photo.width, Photo.height, image)
    query = query.where(Photo.event_id == event.id).order_by(Photo.id)
    if not include_hidden:
        query = query.where(Photo.hidden.is_(False))
    base = schedule.base_url
    for p in in_batches(query):
        if p.result_id in by_result:
            url = f"{base}/e/{event.slug}/photos/{p.id}.jpg"
            photos[p.result_id].append(PhotoRow(p.id, p.content_type, p.width, p.height, bytes(p.image), url))
    sessions = []
    for topic in placed:
        result = results.get(topic.id)
        if result is None:
            hidden = topic.id in withheld
            sessions.append(SessionRow(topic, "missing", "", "", None, (), (), (), None, withheld=hidden))
            continue
        sessions.append(
            SessionRow(
                topic=topic,
                state=result.state,
                summary=result.summary or "",
                insights=result.insights or "",
                attendees=result.attendees,
                links=tuple(result.links or ()),
                items=tuple(items[result.id]),
                photos=tuple(photos[result.id]),
                updated_at=result.updated_at.replace(tzinfo=UTC) if result.updated_at else None,
            )
        )
    return ResultsRows(schedule=schedule, sessions=tuple(sessions), labels=_labels(event.language))
