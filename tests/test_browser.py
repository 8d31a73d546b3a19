"""End to end in headless Chromium: phones and a projector against a real gevent server.

Screenshots go to test-artifacts/ at the repository root (gitignored).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

import pytest
import requests
from live import ROOT, HttpParticipant, LiveServer, cli

if os.environ.get("CI") == "true":
    # On CI a missing Playwright fails the run, as missing servers do; this module's importers fail with it.
    import playwright.sync_api as playwright_sync
else:
    playwright_sync = pytest.importorskip("playwright.sync_api")
expect = playwright_sync.expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1920, "height": 1080}}
PHONE_360 = {**PHONE, "viewport": {"width": 360, "height": 740}}  # a small phone, for screenshots and one-hand use
LIVE = '#status[data-state="live"]'
# The promise (README, PRODUCT.md): a change shows on every phone and wall within one second, without a reload.
LIVE_UPDATE_MS = 1_000
# On CI, headless Chromium and the server share two busy cores with other jobs: a page can be starved for seconds
# that a real event never sees. Browser tests give every time bound this margin on top, so they check that
# updates arrive live; bench/ measures how fast they arrive.
CI_MARGIN_MS = 4_000
LIVE_UPDATE_TIMEOUT_MS = LIVE_UPDATE_MS + CI_MARGIN_MS
# Console errors that are expected and harmless in every test (not failures).
FAVICON_404 = ("404", r"/favicon\.ico$")
_slugs = itertools.count(1)


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module (Debian's build; downloads are blocked)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing on CI: browser tests cannot run")
        pytest.skip(f"{CHROMIUM} is not installed")
    with playwright_sync.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def create_event(database_url: str, slug: str, *, language: str = "en", rooms: int = 3, slots: int = 3) -> None:
    """An event made by the real CLI: `rooms` rooms (Raum 1..n), `slots` 50-minute slots on 2026-02-27."""
    cli(
        database_url,
        "create-event",
        f"--name=Browser {slug}",
        f"--slug={slug}",
        "--starts-on=2026-02-27",
        f"--language={language}",
        *[f"--room=Raum {i + 1}" for i in range(rooms)],
        *[f"--slot=2026-02-27 {9 + i:02d}:00-{9 + i:02d}:50 Runde {i + 1}" for i in range(slots)],
    )


class Site:
    """The module's server, with its database so tests can add events through the CLI."""

    def __init__(self, server: LiveServer, database_url: str) -> None:
        self.server = server
        self.url = server.url
        self.database_url = database_url

    def new_event(self, language: str = "en") -> str:
        slug = f"b{next(_slugs)}-{language}"
        create_event(self.database_url, slug, language=language)
        return slug


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real `python wsgi.py` server on a temporary SQLite file, with an English event `browser`."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.sqlite3'}"
    create_event(database_url, "browser", language="en")
    with LiveServer(database_url) as server:
        yield Site(server, database_url)


@pytest.fixture
def slug(site):
    """A fresh English event per test, so tests never see each other's topics."""
    return site.new_event("en")


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


class Watch:
    """Opens contexts and pages and records page errors, console errors and dialogs of all of them."""

    def __init__(self, browser) -> None:
        self.browser = browser
        self.contexts = []
        self.page_errors: list[str] = []
        self.console_errors: list[tuple[str, str]] = []  # (text, url)
        self.dialogs: list[str] = []

    def page(self, url: str, *, accept_dialogs: bool = False, **context_options):
        context = self.browser.new_context(**context_options)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda message: (
                self.console_errors.append((message.text, message.location.get("url", "")))
                if message.type == "error"
                else None
            ),
        )

        def on_dialog(dialog) -> None:
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            if accept_dialogs:
                dialog.accept()
            else:
                dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(url)
        return page

    def phone(self, url: str, **options):
        return self.page(url, **{**PHONE, **options})

    def desktop(self, url: str, **options):
        return self.page(url, **{**DESKTOP, **options})

    def unexpected_console_errors(self, *allowed: tuple[str, str]) -> list[tuple[str, str]]:
        """Console errors not matched by any (text regex, url regex) pair; the favicon 404 is always allowed."""
        patterns = [FAVICON_404, *allowed]
        return [
            (text, url)
            for text, url in self.console_errors
            if not any(re.search(t, text) and re.search(u, url) for t, u in patterns)
        ]

    def assert_clean(self, *allowed_console: tuple[str, str]) -> None:
        assert self.page_errors == [], self.page_errors
        assert self.unexpected_console_errors(*allowed_console) == []

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def watch(browser):
    session = Watch(browser)
    yield session
    session.close()
    if session.console_errors:
        print("console errors:", *session.console_errors, sep="\n  ")
    # A test that forgot assert_clean() still fails on an uncaught script error.
    assert session.page_errors == [], session.page_errors


