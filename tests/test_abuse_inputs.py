"""Inputs a black-box probe found to break the server or mislead it: each gets a clear refusal, nothing changes."""

from __future__ import annotations

import pytest
from conftest import topic_body
from test_pages import new_event_form

from openspace.errors import DomainError
from openspace.events import valid_timezone
from openspace.fields import ID_MAX, FieldErrors, clean_id, clean_text, valid_id


@pytest.mark.parametrize(
    "value", ["²", "١", "٣", "१", "0", "-1", "01", "1.0", " 1", "1e3", 2**31, 2**63, 10**30, 1.0, True, -5, 0]
)
def test_clean_id_refuses_everything_but_positive_ascii_ids(value):
    errors = FieldErrors()
    assert clean_id(errors, {"room_id": value}, "room_id") is None
    assert errors.errors == {"room_id": "Not a valid choice."}


@pytest.mark.parametrize(("value", "expected"), [(1, 1), ("7", 7), (ID_MAX, ID_MAX), (str(ID_MAX), ID_MAX)])
def test_valid_id_takes_json_integers_and_ascii_digit_strings(value, expected):
    assert valid_id(value) == expected


@pytest.mark.parametrize("room_id", ["²", "١", 2**63, 1.5, False])
def test_post_with_non_ascii_digit_or_huge_room_id_is_422_and_posts_nothing(alice, room_id):
    before = alice.wall().get_json()
    response = alice.post(topic_body(room_id=room_id, slot_id=1))
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid"
    assert response.get_json()["fields"] == {"room_id": "Not a valid choice."}
    assert alice.wall().get_json() == before


@pytest.mark.parametrize("topic_id", [2**31, 2**31 - 1 + 1, 2**63, 2**63 + 1, 10**25])
def test_topic_ids_beyond_the_database_range_are_404_on_both_databases(alice, topic_id):
    posted = alice.post(topic_body()).get_json()["topic"]
    patch = alice.patch(topic_id, {"title": "Neu"})
    delete = alice.delete(topic_id)
    assert (patch.status_code, patch.get_json()["code"]) == (404, "not_found")
    assert (delete.status_code, delete.get_json()["code"]) == (404, "not_found")
    assert alice.wall().get_json()["topics"] == [posted]


@pytest.mark.parametrize(
    "query",
    [
        "/%09/evil.example/p",  # the probe's: a tab browsers drop, leaving //evil.example/p
        "/%0a/evil.example",
        "/%0d%0a/evil.example",
        "//evil.example/p",
        "/%5Cevil.example",  # a backslash browsers read as a slash
        "%5C%5Cevil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "/%01",
        "/%7F",
    ],
)
def test_language_switch_redirects_only_to_paths_of_this_site(app, query):
    response = app.test_client().get(f"/lang/en?next={query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_goes_back_to_a_path_of_this_site(app):
    response = app.test_client().get("/lang/en", query_string={"next": "/e/zukunft/?x=1"})
    assert response.headers["Location"] == "/e/zukunft/?x=1"


@pytest.mark.parametrize(
    "name", ["localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC", "EST", "CET", "GMT"]
)
def test_time_zones_browsers_do_not_know_are_refused(name):
    assert valid_timezone(name) is False


@pytest.mark.parametrize(
    "title",
    ["\u200b\u200b", "\u2060", "\ufeff \u200d", "\u00ad\u034f", "\u0301\u0302", " \u3000 "],
)
def test_title_of_only_invisible_characters_counts_as_missing(alice, title):
    before = alice.wall().get_json()
    response = alice.post(topic_body(title=title))
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid"
    assert response.get_json()["fields"] == {"title": "Required."}
    assert alice.wall().get_json() == before


def test_host_of_one_letter_and_119_combining_marks_is_refused(alice):
    before = alice.wall().get_json()
    response = alice.post(topic_body(host="Z" + "\u0336" * 119))
    assert response.status_code == 422
    assert response.get_json()["code"] == "invalid"
    assert response.get_json()["fields"] == {"host": "Too many accents on one letter."}
    assert alice.wall().get_json() == before


@pytest.mark.parametrize("text", ["Tiếng Việt", "Café", "1\ufe0f\u20e3 Keycap", "👩🏽‍💻 Remote"])
def test_real_accents_and_emoji_are_kept(text):
    errors = FieldErrors()
    assert clean_text(errors, {"t": text}, "t", max_length=120, required=True) == text
    assert errors.errors == {}


def test_event_name_of_only_invisible_characters_is_refused(app):
    from openspace.events import RoomSpec, create_event

    with app.app_context(), pytest.raises(DomainError) as refused:
        create_event(
            name="\u200b\u2060",
            starts_on=__import__("datetime").date(2026, 2, 27),
            ends_on=None,
            timezone="Europe/Berlin",
            language="de",
            rooms=[RoomSpec("Plenum")],
            slots=[],
        )
    assert refused.value.fields == {"name": "Required."}


def test_pages_with_the_organizer_secret_or_organizer_state_are_never_cached(app):
    client = app.test_client()
    response = client.post("/new", data=new_event_form(client))
    created = client.get(response.headers["Location"])
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    assert client.get("/e/zukunftskonferenz-2026/organizer").headers["Cache-Control"] == "no-store"
    assert client.get("/new").headers["Cache-Control"] == "no-store"
    # Other pages are no-store here only because their links come from the Host header (test_security.py).
