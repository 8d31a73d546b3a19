"""Every time zone /new accepts is one the browser's date formatting knows (phones and the wall use it)."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest
from test_browser import browser  # noqa: F401  (fixture)

from openspace.events import valid_timezone

pytestmark = [pytest.mark.browser]


def test_every_accepted_time_zone_formats_in_chromium(browser):
    accepted = sorted(z for z in available_timezones() if valid_timezone(z))
    refused = sorted(z for z in available_timezones() if not valid_timezone(z))
    assert "Europe/Berlin" in accepted and "UTC" in accepted and "localtime" not in accepted
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><title>zones</title>")
        failing = page.evaluate(
            """zones => zones.filter(zone => {
                 try { new Intl.DateTimeFormat("de", { timeZone: zone, hour: "2-digit" }).format(0); return false; }
                 catch { return true; }
               })""",
            accepted,
        )
        known_refused = page.evaluate(
            """zones => zones.filter(zone => {
                 try { new Intl.DateTimeFormat("de", { timeZone: zone }).format(0); return true; }
                 catch { return false; }
               })""",
            refused,
        )
    finally:
        page.close()
    assert failing == []
    assert len(accepted) > 400
    # What is refused but would format (old aliases such as "EST" or "GB") is refused for being no Area/Location name.
    assert all("/" not in zone or zone.startswith(("posix/", "right/", "SystemV/")) for zone in known_refused)
