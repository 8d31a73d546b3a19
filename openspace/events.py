"""Setting up an event: its rooms, slots and the organizer secret."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask_babel import gettext as _
from sqlalchemy import select

from .database import write_transaction
from .errors import DomainError
from .extensions import db
from .fields import FieldErrors, clean_text, text_problem, visible
from .identity import hash_secret, new_secret, secret_matches
from .models import LABEL_MAX, NAME_MAX, ROOM_NAME_MAX, VENUE_MAX, Event, Room, Slot

LANGUAGES = ("de", "en")
MAX_ROOMS = 60
MAX_SLOTS = 60
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
Found = TypeVar("Found")
_BREAK_MARK = re.compile(r"\s*\[(?:pause|break)\]\s*$", re.IGNORECASE)  # "12:15-13:30 Mittagessen [Pause]"
_SLOT_LINE = re.compile(
    r"^(?:(?P<date>\d{4}-\d{2}-\d{2})\s+)?(?P<start>\d{1,2}[:.]\d{2})\s*[-–]\s*(?P<end>\d{1,2}[:.]\d{2})(?:\s+(?P<label>.+))?$"
)


@dataclass(frozen=True)
class RoomSpec:
    """A room as entered by the organizer."""

    name: str
    capacity: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class SlotSpec:
    """A slot as entered by the organizer, in the event's wall-clock time."""

    starts_at: datetime
    ends_at: datetime
    label: str | None = None
    is_break: bool = False


def slugify(text: str) -> str:
    """A lowercase ASCII slug for URLs (umlauts transliterated: ä -> ae)."""
    text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:48] or "event"


def unique_slug(wanted: str) -> str:
    """The wanted slug, or the first free `wanted-N`."""
    base = slugify(wanted)
    slug, n = base, 1
    while db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _refuse_markup(line: str, number: int) -> None:
    problem = text_problem(line)
    if problem:
        raise ValueError(_("Line %(n)d: %(problem)s", n=number, problem=problem))


def parse_rooms(text: str) -> list[RoomSpec]:
    """Rooms, one per line: `Name | capacity | location` (capacity and location optional)."""
    rooms: list[RoomSpec] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        _refuse_markup(line, number)
        parts = [p.strip() for p in line.split("|")]
        name, capacity, location = [*parts, None, None][:3]
        if not name or len(name) > ROOM_NAME_MAX or len(parts) > 3:
            raise ValueError(
                _(
                    "Line %(n)d: expected “Name | capacity | location”, name at most %(max)d characters.",
                    n=number,
                    max=ROOM_NAME_MAX,
                )
            )
        if capacity and not (capacity.isascii() and capacity.isdigit() and int(capacity) < 100000):
            raise ValueError(_("Line %(n)d: the capacity must be a whole number.", n=number))
        if location and len(location) > NAME_MAX:
            raise ValueError(_("Line %(n)d: the location is too long.", n=number))
        name = unicodedata.normalize("NFC", name)
        if not visible(name):
            raise ValueError(_("Line %(n)d: the room needs a name.", n=number))
        rooms.append(RoomSpec(name, int(capacity) if capacity else None, location or None))
    names = [_name_key(r.name) for r in rooms]
    if len(set(names)) != len(names):
        raise ValueError(_("Two rooms have the same name."))
    if not rooms or len(rooms) > MAX_ROOMS:
        raise ValueError(_("Enter between 1 and %(max)d rooms.", max=MAX_ROOMS))
    return rooms


def _name_key(name: str) -> str:
    """What makes two room names the same to a reader: case, normalisation and invisible characters aside."""
    shown = "".join(ch for ch in unicodedata.normalize("NFKC", name) if unicodedata.category(ch) != "Cf")
    return " ".join(shown.split()).casefold()


def _clock(text: str) -> time:
    hours, minutes = (int(x) for x in re.split(r"[:.]", text))
    return time(hours, minutes)


