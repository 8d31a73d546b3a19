"""The projector wall fits any event unattended, in headless Chromium against a real server.

Four wall shapes (2 × 3 up to 30 rooms × 12 slots × 3 days) on four screens (1080p, 720p, 4K, portrait 1080p):
every visible title and host lies inside the screen, no two cells overlap, titles never drop below the legible
floor (28 px per 1080 px of the screen's short side), and the slots running now and next are on every page.
The page's clock is Playwright's fake clock, set to a mid-day slot, so paging is stepped rather than waited for.
Screenshots go to test-artifacts/projector-<shape>-<size>-p<page>.png.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import make_app
from live import HttpParticipant, LiveServer
from test_browser import artifacts, browser, expect  # noqa: F401 - fixtures are used by name

from openspace.events import RoomSpec, SlotSpec, create_event
from openspace.extensions import db
from openspace.identity import Actor
from openspace.models import Event
from openspace.wall import post_topic

pytestmark = [pytest.mark.browser, pytest.mark.server]

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 2, 27)
SIZES = [(1920, 1080), (1280, 720), (3840, 2160), (1080, 1920)]
PAGE_MS = 12_000
LONG_TITLES = [
    "Datensouveränität in der öffentlichen Verwaltung und Kundenservice-Strategie",
    "Barrierefreiheit im Onlinehandel: Anforderungen des Barrierefreiheitsstärkungsgesetzes",
    "Retourenmanagement",
    "Künstliche Intelligenz in der Kundenkommunikation – Chancen, Risiken, Verantwortung",
    "Nachhaltige Verpackungslösungen für den Versandhandel",
    "Wie sieht die Zukunft des E-Commerce aus?",
]
LONG_HOSTS = [
    "Dr. Maximiliane Müller-Lüdenscheidt und Friedrich-Wilhelm Sonnenschein",
    "Ayşe Yılmaz (Kundenservice)",
    "Jan",
]


@dataclass(frozen=True)
class Shape:
    """One wall: its event's slug, the fake 'now' (a mid-day slot), and what the wall must show."""

    slug: str
    now: datetime
    current: str  # label of the slot running at `now`
    next: str  # label of the slot after it


def _slots(day: date, hours: list[int], *, lunch: int | None = None) -> list[SlotSpec]:
    """50-minute slots starting at the given hours ("Runde n"), lunch at its hour as a break."""
    slots, rounds = [], itertools.count(1)
    for hour in hours:
        start, end = datetime.combine(day, time(hour)), datetime.combine(day, time(hour, 50))
        if hour == lunch:
            slots.append(SlotSpec(start, end, "Mittagessen", is_break=True))
        else:
            slots.append(SlotSpec(start, end, f"Runde {next(rounds)}"))
    return slots


def _build(app, slug: str, *, language: str, rooms: int, slots: list[SlotSpec], venue: str | None, fill) -> None:
    """Create the event in-process and post `fill(room index, slot index, slot)` -> (title, host) or None."""
    with app.app_context():
        event, _secret = create_event(
            name=f"Wand {slug}",
            slug=slug,
            starts_on=slots[0].starts_at.date(),
            ends_on=slots[-1].starts_at.date(),
            timezone="Europe/Berlin",
            language=language,
            rooms=[RoomSpec(f"Raum {i + 1}" if i % 3 else f"Großer Saal {i + 1}", 20) for i in range(rooms)],
            slots=slots,
        )
        event.venue = venue
        db.session.commit()
        event = db.session.get(Event, event.id)
        wall_slots = sorted(event.slots, key=lambda s: s.starts_at)
        wall_rooms = sorted(event.rooms, key=lambda r: (r.position, r.id))
        for (s, slot), (r, room) in itertools.product(enumerate(wall_slots), enumerate(wall_rooms)):
            if slot.is_break:
                continue
            topic = fill(r, s, slot)
            if topic:
                data = {"title": topic[0], "host": topic[1], "room_id": room.id, "slot_id": slot.id}
                # One participant per topic: an event limits how many Anliegen one person pins.
                post_topic(event, actor=Actor(participant_key=f"fit-{r}-{s}-" + "k" * 40), data=data)


