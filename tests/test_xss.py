"""Fifty classic XSS payloads in every text field, through the API and onto the phone, the projector and the
organizer's overview in headless Chromium.

Every post must either be refused with a per-field message (HTML tags, `javascript:`, control characters; NUL is a
documented 400) or be accepted, and then be shown literally, as text, everywhere, without any script running: a
dialog listener and a `window.__xss` trap (alert/confirm/prompt/print and CSP violations) watch every page, after the
first render and after a live update. The event, room and slot names are payload-like too.

The outcome per payload and field is written to test-artifacts/xss-results.json and printed (pytest -s).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from urllib.parse import urlsplit

import pytest
from live import HttpParticipant, cli
from test_browser import (  # noqa: F401 - fixtures are used by name
    artifacts,
    browser,
    expect,
    site,
    wait_live,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]

FIELDS = ("title", "host", "goal", "context")
MULTILINE = {"goal", "context"}
HTML = "HTML and scripts are not allowed here."
CONTROL = "Contains control characters."

# (payload, expected outcome in every field): "ok" = 201 and shown literally, "html"/"ctrl" = 422 naming the field,
# "nul" = 400 bad_request (docs/api.md: NUL characters are refused for the whole body).
PAYLOADS: list[tuple[str, str]] = [
    # script tags, also mixed case and broken up
    ("<script>alert(1)</script>", "html"),
    ("<SCRIPT SRC=//xss.example/x.js></SCRIPT>", "html"),
    ("<ScRiPt>alert(1)</sCrIpT>", "html"),
    ("</script><script>alert(1)</script>", "html"),
    ("</textarea><script>alert(1)</script>", "html"),
    ("<<script>alert(1)//<</script>", "html"),
    ("<!--<script>alert(1)//-->", "html"),
    # event handlers on tags
    ("<img src=x onerror=alert(1)>", "html"),
    ("<IMG SRC=x OnErRoR=alert(1)>", "html"),
    ("<svg onload=alert(1)>", "html"),
    ("<svg/onload=alert(1)>", "html"),
    ("<body onload=alert(1)>", "html"),
    ("<details open ontoggle=alert(1)>", "html"),
    ("<math><mtext><img src=x onerror=alert(1)>", "html"),
    ('"><svg onload=alert(1)>', "html"),
    ("'\"><img src=x onerror=alert(1)>", "html"),
    ("<x onclick=alert(1)>klick", "html"),
    # frames, links, objects, meta, base
    ('<iframe srcdoc="<script>alert(1)</script>">', "html"),
    ('<iframe src="javascript:alert(1)">', "html"),
    ("<a href=javascript:alert(1)>klick</a>", "html"),
    ('<object data="data:text/html,x">', "html"),
    ('<base href="//evil.example/">', "html"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', "html"),
    ('<?xml version="1.0"?><x/>', "html"),
    # javascript: URLs
    ("javascript:alert(1)", "html"),
    ("JaVaScRiPt:alert(1)", "html"),
    ("javascript :alert(1)", "html"),
    ("java\tscript:alert(1)", "ok"),  # not a URL scheme any more; a title's tab becomes a space
    ("jav&#x09;ascript:alert(1)", "ok"),
    # CSS
    ('<div style="width:expression(alert(1))">', "html"),
    ("x:expression(alert(1))", "ok"),
    ('background:url("javascript:alert(1)")', "html"),
    # data: URLs
    ("data:text/html,<script>alert(1)</script>", "html"),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "ok"),
    # attribute and string breakers
    ('" onmouseover="alert(1)', "ok"),
    ("' onfocus='alert(1)' autofocus='", "ok"),
    ("'-alert(1)-'", "ok"),
    ('";alert(1);//', "ok"),
    # template injections
    ("{{7*7}}", "ok"),
    ("${alert(1)}", "ok"),
    ("{{constructor.constructor('alert(1)')()}}", "ok"),
    ("#{7*7} <%= 7*7 %> [[7*7]]", "ok"),
    # entities, escapes and look-alikes (text, not markup)
    ("&lt;script&gt;alert(1)&lt;/script&gt;", "ok"),
    ("&#60;img src=x onerror=alert(1)&#62;", "ok"),
    ("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", "ok"),
    ("%3Cscript%3Ealert(1)%3C/script%3E", "ok"),
    ("＜script＞alert(1)＜/script＞", "ok"),  # fullwidth look-alikes of < and >
    ("<\u200bscript>alert(1)<\u200b/script>", "ok"),  # zero-width space after "<": not a tag for HTML either
    ("< script >alert(1)< /script >", "ok"),
    ("\u202egnp.exe a\u2028b\u2029c", "ok"),  # right-to-left override, line and paragraph separators
    # control characters, NUL splits, lone surrogates
    ("<scr\x00ipt>alert(1)</scr\x00ipt>", "nul"),
    ("<scr\x01ipt>alert(1)</scr\x01ipt>", "ctrl"),
    ("alert\x07(1)\x1b[31mrot\x1b[0m", "ctrl"),
    ("x\ud800y", "ctrl"),
]
assert len(PAYLOADS) >= 50, len(PAYLOADS)
assert all(len(p) <= 80 for p, _ in PAYLOADS), "every payload must fit the host field (80 characters)"

EVENT_NAME = "Konferenz \"A\" & 'B' {{7*7}} ${x} <%= 7*7 %>"
ROOMS = ["Raum \"A\" & 'B' {{7*7}}", "Saal ${alert(1)} '-alert(1)-'", 'Ecke &lt;b&gt; #{7*7} " onmouseover="x']
LABELS = ["Runde \"1\" & 'x' {{7*7}}", "Pause ${alert(1)} &amp; ' onclick='x", "Ende \\u003cb\\u003e"]
LIVE_TOPIC = {
    "title": '{{7*7}} ${alert(1)} " onmouseover="alert(1)',
    "host": "'-alert(1)-'",
    "goal": "&lt;img src=x onerror=alert(1)&gt;\nzweite Zeile",
    "context": "< script >alert(1)< /script >",
}

TRAP = """
(() => {
  const hits = [];
  Object.defineProperty(window, "__xss", { value: hits });
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    const original = window[name];
    window[name] = function (...args) {
      hits.push(`${name}: ${String(args[0])}`);
      return original.apply(window, args);
    };
  }
  document.addEventListener("securitypolicyviolation", (e) => hits.push(`csp: ${e.violatedDirective} ${e.blockedURI}`));
})();
"""

# Every element the pages render inside user-content containers; anything else would be injected markup.
RENDERED_TAGS = {"SECTION", "H2", "SPAN", "UL", "LI", "BUTTON", "THEAD", "TBODY", "TR", "TH", "TD"}
INJECTION_CHECK = """
(selector) => {
  // The one link the pages put in a cell: the topic's title, pointing at that topic's own page.
  const ours = (n) => n.tagName === "A" && n.classList.contains("topic-title")
    && /^\\/e\\/[^/]+\\/t\\/[0-9]+$/.test(n.getAttribute("href"));
  return {
    foreign: [...document.querySelectorAll(selector)].filter((n) => !ours(n)).map((n) => n.tagName)
      .filter((t) => !ALLOWED.includes(t)),
    handlers: [...document.querySelectorAll("*")].flatMap((n) =>
      [...n.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${n.tagName}[${a.name}]`)),
    frames: document.querySelectorAll("iframe, object, embed, frame").length,
    scripts: [...document.scripts].map((s) => s.src ? new URL(s.src).pathname : `inline:${s.type}`),
    xss: window.__xss,
  };
}
""".replace("ALLOWED", json.dumps(sorted(RENDERED_TAGS)))
PHONE_TOPICS = """
() => Object.fromEntries([...document.querySelectorAll("#wall li.cell[data-topic-id]")].map((li) => [
  li.dataset.topicId, {
  title: li.querySelector(".topic-title")?.textContent ?? null,
  host: li.querySelector(".topic-host")?.textContent ?? null,
  goal: li.querySelector(".topic-goal")?.textContent ?? null,
  context: li.querySelector(".topic-context")?.textContent ?? null,
}]))
"""
WALL_QUEUE = """
() => [...document.querySelectorAll("#queue li")].map((li) => [
  li.querySelector(".topic-title")?.textContent ?? null, li.querySelector(".topic-host")?.textContent ?? null])
"""


def cleaned(value: str, field: str) -> str:
    """What the server stores for an accepted text: NFC, trimmed, whitespace runs collapsed in one-line fields."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    return value if field in MULTILINE else " ".join(value.split())


def body_for(field: str, payload: str, index: int) -> dict:
    body = {
        "title": f"T{index:02d}-{field}",
        "host": "Eve",
        "goal": "",
        "context": "",
        "room_id": None,
        "slot_id": None,
    }
    body[field] = payload
    return body


class XssEvent:
    """The module's payload event: its slug, organizer path and the outcome of every post."""

    def __init__(self, site, slug: str, organizer_path: str) -> None:
        self.site = site
        self.slug = slug
        self.organizer_path = organizer_path
        self.results: list[dict] = []  # one per (payload, field)

    @property
    def url(self) -> str:
        return f"{self.site.url}/e/{self.slug}"


@pytest.fixture(scope="module")
def xss(site, artifacts):
    """Create the event through the CLI, post every payload into every field, record every answer."""
    output = cli(
        site.database_url,
        "create-event",
        f"--name={EVENT_NAME}",
        "--slug=xss",
        "--starts-on=2026-02-27",
        "--language=en",
        *[f"--room={name}" for name in ROOMS],
        *[f"--slot=2026-02-27 {9 + i:02d}:00-{9 + i:02d}:50 {label}" for i, label in enumerate(LABELS)],
    )
    link = re.search(r"Organizer \(keep safe\):\s+(\S+)", output)
    assert link, output
    event = XssEvent(site, "xss", urlsplit(link.group(1)).path)
    person = HttpParticipant(site.url, "xss")
    for index, (payload, expected) in enumerate(PAYLOADS):
        for field in FIELDS:
            body = body_for(field, payload, index)
            response = person.post(body)
            answer = response.json()
            event.results.append(
                {
                    "index": index,
                    "payload": payload,
                    "field": field,
                    "expected": expected,
                    "status": response.status_code,
                    "answer": answer,
                    "body": body,
                }
            )
    (artifacts / "xss-results.json").write_text(
        json.dumps(
            [
                {k: r[k] for k in ("index", "payload", "field", "status")} | {"answer": r["answer"]}
                for r in event.results
            ],
            indent=1,  # ASCII escapes: one payload is a lone surrogate
        ),
        encoding="utf-8",
    )
    return event


def outcome(result: dict) -> str:
    if result["status"] == 201:
        return "accepted"
    if result["status"] == 400:
        return "refused 400 (NUL)"
    message = result["answer"].get("fields", {}).get(result["field"], "?")
    return f"refused 422 ({'markup' if message == HTML else 'control' if message == CONTROL else message})"


# --------------------------------------------------------------------------- API


def test_every_payload_is_refused_per_field_or_accepted_as_text(xss):
    counts = {field: Counter(outcome(r) for r in xss.results if r["field"] == field) for field in FIELDS}
    print("\noutcome per field:")
    for field in FIELDS:
        print(f"  {field:8s}", dict(sorted(counts[field].items())))
    problems = []
    for r in xss.results:
        status, answer, field, expected = r["status"], r["answer"], r["field"], r["expected"]
        label = f"#{r['index']} {r['payload']!r} in {field}: {status} {answer}"
        if status not in {201, 422, 400}:
            problems.append(f"unexpected status: {label}")
        elif expected == "ok":
            if status != 201:
                problems.append(f"refused, expected accepted: {label}")
            elif answer["topic"][field] != cleaned(r["payload"], field):
                problems.append(f"stored differently: {label}")
        elif expected == "nul":
            if status != 400 or answer.get("code") != "bad_request":
                problems.append(f"expected 400 bad_request for NUL: {label}")
        elif status != 422 or answer.get("code") != "invalid":
            problems.append(f"accepted, expected refused: {label}")
        elif answer.get("fields") != {field: HTML if expected == "html" else CONTROL}:
            problems.append(f"refusal without the right per-field message: {label}")
    assert problems == [], "\n".join(problems)
    accepted = sum(r["status"] == 201 for r in xss.results)
    wall = HttpParticipant(xss.site.url, xss.slug).wall()
    assert len(wall["topics"]) == accepted


def test_json_unicode_escapes_are_decoded_before_the_markup_check(xss):
    """`\\u003cscript\\u003e` in the JSON text is "<script>" for the server: refused like the plain tag."""
    person = HttpParticipant(xss.site.url, xss.slug)
    raw = (
        '{"title": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", '
        '"host": "Eve", "room_id": null, "slot_id": null}'
    )
    response = person.http.post(
        f"{person.base}/api/events/{xss.slug}/topics",
        data=raw.encode(),
        headers={"X-CSRFToken": person.csrf, "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == {"title": HTML}


# --------------------------------------------------------------------------- browser


def open_trapped(watch, kind: str, url: str):
    """A page with the XSS trap installed before any of the app's scripts run."""
    page = getattr(watch, kind)("about:blank")
    page.context.add_init_script(TRAP)
    page.goto(url)
    return page


def assert_no_script_ran(pages: dict, watch) -> None:
    assert watch.dialogs == [], watch.dialogs
    for name, (page, selector) in pages.items():
        found = page.evaluate(INJECTION_CHECK, selector)
        assert found["xss"] == [], (name, found["xss"])
        assert found["foreign"] == [], (name, found["foreign"])
        assert found["handlers"] == [], (name, found["handlers"])
        assert found["frames"] == 0, name
        assert all(s.startswith("/static/js/") or s.startswith("inline:application/json") for s in found["scripts"]), (
            name,
            found["scripts"],
        )


def assert_shown_literally(phone, wall, organizer, topics: list[dict]) -> None:
    """Exact text of every topic on the phone and organizer lists (by id) and of the newest in the wall's queue."""
    assert all(t["room_id"] is None for t in topics)
    for name, page in (("phone", phone), ("organizer", organizer)):
        shown = page.evaluate(PHONE_TOPICS)
        for topic in topics:
            expected = {
                "title": topic["title"],
                "host": topic["host"],
                "goal": f"Goal: {topic['goal']}" if topic["goal"] else None,
                "context": f"Context: {topic['context']}" if topic["context"] else None,
            }
            assert shown.get(str(topic["id"])) == expected, (name, topic)
        assert len(shown) == len(topics), name
    # A projector cannot scroll: the wall lists the newest unplaced topics that fit (at most six), then "+ N more".
    listed = wall.evaluate(WALL_QUEUE)
    shown = len(listed) - 1
    assert 1 <= shown <= 6
    assert listed == [*[[t["title"], t["host"]] for t in reversed(topics)][:shown], [None, None]]
    assert wall.locator("#queue li.more").inner_text() == f"+ {len(topics) - shown} more"


def test_pages_show_every_accepted_payload_literally_and_run_none(xss, watch, artifacts):
    phone = open_trapped(watch, "phone", f"{xss.url}/")
    wall = open_trapped(watch, "desktop", f"{xss.url}/wall")
    organizer = open_trapped(watch, "desktop", f"{xss.site.url}{xss.organizer_path}")
    assert urlsplit(organizer.url).path == f"/e/{xss.slug}/organizer", organizer.url
    for page in (phone, wall, organizer):
        wait_live(page, timeout=20_000)
    pages = {"phone": (phone, "#wall *"), "wall": (wall, "#grid *, #queue *"), "organizer": (organizer, "#wall *")}

    person = HttpParticipant(xss.site.url, xss.slug)
    topics = person.wall()["topics"]
    assert topics, "no payload was accepted"
    assert_shown_literally(phone, wall, organizer, topics)
    # The organizer may change every topic: the payloads sit next to real buttons there.
    expect(organizer.locator("#wall li.cell[data-topic-id] [data-edit]")).to_have_count(len(topics))
    assert_no_script_ran(pages, watch)
    phone.screenshot(path=str(artifacts / "xss-phone.png"), full_page=True)
    wall.screenshot(path=str(artifacts / "xss-wall.png"))
    organizer.screenshot(path=str(artifacts / "xss-organizer.png"))

    # A live update: one more accepted payload arrives over the socket and is rendered by the scripts.
    response = person.post({**LIVE_TOPIC, "room_id": None, "slot_id": None})
    assert response.status_code == 201, response.text
    revision = response.json()["revision"]
    for page in (phone, wall, organizer):
        expect(page.locator("body")).to_have_attribute("data-revision", str(revision), timeout=10_000)
    topics = person.wall()["topics"]
    assert topics[-1]["title"] == LIVE_TOPIC["title"]
    assert_shown_literally(phone, wall, organizer, topics)
    expect(wall.locator("#queue li.fresh .topic-title")).to_have_text(LIVE_TOPIC["title"])
    assert_no_script_ran(pages, watch)
    watch.assert_clean()


def test_event_room_and_slot_names_show_literally(xss, watch, artifacts):
    phone = open_trapped(watch, "phone", f"{xss.url}/")
    wall = open_trapped(watch, "desktop", f"{xss.url}/wall")
    organizer = open_trapped(watch, "phone", f"{xss.site.url}{xss.organizer_path}")
    for page in (phone, wall, organizer):
        wait_live(page, timeout=20_000)

    api = HttpParticipant(xss.site.url, xss.slug).wall()
    assert api["event"]["name"] == EVENT_NAME
    assert [r["name"] for r in api["rooms"]] == ROOMS
    assert [s["label"] for s in api["slots"]] == LABELS

    assert wall.title() == f"{EVENT_NAME} – Topic wall"
    assert wall.locator(".wall-head h1").text_content() == EVENT_NAME
    assert wall.locator("#grid thead th[data-room-id]").all_text_contents() == ROOMS
    assert wall.locator("#grid .slot-label").all_text_contents() == LABELS

    assert phone.title() == f"{EVENT_NAME} – Topic wall"
    assert organizer.title() == f"{EVENT_NAME} – Organizer"
    assert phone.locator(".topbar .brand").text_content() == EVENT_NAME
    assert organizer.locator(".topbar .brand").text_content() == f"{EVENT_NAME} · Organizer"
    for page in (phone, organizer):
        first_slot = page.locator("#wall section.slot").first
        assert first_slot.locator(".room-name").all_text_contents() == ROOMS
        assert page.locator("#wall .slot-label").all_text_contents() == LABELS
        # The form's place picker names rooms and slots too (option labels are text, never markup).
        page.locator("#open-form").tap()
        labels = page.locator("#f-cell option").all_text_contents()
        assert any(label.startswith(f"{ROOMS[0]} · ") for label in labels), labels
        assert page.locator("#f-cell optgroup").first.get_attribute("label").endswith(LABELS[0])
    assert_no_script_ran(
        {"phone": (phone, "#wall *"), "wall": (wall, "#grid *"), "organizer": (organizer, "#wall *")}, watch
    )
    wall.screenshot(path=str(artifacts / "xss-names-wall.png"))
    phone.screenshot(path=str(artifacts / "xss-names-phone.png"))
    watch.assert_clean()