def parse_slots(text: str, first_day: date) -> list[SlotSpec]:
    """Slots, one per line: `[YYYY-MM-DD] HH:MM-HH:MM [label] [Pause]`; lines without a date use the previous date.

    A trailing `[Pause]` or `[break]` marks a break (lunch, coffee): shown on the wall, never holding topics.
    """
    slots: list[SlotSpec] = []
    numbers: list[int] = []  # the line each slot came from, to name both lines of an overlap
    day = first_day
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        _refuse_markup(line, number)
        match = _SLOT_LINE.match(line.strip())
        try:
            if match is None:
                raise ValueError
            if match["date"]:
                day = date.fromisoformat(match["date"])
            start, end = _clock(match["start"]), _clock(match["end"])
        except ValueError:
            raise ValueError(
                _("Line %(n)d: expected “09:30-10:15 Label” or “2026-03-01 09:30-10:15 Label”.", n=number)
            ) from None
        if end <= start:
            raise ValueError(_("Line %(n)d: the slot must end after it starts.", n=number))
        label = (match["label"] or "").strip()
        is_break = bool(_BREAK_MARK.search(label))
        label = _BREAK_MARK.sub("", label).strip() or None
        if label and len(label) > LABEL_MAX:
            raise ValueError(_("Line %(n)d: the label is too long.", n=number))
        slots.append(SlotSpec(datetime.combine(day, start), datetime.combine(day, end), label, is_break))
        numbers.append(number)
    if not slots or len(slots) > MAX_SLOTS:
        raise ValueError(_("Enter between 1 and %(max)d slots.", max=MAX_SLOTS))
    lines = dict(zip(map(id, slots), numbers, strict=True))
    slots.sort(key=lambda s: s.starts_at)
    for before, after in itertools.pairwise(slots):
        if after.starts_at < before.ends_at:
            first, second = sorted((lines[id(before)], lines[id(after)]))
            raise ValueError(
                _(
                    "Lines %(first)d and %(second)d: the slots %(a)s and %(b)s overlap.",
                    first=first,
                    second=second,
                    a=_slot_name(before),
                    b=_slot_name(after),
                )
            )
    return slots


def _slot_name(slot: SlotSpec) -> str:
    return f"{slot.starts_at:%Y-%m-%d %H:%M}–{slot.ends_at:%H:%M}"


def _exists(local: datetime, zone: ZoneInfo) -> bool:
    """False for a wall-clock time skipped by a clock change (02:30 on the spring-forward night)."""
    there = local.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return there == local


def check_slots_fit(slots: list[SlotSpec], *, starts_on: date, ends_on: date, timezone: str) -> None:
    """Refuse slots outside the event's days, or starting or ending at a time the clock change skips."""
    zone = ZoneInfo(timezone)
    for slot in slots:
        if not starts_on <= slot.starts_at.date() <= ends_on:
            raise DomainError(
                "invalid",
                _("Please check the marked fields."),
                fields={"slots": _("The slot %(slot)s is not on one of the event's days.", slot=_slot_name(slot))},
            )
        if not (_exists(slot.starts_at, zone) and _exists(slot.ends_at, zone)):
            raise DomainError(
                "invalid",
                _("Please check the marked fields."),
                fields={
                    "slots": _(
                        "The slot %(slot)s starts or ends at a time the clock change skips in %(zone)s.",
                        slot=_slot_name(slot),
                        zone=timezone,
                    )
                },
            )


# Names Python's zoneinfo finds but browsers' Intl.DateTimeFormat refuses (files, aliases of the host's zone).
_NOT_BROWSER_ZONES = re.compile(
    r"^(?:localtime|posixrules|Factory|posix/.*|right/.*|SystemV/.*|[A-Z]{3,4}\d?[A-Z]{0,3})$"
)


