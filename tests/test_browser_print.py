"""The topic page live in Chromium, and the printed sheets as images (screenshots in test-artifacts/print-*)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import requests
from live import HttpParticipant, cli
from test_browser import (  # noqa: F401 - fixtures are used by name
    LIVE,
    LIVE_UPDATE_TIMEOUT_MS,
    PHONE_360,
    artifacts,
    browser,
    expect,
    mark,
    marker,
    site,
    wait_live,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]


def workshop(site, slug: str) -> str:
    """An event with located rooms and a lunch break, made by the CLI; returns its organizer link."""
    output = cli(
        site.database_url,
        "create-event",
        "--name=Zukunftswerkstatt Mobilität",
        f"--slug={slug}",
        "--starts-on=2026-02-27",
        "--language=en",
        "--room=Großer Saal | 60 | Erdgeschoss, links",
        "--room=Werkstatt | 12 | 1. Stock",
        "--slot=09:30-10:30 Runde 1",
        "--slot=10:45-11:45 Runde 2",
        "--slot=12:00-13:00 Mittagessen [Pause]",
        "--slot=13:00-14:00 Runde 3",
    )
    return site.url + re.search(r"(/e/[^/\s]+/organize/\S+)", output).group(1)


class Host(HttpParticipant):
    """A participant who pins and edits topics over the real API."""

    def pin(self, title: str, room_id: int | None, slot_id: int | None, **text: str) -> int:
        body = {"title": title, "host": text.pop("host", "Marek"), "room_id": room_id, "slot_id": slot_id, **text}
        answer = self.post(body)
        assert answer.status_code == 201, answer.text
        return answer.json()["topic"]["id"]

    def patch(self, topic_id: int, body: dict) -> requests.Response:
        url = f"{self.base}/api/events/{self.slug}/topics/{topic_id}"
        return self.http.patch(url, json=body, headers={"X-CSRFToken": self.csrf}, timeout=30)


def test_topic_page_follows_edits_moves_and_withdrawal_live(site, watch, artifacts):
    workshop(site, "tp-live")
    host = Host(site.url, "tp-live")
    wall = host.wall()
    saal, werkstatt = (r["id"] for r in wall["rooms"])
    first, second = wall["slots"][0]["id"], wall["slots"][1]["id"]
    topic_id = host.pin(
        "Lastenräder für alle Quartiere",
        saal,
        first,
        goal="Ein Verleihnetz mit drei Stationen bis zum Sommer",
        context="Die Stadt fördert Sharing-Angebote seit 2025; zwei Vereine haben schon Räder.",
    )
    page = watch.page(f"{site.url}/e/tp-live/t/{topic_id}", **PHONE_360)
    wait_live(page)
    expect(page.locator("#t-title")).to_have_text("Lastenräder für alle Quartiere")
    expect(page.locator("#t-room")).to_have_text("Großer Saal")
    expect(page.locator("#t-time")).to_have_text("09:30–10:30")
    expect(page.locator("#t-location")).to_have_text("Erdgeschoss, links")
    expect(page.locator("#t-edit")).to_be_hidden()  # not this browser's topic
    artifacts.joinpath("print-topic-page-360.png").write_bytes(page.screenshot(full_page=True))
    mark(page)

    assert host.patch(topic_id, {"title": "Lastenräder teilen", "room_id": werkstatt, "slot_id": second}).ok
    expect(page.locator("#t-title")).to_have_text("Lastenräder teilen", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(page.locator("#t-room")).to_have_text("Werkstatt")
    expect(page.locator("#t-time")).to_have_text("10:45–11:45")
    expect(page.locator("#t-location")).to_have_text("1. Stock")

    assert host.http.delete(
        f"{site.url}/api/events/tp-live/topics/{topic_id}", headers={"X-CSRFToken": host.csrf}, timeout=30
    ).ok
    expect(page.locator("#withdrawn-notice")).to_be_visible(timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(page.locator("#withdrawn-notice")).to_have_text("This topic was withdrawn from the wall.")
    expect(page.locator("#topic")).to_be_hidden()
    assert marker(page) == 1  # no reload
    artifacts.joinpath("print-topic-withdrawn-360.png").write_bytes(page.screenshot())
    watch.assert_clean()


def test_host_edits_on_the_topic_page_and_another_phone_sees_it(site, watch, artifacts):
    workshop(site, "tp-edit")
    own = watch.page(f"{site.url}/e/tp-edit/", **PHONE_360)
    wait_live(own)
    csrf = own.locator('meta[name="csrf-token"]').get_attribute("content")
    wall = own.request.get(f"{site.url}/api/events/tp-edit/wall").json()
    posted = own.request.post(
        f"{site.url}/api/events/tp-edit/topics",
        data={"title": "Tempo 30 vor Schulen", "host": "Ines", "room_id": wall["rooms"][1]["id"],
              "slot_id": wall["slots"][3]["id"], "goal": "Ein Antrag an den Bezirk"},
        headers={"X-CSRFToken": csrf},
    )  # fmt: skip
    topic_id = posted.json()["topic"]["id"]
    expect(own.locator(f'#wall a.topic-title[href="/e/tp-edit/t/{topic_id}"]')).to_have_text(
        "Tempo 30 vor Schulen", timeout=LIVE_UPDATE_TIMEOUT_MS
    )
    own.click(f'#wall a.topic-title[href="/e/tp-edit/t/{topic_id}"]')
    wait_live(own)
    other = watch.page(f"{site.url}/e/tp-edit/t/{topic_id}", **PHONE_360)
    wait_live(other)
    mark(other)

    own.click("#t-edit")
    expect(own.locator("#te-title")).to_have_value("Tempo 30 vor Schulen")
    own.fill("#te-title", "")
    own.click("#te-submit")
    expect(own.locator("#t-form-error")).to_be_visible()  # a title is required; nothing changed
    expect(other.locator("#t-title")).to_have_text("Tempo 30 vor Schulen")
    own.fill("#te-title", "Tempo 30 vor allen Schulen")
    own.fill("#te-context", "Drei Unfälle im letzten Jahr")
    own.click("#te-submit")
    expect(own.locator("#t-form-panel")).to_be_hidden()
    expect(other.locator("#t-title")).to_have_text("Tempo 30 vor allen Schulen", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(other.locator("#t-context")).to_have_text("Drei Unfälle im letzten Jahr")
    expect(other.locator("#t-edit")).to_be_hidden()
    expect(own.locator("#t-title")).to_have_text("Tempo 30 vor allen Schulen")
    expect(own.locator("#t-time")).to_have_text("13:00–14:00")
    assert marker(other) == 1
    artifacts.joinpath("print-topic-page-host-360.png").write_bytes(own.screenshot(full_page=True))
    watch.assert_clean(("400", r"/topics/\d+$"), ("422", r"/topics/\d+$"))


def test_printed_topic_sheet_and_door_sign_as_images(site, watch, artifacts, tmp_path):
    for tool in ("pdftoppm", "pdfinfo"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} (poppler-utils) is not installed")
    organizer_link = workshop(site, "tp-print")
    host = Host(site.url, "tp-print")
    wall = host.wall()
    rooms, slots = [r["id"] for r in wall["rooms"]], [s["id"] for s in wall["slots"]]
    sheet = host.pin(
        "Wie kommen Pendlerinnen ohne Auto zur Arbeit?",
        rooms[0],
        slots[1],
        host="Marek Nowak",
        goal="Drei Vorschläge für den Betriebsrat: Jobrad, Shuttle, Mitfahrbörse.",
        context="Das Werk liegt 8 km vom Bahnhof; der letzte Bus fährt um 18 Uhr.",
    )
    host.pin("Parkplätze zu Beeten", rooms[0], slots[0], host="Ada")
    host.pin("Schulwege sicher machen", rooms[0], slots[3], host="Jo")
    organizer = requests.Session()
    assert organizer.get(organizer_link, timeout=10).ok
    pdfs = {
        "topic": organizer.get(f"{site.url}/e/tp-print/print/topics/{sheet}.pdf", timeout=60),
        "doors": organizer.get(f"{site.url}/e/tp-print/print/doors.pdf", timeout=60),
    }
    for name, answer in pdfs.items():
        assert (answer.status_code, answer.headers["Content-Type"]) == (200, "application/pdf"), answer.text
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(answer.content)
        image = artifacts / f"print-{name}-sheet"
        subprocess.run(
            ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", "-singlefile", str(path), str(image)], check=True
        )
    info = subprocess.run(["pdfinfo", str(tmp_path / "doors.pdf")], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+2\n", info)
    # The HTML printable, as the organizer's browser shows it before printing.
    page = watch.page(organizer_link)
    expect(page.locator(".print-links a")).to_have_count(8)
    artifacts.joinpath("print-organizer-links.png").write_bytes(page.locator(".org-links").screenshot())
    page.goto(f"{site.url}/e/tp-print/print/doors")
    expect(page.locator(".door-room")).to_have_text(["Großer Saal", "Werkstatt"])
    artifacts.joinpath("print-doors-browser.png").write_bytes(page.screenshot())
    watch.assert_clean()
