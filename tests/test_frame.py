"""The event frame as entered on /new: rooms and slots."""

import pytest

from openspace import create_app
from openspace.events import parse_rooms


def test_parse_rooms_superscript_capacity_gets_whole_number_message() -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t"})
    with app.test_request_context(), pytest.raises(ValueError) as refused:
        parse_rooms("Plenum | ²")
    assert str(refused.value) == "Line 1: the capacity must be a whole number."
