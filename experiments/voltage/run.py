#!/usr/bin/python3
"""The voltage-underscaling study, one command:

    experiments/voltage/run.py [--config experiments/voltage/sweep.toml] [--out out/voltage] [--tolerance 0.3]
                               [--jobs N] [--saffire PATH] [--no-run]

Runs `saffire sweep` on the config (resumable: re-running skips finished points), then writes
OUT/voltage.md (the headline table: per policy, the lowest voltage whose PPL degradation stays within the
tolerance, and the energy saving there; then every point) and the figures of traces/python/plot.py.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "traces", "python"))
import plot  # noqa: E402
import saffire_traces  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # experiments/: study_support
from study_support import find_saffire  # noqa: E402



def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", action="append", default=None,
                    help="sweep config(s), all into one results file (default: sweep.toml and sweep_calibrated.toml)")
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "voltage"))
    ap.add_argument("--tolerance", type=float, default=0.3, help="allowed PPL degradation (absolute)")
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--saffire", default=None)
    ap.add_argument("--no-run", action="store_true", help="only tabulate and plot an existing sweep file")
    a = ap.parse_args()
    a.config = a.config or [os.path.join(ROOT, "experiments", "voltage", n) for n in ("sweep.toml", "sweep_calibrated.toml")]
    os.makedirs(a.out, exist_ok=True)
    sweep_file = os.path.join(a.out, "voltage.h5")
    t0 = time.time()
    if not a.no_run:
        for config in a.config:  # from the repository root: option values that are paths are relative to it
            cmd = [find_saffire(a.saffire, "run.py"), "sweep", config, "--out", sweep_file]
            if a.jobs:
                cmd += ["--jobs", str(a.jobs)]
            rc = subprocess.call(cmd, cwd=ROOT)
            if rc != 0:
                sys.exit(f"run.py: {' '.join(cmd)} exited with {rc}")
    trace = saffire_traces.load(sweep_file)
    points = plot.ok_points(trace)
    by = plot.voltage_rows(points)
    if not by:
        sys.exit(f"run.py: {sweep_file} has no voltage x abft points")
    lines = ["# Voltage underscaling: stories260K, W8A8, timing errors in the PE accumulators", "",
             "Sweeps " + ", ".join(f"`{os.path.relpath(c, ROOT)}`" for c in a.config) + f"; {len(points)} points; "
             f"tolerance: PPL degradation <= {a.tolerance} (every voltage from nominal down to the one listed). Energy "
             "saving: against the same run at nominal voltage without detection hardware.", "",
             "| policy | lowest voltage within tolerance | PPL degradation / GEMMs recomputed / energy saving there | "
             "best energy saving within tolerance (at) |", "|---|---|---|---|"]
    for pol, low, best in plot.headline(points, a.tolerance):
        if low is None:
            lines.append(f"| {pol} | (none) | | |")
        else:
            lines.append(f"| {pol} | {low[0]:.2f} V | {low[1]:.3f} / {100 * low[4]:.2f} % / {100 * low[5]:.2f} % | "
                         f"{100 * best[5]:.2f} % ({best[0]:.2f} V) |")
    lines += ["", "Every point (PPL degradation / top-1 agreement with the clean run / GEMMs recomputed / energy saving):", ""]
    pols = plot._order(by.keys())
    volts = sorted({t[0] for rows in by.values() for t in rows}, reverse=True)
    lines.append("| V | " + " | ".join(pols) + " |")
    lines.append("|---|" + "---|" * len(pols))
    for v in volts:
        cells = []
        for pol in pols:
            t = next((t for t in by[pol] if t[0] == v), None)
            cells.append("" if t is None else f"{t[1]:.3g} / {100 * t[3]:.1f} % / {100 * t[4]:.1f} % / {100 * t[5]:.1f} %")
        lines.append(f"| {v:.2f} | " + " | ".join(cells) + " |")
    md = os.path.join(a.out, "voltage.md")
    with open(md, "w") as f:
        f.write("\n".join(lines) + "\n")
    figs = plot.plot_voltage(points, a.out, a.tolerance)
    print(md)
    for p in figs:
        print(p)
    print(f"run.py: {time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
