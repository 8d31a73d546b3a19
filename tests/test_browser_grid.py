"""The organizers' moderation grid in Chromium: drag and drop, the keyboard menu, undo, refusals, axe, layout."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from live import HttpParticipant, cli
from test_a11y import axe_violations
from test_browser import LIVE, artifacts, browser, expect, site, wait_live, wall_cell, watch  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.server]
_slugs = itertools.count(1)
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
FULL_HD = {"viewport": {"width": 1920, "height": 1080}}


class Grid:
    """An event with three rooms, three round slots and a lunch break; an organizer over HTTP; helpers."""

    def __init__(self, site) -> None:
        self.slug = f"grid{next(_slugs)}"
        output = cli(
            site.database_url,
            "create-event",
            f"--name=Raster {self.slug}",
            f"--slug={self.slug}",
            "--starts-on=2026-02-27",
            "--language=en",
            "--room=Raum 1",
            "--room=Raum 2",
            "--room=Raum 3",
            "--slot=09:00-09:50 Runde 1",
            "--slot=10:00-10:50 Runde 2",
            "--slot=11:00-12:00 Mittagessen [Pause]",
            "--slot=12:00-12:50 Runde 3",
        )
        self.site = site
        self.organizer_path = re.search(r"(/e/[^/\s]+/organize/\S+)", output).group(1)
        self.orga = HttpParticipant(site.url, self.slug)
        assert self.orga.http.get(f"{site.url}{self.organizer_path}", timeout=10).status_code == 200
        wall = self.orga.wall()
        self.rooms = [room["id"] for room in wall["rooms"]]
        self.slots = [slot["id"] for slot in wall["slots"] if not slot["is_break"]]

    def post(self, title: str, cell: tuple[int, int] | None) -> int:
        room, slot = cell if cell else (None, None)
        answer = self.orga.post({"title": title, "host": "Ada", "room_id": room, "slot_id": slot})
        assert answer.status_code == 201, answer.text
        return answer.json()["topic"]["id"]

    def cell(self, room: int, slot: int) -> tuple[int, int]:
        """(room id, slot id) by position: room 0..2, round 0..2."""
        return self.rooms[room], self.slots[slot]

    def places(self) -> dict[str, tuple[int | None, int | None]]:
        """Every live topic's cell by title, from the API."""
        return {t["title"]: (t["room_id"], t["slot_id"]) for t in self.orga.wall()["topics"]}

    def wait_places(self, expected: dict, timeout: float = 8) -> None:
        deadline = time.monotonic() + timeout
        while self.places() != expected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.places() == expected

    def open(self, watch, **options):
        page = watch.page(f"{self.site.url}{self.organizer_path}", **{**LAPTOP, **options})
        page.goto(f"{self.site.url}/e/{self.slug}/organizer/grid")
        wait_live(page)
        return page

    def call(self, path: str) -> dict:
        answer = self.orga.http.post(
            f"{self.site.url}/api/events/{self.slug}/{path}", headers={"X-CSRFToken": self.orga.csrf}, timeout=10
        )
        return answer.json()


def drop_cell(page, cell: tuple[int, int]):
    return page.locator(f'#mgrid .cell-drop[data-room-id="{cell[0]}"][data-slot-id="{cell[1]}"]')


def card(page, title: str):
    return page.locator(".topic-card", has=page.locator(".topic-title", has_text=re.compile(f"^{re.escape(title)}$")))


def drag(page, source, target, *, hold=None) -> None:
    """Drag `source` onto the middle of `target` with the mouse; `hold(page)` runs before the button is let go."""
    start = source.locator(".topic-title").bounding_box()
    end = target.bounding_box()
    x, y = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(start["x"] + 10, start["y"] + 6)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 16, steps=4)
    page.mouse.move(x, y, steps=15)
    page.mouse.move(x + 3, y + 3, steps=3)
    if hold:
        hold(page)
    page.mouse.up()


