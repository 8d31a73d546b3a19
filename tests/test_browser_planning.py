"""Planning in Chromium: best places on the phone's post form, the whole-wall proposal on the moderation grid
(computed, shown as a diff, applied, followed by the wall), the conflict view, a topic's better places; axe."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
import requests
from live import HttpParticipant, cli
from sqlalchemy import create_engine, insert, text
from test_a11y import axe_violations
from test_browser import LIVE, PHONE, browser, expect, site, wait_live, wall_cell, watch  # noqa: F401

from openspace.models import Interest

pytestmark = [pytest.mark.browser, pytest.mark.server]
_slugs = itertools.count(1)
SHOTS = "/tmp/shots/planui"
CURRENT_SHOTS = "/tmp/shots/current"
FUTURE = (date.today() + timedelta(days=60)).isoformat()  # every slot still open whenever the suite runs
GRID = {"viewport": {"width": 1366, "height": 800}}


class Planned:
    """A hand-made event: rooms Klein (3), Mittel (10), Groß (40); Runde 1, Runde 2, a lunch break, Runde 3.

    In Runde 1: "Retouren" (Ada, Klein, 8 interested), "Kasse" (Ada, Mittel, 1 interested), "Lager" (Bo, Groß,
    4 interested, all of them also interested in Retouren). In Runde 2: "Versand" (Cem, Klein, nobody yet).
    """

    def __init__(self, site) -> None:
        self.site = site
        self.slug = f"plan{next(_slugs)}"
        output = cli(
            site.database_url,
            "create-event",
            f"--name=Planung {self.slug}",
            f"--slug={self.slug}",
            f"--starts-on={FUTURE}",
            "--language=en",
            "--room=Klein | 3",
            "--room=Mittel | 10",
            "--room=Groß | 40",
            "--slot=09:00-09:50 Runde 1",
            "--slot=10:00-10:50 Runde 2",
            "--slot=11:00-12:00 Mittagessen [Pause]",
            "--slot=12:00-12:50 Runde 3",
        )
        self.organizer_path = re.search(r"(/e/[^/\s]+/organize/\S+)", output).group(1)
        self.orga = HttpParticipant(site.url, self.slug)
        assert self.orga.http.get(f"{site.url}{self.organizer_path}", timeout=10).status_code == 200
        wall = self.orga.wall()
        engine = create_engine(site.database_url)
        with engine.connect() as conn:
            self.event_id = conn.execute(text("SELECT id FROM events WHERE slug = :s"), {"s": self.slug}).scalar_one()
        engine.dispose()
        self.rooms = {room["name"]: room["id"] for room in wall["rooms"]}
        self.slots = {slot["label"]: slot["id"] for slot in wall["slots"]}
        self.ids = {
            "Retouren": self.post("Retouren", "Ada", "Klein", "Runde 1"),
            "Kasse": self.post("Kasse", "Ada", "Mittel", "Runde 1"),
            "Lager": self.post("Lager", "Bo", "Groß", "Runde 1"),
            "Versand": self.post("Versand", "Cem", "Klein", "Runde 2"),
        }
        self.interest("Retouren", [f"p{i}" for i in range(1, 9)])
        self.interest("Kasse", ["p9"])
        self.interest("Lager", ["p1", "p2", "p3", "p4"])

    def post(self, title: str, host: str, room: str, slot: str) -> int:
        answer = self.orga.post(
            {"title": title, "host": host, "room_id": self.rooms[room], "slot_id": self.slots[slot]}
        )
        assert answer.status_code == 201, answer.text
        return answer.json()["topic"]["id"]

    def interest(self, title: str, people: list[str]) -> None:
        """Interest marks straight into the database, as the phones' marks would store them."""
        engine = create_engine(self.site.database_url)
        with engine.begin() as conn:
            conn.execute(
                insert(Interest.__table__),
                [{"topic_id": self.ids[title], "author_hash": p, "event_id": self.event_id} for p in people],
            )
        engine.dispose()

    def api(self, path: str) -> dict:
        answer = self.orga.http.get(f"{self.site.url}/api/events/{self.slug}/{path}", timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def places(self) -> dict[str, tuple[int | None, int | None]]:
        return {t["title"]: (t["room_id"], t["slot_id"]) for t in self.orga.wall()["topics"]}

    def organizer_page(self, watch, path: str, **options):
        page = watch.page(f"{self.site.url}{self.organizer_path}", bypass_csp=True, **{**GRID, **options})
        page.goto(f"{self.site.url}{path}")
        wait_live(page)
        return page


@pytest.fixture
def planned(site):
    return Planned(site)


def test_the_phone_shows_the_best_three_places_and_a_tap_chooses_one(site, planned, watch):
    expected = requests.get(
        f"{site.url}/api/events/{planned.slug}/suggestions", params={"host": "Ada"}, timeout=30
    ).json()["suggestions"][:3]
    phone = watch.phone(f"{site.url}/e/{planned.slug}/", bypass_csp=True)  # axe is added as an inline script
    wait_live(phone)
    phone.click("#open-form")
    expect(phone.locator("#cell-hints-status")).to_have_text(re.compile("Type your name"))
    phone.fill("#f-title", "Kundenbriefe")
    phone.fill("#f-host", "Ada")
    choices = phone.locator("#cell-hints-list button.hint-choice")
    expect(choices).to_have_count(3)
    assert [c.get_attribute("data-cell") for c in choices.all()] == [f"{s['room_id']}:{s['slot_id']}" for s in expected]
    for choice, suggestion in zip(choices.all(), expected, strict=True):
        expect(choice.locator(".hint-reasons")).to_have_text("; ".join(suggestion["reasons"]))
    # Ada hosts two topics in Runde 1: no hint sends her there
    assert all(s["slot_id"] != planned.slots["Runde 1"] for s in expected)
    choices.nth(1).click()
    second = f"{expected[1]['room_id']}:{expected[1]['slot_id']}"
    assert phone.input_value("#f-cell") == second
    expect(choices.nth(1)).to_have_attribute("aria-pressed", "true")
    expect(choices.nth(0)).to_have_attribute("aria-pressed", "false")
    expect(phone.locator("#cell-hints-status")).to_have_text(re.compile("You can still pick any other place"))
    phone.locator("#cell-hints").evaluate("node => node.scrollIntoView({block: 'start'})")
    phone.screenshot(path=f"{SHOTS}/phone-hints-360.png")
    # the final choice stays the participant's: any free place can still be picked
    other = f"{planned.rooms['Groß']}:{planned.slots['Runde 3']}"
    phone.select_option("#f-cell", other)
    expect(choices.nth(1)).to_have_attribute("aria-pressed", "false")
    choices.nth(1).click()
    assert phone.input_value("#f-cell") == second
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sticks out on a 360 px phone
    phone.click("#f-submit")
    expect(phone.locator("#form-panel")).to_be_hidden()
    assert planned.places()["Kundenbriefe"] == (expected[1]["room_id"], expected[1]["slot_id"])
    assert axe_violations(phone) == []
    watch.assert_clean()


def test_the_organizer_computes_sees_and_applies_a_proposal_and_the_wall_follows(site, planned, watch):
    # Runde 3 as well: "Zoll" (12 interested) in Mittel (10), "Export" (5, all of them also in Zoll) in Klein (3)
    planned.ids["Zoll"] = planned.post("Zoll", "Dana", "Mittel", "Runde 3")
    planned.ids["Export"] = planned.post("Export", "Eli", "Klein", "Runde 3")
    planned.interest("Zoll", [f"q{i}" for i in range(12)])
    planned.interest("Export", [f"q{i}" for i in range(5)])
    page = planned.organizer_page(watch, f"/e/{planned.slug}/organizer/grid")
    wall = watch.page(f"{site.url}/e/{planned.slug}/wall", viewport={"width": 1920, "height": 1080})
    wait_live(wall)
    before = planned.places()
    page.click("#propose")
    expect(page.locator("#proposal")).to_be_visible()
    computed = planned.api("proposal")  # the same plan: the server answers from the proposal it computed
    moves = computed["moves"]
    assert moves and computed["conflicts_after"] < computed["conflicts_before"]
    expect(page.locator("#proposal-score")).to_have_text(
        f"Conflicts: {computed['conflicts_before']} → {computed['conflicts_after']} people affected"
    )
    items = page.locator("#proposal-moves > li")
    expect(items).to_have_count(len(moves))
    names = {v: k for k, v in planned.rooms.items()}
    for item, move in zip(items.all(), moves, strict=True):
        expect(item.locator(".proposal-what")).to_contain_text(f"Move “{move['title']}” from ")
        expect(item.locator(".proposal-what")).to_contain_text(names[move["to"]["room_id"]])
        expect(item.locator(".proposal-why li")).to_have_text(move["reasons"])
    expect(page.locator(".topic-card.plan-from")).to_have_count(len(moves))
    expect(page.locator(".cell-drop.plan-to")).to_have_count(len(moves))
    for move in moves:
        target = page.locator(
            f'.cell-drop[data-room-id="{move["to"]["room_id"]}"][data-slot-id="{move["to"]["slot_id"]}"]'
        )
        expect(target.locator(".plan-arrival")).to_contain_text(move["title"])
    page.screenshot(path=f"{SHOTS}/grid-proposal-diff.png")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=f"{SHOTS}/grid-proposal-diff-1920.png")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert axe_violations(page) == []
    assert planned.places() == before  # shown, not applied

    page.click("#proposal-apply")
    expect(page.locator("#proposal")).to_be_hidden()
    applied = "one topic moved" if len(moves) == 1 else f"{len(moves)} topics moved"
    expect(page.locator("#grid-message")).to_have_text(re.compile(f"Applied: {applied}"))
    after = {**before}
    titles = {v: k for k, v in planned.ids.items()}
    for move in moves:
        after[titles[move["topic_id"]]] = (move["to"]["room_id"], move["to"]["slot_id"])
    assert planned.places() == after
    for move in moves:
        expect(wall_cell(wall, move["to"]["room_id"], move["to"]["slot_id"]).locator(".topic-title")).to_have_text(
            move["title"]
        )
    expect(page.locator(".topic-card.plan-from")).to_have_count(0)
    assert planned.api("conflicts")["score"] == computed["conflicts_after"]
    page.click("#undo")
    expect(page.locator("#grid-message")).to_have_text("The last step was undone.")
    assert planned.places() == before
    watch.assert_clean()


