"""Interest badges off the phone: on the moderation grid (cells and tray), the topic page and the projector's queue."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from live import HttpParticipant, cli
from test_a11y import axe_violations
from test_browser import (  # noqa: F401 - fixtures are used by name
    DESKTOP,
    LIVE_UPDATE_TIMEOUT_MS,
    PHONE,
    PHONE_360,
    browser,
    expect,
    site,
    wait_live,
    watch,
)
from test_browser_grid import drag

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = Path("/tmp/shots/badges")
LAPTOP = {"viewport": {"width": 1280, "height": 800}}
_slugs = itertools.count(1)


class Board:
    """A German event (the UI speaks the event's language) with an organizer over HTTP who posts the topics."""

    def __init__(self, site, *, rooms: int = 3, slots: int = 2) -> None:
        self.site = site
        self.slug = f"badges{next(_slugs)}"
        output = cli(
            site.database_url,
            "create-event",
            f"--name=Abzeichen {self.slug}",
            f"--slug={self.slug}",
            "--starts-on=2026-02-27",
            "--language=de",
            *[f"--room=Raum {i + 1} | 20" for i in range(rooms)],
            *[f"--slot={8 + i:02d}:00-{8 + i:02d}:50 Runde {i + 1}" for i in range(slots)],
        )
        self.organizer_path = re.search(r"(/e/[^/\s]+/organize/\S+)", output).group(1)
        self.orga = HttpParticipant(site.url, self.slug)
        assert self.orga.http.get(f"{site.url}{self.organizer_path}", timeout=10).status_code == 200
        wall = self.orga.wall()
        self.rooms = [room["id"] for room in wall["rooms"]]
        self.slots = [slot["id"] for slot in wall["slots"]]

    def post(self, title: str, cell: tuple[int, int] | None, host: str = "Ada") -> int:
        room, slot = cell if cell else (None, None)
        answer = self.orga.post({"title": title, "host": host, "room_id": room, "slot_id": slot})
        assert answer.status_code == 201, answer.text
        return answer.json()["topic"]["id"]

    def cell(self, room: int, slot: int) -> tuple[int, int]:
        return self.rooms[room], self.slots[slot]

    def grid(self, watch, **options):
        page = watch.page(f"{self.site.url}{self.organizer_path}", **{**LAPTOP, **options})
        page.goto(f"{self.site.url}/e/{self.slug}/organizer/grid")
        wait_live(page)
        return page

    def place_of(self, topic_id: int) -> tuple[int | None, int | None]:
        topic = next(t for t in self.orga.wall()["topics"] if t["id"] == topic_id)
        return topic["room_id"], topic["slot_id"]


def mark(board: Board, topic_id: int, *, on: bool = True) -> HttpParticipant:
    """One more participant marks the topic over HTTP (or takes an own mark back); returns that participant."""
    person = HttpParticipant(board.site.url, board.slug)
    set_mark(person, topic_id, on=on)
    return person


def set_mark(person: HttpParticipant, topic_id: int, *, on: bool) -> None:
    answer = person.http.request(
        "POST" if on else "DELETE",
        f"{person.base}/api/events/{person.slug}/topics/{topic_id}/interest",
        headers={"X-CSRFToken": person.csrf},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def grid_card(page, topic_id: int):
    """The topic's card on the grid or in the tray (not the copy that follows the pointer during a drag)."""
    return page.locator(f'.grid-layout .topic-card[data-topic-id="{topic_id}"]:not(.drag-moving)')


def test_grid_tray_and_projector_queue_show_a_phones_mark_live_and_drop_it_again(site, watch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    board = Board(site)
    placed = board.post("Retouren senken", board.cell(0, 0))
    waiting = board.post("Lastenrad teilen", None, host="Marek")
    board.post("KI im Kundendienst", board.cell(1, 1), host="Jonas")
    grid = board.grid(watch, bypass_csp=True)  # axe is added as an inline script
    projector = watch.desktop(f"{site.url}/e/{board.slug}/wall")
    wait_live(projector)
    phone = watch.phone(f"{site.url}/e/{board.slug}/", **PHONE_360)
    wait_live(phone)
    expect(grid.locator(".interest-count")).to_have_count(0)
    expect(grid_card(grid, waiting).locator(".topic-title")).to_have_text("Lastenrad teilen")
    # Counts patch the cards: the same elements stay (a re-render would drop these marks).
    grid.evaluate("document.querySelectorAll('.topic-card').forEach((card) => { card.dataset.probe = 'same'; })")

    for topic_id in (placed, waiting):
        toggle = phone.locator(f'button[data-interest="{topic_id}"]')
        expect(toggle).to_have_text("☆ Interessiert mich")
        toggle.tap()
        expect(toggle).to_have_attribute("aria-pressed", "true")

    expect(grid_card(grid, placed).locator(".interest-count")).to_have_text(
        "1 interessiert", timeout=LIVE_UPDATE_TIMEOUT_MS
    )
    expect(grid.locator("#tray .interest-count")).to_have_text("1 interessiert", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(grid.locator(".interest-count")).to_have_count(2)
    expect(grid.locator('.topic-card[data-probe="same"]')).to_have_count(3)
    expect(projector.locator("#queue .interest-count")).to_have_text("1 interessiert", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(projector.locator("#queue li .topic-title")).to_have_text(["Lastenrad teilen"])
    grid.screenshot(path=str(SHOTS / "grid-1280.png"))
    projector.screenshot(path=str(SHOTS / "projector-queue-1920.png"))
    assert axe_violations(grid) == []

    for topic_id in (placed, waiting):
        phone.locator(f'button[data-interest="{topic_id}"]').tap()
        expect(phone.locator(f'button[data-interest="{topic_id}"]')).to_have_attribute("aria-pressed", "false")
    expect(grid.locator(".interest-count")).to_have_count(0, timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(projector.locator("#queue .interest-count")).to_have_count(0, timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(grid.locator('.topic-card[data-probe="same"]')).to_have_count(3)
    watch.assert_clean()


def test_a_count_during_a_drag_or_with_the_menu_open_changes_only_the_badge(site, watch):
    board = Board(site)
    dragged = board.post("Retouren senken", board.cell(0, 0))
    menued = board.post("Lastenrad teilen", board.cell(1, 0), host="Marek")
    grid = board.grid(watch)
    target = board.cell(2, 1)

    def count_arrives(page) -> None:
        mark(board, dragged)
        mark(board, dragged)
        ghost = page.locator(f'.topic-card.drag-ghost[data-topic-id="{dragged}"] .interest-count')
        expect(ghost).to_have_text("2 interessiert", timeout=LIVE_UPDATE_TIMEOUT_MS)
        assert page.evaluate("document.body.classList.contains('dragging')")

    cell = grid.locator(f'#mgrid .cell-drop[data-room-id="{target[0]}"][data-slot-id="{target[1]}"]')
    drag(grid, grid_card(grid, dragged), cell, hold=count_arrives)
    expect(cell.locator(".topic-title")).to_have_text("Retouren senken", timeout=LIVE_UPDATE_TIMEOUT_MS)
    assert board.place_of(dragged) == target
    expect(cell.locator(".interest-count")).to_have_text("2 interessiert")

    grid_card(grid, menued).locator("button.card-menu").click()
    grid.get_by_role("button", name="Verschieben nach…").click()
    select = grid.locator("#menu-select")
    expect(select).to_be_focused()
    chosen = select.locator("option").nth(2).get_attribute("value")
    select.select_option(chosen)
    mark(board, menued)
    expect(grid_card(grid, menued).locator(".interest-count")).to_have_text(
        "1 interessiert", timeout=LIVE_UPDATE_TIMEOUT_MS
    )
    expect(grid.locator("#topic-menu")).to_have_attribute("open", "")
    expect(select).to_be_focused()
    expect(select).to_have_value(chosen)
    grid.keyboard.press("Escape")
    expect(grid_card(grid, menued).locator("button.card-menu")).to_be_focused()
    watch.assert_clean()


def test_topic_page_shows_its_count_live(site, watch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    board = Board(site)
    topic_id = board.post("Retouren senken", board.cell(0, 0), host="Marek")
    page = watch.phone(f"{site.url}/e/{board.slug}/t/{topic_id}", bypass_csp=True, **PHONE_360)
    wait_live(page)
    interest = page.locator("#t-interest")
    expect(interest).to_be_hidden()

    first = mark(board, topic_id)
    expect(interest).to_have_text("1 interessiert", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(interest).to_be_visible()
    for _ in range(2):
        mark(board, topic_id)
    expect(interest).to_have_text("3 interessiert", timeout=LIVE_UPDATE_TIMEOUT_MS)
    served = board.orga.http.get(f"{site.url}/e/{board.slug}/t/{topic_id}", timeout=10).text  # before any socket
    assert '<span class="interest-count" data-interest="3">3 interessiert</span>' in served
    page.screenshot(path=str(SHOTS / "topic-360.png"))
    assert axe_violations(page) == []

    set_mark(first, topic_id, on=False)
    expect(interest).to_have_text("2 interessiert", timeout=LIVE_UPDATE_TIMEOUT_MS)
    watch.assert_clean()


def test_a_full_wall_with_counts_stays_quiet_on_a_laptop(site, watch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    board = Board(site, rooms=30, slots=12)
    titles = ["Retouren senken", "Nachhaltiger Versand mit wenig Verpackung", "KI im Kundendienst", "Lastenrad teilen"]
    topics = [board.post(f"{titles[i // 2 % 4]} {i + 1}", board.cell(i % 6, i // 6)) for i in range(24)]
    queued = [board.post(f"Wartet auf Platz {i + 1}", None) for i in range(3)]
    people = itertools.cycle([HttpParticipant(site.url, board.slug) for _ in range(12)])  # each under its tap limit
    for n, topic_id in enumerate(topics[::2] + queued[:1]):
        for person in itertools.islice(people, 1 + n % 12):
            set_mark(person, topic_id, on=True)
    grid = board.grid(watch)
    expect(grid_card(grid, topics[0]).locator(".interest-count")).to_have_text("1 interessiert")
    expect(grid_card(grid, topics[22]).locator(".interest-count")).to_have_text("12 interessiert")
    expect(grid_card(grid, queued[0]).locator(".interest-count")).to_have_text("1 interessiert")
    # The badge sits beside the menu button: a card with one is barely taller than the same card without.
    with_badge = grid_card(grid, topics[0]).bounding_box()["height"]
    without = grid_card(grid, topics[1]).bounding_box()["height"]
    assert with_badge - without <= 4, (with_badge, without)
    assert grid.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [1280, 800]
    grid.screenshot(path=str(SHOTS / "grid-30x12-1280.png"))
    watch.assert_clean()
