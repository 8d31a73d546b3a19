"""Accessibility in headless Chromium: axe-core (no serious or critical violations), keyboard, motion, live region."""

from __future__ import annotations

import re

import pytest
from live import ROOT, HttpParticipant, cli
from test_browser import DESKTOP, LIVE, PHONE, browser, site  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.server]

AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core violations of the page, as readable lines."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def new_context(browser):
    """Opens browser contexts for one test and closes them afterwards, also when the test failed."""
    opened = []

    def open_context(**options):
        context = browser.new_context(**options)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture(scope="module")
def event_with_topics(site):
    """A German two-day event with two topics; returns (slug, organizer link)."""
    out = cli(
        site.database_url,
        "create-event",
        "--name=Barrierefrei",
        "--slug=a11y",
        "--starts-on=2026-02-27",
        "--language=de",
        "--room=Plenum | 100",
        "--room=Werkstatt",
        "--slot=2026-02-27 09:00-10:00 Runde 1",
        "--slot=2026-02-28 09:00-10:00 Runde 2",
    )
    person = HttpParticipant(site.url, "a11y")
    wall = person.wall()
    first = {"room_id": wall["rooms"][0]["id"], "slot_id": wall["slots"][0]["id"]}
    assert person.post({"title": "Retouren senken", "host": "Marek", **first}).status_code == 201
    assert person.post({"title": "Nachhaltiger Versand", "host": "Tobias"}).status_code == 201
    return "a11y", re.search(r"Organizer \(keep safe\): (\S+)", out).group(1)


@pytest.mark.parametrize(
    ("path", "options"),
    [
        ("/e/a11y/", PHONE),
        ("/e/a11y/wall", DESKTOP),
        ("/e/a11y/poster", DESKTOP),
        ("/", PHONE),
        ("/new", DESKTOP),
    ],
)
def test_axe_reports_no_serious_or_critical_violations(new_context, site, event_with_topics, path, options):
    context = new_context(bypass_csp=True, locale="de-DE", **options)
    page = context.new_page()
    page.goto(site.url + path)
    if path.startswith("/e/a11y/") and path != "/e/a11y/poster":
        page.wait_for_selector(LIVE)
    assert axe_violations(page) == []


def test_axe_on_open_form_and_organizer_overview(new_context, site, event_with_topics):
    _slug, organizer_link = event_with_topics
    context = new_context(bypass_csp=True, locale="de-DE", **PHONE)
    page = context.new_page()
    page.goto(organizer_link.replace("http://127.0.0.1:5000", site.url))
    page.wait_for_selector(LIVE)
    assert page.url.endswith("/e/a11y/organizer")
    assert axe_violations(page) == []
    page.click("#open-form")
    page.click("#f-submit")  # empty form: the error state must be accessible too
    page.wait_for_selector("#form-error:not([hidden])")
    assert axe_violations(page) == []


def test_keyboard_alone_can_post_an_anliegen(new_context, site, event_with_topics):
    context = new_context(locale="de-DE", **DESKTOP)
    page = context.new_page()
    page.goto(site.url + "/e/a11y/")
    page.wait_for_selector(LIVE)
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "open-form":
            break
    assert page.evaluate("document.activeElement.id") == "open-form"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "f-title"
    page.keyboard.type("Per Tastatur eingetragen")
    page.keyboard.press("Tab")
    page.keyboard.type("Kim")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-cell"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-submit"
    page.keyboard.press("Enter")
    page.wait_for_selector("#form-panel[hidden]", state="attached")
    titles = [t["title"] for t in HttpParticipant(site.url, "a11y").wall()["topics"]]
    assert titles.count("Per Tastatur eingetragen") == 1


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_new_topic_is_highlighted_announced_politely_and_animated_unless_motion_is_reduced(new_context, site, motion):
    slug = f"motion-{motion}"
    cli(
        site.database_url,
        "create-event",
        "--name=Bewegung",
        f"--slug={slug}",
        "--starts-on=2026-02-27",
        "--language=de",
        "--room=Plenum",
        "--room=Werkstatt",
        "--slot=2026-02-27 09:00-10:00 Runde 1",
    )
    context = new_context(locale="de-DE", reduced_motion=motion, **DESKTOP)
    wall = context.new_page()
    wall.goto(f"{site.url}/e/{slug}/wall")
    wall.wait_for_selector(LIVE)
    assert wall.get_attribute("#announcer", "aria-live") == "polite"
    person = HttpParticipant(site.url, slug)
    room, slot = person.wall()["rooms"][1]["id"], person.wall()["slots"][0]["id"]
    assert (
        person.post({"title": "Leise angekündigt", "host": "Ada", "room_id": room, "slot_id": slot}).status_code == 201
    )
    wall.wait_for_function("document.getElementById('announcer').textContent.includes('Leise angekündigt')")
    assert wall.text_content("#announcer") == "Neues Anliegen: Leise angekündigt"

    fresh = wall.locator("td.fresh")
    assert fresh.count() == 1
    assert fresh.locator(".topic-title").text_content() == "Leise angekündigt"
    style = fresh.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.animationName, s.animationDuration]; }"
    )
    # Highlighted either way; only its pulse goes when motion is reduced.
    assert style == (["solid", "pulse", "1.2s"] if motion == "no-preference" else ["solid", "none", "0s"])


def test_zoom_is_never_disabled_and_days_are_headed_after_live_updates(new_context, site, event_with_topics):
    context = new_context(locale="de-DE", **PHONE)
    page = context.new_page()
    page.goto(site.url + "/e/a11y/")
    page.wait_for_selector(LIVE)
    viewport = page.get_attribute('meta[name="viewport"]', "content")
    assert "user-scalable=no" not in viewport
    assert "maximum-scale" not in viewport
    before = page.locator(".day-head").all_text_contents()
    assert before == ["Freitag, 27. Februar 2026", "Samstag, 28. Februar 2026"]
    HttpParticipant(site.url, "a11y").post({"title": "Neu gerendert", "host": "Jo"})
    page.wait_for_selector("text=Neu gerendert")
    assert page.locator(".day-head").all_text_contents() == before


def test_axe_on_topic_page_with_its_edit_form_and_on_the_printables(new_context, site, event_with_topics):
    _slug, organizer_link = event_with_topics
    topic_id = HttpParticipant(site.url, "a11y").wall()["topics"][0]["id"]
    context = new_context(bypass_csp=True, locale="de-DE", **PHONE)
    page = context.new_page()
    page.goto(organizer_link.replace("http://127.0.0.1:5000", site.url))
    page.goto(f"{site.url}/e/a11y/t/{topic_id}")
    page.wait_for_selector(LIVE)
    assert axe_violations(page) == []
    page.click("#t-edit")
    page.fill("#te-title", "")
    page.click("#te-submit")  # a title is required: the error state must be accessible too
    page.wait_for_selector("#t-form-error:not([hidden])")
    assert axe_violations(page) == []
    for path in ("print/doors", "print/topics", "print/poster"):
        page.goto(f"{site.url}/e/a11y/{path}")
        assert axe_violations(page) == [], path