def test_a_stale_proposal_says_so_and_offers_to_compute_again(site, planned, watch):
    page = planned.organizer_page(watch, f"/e/{planned.slug}/organizer/grid")
    page.click("#propose")
    expect(page.locator("#proposal")).to_be_visible()
    first = planned.api("proposal")["moves"][0]
    # someone else takes the first move's target before the organizer applies
    blocker = HttpParticipant(site.url, planned.slug)
    taken = blocker.post({"title": "Schneller", "host": "Eve", **first["to"]})
    assert taken.status_code == 201, taken.text
    expect(page.locator("#proposal-note")).to_have_text(re.compile("Applying it checks it again"))
    before = planned.places()
    page.click("#proposal-apply")
    expect(page.locator("#proposal-note")).to_have_text(
        "The wall changed since this proposal was computed; it no longer fits."
    )
    expect(page.locator("#proposal-apply")).to_be_hidden()
    expect(page.locator("#proposal-recompute")).to_be_focused()
    assert planned.places() == before
    page.click("#proposal-recompute")
    expect(page.locator("#proposal-note")).to_be_hidden()
    expect(page.locator("#proposal-apply")).to_be_visible()
    page.click("#proposal-dismiss")
    expect(page.locator("#proposal")).to_be_hidden()
    expect(page.locator(".plan-from")).to_have_count(0)
    watch.assert_clean(("409", "/proposal$"))