SHAPES = {
    "2x3": Shape("fit-small", datetime(2026, 2, 27, 10, 20, tzinfo=BERLIN), "Runde 2", "Runde 3"),
    "6x4": Shape("fit-workshop", datetime(2026, 2, 27, 11, 20, tzinfo=BERLIN), "Runde 3", "Mittagessen"),
    "12x8": Shape("fit-large", datetime(2026, 2, 27, 12, 20, tzinfo=BERLIN), "Runde 4", "Runde 5"),
    "30x12x3": Shape("fit-huge", datetime(2026, 2, 28, 13, 20, tzinfo=BERLIN), "Runde 6", "Runde 7"),
}


@pytest.fixture(scope="module")
def walls(tmp_path_factory):
    """A real server with the four walls, built in-process on its SQLite file before it starts."""
    path = tmp_path_factory.mktemp("fit")
    database_url = f"sqlite:///{path / 'fit.sqlite3'}"
    app = make_app(path, DATABASE_URL=database_url)
    _build(
        app,
        "fit-small",
        language="en",
        rooms=2,
        slots=_slots(DAY, [9, 10, 11]),
        venue=None,
        fill=lambda r, s, slot: ("Retouren senken", "Marek") if (r + s) % 2 == 0 else None,
    )
    _build(
        app,
        "fit-workshop",
        language="de",
        rooms=6,
        slots=_slots(DAY, [9, 10, 11, 12, 13], lunch=12),
        venue="Stadthalle Göttingen, Saal Weender Tor",
        fill=lambda r, s, slot: (LONG_TITLES[(r + s) % len(LONG_TITLES)], LONG_HOSTS[(r * 2 + s) % len(LONG_HOSTS)]),
    )
    _build(
        app,
        "fit-large",
        language="en",
        rooms=12,
        slots=_slots(DAY, list(range(9, 17))),
        venue="Messe Nord",
        fill=lambda r, s, slot: (LONG_TITLES[(r + s) % 6], LONG_HOSTS[r % 3]) if (r + s) % 4 else None,
    )
    days = [DAY + timedelta(days=d) for d in range(3)]
    _build(
        app,
        "fit-huge",
        language="de",
        rooms=30,
        slots=[s for d in days for s in _slots(d, list(range(8, 20)))],
        venue="Kongresszentrum",
        fill=lambda r, s, slot: (
            (f"{LONG_TITLES[(r + s) % 6]} ({r + 1}/{s + 1})", LONG_HOSTS[(r + s) % 3])
            if (r * 7 + s * 3) % 10 < 3
            else None
        ),
    )
    with app.app_context():
        db.engine.dispose()
    with LiveServer(database_url) as server:
        yield server


@pytest.fixture(scope="module")
def wall_pages(browser, walls):
    """One page per wall, each in its own context (the fake clock is per context) paused at its mid-day 'now'."""
    pages = {}
    contexts = []
    for name, shape in SHAPES.items():
        # Reduced motion: the screenshots show a page, not its fade-in (test_page_turn_fades_in checks the fade).
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, reduced_motion="reduce")
        contexts.append(context)
        # Measured from the embedded state alone: no live connection whose (fake-clock) reconnects re-render mid-page.
        context.route("**/socket.io/**", lambda route: route.abort())
        context.route_web_socket(re.compile(r"/socket\.io/"), lambda ws: None)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.clock.install(time=shape.now - timedelta(minutes=1))  # pause_at may not go back
        page.clock.pause_at(shape.now)
        page.goto(f"{walls.url}/e/{shape.slug}/wall")
        page.wait_for_selector("body[data-page]")
        pages[name] = (page, errors)
    yield pages
    for context in contexts:
        context.close()


