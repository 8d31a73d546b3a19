"""Schedule exports: exact text of the CSV and iCalendar files, the frab files against the c3voc schemas, downloads."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from conftest import Organizer, Participant, build_event
from jsonschema import Draft6Validator
from lxml import etree

from openspace.events import RoomSpec, SlotSpec, create_event, event_by_slug, reset_organizer_secret
from openspace.exports import FORMATS, schedule_rows, topic_ics
from openspace.exports.cells import neutralise
from openspace.exports.rows import GUID_NAMESPACE
from openspace.extensions import db
from openspace.models import Room, Slot, Topic

VENDOR = Path(__file__).parent / "vendor" / "c3voc"
DAY = date(2026, 2, 27)
BASE = "https://os.example.org"
CHANGED = datetime(2026, 2, 20, 8, 0)


def build_schedule(app, slug="koeln"):
    """A two-day event with umlauts, an emoji and formula-like titles; returns ({name: topic id}, organizer secret)."""
    with app.app_context():
        event, secret = create_event(
            name="Zukunft Köln 🎉",
            slug=slug,
            starts_on=DAY,
            ends_on=DAY + timedelta(days=1),
            timezone="Europe/Berlin",
            language="en",
            rooms=[RoomSpec("Raum Köln", 20, "1. OG, links"), RoomSpec("Großer Saal", 120)],
            slots=[
                SlotSpec(datetime.combine(DAY, time(9)), datetime.combine(DAY, time(9, 50)), "Runde 1"),
                SlotSpec(datetime.combine(DAY, time(10)), datetime.combine(DAY, time(10, 50)), "Runde 2"),
                SlotSpec(datetime.combine(DAY, time(12)), datetime.combine(DAY, time(13)), "Mittag", True),
                SlotSpec(
                    datetime.combine(DAY + timedelta(1), time(10)), datetime.combine(DAY + timedelta(1), time(11, 30))
                ),
            ],
        )
        rooms = db.session.query(Room).filter_by(event_id=event.id).order_by(Room.position).all()
        slots = db.session.query(Slot).filter_by(event_id=event.id).order_by(Slot.starts_at).all()
        köln, saal = rooms
        first, second, _lunch, next_day = slots
        specs = [
            (
                "greeting",
                "Grüße aus Köln 🎉",
                "Jürgen Öztürk",
                "Mehr Öffentlichkeit – für alle",
                "Läuft seit 2025\nzweite Zeile",
                köln,
                first,
                "live",
                ["Zoë"],
            ),
            ("formula", "=SUM(A1)", "+1 Anna", "-x", "@cmd", saal, first, "live", []),
            ("plus", "+1", "Bob", "", "", köln, second, "live", []),
            ("minus", "-x", "Chris", "\tTab", "\rCR", None, None, "live", []),
            ("withdrawn", "@cmd", "Dora", "", "", saal, second, "withdrawn", []),
            ("quote", 'Tschüss, Café; "Zitat"', "Eva", "", "", saal, next_day, "live", []),
            ("pending", "Wartet", "Fritz", "", "", köln, next_day, "pending", []),
        ]
        ids = {}
        for n, (key, title, host, goal, context, room, slot, status, cohosts) in enumerate(specs):
            live = status == "live"
            topic = Topic(
                event_id=event.id,
                title=title,
                host=host,
                goal=goal,
                context=context,
                room_id=room.id if live and room else None,
                slot_id=slot.id if live and slot else None,
                wanted_room_id=None if live else room.id,
                wanted_slot_id=None if live else slot.id,
                status=status,
                author_hash="a" * 64,
                cohosts=cohosts,
                created_at=CHANGED,
                updated_at=CHANGED + timedelta(minutes=n),
            )
            db.session.add(topic)
            db.session.flush()
            ids[key] = topic.id
        db.session.commit()
        return ids, secret


def export(app, fmt, slug="koeln", base=BASE):
    """One export as the CLI and the downloads write it."""
    with app.app_context():
        return FORMATS[fmt].render(schedule_rows(event_by_slug(slug), base_url=base))


def crlf(*lines):
    return "\r\n".join(lines) + "\r\n"


# --- CSV ---------------------------------------------------------------------------------------------------------


def test_topics_csv_exact_text(app):
    build_schedule(app)

    text = export(app, "csv")

    assert text == (
        "\ufeffid,title,host,cohosts,goal,context,room,day,start,end,status\r\n"
        '1,Grüße aus Köln 🎉,Jürgen Öztürk,Zoë,Mehr Öffentlichkeit – für alle,"Läuft seit 2025\nzweite Zeile",'
        "Raum Köln,2026-02-27,09:00,09:50,live\r\n"
        "2,'=SUM(A1),'+1 Anna,,'-x,'@cmd,Großer Saal,2026-02-27,09:00,09:50,live\r\n"
        "3,'+1,Bob,,,,Raum Köln,2026-02-27,10:00,10:50,live\r\n"
        '6,"Tschüss, Café; ""Zitat""",Eva,,,,Großer Saal,2026-02-28,10:00,11:30,live\r\n'
        "4,'-x,Chris,,'\tTab,\"'\rCR\",,,,,live\r\n"
        "5,'@cmd,Dora,,,,Großer Saal,2026-02-27,10:00,10:50,withdrawn\r\n"
    )


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("'=1", "'=1"),
        ("", ""),
        (None, ""),
        ("Köln 🎉", "Köln 🎉"),
    ],
)
def test_neutralise_prefixes_formula_starts_only(cell, written):
    assert neutralise(cell) == written


