"""After the sessions: publishing the report (rights, one revision, one delta), the report page (who sees it,
what is hidden, escaping), the review page's rights, and the follow-up page across the events a browser organizes."""

from __future__ import annotations

import re

import pytest
from conftest import Organizer, Participant, build_event, make_app, topic_body
from test_moderation import received, watch
from test_photos import jpeg, upload
from test_results import full_body, path, save

from openspace.extensions import db
from openspace.models import Event, LogEntry, Result

SLUG = "orga"


@pytest.fixture
def app(tmp_path, database_url):
    """Documenting takes many saves in a row: only the limits under test apply."""
    app = make_app(tmp_path, DATABASE_URL=database_url, RATE_LIMIT_WRITES="1000 per minute")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def orga(app, organizer_secret):
    slug, secret = organizer_secret
    return Organizer(app, slug, secret)


@pytest.fixture
def host(app, orga):
    return Participant(app, SLUG)


def post_topic(client, n, **extra):
    wall = client.wall().get_json()
    room, slot = wall["rooms"][n % len(wall["rooms"])]["id"], wall["slots"][n // len(wall["rooms"])]["id"]
    response = client.post(topic_body(title=f"Thema {n}", host=f"Host {n}", room_id=room, slot_id=slot, **extra))
    assert response.status_code == 201
    return response.get_json()["topic"]["id"]


def publish(client, published=True, slug=SLUG):
    return client.client.post(
        f"/api/events/{slug}/report/publish", json={"published": published}, headers={"X-CSRFToken": client.csrf}
    )


def event_row(app, slug=SLUG):
    with app.app_context():
        event = db.session.query(Event).filter_by(slug=slug).one()
        steps = db.session.query(LogEntry).filter_by(event_id=event.id).count()
        return event.revision, event.report_published_at, steps


def test_publish_is_refused_to_participants_outsiders_and_rotated_away_organizers(app, orga, host, organizer_secret):
    slug, secret = organizer_secret
    rotated = Organizer(app, slug, secret)
    assert orga.call("post", "organizer-link").status_code == 200  # `rotated` loses its rights
    outsider = Participant(app, "zukunft")
    before = event_row(app)
    for client in (host, outsider, rotated):
        for published in (True, False):
            response = publish(client, published)
            assert response.status_code == 403
            assert response.get_json()["code"] == "forbidden"
    assert event_row(app) == before
    assert host.client.get(f"/e/{SLUG}/report").status_code == 404


def test_publish_and_unpublish_are_one_revision_one_logged_step_and_one_delta_each(app, orga, host):
    socket, _ack = watch(host)
    revision, published_at, steps = event_row(app)
    assert published_at is None
    assert host.wall().get_json()["event"]["report_published"] is False

    response = publish(orga, True)
    assert response.status_code == 200
    body = response.get_json()
    wall_event = host.wall().get_json()["event"]
    assert wall_event["report_published"] is True
    assert body == {"ok": True, "event": wall_event, "revision": revision + 1}
    assert received(socket, "wall_changed") == [
        {"revision": revision + 1, "change": {"type": "event_updated", "event": wall_event}}
    ]
    again = publish(orga, True)  # already public: nothing changes, no revision, no delta
    assert (again.status_code, again.get_json()["revision"]) == (200, revision + 1)
    assert received(socket, "wall_changed") == []

    assert publish(orga, False).get_json()["event"]["report_published"] is False
    [delta] = received(socket, "wall_changed")
    assert delta["revision"] == revision + 2
    assert delta["change"]["event"]["report_published"] is False
    assert event_row(app) == (revision + 2, None, steps + 2)
    log = orga.client.get(f"/api/events/{SLUG}/moderation/log").get_json()["steps"]
    assert [(s["action"], s["before"], s["after"]) for s in log[:2]] == [
        ("unpublish", {"report_published": True}, {"report_published": False}),
        ("publish", {"report_published": False}, {"report_published": True}),
    ]


def test_publish_refuses_bad_bodies_and_changes_nothing(app, orga):
    before = event_row(app)
    for body, status in (({"published": "yes"}, 422), ({}, 422), ({"published": True, "x": 1}, 400), ([], 400)):
        response = orga.client.post(f"/api/events/{SLUG}/report/publish", json=body, headers={"X-CSRFToken": orga.csrf})
        assert response.status_code == status, body
    assert event_row(app) == before


def test_report_is_404_before_publishing_except_for_organizers_and_public_after(app, orga, host):
    topic = post_topic(host, 0)
    assert save(host, topic, full_body()).status_code == 200
    outsider = Participant(app, "zukunft")
    for client in (host, outsider):
        page = client.client.get(f"/e/{SLUG}/report")
        assert page.status_code == 404
        assert b"not published yet" in page.data
        assert b"Thema 0" not in page.data
    mine = orga.client.get(f"/e/{SLUG}/report")
    assert (mine.status_code, mine.headers["Cache-Control"]) == (200, "private, no-store")
    assert b"Not published yet: only organizers see this report." in mine.data
    assert publish(orga).status_code == 200
    for client in (host, outsider, orga):
        page = client.client.get(f"/e/{SLUG}/report")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Thema 0" in text and "Drei Maßnahmen gegen Retouren.\nErst die Größentabelle." in text
        assert "Größentabelle prüfen" in text and "14 attendees" in text
        assert page.headers["Cache-Control"] == ("private, no-store" if client is orga else "no-cache")
        assert '<a href="https://pad.example.org/retouren" rel="nofollow noopener noreferrer">' in text
    assert publish(orga, False).status_code == 200
    assert host.client.get(f"/e/{SLUG}/report").status_code == 404


def test_hidden_results_and_photos_are_absent_from_the_public_report_and_marked_for_organizers(app, orga, host):
    shown, hidden = post_topic(host, 0), post_topic(host, 1)
    assert save(host, shown, full_body(summary="Sichtbares Ergebnis")).status_code == 200
    assert save(host, hidden, full_body(summary="Geheimes Ergebnis")).status_code == 200
    review = orga.call("post", path(hidden, "/review"), {"state": "reviewed", "hidden": True})
    assert review.status_code == 200
    kept, secret_photo = (upload(host, shown, jpeg()).get_json()["id"] for _ in range(2))
    assert orga.call("patch", path(shown, f"/photos/{secret_photo}"), {"hidden": True}).status_code == 200
    assert publish(orga).status_code == 200

    public = host.client.get(f"/e/{SLUG}/report").get_data(as_text=True)
    assert "Sichtbares Ergebnis" in public and "Thema 1" in public  # the session stays in the schedule
    assert "Geheimes Ergebnis" not in public
    assert f"/photos/{kept}/thumb.jpg" in public and f"/photos/{secret_photo}" not in public
    assert ">hidden<" not in public

    organizers = orga.client.get(f"/e/{SLUG}/report").get_data(as_text=True)
    assert "Geheimes Ergebnis" in organizers and f"/photos/{secret_photo}/thumb.jpg" in organizers
    assert organizers.count('<span class="badge badge-hidden">hidden</span>') == 2  # the result and the photo
    assert f'class="report-session is-hidden" id="topic-{hidden}"' in organizers


def test_result_text_is_escaped_on_the_report_and_review_pages(app, orga, host):
    topic = post_topic(host, 0)
    assert save(host, topic, full_body(summary='a < b & "c"')).status_code == 200
    with app.app_context():  # markup is refused on save; a row written otherwise (an import) is still only text
        db.session.query(Result).filter_by(topic_id=topic).one().insights = "<script>alert(1)</script>"
        db.session.commit()
    assert publish(orga).status_code == 200
    for page in (host.client.get(f"/e/{SLUG}/report"), orga.client.get(f"/e/{SLUG}/organizer/review")):
        text = page.get_data(as_text=True)
        assert "<script>alert(1)" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "a &lt; b &amp; &#34;c&#34;" in text


def test_review_page_is_for_organizers_only_and_lists_every_session_with_its_state(app, orga, host):
    documented, missing = post_topic(host, 0), post_topic(host, 1)
    assert save(host, documented, full_body()).status_code == 200
    for client in (host, Participant(app, "zukunft")):
        assert client.client.get(f"/e/{SLUG}/organizer/review").status_code == 403
    page = orga.client.get(f"/e/{SLUG}/organizer/review")
    assert (page.status_code, page.headers["Cache-Control"]) == (200, "private, no-store")
    text = page.get_data(as_text=True)
    states = re.findall(r'id="session-(\d+)" data-topic-id="\d+" data-state="(\w+)"', text)
    assert states == [(str(documented), "documented"), (str(missing), "missing")]
    assert 'data-action="review" data-state="reviewed"' in text
    overview = orga.client.get(f"/e/{SLUG}/organizer").get_data(as_text=True)
    assert f'href="/e/{SLUG}/organizer/review"' in overview and 'href="/organizer/follow-up"' in overview


def item_ids(page):
    return [int(n) for n in re.findall(r'<tr data-item-id="(\d+)"', page.get_data(as_text=True))]


def test_follow_up_lists_the_items_of_events_with_valid_grants_and_filters_them(app, orga, host):
    second, second_secret = build_event(app, slug="zwei")
    assert orga.client.get(f"/e/zwei/organize/{second_secret}").status_code == 302
    third, _third_secret = build_event(app, slug="drei")
    other = Participant(app, third)
    third_topic = post_topic(other, 0)
    assert save(other, third_topic, full_body()).status_code == 200  # never organized by `orga`

    topic = post_topic(host, 0)
    items = [
        {"what": "Tabelle prüfen", "who": "Ada", "due": "2026-03-31"},
        {"what": "Shop anpassen", "who": "Ben", "due": "2026-03-10"},
        {"what": "Umfrage", "who": ""},
    ]
    saved = save(host, topic, full_body(action_items=items)).get_json()
    a, b, c = (i["id"] for i in saved["action_items"])
    track = orga.call("patch", f"action-items/{b}", {"status": "done", "owner": "Clara", "note": "erledigt"})
    assert track.status_code == 200
    guest = Participant(app, second)
    zwei_topic = post_topic(guest, 0)
    d = save(guest, zwei_topic, full_body()).get_json()["action_items"][0]["id"]  # who: Ada, due 2026-03-31

    def listed(query=""):
        page = orga.client.get(f"/organizer/follow-up{query}")
        assert page.status_code == 200
        return item_ids(page)

    assert listed() == [b, a, c, d]  # by event, then due date (undated last)
    assert listed("?status=done") == [b]
    assert listed("?status=open") == [a, c, d]
    assert listed("?owner=ada") == [a, d]
    assert listed("?owner=CLARA") == [b]
    assert listed("?owner=ben") == []  # an owner set replaces who for the filter
    assert listed("?event=zwei") == [d]
    assert listed("?event=zwei&status=done") == []
    assert listed("?event=drei") == [b, a, c, d]  # not organized here: the filter is ignored, nothing leaks
    assert listed("?status=nonsense") == [b, a, c, d]
    page = orga.client.get("/organizer/follow-up").get_data(as_text=True)
    assert "Clara" in page and "erledigt" in page and "Zukunftskonferenz" in page
    assert '<option value="zwei">' in page and 'value="drei"' not in page

    rotating = Organizer(app, second, second_secret)  # another organizer renews the link of "zwei"
    assert rotating.call("post", "organizer-link").status_code == 200
    assert listed() == [b, a, c]
    assert '<option value="zwei">' not in orga.client.get("/organizer/follow-up").get_data(as_text=True)


def test_follow_up_without_organizer_rights_is_a_friendly_empty_page(app, host):
    for client in (host.client, app.test_client()):
        page = client.get("/organizer/follow-up", headers={"Accept-Language": "en"})
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "This browser organizes no event yet" in text
        assert "<table" not in text


def test_report_rows_order_sessions_by_day_slot_and_room_and_leave_hidden_parts_out(app, orga, host):
    from openspace.events import event_by_slug
    from openspace.exports.report_rows import report_rows

    late, first, second_room = post_topic(host, 3), post_topic(host, 0), post_topic(host, 1)  # 3: slot 2, room 1
    other = Participant(app, SLUG)  # the host has pinned as many topics as one person may
    unplaced = other.post(topic_body(title="Ohne Platz", room_id=None, slot_id=None)).get_json()["topic"]["id"]
    assert save(host, first, full_body()).status_code == 200
    assert save(host, late, full_body(summary="Versteckt")).status_code == 200
    assert orga.call("post", path(late, "/review"), {"state": "documented", "hidden": True}).status_code == 200
    shown_photo, hidden_photo = (upload(host, first, jpeg()).get_json()["id"] for _ in range(2))
    assert orga.call("patch", path(first, f"/photos/{hidden_photo}"), {"hidden": True}).status_code == 200
    with app.test_request_context():
        event = event_by_slug(SLUG)
        public = report_rows(event, include_hidden=False)
        everything = report_rows(event, include_hidden=True)
    assert [s.topic.id for s in public.sessions] == [first, second_room, late, unplaced]
    [day] = public.days
    assert [[s.topic.id for s in block.sessions] for block in day.slots] == [[first, second_room], [late]]
    by_id = {s.topic.id: s.result for s in public.sessions}
    assert by_id[late] is None and by_id[second_room] is None and by_id[unplaced] is None
    assert [p.id for p in by_id[first].photos] == [shown_photo]
    assert [(i.what, i.who, i.status) for i in by_id[first].items] == [("Größentabelle prüfen", "Ada", "open")]
    full = {s.topic.id: s.result for s in everything.sessions}
    assert (full[late].hidden, full[late].summary) == (True, "Versteckt")
    assert [(p.id, p.hidden) for p in full[first].photos] == [(shown_photo, False), (hidden_photo, True)]
    assert public.published is False