def test_dragging_moves_swaps_places_and_unplaces_and_the_projector_follows_live(site, watch, artifacts):
    grid = Grid(site)
    a = grid.cell(0, 0)
    b = grid.cell(1, 0)
    grid.post("Erstes", a)
    grid.post("Zweites", b)
    grid.post("Wartendes", None)
    page = grid.open(watch)
    projector = watch.desktop(f"{site.url}/e/{grid.slug}/wall")
    wait_live(projector)

    free = grid.cell(2, 1)
    drag(page, card(page, "Erstes"), drop_cell(page, free))
    grid.wait_places({"Erstes": free, "Zweites": b, "Wartendes": (None, None)})
    expect(wall_cell(projector, *free).locator(".topic-title")).to_have_text("Erstes")
    expect(wall_cell(projector, *a)).to_have_class("free")
    expect(drop_cell(page, free).locator(".topic-title")).to_have_text("Erstes")
    expect(page.locator("#grid-message")).to_have_text("Moved “Erstes” to 10:00–10:50 · Runde 2 · Raum 3.")

    def shot(page) -> None:  # the place under the pointer is marked as a swap while dragging
        expect(page.locator("body.dragging")).to_have_count(1)
        expect(drop_cell(page, b)).to_have_css("outline-color", "rgb(176, 122, 0)")
        page.screenshot(path=str(artifacts / "grid-dragging-1366.png"))

    drag(page, card(page, "Erstes"), drop_cell(page, b), hold=shot)  # onto an occupied cell: one swap
    grid.wait_places({"Erstes": b, "Zweites": free, "Wartendes": (None, None)})
    expect(wall_cell(projector, *b).locator(".topic-title")).to_have_text("Erstes")
    expect(wall_cell(projector, *free).locator(".topic-title")).to_have_text("Zweites")
    expect(page.locator("#grid-message")).to_have_text("Swapped “Erstes” and “Zweites”.")
    log = grid.orga.http.get(f"{site.url}/api/events/{grid.slug}/log", timeout=10).json()["steps"]
    steps = [(step["action"], step["revision"] - log[0]["revision"]) for step in log[:3]]
    assert steps == [("swap", 0), ("swap", 0), ("move", -1)]  # one request: both topics at one revision

    third = grid.cell(0, 2)
    drag(page, card(page, "Wartendes"), drop_cell(page, third))  # from the tray onto the grid
    grid.wait_places({"Erstes": b, "Zweites": free, "Wartendes": third})
    drag(page, card(page, "Zweites"), page.locator("#tray"))  # onto the tray: unplaced
    grid.wait_places({"Erstes": b, "Zweites": (None, None), "Wartendes": third})
    expect(page.locator("#tray .topic-title")).to_have_text(["Zweites"])
    expect(page.locator("#tray-count")).to_have_text("1")
    expect(projector.locator("#queue .topic-title")).to_have_text(["Zweites"])

    page.click("#undo")
    grid.wait_places({"Erstes": b, "Zweites": free, "Wartendes": third})
    expect(page.locator("#grid-message")).to_have_text("The last step was undone.")
    expect(drop_cell(page, free).locator(".topic-title")).to_have_text("Zweites")
    expect(page.locator("#mgrid tr.break-row td.break")).to_have_text("Mittagessen")
    watch.assert_clean()


