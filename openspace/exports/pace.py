"""Reading a big event for an export without holding up the server's loop: rows in batches, a pause between."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gevent
from gevent import monkey

from ..extensions import db

BATCH = 50


def pause() -> None:
    """Under gevent, let every other connection have its turn; elsewhere (tests, the CLI) nothing."""
    if monkey.is_module_patched("threading"):
        gevent.sleep(0)


def in_batches(query: Any, *, scalars: bool = False, size: int = BATCH) -> Iterator[Any]:
    """The rows of a select, fetched `size` at a time with a pause after each batch."""
    result = db.session.execute(query.execution_options(yield_per=size))
    if scalars:
        result = result.scalars()
    for partition in result.partitions():
        yield from partition
        pause()
