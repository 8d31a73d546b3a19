"""The activity log and undo on the organizer page in Chromium, with a phone watching live."""

from __future__ import annotations

import pytest
from test_browser import artifacts, browser, expect, site, wait_live, watch  # noqa: F401  (fixtures)
from test_browser_moderation import organized_event

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_the_log_shows_each_step_and_undo_takes_back_the_organizers_one_by_one(site, watch, artifacts):
    slug, organizer_path = organized_event(site)
    orga = watch.desktop(f"{site.url}{organizer_path}", accept_dialogs=True, viewport={"width": 1280, "height": 900})
    wait_live(orga)
    phone = watch.phone(f"{site.url}/e/{slug}/")
    wait_live(phone)
    phone.locator("button.claim").first.click()
    phone.fill("#f-title", "Retouren senken")
    phone.fill("#f-host", "Ada")
    phone.click("#f-submit")
    log = orga.locator("#activity-list li")
    expect(log.first.locator(".activity-what")).to_have_text("A participant pinned")
    expect(log.first.locator(".activity-topic")).to_have_text("Retouren senken")

    orga.fill("#mod-reason", "Mittagspause")
    orga.click("#mod-lock")
    expect(phone.locator("#locked-notice")).to_contain_text("Mittagspause")
    orga.locator("#mod-live").get_by_role("button", name="Pin to its place").click()
    expect(phone.locator("#wall .pinned-mark")).to_have_count(1)
    expect(log.locator(".activity-what")).to_have_text(
        ["An organizer pinned to its place", "An organizer locked the wall", "A participant pinned"]
    )
    expect(log.nth(1).locator(".activity-detail")).to_have_text("“Mittagspause”")
    orga.locator("#activity").screenshot(path=str(artifacts / "organizer-activity-1280.png"))

    orga.click("#undo-last")
    expect(orga.locator("#activity-notice")).to_have_text("Undone: pinned to its place")
    expect(phone.locator("#wall .pinned-mark")).to_have_count(0)
    expect(log.first.locator(".activity-what")).to_have_text("An organizer undid a step")
    expect(orga.locator("#activity-list li.undone")).to_have_count(1)
    orga.click("#undo-last")
    expect(orga.locator("#activity-notice")).to_have_text("Undone: locked the wall")
    expect(phone.locator("#locked-notice")).to_be_hidden()
    orga.click("#undo-last")
    expect(orga.locator("#activity-error")).to_have_text("There is nothing left to undo.")
    expect(phone.locator("#wall .topic-title")).to_have_text(["Retouren senken"])  # a participant's post stays
