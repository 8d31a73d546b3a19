"""The topic page and the organizer's printables: rights, exact content, and real PDFs (few renders: they cost)."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from datetime import datetime, time
from html import unescape

import pytest
from conftest import DAY, Organizer, Participant, build_event, make_app, topic_body

from openspace.events import RoomSpec, SlotSpec, create_event
from openspace.extensions import db
from openspace.models import Topic
from openspace.pdfworker import STATIC, local_fetcher, qr_svg

PRINTABLES = [
    "print/poster",
    "print/poster.pdf",
    "print/poster?size=a3",
    "print/doors",
    "print/doors.pdf",
    "print/topics",
    "print/topics.pdf",
    "print/topics/{id}",
    "print/topics/{id}.pdf",
]
A3 = "841.89 x 1190.55 pts (A3)"
A4 = "595.276 x 841.89 pts (A4)"


def texts(html: bytes, css_class: str) -> list[str]:
    """The text of every element whose class list starts with `css_class`, tags removed, whitespace joined."""
    found = re.findall(rf'class="{css_class}[" ][^>]*>(.*?)</(?:span|p|h1|th|td|a)>', html.decode(), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()) for text in found]


def page_data(html: bytes) -> dict:
    return json.loads(re.search(rb'<script type="application/json" id="page-data">(.*?)</script>', html).group(1))


def festival(app, slug="fest"):
    """An event with a located room, a lunch break and two one-hour sessions; returns (slug, organizer secret)."""
    with app.app_context():
        event, secret = create_event(
            name="Sommerfest",
            slug=slug,
            starts_on=DAY,
            ends_on=None,
            timezone="Europe/Berlin",
            language="en",
            rooms=[RoomSpec("Saal", 40, "Erdgeschoss links"), RoomSpec("Küche", 8)],
            slots=[
                SlotSpec(datetime.combine(DAY, time(10)), datetime.combine(DAY, time(11)), "Runde 1"),
                SlotSpec(datetime.combine(DAY, time(11)), datetime.combine(DAY, time(12)), "Mittag", is_break=True),
                SlotSpec(datetime.combine(DAY, time(12)), datetime.combine(DAY, time(13)), "Runde 2"),
            ],
        )
        return event.slug, secret


def stored(app, topic_id, **fields):
    """Change a topic straight in the database (as an import or an older version may have left it)."""
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        for name, value in fields.items():
            setattr(topic, name, value)
        topic.event.revision += 1  # what every change does: the wall's snapshot is built anew
        db.session.commit()


def seed_fest(app):
    """The festival with three topics: Saal 10:00, Küche 12:00 (with co-hosts), one unplaced."""
    slug, secret = festival(app)
    host = Participant(app, slug)
    saal, kueche, unplaced = (
        host.post(topic_body("Retouren senken", "Marek", room_id=1, slot_id=1, goal="Drei Maßnahmen")),
        host.post(topic_body("Lastenrad teilen", "Ines", room_id=2, slot_id=3, context="Seit 2024")),
        host.post(topic_body("Noch ohne Ort", "Jo", room_id=None, slot_id=None)),
    )
    ids = [r.get_json()["topic"]["id"] for r in (saal, kueche, unplaced)]
    stored(app, ids[1], cohosts=["Tom", "Ada"])
    return slug, Organizer(app, slug, secret), host, ids


@pytest.fixture
def fest(app):
    return seed_fest(app)


# --------------------------------------------------------------------------- rights


def test_printables_refuse_participants_and_outsiders(app, fest):
    slug, _organizer, host, ids = fest
    other_slug, other_secret = build_event(app, slug="andere")
    outsiders = {
        "participant": host.client,
        "outsider": app.test_client(),
        "organizer of another event": Organizer(app, other_slug, other_secret).client,
    }
    answers = {
        (who, path): client.get(f"/e/{slug}/" + path.format(id=ids[0])).status_code
        for who, client in outsiders.items()
        for path in PRINTABLES
    }
    assert answers == {key: 403 for key in answers}


def test_printables_answer_404_for_unknown_and_foreign_topics(app, fest):
    slug, organizer, _host, ids = fest
    other_slug, other_secret = build_event(app, slug="andere")
    foreign = (
        Participant(app, other_slug).post(topic_body("Fremd", room_id=None, slot_id=None)).get_json()["topic"]["id"]
    )
    organizer.delete(ids[2])
    paths = [f"print/topics/{n}{ext}" for n in (999, foreign, ids[2]) for ext in ("", ".pdf")]
    paths += [f"t/{n}{tail}" for n in (999, foreign) for tail in ("", "/qr.svg")]
    assert {p: organizer.client.get(f"/e/{slug}/{p}").status_code for p in paths} == {p: 404 for p in paths}
    assert Organizer(app, other_slug, other_secret).client.get(f"/e/andere/t/{foreign}").status_code == 200


def test_printables_refuse_unknown_paper_size_and_day(app, fest):
    slug, organizer, _host, _ids = fest
    assert organizer.client.get(f"/e/{slug}/print/poster?size=b5").status_code == 400
    assert organizer.client.get(f"/e/{slug}/print/doors?day=2026-02-28").status_code == 404
    assert organizer.client.get(f"/e/{slug}/print/doors?day=gestern").status_code == 404
    shown = organizer.client.get(f"/e/{slug}/print/doors?day=2026-02-27")
    assert (shown.status_code, shown.headers["Cache-Control"]) == (200, "no-store")


# --------------------------------------------------------------------------- HTML content


def test_door_signs_show_each_rooms_day_with_breaks_topics_and_hosts(app, fest):
    slug, organizer, _host, _ids = fest
    html = organizer.client.get(f"/e/{slug}/print/doors").data
    assert texts(html, "door-room") == ["Saal", "Küche"]
    assert texts(html, "door-location") == ["Erdgeschoss links"]
    assert texts(html, "door-day") == ["Sommerfest · Friday, February 27, 2026"] * 2
    assert texts(html, "door-clock") == ["10:00–11:00", "11:00–12:00", "12:00–13:00"] * 2
    assert texts(html, "door-label") == ["Runde 1", "Runde 2"] * 2
    assert texts(html, "door-break-label") == ["Mittag", "Mittag"]
    assert texts(html, "door-title") == ["Retouren senken", "Lastenrad teilen"]
    assert texts(html, "door-hosts") == ["Marek", "Ines, Tom, Ada"]
    assert texts(html, "door-open") == ["free – pin a topic from your phone"] * 2
    rooms = re.findall(rb'data-room-id="(\d+)"', html)
    assert len(rooms) == 2  # each sign's QR opens its room's check-in page
    for room in rooms:
        assert f'src="/e/fest/r/{room.decode()}/qr.svg"'.encode() in html
        assert f'data-url="http://localhost/e/fest/r/{room.decode()}"'.encode() in html


def test_topic_sheets_show_place_hosts_text_and_a_qr_to_the_topic_page(app, fest):
    slug, organizer, _host, ids = fest
    html = organizer.client.get(f"/e/{slug}/print/topics").data
    assert texts(html, "sheet-title") == ["Retouren senken", "Lastenrad teilen", "Noch ohne Ort"]
    assert texts(html, "sheet-room") == ["Saal", "Küche", "Not placed yet"]
    assert texts(html, "sheet-time") == ["10:00–11:00", "12:00–13:00"]
    assert texts(html, "sheet-label") == ["Host:", "Hosts:", "Host:"]
    assert texts(html, "sheet-names") == ["Marek", "Ines, Tom, Ada", "Jo"]
    urls = [f"http://localhost/e/fest/t/{n}" for n in ids]
    assert texts(html, "sheet-url") == urls
    assert re.findall(rb'<a href="([^"]+)"><img class="sheet-qr"', html) == [u.encode() for u in urls]
    qr_paths = [f"/e/fest/t/{n}/qr.svg" for n in ids]
    assert re.findall(rb'class="sheet-qr" src="([^"]+)"', html) == [p.encode() for p in qr_paths]
    drawn = organizer.client.get(qr_paths[1])
    assert (drawn.status_code, drawn.mimetype, drawn.data[:5]) == (200, "image/svg+xml", b"<?xml")
    one = organizer.client.get(f"/e/{slug}/print/topics/{ids[1]}").data
    assert texts(one, "sheet-title") == ["Lastenrad teilen"]
    assert f'alt="QR code of this topic: {urls[1]}"'.encode() in one


def test_poster_printable_carries_the_join_qr_in_both_sizes(app, fest):
    slug, organizer, _host, _ids = fest
    a4, a3 = (organizer.client.get(f"/e/{slug}/print/poster?size={s}").data for s in ("a4", "a3"))
    assert b'<body class="print size-a4">' in a4 and b'<body class="print size-a3">' in a3
    for html in (a4, a3):
        assert texts(html, "poster-url") == ["http://localhost/e/fest/"]
        assert b'class="poster-qr" src="/e/fest/qr.svg"' in html


def test_markup_in_titles_is_printed_as_text(app, fest):
    slug, organizer, _host, ids = fest
    stored(app, ids[0], title="<script>alert(1)</script>", host="<b>Marek</b>")
    pages = [f"print/topics/{ids[0]}", "print/topics", "print/doors", f"t/{ids[0]}"]
    for path in pages:
        html = organizer.client.get(f"/e/{slug}/{path}").data
        assert b"<script>alert" not in html and b"<b>Marek" not in html, path
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


def test_organizer_overview_links_every_printable(app, fest):
    slug, organizer, _host, _ids = fest
    html = organizer.client.get(f"/e/{slug}/organizer").data.decode()
    links = re.findall(r'href="(/e/fest/print/[^"]*)"', html)
    assert links == [
        "/e/fest/print/poster?size=a4",
        "/e/fest/print/poster.pdf?size=a4",
        "/e/fest/print/poster?size=a3",
        "/e/fest/print/poster.pdf?size=a3",
        "/e/fest/print/doors",
        "/e/fest/print/doors.pdf",
        "/e/fest/print/topics",
        "/e/fest/print/topics.pdf",
    ]


# --------------------------------------------------------------------------- the topic page


def test_topic_page_shows_place_time_hosts_and_text(app, fest):
    slug, _organizer, host, ids = fest
    html = host.client.get(f"/e/{slug}/t/{ids[1]}").data
    assert texts(html, "where-room") == ["Küche"]
    assert texts(html, "where-time") == ["12:00–13:00"]
    assert texts(html, "topic-heading") == ["Lastenrad teilen"]
    assert re.search(rb'id="t-hosts"[^>]*>Ines, Tom, Ada<', html)
    assert re.search(rb'id="t-context"[^>]*>Seit 2024<', html)
    assert re.search(rb'id="withdrawn-notice" role="status" hidden>', html)
    saal = host.client.get(f"/e/{slug}/t/{ids[0]}").data
    assert texts(saal, "where-location") == ["Erdgeschoss links"]
    assert texts(host.client.get(f"/e/{slug}/t/{ids[2]}").data, "where-room") == ["Not placed yet"]


def test_topic_page_lets_only_its_host_and_organizers_edit(app, fest):
    slug, organizer, host, ids = fest
    other = Participant(app, slug)
    flags = {
        who: {k: page_data(c.client.get(f"/e/{slug}/t/{ids[0]}").data)[k] for k in ("mine", "organizer")}
        for who, c in (("host", host), ("other", other), ("organizer", organizer))
    }
    assert flags == {
        "host": {"mine": True, "organizer": False},
        "other": {"mine": False, "organizer": False},
        "organizer": {"mine": False, "organizer": True},
    }
    assert other.patch(ids[0], {"title": "Gekapert"}).status_code == 403
    assert host.patch(ids[0], {"title": "Retouren halbieren"}).status_code == 200
    assert texts(other.client.get(f"/e/{slug}/t/{ids[0]}").data, "topic-heading") == ["Retouren halbieren"]


def test_withdrawn_topic_page_says_so_and_pending_ones_are_not_found(app, fest):
    slug, _organizer, host, ids = fest
    assert host.delete(ids[0]).status_code == 200
    gone = host.client.get(f"/e/{slug}/t/{ids[0]}")
    assert gone.status_code == 410
    assert texts(gone.data, "notice withdrawn-notice") == ["This topic was withdrawn from the wall."]
    assert b"Retouren senken" not in gone.data
    stored(app, ids[1], status="pending", room_id=None, slot_id=None)
    assert host.client.get(f"/e/{slug}/t/{ids[1]}").status_code == 404


def test_phone_list_links_each_topic_title_to_its_page(app, fest):
    slug, _organizer, host, ids = fest
    html = host.client.get(f"/e/{slug}/").data.decode()
    assert re.findall(r'<a class="topic-title" href="([^"]+)"', html) == [f"/e/fest/t/{n}" for n in ids]


# --------------------------------------------------------------------------- PDFs (a few real renders)


@pytest.fixture
def pdf_app(tmp_path):
    """SQLite only: the PDF worker does not care which database the page came from, and renders are slow."""
    for tool in ("pdfinfo", "pdftotext", "pdftoppm"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} (poppler-utils) is not installed")
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


def pdf_facts(tmp_path, data: bytes) -> tuple[str, str, str]:
    """(pages, page size, text) of a PDF as poppler reads it."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return fields["Pages"].strip(), fields["Page size"].strip(), " ".join(text.split())


