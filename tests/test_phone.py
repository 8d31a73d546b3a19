"""The phone view in headless Chromium at 360 px: breaks as dividers, topic text in the event's language."""

from __future__ import annotations

import sqlite3

import pytest
from live import HttpParticipant
from test_browser import artifacts, browser, site, wait_live, watch  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.server]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def mark_break(database_url: str, slot_id: int) -> None:
    """Make one slot a break (the schema has the flag; the syntax to set it comes with the event form)."""
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
        connection.execute("UPDATE slots SET is_break = 1 WHERE id = ?", (slot_id,))


def test_break_is_a_divider_and_never_offered(site, watch, artifacts):
    slug = site.new_event("de")
    person = HttpParticipant(site.url, slug)
    slots = person.wall()["slots"]
    mark_break(site.database_url, slots[1]["id"])
    assert person.post({"title": "Datenstrategie", "host": "Ada", "room_id": None, "slot_id": None}).status_code == 201
    phone = watch.page(f"{site.url}/e/{slug}/", **PHONE)
    wait_live(phone)
    divider = phone.locator(f'#wall section.slot.break[data-slot-id="{slots[1]["id"]}"]')
    assert divider.locator(".break-head .slot-label").inner_text() == "Runde 2"
    assert divider.locator("button.claim").count() == 0
    assert phone.locator("#wall button.claim").count() == 6
    phone.locator("#open-form").tap()
    labels = [g.get_attribute("label") for g in phone.locator("#f-cell optgroup").all()]
    assert labels == ["09:00–09:50 Runde 1", "11:00–11:50 Runde 3"]
    title = phone.locator("#wall .topic-title").first
    assert title.get_attribute("lang") == "de"
    assert title.evaluate("(n) => getComputedStyle(n).hyphens") == "auto"
    phone.screenshot(path=str(artifacts / "phone-break.png"), full_page=True)
    watch.assert_clean()
