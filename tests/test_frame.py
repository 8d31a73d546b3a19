"""The event frame as entered on /new: rooms and slots."""

import pytest
from conftest import make_app

from openspace.events import parse_rooms


@pytest.mark.parametrize("capacity", ["²", "١٢", "３０"])
def test_parse_rooms_non_ascii_digit_capacity_gets_whole_number_message(tmp_path, capacity) -> None:
    app = make_app(tmp_path)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(ValueError) as refused:
        parse_rooms(f"Plenum | {capacity}")
    assert str(refused.value) == "Line 1: the capacity must be a whole number."
