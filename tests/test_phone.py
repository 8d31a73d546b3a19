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


def way_event(site, slug: str, *, rooms: int, slots: int) -> None:
    from live import cli

    cli(
        site.database_url,
        "create-event",
        f"--name=Weg {slug}",
        f"--slug={slug}",
        "--starts-on=2026-02-27",
        "--language=en",
        *[f"--room=Raum {i + 1} | {20 + i} | {i + 1}. OG" for i in range(rooms)],
        *[f"--slot={9 + i:02d}:00-{9 + i:02d}:50 Runde {i + 1}" for i in range(slots)],
    )


def phone_at(browser, url: str, moment):
    """A phone whose clock says `moment` (the event's day), opened at `url`."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.clock.install(time=moment)
    page.goto(url)
    return context, page


def test_phone_opens_at_now_jumps_by_slot_filters_free_and_keeps_the_draft(site, browser, artifacts):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    way_event(site, "weg1", rooms=6, slots=4)
    person = HttpParticipant(site.url, "weg1")
    wall = person.wall()
    cells = [(r["id"], s["id"]) for s in wall["slots"] for r in wall["rooms"]]
    for index in (0, 7, 13, 14):
        room_id, slot_id = cells[index]
        person.post({"title": f"Anliegen {index}", "host": "Ada", "room_id": room_id, "slot_id": slot_id})
    now = datetime(2026, 2, 27, 11, 20, tzinfo=ZoneInfo("Europe/Berlin"))  # in Runde 3
    context, page = phone_at(browser, f"{site.url}/e/weg1/", now)
    try:
        wait_live(page)
        third = page.locator(f"#slot-{wall['slots'][2]['id']}")
        top = third.evaluate("node => node.getBoundingClientRect().top")
        bar = page.locator(".slot-bar").evaluate("node => node.getBoundingClientRect().bottom")
        assert page.evaluate("window.scrollY") > 0
        assert bar - 1 <= top <= bar + 80  # the current slot right under the sticky bar
        assert page.locator("#slot-links a.now").inner_text() == "11:00"
        page.screenshot(path=str(artifacts / "phone-opens-at-now-360.png"))

        page.locator("#slot-links a", has_text="12:00").click()
        fourth = page.locator(f"#slot-{wall['slots'][3]['id']}")
        expect_top = fourth.evaluate("node => node.getBoundingClientRect().top")
        assert page.locator(".slot-bar").evaluate("node => node.getBoundingClientRect().top") == 0  # still on top
        assert bar - 1 <= expect_top <= bar + 80

        room = page.locator(f'li.cell[data-room-id="{wall["rooms"][1]["id"]}"]').first
        assert room.locator(".room-meta").inner_text() == "2. OG · 21 places"

        page.click("#free-only")
        assert page.get_attribute("#free-only", "aria-pressed") == "true"
        assert page.locator("#wall .cell.taken:visible").count() == 0
        assert page.locator("#wall .cell.free:visible").count() == 24 - 4
        page.click("#free-only")
        assert page.locator("#wall .cell.taken:visible").count() == 4

        page.click("#open-form")
        page.fill("#f-title", "Halb getippt")
        page.fill("#f-goal", "Nicht verlieren")
        page.reload()
        wait_live(page)
        page.click("#open-form")
        assert (page.input_value("#f-title"), page.input_value("#f-goal")) == ("Halb getippt", "Nicht verlieren")
        page.fill("#f-host", "Bea")
        page.click("#f-submit")
        page.locator("#form-panel").wait_for(state="hidden")
        page.reload()
        wait_live(page)
        page.click("#open-form")
        assert page.input_value("#f-title") == ""  # the draft went with the successful post
        assert page.locator("#full-notice").is_hidden()
    finally:
        context.close()


def test_full_wall_says_so_and_explains_the_queue(site, browser, artifacts):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    way_event(site, "weg2", rooms=1, slots=2)
    person = HttpParticipant(site.url, "weg2")
    wall = person.wall()
    for slot in wall["slots"]:
        person.post({"title": "Belegt", "host": "Ada", "room_id": wall["rooms"][0]["id"], "slot_id": slot["id"]})
    context, page = phone_at(browser, f"{site.url}/e/weg2/", datetime(2026, 2, 27, 8, tzinfo=ZoneInfo("Europe/Berlin")))
    try:
        wait_live(page)
        notice = page.locator("#full-notice")
        assert notice.is_visible()
        assert notice.inner_text() == (
            "Every place on the wall is taken. A new topic goes to “Not placed yet”; "
            "the organizers give it a room and time when one frees up."
        )
        page.screenshot(path=str(artifacts / "phone-full-wall-360.png"))
    finally:
        context.close()
