"""My schedule in Chromium on a 360 px phone: now and next first, live moves, un-marking, a new feed address."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import requests
from live import HttpParticipant
from test_a11y import axe_violations
from test_browser import PHONE_360 as SMALL_PHONE
from test_browser import (  # noqa: F401  (fixtures)
    browser,
    cell_ids,
    create_event,
    expect,
    site,
    wait_live,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]
_slugs = itertools.count(1)
SHOTS = Path("/tmp/shots/me")
PHONE_360 = {**SMALL_PHONE, "bypass_csp": True}  # axe-core is added as an inline script
# The phone's clock: during the second of the three slots (09:00, 10:00, 11:00 on 2026-02-27, Berlin).
DURING_SLOT_2 = datetime(2026, 2, 27, 10, 15, tzinfo=ZoneInfo("Europe/Berlin"))


def phone_at(watch, url: str):
    context = watch.browser.new_context(**PHONE_360)
    watch.contexts.append(context)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    page.clock.set_fixed_time(DURING_SLOT_2)  # Date.now() only: timers and the socket run as usual
    page.goto(url)
    return page


def api(page, method: str, path: str, body=None) -> int:
    """A fetch from the page itself (its cookie and CSRF token); returns the status."""
    return page.evaluate(
        """async ([method, path, body]) => {
          const csrf = document.querySelector('meta[name="csrf-token"]').content;
          const init = { method, headers: { "X-CSRFToken": csrf, "Content-Type": "application/json" } };
          if (body !== null) init.body = JSON.stringify(body);
          return (await fetch(path, init)).status;
        }""",
        [method, path, body],
    )


def titles(page, group: str) -> list[str]:
    return page.locator(f'[data-group="{group}"] .agenda-title').all_text_contents()


def test_my_schedule_shows_now_and_next_follows_moves_and_resets_its_feed(site, watch):
    slug = f"me{next(_slugs)}"
    create_event(site.database_url, slug)
    cells = [cell_ids(site.url, slug, i) for i in range(9)]  # slot-major: (room, slot) of R1S1, R2S1, R3S1, R1S2 …
    bea = HttpParticipant(site.url, slug)
    ids = {}
    for title, (room_id, slot_id) in (
        ("Eins", cells[0]),
        ("Zwei", cells[4]),
        ("Parallel", cells[3]),
        ("Drei", cells[8]),
    ):
        answer = bea.post({"title": title, "host": "Bea", "room_id": room_id, "slot_id": slot_id})
        assert answer.status_code == 201, answer.text
        ids[title] = answer.json()["topic"]["id"]

    phone = phone_at(watch, f"{site.url}/e/{slug}/")
    wait_live(phone)
    room_id, slot_id = cells[7]
    assert (
        api(
            phone,
            "POST",
            f"/api/events/{slug}/topics",
            {"title": "Mein Thema", "host": "Ada", "room_id": room_id, "slot_id": slot_id},
        )
        == 201
    )
    for title in ("Eins", "Zwei", "Parallel", "Drei"):  # one tap each on the phone list
        toggle = phone.get_by_role("button", name=f"I am interested in “{title}”")
        toggle.click()
        expect(toggle).to_have_attribute("aria-pressed", "true")

    phone.get_by_role("link", name="My schedule").click()
    wait_live(phone)
    expect(phone.locator('[data-group="now"] .agenda-title')).to_have_text(["Parallel", "Zwei"])
    assert titles(phone, "next") == ["Mein Thema", "Drei"]
    assert phone.locator('[data-group="past"] summary').text_content() == "Over (1)"
    now_first = phone.locator('[data-group="now"] .agenda-item').first
    expect(now_first.locator(".agenda-clash")).to_have_text(
        "At the same time as “Zwei”. Pick one – or go where you learn or give most."
    )
    expect(phone.locator('[data-group="next"] .agenda-clash')).to_have_text(
        [
            "At the same time as “Drei”.",
            "At the same time as “Mein Thema”. Pick one – or go where you learn or give most.",
        ]
    )
    expect(phone.locator('[data-group="next"] .agenda-role')).to_have_text(["Your topic", "Interested"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "me-phone-360.png"), full_page=True)
    assert axe_violations(phone) == []

    # Bea moves "Drei" into the first slot: it leaves "next" for "over", without a reload.
    room_id, slot_id = cells[1]
    moved = bea.http.patch(
        f"{site.url}/api/events/{slug}/topics/{ids['Drei']}",
        json={"room_id": room_id, "slot_id": slot_id},
        headers={"X-CSRFToken": bea.csrf},
        timeout=10,
    )
    assert moved.status_code == 200, moved.text
    expect(phone.locator('[data-group="next"] .agenda-title')).to_have_text(["Mein Thema"])
    expect(phone.locator('[data-group="past"] summary')).to_have_text("Over (2)")

    # Not interested in "Zwei" any more: gone here, and after a reload too.
    phone.get_by_role("button", name="Not interested any more: Zwei").click()
    expect(phone.locator('[data-group="now"] .agenda-title')).to_have_text(["Parallel"])
    phone.reload()
    wait_live(phone)
    expect(phone.locator('[data-group="now"] .agenda-title')).to_have_text(["Parallel"])

    # The feed: the address on the page is the calendar; a new address makes the old one 404.
    old = phone.locator("#feed-url").text_content()
    calendar = icalendar.Calendar.from_ical(requests.get(old, timeout=10).content)
    assert sorted(str(e["summary"]) for e in calendar.walk("VEVENT")) == ["Drei", "Eins", "Mein Thema", "Parallel"]
    phone.get_by_role("button", name="New address").click()
    phone.get_by_role("button", name="Yes, make the old address stop working").click()
    expect(phone.locator("#feed-message")).to_have_text(
        "New address made. Subscribe again with it; the old one no longer works."
    )
    new = phone.locator("#feed-url").text_content()
    assert new != old and new.startswith(f"{site.url}/e/{slug}/me.ics?key=")
    assert phone.locator("#feed-subscribe").get_attribute("href") == new.replace("http://", "webcal://", 1)
    phone.get_by_role("button", name="Copy address").click()
    expect(phone.get_by_role("button", name="Copied")).to_be_visible()
    assert phone.evaluate("navigator.clipboard.readText()") == new  # the new address, not the one the page began with
    assert requests.get(old, timeout=10).status_code == 404
    assert requests.get(new, timeout=10).status_code == 200
    phone.screenshot(path=str(SHOTS / "me-phone-360-reset.png"), full_page=True)
    assert watch.page_errors == []
