"""After the sessions in Chromium: the organizer reviews a result and follows up an action item, publishes the
report, and a second browser reads it; the review page updates live when a host documents a session."""

from __future__ import annotations

import itertools
import re
from io import BytesIO
from pathlib import Path

import pytest
from live import HttpParticipant, cli
from PIL import Image
from test_a11y import axe_violations
from test_browser import LIVE_UPDATE_TIMEOUT_MS, browser, expect, site, wait_live, watch  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.server]
SHOTS = Path("/tmp/shots/review")
_slugs = itertools.count(1)


def organized_event(site) -> tuple[str, str]:
    """A new two-day English event made by the CLI; returns its slug and organizer link path."""
    slug = f"rev{next(_slugs)}"
    output = cli(
        site.database_url,
        "create-event",
        "--name=Zukunftskonferenz Handel",
        f"--slug={slug}",
        "--starts-on=2026-02-27",
        "--ends-on=2026-02-28",
        "--language=en",
        "--room=Plenum | 120 | Erdgeschoss",
        "--room=Werkstatt | 20",
        "--slot=2026-02-27 10:00-10:50 Runde 1",
        "--slot=2026-02-27 11:00-11:50 Runde 2",
        "--slot=2026-02-27 12:00-13:00 Mittagessen [Pause]",
        "--slot=2026-02-28 10:00-10:50 Runde 3",
    )
    return slug, re.search(r"(/e/[^/\s]+/organize/\S+)", output).group(1)


