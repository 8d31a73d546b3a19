"""The organizers' moderation grid page: who may open it, and what it shows (escaped)."""

from __future__ import annotations

import json
import re
from datetime import datetime, time

from conftest import DAY, Organizer, Participant, topic_body

from openspace.events import event_by_slug
from openspace.extensions import db
from openspace.models import Slot


def grid_path(slug: str) -> str:
    return f"/e/{slug}/organizer/grid"


def page_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S).group(1))


def test_grid_is_refused_with_403_to_a_participant_and_an_outsider(app, organizer_secret):
    slug, _secret = organizer_secret
    participant = Participant(app, slug)
    outsider = app.test_client()
    for client in (participant.client, outsider):
        page = client.get(grid_path(slug))
        assert page.status_code == 403
        assert b'id="mgrid"' not in page.data


def test_grid_is_refused_to_an_organizer_whose_link_was_rotated_away(app, organizer_secret):
    slug, secret = organizer_secret
    first, second = Organizer(app, slug, secret), Organizer(app, slug, secret)
    assert second.client.get(grid_path(slug)).status_code == 200
    rotated = first.client.post(f"/api/events/{slug}/organizer-link", headers={"X-CSRFToken": first.csrf})
    assert rotated.status_code == 200
    assert first.client.get(grid_path(slug)).status_code == 200  # who rotated keeps the rights
    assert second.client.get(grid_path(slug)).status_code == 403


def test_grid_of_an_unknown_event_is_404(app, organizer_secret):
    slug, secret = organizer_secret
    orga = Organizer(app, slug, secret)
    assert orga.client.get(grid_path("no-such-event")).status_code == 404


def test_grid_shows_rooms_slots_breaks_topics_and_the_tray_escaped(app, organizer_secret):
    slug, secret = organizer_secret
    orga = Organizer(app, slug, secret)
    with app.app_context():
        event = event_by_slug(slug)
        lunch = Slot(
            event_id=event.id,
            starts_at=datetime.combine(DAY, time(12)),
            ends_at=datetime.combine(DAY, time(13)),
            label="Mittag <b>",
            is_break=True,
        )
        db.session.add(lunch)
        db.session.commit()
    wall = orga.wall().get_json()
    room, slot = wall["rooms"][1]["id"], wall["slots"][0]["id"]
    placed = orga.post(topic_body(title='Kosten < Nutzen & "Wert"', host="Ada & Bo", room_id=room, slot_id=slot))
    assert placed.status_code == 201
    waiting = orga.post(topic_body(title="Wartet > 5", host="Cem", room_id=None, slot_id=None))
    assert waiting.status_code == 201
    page = orga.client.get(grid_path(slug))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Kosten < Nutzen" not in html
    assert '<span class="topic-title" lang="en">Kosten &lt; Nutzen &amp; &#34;Wert&#34;</span>' in html
    assert '<span class="topic-host" lang="en">Ada &amp; Bo</span>' in html
    assert re.findall(r'<th scope="col" data-room-id="\d+"><span class="room-name">([^<]+)</span>', html) == [
        "Raum 1",
        "Raum 2",
        "Raum 3",
    ]
    assert re.findall(r'<span class="slot-time">([^<]+)</span>', html) == [
        "09:00–09:50",
        "10:00–10:50",
        "11:00–11:50",
        "12:00–13:00",
    ]
    assert '<td class="break" colspan="3"><span class="sticky-label">Mittag &lt;b&gt;</span></td>' in html
    cell = re.search(r'<div class="drop cell-drop taken" data-room-id="(\d+)" data-slot-id="(\d+)">', html)
    assert cell.groups() == (str(room), str(slot))
    assert html.count('class="drop cell-drop free"') == 8  # 3 rooms x 3 slots, one taken; the break has none
    tray = re.search(r'<div class="drop tray-drop" id="tray">(.*?)</div>\s*</section>', html, re.S).group(1)
    assert re.findall(r'class="topic-title" lang="en">([^<]+)<', tray) == ["Wartet &gt; 5"]
    assert '<span id="tray-count">1</span>' in html
    data = page_data(html)
    assert [t["title"] for t in data["state"]["topics"]] == ['Kosten < Nutzen & "Wert"', "Wartet > 5"]
    assert data["withdrawn"] == []
    assert 'src="/static/vendor/sortablejs/Sortable.min.js"' in html


def test_grid_lists_withdrawn_topics_and_is_linked_from_the_organizer_page(app, organizer_secret):
    slug, secret = organizer_secret
    orga = Organizer(app, slug, secret)
    room, slot = orga.first_cell()
    topic = orga.post(topic_body(title="Zurückgezogen", room_id=room, slot_id=slot)).get_json()["topic"]
    assert orga.delete(topic["id"]).status_code == 200
    html = orga.client.get(grid_path(slug)).get_data(as_text=True)
    assert [t["title"] for t in page_data(html)["withdrawn"]] == ["Zurückgezogen"]
    assert '<span id="withdrawn-count">1</span>' in html
    overview = orga.client.get(f"/e/{slug}/organizer").get_data(as_text=True)
    assert f'<a href="/e/{slug}/organizer/grid">Open the moderation grid</a>' in overview
