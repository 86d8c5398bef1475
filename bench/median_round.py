#!/usr/bin/python3
"""Keeps the median round of each server's scenario in a bench/run results directory.

Usage: bench/median_round.py RESULTS_DIR

Reads RESULTS_DIR/rounds/<server>-<scenario>.<round>.json (one load generator run each, as
bench/run writes them with --rounds N > 1) and writes RESULTS_DIR/<server>-<scenario>.json: the
round whose key figure is the median, whole (so that its figures come from one run, not a mix),
with "rounds": {"figure", "values" (every round's, in order), "kept" (its round)}. A round that
failed is kept instead, so that the table shows the failure. Standard library only.
"""

import json
import os
import re
import sys

# The figure that ranks a scenario's rounds: the first its metrics have.
KEY_FIGURES = ("mb_per_s", "acks_per_s", "deliveries_per_s", "cycles_per_s", "rate_per_s",
               "connections_per_s", "connects_per_s")
# Where the figure a scenario is judged by is another one.
KEY_OF_SCENARIO = {"cluster-fanout": "deliveries_per_server_cpu_s"}


def key_figure(scenario, run):
    metrics = run.get("metrics", {})
    names = (KEY_OF_SCENARIO[scenario],) if scenario in KEY_OF_SCENARIO else KEY_FIGURES
    for name in names:
        value = metrics.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return name, float(value)
    return None, None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    rounds_dir = os.path.join(outdir, "rounds")
    groups = {}
    for entry in os.listdir(rounds_dir):
        m = re.fullmatch(r"(.+)\.(\d+)\.json", entry)
        if m:
            groups.setdefault(m.group(1), []).append((int(m.group(2)), os.path.join(rounds_dir, entry)))
    for stem, files in sorted(groups.items()):
        scenario = stem.partition("-")[2]
        runs = []
        for number, path in sorted(files):
            with open(path) as f:
                runs.append((number, json.load(f)))
        failed = [(n, r) for n, r in runs if "error" in r]
        if failed:
            kept_number, kept = failed[0]
            kept["rounds"] = {"failed": [n for n, _ in failed], "of": len(runs)}
        else:
            ranked = []
            for number, run in runs:
                name, value = key_figure(scenario, run)
                ranked.append((value if value is not None else float("-inf"), number, run, name))
            values = [value for value, *_ in sorted(ranked, key=lambda r: r[1])]
            ranked.sort(key=lambda r: r[0])
            _, kept_number, kept, name = ranked[(len(ranked) - 1) // 2]
            kept["rounds"] = {"figure": name, "values": values, "kept": kept_number}
        with open(os.path.join(outdir, f"{stem}.json"), "w") as f:
            json.dump(kept, f)


if __name__ == "__main__":
    main()