def flipchart() -> bytes:
    image = Image.new("RGB", (640, 480), (250, 248, 240))
    for x in range(40, 600, 60):
        image.paste((30, 90, 170), (x, 60, x + 30, 420))
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Host(HttpParticipant):
    def topic(self, n: int, title: str, host: str, goal: str = "") -> int:
        wall = self.wall()
        cells = [(r["id"], s["id"]) for s in wall["slots"] if not s["is_break"] for r in wall["rooms"]]
        room, slot = cells[n]
        body = {"title": title, "host": host, "goal": goal, "context": "", "room_id": room, "slot_id": slot}
        response = self.post(body)
        assert response.status_code == 201, response.text
        return response.json()["topic"]["id"]

    def result(self, topic_id: int, **fields) -> dict:
        response = self.http.put(
            f"{self.base}/api/events/{self.slug}/topics/{topic_id}/result",
            json={"version": 0, **fields},
            headers={"X-CSRFToken": self.csrf},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def photo(self, topic_id: int) -> int:
        response = self.http.post(
            f"{self.base}/api/events/{self.slug}/topics/{topic_id}/result/photos",
            files={"photo": ("flipchart.jpg", flipchart(), "image/jpeg")},
            headers={"X-CSRFToken": self.csrf},
            timeout=10,
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]


def test_organizer_reviews_follows_up_and_publishes_and_a_reader_sees_the_report(site, watch):
    SHOTS.mkdir(parents=True, exist_ok=True)
    slug, organizer_path = organized_event(site)
    host = Host(site.url, slug)
    retouren = host.topic(0, "Retouren senken", "Marek", "Drei Maßnahmen, die wir im März testen")
    lager = host.topic(1, "Lager ohne Papier", "Jana")
    host.topic(2, "Kundendienst am Wochenende", "Ole")
    later = host.topic(4, "Nachhaltige Verpackung", "Ada")
    host.result(
        retouren,
        summary="Die meisten Retouren kommen von falschen Größen.\nWir testen eine bessere Größentabelle.",
        insights="Kunden bestellen zwei Größen und schicken eine zurück.\nFotos am Produkt helfen mehr als Text.",
        attendees=14,
        links=["https://pad.example.org/retouren"],
        action_items=[
            {"what": "Größentabelle überarbeiten", "who": "Ada", "due": "2026-03-31"},
            {"what": "Retourengründe auswerten", "who": "Ben"},
        ],
    )
    host.photo(retouren)
    host.photo(retouren)
    host.result(lager, summary="Scanner an jedem Platz; Pilot im April.", attendees=8)

    orga = watch.desktop(f"{site.url}{organizer_path}", viewport={"width": 1366, "height": 768}, bypass_csp=True)
    orga.goto(f"{site.url}/e/{slug}/organizer/review")
    wait_live(orga)
    session = orga.locator(f"#session-{retouren}")
    expect(session.locator('[data-role="state"]')).to_have_text("documented")
    session.get_by_role("button", name="Mark reviewed").click()
    expect(orga.locator(f'#session-{retouren} [data-role="state"]')).to_have_text("reviewed")
    expect(orga.locator(f"#session-{retouren}").get_by_role("button", name="Back to documented")).to_be_focused()

    form = orga.locator(f"#session-{retouren} form.item-form").first
    form.get_by_label("Status").select_option("done")
    form.get_by_label("Owner").fill("Clara")
    form.get_by_label("Note").fill("Neue Tabelle ist online.")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".item-said")).to_have_text("Saved.")
    result = orga.request.get(f"{site.url}/api/events/{slug}/topics/{retouren}/result").json()
    assert [(i["status"], i["owner"], i["note"]) for i in result["action_items"]] == [
        ("done", "Clara", "Neue Tabelle ist online."),
        ("open", "", ""),
    ]
    assert result["state"] == "reviewed"

    photo = orga.locator(f"#session-{retouren} .review-photos li").nth(1)
    photo.get_by_role("button", name="Hide photo").click()
    expect(orga.locator(f"#session-{retouren} .review-photos li.is-hidden")).to_have_count(1)

    host.result(later, summary="Mehrweg-Versandtaschen im Pilot.")  # a host documents meanwhile: live
    expect(orga.locator(f'#session-{later} [data-role="state"]')).to_have_text(
        "documented", timeout=LIVE_UPDATE_TIMEOUT_MS
    )
    assert axe_violations(orga) == []
    orga.screenshot(path=str(SHOTS / "review-1366.png"))
    orga.screenshot(path=str(SHOTS / "review-1366-full.png"), full_page=True)

    orga.locator("#publish").click()
    expect(orga.locator("#review-summary")).to_contain_text("The report is public.")
    expect(orga.locator("#publish")).to_have_text("Unpublish the report")

    for size, name in (({"width": 1366, "height": 768}, "report-1366"), ({"width": 360, "height": 740}, "report-360")):
        reader = watch.page(f"{site.url}/e/{slug}/report", viewport=size, bypass_csp=True)  # axe is injected
        part = reader.locator(f"#topic-{retouren}")
        expect(part.locator("h4")).to_have_text("Retouren senken")
        expect(part).to_contain_text("Die meisten Retouren kommen von falschen Größen.")
        expect(part).to_contain_text("Größentabelle überarbeiten")
        expect(part.locator(".report-photos img")).to_have_count(1)  # the hidden one is not there
        expect(reader.locator(".badge-hidden")).to_have_count(0)
        assert axe_violations(reader) == []
        reader.screenshot(path=str(SHOTS / f"{name}.png"))
        reader.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)

    orga.goto(f"{site.url}/organizer/follow-up")
    rows = orga.locator("#followup-table tbody tr")
    expect(rows).to_have_count(2)
    second = rows.nth(1)
    second.get_by_label("Status of “Retourengründe auswerten”").select_option("in_progress")
    expect(orga.locator("#followup-said")).to_have_text("Saved.")
    orga.reload()
    expect(orga.locator("#followup-table tbody tr").nth(1).get_by_role("combobox")).to_have_value("in_progress")
    assert axe_violations(orga) == []
    orga.screenshot(path=str(SHOTS / "followup-1366.png"), full_page=True)
    orga.set_viewport_size({"width": 360, "height": 740})
    orga.screenshot(path=str(SHOTS / "followup-360.png"), full_page=True)
    orga.goto(f"{site.url}/e/{slug}/organizer/review")
    orga.screenshot(path=str(SHOTS / "review-360.png"))
    watch.assert_clean()
