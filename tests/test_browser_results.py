"""Documenting a session in Chromium: the topic page's results on a phone, the board and the wall watching live."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from live import HttpParticipant
from PIL import Image
from test_a11y import axe_violations
from test_browser import (  # noqa: F401  (fixtures)
    LIVE,
    artifacts,
    browser,
    cell_ids,
    claim_button,
    create_event,
    expect,
    list_cell,
    site,
    wait_live,
    wall_cell,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]
_slugs = itertools.count(1)
SHOTS = Path("/tmp/shots/resultsui")
PHONE_740 = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "bypass_csp": True,  # axe-core is added as an inline script
}


def new_event(site) -> str:
    """A new English event (3 rooms × 3 slots on 2026-02-27, all of them over by now)."""
    slug = f"res{next(_slugs)}"
    create_event(site.database_url, slug)
    return slug


def jpeg_bytes() -> bytes:
    """A small flipchart-like JPEG made with Pillow."""
    image = Image.new("RGB", (640, 480), (250, 240, 200))
    for x in range(80, 560):
        for y in (120, 121, 240, 241, 360, 361):
            image.putpixel((x, y), (30, 60, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def posted_topic(site, slug: str, title: str) -> int:
    """A topic in the first cell, posted by another participant over HTTP; returns its id."""
    room_id, slot_id = cell_ids(site.url, slug, 0)
    answer = HttpParticipant(site.url, slug).post(
        {"title": title, "host": "Bea", "room_id": room_id, "slot_id": slot_id}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["topic"]["id"]


def test_phone_documents_a_session_with_a_photo_and_board_and_wall_show_it_live(site, watch):
    slug = new_event(site)
    room_id, slot_id = cell_ids(site.url, slug, 0)
    phone = watch.phone(f"{site.url}/e/{slug}/", **PHONE_740)
    wait_live(phone)
    claim_button(phone, room_id, slot_id).click()
    phone.fill("#f-title", "Retouren & “Größen”")
    phone.fill("#f-host", "Ada")
    phone.click("#f-submit")
    expect(list_cell(phone, room_id, slot_id).locator(".topic-title")).to_have_text("Retouren & “Größen”")
    # The slot is over (2026-02-27) and nothing is written down: the host's phone reminds them.
    reminder = phone.locator("#result-reminders .result-reminder")
    expect(reminder).to_have_count(1)
    expect(reminder.locator("a")).to_have_text("Write down the results of “Retouren & “Größen””")

    board = watch.desktop(f"{site.url}/e/{slug}/results", viewport={"width": 1366, "height": 768}, bypass_csp=True)
    wait_live(board)
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    wait_live(wall)
    board.evaluate("window.__marker = 1")
    wall.evaluate("window.__marker = 1")
    row = board.locator("#board-list .board-row")
    expect(row).to_have_count(1)
    expect(row.locator(".state-badge")).to_have_text("missing")
    expect(row.locator(".board-title")).to_have_text("Retouren & “Größen”")
    expect(wall_cell(wall, room_id, slot_id).locator(".result-mark")).to_have_count(0)

    reminder.locator("a").click()
    wait_live(phone)
    expect(phone.locator("#r-state")).to_have_text("missing")
    phone.click("#r-edit")
    phone.fill("#r-summary", "Drei Maßnahmen.\nErst die Größentabelle.")
    phone.fill("#r-insights", "Kunden bestellen zwei Größen 🙂")
    phone.click("#r-add-item")
    item = phone.locator("#r-items .item-row").first
    item.locator('[name="item-what"]').fill("Größentabelle prüfen")
    item.locator('[name="item-who"]').fill("Ada")
    item.locator('[name="item-due"]').fill("2026-03-31")
    phone.fill("#r-attendees", "14")
    phone.fill("#r-links", "https://pad.example.org/retouren\n")
    # A file that is no image is refused with the reason, and nothing is added.
    phone.set_input_files(
        "#r-gallery", files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"}]
    )
    expect(phone.locator("#r-upload-error")).to_have_text("“notes.jpg” was not added: Not a JPEG, PNG or WebP image.")
    expect(phone.locator("#r-photos .photo")).to_have_count(0)
    phone.set_input_files(
        "#r-gallery", files=[{"name": "flipchart.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    expect(phone.locator("#r-photos .photo")).to_have_count(1)
    expect(phone.locator("#r-upload-status")).to_have_text("Photo added.")
    expect(phone.locator("#r-upload-error")).to_be_hidden()
    phone.wait_for_function(
        "() => { const img = document.querySelector('#r-photos img'); return img.naturalWidth > 0; }"
    )
    phone.click("#r-submit")

    expect(phone.locator("#r-state")).to_have_text("documented")
    expect(phone.locator('#r-view [data-field="summary"]')).to_have_text("Drei Maßnahmen.\nErst die Größentabelle.")
    expect(phone.locator("#r-view .item-list li")).to_have_text("Größentabelle prüfen – Ada (due Mar 31, 2026)")
    expect(phone.locator("#r-view .result-attendees")).to_have_text("14 attendees")
    link = phone.locator("#r-view .link-list a")
    expect(link).to_have_attribute("href", "https://pad.example.org/retouren")
    expect(phone.locator("#r-photos a")).to_have_attribute("href", f"/e/{slug}/photos/{_photo_id(phone)}.jpg")
    phone.click("#r-history summary")
    expect(phone.locator("#r-history-list .history-line")).to_have_count(1)
    expect(phone.locator("#r-history-list .history-line")).to_contain_text("Version 1 · documented · by a host")

    # The board and the wall learn it from the live delta, without a reload.
    expect(row.locator(".state-badge")).to_have_text("documented")
    expect(board.locator('[data-count="documented"]')).to_have_text("1")
    expect(board.locator('[data-count="missing"]')).to_have_text("0")
    expect(wall_cell(wall, room_id, slot_id).locator(".result-mark .sr-only")).to_have_text("Results documented")
    assert board.evaluate("window.__marker") == 1
    assert wall.evaluate("window.__marker") == 1
    board.click('#board-filter [data-state="missing"]')
    expect(board.locator("#board-list .board-row")).to_have_count(0)
    board.click('#board-filter [data-state="documented"]')
    expect(board.locator("#board-list .board-row")).to_have_count(1)
    board.click('#board-filter [data-state=""]')

    shoot(phone, "topic-results-360.png")
    shoot(board, "board-1366.png")
    shoot(wall, "wall-mark.png")
    board.set_viewport_size({"width": 360, "height": 740})
    shoot(board, "board-360.png")
    board.set_viewport_size({"width": 1366, "height": 768})
    phone.click("#r-edit")
    shoot(phone, "topic-results-form-360.png")
    assert axe_violations(phone) == []
    assert axe_violations(board) == []

    # Back on the list: the quiet mark, and no reminder any more.
    phone.goto(f"{site.url}/e/{slug}/")
    wait_live(phone)
    expect(list_cell(phone, room_id, slot_id).locator(".result-mark")).to_have_count(1)
    expect(phone.locator("#result-reminders")).to_be_hidden()
    shoot(phone, "phone-list-mark-360.png")
    watch.assert_clean(("status of 422", r"/result/photos$"))  # the refused text file


def _photo_id(page) -> int:
    return int(page.locator("#r-photos .photo").get_attribute("data-photo-id"))


def test_two_phones_edit_the_same_result_and_the_second_merges_after_the_conflict(site, watch):
    slug = new_event(site)
    topic_id = posted_topic(site, slug, "Onboarding")
    url = f"{site.url}/e/{slug}/t/{topic_id}"
    first = watch.phone(url, **PHONE_740)
    second = watch.phone(url, **PHONE_740)
    wait_live(first)
    wait_live(second)
    first.click("#r-edit")
    second.click("#r-edit")
    first.fill("#r-summary", "Mentoren für die ersten zwei Wochen.")
    second.fill("#r-summary", "Ein Handbuch statt Folien.")
    second.fill("#r-insights", "Alle wollen Beispiele.")
    first.click("#r-submit")
    expect(first.locator("#r-state")).to_have_text("documented")
    # The second phone is still typing: it is told, and its text stays.
    expect(second.locator("#r-newer")).to_contain_text("Someone saved a newer version.")
    expect(second.locator("#r-summary")).to_have_value("Ein Handbuch statt Folien.")

    second.click("#r-submit")
    conflict = second.locator("#r-conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator('[data-theirs="summary"]')).to_have_text("Mentoren für die ersten zwei Wochen.")
    expect(second.locator("#r-summary")).to_be_visible()
    expect(second.locator("#r-summary")).to_have_value("Ein Handbuch statt Folien.")
    expect(second.locator("#r-insights")).to_have_value("Alle wollen Beispiele.")
    expect(second.locator("#r-submit")).to_have_text("Save my merged text")
    shoot(second, "conflict-360.png")
    second.set_viewport_size({"width": 1024, "height": 800})
    shoot(second, "conflict-1024.png")
    second.set_viewport_size({"width": 360, "height": 740})
    assert axe_violations(second) == []

    second.fill("#r-summary", "Mentoren für die ersten zwei Wochen.\nEin Handbuch statt Folien.")
    second.click("#r-submit")
    expect(second.locator("#r-conflict")).to_be_hidden()
    expect(second.locator('#r-view [data-field="summary"]')).to_have_text(
        "Mentoren für die ersten zwei Wochen.\nEin Handbuch statt Folien."
    )
    expect(second.locator("body")).to_have_attribute("data-result-version", "2")
    # The first phone, not editing, shows the merged version live.
    expect(first.locator('#r-view [data-field="summary"]')).to_have_text(
        "Mentoren für die ersten zwei Wochen.\nEin Handbuch statt Folien."
    )
    expect(first.locator('#r-view [data-field="insights"]')).to_have_text("Alle wollen Beispiele.")
    watch.assert_clean(("status of 409", r"/result$"))  # the refused stale save, expected


def test_a_dismissed_reminder_stays_dismissed_after_a_reload(site, watch):
    slug = new_event(site)
    room_id, slot_id = cell_ids(site.url, slug, 1)
    phone = watch.phone(f"{site.url}/e/{slug}/", **PHONE_740)
    wait_live(phone)
    claim_button(phone, room_id, slot_id).click()
    phone.fill("#f-title", "Preise")
    phone.fill("#f-host", "Ada")
    phone.click("#f-submit")
    reminder = phone.locator("#result-reminders .result-reminder")
    expect(reminder).to_have_count(1)
    expect(reminder.locator("button")).to_have_accessible_name("Dismiss the reminder for “Preise”")
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(path=str(SHOTS / "phone-reminder-360.png"))
    reminder.locator("button").click()
    expect(phone.locator("#result-reminders")).to_be_hidden()
    phone.reload()
    wait_live(phone)
    expect(list_cell(phone, room_id, slot_id).locator(".topic-title")).to_have_text("Preise")
    expect(phone.locator("#result-reminders")).to_be_hidden()
    watch.assert_clean()


def test_a_photo_added_elsewhere_appears_on_an_open_topic_page_without_reload(site, watch):
    slug = new_event(site)
    room_id, slot_id = cell_ids(site.url, slug, 0)
    bea = HttpParticipant(site.url, slug)
    posted = bea.post({"title": "Fotos", "host": "Bea", "room_id": room_id, "slot_id": slot_id})
    topic_id = posted.json()["topic"]["id"]
    reader = watch.phone(f"{site.url}/e/{slug}/t/{topic_id}", **PHONE_740)
    wait_live(reader)
    reader.evaluate("window.__marker = 1")
    expect(reader.locator("#r-photos .photo")).to_have_count(0)
    result = f"{site.url}/api/events/{slug}/topics/{topic_id}/result/photos"
    added = bea.http.post(
        result, files={"photo": ("f.jpg", jpeg_bytes(), "image/jpeg")}, headers={"X-CSRFToken": bea.csrf}, timeout=30
    )
    assert added.status_code == 201, added.text
    expect(reader.locator("#r-photos .photo")).to_have_count(1)
    reader.wait_for_function("() => document.querySelector('#r-photos img').naturalWidth > 0")  # shown, not loading
    gone = bea.http.delete(f"{result}/{added.json()['id']}", headers={"X-CSRFToken": bea.csrf}, timeout=10)
    assert gone.status_code == 200
    expect(reader.locator("#r-photos .photo")).to_have_count(0)
    assert reader.evaluate("window.__marker") == 1  # the same page: nothing was reloaded
    watch.assert_clean()
