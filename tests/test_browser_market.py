"""Announcements, the lock band and the marketplace in Chromium: the organizer's phone acts, the projector at
1920 x 1080 and a participant's phone at 360 x 740 follow live. Screenshots go to /tmp/shots/market/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from live import HttpParticipant
from test_browser import LIVE_UPDATE_TIMEOUT_MS, PHONE_360, browser, expect, site, wait_live, watch  # noqa: F401  (fixtures)
from test_browser_moderation import organized_event

pytestmark = [pytest.mark.browser, pytest.mark.server]
SHOTS = Path("/tmp/shots/market")
TOPICS = [
    (
        "Retouren senken in der Lieferkette",
        "Marek",
        "Drei Maßnahmen, die wir im März testen",
        "Kosten stiegen 2025 um 12 %. " * 30,  # a long context: the projector shrinks the text to fit
    ),
    ("Onboarding neuer Kolleginnen", "Ada", "Eine Checkliste für die erste Woche", ""),
    ("Weniger Meetings", "Jo", "", "Wir verbringen 40 % der Zeit in Terminen"),
]


def until_text() -> str:
    """A time two hours ahead in Berlin, or "" when that is tomorrow there (then the announcement has no end)."""
    now = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin"))
    later = now + timedelta(hours=2)
    return later.strftime("%H:%M") if later.date() == now.date() else ""


def test_announcement_lock_band_and_marketplace_reach_projector_and_phone(site, watch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    slug, organizer_path = organized_event(site)
    poster = HttpParticipant(site.url, slug)
    for title, host, goal, context in TOPICS[:2]:
        body = {"title": title, "host": host, "goal": goal, "context": context, "room_id": None, "slot_id": None}
        assert poster.post(body).status_code == 201
    orga = watch.page(f"{site.url}{organizer_path}", accept_dialogs=True, **PHONE_360)
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    phone = watch.page(f"{site.url}/e/{slug}/", **PHONE_360)
    for page in (orga, wall, phone):
        wait_live(page)
    timeout = {"timeout": LIVE_UPDATE_TIMEOUT_MS}

    # An announcement with an end time: pinned on the projector and every phone.
    until = until_text()
    orga.fill("#announce-text", "Lunch at 12:30 in the foyer. Bring your cup!")
    orga.fill("#announce-until", until)
    orga.click("#announce-form button[type=submit]")
    shown = "Lunch at 12:30 in the foyer. Bring your cup!" + (f"until {until}" if until else "")
    expect(wall.locator("#announcements li")).to_have_text([shown], **timeout)
    expect(phone.locator("#announcements li")).to_have_text([shown], **timeout)
    pinned = orga.locator("#announce-list li .announcement-text")
    expect(pinned).to_have_text(["Lunch at 12:30 in the foyer. Bring your cup!"])
    expect(orga.locator("#announce-text")).to_have_value("")

    # The lock band, with the organizer's reason, on the projector; the phone's notice and a closed form.
    phone.click("#open-form")  # a participant is writing when the wall locks
    phone.fill("#f-title", "Half written")
    orga.fill("#mod-reason", "Sessions are running.")
    orga.click("#mod-lock")
    lock = "The wall is locked: only the organizers change it now. Sessions are running."
    expect(wall.locator("#locked-notice")).to_have_text(lock, **timeout)
    expect(phone.locator("#locked-notice")).to_have_text(lock, **timeout)
    expect(phone.locator("#form-error")).to_have_text(lock)
    expect(phone.locator("#f-submit")).to_be_disabled()
    phone.click("#f-cancel")
    expect(phone.locator("#open-form")).to_be_disabled()
    wall.screenshot(path=str(SHOTS / "projector-locked-announcement-1920.png"))
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(path=str(SHOTS / "phone-locked-announcement-360.png"))
    band = wall.locator("#locked-notice").bounding_box()
    assert band["height"] >= 40 and band["width"] > 1500  # a band across the wall, read from 10 m

    # Opening the marketplace opens the wall; the projector shows the first topic large, the next beside it.
    orga.click('[data-market="open"]')
    expect(wall.locator("body")).to_have_class("projector market-mode", **timeout)
    expect(wall.locator("#market-title")).to_have_text(TOPICS[0][0])
    expect(wall.locator("#market-host")).to_have_text("Marek")
    expect(wall.locator("#market-goal")).to_have_text(f"Goal: {TOPICS[0][2]}")
    expect(wall.locator("#market-next .topic-title")).to_have_text([TOPICS[1][0]])
    expect(wall.locator("#locked-notice")).to_be_hidden()
    expect(wall.locator("#grid-wrap")).to_be_hidden()
    expect(phone.locator("#open-form")).to_be_enabled(**timeout)
    expect(orga.locator("#market-state")).to_have_text(f"Marketplace: now “{TOPICS[0][0]}” (1 of 2)")
    fits = wall.locator("#market-current").evaluate("n => n.scrollHeight <= n.clientHeight + 1")
    assert fits is True
    wall.screenshot(path=str(SHOTS / "projector-marketplace-long-text-1920.png"))

    # A topic pinned while it runs joins the queue's end live; Next steps on (on every screen).
    title, host, goal, context = TOPICS[2]
    phone.click("#open-form")
    phone.fill("#f-title", title)
    phone.fill("#f-host", host)
    phone.fill("#f-context", context)
    phone.click("#f-submit")
    expect(wall.locator("#market-next .topic-title")).to_have_text([TOPICS[1][0], title], **timeout)
    orga.click('[data-market="next"]')
    expect(wall.locator("#market-title")).to_have_text(TOPICS[1][0], **timeout)
    expect(phone.locator("#market-notice")).to_have_text(f"Marketplace: now “{TOPICS[1][0]}” (2 of 3)", **timeout)
    expect(orga.locator('[data-market="back"]')).to_be_enabled()
    title_size = wall.locator("#market-title").evaluate("n => parseFloat(getComputedStyle(n).fontSize)")
    assert title_size >= 80  # about 3 floors: read from the back of the room

    # Locked again during the pitches: band, announcement and the current topic on one projector screen.
    orga.fill("#mod-reason", "Pitches: posting reopens after them.")
    orga.click("#mod-lock")
    expect(wall.locator("#locked-notice")).to_be_visible(**timeout)
    expect(phone.locator("#locked-notice")).to_have_text(
        "The wall is locked: only the organizers change it now. Pitches: posting reopens after them.", **timeout
    )
    wall.screenshot(path=str(SHOTS / "projector-marketplace-1920.png"))
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(path=str(SHOTS / "phone-marketplace-360.png"))
    orga.locator("#control").scroll_into_view_if_needed()
    orga.screenshot(path=str(SHOTS / "organizer-control-360.png"))
    orga.locator("#announce-panel").scroll_into_view_if_needed()
    orga.screenshot(path=str(SHOTS / "organizer-announcements-360.png"))
    boxes = [wall.locator(sel).bounding_box() for sel in ("#locked-notice", "#announcements", "#market-current")]
    assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"] + 1  # stacked, never on top of each other
    assert boxes[1]["y"] + boxes[1]["height"] <= boxes[2]["y"] + 1
    assert boxes[2]["y"] + boxes[2]["height"] <= 1080

    # A projector (re)loaded while the marketplace runs opens straight into it.
    wall.reload()
    wait_live(wall)
    expect(wall.locator("#market-title")).to_have_text(TOPICS[1][0])
    expect(wall.locator("#grid-wrap")).to_be_hidden()

    # Closing returns the projector to the grid; removing the announcement takes it off every screen.
    orga.click('[data-market="close"]')
    expect(wall.locator("#grid-wrap")).to_be_visible(**timeout)
    expect(wall.locator("#grid")).to_be_visible()
    orga.locator("#announce-list button[data-remove]").click()
    expect(wall.locator("#announcements")).to_be_hidden(**timeout)
    expect(phone.locator("#announcements")).to_be_hidden(**timeout)
    orga.click("#mod-unlock")
    expect(phone.locator("#locked-notice")).to_be_hidden(**timeout)

    # An announcement whose time has passed is hidden by the browser itself, without a message from the server.
    hidden = phone.evaluate(
        """() => import("/static/js/render.js").then((m) => m.shownAnnouncements({announcements: [
            {id: 1, text: "old", until: "2000-01-01T00:00:00+01:00"}, {id: 2, text: "kept", until: null},
        ]}).map((a) => a.id))"""
    )
    assert hidden == [2]
    watch.assert_clean()


def test_an_announcement_leaves_phone_and_projector_when_its_time_passes(site, watch):
    slug, organizer_path = organized_event(site)
    organizer = HttpParticipant(site.url, slug)
    assert organizer.http.get(f"{site.url}{organizer_path}", timeout=10).status_code == 200
    until = (datetime.now(UTC) + timedelta(minutes=10)).replace(microsecond=0)
    pinned = organizer.http.post(
        f"{site.url}/api/events/{slug}/announcements",
        json={"text": "Coffee is ready", "until": until.isoformat()},
        headers={"X-CSRFToken": organizer.csrf},
        timeout=10,
    )
    assert pinned.status_code == 201, pinned.text
    pages = []
    for url, options in ((f"{site.url}/e/{slug}/", PHONE_360), (f"{site.url}/e/{slug}/wall", {})):
        context = watch.browser.new_context(**options)
        watch.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        page.clock.install()  # the page's own clock: fast-forwarded past the announcement's end below
        page.goto(url)
        expect(page.locator("#announcements li .announcement-text")).to_have_text(["Coffee is ready"])
        pages.append(page)
    for page in pages:
        page.clock.fast_forward("11:00")
        expect(page.locator("#announcements")).to_be_hidden()
    assert watch.page_errors == []