MEASURE = """
() => {
  const inside = (r, box) => r.left >= box.left - 0.5 && r.top >= box.top - 0.5 && r.right <= box.right + 0.5
    && r.bottom <= box.bottom + 0.5;
  const view = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  const wrap = document.getElementById("grid-wrap").getBoundingClientRect();
  const problems = [];
  const topics = "#grid .topic-title, #grid .topic-host, #queue .topic-title, #queue .topic-host";
  for (const node of document.querySelectorAll(topics)) {
    const r = node.getBoundingClientRect();
    const box = node.closest("#grid") ? wrap : view;
    if (!inside(r, view) || !inside(r, box)) problems.push(`outside: ${node.textContent} ${JSON.stringify(r)}`);
    if (node.scrollWidth > node.clientWidth + 1) problems.push(`too wide: ${node.textContent}`);
    const cut = node.scrollHeight > node.clientHeight + 1;
    if (cut && !node.closest(".clamped")) problems.push(`cut: ${node.textContent}`);
  }
  const cells = [...document.querySelectorAll("#grid td, #grid th")].map((n) => [n, n.getBoundingClientRect()]);
  for (const [cell, box] of cells) {
    for (const part of cell.children) {
      if (!inside(part.getBoundingClientRect(), box)) problems.push(`sticks out: ${part.textContent}`);
    }
  }
  const apart = (a, b) => a.right <= b.left + 0.5 || b.right <= a.left + 0.5 || a.bottom <= b.top + 0.5
    || b.bottom <= a.top + 0.5;
  for (const [a, ra] of cells) {
    if (!inside(ra, wrap)) problems.push(`cell outside: ${a.textContent}`);
    for (const [b, rb] of cells) if (a !== b && !apart(ra, rb)) problems.push(`overlap: ${a.textContent}`);
  }
  const px = (node) => parseFloat(getComputedStyle(node).fontSize);
  const rows = [...document.querySelectorAll("#grid tbody tr")];
  return {
    problems: problems.slice(0, 10),
    titleSizes: [...document.querySelectorAll("#grid .topic-title")].map(px),
    hostSizes: [...document.querySelectorAll("#grid .topic-host")].map(px),
    slots: rows.map((row) => row.querySelector(".slot-label").textContent),
    slotIds: rows.map((row) => Number(row.dataset.slotId)),
    rooms: [...document.querySelectorAll("#grid thead th[data-room-id]")].map((th) => th.textContent),
    page: document.body.dataset.page,
    pager: getComputedStyle(document.getElementById("pager")).visibility === "hidden" ? null
      : document.getElementById("pager").textContent,
  };
}
"""


def pages_of(page, shape: Shape, label: str, artifacts, *, shots: bool) -> list[dict]:
    """Measure every page of the wall, stepping the fake clock from one page to the next."""
    seen = []
    first = page.evaluate(MEASURE)
    total = int(first["page"].split("/")[1])
    for n in range(total):
        measured = first if n == 0 else page.evaluate(MEASURE)
        seen.append(measured)
        if shots and n < (2 if page.viewport_size["width"] < 3000 else 1):
            page.screenshot(path=str(artifacts / f"projector-{label}-p{n + 1}.png"))
        if total > 1:
            page.clock.run_for(PAGE_MS)
    return seen


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_wall_fits_every_shape_on_the_screen(walls, wall_pages, artifacts, size):
    width, height = size
    floor = min(width, height) * 28 / 1080
    for name, shape in SHAPES.items():
        page, errors = wall_pages[name]
        page.set_viewport_size({"width": width, "height": height})
        expect(page.locator("body")).to_have_attribute("data-size", f"{width}x{height}")
        label = f"{name}-{width}x{height}"
        measured = pages_of(page, shape, label, artifacts, shots=True)
        total = len(measured)
        for n, m in enumerate(measured):
            where = f"{label} page {n + 1}/{total}"
            assert m["problems"] == [], where
            assert m["page"] == f"{n + 1}/{total}", where
            assert min(m["titleSizes"]) >= floor - 0.05, where
            assert min(m["hostSizes"]) >= floor * 20 / 28 - 0.05, where
            assert shape.current in m["slots"] and shape.next in m["slots"], where
            assert (m["pager"] is None) == (total == 1), where
        wall = HttpParticipant(walls.url, shape.slug).wall()
        today = {s["id"] for s in wall["slots"] if s["starts_at"][:10] == shape.now.date().isoformat()}
        assert {i for m in measured for i in m["slotIds"]} == today, label
        assert {room for m in measured for room in m["rooms"]} == {r["name"] for r in wall["rooms"]}, label
        if name in ("2x3", "6x4") and width > height:
            assert total == 1, label  # a small wall is never paged on a landscape screen
        if name == "2x3":
            assert min(measured[0]["titleSizes"]) > 1.5 * floor, label  # and its text grows into the space
        if name == "30x12x3":
            assert total > 4, label
        assert errors == []


