"""Command line: `.venv/bin/python -m bench SCENARIO [options]`; `make bench` runs `all`.

Every run prints ONE JSON line on stdout (progress goes to stderr); `--out` also
appends the lines to a file. The first line describes the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from bench import exports, hogs, plan, printables, scenarios
from bench.harness import NOFILE, emit, loadavg, log, machine, pin_self, raise_nofile


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--out", type=Path, help="also append the JSON lines to this file")
    parser.add_argument("--server-cpu", type=int, default=0, help="core of the server process (default 0)")
    parser.add_argument("--client-cpu", type=int, default=1, help="core of the load generator (default 1)")
    parser.add_argument("--no-pin", action="store_true", help="pin nothing")
    parser.add_argument(
        "--gc-threshold", help="what-if: start the app through bench/gc_wrapper.py with gc.set_threshold(a,b,c)"
    )
    parser.add_argument("--gc-freeze", action="store_true", help="what-if: gc.freeze() after the app started")
    parser.add_argument("--backlog", type=int, help="what-if: listen backlog of the app's server socket")
    sub = parser.add_subparsers(dest="scenario", required=True)

    p = sub.add_parser("fanout", help="1+2: N clients, one poster; the app and the minimal baseline")
    p.add_argument("--n", type=int, nargs="+", default=[200, 1000, 2000, 5000])
    p.add_argument("--rate", type=float, default=10, help="changes per second")
    p.add_argument("--duration", type=float, default=10, help="seconds of posting")
    p.add_argument("--no-baseline", action="store_true")

    p = sub.add_parser("storm", help="3: N joined clients drop at once and reconnect")
    p.add_argument("--n", type=int, nargs="+", default=[1000])
    p.add_argument("--wall", choices=list(scenarios.WALLS), nargs="+", default=["standard"])
    p.add_argument("--no-baseline", action="store_true")

    p = sub.add_parser("write", help="4: concurrent posters, one watcher, event-loop stalls")
    p.add_argument("--posters", type=int, default=8)
    p.add_argument("--rate", type=float, nargs="+", default=[5, 0], help="posts/s per poster; 0 = flat out")
    p.add_argument("--duration", type=float, default=10)

    p = sub.add_parser("pages", help="5: projector page and wall API under concurrency")
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--wall", choices=list(scenarios.WALLS), default="big")

    p = sub.add_parser("scaleout", help="6: two app processes + Redis vs one process")
    p.add_argument("--n", type=int, nargs="+", default=[2000, 1000])
    p.add_argument("--layouts", choices=list(scenarios.LAYOUTS), nargs="+", default=["split", "shared"])
    p.add_argument("--rate", type=float, default=10)
    p.add_argument("--duration", type=float, default=10)

    p = sub.add_parser(
        "hogs", help="7: connections that never read: RSS before, under, after; with and without the limit"
    )
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--joins", type=int, default=20, help="joins each connection asks for without reading")

    p = sub.add_parser("moderation", help="8: an organizer's swaps vs a participant's posts on a full wall")
    p.add_argument("--n", type=int, nargs="+", default=[2000])
    p.add_argument("--rate", type=float, default=10)
    p.add_argument("--duration", type=float, default=10)

    p = sub.add_parser("printables", help="9: 300 A3 topic sheets as one PDF while clients watch the wall")
    p.add_argument("--topics", type=int, default=300)
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--rate", type=float, default=5, help="posts per second during both windows")

    p = sub.add_parser("exports", help="10: every export of 300 documented topics with clients connected; import")
    p.add_argument("--clients", type=int, default=1000)

    p = sub.add_parser("plan", help="11: the proposal vs greedy and the exact optimum; hints next to clients")
    p.add_argument("--quick", action="store_true", help="one seed per size, 200 clients")
    p.add_argument("--clients", type=int, default=1000)

    p = sub.add_parser("all", help="everything, as `make bench`")
    p.add_argument("--quick", action="store_true", help="small sizes, short runs (a few minutes)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    server_cpu = None if args.no_pin else args.server_cpu
    pinned = "unpinned" if args.no_pin else pin_self(args.client_cpu)
    nofile = raise_nofile(NOFILE)
    out = args.out
    if args.gc_threshold:
        os.environ["BENCH_GC_THRESHOLD"] = args.gc_threshold
    if args.gc_freeze:
        os.environ["BENCH_GC_FREEZE"] = "1"
    if args.backlog:
        os.environ["BENCH_BACKLOG"] = str(args.backlog)
    what_if = {"gc_threshold": args.gc_threshold, "gc_freeze": args.gc_freeze, "backlog": args.backlog}

    def put(result: dict[str, Any]) -> None:
        emit(result, out)

    put(
        {
            "scenario": "environment",
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": args.scenario,
            "machine": machine(),
            "loadgen": pinned,
            "server_cpu": server_cpu,
            "nofile": nofile,
            "loadavg": loadavg(),
            "app_what_if": what_if if any(what_if.values()) else None,
        }
    )
    if args.scenario == "fanout":
        for n in args.n:
            put(
                scenarios.fanout(
                    n, rate=args.rate, duration=args.duration, cpu=server_cpu, baseline=not args.no_baseline
                )
            )
    elif args.scenario == "storm":
        for wall in args.wall:
            for n in args.n:
                put(scenarios.storm(n, cpu=server_cpu, wall=wall, baseline=not args.no_baseline))
    elif args.scenario == "write":
        for rate in args.rate:
            put(scenarios.write_path(args.posters, rate=rate, duration=args.duration, cpu=server_cpu))
    elif args.scenario == "pages":
        for result in scenarios.pages(args.concurrency, duration=args.duration, cpu=server_cpu, wall=args.wall):
            put(result)
    elif args.scenario == "scaleout":
        for n in args.n:
            reference = None
            for layout in args.layouts:
                result = scenarios.scaleout(
                    n, layout=layout, rate=args.rate, duration=args.duration, reference=reference, cpu=server_cpu
                )
                put(result)
                reference = reference or _reference(result)
    elif args.scenario == "hogs":
        put(hogs.hogs(args.n, args.joins, cpu=server_cpu))
    elif args.scenario == "moderation":
        for n in args.n:
            put(scenarios.moderation(n, rate=args.rate, duration=args.duration, cpu=server_cpu))
    elif args.scenario == "printables":
        put(printables.printables(args.topics, args.clients, args.rate, cpu=server_cpu))
    elif args.scenario == "exports":
        put(exports.exports(args.clients, cpu=server_cpu))
    elif args.scenario == "plan":
        plan.plan(put, quick=args.quick, cpu=server_cpu, clients=args.clients)
    elif args.scenario == "all":
        run_all(put, server_cpu, quick=args.quick)
    log("done")


def _reference(scaleout_result: dict[str, Any]) -> dict[str, Any] | None:
    one = scaleout_result.get("one_process")
    return one if one and "last_client" in one else None


def guarded(put: Any, scenario: str, run: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one scenario; a failure becomes a JSON line of its own and the run goes on."""
    try:
        return run(*args, **kwargs)
    except Exception as error:
        log(f"{scenario} failed: {error!r}")
        put({"scenario": scenario, "args": [*args, *kwargs.items()].__repr__(), "error": repr(error)[:2000]})
        return None


