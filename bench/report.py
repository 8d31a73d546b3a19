"""Markdown tables from a results file: `.venv/bin/python -m bench.report bench/results/bench-....jsonl`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _pair(summary: dict[str, Any]) -> str:
    return f"{_f(summary.get('p50_ms'))} / {_f(summary.get('p99_ms'))}"


def _others(run: dict[str, Any]) -> str:
    c = run.get("contention") or {}
    foreign = c.get("foreign_cpu_s") or {}
    return f"{_f(c.get('server_runqueue_wait_s'), 2)} / {_f(foreign.get('0'), 2)}"


def _storm_time(r: dict[str, Any]) -> str:
    if r["all_resynced_s"] is not None:
        return _f(r["all_resynced_s"], 2)
    return f"not all in {r['timeout_s']} s: {r['rejoined']} of {r['N']}"


def _baseline_storm(b: dict[str, Any] | None) -> str:
    if not b:
        return "–"
    return f"{_f(b['all_resynced_s'], 2)} / {_f(b['server_cpu_s'], 2)}"


def tables(lines: list[dict[str, Any]]) -> str:
    out: list[str] = []
    env = next((r for r in lines if r["scenario"] == "environment"), None)
    if env:
        m = env["machine"]
        out += [
            f"Machine: {m['nproc']} cores ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Python {m['python']}, "
            f"kernel {m['kernel']}; load generator {env['loadgen']}, servers on core {env['server_cpu']}; "
            f"load average at start {env['loadavg']}.",
            "",
            "Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()) + ".",
            "",
        ]
    fan = [r for r in lines if r["scenario"] == "fanout"]
    if fan:
        out += [
            "| N | last client p50 / p99 ms: app | baseline | lost (app / base) | CPU µs per delivery: app | "
            "baseline | ratio | RSS KB per client: app | baseline | max stall ms: app | baseline | "
            "connect N s: app | baseline | server runqueue wait s / foreign CPU on core 0 s (app) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in fan:
            a, b = r["app"], r.get("baseline", {})
            out.append(
                f"| {r['N']} | {_pair(a['last_client'])} | {_pair(b.get('last_client', {}))} | "
                f"{a['lost']} / {b.get('lost', '–')} | {_f(a['cpu_us_per_delivery'])} | "
                f"{_f(b.get('cpu_us_per_delivery'))} | {_f(r.get('ratios', {}).get('cpu_per_delivery'), 2)} | "
                f"{_f(a['rss_kb_per_client'])} | {_f(b.get('rss_kb_per_client'))} | {_f(a['max_stall_ms'])} | "
                f"{_f(b.get('max_stall_ms'))} | {_f(a['connect_s'])} | {_f(b.get('connect_s'))} | {_others(a)} |"
            )
        out.append("")
    storms = [r for r in lines if r["scenario"] == "reconnect_storm"]
    if storms:
        out += [
            "| N | wall (rooms × slots, topics) | all re-joined s (or how many re-joined) | per client p50 / p99 ms | "
            "stale | retries | "
            "server CPU s | max stall ms | runqueue wait / foreign s | baseline: all re-joined s / server CPU s |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in storms:
            w = r["wall"]
            out.append(
                f"| {r['N']} | {w['rooms']} × {w['slots']}, {w['topics']} | "
                f"{_storm_time(r)} | "
                f"{_pair(r['per_client'])} | {r['stale_snapshots']} | {r['retries']} | {_f(r['server_cpu_s'], 2)} | "
                f"{_f(r['max_stall_ms'])} | {_others(r)} | {_baseline_storm(r.get('baseline'))} |"
            )
        out.append("")
    writes = [r for r in lines if r["scenario"] == "write_path"]
    if writes:
        out += [
            "| posting | posts/s | post → watcher p50 / p99 / max ms | HTTP answer p50 / p99 ms | lost | "
            "max stall ms | server CPU | runqueue wait / foreign s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in writes:
            p = r["post_to_watcher"]
            out.append(
                f"| {r['mode']} | {r['posts_per_s']} | {_pair(p)} / {_f(p['max_ms'])} | {_pair(r['http_response'])} | "
                f"{r['watcher_lost']} | {_f(r['max_stall_ms'])} | {_f(r['server_cpu_util'] * 100, 0)} % | "
                f"{_others(r)} |"
            )
        out.append("")
    pages = [r for r in lines if r["scenario"] == "pages"]
    if pages:
        out += [
            "| endpoint | bytes | concurrency | requests/s | p50 / p99 ms | statuses | max stall ms | server CPU |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in pages:
            out.append(
                f"| `{r['path']}` | {r['response_bytes']} | {r['concurrency']} | {r['requests_per_s']} | "
                f"{_pair(r['latency'])} | {r['statuses']} | {_f(r['max_stall_ms'])} | "
                f"{_f(r['server_cpu_util'] * 100, 0)} % |"
            )
        out.append("")
    scale = [r for r in lines if r["scenario"] == "scaleout"]
    if scale:
        out += [
            "| N | layout (cores A, B, redis) | last client p50 / p99 ms: two processes | one process | lost | "
            "CPU µs per delivery: two | one | runqueue wait / foreign s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in scale:
            if "skipped" in r:
                out.append(f"| {r['N']} | {r['layout']} | skipped: {r['skipped']} | | | | | |")
                continue
            two, one, c = r["two_processes"], r["one_process"], r["cores"]
            out.append(
                f"| {r['N']} | {r['layout']} ({c['a']}, {c['b']}, {c['redis']}) | {_pair(two['last_client'])} | "
                f"{_pair(one['last_client'])} | {two['lost']} | {_f(two['cpu_us_per_delivery'])} | "
                f"{_f(one['cpu_us_per_delivery'])} | {_others(two)} |"
            )
        out.append("")
    out += ["| run | target | value | met |", "|---|---|---|---|"]
    for r in lines:
        for name, t in (r.get("targets") or {}).items():
            run = f"{r['scenario']} N={r.get('N', '')} {r.get('layout', r.get('mode', r.get('wall', '')))}".strip()
            if isinstance(r.get("wall"), dict):
                run = f"{r['scenario']} N={r['N']} {r['wall']['topics']} topics"
            met = {True: "yes", False: "**no**", None: "–"}[t["met"]]
            out.append(f"| {run} | `{name}` | {_f(t['value'], 2)} | {met} |")
    return "\n".join(out)


def main() -> None:
    path = Path(sys.argv[1])
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(tables(lines))


if __name__ == "__main__":
    main()
