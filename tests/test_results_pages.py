"""The results pages as the server renders them: the results board, the topic page's results section and the quiet
marks on the phone list and the wall."""

from __future__ import annotations

import json
import re

import pytest
from conftest import Organizer, Participant, make_app, set_topic_cap, topic_body

SLUG = "orga"


@pytest.fixture
def app(tmp_path, database_url):
    """Documenting takes many saves in a row: only the limits under test apply."""
    app = make_app(tmp_path, DATABASE_URL=database_url, RATE_LIMIT_WRITES="1000 per minute")
    yield app
    from openspace.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def orga(app, organizer_secret):
    slug, secret = organizer_secret
    return Organizer(app, slug, secret)


@pytest.fixture
def host(app, orga):
    set_topic_cap(app, SLUG, 0)  # one participant pins every session here
    return Participant(app, SLUG)


def cells(participant):
    """[(room_id, slot_id)] of the event, slots in order and rooms within them."""
    wall = participant.wall().get_json()
    return [(room["id"], slot["id"]) for slot in wall["slots"] for room in wall["rooms"]]


def post(participant, title, cell, host="Marek"):
    room_id, slot_id = cell if cell else (None, None)
    response = participant.post(topic_body(title=title, host=host, room_id=room_id, slot_id=slot_id))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["topic"]["id"]


def save(participant, topic_id, **fields):
    response = participant.call("put", f"topics/{topic_id}/result", {"version": 0, **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def board_rows(html: str) -> list[tuple[int, str]]:
    """(topic id, state) of each row of the board, in the order shown."""
    return [
        (int(t), s) for t, s in re.findall(r'<li class="board-row" data-topic-id="(\d+)" data-state="(\w+)">', html)
    ]


def test_results_board_lists_placed_sessions_by_time_and_room_with_their_states_and_counts(orga, host):
    grid = cells(host)  # 3 rooms × 3 slots
    later = post(host, "Onboarding", grid[3])  # slot 2, room 1
    first = post(host, "Preise", grid[1])  # slot 1, room 2
    documented = post(host, "Retouren senken", grid[0])  # slot 1, room 1
    draft = post(host, "Lager", grid[4])  # slot 2, room 2
    post(host, "Noch ohne Platz", None)  # unplaced: no session to document
    save(host, documented, summary="Drei Maßnahmen.")
    save(host, draft, attendees=4)
    reviewed = post(host, "Kantine", grid[8])
    save(host, reviewed, summary="Mehr Salat.")
    assert orga.call("post", f"topics/{reviewed}/result/review", {"state": "reviewed"}).status_code == 200

    response = host.client.get(f"/e/{SLUG}/results")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert board_rows(html) == [
        (documented, "documented"),
        (first, "missing"),
        (later, "missing"),
        (draft, "draft"),
        (reviewed, "reviewed"),
    ]
    counts = dict(re.findall(r'<span class="count" data-count="(\w*)">(\d+)</span>', html))
    assert counts == {"": "5", "missing": "2", "draft": "1", "documented": "1", "reviewed": "1"}
    assert f'<a class="board-title" href="/e/{SLUG}/t/{documented}" lang="en">Retouren senken</a>' in html
    assert '<span class="state-badge state-draft">draft</span>' in html
    shown = html.split('id="page-data"')[0]  # the page's own JSON (the wall state) aside
    assert "Noch ohne Platz" not in shown
    assert "Mehr Salat." not in html  # the board shows states, never result text


def test_results_board_escapes_titles_and_hosts(host):
    topic_id = post(host, 'Preise < Kosten & "Wert"', cells(host)[0], host="O'Brien & Co")

    html = host.client.get(f"/e/{SLUG}/results").get_data(as_text=True)

    assert f'href="/e/{SLUG}/t/{topic_id}" lang="en">Preise &lt; Kosten &amp; &#34;Wert&#34;</a>' in html
    assert '<span class="board-host" lang="en">O&#39;Brien &amp; Co</span>' in html
    assert 'Preise < Kosten & "Wert"' not in html.split('id="page-data"')[0]


def test_results_board_of_an_empty_wall_says_so_and_an_unknown_event_is_404(host):
    html = host.client.get(f"/e/{SLUG}/results").get_data(as_text=True)
    assert '<li class="board-empty">No session is placed on the wall yet.</li>' in html
    assert host.client.get("/e/nosuchevent/results").status_code == 404


def test_results_board_is_linked_from_the_phone_page_and_the_organizer_page(orga, host):
    link = f'href="/e/{SLUG}/results"'
    assert link in host.client.get(f"/e/{SLUG}/").get_data(as_text=True)
    assert link in orga.client.get(f"/e/{SLUG}/organizer").get_data(as_text=True)


def test_topic_page_has_the_results_section_with_the_saved_result_and_photo_inputs(host):
    topic_id = post(host, "Retouren senken", cells(host)[0])
    saved = save(host, topic_id, summary="Drei Maßnahmen.", links=["https://pad.example.org/x"])

    response = host.client.get(f"/e/{SLUG}/t/{topic_id}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<section class="card results" id="results" aria-labelledby="r-heading">' in html
    assert '<span class="state-badge state-documented" id="r-state">documented</span>' in html
    assert '<input class="file-input" id="r-camera" type="file" accept="image/*" capture="environment">' in html
    assert '<input class="file-input" id="r-gallery" type="file" accept="image/*" multiple>' in html
    data = json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html).group(1))
    assert data["result"] == saved
    assert data["result"]["version"] == 1
    texts = json.loads(re.search(r'<script type="application/json" id="result-texts">(.*?)</script>', html).group(1))
    assert texts["reminder"] == "Write down the results of “{title}”"


def test_withdrawn_topic_page_has_no_results_section(host):
    topic_id = post(host, "Retouren senken", cells(host)[0])
    assert host.delete(topic_id).status_code == 200

    response = host.client.get(f"/e/{SLUG}/t/{topic_id}")

    assert response.status_code == 410
    assert 'id="results"' not in response.get_data(as_text=True)


def test_phone_list_and_wall_show_the_quiet_mark_for_documented_results_only(orga, host):
    grid = cells(host)
    documented = post(host, "Retouren senken", grid[0])
    post(host, "Preise", grid[1])
    draft = post(host, "Lager", grid[2])
    save(host, documented, summary="Drei Maßnahmen.")
    save(host, draft, attendees=3)
    mark = (
        '<span class="result-mark"><span aria-hidden="true">✓ results</span>'
        '<span class="sr-only">Results documented</span></span>'
    )

    phone = host.client.get(f"/e/{SLUG}/").get_data(as_text=True)
    wall = host.client.get(f"/e/{SLUG}/wall").get_data(as_text=True)

    assert phone.count(mark) == 1
    assert re.search(
        rf'href="/e/{SLUG}/t/{documented}"[^>]*>Retouren senken</a>\s*<span class="topic-host"[^>]*>Marek</span>\s*'
        + re.escape(mark),
        phone,
    )
    assert wall.count(mark) == 1
    assert f'<span class="topic-host" lang="en">Marek {mark}</span>' in wall


def test_results_board_links_organizers_to_the_review_and_participants_not(orga, host):
    review = f'href="/e/{SLUG}/organizer/review"'
    assert review in orga.client.get(f"/e/{SLUG}/results").get_data(as_text=True)
    assert review not in host.client.get(f"/e/{SLUG}/results").get_data(as_text=True)
