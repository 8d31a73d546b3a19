"""The browser's own update path (static/js/live.js `receive`) in headless Chromium, against a real server.

The page's Socket.IO WebSocket is routed through Playwright: frames pass through unchanged, except that the
server's own `wall_changed` broadcasts are dropped so the test alone decides which deltas the page hears and in
what order. Crafted deltas are sent to the page as the server would send them (an Engine.IO message frame
`42["wall_changed", {...}]`), so they reach the same `socket.on("wall_changed")` handler as in production.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from live import HttpParticipant
from test_browser import (  # noqa: F401 - fixtures are used by name
    LIVE,
    artifacts,
    browser,
    cell_ids,
    expect,
    list_cell,
    site,
    slug,
    wait_live,
    wall_cell,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]

JOIN = re.compile(r'^42\d*\["join"')
SERVER_ACK = re.compile(r"^43\d+")


class Pipe:
    """The page's Socket.IO WebSocket, relayed to the real server; records joins, drops or holds server frames."""

    def __init__(self) -> None:
        self.page_side = None
        self.joins: list[str] = []
        self.drop_broadcasts = True
        self.hold_acks = False
        self.held: list[str] = []

    def route(self, route) -> None:
        server = route.connect_to_server()
        self.page_side = route

        def from_page(message: str | bytes) -> None:
            if isinstance(message, str) and JOIN.match(message):
                self.joins.append(message)
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str) and self.drop_broadcasts and message.startswith('42["wall_changed"'):
                return
            if isinstance(message, str) and self.hold_acks and SERVER_ACK.match(message):
                self.held.append(message)
                return
            route.send(message)

        route.on_message(from_page)
        server.on_message(from_server)

    def deliver(self, revision: int, kind: str, topic: dict) -> None:
        """Send the page one `wall_changed` delta, framed as the server frames it."""
        message = {"revision": revision, "change": {"type": kind, "topic": topic}}
        self.page_side.send("42" + json.dumps(["wall_changed", message]))

    def release(self) -> None:
        self.hold_acks = False
        for message in self.held:
            self.page_side.send(message)
        self.held = []


def routed_wall(watch, url: str, pipe: Pipe):
    """A projector page whose socket runs through `pipe` (the route must exist before the page connects)."""
    context = watch.browser.new_context(viewport={"width": 1920, "height": 1080})
    watch.contexts.append(context)
    context.route_web_socket(re.compile(r"/socket\.io/"), pipe.route)
    page = context.new_page()
    page.on("pageerror", lambda error: watch.page_errors.append(f"{page.url}: {error}"))
    page.goto(url)
    return page