def test_move_to_lists_the_best_places_first_with_their_reasons(site, planned, watch):
    page = planned.organizer_page(watch, f"/e/{planned.slug}/organizer/grid")
    best = planned.api(f"suggestions?topic={planned.ids['Kasse']}")["suggestions"][:3]
    page.locator(f'button[data-menu-for="{planned.ids["Kasse"]}"]').click()
    page.locator('#menu-actions button[data-step="move"]').click()
    group = page.locator('#menu-select optgroup[label="Best places"] option')
    expect(group).to_have_count(3)
    assert [o.get_attribute("value") for o in group.all()] == [f"{s['room_id']}:{s['slot_id']}" for s in best]
    expect(page.locator("#menu-current")).to_have_text("Where it is now: Ada already hosts ‘Retouren’ in this slot.")
    expect(page.locator("#menu-reason")).to_have_text("; ".join(best[0]["reasons"]))
    expect(page.locator("#menu-select")).to_be_focused()
    page.screenshot(path=f"{SHOTS}/grid-move-to-best.png")
    page.screenshot(path=f"{CURRENT_SHOTS}/grid-move-to-better-1366.png")
    page.keyboard.press("Enter")
    expect(page.locator("#topic-menu")).not_to_be_visible()
    assert planned.places()["Kasse"] == (best[0]["room_id"], best[0]["slot_id"])
    watch.assert_clean()


