"""Server-rendered pages, event creation, the CLI and start-up configuration."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import DAY, Participant, topic_body
from live import ROOT, cli

from openspace.events import RoomSpec, SlotSpec, create_event
from openspace.extensions import db


def test_index_links_to_event_creation(app):
    response = app.test_client().get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert b'href="/new"' in response.data


def test_phone_page_lists_slots_rooms_and_free_cells(alice):
    page = alice.client.get("/e/zukunft/").get_data(as_text=True)
    assert page.count('class="slot"') == 3
    assert page.count('class="claim"') == 9
    assert "09:00–09:50" in page
    assert 'name="csrf-token"' in page


class TopicText(HTMLParser):
    """The text of every .topic-title and .topic-host element, as a browser parses it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        classes = (dict(attrs).get("class") or "").split()
        self._open = next((c for c in classes if c in {"topic-title", "topic-host"}), None)
        if self._open:
            self.texts.append((self._open, ""))

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            kind, text = self.texts[-1]
            self.texts[-1] = (kind, text + data)


def test_phone_page_escapes_user_text(alice):
    title = 'Kosten < Nutzen & "Zitat" >= 0, &lt;b&gt; &amp;'  # entities must stay text too
    assert alice.post(topic_body(title=title, host="Ö'zil")).status_code == 201
    page = alice.client.get("/e/zukunft/").get_data(as_text=True)
    parsed = TopicText()
    parsed.feed(page)
    assert parsed.texts == [("topic-title", title), ("topic-host", "Ö'zil")]
    data = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data
    assert "\\u003c" in data


def test_projector_page_shows_grid_and_join_qr(alice):
    alice.post(topic_body(title="Retouren senken", room_id=2, slot_id=3))
    page = alice.client.get("/e/zukunft/wall").get_data(as_text=True)
    assert page.count("<tr data-slot-id=") == 3
    assert page.count('<th scope="col" data-room-id=') == 3
    assert 'src="/e/zukunft/qr.svg"' in page
    assert "http://localhost/e/zukunft/" in page
    row = re.search(r'<tr data-slot-id="3">(.*?)</tr>', page, re.S).group(1)
    cell = re.findall(r'<td class="(\w+)" data-room-id="(\d)">(.*?)</td>', row, re.S)
    assert [(cls, room) for cls, room, _ in cell] == [("free", "1"), ("taken", "2"), ("free", "3")]
    assert "Retouren senken" in cell[1][2]


