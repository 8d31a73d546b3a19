"""What the printed sheets show, as plain data from the wall state: door signs per room, topic sheets."""

from __future__ import annotations

from datetime import date
from typing import Any

from .i18n import dayname


def event_days(state: dict[str, Any]) -> list[str]:
    """The days (YYYY-MM-DD, in the event's time zone) that have slots, in order."""
    return list(dict.fromkeys(slot["starts_at"][:10] for slot in state["slots"]))


def parse_day(raw: str | None, state: dict[str, Any], today: date) -> str | None:
    """The day a door sign is for: the one asked for, else today when it has slots, else the first day.

    None when the asked-for day is no date or has no slots.
    """
    days = event_days(state)
    if raw is None:
        return today.isoformat() if today.isoformat() in days else (days[0] if days else today.isoformat())
    try:
        wanted = date.fromisoformat(raw).isoformat() if len(raw) == 10 else None
    except ValueError:
        return None
    return wanted if wanted in days else None


def hosts(topic: dict[str, Any]) -> list[str]:
    """The topic's host and its co-hosts (from merged topics)."""
    return [topic["host"], *topic.get("cohosts", ())]


def place_of(state: dict[str, Any], topic: dict[str, Any]) -> dict[str, Any] | None:
    """Room, slot and (on events of several days) the day name where a placed topic runs; None when unplaced."""
    if topic["room_id"] is None:
        return None
    room = next(r for r in state["rooms"] if r["id"] == topic["room_id"])
    slot = next(s for s in state["slots"] if s["id"] == topic["slot_id"])
    day = dayname(slot["starts_at"]) if len(event_days(state)) > 1 else None
    return {"room": room, "slot": slot, "day": day}


def door_signs(state: dict[str, Any], day: str) -> list[dict[str, Any]]:
    """One sign per room: its slots of `day` in order, each with the topic held there (breaks with their label)."""
    by_cell = {(t["room_id"], t["slot_id"]): t for t in state["topics"] if t["room_id"] is not None}
    slots = [s for s in state["slots"] if s["starts_at"][:10] == day]
    return [
        {
            "room": room,
            "rows": [
                {"slot": slot, "topic": None if slot["is_break"] else by_cell.get((room["id"], slot["id"]))}
                for slot in slots
            ],
        }
        for room in state["rooms"]
    ]


def topic_sheets(state: dict[str, Any], topic_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The A3 sheets of the live topics (all of them, placed first in wall order, or just `topic_ids`)."""
    slot_order = {s["id"]: i for i, s in enumerate(state["slots"])}
    room_order = {r["id"]: i for i, r in enumerate(state["rooms"])}
    topics = [t for t in state["topics"] if topic_ids is None or t["id"] in topic_ids]
    topics.sort(
        key=lambda t: (t["room_id"] is None, slot_order.get(t["slot_id"], 0), room_order.get(t["room_id"], 0), t["id"])
    )
    return [{"topic": t, "hosts": hosts(t), "place": place_of(state, t)} for t in topics]
