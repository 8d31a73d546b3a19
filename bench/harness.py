"""Processes and measurements around the load generator: servers pinned to a core, /proc figures, events, stats."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from live import SECRET, cli, free_port  # noqa: E402

HOST = "127.0.0.1"
NOFILE = 20000  # descriptors for 5,000+ clients on each side, with room for reconnects
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the JSON result lines."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- descriptors and cores
def raise_nofile(wanted: int = NOFILE) -> int:
    """Raise this process's open-file limit (the soft one, and the hard one if allowed); return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
            return wanted
        except (ValueError, OSError):
            wanted = hard
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def pin_self(cpu: int | None) -> str:
    """Pin the load generator (this process) to one core; returns how it went."""
    if cpu is None:
        return "unpinned"
    try:
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    except (AttributeError, OSError) as error:
        return f"unpinned ({error})"


def pin_pid(pid: int, cpu: int | None) -> None:
    """Pin another process (e.g. redis-server) to a core, if possible."""
    if cpu is None:
        return
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(pid, {cpu})


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kb(pid: int) -> int:
    """VmRSS of a process in KiB, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def runqueue_wait_seconds(pid: int) -> float:
    """Time the process was runnable but waited for a core (/proc/<pid>/schedstat, summed over its threads)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for task in tasks:
        with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[1])
    return total / 1e9