class Host:
    """One participant who posts and edits topics over the real API and remembers each server revision."""

    def __init__(self, base_url: str, slug: str) -> None:
        self.person = HttpParticipant(base_url, slug)
        self.url = f"{base_url}/api/events/{slug}/topics"

    def post(self, title: str, room_id: int, slot_id: int) -> tuple[int, dict]:
        response = self.person.post({"title": title, "host": "Host", "room_id": room_id, "slot_id": slot_id})
        assert response.status_code == 201, response.text
        return response.json()["revision"], response.json()["topic"]

    def patch(self, topic_id: int, body: dict) -> tuple[int, dict]:
        response = self.person.http.patch(
            f"{self.url}/{topic_id}", json=body, headers={"X-CSRFToken": self.person.csrf}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()["revision"], response.json()["topic"]


def shows(page, room_id: int, slot_id: int, title: str | None) -> None:
    """The projector cell holds exactly this title, or is free."""
    cell = wall_cell(page, room_id, slot_id)
    if title is None:
        expect(cell).to_have_class("free")
        expect(cell.locator(".topic-title")).to_have_count(0)
    else:
        expect(cell.locator(".topic-title")).to_have_text(title)


def until(page, condition, failure: str, timeout: float = 10) -> None:
    """Wait for a condition on the relay; each page round trip lets Playwright deliver pending frames."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, failure
        page.evaluate("1")


def grid_at(page, value: int) -> dict[tuple[int, int], str]:
    """Once the projector shows revision `value`: every topic on it, by (room id, slot id) or ("queue", position)."""
    revision(page, value)
    shown = page.evaluate(
        """() => [...document.querySelectorAll("#grid td.taken, #queue li:not(.empty):not(.more)")].map((node) => [
          node.dataset.roomId ? Number(node.dataset.roomId) : null,
          node.dataset.roomId ? Number(node.closest("tr").dataset.slotId) : null,
          node.querySelector(".topic-title").textContent,
        ])"""
    )
    return {(room, slot) if room is not None else ("queue", i): title for i, (room, slot, title) in enumerate(shown)}


def revision(page, value: int) -> None:
    expect(page.locator("body")).to_have_attribute("data-revision", str(value))


def test_wall_applies_next_delta_ignores_duplicate_and_stale_and_resyncs_on_gap(site, slug, watch):
    c0, c1, c2, c3, c4, c5 = (cell_ids(site.url, slug, i) for i in range(6))
    pipe = Pipe()
    wall = routed_wall(watch, f"{site.url}/e/{slug}/wall", pipe)
    wait_live(wall)
    assert len(pipe.joins) == 1
    host = Host(site.url, slug)

    # The next revision is applied as a delta, without asking the server for the wall.
    r1, a = host.post("A", *c0)
    pipe.deliver(r1, "topic_posted", a)
    assert grid_at(wall, 1) == {c0: "A"}
    assert len(pipe.joins) == 1

    # A duplicate of revision 1 (here with a different title) is ignored. The valid revision 2 behind it on the
    # same socket proves the page has handled the duplicate before we look.
    r2, b = host.post("B", *c1)
    pipe.deliver(r1, "topic_updated", {**a, "title": "Doppelt"})
    pipe.deliver(r2, "topic_posted", b)
    assert grid_at(wall, 2) == {c0: "A", c1: "B"}
    assert len(pipe.joins) == 1

    # Out of order: revision 4 arrives before 3. That is a gap, so the page fetches the whole wall (a join) and
    # shows the server's state, not the delta. Revision 3 arriving late is stale and ignored: applying it would
    # put B back into its old cell. Revision 5 behind it shows the page has handled it.
    r3, b_renamed = host.patch(b["id"], {"title": "B neu"})
    r4, b_moved = host.patch(b["id"], {"room_id": c2[0], "slot_id": c2[1]})
    assert (r3, r4) == (3, 4)
    pipe.deliver(r4, "topic_updated", {**b_moved, "title": "Nicht vom Server"})
    assert grid_at(wall, 4) == {c0: "A", c2: "B neu"}
    assert len(pipe.joins) == 2
    pipe.deliver(r3, "topic_updated", b_renamed)
    r5, c = host.post("C", *c3)
    pipe.deliver(r5, "topic_posted", c)
    assert grid_at(wall, 5) == {c0: "A", c2: "B neu", c3: "C"}
    assert len(pipe.joins) == 2

    # Deltas arriving while the page waits for the wall are kept and applied in revision order afterwards.
    # The relay holds the server's answer to the join, so the wall the page gets is older than two deltas.
    r6, e = host.post("E", *c5)
    pipe.hold_acks = True
    pipe.deliver(r6 + 10, "topic_posted", {**e, "id": e["id"] + 100, "title": "Geist"})  # a gap: join
    until(wall, lambda: len(pipe.held) == 1, "the server did not answer the page's join")
    assert len(pipe.joins) == 3
    r7, c_moved = host.patch(c["id"], {"room_id": c4[0], "slot_id": c4[1]})
    r8, c_renamed = host.patch(c["id"], {"title": "C neu"})
    assert (r6, r7, r8) == (6, 7, 8)
    pipe.deliver(r8, "topic_updated", c_renamed)
    pipe.deliver(r7, "topic_updated", c_moved)
    pipe.release()
    assert grid_at(wall, 8) == {c0: "A", c2: "B neu", c4: "C neu", c5: "E"}
    # Had the page applied 8 before 7, revision 8 would have been a gap and it would have joined once more.
    assert len(pipe.joins) == 3
    expect(wall.locator(LIVE)).to_have_count(1)
    assert watch.page_errors == []


def test_topic_moved_through_the_api_leaves_its_old_cell_on_phone_and_wall(site, slug, watch):
    old, new = cell_ids(site.url, slug, 1), cell_ids(site.url, slug, 8)
    host = Host(site.url, slug)
    _, topic = host.post("Umzug", *old)
    phone = watch.phone(f"{site.url}/e/{slug}/")
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    wait_live(phone)
    wait_live(wall)
    expect(list_cell(phone, *old).locator(".topic-title")).to_have_text("Umzug")
    shows(wall, *old, "Umzug")

    moved_revision, _ = host.patch(topic["id"], {"room_id": new[0], "slot_id": new[1]})

    shows(wall, *new, "Umzug")
    shows(wall, *old, None)
    revision(wall, moved_revision)
    expect(list_cell(phone, *new).locator(".topic-title")).to_have_text("Umzug")
    expect(list_cell(phone, *old)).to_have_class("cell free")
    expect(list_cell(phone, *old).locator(".topic-title")).to_have_count(0)
    revision(phone, moved_revision)
    assert wall.locator("#grid .topic-title").all_inner_texts() == ["Umzug"]
    assert phone.locator("#wall .topic-title").all_inner_texts() == ["Umzug"]
    watch.assert_clean()
