#!/usr/bin/python3
"""The comparison table and plots of one bench/run results directory.

Usage: bench/report.py RESULTS_DIR

Reads RESULTS_DIR/<server>-<scenario>.json (corio_loadgen's output; {"error": ...} for a run
that failed), scaling-<server>-t<T>-<scenario>.json, curve-<server>-<curve>-<N>.json and
meta.json. The servers are corio, node and
the ceiling (bench/ceiling: the same stack without Corio, in a few scenarios only). Prints the
markdown table and writes it to RESULTS_DIR/table.md; renders RESULTS_DIR/plots/perf-*.png with
gnuplot (skipped, with a note, when gnuplot is missing). Exits 1 when a run failed or a result
is missing. Standard library only.
"""

import json
import math
import os
import shutil
import statistics
import subprocess
import sys

SERVERS = ("corio", "node", "ceiling")
# The scenarios the ceiling runs, when meta.json does not say (older results).
CEILING_SCENARIOS = ("connect", "connect-max", "echo", "fanout", "churn")

# Where each figure sits in the load generator's JSON, under "metrics" (or, for "runner.", in
# what bench/run adds); several spellings are accepted so that a renamed key shows up as "n/a"
# only when none matches.
KEYS = {
    "rate": ["rate_per_s", "connections_per_s", "connects_per_s"],
    "kib_per_conn": ["kib_per_connection", "kib_per_conn"],
    "connected": ["connected"],
    "failed": ["failed"],
    "dropped": ["dropped_during_hold", "dropped"],
    "dropped_ramp": ["dropped_during_ramp"],
    "missing_acks": ["missing_acks"],
    "incomplete": ["incomplete_broadcasts"],
    "duplicates": ["duplicate_deliveries"],
    "acks_per_s": ["acks_per_s"],
    "deliveries_per_s": ["deliveries_per_s"],
    "lost": ["lost"],
    "cycles_per_s": ["cycles_per_s"],
    "cycles": ["cycles"],
    "warmup_cycles": ["warmup_cycles"],
    "acks": ["acks"],
    "mb_per_s": ["mb_per_s"],
    "bad_echoes": ["bad_echoes"],
    "server_cpu_s_run": ["runner.server_cpu_s"],
    "rss_growth_pct": ["rss_growth_pct"],
    "rss_start": ["server_rss_kib.start"],
    "rss_cold": ["server_rss_kib.cold"],
    "warmup_rss_growth_pct": ["warmup_rss_growth_pct"],
    "rss_end": ["server_rss_kib.end"],
    "server_cpu_pct": ["runner.server_cpu_pct"],
    "server_system_pct": ["runner.server_system_pct"],
    "deliveries_per_cpu_s": ["deliveries_per_server_cpu_s"],
    "server_cpu_s": ["server_cpu_s"],
    "server_rss": ["server_rss_kib"],
    "redis_cpu_s": ["runner.redis_cpu_s"],
    # cluster-fanout: receivers on the emitter's server, and on the other one (through Redis).
    "local_lost": ["nodes.0.lost"],
    "remote_lost": ["nodes.1.lost"],
    "local_p99": ["nodes.0.latency_ms.p99"],
    "remote_p99": ["nodes.1.latency_ms.p99"],
    # connect and churn time the handshake, echo and fanout an event.
    "p50": ["latency_ms.p50", "handshake_latency_ms.p50"],
    "p99": ["latency_ms.p99", "handshake_latency_ms.p99"],
    "p999": ["latency_ms.p999", "handshake_latency_ms.p999"],
    "max": ["latency_ms.max", "handshake_latency_ms.max"],
}


class Target:
    """A goal on the corio advantage (`ratio`), or on corio's own value (`absolute`)."""

    def __init__(self, text, ratio=None, absolute=None):
        self.text, self.ratio, self.absolute = text, ratio, absolute

    def met(self, advantage, corio_value):
        if self.ratio is not None:
            return None if advantage is None else advantage >= self.ratio
        if corio_value is None:
            return None
        return self.absolute(corio_value)


