"""Wi-Fi drops and server restarts, in headless Chromium behind a loopback TCP proxy.

Playwright's offline mode does not cut open WebSockets, so the pages are opened through tests/tcp_proxy.py and the
test cuts the "network" under them. Product requirements checked here: while the network is gone every page shows
"reconnecting…" (at the latest when Socket.IO's ping times out), and soon after it returns (the client's longest
reconnection delay, then the one-second live-update promise) every page shows the server's revision, without a
reload; a topic posted while offline is reported as not sent, its text is kept, and a retry never duplicates it.
"""

from __future__ import annotations

import time

import pytest
from live import HttpParticipant, LiveServer
from tcp_proxy import TcpProxy
from test_browser import (  # noqa: F401 - fixtures are used by name
    CI_MARGIN_MS,
    LIVE_UPDATE_MS,
    LIVE_UPDATE_TIMEOUT_MS,
    api_revision,
    artifacts,
    browser,
    cell_ids,
    claim_button,
    create_event,
    expect,
    fill_form,
    list_cell,
    mark,
    marker,
    silent_drop_ms,
    site,
    slug,
    wait_live,
    wall_cell,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]

# static/js/live.js retries at most reconnectionDelayMax (4 s) x (1 + randomizationFactor 0.5) after the last try.
RECONNECT_DELAY_MAX_MS = 6_000
# After the network returns, every page shows the server's state once it has reconnected and the wall arrived.
CONVERGE_MS = RECONNECT_DELAY_MAX_MS + LIVE_UPDATE_MS + CI_MARGIN_MS
# openspace/__init__.py promises that a silently dropped connection shows "reconnecting…" within 9 s.
SILENT_DROP_PROMISE_MS = 9_000
OFFLINE_ERROR = "Not sent: no connection to the server. Your text is still here; please try again."
# What Chromium logs while the proxy resets connections (socket.io retries, the failed fetch of an offline post).
NETWORK_ERRORS = (
    (r"WebSocket connection to 'ws://[^']+/socket\.io/\?[^']*' failed", r"/static/vendor/socket\.io-client/"),
    (r"net::ERR_(CONNECTION_[A-Z]+|EMPTY_RESPONSE|SOCKET_NOT_CONNECTED)", r"/socket\.io/|/api/events/[^/]+/topics$"),
)


@pytest.fixture(scope="module")
def detect_ms(site) -> int:
    """Every page shows "reconnecting…" at the latest when its ping times out (plus the CI margin)."""
    return silent_drop_ms(site.url) + CI_MARGIN_MS


@pytest.fixture
def proxy(site):
    with TcpProxy(site.server.port) as tcp:
        yield tcp


def status(page):
    return page.locator("#status")


def expect_state(page, state: str, timeout: float) -> None:
    expect(status(page)).to_have_attribute("data-state", state, timeout=timeout)


def expect_converged(page, revision: int, timeout: float = CONVERGE_MS) -> None:
    expect(page.locator("body")).to_have_attribute("data-revision", str(revision), timeout=timeout)


def remaining(started: float, budget_ms: float) -> float:
    """What is left of a time budget that started at `started` (monotonic), in ms, for an expect() timeout."""
    return max(budget_ms - (time.monotonic() - started) * 1000, 1)


def seconds_since(started: float) -> str:
    return f"{time.monotonic() - started:.2f}s"


def post(base_url: str, slug: str, title: str, cell: tuple[int, int] | None) -> dict:
    room_id, slot_id = cell or (None, None)
    response = HttpParticipant(base_url, slug).post(
        {"title": title, "host": "Direkt", "goal": "", "context": "", "room_id": room_id, "slot_id": slot_id}
    )
    assert response.status_code == 201, response.text
    return response.json()["topic"]


def record_posts(page) -> dict:
    """Every POST of topics the page makes from now on: request -> None while under way, then its outcome."""
    posts: dict = {}

    def started(request) -> None:
        if request.method == "POST" and request.url.endswith("/topics"):
            posts[request] = None

    def ended(outcome: str):
        return lambda request: posts.__setitem__(request, outcome) if request in posts else None

    page.on("request", started)
    page.on("requestfinished", ended("finished"))
    page.on("requestfailed", ended("failed"))
    return posts