def test_every_action_works_from_the_keyboard_and_focus_comes_back(site, watch):
    grid = Grid(site)
    first = grid.post("Erstes", grid.cell(0, 0))
    grid.post("Zweites", grid.cell(1, 0))
    page = grid.open(watch)
    button = page.locator(f'button[data-menu-for="{first}"]')
    expect(button).to_have_attribute("aria-haspopup", "dialog")
    expect(button).to_have_accessible_name("Actions for “Erstes”")
    dialog = page.locator("#topic-menu")

    # Move to…: Enter opens the menu on its first item, Enter picks it, arrows choose a place, Enter moves.
    button.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#menu-title")).to_have_text("Erstes")
    expect(page.locator("#menu-where")).to_have_text("Now: 09:00–09:50 · Runde 1 · Raum 1")
    expect(page.get_by_role("button", name="Move to…")).to_be_focused()
    page.keyboard.press("Enter")
    select = page.locator("#menu-select")
    expect(select).to_be_focused()
    options = select.locator("option").all_text_contents()
    assert options[:3] == [
        "Unplaced (off the grid)",
        "09:00–09:50 · Runde 1 · Raum 3",
        "10:00–10:50 · Runde 2 · Raum 1",
    ]
    assert len(options) == 1 + 9 - 2  # the tray and every free place, never the lunch break
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    grid.wait_places({"Erstes": grid.cell(0, 1), "Zweites": grid.cell(1, 0)})
    expect(page.locator("#grid-message")).to_have_text("Moved “Erstes” to 10:00–10:50 · Runde 2 · Raum 1.")
    expect(page.locator(f'button[data-menu-for="{first}"]')).to_be_focused()  # on the card in its new place
    expect(page.locator(f'button[data-menu-for="{first}"]')).to_have_attribute("aria-expanded", "false")

    # Swap with…
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Swap with…")).to_be_focused()
    page.keyboard.press("Enter")
    expect(select.locator("option")).to_have_text(["Zweites (Ada) · 09:00–09:50 · Runde 1 · Raum 2"])
    page.keyboard.press("Enter")
    grid.wait_places({"Erstes": grid.cell(1, 0), "Zweites": grid.cell(0, 1)})
    expect(page.locator("#grid-message")).to_have_text("Swapped “Erstes” and “Zweites”.")
    expect(page.locator(f'button[data-menu-for="{first}"]')).to_be_focused()

    # Escape closes the menu and gives focus back.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(f'button[data-menu-for="{first}"]')).to_be_focused()

    # Pin, then withdraw and restore.
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Pin to its place")).to_be_focused()
    page.keyboard.press("Enter")
    expect(card(page, "Erstes").locator(".pin-mark")).to_have_text("pinned")
    expect(page.locator("#grid-message")).to_have_text("Pinned “Erstes” to its place.")
    assert [t["pinned"] for t in grid.orga.wall()["topics"] if t["title"] == "Erstes"] == [True]
    expect(dialog).to_be_hidden()
    expect(page.locator(f'button[data-menu-for="{first}"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Unpin")).to_be_visible()
    for _ in range(4):
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Withdraw")).to_be_focused()
    page.keyboard.press("Enter")
    grid.wait_places({"Zweites": grid.cell(0, 1)})
    expect(page.locator("#grid-message")).to_have_text("Withdrew “Erstes”. “Undo last step” brings it back.")
    expect(page.locator("#undo")).to_be_focused()
    restore = page.get_by_role("button", name="Restore “Erstes”")
    expect(page.locator("#withdrawn-count")).to_have_text("1")
    restore.focus()
    page.keyboard.press("Enter")
    grid.wait_places({"Erstes": grid.cell(1, 0), "Zweites": grid.cell(0, 1)})
    expect(page.locator("#grid-message")).to_have_text("Restored “Erstes”.")
    expect(page.locator("#withdrawn-list li")).to_have_text(["Nothing withdrawn."])

    # Merge into…
    page.locator(f'button[data-menu-for="{first}"]').focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(select.locator("option")).to_have_text(["Zweites (Ada) · 10:00–10:50 · Runde 2 · Raum 1"])
    page.keyboard.press("Enter")
    grid.wait_places({"Zweites": grid.cell(0, 1)})
    expect(page.locator("#grid-message")).to_have_text("Merged “Erstes” into “Zweites”.")
    watch.assert_clean()


def test_refusals_snap_back_and_show_the_servers_message(site, watch):
    grid = Grid(site)
    home = grid.cell(0, 0)
    grid.post("Erstes", home)
    page = grid.open(watch)
    message = page.locator("#grid-message")

    page.click("#undo")  # nothing done yet: 409 with its reason
    expect(message).to_have_text("There is nothing left to undo.")
    expect(message).to_have_class(re.compile(r"\berror\b"))

    # The place chosen in the menu was taken meanwhile: 409, shown in the menu and the live region.
    card(page, "Erstes").locator("button.card-menu").click()
    page.get_by_role("button", name="Move to…").click()
    page.locator("#menu-select").select_option(label="09:00–09:50 · Runde 1 · Raum 2")
    grid.post("Schneller", grid.cell(1, 0))
    expect(drop_cell(page, grid.cell(1, 0)).locator(".topic-title")).to_have_text("Schneller")
    page.get_by_role("button", name="Move", exact=True).click()
    taken = "This place was just taken by “Schneller” (Ada). Please choose another one."
    expect(page.locator("#menu-error")).to_have_text(taken)
    expect(message).to_have_text(taken)
    expect(page.locator("#topic-menu")).to_be_visible()  # still open: another place can be chosen
    assert grid.places() == {"Erstes": home, "Schneller": grid.cell(1, 0)}
    page.keyboard.press("Escape")

    # Rights gone (the link was made new elsewhere): the dragged topic snaps back and the 403 is shown.
    assert "organizer_link" in grid.call("organizer-link")
    target = grid.cell(2, 1)
    drag(page, card(page, "Erstes"), drop_cell(page, target))
    expect(message).to_have_text("Only the topic's host or the organizers can change it.")
    expect(drop_cell(page, home).locator(".topic-title")).to_have_text("Erstes")
    expect(drop_cell(page, target).locator(".topic-card")).to_have_count(0)
    assert grid.places() == {"Erstes": home, "Schneller": grid.cell(1, 0)}
    watch.assert_clean(("409", r"/undo$"), ("409", r"/topics/\d+$"), ("403", r"/topics/\d+$"))


@pytest.mark.parametrize(("name", "options"), [("1366x768", LAPTOP), ("1920x1080", FULL_HD)])
def test_grid_has_no_axe_violations_and_fits_the_screen(site, watch, artifacts, name, options):
    grid = Grid(site)
    titles = ["Retouren senken", "Nachhaltiger Versand mit weniger Verpackung und kürzeren Wegen", "KI im Kundendienst"]
    for i, title in enumerate(titles):
        grid.post(title, grid.cell(i, i))
    grid.post("Wartet noch auf einen Platz", None)
    page = grid.open(watch, bypass_csp=True, **options)  # axe is added as an inline script
    card(page, "Retouren senken").locator("button.card-menu").click()
    page.get_by_role("button", name="Pin to its place").click()
    expect(card(page, "Retouren senken").locator(".pin-mark")).to_be_visible()
    page.screenshot(path=str(artifacts / f"grid-{name}.png"))
    assert axe_violations(page) == []
    width, height = options["viewport"]["width"], options["viewport"]["height"]
    assert page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [
        width,
        height,
    ]  # the page itself never scrolls: the grid does, inside
    card(page, "KI im Kundendienst").locator("button.card-menu").click()
    page.get_by_role("button", name="Swap with…").click()
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / f"grid-menu-{name}.png"))
    watch.assert_clean()


