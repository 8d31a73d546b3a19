"""Reading a big event for an export without holding up the server's loop: rows in batches, a pause between."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gevent
from gevent import monkey

from ..extensions import db

BATCH = 50


TURN_SECONDS = 0.0001


def pause() -> None:
    """Under gevent, let every other connection have its turn; elsewhere (tests, the CLI) nothing.

    A short timer, not `sleep(0)`: a zero sleep only queues a callback, and the loop runs queued callbacks
    before it polls sockets and timers again, checking the time only every 50 of them; a greenlet that pauses
    every few milliseconds was resumed again and again for 250 ms before anyone else was served."""
    if monkey.is_module_patched("threading"):
        gevent.sleep(TURN_SECONDS)


def in_batches(query: Any, *, scalars: bool = False, size: int = BATCH) -> Iterator[Any]:
    """The rows of a select, fetched `size` at a time with a pause after each batch."""
    result = db.session.execute(query.execution_options(yield_per=size))
    if scalars:
        result = result.scalars()
    for partition in result.partitions():
        yield from partition
        pause()