def silent_drop_ms(base_url: str) -> int:
    """How long a silently dead connection can still look live: the server's Engine.IO ping interval + timeout."""
    handshake = requests.get(f"{base_url}/socket.io/?EIO=4&transport=polling", timeout=10).text
    opened = json.loads(handshake[handshake.index("{") :])
    return opened["pingInterval"] + opened["pingTimeout"]


def wait_live(page, timeout: float = 10_000) -> None:
    page.wait_for_selector(LIVE, timeout=timeout)


def wall_cell(page, room_id: int, slot_id: int):
    """The projector's <td> for one cell: row by slot id, column by room id."""
    return page.locator(f'#grid tr[data-slot-id="{slot_id}"] td[data-room-id="{room_id}"]')


def list_cell(page, room_id: int, slot_id: int):
    """The phone list's <li> for one cell."""
    return page.locator(f'#wall li.cell[data-room-id="{room_id}"][data-slot-id="{slot_id}"]')


def claim_button(page, room_id: int, slot_id: int):
    return page.locator(f'button.claim[data-room-id="{room_id}"][data-slot-id="{slot_id}"]')


def cell_ids(base_url: str, slug: str, index: int) -> tuple[int, int]:
    """(room id, slot id) of the index-th cell, counting rooms within slots."""
    wall = HttpParticipant(base_url, slug).wall()
    cells = [(room["id"], slot["id"]) for slot in wall["slots"] for room in wall["rooms"]]
    return cells[index]


def api_revision(base_url: str, slug: str) -> int:
    return HttpParticipant(base_url, slug).wall()["revision"]


def fill_form(page, *, title: str, host: str, goal: str = "") -> None:
    page.fill("#f-title", title)
    page.fill("#f-host", host)
    page.fill("#f-goal", goal)


def mark(page) -> None:
    """Put a marker on window that a reload would lose."""
    page.evaluate("window.__marker = 1")


def marker(page):
    return page.evaluate("window.__marker")


# --------------------------------------------------------------------------- tests


def test_phone_post_appears_on_wall_without_reload(site, slug, watch, artifacts):
    room_id, slot_id = cell_ids(site.url, slug, 4)  # middle room, middle slot: row and column both matter
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    phone = watch.phone(f"{site.url}/e/{slug}/")
    wait_live(wall)
    wait_live(phone)
    mark(wall)
    phone.screenshot(path=str(artifacts / "phone.png"), full_page=True)

    claim_button(phone, room_id, slot_id).tap()
    expect(phone.locator("#form-panel")).to_be_visible()
    expect(phone.locator("#f-cell")).to_have_value(f"{room_id}:{slot_id}")
    title = "Gemeinsam Fahrräder reparieren"
    fill_form(phone, title=title, host="Ada", goal="Eine Werkstatt im Quartier")
    phone.screenshot(path=str(artifacts / "phone-form.png"), full_page=True)
    phone.locator("#f-submit").tap()

    expect(wall_cell(wall, room_id, slot_id).locator(".topic-title")).to_have_text(
        title, timeout=LIVE_UPDATE_TIMEOUT_MS
    )
    assert wall.locator("#grid .topic-title", has_text=title).count() == 1
    assert marker(wall) == 1, "the wall reloaded"
    revision = api_revision(site.url, slug)
    assert revision == 1
    expect(wall.locator("body")).to_have_attribute("data-revision", str(revision), timeout=LIVE_UPDATE_TIMEOUT_MS)
    # The poster's own phone shows it too, as its own, and closed the form.
    expect(phone.locator("#form-panel")).to_be_hidden()
    expect(list_cell(phone, room_id, slot_id).locator(".topic-title")).to_have_text(title)
    wall.screenshot(path=str(artifacts / "wall.png"))
    watch.assert_clean()