def test_a_finger_drags_a_topic_from_the_tray_onto_the_grid(site, watch):
    grid = Grid(site)
    grid.post("Wartendes", None)
    page = grid.open(watch, has_touch=True)
    touch = page.context.new_cdp_session(page)
    start = card(page, "Wartendes").locator(".topic-title").bounding_box()
    end = drop_cell(page, grid.cell(1, 1)).bounding_box()
    (x0, y0), (x1, y1) = (start["x"] + 10, start["y"] + 6), (end["x"] + end["width"] / 2, end["y"] + end["height"] / 2)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    page.wait_for_timeout(300)  # a finger rests on the topic first; a quick swipe scrolls the grid instead
    for step in range(1, 21):
        point = {"x": x0 + (x1 - x0) * step / 20, "y": y0 + (y1 - y0) * step / 20}
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        page.wait_for_timeout(16)
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    grid.wait_places({"Wartendes": grid.cell(1, 1)})
    expect(drop_cell(page, grid.cell(1, 1)).locator(".topic-title")).to_have_text("Wartendes")
    expect(page.locator("#tray .topic-card")).to_have_count(0)
    watch.assert_clean()


def test_a_change_made_elsewhere_shows_live_and_is_announced_politely(site, watch):
    grid = Grid(site)
    page = grid.open(watch)
    grid.post("Von woanders", grid.cell(2, 2))
    expect(drop_cell(page, grid.cell(2, 2)).locator(".topic-title")).to_have_text("Von woanders")
    expect(page.locator("#announcer")).to_have_text("New topic: Von woanders")
    expect(page.locator("#grid-message")).to_have_text("")  # the visible region is for this page's own actions
    renamed = grid.orga.http.patch(
        f"{site.url}/api/events/{grid.slug}/rooms/{grid.rooms[2]}",
        json={"name": "Garten"},
        headers={"X-CSRFToken": grid.orga.csrf},
        timeout=10,
    )
    assert renamed.status_code == 200, renamed.text
    expect(page.locator("#mgrid thead .room-name")).to_have_text(["Raum 1", "Raum 2", "Garten"])
    expect(drop_cell(page, grid.cell(2, 2)).locator(".topic-title")).to_have_text("Von woanders")  # kept its place
    watch.assert_clean()