def page_texts(page) -> dict:
    return page.evaluate("JSON.parse(document.getElementById('texts').textContent)")


# --------------------------------------------------------------------------- tests


def test_clients_converge_after_wifi_drop(site, slug, proxy, watch, artifacts, detect_ms):
    cells = [cell_ids(site.url, slug, i) for i in (0, 4, 8)]
    wall = watch.desktop(f"{proxy.url}/e/{slug}/wall")
    phone = watch.phone(f"{proxy.url}/e/{slug}/")
    for page in (wall, phone):
        wait_live(page, timeout=20_000)
        mark(page)
    assert proxy.open_connections > 0, "the pages do not go through the proxy"

    cut_at = time.monotonic()
    proxy.cut()
    for page in (wall, phone):
        expect_state(page, "reconnecting", detect_ms)
    print(f"both pages showed 'reconnecting' {seconds_since(cut_at)} after the cut")
    expect(status(wall)).to_have_text("reconnecting…")
    wall.screenshot(path=str(artifacts / "wall-offline.png"))
    phone.screenshot(path=str(artifacts / "phone-offline.png"), full_page=True)

    titles = ["Funkloch im Saal", "Später ist auch gut", "Drei auf einmal"]
    for title, cell in zip(titles, cells, strict=True):
        post(site.url, slug, title, cell)  # directly to the server: other people's phones still have a network
    revision = api_revision(site.url, slug)
    assert revision == 3
    for page in (wall, phone):
        assert page.locator("body").get_attribute("data-revision") == "0"
        assert status(page).get_attribute("data-state") != "live", "a page claims to be live while cut off"

    restored_at = time.monotonic()
    proxy.restore()
    for page in (wall, phone):
        expect_converged(page, revision, remaining(restored_at, CONVERGE_MS))
    print(f"both pages showed revision {revision} {seconds_since(restored_at)} after the network returned")
    for title, (room_id, slot_id) in zip(titles, cells, strict=True):
        expect(wall_cell(wall, room_id, slot_id).locator(".topic-title")).to_have_text(
            title, timeout=LIVE_UPDATE_TIMEOUT_MS
        )
        expect(list_cell(phone, room_id, slot_id).locator(".topic-title")).to_have_text(
            title, timeout=LIVE_UPDATE_TIMEOUT_MS
        )
    for page in (wall, phone):
        expect_state(page, "live", LIVE_UPDATE_TIMEOUT_MS)
        assert marker(page) == 1, "the page reloaded"
    wall.screenshot(path=str(artifacts / "wall-reconnected.png"))
    watch.assert_clean(*NETWORK_ERRORS)


def test_clients_converge_after_server_restart_behind_proxy(tmp_path, watch, artifacts, detect_ms):
    database_url = f"sqlite:///{tmp_path / 'restart.sqlite3'}"
    create_event(database_url, "restart")
    first = LiveServer(database_url).start()
    second = None
    try:
        with TcpProxy(first.port) as proxy:
            cell = cell_ids(first.url, "restart", 5)
            wall = watch.desktop(f"{proxy.url}/e/restart/wall")
            phone = watch.phone(f"{proxy.url}/e/restart/")
            for page in (wall, phone):
                wait_live(page, timeout=20_000)
                mark(page)

            stopped_at = time.monotonic()
            first.stop()
            for page in (wall, phone):
                expect_state(page, "reconnecting", detect_ms)
            print(f"both pages showed 'reconnecting' {seconds_since(stopped_at)} after the server stopped")
            wall.screenshot(path=str(artifacts / "wall-restart-offline.png"))

            second = LiveServer(database_url, port=first.port).start()
            print(f"the new server answered {seconds_since(stopped_at)} after the old one stopped")
            posted_at = time.monotonic()
            topic = post(second.url, "restart", "Nach dem Neustart", cell)
            revision = api_revision(second.url, "restart")
            assert revision == 1
            for page in (wall, phone):
                expect_converged(page, revision, remaining(posted_at, CONVERGE_MS))
            print(f"both pages showed revision {revision} {seconds_since(posted_at)} after the post")
            expect(wall_cell(wall, *cell).locator(".topic-title")).to_have_text(
                topic["title"], timeout=LIVE_UPDATE_TIMEOUT_MS
            )
            expect(list_cell(phone, *cell).locator(".topic-title")).to_have_text(
                topic["title"], timeout=LIVE_UPDATE_TIMEOUT_MS
            )
            for page in (wall, phone):
                expect_state(page, "live", LIVE_UPDATE_TIMEOUT_MS)
                assert marker(page) == 1, "the page reloaded"
    finally:
        first.stop()
        if second:
            second.stop()
    watch.assert_clean(*NETWORK_ERRORS)