def core_busy_seconds() -> dict[int, float]:
    """Busy time per core since boot (/proc/stat: all but idle and iowait)."""
    busy: dict[int, float] = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *values = line.split()
                ticks = [int(v) for v in values]
                busy[int(name[3:])] = (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLK_TCK
    return busy


class Contention:
    """What else ran during a window: runqueue waits of servers and load generator, and foreign CPU per used core.

    foreign_cpu_s[core] = the core's busy time minus the CPU of our processes pinned to it: other
    tests on the machine, the kernel's network work for loopback (softirq) and py-spy, if sampling.
    """

    def __init__(self, servers: list[Server], extra_pids: list[int] | None = None) -> None:
        self.servers, self.extra = servers, extra_pids or []
        affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
        self.loadgen_core = next(iter(affinity)) if len(affinity) == 1 else None
        self.wait0 = self._server_wait()
        self.gen_wait0 = runqueue_wait_seconds(os.getpid())
        self.busy0 = core_busy_seconds()
        self.cpu0 = self._ours()

    def _server_wait(self) -> float:
        return sum(runqueue_wait_seconds(s.pid) for s in self.servers) + sum(
            runqueue_wait_seconds(p) for p in self.extra
        )

    def _ours(self) -> dict[int, float]:
        ours: dict[int, float] = {}
        for server in self.servers:
            if server.cpu is not None:
                ours[server.cpu] = ours.get(server.cpu, 0.0) + server.cpu_seconds()
        if self.loadgen_core is not None:
            ours[self.loadgen_core] = ours.get(self.loadgen_core, 0.0) + self_cpu_seconds()
        return ours

    def result(self) -> dict[str, Any]:
        busy, ours = core_busy_seconds(), self._ours()
        return {
            "server_runqueue_wait_s": round(self._server_wait() - self.wait0, 3),
            "loadgen_runqueue_wait_s": round(runqueue_wait_seconds(os.getpid()) - self.gen_wait0, 3),
            "foreign_cpu_s": {
                str(core): round(max(0.0, busy[core] - self.busy0[core] - (ours[core] - self.cpu0.get(core, 0))), 2)
                for core in ours
                if core in busy
            },
        }


def listen_overflows() -> int:
    """TcpExt ListenOverflows of the machine (/proc/net/netstat): connections a full accept queue turned away."""
    with contextlib.suppress(OSError, StopIteration, ValueError), open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
        for names, values in zip(lines[::2], lines[1::2], strict=False):
            if names.startswith("TcpExt:"):
                table = dict(zip(names.split()[1:], values.split()[1:], strict=False))
                return int(table.get("ListenOverflows", 0))
    return 0


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def loadavg() -> list[float]:
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


# -- server processes
class Server:
    """A server subprocess on 127.0.0.1, pinned with `taskset -c CPU` (or sched_setaffinity), more descriptors."""

    def __init__(self, argv: list[str], env: dict[str, str], *, port: int, cpu: int | None, name: str) -> None:
        self.argv, self.env, self.port, self.cpu, self.name = argv, env, port, cpu, name
        self.url = f"http://{HOST}:{port}"
        self.process: subprocess.Popen | None = None
        self.pinning = "unpinned"
        self.profiler: subprocess.Popen | None = None
        self.log_file = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log", delete=False)

    def _preexec(self) -> None:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(
                resource.RLIMIT_NOFILE, (NOFILE, max(NOFILE, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
            )
        if self.cpu is not None and self.pinning == "sched_setaffinity":
            with contextlib.suppress(OSError):
                os.sched_setaffinity(0, {self.cpu})

    def start(self, ready_path: str = "/", timeout: float = 30) -> Server:
        argv = self.argv
        if self.cpu is not None:
            if shutil.which("taskset"):
                argv, self.pinning = ["taskset", "-c", str(self.cpu), *argv], "taskset"
            else:
                self.pinning = "sched_setaffinity"
        self.process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=self._preexec,  # raises the child's descriptor limit, pins it without taskset
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.output()}")
            try:
                requests.get(self.url + ready_path, timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not start in time:\n{self.output()}")

    def profile_start(self, tag: str) -> None:
        """With BENCH_PYSPY=<dir>: sample this server with py-spy (collapsed stacks) until profile_stop()."""
        directory = os.environ.get("BENCH_PYSPY")
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if not directory or not os.access(spy, os.X_OK) or self.profiler is not None:
            return
        Path(directory).mkdir(parents=True, exist_ok=True)
        output = Path(directory) / f"{tag}-{self.name}-{self.port}.txt"
        argv = [spy, "record", "--nonblocking", "--format", "raw", "--rate", "250", "-o", str(output)]
        self.profiler = subprocess.Popen(
            [*argv, "-p", str(self.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        log(f"py-spy records {self.name} into {output}")

    def profile_stop(self) -> None:
        if self.profiler is not None and self.profiler.poll() is None:
            self.profiler.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
            try:
                self.profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.profiler.kill()
                self.profiler.wait()
        self.profiler = None

    @property
    def pid(self) -> int:
        return self.process.pid  # taskset execs the command: same pid

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def rss_kb(self) -> int:
        return rss_kb(self.pid)

    def output(self) -> str:
        self.log_file.flush()
        return Path(self.log_file.name).read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.profile_stop()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self.log_file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.log_file.name)


def app_env(database_url: str, port: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of an app server: as tests/live.py, plus the stall probe."""
    return {
        **os.environ,
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "HOST": HOST,
        "PORT": str(port),
        "RATE_LIMIT_WRITES": "10000 per second",
        "RATE_LIMIT_WRITES_PER_ADDRESS": "100000 per second",
        "RATE_LIMIT_JOINS": "100000 per second",  # all clients share one page session, hence one participant
        "RATE_LIMIT_EVENT_POSTS": "100000 per second",
        "RATE_LIMIT_NEW_PARTICIPANTS": "100000 per second",
        "UNPLACED_MAX": "1000000",
        "OPENSPACE_STALL_PROBE": "1",
        **(extra or {}),
    }


def app_server(database_url: str, cpu: int | None, *, extra_env: dict[str, str] | None = None, name: str = "app"):
    port = free_port()
    argv = [sys.executable, "wsgi.py"]
    if any(os.environ.get(name) for name in ("BENCH_GC_THRESHOLD", "BENCH_GC_FREEZE", "BENCH_BACKLOG")):
        argv = [sys.executable, str(ROOT / "bench" / "gc_wrapper.py")]  # what-if runs only
    return Server(argv, app_env(database_url, port, extra_env), port=port, cpu=cpu, name=name)


def baseline_server(cpu: int | None, engineio: dict[str, Any] | None = None) -> Server:
    """The minimal server; `engineio` (pingInterval / pingTimeout in ms, as the app sent them) makes it ping alike."""
    port = free_port()
    env = {**os.environ, "HOST": HOST, "PORT": str(port)}
    if engineio and engineio.get("pingInterval") and engineio.get("pingTimeout"):
        env["BASELINE_PING_INTERVAL"] = str(engineio["pingInterval"] / 1000)
        env["BASELINE_PING_TIMEOUT"] = str(engineio["pingTimeout"] / 1000)
    argv = [sys.executable, str(ROOT / "bench" / "baseline_server.py")]
    return Server(argv, env, port=port, cpu=cpu, name="baseline")


@contextlib.contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    """Start servers in order; stop all of them (in reverse) however the block ends."""
    started: list[Server] = []
    try:
        for server in servers:
            started.append(server)
            server.start()
        yield servers
    finally:
        for server in reversed(started):
            server.stop()


@contextlib.contextmanager
def temp_database() -> Iterator[str]:
    """A fresh SQLite file (WAL) in a temporary directory."""
    directory = tempfile.mkdtemp(prefix="openspace-bench-")
    try:
        yield f"sqlite:///{directory}/bench.sqlite3"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# -- events and participants
WALLS = {
    # name: (rooms, slots, topics)
    "standard": (10, 8, 40),
    "big": (30, 12, 300),
}


def create_event(database_url: str, slug: str, rooms: int, slots: int) -> str:
    """Create an event through `flask create-event` (slots of 50 minutes, hourly from 08:00); its output, which
    names the organizer link."""
    return cli(
        database_url,
        "create-event",
        f"--name=Bench {slug}",
        f"--slug={slug}",
        "--starts-on=2026-02-27",
        "--language=en",
        *[f"--room=Raum {i + 1} | 40 | Etage {i % 4}" for i in range(rooms)],
        *[f"--slot={8 + i:02d}:00-{8 + i:02d}:50 Runde {i + 1}" for i in range(slots)],
    )


class PageSession:
    """A participant's cookie and CSRF token, from one GET of an event page."""

    def __init__(self, base_url: str, page_path: str) -> None:
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "en"
        page = self.http.get(base_url + page_path, timeout=30)
        page.raise_for_status()
        match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        self.csrf = match.group(1) if match else ""
        self.cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.get_dict().items())


def topic_body(number: int, room_id: int | None = None, slot_id: int | None = None) -> dict[str, Any]:
    """A topic of realistic size (about 300 bytes as a delta)."""
    return {
        "title": f"Anliegen {number}: Retouren senken im Versand",
        "host": f"Teilnehmerin {number % 97}",
        "goal": "Drei Maßnahmen, die wir im nächsten Quartal ausprobieren",
        "context": "Seit dem Umzug ins neue Lager steigen die Rücksendungen; wir sammeln Ideen und Erfahrungen.",
        "room_id": room_id,
        "slot_id": slot_id,
    }


def populate(base_url: str, slug: str, topics: int) -> int:
    """Fill the first `topics` cells (slot by slot) through the API; return the revision."""
    person = PageSession(base_url, f"/e/{slug}/")
    wall = person.http.get(f"{base_url}/api/events/{slug}/wall", timeout=30).json()
    cells = [(room["id"], slot["id"]) for slot in wall["slots"] for room in wall["rooms"]]
    revision = wall["revision"]
    for number in range(topics):
        room_id, slot_id = cells[number]
        response = person.http.post(
            f"{base_url}/api/events/{slug}/topics",
            json=topic_body(number, room_id, slot_id),
            headers={"X-CSRFToken": person.csrf},
            timeout=30,
        )
        response.raise_for_status()
        revision = response.json()["revision"]
    return revision


def read_probe(base_url: str) -> dict[str, Any] | None:
    """GET /_probe/stall (resets it); None when the server has no probe."""
    try:
        response = requests.get(base_url + "/_probe/stall", timeout=10)
    except requests.RequestException:
        return None
    return response.json() if response.status_code == 200 else None


# -- statistics
def percentile(values: list[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100) of unsorted values; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def summary_ms(values: list[float]) -> dict[str, Any]:
    """p50 / p99 / max in milliseconds of durations in seconds."""
    return {
        "p50_ms": ms(percentile(values, 50)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(max(values)) if values else None,
        "n": len(values),
    }


def target(value: float | None, limit: float, *, below: bool = False) -> dict[str, Any]:
    """A target, for information only: met when value <= limit (or < limit with below=True)."""
    met = None if value is None else (value < limit if below else value <= limit)
    return {"value": value, "limit": limit, "met": met}


def emit(result: dict[str, Any], out: Path | None) -> None:
    """Print one JSON line (and append it to `out`)."""
    line = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    print(line, flush=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a", encoding="utf-8") as f:
            f.write(line + "\n")


# -- the machine
def machine() -> dict[str, Any]:
    """nproc, CPU model, RAM, Python and key package versions."""
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    ram_kb = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        ram_kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
    versions = {}
    for name in ("Flask", "Flask-SocketIO", "python-socketio", "python-engineio", "simple-websocket", "gevent"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    for name in ("greenlet", "wsproto", "SQLAlchemy", "redis"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return {
        "nproc": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": model,
        "ram_gib": round(ram_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "taskset": shutil.which("taskset") is not None,
        "packages": versions,
    }


def wait_until(condition: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