def test_topic_sheets_pdf_has_one_a3_page_per_topic_and_a_readable_qr(pdf_app, tmp_path):
    slug, organizer, _host, ids = seed_fest(pdf_app)
    answer = organizer.client.get(f"/e/{slug}/print/topics.pdf")
    assert (answer.status_code, answer.mimetype) == (200, "application/pdf")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="fest-topics.pdf"'
    assert answer.data.startswith(b"%PDF")
    pages, size, text = pdf_facts(tmp_path, answer.data)
    assert (pages, size) == ("3", A3)
    assert [text.index(t) for t in ("Retouren senken", "Lastenrad teilen", "Noch ohne Ort")] == sorted(
        text.index(t) for t in ("Retouren senken", "Lastenrad teilen", "Noch ohne Ort")
    )
    assert "Hosts: Ines, Tom, Ada" in text and "12:00–13:00" in text
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "2", "-l", "2", "-png", str(tmp_path / "sheet.pdf"), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    assert [c.text for c in zxingcpp.read_barcodes(image)] == [f"http://localhost/e/fest/t/{ids[1]}"]


def test_door_signs_and_poster_pdfs_are_a4_and_a3(pdf_app, tmp_path):
    slug, organizer, _host, _ids = seed_fest(pdf_app)
    doors = organizer.client.get(f"/e/{slug}/print/doors.pdf?day=2026-02-27")
    assert doors.headers["Content-Disposition"] == 'attachment; filename="fest-doors-2026-02-27.pdf"'
    pages, size, text = pdf_facts(tmp_path, doors.data)
    assert (pages, size) == ("2", A4)
    assert ["Saal" in text, "Küche" in text, "Mittag" in text, "Ines, Tom, Ada" in text] == [True] * 4
    poster = organizer.client.get(f"/e/{slug}/print/poster.pdf?size=a3")
    assert poster.headers["Content-Disposition"] == 'attachment; filename="fest-poster-a3.pdf"'
    pages, size, text = pdf_facts(tmp_path, poster.data)
    assert (pages, size) == ("1", A3)
    assert "Sommerfest" in text and "http://localhost/e/fest/" in text


