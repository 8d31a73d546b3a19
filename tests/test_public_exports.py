"""A published report makes its report and schedule files public; the organizers' lists stay theirs."""

from __future__ import annotations

import pytest
from conftest import Organizer, Participant, build_event, make_app, topic_body

SLUG = "offen"
PUBLIC = ["report.md", "report.html", "schedule.ics", "schedule.json", "schedule.xml"]
ORGANIZERS_ONLY = ["topics.csv", "action-items.csv", "event.json"]


@pytest.fixture
def app(request, tmp_path, database_url):
    limit = getattr(request, "param", "100 per minute")
    app = make_app(tmp_path, DATABASE_URL=database_url, RATE_LIMIT_PUBLIC_EXPORTS=limit)
    yield app
    from openspace.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def event(app):
    slug, secret = build_event(app, slug=SLUG)
    orga = Organizer(app, slug, secret)
    anna = Participant(app, slug)
    topic = anna.post(topic_body(title="Retouren senken", host="Anna")).get_json()["topic"]
    other = anna.post(topic_body(title="Geheimes", host="Anna", room_id=2)).get_json()["topic"]
    for item, summary in ((topic, "Drei Maßnahmen"), (other, "Nur intern")):
        saved = anna.call("put", f"topics/{item['id']}/result", {"version": 0, "summary": summary})
        assert saved.status_code == 200, saved.get_json()
    hidden = orga.call("post", f"topics/{other['id']}/result/review", {"state": "reviewed", "hidden": True})
    assert hidden.status_code == 200, hidden.get_json()
    return orga, anna


def test_report_and_schedule_are_public_only_while_published(app, event):
    orga, anna = event
    outsider = app.test_client()
    for name in PUBLIC + ORGANIZERS_ONLY:
        assert anna.client.get(f"/e/{SLUG}/export/{name}").status_code == 403, name
        assert orga.client.get(f"/e/{SLUG}/export/{name}").status_code == 200, name
    assert orga.call("post", "report/publish", {"published": True}).status_code == 200
    for client in (anna.client, outsider):
        for name in PUBLIC:
            response = client.get(f"/e/{SLUG}/export/{name}")
            assert response.status_code == 200, name
        for name in ORGANIZERS_ONLY:
            assert client.get(f"/e/{SLUG}/export/{name}").status_code == 403, name
    report = outsider.get(f"/e/{SLUG}/export/report.md").get_data(as_text=True)
    assert "Drei Maßnahmen" in report and "Nur intern" not in report  # a hidden result stays hidden
    assert orga.client.get(f"/e/{SLUG}/export/report.md").get_data(as_text=True) == report
    assert orga.call("post", "report/publish", {"published": False}).status_code == 200
    assert outsider.get(f"/e/{SLUG}/export/report.md").status_code == 403


@pytest.mark.parametrize("app", ["8 per minute"], indirect=True)
def test_public_downloads_are_rate_limited_per_address_organizers_are_not(app, event):
    orga, anna = event
    assert orga.call("post", "report/publish", {"published": True}).status_code == 200
    statuses = [anna.client.get(f"/e/{SLUG}/export/schedule.json").status_code for _ in range(9)]
    assert statuses == [200] * 8 + [429]
    assert [orga.client.get(f"/e/{SLUG}/export/schedule.json").status_code for _ in range(10)] == [200] * 10