def run_all(put: Any, cpu: int | None, *, quick: bool) -> None:
    """The full run of `make bench` (or a quick one): every scenario, bounded; failures are reported, not fatal."""
    sizes = [200, 1000] if quick else [200, 1000, 2000, 5000]
    duration = 5 if quick else 10
    one_process: dict[int, dict[str, Any]] = {}
    for n in sizes:
        result = guarded(put, "fanout", scenarios.fanout, n, rate=10, duration=duration, cpu=cpu)
        if result:
            one_process[n] = result["app"]
            put(result)
        scenarios.wait(2)
    for wall in ["standard"] if quick else ["standard", "big"]:
        result = guarded(put, "reconnect_storm", scenarios.storm, 1000, cpu=cpu, wall=wall, baseline=wall == "standard")
        if result:
            put(result)
        scenarios.wait(2)
    for rate in (5, 0):
        result = guarded(put, "write_path", scenarios.write_path, 8, rate=rate, duration=duration, cpu=cpu)
        if result:
            put(result)
    for result in guarded(put, "pages", scenarios.pages, 50, duration=duration, cpu=cpu) or []:
        put(result)
    result = guarded(put, "hogs", hogs.hogs, 100 if quick else 300, 20, cpu=cpu)
    if result:
        put(result)
    result = guarded(put, "moderation", scenarios.moderation, 200 if quick else 2000, duration=duration, cpu=cpu)
    if result:
        put(result)
    result = guarded(put, "printables", printables.printables, 100 if quick else 300, 200, 5, cpu=cpu)
    if result:
        put(result)
    result = guarded(put, "exports", exports.exports, 200 if quick else 1000, cpu=cpu)
    if result:
        put(result)
    guarded(put, "plan", plan.plan, put, quick=quick, cpu=cpu)
    layouts = [(1000, "split")] if quick else [(2000, "split"), (2000, "shared"), (1000, "split")]
    for n, layout in layouts:
        reference = one_process.get(n)
        result = guarded(
            put, "scaleout", scenarios.scaleout, n, layout=layout, duration=duration, reference=reference, cpu=cpu
        )
        if result:
            put(result)
        scenarios.wait(2)