def test_two_phones_same_cell_loser_told_and_keeps_text(site, slug, watch, artifacts):
    room_id, slot_id = cell_ids(site.url, slug, 0)
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    a = watch.phone(f"{site.url}/e/{slug}/")
    b = watch.phone(f"{site.url}/e/{slug}/")
    for page in (wall, a, b):
        wait_live(page)
    for page in (a, b):
        expect(claim_button(page, room_id, slot_id)).to_be_visible()
        claim_button(page, room_id, slot_id).tap()
        expect(page.locator("#f-cell")).to_have_value(f"{room_id}:{slot_id}")
    a_title, b_title = "Wer zuerst kommt", "Zu spät gekommen"
    b_host, b_goal = "Bert", "Ein Ziel, das nicht verloren gehen darf"
    fill_form(a, title=a_title, host="Anna", goal="A war schneller")
    fill_form(b, title=b_title, host=b_host, goal=b_goal)

    a.locator("#f-submit").tap()
    expect(a.locator("#form-panel")).to_be_hidden()
    # B's page is live, so it has heard of A's topic before B taps "Pin it".
    expect(b.locator("body")).to_have_attribute("data-revision", "1")
    b.locator("#f-submit").tap()

    error = b.locator("#form-error")
    try:
        expect(
            error,
            "B was not told that the cell is taken. Known app bug: phone.js fillCells() silently resets B's open "
            "form to 'unplaced' when the live update arrives, so B's topic is posted into the unplaced queue.",
        ).to_be_visible(timeout=5_000)
        expect(error).to_contain_text(a_title)
    finally:
        b.screenshot(path=str(artifacts / "phone-conflict.png"), full_page=True)
    expect(b.locator("#form-panel")).to_be_visible()
    expect(b.locator("#f-title")).to_have_value(b_title)
    expect(b.locator("#f-host")).to_have_value(b_host)
    expect(b.locator("#f-goal")).to_have_value(b_goal)
    expect(wall_cell(wall, room_id, slot_id).locator(".topic-title")).to_have_text(a_title)
    assert wall.locator("body", has_text=b_title).count() == 0, "B's topic is on the wall"
    assert [t["title"] for t in HttpParticipant(site.url, slug).wall()["topics"]] == [a_title]
    # B's failed POST answers 409, which Chromium logs as a failed resource load.
    watch.assert_clean(("status of 409", r"/api/events/.*/topics$"))