def test_move_to_and_dragging_mark_no_place_best_when_none_costs_less(site, planned, watch):
    from test_browser_grid import card

    page = planned.organizer_page(watch, f"/e/{planned.slug}/organizer/grid", viewport={"width": 1280, "height": 800})
    answer = planned.api(f"suggestions?topic={planned.ids['Versand']}")
    assert answer["current"]["score"] == 0 and len(answer["suggestions"]) == 5
    page.locator(f'button[data-menu-for="{planned.ids["Versand"]}"]').click()
    page.locator('#menu-actions button[data-step="move"]').click()
    expect(page.locator("#menu-current")).to_have_text(
        "It is already in one of the best places. No clash known in its place now."
    )
    expect(page.locator("#menu-select optgroup")).to_have_count(0)
    expect(page.locator("#menu-select option")).to_have_count(1 + 5)  # the queue and every free place, as before
    page.screenshot(path=f"{CURRENT_SHOTS}/grid-move-to-already-best-1280.png")
    page.locator("#menu-back").click()
    page.locator("#menu-close").click()
    expect(page.locator("#topic-menu")).not_to_be_visible()
    start = card(page, "Versand").locator(".topic-title").bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 6)
    page.mouse.down()
    page.mouse.move(start["x"] + 30, start["y"] + 30, steps=6)
    expect(page.locator("#announcer")).to_have_text("It is already in one of the best places.")
    expect(page.locator(".cell-drop.hint-best")).to_have_count(0)
    page.mouse.move(start["x"] + 10, start["y"] + 6, steps=4)
    page.mouse.up()
    # Lager (4 of its people are in Retouren) picked up: three places cost less, and only they are marked best
    start = card(page, "Lager").locator(".topic-title").bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 6)
    page.mouse.down()
    page.mouse.move(start["x"] + 30, start["y"] + 30, steps=6)
    expect(page.locator(".cell-drop.hint-best")).to_have_count(3)
    page.screenshot(path=f"{CURRENT_SHOTS}/grid-picked-up-1280.png")
    page.mouse.move(start["x"] + 10, start["y"] + 6, steps=4)
    page.mouse.up()
    expect(page.locator(".hint-best")).to_have_count(0)
    watch.assert_clean()


def test_dragging_a_topic_highlights_its_best_three_places(site, planned, watch):
    from test_browser_grid import card

    page = planned.organizer_page(watch, f"/e/{planned.slug}/organizer/grid")
    best = planned.api(f"suggestions?topic={planned.ids['Lager']}")["suggestions"][:3]
    start = card(page, "Lager").locator(".topic-title").bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 6)
    page.mouse.down()
    page.mouse.move(start["x"] + 30, start["y"] + 30, steps=6)
    expect(page.locator(".cell-drop.hint-best")).to_have_count(3)
    marked = [
        f"{n.get_attribute('data-room-id')}:{n.get_attribute('data-slot-id')}"
        for n in page.locator(".cell-drop.hint-best").all()
    ]
    assert sorted(marked) == sorted(f"{s['room_id']}:{s['slot_id']}" for s in best)
    page.screenshot(path=f"{SHOTS}/grid-drag-hints.png")
    page.mouse.move(start["x"] + 10, start["y"] + 6, steps=4)
    page.mouse.up()
    expect(page.locator(".hint-best")).to_have_count(0)
    watch.assert_clean()


def test_the_conflict_view_lists_every_clash_exactly_and_updates_live(site, planned, watch):
    page = planned.organizer_page(
        watch, f"/e/{planned.slug}/organizer/conflicts", viewport={"width": 1280, "height": 800}
    )
    rows = page.locator("#conflicts-body tr")
    expect(rows).to_have_count(3)

    def table():
        return [[cell.inner_text().strip() for cell in row.locator("td").all()] for row in rows.all()]

    assert table() == [
        [
            "5",
            "Room too small",
            "09:00–09:50 · Runde 1",
            "Klein",
            "Retouren",
            "‘Retouren’ (Runde 1): Klein holds 3, 8 interested",
        ],
        [
            "4",
            "Overlapping audiences",
            "09:00–09:50 · Runde 1",
            "–",
            "Retouren\nLager",
            "4 people are interested in both ‘Retouren’ and ‘Lager’ (Runde 1)",
        ],
        [
            "1",
            "Host double-booked",
            "09:00–09:50 · Runde 1",
            "–",
            "Retouren\nKasse",
            "Ada hosts ‘Retouren’, ‘Kasse’ at the same time (Runde 1)",
        ],
    ]
    expect(page.locator("#conflicts-total")).to_have_text(f"{planned.api('conflicts')['score']} people affected in all")
    page.screenshot(path=f"{SHOTS}/conflicts.png", full_page=True)
    assert axe_violations(page) == []
    # Kasse moves to Runde 3: the host clash is gone, the page follows by itself
    moved = planned.orga.http.patch(
        f"{site.url}/api/events/{planned.slug}/topics/{planned.ids['Kasse']}",
        json={"room_id": planned.rooms["Mittel"], "slot_id": planned.slots["Runde 3"]},
        headers={"X-CSRFToken": planned.orga.csrf},
        timeout=10,
    )
    assert moved.status_code == 200
    expect(rows).to_have_count(2)
    assert [r[1] for r in table()] == ["Room too small", "Overlapping audiences"]
    participant = watch.page(f"{site.url}/e/{planned.slug}/")
    assert participant.goto(f"{site.url}/e/{planned.slug}/organizer/conflicts").status == 403
    watch.assert_clean(("403", "organizer/conflicts"))


