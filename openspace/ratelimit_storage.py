"""In-process rate-limit storage that never starts timer threads (greenlets under gevent).

limits' MemoryStorage schedules a `threading.Timer` on every counted hit to expire
old keys; monkey-patched by gevent, each timer is a greenlet and every request
pays several context switches for it (measured in the benchmarks). Its `get()`
already drops an expired key when it is read, so this storage expires lazily
and sweeps everything else at most once a minute, inline.
"""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 60.0


class LazyMemoryStorage(MemoryStorage):
    """MemoryStorage with lazy expiry: `openspace-memory://` (one process; use Redis for several)."""

    STORAGE_SCHEME = ["openspace-memory"]  # noqa: RUF012 - the limits registry reads a list

    _last_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:
        """Replace the parent's timer: sweep inline when the last sweep is a minute old."""
        now = time.monotonic()
        if now - self._last_sweep >= SWEEP_SECONDS:
            self._last_sweep = now
            self._MemoryStorage__expire_events()