def test_break_is_a_thin_band_and_header_names_venue_day_and_now(wall_pages):
    page, errors = wall_pages["6x4"]
    page.set_viewport_size({"width": 1920, "height": 1080})
    expect(page.locator("body")).to_have_attribute("data-size", "1920x1080")
    band = page.locator("#grid tr.break-row")
    expect(band).to_have_count(1)
    assert band.locator("td").count() == 1
    assert band.locator("td.break").get_attribute("colspan") == "6"
    assert band.locator("td.break .slot-label").inner_text() == "Mittagessen"
    assert band.locator("td.break .badge").inner_text() == "Als Nächstes"
    rows = page.locator("#grid tbody tr:not(.break-row)").evaluate_all("rows => rows.map((r) => r.offsetHeight)")
    assert band.evaluate("row => row.offsetHeight") < min(rows) / 3
    assert page.locator("#venue").inner_text() == "Stadthalle Göttingen, Saal Weender Tor"
    assert page.locator("#wall-day").inner_text() == ""  # a one-day event needs no day
    assert page.locator("#now-next").inner_text() == "Jetzt: 11:00–11:50 Runde 3 · Als Nächstes: 12:00 Mittagessen"
    assert page.locator("#grid tr.now .badge").inner_text() == "Jetzt"
    assert page.locator("#pager").is_hidden()
    url = page.locator(".join-url").evaluate(
        "n => [parseFloat(getComputedStyle(n).fontSize), getComputedStyle(n).color, getComputedStyle(n).fontWeight]"
    )
    assert url == [22.4, "rgb(0, 0, 0)", "800"]  # 0.8 of the title floor, black on white
    huge, _ = wall_pages["30x12x3"]
    assert huge.locator("#wall-day").inner_text() == "Samstag, 28. Februar 2026"
    assert re.fullmatch(r"Seite 1/\d+", huge.locator("#pager").inner_text())
    large, _ = wall_pages["12x8"]
    assert re.fullmatch(r"Page \d+ of \d+", large.locator("#pager").inner_text())
    assert errors == []