def test_a_topic_page_shows_its_host_better_places_and_moves_it(site, planned, watch):
    page = planned.organizer_page(watch, f"/e/{planned.slug}/t/{planned.ids['Retouren']}", **PHONE)
    best = planned.api(f"suggestions?topic={planned.ids['Retouren']}")["suggestions"][:3]
    items = page.locator("#t-hints-list li")
    expect(items).to_have_count(3)
    for item, suggestion in zip(items.all(), best, strict=True):
        expect(item.locator(".hint-reasons")).to_have_text("; ".join(suggestion["reasons"]))
    expect(page.locator("#t-hints-current")).to_have_text(
        "Where it is now: Ada already hosts ‘Kasse’ in this slot; Room holds 3, 8 interested;"
        " 4 people interested in this are also interested in ‘Lager’ in this slot."
    )
    assert axe_violations(page) == []
    page.locator("#t-hints").evaluate("node => node.scrollIntoView({block: 'start'})")
    page.screenshot(path=f"{SHOTS}/topic-better-places-360.png")
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=f"{CURRENT_SHOTS}/topic-better-places-360.png")
    items.nth(0).locator("button").click()
    expect(page.locator("#t-hints-status")).to_have_text(re.compile("^Moved to "))
    assert planned.places()["Retouren"] == (best[0]["room_id"], best[0]["slot_id"])
    # in its new place nothing costs less: no list, and the page says so
    expect(page.locator("#t-hints-current")).to_have_text("No clash known in its place now.")
    expect(page.locator("#t-hints-status")).to_have_text("It is already in one of the best places.")
    expect(items).to_have_count(0)
    stranger = watch.page(f"{site.url}/e/{planned.slug}/t/{planned.ids['Lager']}")
    wait_live(stranger)
    assert stranger.locator("#t-hints").count() == 0  # neither its host nor an organizer: no hints
    watch.assert_clean()


def test_a_topic_page_lists_no_worse_place_than_where_it_is(site, planned, watch):
    # Runde 2 full; in Runde 3 only Klein free (3 seats for Lager's 4), and p1-p3 of Lager are in Zoll there
    for title, room, slot in [("Export", "Mittel", "Runde 2"), ("Import", "Groß", "Runde 2")]:
        planned.ids[title] = planned.post(title, "Eli", room, slot)
    planned.ids["Zoll"] = planned.post("Zoll", "Dana", "Mittel", "Runde 3")
    planned.ids["Steuer"] = planned.post("Steuer", "Fe", "Groß", "Runde 3")
    planned.interest("Zoll", ["p1", "p2", "p3"])
    answer = planned.api(f"suggestions?topic={planned.ids['Lager']}")
    assert (answer["current"]["score"], [s["score"] for s in answer["suggestions"]]) == (4, [1 + 3])
    page = planned.organizer_page(watch, f"/e/{planned.slug}/t/{planned.ids['Lager']}", **PHONE)
    expect(page.locator("#t-hints-current")).to_have_text(
        "Where it is now: 4 people interested in this are also interested in ‘Retouren’ in this slot."
    )
    expect(page.locator("#t-hints-status")).to_have_text("It is already in one of the best places.")
    expect(page.locator("#t-hints-list li")).to_have_count(0)  # Klein in Runde 3 costs as much: not listed
    page.set_viewport_size({"width": 360, "height": 740})
    page.locator("#t-hints").evaluate("node => node.scrollIntoView({block: 'start'})")
    page.screenshot(path=f"{CURRENT_SHOTS}/topic-already-best-360.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    watch.assert_clean()
