"""Throw-away PostgreSQL and Redis servers on 127.0.0.1 for scale-out tests.

Each server lives in its own temporary directory under /tmp, listens only on
loopback on a free port, and is stopped (and its directory removed) by stop().
Missing binaries skip the tests, except on CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from live import free_port


def _newest_postgres_bin() -> str:
    """Debian installs each major version under /usr/lib/postgresql/<major>/bin: take the newest."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    return str(found[-1].parent) if found else "/usr/lib/postgresql/15/bin"


PG_BIN = Path(os.environ.get("PG_BIN") or _newest_postgres_bin())
REDIS_SERVER = os.environ.get("REDIS_SERVER", "/usr/bin/redis-server")
PG_SUPERUSER = "postgres"
PG_ROLE = "openspace"


def unavailable(message: str) -> None:
    """Skip the test, or fail it on CI, where every service must be present."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (required on CI)", pytrace=False)
    pytest.skip(message)


def _stop_process(process: subprocess.Popen | None, first: int, timeout: float = 30) -> None:
    """Send `first`, wait, then SIGKILL: never leaves the process running."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(first)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


class PostgresServer:
    """A private PostgreSQL cluster: initdb into a temp dir, `postgres` on 127.0.0.1:<free port>.

    As root the cluster runs as the `postgres` user (PostgreSQL refuses root). Connections
    over TCP need the password of the role `openspace`, which owns every database made by
    new_database(); the Unix socket (only in the temp dir) trusts the superuser for setup.
    """

    def __init__(self, bin_dir: Path = PG_BIN) -> None:
        self.bin_dir = Path(bin_dir)
        self.port = 0
        self.directory: Path | None = None
        self.process: subprocess.Popen | None = None
        self.password = secrets.token_hex(16)
        self.url = ""
        self._run_as: dict[str, Any] = {}

    def _check(self) -> None:
        for name in ("initdb", "postgres"):
            if not os.access(self.bin_dir / name, os.X_OK):
                unavailable(f"PostgreSQL binary {self.bin_dir / name} is missing")
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(PG_SUPERUSER)
            except KeyError:
                unavailable("running as root but there is no `postgres` user to run PostgreSQL as")
            self._run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        try:
            import psycopg  # noqa: F401
        except ImportError:
            unavailable("psycopg is not installed")

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            list(args), cwd=self.directory, capture_output=True, text=True, timeout=120, **self._run_as
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}\n{done.stderr}")

    def start(self, timeout: float = 60) -> PostgresServer:
        self._check()
        # /tmp itself, not pytest's tmp_path: its parents (0700, root) are not traversable by `postgres`.
        self.directory = Path(tempfile.mkdtemp(prefix="openspace-pg-", dir="/tmp"))
        if self._run_as:
            os.chown(self.directory, self._run_as["user"], self._run_as["group"])
        os.chmod(self.directory, 0o700)
        data = self.directory / "data"
        try:
            self._run(
                str(self.bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                PG_SUPERUSER,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            self.port = free_port()
            with open(self.directory / "postgres.log", "wb") as log:  # the child keeps its own copy
                self.process = subprocess.Popen(
                    [
                        str(self.bin_dir / "postgres"),
                        "-D",
                        str(data),
                        "-p",
                        str(self.port),
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        f"unix_socket_directories={self.directory}",
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "max_connections=100",
                        "-c",
                        "shared_buffers=32MB",
                    ],
                    cwd=self.directory,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    **self._run_as,
                )
            self._wait_ready(timeout)
            with self.admin() as conn:
                conn.execute(f"CREATE ROLE {PG_ROLE} LOGIN PASSWORD '{self.password}'")
            self.url = self.database_url("postgres")
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited:\n{self.log()}")
            try:
                with self.admin():
                    return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise RuntimeError(f"postgres did not start in {timeout} s:\n{self.log()}")

    def admin(self, dbname: str = "postgres") -> Any:
        """An autocommit superuser connection over the private Unix socket."""
        import psycopg

        return psycopg.connect(
            host=str(self.directory),
            port=self.port,
            user=PG_SUPERUSER,
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        )

    def database_url(self, name: str) -> str:
        return f"postgresql://{PG_ROLE}:{self.password}@127.0.0.1:{self.port}/{name}"

    def new_database(self, name: str) -> str:
        """Create an empty database owned by the test role and return its URL."""
        if not name.replace("_", "").isalnum() or not name[0].isalpha():
            raise ValueError(f"unsafe database name {name!r}")
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} OWNER {PG_ROLE}")
        return self.database_url(name)

    def log(self) -> str:
        path = self.directory / "postgres.log" if self.directory else None
        return path.read_text(errors="replace")[-4000:] if path and path.exists() else ""

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown: disconnects clients, then exits cleanly.
        _stop_process(self.process, signal.SIGINT)
        self.process = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RedisServer:
    """A private redis-server on 127.0.0.1:<free port>, no persistence, bounded memory."""

    def __init__(self, binary: str = REDIS_SERVER) -> None:
        self.binary = binary
        self.port = 0
        self.url = ""
        self.directory: Path | None = None
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> RedisServer:
        if not os.access(self.binary, os.X_OK):
            unavailable(f"redis-server binary {self.binary} is missing")
        try:
            import redis
        except ImportError:
            unavailable("the redis client package is not installed")
        self.directory = Path(tempfile.mkdtemp(prefix="openspace-redis-", dir="/tmp"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        try:
            self.process = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--protected-mode",
                    "yes",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.directory),
                    "--maxmemory",
                    "64mb",
                    "--daemonize",
                    "no",
                    "--logfile",
                    str(self.directory / "redis.log"),
                ],
                cwd=self.directory,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + timeout
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited:\n{self.log()}")
                try:
                    with redis.Redis.from_url(self.url, socket_timeout=2) as client:
                        client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start in {timeout} s:\n{self.log()}") from None
                    time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        return self

    def log(self) -> str:
        path = self.directory / "redis.log" if self.directory else None
        return path.read_text(errors="replace")[-4000:] if path and path.exists() else ""

    def stop(self) -> None:
        _stop_process(self.process, signal.SIGTERM)
        self.process = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