def valid_timezone(name: str) -> bool:
    """True for a canonical IANA time zone name such as Europe/Berlin (or UTC), one that browsers know too."""
    if name != "UTC" and ("/" not in name or _NOT_BROWSER_ZONES.match(name)):
        return False
    if name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def create_event(
    *,
    name: str,
    starts_on: date,
    ends_on: date | None,
    timezone: str,
    language: str,
    rooms: list[RoomSpec],
    slots: list[SlotSpec],
    slug: str | None = None,
    max_topics_per_participant: int = 3,
    venue: str | None = None,
) -> tuple[Event, str]:
    """Create an event with its rooms and slots; returns it with the organizer secret (only its hash is kept)."""
    errors = FieldErrors()
    name = clean_text(errors, {"name": name}, "name", max_length=NAME_MAX, required=True)
    venue = clean_text(errors, {"venue": venue}, "venue", max_length=VENUE_MAX) or None
    errors.raise_if_any()
    if not valid_timezone(timezone):
        raise DomainError("invalid", _("Unknown time zone."), fields={"timezone": _("Unknown time zone.")})
    if language not in LANGUAGES:
        raise DomainError("invalid", _("Unsupported language."), fields={"language": _("Unsupported language.")})
    ends_on = ends_on or max([starts_on] + [s.starts_at.date() for s in slots])
    if ends_on < starts_on or ends_on - starts_on > timedelta(days=31):
        raise DomainError(
            "invalid",
            _("The last day must be on or after the first (at most 31 days)."),
            fields={"ends_on": _("Invalid date.")},
        )
    check_slots_fit(slots, starts_on=starts_on, ends_on=ends_on, timezone=timezone)
    secret = new_secret()
    with write_transaction():
        event = Event(
            slug=unique_slug(slug or name),
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            timezone=timezone,
            language=language,
            organizer_key_hash=hash_secret(secret),
            max_topics_per_participant=max_topics_per_participant,
            venue=venue,
        )
        event.rooms = [
            Room(name=r.name, capacity=r.capacity, location=r.location, position=i) for i, r in enumerate(rooms)
        ]
        event.slots = [
            Slot(starts_at=s.starts_at, ends_at=s.ends_at, label=s.label, is_break=s.is_break) for s in slots
        ]
        db.session.add(event)
    return event, secret


def find_by_slug(slug: Any, lookup: Callable[[str], Found | None]) -> Found:
    """What `lookup` finds for an event address, or the not_found refusal (non-slugs never reach the database)."""
    found = lookup(slug) if isinstance(slug, str) and _SLUG.fullmatch(slug) else None
    if found is None:
        raise DomainError("not_found", _("There is no event at this address."))
    return found


def event_by_slug(slug: Any) -> Event:
    """The event with that slug, or a not_found refusal."""
    return find_by_slug(slug, lambda valid: db.session.scalar(select(Event).where(Event.slug == valid)))


def issue_reveal_token(event: Event) -> str:
    """A one-time token that lets the browser which created the event see its organizer link once."""
    token = new_secret()
    with write_transaction():
        db.session.get(Event, event.id).organizer_reveal_hash = hash_secret(token)
    return token


def redeem_reveal_token(event: Event, token: Any) -> str | None:
    """A new organizer secret when `token` is the event's unused reveal token (used up now); else None.

    The secret made with the event is never shown: the one shown is made here, so no cookie ever carried it.
    """
    if not isinstance(token, str) or len(token) > 128:
        return None
    secret = new_secret()
    with write_transaction():
        row = db.session.get(Event, event.id)
        if row.organizer_reveal_hash is None or not secret_matches(token, row.organizer_reveal_hash):
            return None
        row.organizer_reveal_hash = None
        row.organizer_key_hash = hash_secret(secret)
    db.session.refresh(event)
    return secret


def reset_organizer_secret(event: Event) -> str:
    """Issue a new organizer secret; the old organizer link stops working."""
    secret = new_secret()
    event_id = event.id
    with write_transaction():
        db.session.get(Event, event_id).organizer_key_hash = hash_secret(secret)
    return secret
