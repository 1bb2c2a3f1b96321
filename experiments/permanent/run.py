#!/usr/bin/python3
"""Permanent (stuck-at) faults in the PE accumulators, one command:

    experiments/permanent/run.py [--config experiments/permanent/sweep.toml] [--out out/permanent]
                                 [--jobs N] [--saffire PATH] [--no-run] [--write-stuck]

Runs `saffire sweep` on the config (resumable: re-running skips finished points), then writes
OUT/permanent.md (per dataflow and stuck set: PPL degradation, share of decisions recomputed, columns
remapped and extra array cycles, per policy) and OUT/permanent.png. --write-stuck rewrites the stuck-at
CSVs of stuck/ (n PEs with distinct rows and columns: PE i at ((7 i + 3) mod 32, (13 i + 5) mod 32)).
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "traces" / "python"))
import plot  # noqa: E402
import saffire_traces  # noqa: E402
sys.path.insert(0, str(ROOT / "experiments"))
from study_support import find_saffire, shrink_png  # noqa: E402

POLICIES = [("none", 0), ("classic", 0), ("classic", 3), ("statistical", 0), ("statistical", 3)]


def label(abft, remap):
    return abft + (" + remap" if remap else "")


def write_stuck():
    for n in (1, 4, 16):
        for name, bit in (("low", 6), ("high", 22)):
            with open(HERE / "stuck" / f"{n}pe_bit{bit}.csv", "w") as f:
                f.write(f"# {n} PE(s) of a 32x32 array with accumulator bit {bit} stuck at 1 ({name} bit);\n")
                f.write("# PE i at ((7 i + 3) mod 32, (13 i + 5) mod 32), written by experiments/permanent/run.py "
                        "--write-stuck\n")
                f.write("row,col,bit,value\n")
                for i in range(n):
                    f.write(f"{(7 * i + 3) % 32},{(13 * i + 5) % 32},{bit},1\n")


def stuck_set(path):
    """(PEs, bit) from a stuck file name such as .../4pe_bit22.csv."""
    m = re.search(r"(\d+)pe_bit(\d+)\.csv$", path)
    if not m:
        sys.exit(f"run.py: unexpected stuck-file name {path!r} (expected <n>pe_bit<b>.csv)")
    return int(m.group(1)), int(m.group(2))


def rows_of(points):
    """{(dataflow, pes, bit): {policy label: metrics}} of the successful points."""
    out = {}
    for coords, r in points:
        pes, bit = stuck_set(coords["stuck-file"])
        remap = int(coords.get("remap-after", 0))
        abft = coords["abft"]
        if abft == "none" and remap:
            continue  # nothing flags, so nothing is remapped: the same run as without
        a = r.get("abft", {})
        first = a.get("cycles", 0) - a.get("remap_cycles", 0)
        extra = (a.get("recomputed_cycles", 0) + a.get("remap_cycles", 0)) / first if first else 0.0
        out.setdefault((coords["dataflow"], pes, bit), {})[label(abft, remap)] = {
            "dppl": r["ppl"] - r["ppl_clean"], "ppl_clean": r["ppl_clean"], "recompute": a.get("recompute_rate", 0.0),
            "remapped": len(a.get("remapped_columns", [])), "extra_cycles": extra, "faults": r.get("faults", 0)}
    return out


def markdown(rows, config, n_points):
    labels = [label(a, m) for a, m in POLICIES]
    lines = ["# Permanent faults: stories260K, W8A8, stuck-at-1 accumulator bits on a 32x32 array", "",
             f"Sweep `{os.path.relpath(config, ROOT)}`, {n_points} points. Each cell: PPL degradation / decisions "
             "recomputed / PE columns remapped / extra array cycles (recomputations and remapping, over the checked "
             "run's own cycles).", "",
             "| dataflow | stuck PEs | bit | " + " | ".join(labels) + " |", "|---|---|---|" + "---|" * len(labels)]
    for (df, pes, bit) in sorted(rows, key=lambda k: (k[0], k[2], k[1])):
        cells = []
        for lab in labels:
            m = rows[(df, pes, bit)].get(lab)
            cells.append("" if m is None else f"{m['dppl']:.3g} / {100 * m['recompute']:.1f} % / {m['remapped']} / "
                                              f"{100 * m['extra_cycles']:.1f} %")
        lines.append(f"| {df} | {pes} | {bit} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def figure(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    styles = {22: "-", 6: "--"}
    for col, df in enumerate(("ws", "os")):
        for a, remap in POLICIES[1:]:
            lab = label(a, remap)
            for bit, ls in styles.items():
                keys = sorted(k for k in rows if k[0] == df and k[2] == bit and lab in rows[k])
                xs = [k[1] for k in keys]
                axes[0][col].plot(xs, [100 * rows[k][lab]["recompute"] for k in keys], ls, marker="o",
                                  label=f"{lab}, bit {bit}")
                axes[1][col].plot(xs, [100 * rows[k][lab]["extra_cycles"] for k in keys], ls, marker="o",
                                  label=f"{lab}, bit {bit}")
        axes[0][col].set_title(f"{df.upper()} 32x32")
        axes[0][col].set_ylabel("decisions recomputed (%)")
        axes[1][col].set_ylabel("extra array cycles (%)")
        axes[1][col].set_xlabel("stuck PEs")
        axes[1][col].set_xscale("log", base=2)
        for ax in (axes[0][col], axes[1][col]):
            ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    shrink_png(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=str(HERE / "sweep.toml"))
    ap.add_argument("--out", default=str(ROOT / "out" / "permanent"))
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--saffire", default=None)
    ap.add_argument("--no-run", action="store_true", help="only tabulate and plot an existing sweep file")
    ap.add_argument("--write-stuck", action="store_true", help="rewrite the stuck-at CSVs of stuck/ first")
    a = ap.parse_args()
    if a.write_stuck:
        write_stuck()
    os.makedirs(a.out, exist_ok=True)
    sweep_file = os.path.join(a.out, "permanent.h5")
    t0 = time.time()
    if not a.no_run:  # from the repository root: the stuck-file paths are relative to it
        cmd = [find_saffire(a.saffire, "run.py"), "sweep", a.config, "--out", sweep_file]
        if a.jobs:
            cmd += ["--jobs", str(a.jobs)]
        rc = subprocess.call(cmd, cwd=ROOT)
        if rc != 0:
            sys.exit(f"run.py: {' '.join(cmd)} exited with {rc}")
    points = plot.ok_points(saffire_traces.load(sweep_file))
    rows = rows_of(points)
    if not rows:
        sys.exit(f"run.py: {sweep_file} has no stuck-at points")
    md = os.path.join(a.out, "permanent.md")
    with open(md, "w") as f:
        f.write(markdown(rows, a.config, len(points)))
    png = os.path.join(a.out, "permanent.png")
    figure(rows, png)
    print(md)
    print(png)
    print(f"run.py: {time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
