"""The demo event `make run` serves: 4 rooms, 5 rounds and a lunch break today, a few topics, and the interest
marks of 40 made-up participants (so the badges, the hints and the conflict view have something to show)."""

from __future__ import annotations

import random
from datetime import date, datetime, time

from sqlalchemy import select

from .database import write_transaction
from .events import RoomSpec, SlotSpec, create_event
from .extensions import db
from .identity import hash_secret, new_secret
from .models import Event, Interest, Topic

DEMO_ROOMS = [
    RoomSpec("Plenum", 120, "Erdgeschoss"),
    RoomSpec("Werkstatt", 30, "1. OG links"),
    RoomSpec("Bibliothek", 20, "1. OG rechts"),
    RoomSpec("Garten", 25, "hinter dem Haus"),
]
DEMO_TIMES = [
    ("10:00", "11:00", "Runde 1"),
    ("11:15", "12:15", "Runde 2"),
    ("12:15", "13:30", "Mittagessen"),
    ("13:30", "14:30", "Runde 3"),
    ("14:45", "15:45", "Runde 4"),
    ("16:00", "17:00", "Runde 5"),
]
DEMO_TOPICS = [
    (
        "Wie sieht die Zukunft des E-Commerce aus?",
        "Jan",
        "Thesen für die nächsten fünf Jahre sammeln",
        "Leitfrage der Konferenz",
        0,
        0,
    ),
    (
        "Marktplätze anbinden ohne Chaos",
        "Ayşe",
        "Checkliste für neue Kanäle",
        "Viele Händler verkaufen auf fünf und mehr Plattformen",
        1,
        0,
    ),
    ("Retouren senken", "Marek", "Drei Maßnahmen, die wirklich wirken", "", 2, 1),
    (
        "Wunschliste für die Produktentwicklung",
        "Lena",
        "Eine priorisierte Liste an das Produktteam",
        "Ergebnis der Kundenbefragung",
        0,
        3,
    ),
    ("Nachhaltiger Versand", "Tobias", "", "Verpackung, CO₂, Kosten", None, None),
]
# How likely each demo participant is interested in each topic above: "Retouren senken" draws more people than its
# room holds, and the two topics of the first round share much of their audience.
DEMO_INTEREST = (0.75, 0.5, 0.65, 0.2, 0.3)
DEMO_PARTICIPANTS = 40


def create_demo_event(today: date | None = None) -> tuple[Event, str] | None:
    """Create the `demo` event if it does not exist; returns it with its organizer secret, else None."""
    if db.session.scalar(select(Event.id).where(Event.slug == "demo")) is not None:
        return None
    day = today or date.today()
    slots = [
        SlotSpec(
            datetime.combine(day, time.fromisoformat(a)),
            datetime.combine(day, time.fromisoformat(b)),
            label,
            is_break=label == "Mittagessen",
        )
        for a, b, label in DEMO_TIMES
    ]
    event, secret = create_event(
        name="Zukunftskonferenz (Demo)",
        starts_on=day,
        ends_on=day,
        timezone="Europe/Berlin",
        language="de",
        rooms=DEMO_ROOMS,
        slots=slots,
        slug="demo",
    )
    event_id = event.id
    with write_transaction():
        event = db.session.get(Event, event_id)
        author = hash_secret(new_secret())
        topics = []
        for title, host, goal, context, room, slot in DEMO_TOPICS:
            topics.append(
                Topic(
                    event_id=event_id,
                    title=title,
                    host=host,
                    goal=goal,
                    context=context,
                    author_hash=author,
                    room_id=event.rooms[room].id if room is not None else None,
                    slot_id=event.slots[slot].id if slot is not None else None,
                )
            )
        db.session.add_all(topics)
        db.session.flush()
        chance = random.Random(2026)  # the same marks on every demo
        for _n in range(DEMO_PARTICIPANTS):
            someone = hash_secret(new_secret())  # nobody's key
            for topic, likely in zip(topics, DEMO_INTEREST, strict=True):
                if chance.random() < likely:
                    db.session.add(Interest(topic_id=topic.id, author_hash=someone, event_id=event_id))
        event.revision = len(DEMO_TOPICS)
    return db.session.get(Event, event_id), secret
