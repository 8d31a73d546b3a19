"""The organizers' moderation panel in Chromium, with a participant's phone watching live."""

from __future__ import annotations

import itertools
import re

import pytest
from live import cli
from test_browser import LIVE, artifacts, browser, expect, site, wait_live, watch  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.server]
_slugs = itertools.count(1)


def organized_event(site) -> tuple[str, str]:
    """A new English event made by the CLI; returns its slug and organizer link path."""
    slug = f"mod{next(_slugs)}"
    output = cli(
        site.database_url,
        "create-event",
        f"--name=Moderation {slug}",
        f"--slug={slug}",
        "--starts-on=2026-02-27",
        "--language=en",
        "--room=Raum 1",
        "--room=Raum 2",
        "--slot=09:00-09:50 Runde 1",
        "--slot=10:00-10:50 Runde 2",
    )
    return slug, re.search(r"(/e/[^/\s]+/organize/\S+)", output).group(1)


def post_from_phone(phone, title: str) -> None:
    phone.click("#open-form")
    phone.fill("#f-title", title)
    phone.fill("#f-host", "Ada")
    phone.click("#f-submit")


def test_lock_premoderate_approve_and_block_from_the_panel_reach_the_phone_live(site, watch, artifacts):
    slug, organizer_path = organized_event(site)
    orga = watch.desktop(f"{site.url}{organizer_path}", accept_dialogs=True, viewport={"width": 1280, "height": 900})
    wait_live(orga)
    phone = watch.phone(f"{site.url}/e/{slug}/")
    wait_live(phone)

    orga.fill("#mod-reason", "Marketplace is over.")
    orga.click("#mod-lock")
    notice = phone.locator("#locked-notice")
    expect(notice).to_have_text("The wall is locked: only the organizers change it now. Marketplace is over.")
    expect(phone.locator("#open-form")).to_be_disabled()
    expect(phone.locator("button.claim")).to_have_count(0)
    expect(orga.locator("#mod-lock-state")).to_have_text("The wall is locked. Marketplace is over.")
    orga.click("#mod-unlock")
    expect(notice).to_be_hidden()
    expect(phone.locator("#open-form")).to_be_enabled()

    orga.check("#mod-premod")
    expect(phone.locator("#premod-hint")).to_be_attached()
    phone.click("#open-form")
    expect(phone.locator("#premod-hint")).to_be_visible()
    phone.click("#f-cancel")
    post_from_phone(phone, "Wartet auf Freigabe")
    expect(phone.locator("#pending-notice")).to_have_text(
        "Thank you! Your topic “Wartet auf Freigabe” waits for the organizers' approval."
    )
    pending = orga.locator("#mod-pending li")
    expect(pending).to_have_count(1)
    expect(pending.locator(".topic-title")).to_have_text("Wartet auf Freigabe")
    expect(orga.locator("#mod-pending-count")).to_have_text("1")
    expect(phone.locator("#wall .topic-title")).to_have_count(0)
    orga.screenshot(path=str(artifacts / "organizer-moderation-1280.png"), full_page=True)
    pending.get_by_role("button", name="Approve").click()
    expect(phone.locator("#wall .topic-title")).to_have_text(["Wartet auf Freigabe"])
    expect(pending).to_have_count(0)

    orga.uncheck("#mod-premod")
    post_from_phone(phone, "Zweites von Ada")
    expect(phone.locator("#wall .topic-title")).to_have_count(2)
    expect(phone.locator("#wall button[data-edit]")).to_have_count(2)  # both are Ada's own
    expect(orga.locator("#mod-live li")).to_have_count(2)
    orga.locator("#mod-live li").first.get_by_role("button", name="Pin to its place").click()
    expect(phone.locator("#wall .pinned-mark")).to_have_text(["Pinned by the organizers"])
    expect(orga.locator("#mod-live li").first.get_by_role("button", name="Unpin")).to_be_visible()
    orga.locator("#wall button[data-edit]").first.click()
    expect(orga.locator("#form-heading")).to_have_text("Edit this topic")  # not "your": it is Ada's
    orga.click("#f-cancel")
    orga.locator("#mod-live li").first.get_by_role("button", name="Withdraw all from this device and block it").click()
    expect(phone.locator("#wall .topic-title")).to_have_count(0)
    expect(orga.locator("#mod-withdrawn li")).to_have_count(2)
    expect(orga.locator("#mod-blocked")).to_have_text("Blocked devices: 1")
    post_from_phone(phone, "Gesperrt")
    expect(phone.locator("#form-error")).to_have_text(
        "The organizers have stopped changes to the wall from this device."
    )
    phone.click("#f-cancel")

    orga.locator("#mod-withdrawn li").first.get_by_role("button", name="Unblock this device").click()
    expect(orga.locator("#mod-blocked")).to_have_text("Blocked devices: 0")
    for box in orga.locator("#mod-withdrawn li input[type=checkbox]").all():
        box.check()
    orga.click("#mod-restore-selected")
    expect(phone.locator("#wall .topic-title")).to_have_count(2)
    # The phone dropped the withdrawn ids from its own: restored, they show no edit buttons until it resyncs.
    expect(phone.locator("#wall button[data-edit]")).to_have_count(0)
    expect(orga.locator("#mod-withdrawn li")).to_have_count(0)
    orga.click("#mod-rotate")  # dialogs are accepted on this page
    expect(orga.locator("#mod-new-link-url")).to_have_text(re.compile(rf"^http://127\.0\.0\.1:\d+/e/{slug}/organize/"))
    assert orga.locator("#mod-new-link-url").get_attribute("href") != f"{site.url}{organizer_path}"
    orga.click("#mod-select-recent")
    orga.click("#mod-withdraw-selected")
    expect(phone.locator("#wall .topic-title")).to_have_count(0)
    expect(phone.locator(LIVE)).to_be_visible()
    watch.assert_clean(("403", r"/api/events/mod\d+/topics$"))  # the blocked post, refused as expected


def test_a_swap_reaches_a_live_phone_as_one_change(site, watch):
    from live import HttpParticipant

    slug, organizer_path = organized_event(site)
    orga = HttpParticipant(site.url, slug)
    assert orga.http.get(f"{site.url}{organizer_path}", timeout=10).status_code == 200
    wall = orga.wall()
    cells = [(r["id"], s["id"]) for s in wall["slots"] for r in wall["rooms"]]
    a = orga.post({"title": "Erstes", "host": "Ada", "room_id": cells[0][0], "slot_id": cells[0][1]}).json()["topic"]
    b = orga.post({"title": "Zweites", "host": "Bo", "room_id": cells[3][0], "slot_id": cells[3][1]}).json()["topic"]
    phone = watch.phone(f"{site.url}/e/{slug}/")
    wait_live(phone)
    revision = int(phone.evaluate("document.body.dataset.revision"))
    swapped = orga.http.post(
        f"{site.url}/api/events/{slug}/topics/{a['id']}/swap",
        json={"other_id": b["id"]},
        headers={"X-CSRFToken": orga.csrf},
        timeout=10,
    )
    assert swapped.status_code == 200
    cell = 'li.cell[data-room-id="{}"][data-slot-id="{}"] .topic-title'
    expect(phone.locator(cell.format(*cells[0]))).to_have_text("Zweites")
    expect(phone.locator(cell.format(*cells[3]))).to_have_text("Erstes")
    assert int(phone.evaluate("document.body.dataset.revision")) == revision + 1
    watch.assert_clean()