def test_projector_page_shows_venue_and_a_break_as_one_band(app):
    with app.app_context():
        event, _secret = create_event(
            name="Pausenwand",
            slug="pause",
            starts_on=DAY,
            ends_on=None,
            timezone="Europe/Berlin",
            language="de",
            rooms=[RoomSpec("Plenum", 50), RoomSpec("Werkstatt", 20)],
            slots=[
                SlotSpec(datetime.combine(DAY, time(11)), datetime.combine(DAY, time(12)), "Runde 1"),
                SlotSpec(datetime.combine(DAY, time(12)), datetime.combine(DAY, time(13)), "Mittagessen", True),
            ],
        )
        event.venue = "Stadthalle"
        db.session.commit()
    page = app.test_client().get("/e/pause/wall").get_data(as_text=True)
    assert '<p class="venue" id="venue">Stadthalle</p>' in page
    assert 'href="/static/css/wall.css"' in page
    band = re.search(r'<tr class="break-row" data-slot-id="\d+">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r"<td[^>]*>", band) == ['<td class="break" colspan="2">']
    assert '<span class="slot-label">Mittagessen</span>' in band
    assert page.count("<tr data-slot-id=") == 1


def test_qr_svg_is_served_as_svg(app, event):
    # What it encodes is decoded in tests/test_qr.py.
    response = app.test_client().get("/e/zukunft/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml") or response.data.startswith(b"<svg")
    assert b"<path" in response.data


def test_poster_page_shows_qr_and_url(app, event):
    page = app.test_client().get("/e/zukunft/poster", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'src="/e/zukunft/qr.svg"' in page
    assert "http://localhost/e/zukunft/" in page


def test_unknown_event_page_is_404(app):
    assert app.test_client().get("/e/nope/").status_code == 404
    assert app.test_client().get("/e/nope/wall").status_code == 404


def test_session_cookie_is_httponly_and_samesite_lax(app, event):
    response = app.test_client().get("/e/zukunft/")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_event_language_decides_page_language(app):
    from conftest import build_event

    build_event(app, slug="deutsch", language="de")
    page = app.test_client().get("/e/deutsch/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Anliegen anbringen" in page


def test_language_switch_is_remembered(app):
    from conftest import build_event

    build_event(app, slug="deutsch", language="de")
    client = app.test_client()
    assert client.get("/lang/en?next=/e/deutsch/").headers["Location"] == "/e/deutsch/"
    assert '<html lang="en">' in client.get("/e/deutsch/").get_data(as_text=True)
    assert client.get("/lang/en?next=//evil.example").headers["Location"] == "/"


def new_event_form(client):
    page = client.get("/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return {
        "csrf_token": token,
        "name": "Zukunftskonferenz 2026",
        "slug": "",
        "starts_on": "2026-02-27",
        "ends_on": "",
        "timezone": "Europe/Berlin",
        "language": "de",
        "rooms": "Plenum | 120 | EG\nWerkstatt | 30",
        "slots": "09:30-10:15 Runde 1\n10:30-11:15\n2026-02-28 09:30-10:15 Tag 2",
    }


def test_create_event_form_creates_event_and_shows_organizer_link_once(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/new", data=new_event_form(client))
    assert response.status_code == 302
    assert response.headers["Location"] == "/e/zukunftskonferenz-2026/created"
    page = client.get("/e/zukunftskonferenz-2026/created").get_data(as_text=True)
    reloaded = client.get("/e/zukunftskonferenz-2026/created")
    assert reloaded.status_code == 302
    assert reloaded.headers["Location"] == "/e/zukunftskonferenz-2026/organizer"
    link = re.search(
        r'<a id="organizer-link" href="http://localhost(/e/zukunftskonferenz-2026/organize/[^"]+)">http://localhost\1</a>',
        page,
    )
    assert link is not None
    assert len(link.group(1).rsplit("/", 1)[1]) >= 22  # >= 128 bits, URL-safe base64
    wall = client.get("/api/events/zukunftskonferenz-2026/wall").get_json()
    assert [r["name"] for r in wall["rooms"]] == ["Plenum", "Werkstatt"]
    assert [(s["starts_at"], s["label"]) for s in wall["slots"]] == [
        ("2026-02-27T09:30:00+01:00", "Runde 1"),
        ("2026-02-27T10:30:00+01:00", None),
        ("2026-02-28T09:30:00+01:00", "Tag 2"),
    ]
    assert wall["event"]["ends_on"] == "2026-02-28"
    assert client.get("/e/zukunftskonferenz-2026/organizer").status_code == 200
    other = app.test_client()
    assert other.get("/e/zukunftskonferenz-2026/organizer").status_code == 403
    assert other.get(link.group(1)).status_code == 302
    assert other.get("/e/zukunftskonferenz-2026/organizer").status_code == 200


def test_create_event_form_with_bad_slot_line_shows_error_and_creates_nothing(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = new_event_form(client)
    form["slots"] = "09:30-10:15\nlunch"
    response = client.post("/new", data=form)
    assert response.status_code == 422
    assert "Line 2: expected" in response.get_data(as_text=True)
    assert client.get("/api/events/zukunftskonferenz-2026/wall").status_code == 404


def test_create_event_form_without_csrf_token_is_refused(app):
    client = app.test_client()
    form = new_event_form(client)
    del form["csrf_token"]
    response = client.post("/new", data=form)
    assert response.status_code == 302
    assert client.get("/api/events/zukunftskonferenz-2026/wall").status_code == 404


@pytest.mark.parametrize("zone", ["Mars/Olympus", "localtime"])  # localtime: zoneinfo knows it, browsers do not
def test_create_event_form_unknown_timezone_is_refused_and_creates_nothing(app, zone):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = new_event_form(client)
    form["timezone"] = zone
    response = client.post("/new", data=form)
    assert response.status_code == 422
    assert "Unknown time zone." in response.get_data(as_text=True)
    assert client.get("/api/events/zukunftskonferenz-2026/wall").status_code == 404


def test_cli_demo_creates_demo_event_and_prints_three_links(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    out = cli(database_url, "demo")
    links = re.findall(r"http://127\.0\.0\.1:5000(/\S+)", out)
    assert links[:2] == ["/e/demo/", "/e/demo/wall"]
    assert re.fullmatch(r"/e/demo/organize/[A-Za-z0-9_-]{32}", links[2])
    again = cli(database_url, "demo")
    new_links = re.findall(r"http://127\.0\.0\.1:5000(/\S+)", again)
    assert new_links[2] != links[2]


def test_cli_demo_event_has_four_rooms_five_rounds_a_lunch_break_and_topics(tmp_path):
    from conftest import make_app

    app = make_app(tmp_path)
    cli(f"sqlite:///{tmp_path / 'test.sqlite3'}", "demo")
    wall = Participant(app, "demo").wall().get_json()
    assert (len(wall["rooms"]), len(wall["slots"]), len(wall["topics"])) == (4, 6, 5)
    assert [s["label"] for s in wall["slots"] if s["is_break"]] == ["Mittagessen"]
    assert sum(1 for t in wall["topics"] if t["room_id"] is None) == 1
    assert wall["revision"] == 5
    from openspace.extensions import db
    from openspace.models import Interest

    with app.app_context():  # made-up participants' marks: "Retouren senken" (room for 20) draws 28
        marks = [db.session.query(Interest).filter_by(topic_id=t["id"]).count() for t in wall["topics"]]
    assert marks == [34, 17, 28, 6, 6]


def test_cli_create_event_prints_links_and_refuses_bad_input(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    out = cli(
        database_url, "create-event", "--name=Tag der Ideen", "--starts-on=2026-03-01", "--room=A", "--slot=09:00-10:00"
    )
    assert "/e/tag-der-ideen/organize/" in out
    env = {**os.environ, "SECRET_KEY": "k" * 40, "DATABASE_URL": database_url}
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "create-event",
            "--name=X",
            "--starts-on=2026-03-01",
            "--room=A",
            "--slot=10:00-09:00",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "Line 1: the slot must end after it starts." in bad.stderr


def test_start_without_secret_key_fails_with_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(SECRET_KEY_FILE=str(tmp_path / "missing"), DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    done = subprocess.run([sys.executable, "wsgi.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr


def test_room_and_slot_lines_with_markup_are_refused():
    import pytest

    from openspace.events import parse_rooms, parse_slots

    app = make_app_for_text()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ValueError, match=r"Line 2: HTML and scripts are not allowed here\."):
            parse_rooms("Plenum\n<b>Werkstatt</b>")
        with pytest.raises(ValueError, match=r"Line 1: HTML and scripts are not allowed here\."):
            parse_slots("09:00-10:00 <script>x</script>", __import__("datetime").date(2026, 2, 27))
        assert parse_rooms('Raum "A" & B | 20')[0].name == 'Raum "A" & B'


def make_app_for_text():
    import tempfile
    from pathlib import Path

    from conftest import make_app

    return make_app(Path(tempfile.mkdtemp()))


def test_multi_day_event_gets_day_headings_in_its_language(app):
    from datetime import date, datetime, time

    from openspace.events import RoomSpec, SlotSpec, create_event

    with app.app_context():
        slots = [
            SlotSpec(datetime.combine(date(2026, 2, 27), time(9)), datetime.combine(date(2026, 2, 27), time(10))),
            SlotSpec(datetime.combine(date(2026, 2, 28), time(9)), datetime.combine(date(2026, 2, 28), time(10))),
        ]
        create_event(
            name="Zwei Tage",
            slug="zwei",
            starts_on=date(2026, 2, 27),
            ends_on=None,
            timezone="Europe/Berlin",
            language="de",
            rooms=[RoomSpec("A")],
            slots=slots,
        )
    client = app.test_client()
    phone = client.get("/e/zwei/").get_data(as_text=True)
    assert re.findall(r'<h2 class="day-head">([^<]+)</h2>', phone) == [
        "Freitag, 27. Februar 2026",
        "Samstag, 28. Februar 2026",
    ]
    wall = client.get("/e/zwei/wall").get_data(as_text=True)
    assert re.findall(r'<tr class="day-row"><th colspan="2" scope="colgroup">([^<]+)</th>', wall) == [
        "Freitag, 27. Februar 2026",
        "Samstag, 28. Februar 2026",
    ]
    client.get("/lang/en")
    english = client.get("/e/zwei/").get_data(as_text=True)
    assert re.findall(r'<h2 class="day-head">([^<]+)</h2>', english) == [
        "Friday, February 27, 2026",
        "Saturday, February 28, 2026",
    ]


def test_single_day_event_has_no_day_headings(alice):
    assert 'class="day-head"' not in alice.client.get("/e/zukunft/").get_data(as_text=True)


def test_wall_speaks_event_language_even_after_a_switch(app):
    from conftest import build_event

    build_event(app, slug="deutsch", language="de")
    client = app.test_client()
    client.get("/lang/en")
    assert '<html lang="en">' in client.get("/e/deutsch/").get_data(as_text=True)
    wall = client.get("/e/deutsch/wall").get_data(as_text=True)
    assert '<html lang="de">' in wall
    assert "Gesetz der zwei Füße" in wall


def test_links_after_creating_an_event_use_public_url(tmp_path):
    from conftest import make_app

    app = make_app(tmp_path, PUBLIC_URL="https://wall.example.org")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.post("/new", data=new_event_form(client), follow_redirects=True).get_data(as_text=True)
    assert '<a id="organizer-link" href="https://wall.example.org/e/zukunftskonferenz-2026/organize/' in page
    assert 'id="reach-warning"' not in page  # phones can open PUBLIC_URL
    assert '<a href="https://wall.example.org/e/zukunftskonferenz-2026/wall">' in page
    assert '<a href="https://wall.example.org/e/zukunftskonferenz-2026/">' in page


def test_created_page_warns_when_phones_cannot_open_the_join_address_and_offers_a_copy_button(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = {**new_event_form(client), "language": "en"}
    page = client.post("/new", data=form, follow_redirects=True).get_data(as_text=True)
    assert "Phones cannot open http://localhost/e/zukunftskonferenz-2026/: this address means" in page
    assert re.search(r"HOST=0\.0\.0\.0 PUBLIC_URL=http://[^:]+:5000 make run", page)
    assert re.search(
        r'<button type="button" class="button small" id="copy-organizer-link" data-copy="http://localhost/e/', page
    )
    overview = client.get("/e/zukunftskonferenz-2026/organizer").get_data(as_text=True)
    assert 'id="reach-warning"' in overview


def test_venue_entered_on_new_is_kept_and_the_short_address_is_previewed(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form_page = client.get("/new").get_data(as_text=True)
    assert "Short address (optional)" in form_page
    assert 'data-base="http://localhost"' in form_page
    assert "Phones open http://localhost/e/…/ – leave it empty to make one from the name." in form_page
    client.post("/new", data={**new_event_form(client), "venue": "Kulturhaus Ost, Saal 2"})
    wall = client.get("/api/events/zukunftskonferenz-2026/wall").get_json()
    assert wall["event"]["venue"] == "Kulturhaus Ost, Saal 2"


def test_poster_warns_on_screen_only_and_shows_the_venue(tmp_path):
    from conftest import make_app

    app = make_app(tmp_path)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post("/new", data={**new_event_form(client), "language": "en", "venue": "Kulturhaus Ost"})
    poster = client.get("/e/zukunftskonferenz-2026/poster").get_data(as_text=True)
    assert '<p class="poster-venue">Kulturhaus Ost</p>' in poster
    assert 'class="warning reach-warning"' in poster
    css = (Path(__file__).resolve().parent.parent / "static" / "css" / "app.css").read_text()
    assert re.search(r"@media print \{[^}]*\.reach-warning[^}]*display: none", css)  # never on the printed sheet


def test_listening_on_every_interface_links_name_the_lan_address(tmp_path):
    from conftest import make_app

    from openspace.views.pages import lan_address

    app = make_app(tmp_path, HOST="0.0.0.0", SERVER_NAME=None)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.environ_base["HTTP_HOST"] = "127.0.0.1:5000"  # the organizer's laptop, on itself
    assert client.post("/new", data={**new_event_form(client), "language": "en"}).status_code == 302
    poster = client.get("/e/zukunftskonferenz-2026/poster").get_data(as_text=True)
    lan = lan_address()
    if lan is None:  # a machine without a network: the links stay on the request's address, with the warning
        assert "http://127.0.0.1:5000/e/zukunftskonferenz-2026/" in poster and "reach-warning" in poster
    else:
        assert f'<p class="poster-url">http://{lan}:5000/e/zukunftskonferenz-2026/</p>' in poster
        assert "reach-warning" not in poster


def test_new_event_form_shows_every_problem_at_once_and_creates_nothing(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = {
        **new_event_form(client),
        "language": "en",
        "timezone": "Mars/Olympus",
        "rooms": "Plenum\nplenum",
        "slots": "09:00-10:00\n09:30-10:30",
    }
    response = client.post("/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    problems = re.findall(r'<p class="field-error">([^<]+)</p>', page)
    assert problems == [
        "Unknown time zone.",
        "Two rooms have the same name.",
        "Lines 1 and 2: the slots 2026-02-27 09:00–10:00 and 2026-02-27 09:30–10:30 overlap.",
    ]
    assert client.get("/e/zukunftskonferenz-2026/").status_code == 404


def test_wall_page_is_shared_by_every_viewer_and_new_with_every_revision(app, alice, bob):
    first = alice.client.get("/e/zukunft/wall").get_data(as_text=True)
    assert 'name="csrf-token"' not in first  # nothing personal: the same page for every viewer
    assert bob.client.get("/e/zukunft/wall").get_data(as_text=True) == first
    assert alice.post(topic_body(title="Frisch gepinnt")).status_code == 201
    after = bob.client.get("/e/zukunft/wall").get_data(as_text=True)
    assert "Frisch gepinnt" in after and "Frisch gepinnt" not in first
    assert re.search(r'"revision": ?1[,}]', after)