def test_post_while_offline_is_reported_not_lost_and_never_duplicated(site, slug, proxy, watch, artifacts, detect_ms):
    room_id, slot_id = cell_ids(site.url, slug, 4)
    phone = watch.phone(f"{proxy.url}/e/{slug}/")
    wait_live(phone, timeout=20_000)
    mark(phone)
    assert page_texts(phone)["offline_error"] == OFFLINE_ERROR

    claim_button(phone, room_id, slot_id).tap()
    expect(phone.locator("#form-panel")).to_be_visible()
    title, host, goal, context = "Im Funkloch geschrieben", "Wanda", "Nichts geht verloren", "Nichts doppelt"
    fill_form(phone, title=title, host=host, goal=goal)
    phone.fill("#f-context", context)

    posts = record_posts(phone)
    proxy.cut()
    expect_state(phone, "reconnecting", detect_ms)
    phone.locator("#f-submit").tap()
    expect(phone.locator("#form-error")).to_have_text(OFFLINE_ERROR, timeout=10_000)
    expect(phone.locator("#form-panel")).to_be_visible()
    for field, value in (("title", title), ("host", host), ("goal", goal), ("context", context)):
        expect(phone.locator(f"#f-{field}")).to_have_value(value)
    expect(phone.locator("#f-cell")).to_have_value(f"{room_id}:{slot_id}")
    expect(phone.locator("#f-submit")).to_be_enabled()
    phone.screenshot(path=str(artifacts / "phone-offline-post.png"), full_page=True)
    assert HttpParticipant(site.url, slug).wall()["topics"] == [], "the offline post reached the server"

    restored_at = time.monotonic()
    proxy.restore()
    wait_live(phone, timeout=CONVERGE_MS)
    print(f"the phone was live again {seconds_since(restored_at)} after the network returned")
    # Still the same form, text and all: the person only has to tap again.
    expect(phone.locator("#f-title")).to_have_value(title)
    phone.locator("#f-submit").tap()
    expect(phone.locator("#form-panel")).to_be_hidden(timeout=10_000)
    expect(list_cell(phone, room_id, slot_id).locator(".topic-title")).to_have_text(title)
    expect(list_cell(phone, room_id, slot_id).locator("[data-edit]")).to_have_count(1)  # shown as the poster's own
    # The form is closed and emptied: the same post cannot be sent a second time.
    expect(phone.locator("#f-submit")).to_be_hidden()
    expect(phone.locator("#f-title")).to_have_value("")

    # A late duplicate can only come from a request of the page that is still under way (the browser's own
    # retries happen inside one request; phone.js posts only on a tap). Once every post the page made has ended,
    # nothing more can arrive.
    deadline = time.monotonic() + 10
    while any(outcome is None for outcome in posts.values()):
        assert time.monotonic() < deadline, f"the phone's posts did not end: {posts}"
        phone.evaluate("1")  # a round trip lets Playwright deliver the request events
    assert sorted(posts.values()) == ["failed", "finished"]
    wall = HttpParticipant(site.url, slug).wall()
    matching = [t for t in wall["topics"] if t["title"] == title]
    assert len(matching) == 1, wall["topics"]
    assert len(wall["topics"]) == 1 and wall["revision"] == 1
    assert (matching[0]["room_id"], matching[0]["slot_id"]) == (room_id, slot_id)
    assert (matching[0]["goal"], matching[0]["context"]) == (goal, context)
    expect(phone.locator("body")).to_have_attribute("data-revision", "1")
    assert marker(phone) == 1, "the phone reloaded"
    watch.assert_clean(*NETWORK_ERRORS)


