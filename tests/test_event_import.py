"""event.json round trip: export, import into an empty database (or beside the original), export again: identical
apart from ids, photos included; a broken file, another format or version, or a slug in use changes nothing."""

from __future__ import annotations

import itertools
import json
import re

import pytest
from conftest import Organizer, make_app
from test_report_exports import SLUG, build_report, render

from openspace.events import event_by_slug
from openspace.extensions import db
from openspace.models import Announcement, Event, Interest, LogEntry, Topic

_copies = itertools.count(1)


@pytest.fixture
def empty_app(tmp_path, database_url, request):
    """A second app on an empty database of the same kind."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_for_suite").new_database(f"empty_{next(_copies)}")
    other = make_app(tmp_path / "empty", DATABASE_URL=url)
    yield other
    with other.app_context():
        db.engine.dispose()


def enrich(app, ids):
    """What only the full export carries: a merge, the marketplace queue, an announcement, a logged move, interest
    marks of three participants (and a host's own mark, which is not counted and stays behind)."""
    with app.app_context():
        event = event_by_slug(SLUG)
        db.session.get(Topic, ids["withdrawn"]).merged_into_id = ids["greeting"]
        event.market_topic_id = ids["formula"]
        event.market_skipped = [[ids["plus"], ids["quote"]]]
        room_id = db.session.get(Topic, ids["greeting"]).room_id
        db.session.add(Announcement(event_id=event.id, text="Mittag um 12 🍝", position=0))
        db.session.add(
            LogEntry(
                event_id=event.id,
                revision=event.revision,
                actor="organizer",
                action="move",
                topic_id=ids["plus"],
                before={"id": ids["plus"], "title": "+1", "host": "Bob", "room_id": room_id, "slot_id": None},
                after={"merged_into_id": ids["greeting"]},
            )
        )
        greeting = db.session.get(Topic, ids["greeting"])
        marks = [("2", "greeting"), ("1", "greeting"), ("3", "formula"), ("2", "formula")]
        marks.append((greeting.author_hash, "greeting"))
        for who, key in marks:
            author = who * 64 if len(who) == 1 else who
            db.session.add(Interest(topic_id=ids[key], author_hash=author, event_id=event.id))
        db.session.commit()


def normalised(text: bytes) -> dict:
    """The event file with every id replaced by its row's place in the file, so two databases compare."""
    data = json.loads(text)
    rooms = {r["id"]: n for n, r in enumerate(data["rooms"])}
    slots = {s["id"]: n for n, s in enumerate(data["slots"])}
    topics = {t["id"]: n for n, t in enumerate(data["topics"])}
    items = {i["id"]: n for n, i in enumerate(i for r in data["results"] for i in r["action_items"])}
    tables = {"room_id": rooms, "wanted_room_id": rooms, "slot_id": slots, "wanted_slot_id": slots}
    tables |= {"topic_id": topics, "merged_into_id": topics}

    def walk(value, ids):
        if isinstance(value, list):
            return [walk(v, ids) for v in value]
        if not isinstance(value, dict):
            return value
        out = {
            k: walk(v, tables[k] if k in tables else topics if k in ("before", "after") else None)
            for k, v in value.items()
        }
        for key, table in tables.items():
            if isinstance(value.get(key), int):
                out[key] = ("ref", table.get(value[key], "unknown"))
        if isinstance(value.get("id"), int):
            out["id"] = ("id", (ids or {}).get(value["id"], "unknown"))
        return out

    data["rooms"] = [walk(r, rooms) for r in data["rooms"]]
    data["slots"] = [walk(s, slots) for s in data["slots"]]
    data["topics"] = [walk(t, topics) for t in data["topics"]]
    for result in data["results"]:
        result["id"] = None
        result["topic_id"] = topics[result["topic_id"]]
        result["action_items"] = [walk(i, items) for i in result["action_items"]]
        for version in result["versions"]:
            version["action_items"] = [walk(i, items) for i in version["action_items"]]
        for photo in result["photos"]:
            photo["id"] = None
    data["log"] = [walk(entry, topics) for entry in data["log"]]
    event = data["event"]
    event["market_topic_id"] = topics.get(event["market_topic_id"])
    event["market_skipped"] = [[topics.get(a), topics.get(b)] for a, b in event["market_skipped"]]
    return data


def run_import(app, path, *args):
    return app.test_cli_runner().invoke(args=["import", str(path), *args])


def test_event_json_round_trip_into_an_empty_database(app, empty_app, tmp_path):
    ids, _secret = build_report(app)
    enrich(app, ids)
    exported = render(app, "json")
    (tmp_path / "event.json").write_bytes(exported)

    result = run_import(empty_app, tmp_path / "event.json")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Imported “{SLUG}”:\n")
    again = render(empty_app, "json")
    assert normalised(again) == normalised(exported)
    data = json.loads(again)
    assert {t["title"]: t["interested"] for t in data["topics"] if t["interested"]} == {
        "Grüße aus Köln 🎉": [1, 2],
        "=SUM(A1)": [2, 3],
    }
    with empty_app.app_context():
        assert db.session.query(Interest).count() == 4  # the host's own mark stayed behind
    assert [len(r["photos"]) for r in data["results"]] == [2, 0]
    assert data["results"][0]["photos"][0]["image"] == json.loads(exported)["results"][0]["photos"][0]["image"]
    secret = re.search(r"/organize/(\S+)", result.output).group(1)
    organizer = Organizer(empty_app, SLUG, secret)  # the printed organizer link works
    assert organizer.client.get(f"/e/{SLUG}/export/event.json").data == again


def test_event_json_imported_beside_the_original_gets_new_ids_and_remapped_references(app, tmp_path):
    ids, _secret = build_report(app)
    enrich(app, ids)
    exported = render(app, "json")
    (tmp_path / "event.json").write_bytes(exported)

    result = run_import(app, tmp_path / "event.json", "--slug", "koeln-kopie")

    assert result.exit_code == 0, result.output
    copy = json.loads(render(app, "json", slug="koeln-kopie"))
    original = json.loads(exported)
    assert {t["id"] for t in copy["topics"]}.isdisjoint({t["id"] for t in original["topics"]})
    withdrawn = next(t for t in copy["topics"] if t["title"] == "@cmd")
    greeting = next(t for t in copy["topics"] if t["title"].startswith("Grüße"))
    assert withdrawn["merged_into_id"] == greeting["id"]
    assert copy["log"][-1]["before"]["room_id"] == greeting["room_id"]
    copy["event"]["slug"] = SLUG
    assert normalised(json.dumps(copy).encode()) == normalised(exported)


def test_event_json_import_replace_swaps_the_event(app, tmp_path):
    build_report(app)
    exported = render(app, "json")
    changed = json.loads(exported)
    changed["event"]["name"] = "Zukunft Köln, zweiter Stand"
    (tmp_path / "event.json").write_text(json.dumps(changed))

    result = run_import(app, tmp_path / "event.json", "--replace")

    assert result.exit_code == 0, result.output
    with app.app_context():
        assert [e.name for e in db.session.query(Event).all()] == ["Zukunft Köln, zweiter Stand"]


def broken_files(exported: bytes) -> dict[str, tuple[bytes, str]]:
    data = json.loads(exported)
    files = {"truncated": (exported[: len(exported) // 2], "not a JSON file (or cut off)")}
    files["not_json"] = (b"\x89PNG not json", "not a JSON file (or cut off)")
    files["other_format"] = (json.dumps({**data, "format": "frab"}).encode(), "file.format: not an event file")
    files["future_version"] = (json.dumps({**data, "version": 2}).encode(), "file.version: 2 is not supported")
    bad_ref = json.loads(exported)
    bad_ref["topics"][0]["room_id"] = 999
    files["bad_reference"] = (json.dumps(bad_ref).encode(), "topics[0].room_id: no room with the id 999")
    bad_photo = json.loads(exported)
    bad_photo["results"][0]["photos"][1]["image"] = "not base64!"
    files["bad_photo"] = (json.dumps(bad_photo).encode(), "results[0].photos[1].image: not base64")
    bad_interest = json.loads(exported)
    bad_interest["topics"][1]["interested"] = [1, 1]
    files["bad_interest"] = (
        json.dumps(bad_interest).encode(),
        "topics[1].interested: must be a list of different participant numbers 1–100000",
    )
    late = json.loads(exported)
    late["log"].append({"at": "yesterday"})
    files["bad_last_row"] = (json.dumps(late).encode(), f"log[{len(late['log']) - 1}].at: not a date and time")
    return files


@pytest.mark.parametrize(
    "case",
    [
        "truncated",
        "not_json",
        "other_format",
        "future_version",
        "bad_reference",
        "bad_photo",
        "bad_interest",
        "bad_last_row",
        "slug_taken",
    ],
)
def test_event_json_import_refuses_and_changes_nothing(app, tmp_path, case):
    build_report(app)
    exported = render(app, "json")
    if case == "slug_taken":
        body, message = exported, f"an event with the slug “{SLUG}” exists"
    else:
        body, message = broken_files(exported)[case]
        body = body.replace(f'"slug": "{SLUG}"'.encode(), b'"slug": "neu"')
    (tmp_path / "event.json").write_bytes(body)

    result = run_import(app, tmp_path / "event.json")

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Nothing was imported: {message}")
    with app.app_context():
        assert [e.slug for e in db.session.query(Event).all()] == [SLUG]
    assert render(app, "json") == exported


def test_event_json_import_refuses_a_slug_that_is_no_slug(app, tmp_path):
    build_report(app)
    exported = render(app, "json")
    (tmp_path / "event.json").write_bytes(exported)

    result = run_import(app, tmp_path / "event.json", "--slug", "Köln Neu")

    assert result.exit_code == 1
    assert result.output == (
        "Error: Nothing was imported: slug “Köln Neu”: only lower-case letters, digits and single dashes (at most 64)\n"
    )
    assert render(app, "json") == exported
