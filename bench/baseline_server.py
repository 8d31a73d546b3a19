"""The floor to compare the app with: a minimal Flask-SocketIO server on the same stack and settings.

Same async mode (gevent), same transport (simple-websocket), same Engine.IO
settings as openspace/__init__.py (ping interval and timeout as measured from the
app's open packet, passed in BASELINE_PING_INTERVAL / BASELINE_PING_TIMEOUT). `join` joins a room and acknowledges;
`POST /emit` broadcasts a fixed delta of the size of a real `topic_posted` to
that room, with a growing revision, and answers with the revision like the
app's API. No database, no sessions, no CSRF, no rate limits. Like the app
under OPENSPACE_STALL_PROBE=1 it runs a 10 ms ticker at GET /_probe/stall.

Run: HOST=127.0.0.1 PORT=5001 .venv/bin/python bench/baseline_server.py
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
from flask import Flask, jsonify  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

ROOM = "event-1"
TOPIC = {
    "id": 4711,
    "title": "Anliegen 4711: Retouren senken im Versand",
    "host": "Teilnehmerin 55",
    "goal": "Drei Maßnahmen, die wir im nächsten Quartal ausprobieren",
    "context": "Seit dem Umzug ins neue Lager steigen die Rücksendungen; wir sammeln Ideen und Erfahrungen.",
    "room_id": None,
    "slot_id": None,
    "created_at": "2026-02-27T09:12:03.511042+00:00",
    "updated_at": "2026-02-27T09:12:03.511042+00:00",
}

app = Flask(__name__)
socketio = SocketIO(
    app,
    async_mode="gevent",
    cors_allowed_origins=None,
    max_http_buffer_size=64 * 1024,
    manage_session=False,
    # The harness passes the app's own settings (read from its Engine.IO open packet).
    ping_interval=float(os.environ.get("BASELINE_PING_INTERVAL", "25")),
    ping_timeout=float(os.environ.get("BASELINE_PING_TIMEOUT", "20")),
)
state = {"revision": 0}
stall = {"max": 0.0, "ticks": 0, "since": time.perf_counter()}


def ticker() -> None:
    while True:
        start = time.perf_counter()
        gevent.sleep(0.010)
        stall["max"] = max(stall["max"], time.perf_counter() - start - 0.010)
        stall["ticks"] += 1


@app.get("/")
def index() -> str:
    return "baseline"


@app.post("/emit")
def emit() -> Any:
    state["revision"] += 1
    message = {"revision": state["revision"], "change": {"type": "topic_posted", "topic": TOPIC}}
    socketio.emit("wall_changed", message, to=ROOM)
    return jsonify({"ok": True, "topic": TOPIC, "revision": state["revision"]}), 201


@app.get("/_probe/stall")
def probe() -> Any:
    figures = {"max_stall_ms": round(stall["max"] * 1000, 3), "ticks": stall["ticks"]}
    stall.update(max=0.0, ticks=0, since=time.perf_counter())
    return jsonify(figures)


@socketio.on("join")
def on_join(_data: Any) -> dict[str, Any]:
    join_room(ROOM)
    return {"ok": True, "wall": {"revision": state["revision"]}}


if __name__ == "__main__":
    gevent.spawn(ticker)
    socketio.run(app, host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5001")))