def test_post_whose_answer_is_lost_is_recognised_after_reconnecting(site, slug, proxy, watch, artifacts):
    """The post reaches the server but the Wi-Fi drops before the answer: after reconnecting the phone knows."""
    room_id, slot_id = cell_ids(site.url, slug, 2)
    phone = watch.phone(f"{proxy.url}/e/{slug}/")
    wait_live(phone, timeout=20_000)
    mark(phone)
    claim_button(phone, room_id, slot_id).tap()
    title, host = "Antwort verloren", "Lotte"
    fill_form(phone, title=title, host=host, goal="Trotzdem nur einmal")

    proxy.hold_responses()
    phone.locator("#f-submit").tap()
    deadline = time.monotonic() + 10
    while not HttpParticipant(site.url, slug).wall()["topics"]:
        assert time.monotonic() < deadline, "the post never reached the server"
        time.sleep(0.1)
    proxy.cut()  # the answer (and the live update) are lost with the connection
    expect(phone.locator("#form-error")).to_have_text(OFFLINE_ERROR, timeout=10_000)
    expect(phone.locator("#f-title")).to_have_value(title)

    restored_at = time.monotonic()
    proxy.restore()
    expect_converged(phone, 1, CONVERGE_MS)
    wait_live(phone, timeout=remaining(restored_at, CONVERGE_MS))
    print(f"the phone showed revision 1 {seconds_since(restored_at)} after the network returned")
    # The snapshot after reconnecting names this phone's own topics: the phone sees its post went through,
    # closes the form and says so, instead of warning that "this place was just taken".
    expect(phone.locator("#form-panel")).to_be_hidden(timeout=10_000)
    expect(phone.locator("#announcer")).to_have_text("Your topic is on the wall.")
    phone.screenshot(path=str(artifacts / "phone-lost-answer.png"))
    topics = HttpParticipant(site.url, slug).wall()["topics"]
    assert [t["title"] for t in topics] == [title], topics
    expect(list_cell(phone, room_id, slot_id).locator(".topic-title")).to_have_text(title)
    expect(list_cell(phone, room_id, slot_id).locator("[data-edit]")).to_have_count(1)
    assert marker(phone) == 1, "the phone reloaded"
    watch.assert_clean(*NETWORK_ERRORS)


def test_silent_wifi_loss_shows_reconnecting(site, slug, proxy, watch, artifacts, detect_ms):
    """A phone walking out of Wi-Fi range gets no FIN and no RST: bytes just stop. The page must not claim "live"."""
    assert silent_drop_ms(site.url) <= SILENT_DROP_PROMISE_MS
    wall = watch.desktop(f"{proxy.url}/e/{slug}/wall")
    phone = watch.phone(f"{proxy.url}/e/{slug}/")
    for page in (wall, phone):
        wait_live(page, timeout=20_000)
        mark(page)
    stalled_at = time.monotonic()
    proxy.stall()
    try:
        for page in (wall, phone):
            expect_state(page, "reconnecting", remaining(stalled_at, detect_ms))
    except AssertionError as error:
        wall.screenshot(path=str(artifacts / "wall-silent-drop.png"))
        raise AssertionError(
            f"after {seconds_since(stalled_at)} of silence the pages still say "
            f"{status(wall).get_attribute('data-state')!r} / {status(phone).get_attribute('data-state')!r}. "
            "Socket.IO's ping_interval + ping_timeout (openspace/__init__.py) bound how long a silently dead "
            "connection can still look live."
        ) from error
    print(f"both pages showed 'reconnecting' {seconds_since(stalled_at)} after the silent drop")

    topic = post(site.url, slug, "Während der Funkstille", None)
    revision = api_revision(site.url, slug)
    restored_at = time.monotonic()
    proxy.restore()
    for page in (wall, phone):
        expect_converged(page, revision, remaining(restored_at, CONVERGE_MS))
        expect_state(page, "live", LIVE_UPDATE_TIMEOUT_MS)
        assert marker(page) == 1, "the page reloaded"
    print(f"both pages showed revision {revision} {seconds_since(restored_at)} after the network returned")
    expect(wall.locator("#queue .topic-title")).to_have_text([topic["title"]])
    watch.assert_clean(*NETWORK_ERRORS)