def test_own_topic_edit_and_withdraw_only_by_author(site, slug, watch, artifacts):
    room_id, slot_id = cell_ids(site.url, slug, 2)
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    a = watch.phone(f"{site.url}/e/{slug}/", accept_dialogs=True)
    b = watch.phone(f"{site.url}/e/{slug}/")
    for page in (wall, a, b):
        wait_live(page)
    mark(wall)
    mark(b)

    claim_button(a, room_id, slot_id).tap()
    fill_form(a, title="Erster Titel", host="Anna", goal="Ziel von Anna")
    a.locator("#f-submit").tap()
    expect(a.locator("#form-panel")).to_be_hidden()

    a_cell, b_cell = list_cell(a, room_id, slot_id), list_cell(b, room_id, slot_id)
    expect(b_cell.locator(".topic-title")).to_have_text("Erster Titel")
    expect(b_cell.locator("[data-edit]")).to_have_count(0)
    expect(b_cell.locator("[data-withdraw]")).to_have_count(0)
    assert b.locator("#wall [data-edit], #wall [data-withdraw]").count() == 0
    expect(a_cell.locator("[data-edit]")).to_have_count(1)
    expect(a_cell.locator("[data-withdraw]")).to_have_count(1)

    a_cell.locator("[data-edit]").tap()
    expect(a.locator("#form-panel")).to_be_visible()
    expect(a.locator("#f-title")).to_have_value("Erster Titel")
    expect(a.locator("#f-host")).to_have_value("Anna")
    expect(a.locator("#f-goal")).to_have_value("Ziel von Anna")
    expect(a.locator("#f-cell")).to_have_value(f"{room_id}:{slot_id}")
    a.fill("#f-title", "Neuer Titel")
    a.locator("#f-submit").tap()
    expect(a.locator("#form-panel")).to_be_hidden()
    expect(wall_cell(wall, room_id, slot_id).locator(".topic-title")).to_have_text(
        "Neuer Titel", timeout=LIVE_UPDATE_TIMEOUT_MS
    )
    expect(b_cell.locator(".topic-title")).to_have_text("Neuer Titel", timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(wall.locator("body")).to_have_attribute("data-revision", str(api_revision(site.url, slug)))

    list_cell(a, room_id, slot_id).locator("[data-withdraw]").tap()
    expect(wall_cell(wall, room_id, slot_id)).to_have_class(re.compile(r"\bfree\b"), timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(wall_cell(wall, room_id, slot_id).locator(".topic-title")).to_have_count(0)
    expect(claim_button(b, room_id, slot_id)).to_be_visible(timeout=LIVE_UPDATE_TIMEOUT_MS)
    expect(b_cell).to_have_class(re.compile(r"\bfree\b"))
    expect(claim_button(a, room_id, slot_id)).to_be_visible(timeout=LIVE_UPDATE_TIMEOUT_MS)
    assert HttpParticipant(site.url, slug).wall()["topics"] == []
    assert watch.dialogs == ["confirm: Withdraw this topic from the wall?"]
    assert marker(wall) == 1 and marker(b) == 1, "a page reloaded"
    watch.assert_clean()


def test_text_is_shown_literally_never_as_html(site, slug, watch, artifacts):
    room_id, slot_id = cell_ids(site.url, slug, 1)
    title = "Kosten < Nutzen & \"Zitat\" 'x'"
    person = HttpParticipant(site.url, slug)
    refused = person.post(
        {"title": title, "host": "Eve", "goal": "<b>fett</b>", "room_id": room_id, "slot_id": slot_id}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["fields"] == {"goal": "HTML and scripts are not allowed here."}
    assert person.wall()["topics"] == []
    accepted = person.post({"title": title, "host": "Eve", "goal": "a <= b", "room_id": room_id, "slot_id": slot_id})
    assert accepted.status_code == 201, accepted.text

    phone = watch.phone(f"{site.url}/e/{slug}/")
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    wait_live(phone)
    wait_live(wall)
    wall_title = wall_cell(wall, room_id, slot_id).locator(".topic-title")
    phone_cell = list_cell(phone, room_id, slot_id)
    assert wall_title.text_content() == title
    assert wall_title.inner_text() == title
    assert phone_cell.locator(".topic-title").text_content() == title
    assert phone_cell.locator(".topic-title").inner_text() == title
    assert phone_cell.locator(".topic-goal").text_content() == "Goal: a <= b"
    assert wall.locator("#grid b, #queue b").count() == 0
    assert phone.locator("#wall b").count() == 0

    # The same refusal through the phone form: the goal field is marked, nothing is posted.
    phone.locator("#open-form").tap()
    fill_form(phone, title="Noch eins", host="Eve", goal="<b>fett</b>")
    phone.locator("#f-submit").tap()
    expect(phone.locator('.field-error[data-for="goal"]')).to_have_text("HTML and scripts are not allowed here.")
    expect(phone.locator("#f-goal")).to_have_attribute("aria-invalid", "true")
    assert len(person.wall()["topics"]) == 1
    assert phone.locator("#wall b").count() == 0

    assert watch.dialogs == []
    watch.assert_clean(("status of 422", r"/api/events/.*/topics$"))


def test_wall_recovers_after_server_restart(browser, tmp_path, watch, artifacts):
    database_url = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    create_event(database_url, "restart")
    first = LiveServer(database_url).start()
    second = None
    try:
        room_id, slot_id = cell_ids(first.url, "restart", 7)
        wall = watch.desktop(f"{first.url}/e/restart/wall")
        wait_live(wall)
        mark(wall)

        detect_ms = silent_drop_ms(first.url) + CI_MARGIN_MS  # a stopped server is noticed sooner still
        first.stop()
        expect(wall.locator("#status")).to_have_attribute("data-state", "reconnecting", timeout=detect_ms)
        wall.screenshot(path=str(artifacts / "wall-reconnecting.png"))

        second = LiveServer(database_url, port=first.port).start()
        response = HttpParticipant(second.url, "restart").post(
            {"title": "Nach dem Neustart", "host": "Ops", "room_id": room_id, "slot_id": slot_id}
        )
        assert response.status_code == 201, response.text
        revision = api_revision(second.url, "restart")
        expect(wall_cell(wall, room_id, slot_id).locator(".topic-title")).to_have_text(
            "Nach dem Neustart", timeout=15_000
        )
        expect(wall.locator("body")).to_have_attribute("data-revision", str(revision), timeout=15_000)
        expect(wall.locator("#status")).to_have_attribute("data-state", "live", timeout=15_000)
        assert marker(wall) == 1, "the wall reloaded"
    finally:
        first.stop()
        if second:
            second.stop()
    # While the server is down, socket.io's failed connection attempts are logged by Chromium.
    watch.assert_clean(
        ("WebSocket connection to .* failed", r""),
        ("net::ERR_CONNECTION_REFUSED", r"/socket\.io/"),
    )


def test_german_event_speaks_german(site, watch, artifacts):
    slug = site.new_event("de")
    # No locale override: the event's language wins over the browser's default (en-US).
    phone = watch.phone(f"{site.url}/e/{slug}/")
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    wait_live(phone)
    wait_live(wall)
    open_form = phone.locator("#open-form").inner_text()
    assert "Anliegen" in open_form
    assert open_form == "+ Anliegen anbringen", open_form
    assert phone.locator("html").get_attribute("lang") == "de"
    assert wall.locator("html").get_attribute("lang") == "de"
    expect(phone.locator("button.claim").first).to_have_text("frei – Hier ein Anliegen anbringen")
    expect(wall.locator("#status")).to_have_text("live")
    expect(wall.locator(".queue h2")).to_have_text("Noch ohne Platz")
    phone.screenshot(path=str(artifacts / "phone-de.png"))
    watch.assert_clean()


def test_wall_shows_newest_unplaced_topics_and_how_many_more(site, slug, watch, artifacts):
    person = HttpParticipant(site.url, slug)
    for i in range(10):
        assert person.post({"title": f"Warteschlange {i}", "host": "Q"}).status_code == 201
    wall = watch.desktop(f"{site.url}/e/{slug}/wall")
    wait_live(wall)
    titles = wall.locator("#queue .topic-title").all_inner_texts()
    shown = len(titles)
    assert 1 <= shown <= 6
    assert titles == [f"Warteschlange {i}" for i in range(9, 9 - shown, -1)]
    expect(wall.locator("#queue li.more")).to_have_text(f"+ {10 - shown} more")
    # Nothing the projector shows may run off the screen: the last item and the count are fully visible.
    viewport_height = wall.viewport_size["height"]
    assert (
        wall.locator("#queue li.more").bounding_box()["y"] + wall.locator("#queue li.more").bounding_box()["height"]
        <= viewport_height
    )
    last = wall.locator("#queue .topic-title").last.locator("xpath=..").bounding_box()
    assert last["y"] + last["height"] <= viewport_height
    wall.screenshot(path=str(artifacts / "wall-queue.png"))
    watch.assert_clean()
