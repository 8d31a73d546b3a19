"""Real server processes (`python wsgi.py`, gevent) on 127.0.0.1 for end-to-end tests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SECRET = "live-test-secret-" + "y" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Poll `url` until the server answers; a refused or slow first answer (start-up) is retried."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stdout.read().decode(errors='replace')}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not answer within {timeout} s")


class LiveServer:
    """One `python wsgi.py` process; stopped by stop() or at the end of a `with` block."""

    def __init__(self, database_url: str, *, port: int | None = None, env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            # Tests fire many posts per participant and address on purpose; test_security checks the real limits.
            "RATE_LIMIT_WRITES": "10000 per second",
            "RATE_LIMIT_WRITES_PER_ADDRESS": "100000 per second",
            "RATE_LIMIT_ORGANIZER_WRITES": "100000 per second",  # tests post and move faster than any organizer
            "RATE_LIMIT_JOINS": "100000 per second",
            "RATE_LIMIT_EVENT_POSTS": "100000 per second",
            "RATE_LIMIT_NEW_PARTICIPANTS": "100000 per second",
            "UNPLACED_MAX": "1000000",
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> LiveServer:
        self.process = subprocess.Popen(
            [sys.executable, "wsgi.py"], cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            wait_until_serving(f"{self.url}/", self.process, timeout)
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cli(database_url: str, *args: str) -> str:
    """Run `flask --app wsgi ...` against a database and return its output."""
    # Events made here have no cap on topics per participant: tests post many from one; test_moderation checks it.
    env = {**os.environ, "SECRET_KEY": SECRET, "DATABASE_URL": database_url, "MAX_TOPICS_PER_PARTICIPANT": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


class HttpParticipant:
    """A participant over real HTTP: session cookie plus CSRF token from the phone page."""

    def __init__(self, base_url: str, slug: str) -> None:
        self.base = base_url
        self.slug = slug
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "en"
        page = self.http.get(f"{base_url}/e/{slug}/", timeout=10)
        page.raise_for_status()
        self.csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)

    def post(self, body: dict) -> requests.Response:
        return self.http.post(
            f"{self.base}/api/events/{self.slug}/topics", json=body, headers={"X-CSRFToken": self.csrf}, timeout=30
        )

    def wall(self) -> dict:
        return self.http.get(f"{self.base}/api/events/{self.slug}/wall", timeout=10).json()


def gunicorn_command(port: int) -> list[str]:
    """The documented production command (docs/deploy.md), on 127.0.0.1:<port>."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    return [
        gunicorn,
        "-k",
        "gevent",
        "-w",
        "1",
        "--worker-connections",
        "10000",
        "--backlog",
        "2048",
        "-b",
        f"127.0.0.1:{port}",
        "wsgi:app",
    ]