# --- iCalendar ---------------------------------------------------------------------------------------------------

VTIMEZONE_BERLIN_2026 = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "COMMENT:This timezone only works from 2026-01-01 to 2027-01-01.",
    "BEGIN:STANDARD",
    "DTSTART:20260101T000000",
    "TZNAME:CET",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:20260329T030000",
    "TZNAME:CEST",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "DTSTART:20261025T030000",
    "TZNAME:CET",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "END:STANDARD",
    "END:VTIMEZONE",
)
FORMULA_VEVENT = (
    "BEGIN:VEVENT",
    "SUMMARY:=SUM(A1)",
    "DTSTART;TZID=Europe/Berlin:20260227T090000",
    "DTEND;TZID=Europe/Berlin:20260227T095000",
    "DTSTAMP:20260220T080100Z",
    "UID:topic-6fd66629-d48b-56b0-941f-80b4afdd98d1@os.example.org",
    "DESCRIPTION:Host: +1 Anna\\nGoal: -x\\nContext: @cmd",
    "LAST-MODIFIED:20260220T080100Z",
    "LOCATION:Großer Saal",
    "URL:https://os.example.org/e/koeln/t/2",
    "END:VEVENT",
)


def test_schedule_ics_exact_text(app):
    build_schedule(app)

    text = export(app, "ics")

    assert text == crlf(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Open Space organizer//koeln//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Zukunft Köln 🎉",
        "X-WR-TIMEZONE:Europe/Berlin",
        *VTIMEZONE_BERLIN_2026,
        "BEGIN:VEVENT",
        "SUMMARY:Grüße aus Köln 🎉",
        "DTSTART;TZID=Europe/Berlin:20260227T090000",
        "DTEND;TZID=Europe/Berlin:20260227T095000",
        "DTSTAMP:20260220T080000Z",
        "UID:topic-dd257400-d373-5193-900f-ea57db77fb33@os.example.org",
        "DESCRIPTION:Host: Jürgen Öztürk\\, Zoë\\nGoal: Mehr Öffentlichkeit – ",
        " für alle\\nContext: Läuft seit 2025\\nzweite Zeile",
        "LAST-MODIFIED:20260220T080000Z",
        "LOCATION:Raum Köln (1. OG\\, links)",
        "URL:https://os.example.org/e/koeln/t/1",
        "END:VEVENT",
        *FORMULA_VEVENT,
        "BEGIN:VEVENT",
        "SUMMARY:+1",
        "DTSTART;TZID=Europe/Berlin:20260227T100000",
        "DTEND;TZID=Europe/Berlin:20260227T105000",
        "DTSTAMP:20260220T080200Z",
        "UID:topic-da0cb07e-fd5e-505b-ab06-a6a3652547a8@os.example.org",
        "DESCRIPTION:Host: Bob",
        "LAST-MODIFIED:20260220T080200Z",
        "LOCATION:Raum Köln (1. OG\\, links)",
        "URL:https://os.example.org/e/koeln/t/3",
        "END:VEVENT",
        "BEGIN:VEVENT",
        'SUMMARY:Tschüss\\, Café\\; "Zitat"',
        "DTSTART;TZID=Europe/Berlin:20260228T100000",
        "DTEND;TZID=Europe/Berlin:20260228T113000",
        "DTSTAMP:20260220T080500Z",
        "UID:topic-4a8d17c9-f898-5a7b-8c16-4fd2ce89af91@os.example.org",
        "DESCRIPTION:Host: Eva",
        "LAST-MODIFIED:20260220T080500Z",
        "LOCATION:Großer Saal",
        "URL:https://os.example.org/e/koeln/t/6",
        "END:VEVENT",
        "END:VCALENDAR",
    )