def paused_wall(browser, walls, shape: Shape, *, live: bool, **options):
    """A wall page whose clock is paused at the shape's 'now'; without `live` it never connects."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, **options)
    if not live:
        context.route_web_socket(re.compile(r"/socket\.io/"), lambda ws: None)
    page = context.new_page()
    page.clock.install(time=shape.now - timedelta(minutes=1))  # pause_at may not go back
    page.clock.pause_at(shape.now)
    page.goto(f"{walls.url}/e/{shape.slug}/wall")
    page.wait_for_selector("body[data-page]")
    return context, page


@pytest.mark.parametrize(
    ("now", "day"),
    [
        (datetime(2026, 2, 20, 9, 0, tzinfo=BERLIN), "Freitag, 27. Februar 2026"),
        (datetime(2026, 3, 1, 23, 30, tzinfo=BERLIN), "Sonntag, 1. März 2026"),
        (datetime(2026, 3, 9, 12, 0, tzinfo=BERLIN), "Sonntag, 1. März 2026"),
    ],
    ids=["before", "last-evening", "after"],
)
def test_wall_shows_first_day_before_the_event_and_last_day_after_it(browser, walls, now, day):
    context, page = paused_wall(browser, walls, Shape("fit-huge", now, "", ""), live=False)
    assert page.locator("#wall-day").inner_text() == day
    assert page.locator("#now-next").inner_text() == ("Als Nächstes: 08:00 Runde 1" if now.day == 20 else "")
    context.close()


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_page_turn_fades_in_unless_motion_is_reduced(browser, walls, motion):
    context, page = paused_wall(browser, walls, SHAPES["12x8"], live=False, reduced_motion=motion)
    assert page.locator("#grid tbody").evaluate("n => getComputedStyle(n).animationName") == "none"
    total = int(page.locator("body").get_attribute("data-page").split("/")[1])
    page.clock.run_for(PAGE_MS)
    expect(page.locator("body")).to_have_attribute("data-page", f"2/{total}")
    animation = page.locator("#grid tbody").evaluate("n => getComputedStyle(n).animationName")
    assert animation == ("none" if motion == "reduce" else "page-in")
    context.close()


def test_paging_keeps_its_page_through_live_updates(browser, walls):
    """A topic arriving live re-renders the wall on the page it showed; the next page follows on the timer."""
    shape = SHAPES["30x12x3"]
    context, page = paused_wall(browser, walls, shape, live=True)
    total = int(page.locator("body").get_attribute("data-page").split("/")[1])
    # The fake clock's jump outlasts the server's ping timeout, so the wall also reconnects (and re-renders) here.
    page.clock.run_for(PAGE_MS)
    expect(page.locator("body")).to_have_attribute("data-page", f"2/{total}")
    page.wait_for_selector('#status[data-state="live"]')
    before = page.evaluate(MEASURE)
    assert before["page"] == f"2/{total}"
    person = HttpParticipant(walls.url, shape.slug)
    wall = person.wall()
    room = next(r for r in wall["rooms"] if r["name"] == before["rooms"][0])
    taken = {(t["room_id"], t["slot_id"]) for t in wall["topics"]}
    slot = next(i for i in before["slotIds"] if (room["id"], i) not in taken)
    posted = person.post({"title": "Live dazugekommen", "host": "Ada", "room_id": room["id"], "slot_id": slot})
    assert posted.status_code == 201
    expect(page.locator("body")).to_have_attribute("data-revision", str(person.wall()["revision"]))
    after = page.evaluate(MEASURE)
    assert after["page"] == f"2/{total}"
    assert (after["rooms"], after["slotIds"]) == (before["rooms"], before["slotIds"])
    expect(page.locator("#grid td.fresh .topic-title")).to_have_text("Live dazugekommen")
    assert page.locator("#grid tbody").evaluate("n => getComputedStyle(n).animationName") == "none"
    page.clock.run_for(PAGE_MS)
    expect(page.locator("body")).to_have_attribute("data-page", f"3/{total}")
    context.close()


def test_last_resort_hyphens_fall_between_syllables(wall_pages):
    """Where the browser cannot hyphenate, long words get soft hyphens at syllable-like places, not anywhere."""
    page, _ = wall_pages["6x4"]
    words = [
        "Datensouveränität",
        "Barrierefreiheitsstärkungsgesetzes",
        "Verpackungslösungen",
        "Retouren",
        "(Kundenservice)",
    ]
    split = page.evaluate(
        "async (words) => { const m = await import('/static/js/hyphenate.js');"
        " return words.map((w) => m.softHyphenate(w).split('\\u00ad')); }",
        words,
    )
    assert split == [
        ["Daten", "sou", "ve", "rä", "ni", "tät"],
        ["Bar", "rie", "re", "frei", "heits", "stär", "kungs", "ge", "set", "zes"],
        ["Ver", "pa", "ckungs", "lö", "sun", "gen"],
        ["Retou", "ren"],
        ["(Kun", "den", "ser", "vi", "ce)"],
    ]
