"""Interest and headcounts in headless Chromium: a phone marks, the wall shows it; the door page checks in."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

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
    wall_cell,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]

SHOTS = Path("/tmp/shots/counts")


@pytest.fixture(scope="module")
def running(site):
    """An event whose slot runs now (so check-ins count); rooms of 20, of 2 and without a capacity."""
    now = datetime.now(ZoneInfo("Europe/Berlin")).replace(second=0, microsecond=0)
    start = max(now - timedelta(minutes=20), now.replace(hour=0, minute=0))
    end = min(now + timedelta(minutes=40), now.replace(hour=23, minute=59))
    cli(
        site.database_url,
        "create-event",
        "--name=Zählen",
        "--slug=zaehlen",
        f"--starts-on={now:%Y-%m-%d}",
        "--language=en",
        "--room=Plenum | 20",
        "--room=Werkstatt | 2",
        "--room=Garten",
        f"--slot={now:%Y-%m-%d} {start:%H:%M}-{end:%H:%M} Runde 1",
    )
    host = HttpParticipant(site.url, "zaehlen")
    wall = host.wall()
    rooms = [r["id"] for r in wall["rooms"]]
    slot = wall["slots"][0]["id"]
    topics = []
    for title, room in (("Retouren senken", rooms[0]), ("Lastenrad teilen", rooms[1])):
        answer = host.post({"title": title, "host": "Marek", "room_id": room, "slot_id": slot})
        assert answer.status_code == 201, answer.text
        topics.append(answer.json()["topic"]["id"])
    return {"rooms": rooms, "slot": slot, "topics": topics}


def mark(person: HttpParticipant, topic_id: int) -> None:
    answer = person.http.post(
        f"{person.base}/api/events/{person.slug}/topics/{topic_id}/interest",
        headers={"X-CSRFToken": person.csrf},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_phone_marks_interest_the_wall_counts_and_the_door_page_checks_in(site, watch, running):
    SHOTS.mkdir(parents=True, exist_ok=True)
    first, second = running["topics"]
    plenum, werkstatt, _garten = running["rooms"]
    slot = running["slot"]
    wall = watch.desktop(f"{site.url}/e/zaehlen/wall")
    wait_live(wall)
    phone = watch.phone(f"{site.url}/e/zaehlen/", **PHONE_360)
    wait_live(phone)

    toggle = phone.locator(f'button[data-interest="{first}"]')
    expect(toggle).to_have_attribute("aria-pressed", "false")
    box = toggle.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # one thumb, one tap
    toggle.tap()
    expect(phone.locator(f'button[data-interest="{first}"]')).to_have_attribute("aria-pressed", "true")
    badge = wall_cell(wall, plenum, slot).locator(".interest-count")
    expect(badge).to_have_text("1 interested", timeout=LIVE_UPDATE_TIMEOUT_MS)
    phone.locator(f'button[data-interest="{first}"]').tap()  # undo: another tap
    expect(phone.locator(f'button[data-interest="{first}"]')).to_have_attribute("aria-pressed", "false")
    expect(badge).to_have_count(0, timeout=LIVE_UPDATE_TIMEOUT_MS)
    phone.locator(f'button[data-interest="{first}"]').tap()
    for _ in range(6):
        mark(HttpParticipant(site.url, "zaehlen"), first)
    mark(HttpParticipant(site.url, "zaehlen"), second)
    expect(badge).to_have_text("7 interested", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(phone.locator(f'li.cell[data-room-id="{plenum}"] .interest-count')).to_have_text(
        "7 interested", timeout=LIVE_UPDATE_TIMEOUT_MS
    )

    phone.locator(f'button[data-interest="{second}"]').focus()  # the keyboard's place survives a live count
    mark(HttpParticipant(site.url, "zaehlen"), second)
    expect(phone.locator(f'li.cell[data-room-id="{werkstatt}"] .interest-count')).to_have_text(
        "2 interested", timeout=LIVE_UPDATE_TIMEOUT_MS
    )
    assert phone.evaluate("document.activeElement.dataset.interest") == str(second)

    door = watch.phone(f"{site.url}/e/zaehlen/r/{werkstatt}", **PHONE_360)
    wait_live(door)
    expect(door.locator("h1")).to_have_text("Werkstatt")
    expect(door.locator("#room-runs .what")).to_have_text(["Lastenrad teilen"])
    expect(door.locator("#room-headcount")).to_have_text("0 / 2 · space left")
    door.locator("#checkin").tap()
    expect(door.locator("#checkin-note")).to_have_text("You are checked in here. Thank you!")
    expect(door.locator("#room-headcount")).to_have_text("1 / 2 · space left")
    heads = wall_cell(wall, werkstatt, slot).locator(".headcount")
    expect(heads).to_have_text("1 / 2 · space left", timeout=LIVE_UPDATE_TIMEOUT_MS)
    other = HttpParticipant(site.url, "zaehlen")
    answer = other.http.post(
        f"{site.url}/api/events/zaehlen/rooms/{werkstatt}/checkin", headers={"X-CSRFToken": other.csrf}, timeout=10
    )
    assert answer.json() == {"room_id": werkstatt, "slot_id": slot, "headcount": 2, "capacity": 2}
    expect(heads).to_have_text("2 / 2 · full", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(heads).to_have_class("headcount full")
    expect(door.locator("#room-headcount")).to_have_text("2 / 2 · full", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(wall_cell(wall, plenum, slot).locator(".headcount")).to_have_text("0 / 20 · space left")

    # A screen whose clock is past the slot's end shows no headcounts, though the server still counts that slot.
    ends_at = datetime.fromisoformat(HttpParticipant(site.url, "zaehlen").wall()["slots"][0]["ends_at"])
    context = watch.browser.new_context(**DESKTOP)
    watch.contexts.append(context)
    late = context.new_page()
    late.clock.set_fixed_time(ends_at + timedelta(seconds=30))
    late.goto(f"{site.url}/e/zaehlen/wall")
    wait_live(late)
    expect(wall_cell(late, werkstatt, slot).locator(".interest-count")).to_have_text("2 interested")
    expect(late.locator("#grid .headcount")).to_have_count(0)

    phone.locator(f'li.cell[data-room-id="{plenum}"]').scroll_into_view_if_needed()
    phone.screenshot(path=str(SHOTS / "phone-360.png"))
    wall.screenshot(path=str(SHOTS / "projector-1920.png"))
    door.screenshot(path=str(SHOTS / "door-360.png"), full_page=True)
    watch.assert_clean()


@pytest.mark.parametrize("path", ["/e/zaehlen/", "/e/zaehlen/r/{room}"])
def test_axe_finds_nothing_serious_on_the_phone_and_the_door_page(site, watch, running, path):
    page = watch.phone(site.url + path.format(room=running["rooms"][1]), bypass_csp=True, **PHONE_360)
    wait_live(page)
    assert axe_violations(page) == []
