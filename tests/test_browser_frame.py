"""The frame editor in Chromium: an organizer renames the event, adds, reorders and removes rooms and slots,
while the projector and a phone follow live without reloading."""

from __future__ import annotations

import pytest
from test_browser import artifacts, browser, expect, site, wait_live, watch  # noqa: F401  (fixtures)
from test_browser_moderation import organized_event

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_frame_changes_reach_the_projector_and_phone_and_never_lose_a_topic(site, watch, artifacts):
    slug, organizer_path = organized_event(site)
    orga = watch.desktop(f"{site.url}{organizer_path}", accept_dialogs=True, viewport={"width": 1280, "height": 900})
    wait_live(orga)
    phone = watch.phone(f"{site.url}/e/{slug}/")
    wait_live(phone)
    wall = watch.desktop(f"{site.url}/e/{slug}/wall", viewport={"width": 1920, "height": 1080})
    wait_live(wall)
    phone.locator("button.claim").first.click()  # the first room's first slot
    phone.fill("#f-title", "Retouren senken")
    phone.fill("#f-host", "Ada")
    phone.click("#f-submit")
    expect(phone.locator("#wall .topic-title")).to_have_text(["Retouren senken"])

    # The event's name, live on every screen and in the tab's title.
    orga.click("#frame-event-box summary")
    orga.fill("#frame-name", "Zukunft 2027")
    orga.fill("#frame-venue", "Halle 3")
    orga.click("#frame-event button[type=submit]")
    expect(orga.locator("#frame-notice")).to_have_text("Saved.")
    expect(wall.locator("h1")).to_have_text("Zukunft 2027")
    expect(wall.locator("#venue")).to_have_text("Halle 3")
    expect(phone.locator(".brand")).to_have_text("Zukunft 2027")
    assert phone.title().startswith("Zukunft 2027 – ")

    # A new room first, by keyboard-reachable buttons: add, then move it down one place.
    orga.click("#frame-rooms-box summary")
    orga.fill("#frame-room-name", "Garten")
    orga.fill("#frame-room-capacity", "40")
    orga.fill("#frame-room-location", "hinter dem Haus")
    orga.click("#frame-room-add button[type=submit]")
    expect(orga.locator("#frame-notice")).to_have_text("Added.")
    expect(wall.locator("#grid thead th[data-room-id]")).to_have_text(["Raum 1", "Raum 2", "Garten"])
    orga.get_by_role("button", name="Move up – Room Garten").click()
    expect(wall.locator("#grid thead th[data-room-id]")).to_have_text(["Raum 1", "Garten", "Raum 2"])
    expect(orga.get_by_role("button", name="Move up – Room Garten")).to_be_focused()

    # Renaming a room in its row.
    row = orga.locator("#frame-rooms li").nth(0)
    row.get_by_label("Name – Room Raum 1").fill("Plenum")
    row.get_by_role("button", name="Save – Room Raum 1").click()
    expect(wall.locator("#grid thead th[data-room-id]")).to_have_text(["Plenum", "Garten", "Raum 2"])

    # A lunch break, then removing the room that holds the topic: it waits unplaced, on every screen.
    orga.click("#frame-slots-box summary")
    orga.fill("#frame-slot-start", "12:00")
    orga.fill("#frame-slot-end", "13:00")
    orga.fill("#frame-slot-label", "Mittagspause")
    orga.check("#frame-slot-break")
    orga.click("#frame-slot-add button[type=submit]")
    expect(orga.locator("#frame-slots li")).to_have_count(3)
    expect(wall.locator("#grid td.break .slot-label")).to_have_text(["Mittagspause"])
    expect(phone.locator("#wall")).to_contain_text("Mittagspause")

    holder = phone.locator("#wall .topic-title").first
    expect(holder).to_have_text("Retouren senken")
    orga.get_by_role("button", name="Remove – Room Plenum").click()
    expect(orga.locator("#frame-notice")).to_have_text("Now in the unplaced queue: Retouren senken (Ada)")
    expect(wall.locator("#grid thead th[data-room-id]")).to_have_text(["Garten", "Raum 2"])
    expect(wall.locator("#queue .topic-title")).to_have_text(["Retouren senken"])
    expect(phone.locator("#wall")).not_to_contain_text("Plenum")
    expect(phone.locator("#wall")).not_to_contain_text("null")  # a room without location or capacity shows neither
    orga.screenshot(path=str(artifacts / "organizer-frame-1280.png"), full_page=True)
    orga.set_viewport_size({"width": 360, "height": 740})
    orga.locator("#frame-editor").screenshot(path=str(artifacts / "organizer-frame-360.png"))

    # A refusal says why and changes nothing.
    orga.set_viewport_size({"width": 1280, "height": 900})
    orga.fill("#frame-slot-start", "09:30")
    orga.fill("#frame-slot-end", "10:15")
    orga.click("#frame-slot-add button[type=submit]")
    expect(orga.locator("#frame-error")).to_contain_text("It overlaps the slot 2026-02-27 09:00–09:50.")
    expect(orga.locator("#frame-slots li")).to_have_count(3)
