"""The event frame as entered on /new: rooms and slots."""

from datetime import date

import pytest
from conftest import make_app
from sqlalchemy import func, select

from openspace.errors import DomainError
from openspace.events import RoomSpec, create_event, parse_rooms, parse_slots
from openspace.extensions import db
from openspace.models import Event, Slot


@pytest.mark.parametrize("capacity", ["²", "١٢", "３０"])
def test_parse_rooms_non_ascii_digit_capacity_gets_whole_number_message(tmp_path, capacity) -> None:
    app = make_app(tmp_path)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(ValueError) as refused:
        parse_rooms(f"Plenum | {capacity}")
    assert str(refused.value) == "Line 1: the capacity must be a whole number."


def _refusal(app, call):
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises((ValueError, DomainError)) as e:
        with app.app_context():
            call()
    error = e.value
    return error.fields["slots"] if isinstance(error, DomainError) else str(error)


@pytest.mark.parametrize(
    ("names", "why"),
    [
        ("Raum 1\nraum 1", "case"),
        ("Küche\nKu\u0308che", "normalisation (NFC and NFD)"),
        ("Plenum\nPle\u200bnum", "a zero-width space"),
        ("Plenum\nPlenum\u2060", "a word joiner"),
        ("Saal  A\nSaal A", "spacing"),
    ],
)
def test_rooms_that_read_the_same_are_refused(tmp_path, names, why) -> None:
    app = make_app(tmp_path)
    assert _refusal(app, lambda: parse_rooms(names)) == "Two rooms have the same name.", why


def test_room_name_of_only_invisible_characters_is_refused(tmp_path) -> None:
    app = make_app(tmp_path)
    assert _refusal(app, lambda: parse_rooms("Plenum\n\u200b\u2060")) == "Line 2: the room needs a name."


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            "09:00-10:00\n09:30-10:30",
            "Lines 1 and 2: the slots 2026-02-27 09:00–10:00 and 2026-02-27 09:30–10:30 overlap.",
        ),
        (
            "09:00-10:00 A\n09:00-10:00 B",
            "Lines 1 and 2: the slots 2026-02-27 09:00–10:00 and 2026-02-27 09:00–10:00 overlap.",
        ),
        (
            "10:00-11:00\n2026-02-27 09:00-10:30",
            "Lines 1 and 2: the slots 2026-02-27 09:00–10:30 and 2026-02-27 10:00–11:00 overlap.",
        ),
    ],
)
def test_overlapping_or_duplicate_slots_are_refused(tmp_path, lines, message) -> None:
    app = make_app(tmp_path)
    assert _refusal(app, lambda: parse_slots(lines, date(2026, 2, 27))) == message


def test_back_to_back_slots_are_fine(tmp_path) -> None:
    app = make_app(tmp_path)
    with app.test_request_context():
        assert len(parse_slots("09:00-10:00\n10:00-11:00", date(2026, 2, 27))) == 2


def _create(app, slots, *, starts_on=date(2026, 3, 28), ends_on=None):
    create_event(
        name="Rahmen",
        starts_on=starts_on,
        ends_on=ends_on,
        timezone="Europe/Berlin",
        language="en",
        rooms=[RoomSpec("A")],
        slots=parse_slots(slots, starts_on),
    )


def test_slot_before_the_first_day_is_refused_and_nothing_is_created(tmp_path) -> None:
    app = make_app(tmp_path)
    message = _refusal(app, lambda: _create(app, "2026-03-27 09:00-10:00\n2026-03-28 09:00-10:00"))
    assert message == "The slot 2026-03-27 09:00–10:00 is not on one of the event's days."
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_slot_after_the_last_day_is_refused(tmp_path) -> None:
    app = make_app(tmp_path)
    message = _refusal(app, lambda: _create(app, "09:00-10:00\n2026-03-30 09:00-10:00", ends_on=date(2026, 3, 29)))
    assert message == "The slot 2026-03-30 09:00–10:00 is not on one of the event's days."


def test_slot_in_the_spring_forward_gap_is_refused(tmp_path) -> None:
    app = make_app(tmp_path)
    message = _refusal(app, lambda: _create(app, "2026-03-29 02:15-02:45", starts_on=date(2026, 3, 29)))
    assert (
        message == "The slot 2026-03-29 02:15–02:45 starts or ends at a time the clock change skips in Europe/Berlin."
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_slot_across_the_autumn_clock_change_is_accepted(tmp_path) -> None:
    app = make_app(tmp_path)
    with app.test_request_context(), app.app_context():
        _create(app, "2026-10-25 01:30-03:30", starts_on=date(2026, 10, 25))
        assert db.session.scalar(select(func.count()).select_from(Slot)) == 1