def test_topic_ics_exact_text(app):
    ids, _secret = build_schedule(app)
    with app.app_context():
        rows = schedule_rows(event_by_slug("koeln"), base_url=BASE)
        text = topic_ics(rows, rows.topic(ids["formula"]))

    assert text == crlf(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Open Space organizer//koeln//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Zukunft Köln 🎉: =SUM(A1)",
        "X-WR-TIMEZONE:Europe/Berlin",
        *VTIMEZONE_BERLIN_2026,
        *FORMULA_VEVENT,
        "END:VCALENDAR",
    )


def test_schedule_ics_parses_back_with_zone_and_stable_uids(app):
    ids, _secret = build_schedule(app)
    first, again = export(app, "ics"), export(app, "ics")
    with app.app_context():
        topic = db.session.get(Topic, ids["plus"])
        topic.slot_id = db.session.query(Slot).order_by(Slot.starts_at.desc()).first().id
        topic.room_id = db.session.query(Room).order_by(Room.position).first().id
        db.session.commit()
    moved = export(app, "ics")

    calendar = icalendar.Calendar.from_ical(first)
    entries = calendar.walk("VEVENT")
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Berlin"]
    assert [str(e["SUMMARY"]) for e in entries] == ["Grüße aus Köln 🎉", "=SUM(A1)", "+1", 'Tschüss, Café; "Zitat"']
    start = entries[0]["DTSTART"]
    assert start.params["TZID"] == "Europe/Berlin"
    assert start.dt == datetime(2026, 2, 27, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert str(entries[0]["DESCRIPTION"]) == (
        "Host: Jürgen Öztürk, Zoë\nGoal: Mehr Öffentlichkeit – für alle\nContext: Läuft seit 2025\nzweite Zeile"
    )
    uids = [str(e["UID"]) for e in entries]
    assert len(set(uids)) == 4
    assert uids == [str(e["UID"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")]
    moved_entries = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(moved).walk("VEVENT")}
    assert set(moved_entries) == set(uids)  # a moved topic keeps its UID: calendars update it, never double it
    assert moved_entries[uids[2]]["DTSTART"].dt == datetime(2026, 2, 28, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert first == again


def test_uids_and_guids_differ_per_event(app):
    build_schedule(app)
    build_schedule(app, slug="bonn")

    koeln = icalendar.Calendar.from_ical(export(app, "ics")).walk("VEVENT")
    bonn = icalendar.Calendar.from_ical(export(app, "ics", slug="bonn")).walk("VEVENT")

    assert not {str(e["UID"]) for e in koeln} & {str(e["UID"]) for e in bonn}


# --- frab / c3voc ------------------------------------------------------------------------------------------------


def _format_checker():
    """The schema's formats checked with the standard library (jsonschema checks these only with extra packages)."""
    checker = Draft6Validator.FORMAT_CHECKER

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value):
        return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None

    @checker.checks("date", raises=ValueError)
    def _date(value):
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    @checker.checks("uuid", raises=ValueError)
    def _uuid(value):
        return not isinstance(value, str) or str(uuid.UUID(value)) == value

    @checker.checks("uri")
    def _uri(value):
        parts = urlsplit(value) if isinstance(value, str) else None
        return parts is None or (parts.scheme in {"http", "https"} and bool(parts.netloc))

    return checker


def test_schedule_json_is_valid_c3voc(app):
    ids, _secret = build_schedule(app)

    text = export(app, "frab-json")

    schema = json.loads((VENDOR / "schema.json").read_text())
    document = json.loads(text)
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in Draft6Validator(schema, format_checker=_format_checker()).iter_errors(document)
    ]
    assert errors == []
    conference = document["schedule"]["conference"]
    assert (conference["acronym"], conference["title"], conference["daysCount"]) == ("koeln", "Zukunft Köln 🎉", 2)
    assert (conference["start"], conference["end"], conference["timeslot_duration"]) == (
        "2026-02-27",
        "2026-02-28",
        "00:10",
    )
    assert [r["name"] for r in conference["rooms"]] == ["Raum Köln", "Großer Saal"]
    days = conference["days"]
    assert [(d["index"], d["date"], d["day_start"], d["day_end"]) for d in days] == [
        (1, "2026-02-27", "2026-02-27T09:00:00+01:00", "2026-02-27T13:00:00+01:00"),
        (2, "2026-02-28", "2026-02-28T10:00:00+01:00", "2026-02-28T11:30:00+01:00"),
    ]
    placed = {day["date"]: {room: [e["id"] for e in events] for room, events in day["rooms"].items()} for day in days}
    assert placed == {
        "2026-02-27": {"Raum Köln": [ids["greeting"], ids["plus"]], "Großer Saal": [ids["formula"]]},
        "2026-02-28": {"Raum Köln": [], "Großer Saal": [ids["quote"]]},
    }
    greeting = days[0]["rooms"]["Raum Köln"][0]
    assert greeting == {
        "guid": str(uuid.uuid5(GUID_NAMESPACE, f"koeln/topic/{ids['greeting']}")),
        "id": ids["greeting"],
        "date": "2026-02-27T09:00:00+01:00",
        "start": "09:00",
        "end": "2026-02-27T09:50:00+01:00",
        "duration": "00:50",
        "room": "Raum Köln",
        "slug": f"koeln-{ids['greeting']}-gruesse-aus-koeln",
        "url": f"{BASE}/e/koeln/t/{ids['greeting']}",
        "title": "Grüße aus Köln 🎉",
        "subtitle": "",
        "track": None,
        "type": "discussion",
        "language": "en",
        "abstract": "Mehr Öffentlichkeit – für alle",
        "description": "Läuft seit 2025\nzweite Zeile",
        "persons": [{"name": "Jürgen Öztürk"}, {"name": "Zoë"}],
        "links": [],
    }
    assert text == export(app, "frab-json")


def test_schedule_json_guids_match_the_calendar(app):
    build_schedule(app)

    document = json.loads(export(app, "frab-json"))
    calendar = icalendar.Calendar.from_ical(export(app, "ics"))

    guids = [e["guid"] for d in document["schedule"]["conference"]["days"] for r in d["rooms"].values() for e in r]
    uids = {str(e["UID"]).removeprefix("topic-").removesuffix("@os.example.org") for e in calendar.walk("VEVENT")}
    assert sorted(guids) == sorted(uids)


def test_schedule_xml_is_valid_against_the_xsd(app):
    ids, _secret = build_schedule(app)

    text = export(app, "frab-xml")

    schema = etree.XMLSchema(etree.parse(str(VENDOR / "schedule.xml.xsd")))
    document = etree.fromstring(text.encode())
    assert schema.validate(document), str(schema.error_log)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<schedule>\n')
    assert [d.get("date") for d in document.iter("day")] == ["2026-02-27", "2026-02-28"]
    events = {int(e.get("id")): e for e in document.iter("event")}
    assert sorted(events) == sorted([ids["greeting"], ids["formula"], ids["plus"], ids["quote"]])
    greeting = events[ids["greeting"]]
    assert (greeting.findtext("title"), greeting.findtext("start"), greeting.findtext("duration")) == (
        "Grüße aus Köln 🎉",
        "09:00",
        "00:50",
    )
    assert [p.text for p in greeting.iter("person")] == ["Jürgen Öztürk", "Zoë"]
    assert (
        greeting.get("guid")
        == json.loads(export(app, "frab-json"))["schedule"]["conference"]["days"][0]["rooms"]["Raum Köln"][0]["guid"]
    )


def test_frab_names_short_slugs_and_odd_zones_validly(app):
    """A 1-letter slug, an emoji-only title and a zone outside the schema's name pattern still validate."""
    with app.app_context():
        create_event(
            name="X",
            slug="x",
            starts_on=DAY,
            ends_on=None,
            timezone="America/Argentina/Buenos_Aires",
            language="de",
            rooms=[RoomSpec("A")],
            slots=[SlotSpec(datetime.combine(DAY, time(9)), datetime.combine(DAY, time(9, 45)))],
        )
        event = event_by_slug("x")
        db.session.add(
            Topic(
                event_id=event.id,
                title="🎉",
                host="Ü",
                room_id=event.rooms[0].id,
                slot_id=event.slots[0].id,
                author_hash="b" * 64,
            )
        )
        db.session.commit()

    document = json.loads(export(app, "frab-json", slug="x"))
    xml = etree.fromstring(export(app, "frab-xml", slug="x").encode())

    schema = json.loads((VENDOR / "schema.json").read_text())
    assert list(Draft6Validator(schema, format_checker=_format_checker()).iter_errors(document)) == []
    assert etree.XMLSchema(etree.parse(str(VENDOR / "schedule.xml.xsd"))).validate(xml)
    conference = document["schedule"]["conference"]
    assert conference["acronym"] == "x___"
    assert conference["days"][0]["rooms"]["A"][0]["slug"].endswith("-topic")


# --- downloads ---------------------------------------------------------------------------------------------------

DOWNLOADS = {
    "topics.csv": ("csv", "text/csv; charset=utf-8"),
    "schedule.ics": ("ics", "text/calendar; charset=utf-8"),
    "schedule.json": ("frab-json", "application/json; charset=utf-8"),
    "schedule.xml": ("frab-xml", "application/xml; charset=utf-8"),
}


@pytest.fixture
def schedule(app):
    app.config["PUBLIC_URL"] = BASE
    ids, secret = build_schedule(app)
    return ids, secret


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_download_for_organizer_is_the_export(app, schedule, name):
    _ids, secret = schedule
    organizer = Organizer(app, "koeln", secret)

    response = organizer.client.get(f"/e/koeln/export/{name}")

    fmt, content_type = DOWNLOADS[name]
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="koeln-{name}"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.data == export(app, fmt).encode()


@pytest.mark.parametrize("name", [*sorted(DOWNLOADS), "nothing.txt"])
def test_download_refused_to_participants_and_outsiders(app, schedule, name):
    participant = Participant(app, "koeln")
    outsider = app.test_client()

    assert participant.client.get(f"/e/koeln/export/{name}").status_code == 403
    assert outsider.get(f"/e/koeln/export/{name}").status_code == 403


def test_download_refused_after_the_organizer_link_was_reset(app, schedule):
    _ids, secret = schedule
    organizer = Organizer(app, "koeln", secret)
    with app.app_context():
        reset_organizer_secret(event_by_slug("koeln"))

    assert organizer.client.get("/e/koeln/export/topics.csv").status_code == 403


def test_download_refused_to_organizers_of_another_event(app, schedule):
    _slug, other_secret = build_event(app, slug="anders")
    organizer = Organizer(app, "anders", other_secret)

    assert organizer.client.get("/e/koeln/export/topics.csv").status_code == 403
    assert organizer.client.get("/e/anders/export/topics.csv").status_code == 200


@pytest.mark.parametrize(
    "path", ["/e/koeln/export/nothing.txt", "/e/koeln/export/topics.CSV", "/e/nirgends/export/topics.csv"]
)
def test_download_unknown_names_are_404(app, schedule, path):
    _ids, secret = schedule
    organizer = Organizer(app, "koeln", secret)

    assert organizer.client.get(path).status_code == 404


def test_topic_ics_is_public(app, schedule):
    ids, _secret = schedule
    outsider = app.test_client()

    response = outsider.get(f"/e/koeln/t/{ids['formula']}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="koeln-topic-{ids["formula"]}.ics"'
    assert response.data.decode() == crlf(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Open Space organizer//koeln//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:Zukunft Köln 🎉: =SUM(A1)",
        "X-WR-TIMEZONE:Europe/Berlin",
        *VTIMEZONE_BERLIN_2026,
        *FORMULA_VEVENT,
        "END:VCALENDAR",
    )


def test_topic_ics_404_for_unknown_unplaced_pending_withdrawn_and_foreign_topics(app, schedule):
    ids, _secret = schedule
    slug, _ = build_event(app, slug="anders")
    outsider = app.test_client()
    with app.app_context():
        event = event_by_slug(slug)
        foreign = Topic(
            event_id=event.id,
            title="Fremd",
            host="X",
            room_id=event.rooms[0].id,
            slot_id=event.slots[0].id,
            author_hash="c" * 64,
        )
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id

    assert outsider.get(f"/e/anders/t/{foreign_id}.ics").status_code == 200
    for topic_id in (ids["minus"], ids["withdrawn"], ids["pending"], foreign_id, 999999, 99999999999999999999):
        assert outsider.get(f"/e/koeln/t/{topic_id}.ics").status_code == 404, topic_id
    assert outsider.get(f"/e/nirgends/t/{ids['formula']}.ics").status_code == 404


# --- CLI ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_cli_export_equals_the_download(app, schedule, tmp_path, fmt):
    _ids, secret = schedule
    organizer = Organizer(app, "koeln", secret)
    name = FORMATS[fmt].name
    downloaded = organizer.client.get(f"/e/koeln/export/{name}").data
    runner = app.test_cli_runner()

    printed = runner.invoke(args=["export", "koeln", "--format", fmt])
    written = runner.invoke(args=["export", "koeln", "--format", fmt, "--output", str(tmp_path / name)])

    assert (printed.exit_code, written.exit_code) == (0, 0)
    assert printed.stdout_bytes == downloaded
    assert (tmp_path / name).read_bytes() == downloaded


def test_cli_export_unknown_slug_fails_clearly(app, tmp_path):
    runner = app.test_cli_runner()

    result = runner.invoke(args=["export", "nirgends", "--format", "csv", "--output", str(tmp_path / "out.csv")])

    assert result.exit_code == 1
    assert result.output == "Error: No event with the slug “nirgends”.\n"
    assert not (tmp_path / "out.csv").exists()


def test_cli_export_unknown_format_fails(app, schedule):
    result = app.test_cli_runner().invoke(args=["export", "koeln", "--format", "docx"])

    assert result.exit_code == 2
    assert (
        "'docx' is not one of 'csv', 'ics', 'frab-json', 'frab-xml', 'md', 'html', 'pdf', 'actions-csv', 'json'"
    ) in result.output


def test_organizer_page_links_every_download(app, schedule):
    _ids, secret = schedule
    organizer = Organizer(app, "koeln", secret)

    page = organizer.client.get("/e/koeln/organizer").get_data(as_text=True)

    links = re.findall(r'<a href="(/e/koeln/export/[^"]+)" download>([^<]+)</a>', page)
    assert links == [
        ("/e/koeln/export/topics.csv", "Topics (CSV)"),
        ("/e/koeln/export/schedule.ics", "Calendar (iCalendar)"),
        ("/e/koeln/export/schedule.json", "Schedule (frab JSON)"),
        ("/e/koeln/export/schedule.xml", "Schedule (frab XML)"),
        ("/e/koeln/export/report.md", "Report (Markdown)"),
        ("/e/koeln/export/report.html", "Report (HTML)"),
        ("/e/koeln/export/report.pdf", "Report (PDF)"),
        ("/e/koeln/export/action-items.csv", "Action items (CSV)"),
        ("/e/koeln/export/event.json", "Whole event (JSON, re-importable)"),
    ]


def test_topic_page_links_its_calendar_entry_while_placed(app, schedule):
    ids, _secret = schedule
    participant = Participant(app, "koeln")

    placed = participant.client.get(f"/e/koeln/t/{ids['formula']}").get_data(as_text=True)
    unplaced = participant.client.get(f"/e/koeln/t/{ids['minus']}").get_data(as_text=True)

    assert f'<a href="/e/koeln/t/{ids["formula"]}.ics" download>Add to calendar</a>' in placed
    assert ".ics" not in unplaced


def test_cli_export_to_an_unwritable_place_fails_clearly(app, schedule, tmp_path):
    target = tmp_path / "missing" / "topics.csv"

    result = app.test_cli_runner().invoke(args=["export", "koeln", "--format", "csv", "--output", str(target)])

    assert result.exit_code == 1
    assert result.output == f"Error: Cannot write {target}: No such file or directory.\n"