# scenario, label, figure, better ("higher", "lower" or None: no ratio), target.
# The advantage is corio/node for higher-is-better figures and node/corio for lower-is-better
# ones, so that above 1 always means Corio does better. The targets are issue 16's, the latest
# performance issue, where it sets one; the earlier issues' elsewhere.
ROWS = [
    ("connect", "connections/s", "rate", "higher", Target("≥ 6×", ratio=6)),
    ("connect", "KiB per connection", "kib_per_conn", "lower", Target("corio: ≤ 4 KiB", absolute=lambda v: v <= 4)),
    ("connect", "handshake p99 ms", "p99", "lower", None),
    ("connect", "connected", "connected", None, None),
    ("connect", "failed", "failed", None, None),
    ("connect", "dropped during ramp", "dropped_ramp", None, None),
    ("connect", "dropped during hold", "dropped", None, None),
    ("connect", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("connect", "server CPU ms per connection (whole run)", "cpu_ms_per_conn", "lower", None),
    ("connect-max", "connections/s", "rate", "higher", None),
    ("connect-max", "KiB per connection", "kib_per_conn", "lower", None),
    ("connect-max", "connected", "connected", None, None),
    ("connect-max", "failed", "failed", None, None),
    ("connect-max", "dropped during hold", "dropped", None, None),
    ("connect-max", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("echo", "acks/s", "acks_per_s", "higher", Target("≥ 3.5×", ratio=3.5)),
    ("echo", "ack p50 ms", "p50", "lower", None),
    ("echo", "ack p99 ms", "p99", "lower", Target("≥ 2× (p99 ≤ 0.5× node)", ratio=2)),
    ("echo", "missing acks", "missing_acks", None, None),
    ("echo", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("echo", "acks per server CPU-second (whole run)", "acks_per_cpu_s", "higher", None),
    ("fanout", "deliveries/s", "deliveries_per_s", "higher", Target("≥ 3.5×", ratio=3.5)),
    ("fanout", "lost deliveries", "lost", None, Target("corio: 0", absolute=lambda v: v == 0)),
    ("fanout", "deliveries per server CPU-second", "deliveries_per_cpu_s", "higher", None),
    ("fanout", "delivery p50 ms", "p50", "lower", None),
    ("fanout", "delivery p99 ms", "p99", "lower", Target("≥ 1× (p99 ≤ node)", ratio=1)),
    ("fanout", "incomplete broadcasts", "incomplete", None, None),
    ("fanout", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    # A 16 KiB JSON-like broadcast to 200 members, without and with permessage-deflate.
    *[
        (scenario, label, name, better, None)
        for scenario in ("fanout-16k", "fanout-16k-deflate")
        for label, name, better in (
            ("deliveries/s", "deliveries_per_s", "higher"),
            ("deliveries per server CPU-second", "deliveries_per_cpu_s", "higher"),
            ("delivery p99 ms", "p99", "lower"),
            ("lost deliveries", "lost", None),
        )
    ],
    # Two servers of one implementation over one redis-server, both servers on CPU 0.
    ("cluster-fanout", "deliveries per server CPU-second", "deliveries_per_cpu_s", "higher", Target("≥ 2.5×", ratio=2.5)),
    ("cluster-fanout", "deliveries/s", "deliveries_per_s", "higher", None),
    ("cluster-fanout", "lost deliveries", "lost", None, Target("corio: 0", absolute=lambda v: v == 0)),
    ("cluster-fanout", "lost, emitter's server", "local_lost", None, None),
    ("cluster-fanout", "lost, other server (through Redis)", "remote_lost", None, None),
    ("cluster-fanout", "delivery p50 ms", "p50", "lower", None),
    ("cluster-fanout", "delivery p99 ms", "p99", "lower", None),
    ("cluster-fanout", "p99 ms, emitter's server", "local_p99", "lower", None),
    ("cluster-fanout", "p99 ms, other server (through Redis)", "remote_p99", "lower", None),
    ("cluster-fanout", "incomplete broadcasts", "incomplete", None, None),
    ("cluster-fanout", "server CPU s, both (broadcasting and drain)", "server_cpu_s", None, None),
    ("cluster-fanout", "server RSS KiB, both (clients connected)", "server_rss", "lower", None),
    ("cluster-fanout", "server CPU use % (whole run, both)", "server_cpu_pct", None, None),
    ("cluster-fanout", "redis-server CPU s (whole run)", "redis_cpu_s", None, None),
    # connect and echo over TLS (wss://, a full TLS 1.3 handshake per connection).
    ("tls-connect", "connections/s", "rate", "higher", None),
    ("tls-connect", "KiB per connection", "kib_per_conn", "lower", None),
    ("tls-connect", "handshake p99 ms", "p99", "lower", None),
    ("tls-connect", "connected", "connected", None, None),
    ("tls-connect", "failed", "failed", None, None),
    ("tls-connect", "dropped during hold", "dropped", None, None),
    ("tls-connect", "server CPU ms per connection (whole run)", "cpu_ms_per_conn", "lower", None),
    ("tls-connect", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("tls-echo", "acks/s", "acks_per_s", "higher", None),
    ("tls-echo", "ack p50 ms", "p50", "lower", None),
    ("tls-echo", "ack p99 ms", "p99", "lower", None),
    ("tls-echo", "missing acks", "missing_acks", None, None),
    ("tls-echo", "acks per server CPU-second (whole run)", "acks_per_cpu_s", "higher", None),
    ("tls-echo", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("msgpack-echo", "acks/s", "acks_per_s", "higher", None),
    ("msgpack-echo", "ack p50 ms", "p50", "lower", None),
    ("msgpack-echo", "ack p99 ms", "p99", "lower", None),
    ("msgpack-echo", "missing acks", "missing_acks", None, None),
    ("msgpack-echo", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("msgpack-fanout", "deliveries/s", "deliveries_per_s", "higher", None),
    ("msgpack-fanout", "lost deliveries", "lost", None, Target("corio: 0", absolute=lambda v: v == 0)),
    ("msgpack-fanout", "deliveries per server CPU-second", "deliveries_per_cpu_s", "higher", None),
    ("msgpack-fanout", "delivery p50 ms", "p50", "lower", None),
    ("msgpack-fanout", "delivery p99 ms", "p99", "lower", None),
    ("msgpack-fanout", "incomplete broadcasts", "incomplete", None, None),
    ("msgpack-fanout", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    # Long-polling only, no upgrade: a waiting GET and a connection for POSTs per client.
    ("polling-connect", "connections/s", "rate", "higher", None),
    ("polling-connect", "KiB per connection", "kib_per_conn", "lower", None),
    ("polling-connect", "handshake p99 ms", "p99", "lower", None),
    ("polling-connect", "connected", "connected", None, None),
    ("polling-connect", "failed", "failed", None, None),
    ("polling-connect", "dropped during hold", "dropped", None, None),
    ("polling-connect", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("polling-echo", "acks/s", "acks_per_s", "higher", Target("≥ 3×", ratio=3)),
    ("polling-echo", "ack p50 ms", "p50", "lower", None),
    ("polling-echo", "ack p99 ms", "p99", "lower", None),
    ("polling-echo", "missing acks", "missing_acks", None, None),
    ("polling-echo", "acks per server CPU-second (whole run)", "acks_per_cpu_s", "higher", None),
    ("polling-echo", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("polling-fanout", "deliveries/s", "deliveries_per_s", "higher", None),
    ("polling-fanout", "lost deliveries", "lost", None, Target("corio: 0", absolute=lambda v: v == 0)),
    ("polling-fanout", "deliveries per server CPU-second", "deliveries_per_cpu_s", "higher", None),
    ("polling-fanout", "delivery p50 ms", "p50", "lower", None),
    ("polling-fanout", "delivery p99 ms", "p99", "lower", None),
    ("polling-fanout", "incomplete broadcasts", "incomplete", None, None),
    ("polling-fanout", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    # One binary argument of 64 KiB or 512 KiB echoed over WebSocket, every byte checked.
    *[
        row
        for scenario in ("binary-echo-64k", "binary-echo-512k")
        for row in (
            (scenario, "MB/s (echoed, one direction)", "mb_per_s", "higher", Target("≥ 3×", ratio=3)),
            (scenario, "acks/s", "acks_per_s", "higher", None),
            (scenario, "ack p50 ms", "p50", "lower", None),
            (scenario, "ack p99 ms", "p99", "lower", None),
            (scenario, "bad echoes", "bad_echoes", None, Target("corio: 0", absolute=lambda v: v == 0)),
            (scenario, "missing acks", "missing_acks", None, None),
            (scenario, "server CPU use % (whole run)", "server_cpu_pct", None, None),
        )
    ],
    ("churn", "cycles/s", "cycles_per_s", "higher", Target("≥ 5×", ratio=5)),
    ("churn", "RSS growth % (after the warm-up)", "rss_growth_pct", None,
     Target("corio: ≤ 10 %", absolute=lambda v: v <= 10)),
    ("churn", "RSS growth % during the warm-up (from cold)", "warmup_rss_growth_pct", None, None),
    ("churn", "server RSS cold KiB", "rss_cold", "lower", None),
    ("churn", "server RSS at start KiB (after the warm-up)", "rss_start", "lower", None),
    ("churn", "server RSS at end KiB", "rss_end", "lower", None),
    ("churn", "failed", "failed", None, None),
    ("churn", "server CPU use % (whole run)", "server_cpu_pct", None, None),
    ("churn", "cycles per server CPU-second (whole run)", "cycles_per_cpu_s", "higher", None),
]

# After each server CPU use row, the kernel's share of that time: a server whose time is mostly
# the kernel's (system calls, the TCP stack) is bounded by it, whatever its own code does.
ROWS = [
    row
    for entry in ROWS
    for row in ((entry, (entry[0], "server CPU in the kernel %", "server_system_pct", None, None))
                if entry[2] == "server_cpu_pct" else (entry,))
]

# Goals on Corio against the ceiling (issue 16), by (scenario, figure): Corio's rate as a fraction
# of the ceiling's.
CEILING_TARGETS = {
    ("connect", "rate"): Target("≥ 0.9×", ratio=0.9),
    ("echo", "acks_per_s"): Target("≥ 0.95×", ratio=0.95),
    ("churn", "cycles_per_s"): Target("≥ 0.9×", ratio=0.9),
}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        return {"error": f"unreadable: {e}"}


def per(num, den, scale=1.0):
    return None if num is None or not den else scale * num / den


# Figures computed from two others: the server's CPU time (whole run) per unit of work, which
# depends less than the rates on what else the machine runs.
DERIVED = {
    "cpu_ms_per_conn": lambda run: per(figure(run, "server_cpu_s_run"), figure(run, "connected"), 1000.0),
    "acks_per_cpu_s": lambda run: per(figure(run, "acks"), figure(run, "server_cpu_s_run")),
    # The whole run's CPU time covers churn's warm-up too: its cycles count.
    "cycles_per_cpu_s": lambda run: per(
        None if figure(run, "cycles") is None else figure(run, "cycles") + (figure(run, "warmup_cycles") or 0),
        figure(run, "server_cpu_s_run")),
}


def figure(run, name):
    if not run or "error" in run:
        return None
    if name in DERIVED:
        return DERIVED[name](run)
    for key in KEYS[name]:
        node = run if key.startswith("runner.") else run.get("metrics", {})
        for part in key.split("."):
            if isinstance(node, list) and part.isdigit():
                node = node[int(part)] if int(part) < len(node) else None
            else:
                node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            return float(node)
    return None


def advantage(better, corio, node):
    if better is None or corio is None or node is None:
        return None
    num, den = (corio, node) if better == "higher" else (node, corio)
    if den == 0:
        return math.inf if num > 0 else None
    return num / den


def fmt(v):
    if v is None:
        return "n/a"
    if math.isinf(v):
        return "∞"
    if v == int(v):
        return f"{int(v):,}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def loadgen_bound(run):
    return bool(run and "error" not in run and run.get("loadgen_bottleneck"))


def run_errors(run):
    """The errors a run reported, as short strings."""
    if not run or "error" in run:
        return []
    errs = run.get("errors")
    if not errs:
        return []
    if isinstance(errs, dict):
        return [f"{k}: {v}" for k, v in errs.items() if v]
    if isinstance(errs, list):
        return [json.dumps(e) if not isinstance(e, str) else e for e in errs[:5]]
    return [str(errs)]


def verdict_text(verdict):
    return {True: "yes", False: "**no**", None: "n/a"}[verdict]


def ceiling_cell(better, corio, ceiling, target, judged):
    """Corio against the ceiling: corio/ceiling for rates, ceiling/corio for latency and
    memory (1× = as good as the ceiling), with the goal and whether it was met."""
    if better is None:
        return "—"
    ratio = advantage(better, corio, ceiling)
    text = f"{fmt(ratio)}×" if ratio is not None else "n/a"
    if target is not None:
        text += f" ({target.text}" + (f": {verdict_text(target.met(ratio, corio))}" if judged else "") + ")"
    return text


def table(results, meta):
    servers = [s for s in SERVERS if s in meta.get("servers", ("corio", "node"))]
    versus_node = "corio" in servers and "node" in servers
    with_ceiling = "ceiling" in servers
    ceiling_scenarios = set(meta.get("ceiling_scenarios", CEILING_SCENARIOS))
    judged = meta.get("mode") != "smoke"
    lines = []
    mode = meta.get("mode", "?")
    title = "Corio vs Node socket.io" + (" and the ceiling" if with_ceiling else "")
    lines.append(f"## {title} — {mode} run, {meta.get('date_utc', '?')}")
    lines.append("")
    lines.append(
        f"Server: CPU {meta.get('server_cpus', '0')}, {meta.get('threads', 1)} thread(s) for Corio "
        f"{'and the ceiling ' if with_ceiling else ''}"
        f"(Node: one JavaScript thread); load generator: CPU {meta.get('loadgen_cpus', '1')}. "
        f"{meta.get('cpu', '')} ×{meta.get('ncpu', '?')}, Linux {meta.get('kernel', '?')}, "
        f"Node {meta.get('node', '?')}, socket.io {meta.get('socket_io', '?')}, Corio {meta.get('git', '?')}."
    )
    if "cluster-fanout" in meta.get("scenarios", []):
        lines.append("")
        lines.append(
            f"cluster-fanout: two servers of each kind, both on CPU {meta.get('server_cpus', '0')}, in one cluster "
            f"over redis-server {meta.get('redis_server', '?')} (CPU {meta.get('loadgen_cpus', '1')}); Node with "
            f"@socket.io/redis-adapter {meta.get('redis_adapter', '?')}. Receivers split evenly, the emitter on the "
            "first server. Deliveries per server CPU-second: deliveries / both servers' CPU time (user + system) "
            "from the first broadcast to the end of the drain."
        )
    if with_ceiling:
        lines.append("")
        lines.append(
            "ceiling: bench/ceiling, the same stack without Corio (Asio; a minimal raw-WebSocket server written "
            "for speed, as a competitor would, slicing the bench app's messages by hand), in "
            f"{', '.join(sc for sc in meta.get('scenarios', []) if sc in ceiling_scenarios) or 'no scenario'}. "
            "corio/ceiling: Corio's rate as a fraction of the ceiling's (ceiling/corio for latency and memory), "
            "so that 1× is the ceiling. The ceiling can outrun the load generator (†): its rates then bound the "
            "ratio, and the per-server-CPU rows compare the work each server does per operation."
        )
    if any(sc.startswith("tls-") for sc in meta.get("scenarios", [])):
        lines.append("")
        lines.append(
            "tls-connect, tls-echo: connect and echo over wss://, each server terminating TLS itself (Corio's "
            "listener on OpenSSL, Node's node:https) with an EC P-256 certificate; the load generator makes a full "
            "TLS 1.3 handshake per connection (no resumption) and verifies the certificate."
        )
    if any(sc.startswith("msgpack-") for sc in meta.get("scenarios", [])):
        lines.append("")
        lines.append(
            "msgpack-echo, msgpack-fanout: echo and fanout with every side on the socket.io-msgpack-parser "
            f"encoding (Node with the official package {meta.get('msgpack_parser', '?')}, the load generator "
            "speaking it too)."
        )
    if any(sc.startswith("polling-") for sc in meta.get("scenarios", [])):
        lines.append("")
        lines.append(
            "polling-connect, polling-echo, polling-fanout: connect, echo and fanout over Engine.IO HTTP "
            "long-polling only (no upgrade): per client one keep-alive connection with a waiting GET and one "
            "for POSTs."
        )
    if any(sc.startswith("binary-echo-") for sc in meta.get("scenarios", [])):
        lines.append("")
        lines.append(
            "binary-echo-64k, binary-echo-512k: echo of one binary argument over WebSocket (binary event and "
            "binary ack, each a text frame and a binary frame); MB/s counts the attachment bytes echoed intact "
            "per second, one direction (1 MB = 10^6 bytes); the load generator checks every byte."
        )
    loads = meta.get("loads", {})
    if loads:
        lines.append("")
        lines.append("Loads: " + "; ".join(f"{sc} `{args}`" for sc, args in loads.items()) + ".")
    if meta.get("rounds", 1) > 1:
        lines.append("")
        lines.append(
            f"Each server ran each scenario {meta['rounds']} times, every server in turn within a round; "
            "each figure is from its median run (ranked by the scenario's rate; every run is under rounds/)."
        )
    for curve, spec in meta.get("curves", {}).items():
        lines.append("")
        lines.append(f"Curve {curve}: `{spec.get('args', '')}` for N in {', '.join(map(str, spec.get('points', [])))}; one run each.")
    if meta.get("busiest_load", 0) >= 0.5:
        lines.append("")
        lines.append(
            f"Other processes kept up to {meta['busiest_load']} CPUs busy between scenarios: "
            "the figures are noisy."
        )
    if meta.get("threads", 1) > 1:
        lines.append("")
        lines.append("With more than one server thread the server and the load generator share CPUs.")
    if mode == "smoke":
        lines.append("")
        lines.append("Smoke run: tiny loads that check the runner; the numbers mean nothing and no target is judged.")
    elif mode == "quick":
        lines.append("")
        lines.append("Quick run: small loads for a few seconds each; indicative only.")
    lines.append("")
    if with_ceiling:
        lines.append("| scenario | metric | corio | node | corio advantage | target | met? | ceiling | corio/ceiling |")
        lines.append("|---|---|---:|---:|---:|---|:---:|---:|---:|")
    else:
        lines.append("| scenario | metric | corio | node | corio advantage | target | met? |")
        lines.append("|---|---|---:|---:|---:|---|:---:|")
    notes, failures = [], 0
    for scenario, label, name, better, target in ROWS:
        runs = {s: results.get((s, scenario)) for s in servers}
        if all(r is None for r in runs.values()):
            continue
        vals = {s: figure(runs[s], name) for s in servers}
        cells = []
        for s in SERVERS:
            if s not in servers or (s == "ceiling" and scenario not in ceiling_scenarios):
                cells.append("—")
                continue
            cell = fmt(vals[s])
            if loadgen_bound(runs[s]) and better == "higher":
                cell += " †"
            cells.append(cell)
        adv = advantage(better, vals.get("corio"), vals.get("node")) if versus_node else None
        if better is None or not versus_node:
            adv_text = "—"
        else:
            adv_text = f"{fmt(adv)}× ({'corio/node' if better == 'higher' else 'node/corio'})" if adv is not None else "n/a"
        if target is None:
            tgt, met = "—", ""
        else:
            tgt = target.text
            met = verdict_text(target.met(adv, vals.get("corio"))) if judged and versus_node else ""
        row = f"| {scenario} | {label} | {cells[0]} | {cells[1]} | {adv_text} | {tgt} | {met} |"
        if with_ceiling:
            if scenario in ceiling_scenarios and "corio" in servers:
                vs = ceiling_cell(better, vals.get("corio"), vals.get("ceiling"),
                                  CEILING_TARGETS.get((scenario, name)), judged)
            else:
                vs = "—"
            row += f" {cells[2]} | {vs} |"
        lines.append(row)
    lines.append("")
    lines.append(
        "Corio advantage: corio/node for higher-is-better figures (rates), node/corio for "
        "lower-is-better ones (latency, memory), so that above 1× Corio does better."
    )
    for (server, scenario), run in sorted(results.items()):
        if run is None:
            continue
        if "error" in run:
            failures += 1
            notes.append(f"- {server} {scenario}: **failed** ({run['error']})")
        if loadgen_bound(run):
            notes.append(
                f"- † {server} {scenario}: the load generator was the bottleneck "
                f"(CPU {run.get('loadgen_cpu', '?')} of a core per thread): the server's figure may be higher."
            )
        for e in run_errors(run):
            notes.append(f"- {server} {scenario}: error reported: {e}")
    missing = [f"{s} {sc}" for s in servers for sc in meta.get("scenarios", [])
               if (s, sc) not in results and (s != "ceiling" or sc in ceiling_scenarios)]
    for m in missing:
        failures += 1
        notes.append(f"- {m}: no result")
    lines.extend(round_ratio_table(results, meta, servers))
    lines.extend(scaling_table(results, meta))
    lines.extend(curve_tables(results, servers))
    if notes:
        lines.append("")
        lines.extend(notes)
    return "\n".join(lines) + "\n", failures


# The curves (bench/run --curves): name, title, what the points count, and the figures shown,
# each (label, figure, better). The first figure is the one plotted.
CURVES = [
    ("fanout-room", "Fanout by room size", "members", [
        ("deliveries/s", "deliveries_per_s", "higher"),
        ("deliveries per server CPU-second", "deliveries_per_cpu_s", "higher"),
        ("delivery p99 ms", "p99", "lower"),
    ]),
    ("echo-clients", "Echo by number of clients", "clients", [
        ("acks/s", "acks_per_s", "higher"),
        ("acks per server CPU-second", "acks_per_cpu_s", "higher"),
        ("ack p99 ms", "p99", "lower"),
    ]),
    ("memory", "Memory by idle connections", "connections", [
        ("KiB per connection", "kib_per_conn", "lower"),
        ("server CPU ms per connection", "cpu_ms_per_conn", "lower"),
    ]),
]


def round_ratios(results, scenario, other):
    """Corio's key figure over `other`'s in each round (median_round.py's "rounds"), or None
    when either has no rounds or their counts differ."""
    corio = (results.get(("corio", scenario)) or {}).get("rounds") or {}
    theirs = (results.get((other, scenario)) or {}).get("rounds") or {}
    a, b = corio.get("values"), theirs.get("values")
    if not a or not b or len(a) != len(b) or corio.get("figure") != theirs.get("figure"):
        return None
    return [x / y if x is not None and y else None for x, y in zip(a, b)]


def ratios_cell(ratios):
    if not ratios:
        return "—", "—"
    known = [r for r in ratios if r is not None]
    median = fmt(statistics.median(known)) + "×" if known else "—"
    return ", ".join(fmt(r) + "×" if r is not None else "—" for r in ratios), median


def round_ratio_table(results, meta, servers):
    """The ratios within each round. The servers take turns within a round, so a round's
    ratio compares runs minutes apart; the medians above may come from different rounds, and
    on a noisy machine their ratio can be far from every round's."""
    rows = []
    for scenario in meta.get("scenarios", []):
        rounds = ((results.get(("corio", scenario)) or {}).get("rounds") or {})
        by_node = round_ratios(results, scenario, "node") if "node" in servers else None
        by_ceiling = round_ratios(results, scenario, "ceiling") if "ceiling" in servers else None
        if not by_node and not by_ceiling:
            continue
        rows.append((scenario, rounds.get("figure", "?"), *ratios_cell(by_node), *ratios_cell(by_ceiling)))
    if not rows:
        return []
    lines = ["", "### Within each round", "",
             "Corio's key figure over Node's and over the ceiling's in each round, where the servers ran "
             "one after the other, and the median of those ratios (the table above divides medians, "
             "which may come from different rounds).", "",
             "| scenario | figure | corio/node by round | median | corio/ceiling by round | median |",
             "|---|---|---|---:|---|---:|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def curve_points(results, curve):
    """The points (N) measured on a curve, in order."""
    return sorted({int(sc.rsplit(":", 1)[1]) for _, sc in results if sc.startswith(f"curve:{curve}:")})


def curve_tables(results, servers):
    lines = []
    for curve, title, unit, shown in CURVES:
        points = curve_points(results, curve)
        if not points:
            continue
        lines += ["", f"### Curve: {title}", ""]
        head = "| " + unit + " | metric | " + " | ".join(servers)
        rule = "|---:|---|" + "---:|" * len(servers)
        if "corio" in servers and "node" in servers:
            head += " | corio advantage"
            rule += "---:|"
        if "corio" in servers and "ceiling" in servers:
            head += " | corio/ceiling"
            rule += "---:|"
        lines += [head + " |", rule]
        for n in points:
            for label, name, better in shown:
                vals = {s: figure(results.get((s, f"curve:{curve}:{n}")), name) for s in servers}
                row = f"| {n:,} | {label} | " + " | ".join(fmt(vals[s]) for s in servers)
                if "corio" in servers and "node" in servers:
                    adv = advantage(better, vals["corio"], vals["node"])
                    row += f" | {fmt(adv)}×" if adv is not None else " | n/a"
                if "corio" in servers and "ceiling" in servers:
                    vs = advantage(better, vals["corio"], vals["ceiling"])
                    row += f" | {fmt(vs)}×" if vs is not None else " | n/a"
                lines.append(row + " |")
    return lines


SCALING = [("connect", "connections/s", "rate"), ("echo", "acks/s", "acks_per_s"),
           ("fanout", "deliveries/s", "deliveries_per_s")]


def scaling_runs(results):
    """{(server, threads): {scenario: run}} from scaling-<server>-t<T>-<scenario>.json."""
    runs = {}
    for (key, scenario), run in results.items():
        server, _, threads = key.partition("-t")
        if threads.isdigit():
            runs.setdefault((server, int(threads)), {})[scenario] = run
    return runs


def scaling_table(results, meta):
    runs = scaling_runs(results)
    if not runs:
        return []
    columns = sorted(runs, key=lambda k: (SERVERS.index(k[0]) if k[0] in SERVERS else 9, k[1]))
    lines = ["", "### Scaling: server threads", "",
             f"Each server with T threads on CPUs 0..T-1; the load generator on CPUs "
             f"{(meta.get('scaling') or {}).get('loadgen_cpus', '?')}, a thread on each. The last columns "
             "divide each figure by the same server's with one thread.", ""]
    scaled = [c for c in columns if c[1] > 1]
    lines.append("| scenario | metric | " + " | ".join([f"{s} ×{t}" for s, t in columns] +
                                                     [f"{s} ×{t}/×1" for s, t in scaled]) + " |")
    lines.append("|---|---|" + "---:|" * (len(columns) + len(scaled)))
    for scenario, label, name in SCALING:
        vals = {c: figure(runs[c].get(scenario), name) for c in columns}
        if all(v is None for v in vals.values()):
            continue
        ratios = [per(vals[c], vals.get((c[0], 1))) for c in scaled]
        cells = [fmt(vals[c]) for c in columns] + [f"{fmt(r)}×" if r is not None else "n/a" for r in ratios]
        lines.append(f"| {scenario} | {label} | " + " | ".join(cells) + " |")
    return lines


# ---- Plots ---------------------------------------------------------------------------------
# Each plot is data first, then a gnuplot script:
# (file, title, panels); a panel is (title, ylabel, log_y, series names, [(label, values)], a
# horizontal reference line or None).


def plot_specs(results, meta):
    specs = []
    servers = [s for s in SERVERS if s in meta.get("servers", ("corio", "node"))]
    if "corio" in servers and "node" in servers:
        bars = []
        for scenario, label, name, better, target in ROWS:
            if target is None or target.ratio is None:
                continue
            adv = advantage(better, figure(results.get(("corio", scenario)), name),
                            figure(results.get(("node", scenario)), name))
            if adv is not None and not math.isinf(adv):
                bars.append((f"{scenario}: {label}", [adv, target.ratio]))
        if bars:
            specs.append(("perf-ratios.png", "Corio advantage over Node socket.io (above 1× = Corio better)",
                          [("", "advantage (×)", False, ["measured", "target"], bars, 1.0)]))
    panels = []
    for scenario, title in (("connect", "connect: handshake"), ("echo", "echo: ack round trip"),
                            ("fanout", "fanout: delivery"), ("cluster-fanout", "cluster-fanout: delivery")):
        groups = []
        for pct, key in (("p50", "p50"), ("p99", "p99"), ("p99.9", "p999"), ("max", "max")):
            vals = [figure(results.get((s, scenario)), key) for s in servers]
            if any(v is not None for v in vals):
                groups.append((pct, [v if v is not None else float("nan") for v in vals]))
        if groups:
            panels.append((title, "ms (log)", True, servers, groups, None))
    if panels:
        specs.append(("perf-latency.png", "Latency percentiles", panels))
    panels = []
    for title, ylabel, name, scenarios in (("Server memory per connection", "KiB", "kib_per_conn", ("connect", "connect-max")),
                                           ("Server RSS growth after churn", "%", "rss_growth_pct", ("churn",))):
        groups = []
        for scenario in scenarios:
            vals = [figure(results.get((s, scenario)), name) for s in servers]
            if any(v is not None for v in vals):
                groups.append((scenario, [v if v is not None else float("nan") for v in vals]))
        if groups:
            panels.append((title, ylabel, False, servers, groups, None))
    if panels:
        specs.append(("perf-memory.png", "Memory", panels))
    runs = scaling_runs(results)
    if runs:
        columns = sorted(runs, key=lambda k: (SERVERS.index(k[0]) if k[0] in SERVERS else 9, k[1]))
        panels = []
        for scenario, label, name in SCALING:
            groups = [(f"{s} ×{t}", [nan_if_none(figure(runs[(s, t)].get(scenario), name))]) for s, t in columns]
            if any(v[0] == v[0] for _, v in groups):
                panels.append((f"{scenario}: {label}", label, False, ["threads"], groups, None))
        if panels:
            specs.append(("perf-scaling.png", "Server threads (load generator on its own CPUs)", panels))
    panels = []
    for curve, title, unit, shown in CURVES:
        points = curve_points(results, curve)
        if not points:
            continue
        label, name, better = shown[0]
        groups = [(f"{n:,}", [nan_if_none(figure(results.get((s, f"curve:{curve}:{n}")), name)) for s in servers])
                  for n in points]
        panels.append((f"{title}: {label} (x: {unit})", label + (" (log)" if better == "higher" else ""),
                       better == "higher", servers, groups, None))
    if panels:
        specs.append(("perf-curves.png", "How the cost grows with the work", panels))
    return specs


def nan_if_none(v):
    return float("nan") if v is None else v


def gnuplot_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_gnuplot(specs, outdir):
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    for file, title, panels in specs:
        base = os.path.join(outdir, file[:-4])
        script = [
            f"set terminal pngcairo size {max(960, 460 * len(panels))},500 font ',10'",
            f"set output {gnuplot_quote(base + '.png')}",
            "set style data histograms",
            "set style histogram clustered gap 1",
            "set style fill solid 0.85 border -1",
            "set boxwidth 0.9",
            "set grid ytics",
            # Below the plots: above them, the key of a middle panel met the figure's title.
            "set key outside bottom center horizontal Left reverse samplen 2",
            "set yrange [0:*]",
            "set datafile missing 'nan'",
            "set tmargin 4",
            f"set multiplot layout 1,{len(panels)} title {gnuplot_quote(title)}",
        ]
        for i, (ptitle, ylabel, log_y, series, groups, ref) in enumerate(panels):
            dat = f"{base}.{i}.dat"
            with open(dat, "w") as f:
                f.write("label " + " ".join(gnuplot_quote(s) for s in series) + "\n")
                for label, vals in groups:
                    f.write(gnuplot_quote(label) + " " + " ".join("nan" if v != v else repr(v) for v in vals) + "\n")
            script += [
                f"set title {gnuplot_quote(ptitle)}",
                f"set ylabel {gnuplot_quote(ylabel)}",
                "set logscale y" if log_y else "unset logscale y",
                "set yrange [*:*]" if log_y else "set yrange [0:*]",
                "set offsets 0, 0, 0, 0" if log_y else "set offsets 0, 0, graph 0.08, 0",
                "set xtics rotate by -25 nomirror" if len(groups) > 4 else "set xtics norotate nomirror",
                "unset arrow",
            ]
            if ref is not None:
                script.append(f"set arrow from graph 0, first {ref} to graph 1, first {ref} nohead dt 2 lw 1.5 front")
            plots = [
                f"{gnuplot_quote(dat)} using {j + 2}:xtic(1) title columnheader({j + 2}) lc rgb '{colours[j % 4]}'"
                for j in range(len(series))
            ]
            script.append("plot " + ", ".join(plots))
        script.append("unset multiplot")
        with open(base + ".gp", "w") as f:
            f.write("\n".join(script) + "\n")
        subprocess.run(["gnuplot", base + ".gp"], check=True, stderr=subprocess.PIPE, text=True)


def render(specs, outdir):
    if not specs:
        return "no data to plot"
    if not shutil.which("gnuplot"):
        return "gnuplot is not installed: no plots"
    os.makedirs(outdir, exist_ok=True)
    try:
        render_gnuplot(specs, outdir)
        return None
    except subprocess.CalledProcessError as e:
        return "gnuplot failed: " + (e.stderr or "").strip()[-500:]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    meta = load(os.path.join(outdir, "meta.json")) or {}
    results = {}
    for entry in sorted(os.listdir(outdir)):
        if not entry.endswith(".json") or entry == "meta.json":
            continue
        stem = entry[:-5]
        if stem.startswith("curve-"):
            # curve-corio-fanout-room-100: server, curve, point.
            server, _, rest = stem[len("curve-"):].partition("-")
            curve, _, point = rest.rpartition("-")
            results[(server, f"curve:{curve}:{point}")] = load(os.path.join(outdir, entry))
            continue
        if stem.startswith("scaling-"):
            server, _, scenario = stem[len("scaling-"):].partition("-")  # corio-t1-connect
            tthreads, _, scenario = scenario.partition("-")
            server = f"{server}-{tthreads}"
        else:
            server, _, scenario = stem.partition("-")
        results[(server, scenario)] = load(os.path.join(outdir, entry))
    text, failures = table(results, meta)
    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write(text)
    print(text, end="")
    problem = render(plot_specs(results, meta), os.path.join(outdir, "plots"))
    if problem:
        print(f"\nplots: {problem}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
