"""Serve the app like `python wsgi.py`, with settings the app does not make: what-if runs, not production.

`python -m bench --gc-threshold 50000,20,100 --backlog 2048 fanout --n 2000` starts every app
server through this file, to compare against the defaults (gc thresholds 700,10,10; gevent's
listen backlog 128); see docs/performance.md.
- BENCH_GC_THRESHOLD=a,b,c: gc.set_threshold(a, b, c) after the app was created
- BENCH_GC_FREEZE=1: gc.freeze() after start-up (everything alive then is never scanned again)
- BENCH_BACKLOG=n: the listen backlog of the server socket
"""

from gevent import monkey

monkey.patch_all()

import gc  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import wsgi  # noqa: E402  (creates the app, and the stall probe with OPENSPACE_STALL_PROBE=1)

if os.environ.get("BENCH_GC_FREEZE") == "1":
    gc.collect()
    gc.freeze()
if os.environ.get("BENCH_GC_THRESHOLD"):
    gc.set_threshold(*(int(x) for x in os.environ["BENCH_GC_THRESHOLD"].split(",")))

if __name__ == "__main__":
    app = wsgi.app
    options = {"backlog": int(os.environ["BENCH_BACKLOG"])} if os.environ.get("BENCH_BACKLOG") else {}
    print(f"Serving on http://{app.config['HOST']}:{app.config['PORT']}: gc {gc.get_threshold()}, {options}")
    wsgi.socketio.run(app, host=app.config["HOST"], port=app.config["PORT"], log_output=False, **options)
