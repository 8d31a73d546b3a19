"""Entry point: `python wsgi.py` serves with gevent; `gunicorn -k gevent -w 1 wsgi:app` in production."""

import gevent
from gevent import monkey

monkey.patch_all()
# Greenlets would each keep the stack they were spawned from (tens of frame records per connection, and a walk
# of the stack per socket event); nothing here reads them.
gevent.config.track_greenlet_tree = False

import ctypes  # noqa: E402
import ctypes.util  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402

from openspace import create_app  # noqa: E402
from openspace.extensions import socketio  # noqa: E402
from openspace.probe import install_stall_probe  # noqa: E402
from openspace.serving import TimedHandler  # noqa: E402

app = create_app()
install_stall_probe(app)  # benchmarks only: does nothing unless OPENSPACE_STALL_PROBE=1

# Full collections of a heap with thousands of sockets stopped the server for 100-800 ms (docs/performance.md):
# move what start-up allocated out of the collector's view and collect young objects less often.
gc.collect()
gc.freeze()
gc.set_threshold(50_000, 20, 100)


def return_large_buffers_to_the_system() -> None:
    """Keep glibc's mmap threshold at 64 KiB: wall snapshots queued for slow clients are then mapped on their own
    and given back to the system when freed. By default glibc raises the threshold after such frees, and later
    snapshots land in the heap, which never shrinks (bench/hogs.py measures the difference)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 64 * 1024)  # M_MMAP_THRESHOLD; setting it turns the dynamic adjustment off
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


return_large_buffers_to_the_system()

if __name__ == "__main__":
    host, port = app.config["HOST"], app.config["PORT"]
    print(f"Serving on http://{host}:{port}  (Ctrl+C stops)", flush=True)
    socketio.run(
        app,
        host=host,
        port=port,
        backlog=2048,
        handler_class=TimedHandler,  # every wait on a client is bounded (openspace/serving.py)
        log_output=os.environ.get("OPENSPACE_ACCESS_LOG") == "1",
    )
