"""The JSON of Socket.IO packets: text encoded once (a wall snapshot) goes into every packet as it is.

A join is acknowledged with the whole wall. Encoding it for each of 1,000 reconnecting phones, and letting
python-socketio walk it for binary parts each time, was most of what a join cost; `Encoded` carries the
snapshot's JSON text, made once per revision (snapshot.py), into the packet unchanged. Text is written as
UTF-8, not as \\u escapes: German text stays short on the wire.
"""

from __future__ import annotations

import json
from typing import Any

loads = json.loads

_PLACE = "\x00encoded\x00"  # stands in for Encoded text while the rest is encoded; stored text never has NUL
_PLACE_JSON = json.dumps(_PLACE)


class Encoded:
    """JSON text that goes into a packet as it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _decoded(value: Any) -> Any:
    if isinstance(value, Encoded):
        return loads(value.text)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(obj: Any, **options: Any) -> str:
    """json.dumps, with every Encoded value written as its text."""
    options.setdefault("ensure_ascii", False)
    texts: list[str] = []

    def place(value: Any) -> str:
        if isinstance(value, Encoded):
            texts.append(value.text)
            return _PLACE
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    encoded = json.dumps(obj, default=place, **options)
    if not texts:
        return encoded
    pieces = encoded.split(_PLACE_JSON)
    if len(pieces) != len(texts) + 1:  # the stand-in also occurred elsewhere: encode the slow way
        return json.dumps(obj, default=_decoded, **options)
    out = [pieces[0]]
    for text, piece in zip(texts, pieces[1:], strict=True):
        out += [text, piece]
    return "".join(out)