def test_pdf_answers_503_with_the_install_hint_when_weasyprint_cannot_load(tmp_path):
    broken = tmp_path / "broken"
    (broken / "weasyprint").mkdir(parents=True)
    (broken / "weasyprint" / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file\")\n"
    )
    app = make_app(tmp_path, PDF_WORKER_ENV={"PYTHONPATH": str(broken)})
    slug, organizer, _host, ids = seed_fest(app)
    answer = organizer.client.get(f"/e/{slug}/print/topics/{ids[0]}.pdf")
    assert answer.status_code == 503
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in answer.get_data(as_text=True)
    assert organizer.client.get(f"/e/{slug}/print/topics/{ids[0]}").status_code == 200


def test_app_starts_with_one_warning_when_pango_is_missing(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr("openspace.pdf.support_problem", lambda: "Pango is missing (pango-1.0)")
    with caplog.at_level(logging.WARNING, logger="openspace.pdf"):
        app = make_app(tmp_path)
    assert [r.getMessage() for r in caplog.records] == [
        "PDF printables are off: Pango is missing (pango-1.0). "
        "Install with: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    ]
    slug, organizer, _host, _ids = seed_fest(app)
    answer = organizer.client.get(f"/e/{slug}/print/doors.pdf")
    assert answer.status_code == 503 and "libpangoft2-1.0-0" in answer.get_data(as_text=True)
    assert organizer.client.get(f"/e/{slug}/print/doors").status_code == 200


def test_pdf_worker_fetches_local_static_files_data_and_its_qr_codes_only():
    pytest.importorskip("weasyprint")
    fetch = local_fetcher("http://printables.invalid/", {"/e/fest/t/1/qr.svg": "http://localhost/e/fest/t/1"}).fetch
    assert fetch("http://printables.invalid/e/fest/t/1/qr.svg").read() == qr_svg("http://localhost/e/fest/t/1")
    css = fetch("http://printables.invalid/static/css/print.css")
    assert css.read() == (STATIC / "css" / "print.css").read_bytes()
    assert fetch("data:text/plain;base64,aGFsbG8=").read() == b"hallo"
    refused = [
        "http://example.org/static/css/print.css",
        "https://printables.invalid/static/css/print.css",
        "http://printables.invalid/static/../openspace/config.py",
        "http://printables.invalid/static/%2e%2e/openspace/config.py",
        "http://printables.invalid/e/fest/qr.svg",
        "http://example.org/e/fest/t/1/qr.svg",
        "file:///etc/passwd",
    ]
    for url in refused:
        with pytest.raises(ValueError):
            fetch(url)


def test_pdf_that_takes_longer_than_pdf_timeout_is_a_503_and_its_worker_is_stopped(tmp_path):
    app = make_app(tmp_path, PDF_TIMEOUT=0.05)
    slug, organizer, _host, _ids = seed_fest(app)
    answer = organizer.client.get(f"/e/{slug}/print/topics.pdf")
    assert answer.status_code == 503
    assert "Making the PDF took longer than 0.05 s. Please try again." in answer.get_data(as_text=True)
    assert app.extensions["openspace.pdf"].places.acquire(blocking=False)  # its place was given back
