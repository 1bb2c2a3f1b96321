#!/usr/bin/python3
"""WS vs OS with the memory system (issue 11, item 8): LLaMA-2-7B and OPT-1.3B, prefill and decode, array
size x scratchpad size x DRAM preset, every run through `saffire topology --memory dram`.

Answers three questions from the runs' own figures:
  1. Does the WS/OS ranking flip once DRAM stalls count (SCALE-Sim v3 reports OS 30 % fewer cycles with
     DRAM stalls while compute-only cycles favour WS by 21 %)? Compute-only cycles are total - stall of the
     same run (the dram model's compute cycles are the array's own).
  2. With the array underscaled (--voltage, default 0.72 V against the 0.9 V nominal), how much of the
     array's energy saving remains for the whole chip (array + SRAM + DRAM, separate supplies)?
  3. Decode tokens/s and energy per token per DRAM preset.

Writes DIR/memory_study.h5 (one row per run; schema below), DIR/memory_study.md (the tables) and PNGs.
The default grid runs in minutes on two cores; --full runs the whole grid (hours). Each run's row is kept in
DIR/runs/, so an interrupted study resumes where it stopped.

  /usr/bin/python3 experiments/memory/memory_study.py [--saffire build/saffire] [--out out/memory_study]
      [--full] [--jobs 2] [--voltage 0.72]
"""
import argparse
import concurrent.futures
import datetime
import itertools
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from study_support import find_saffire, shrink_png  # noqa: E402

SCHEMA = "saffire-memory-study"
SCHEMA_VERSION = 1

DEFAULT_GRID = {
    "model": ["llama-2-7b", "opt-1.3b"],
    "stage": ["prefill", "decode"],
    "size": [32, 128],
    "sram_kb": [64],
    "dram": ["DDR4-3200", "HBM2E"],
    "dataflow": ["ws", "os"],
}
FULL_GRID = {
    "model": ["llama-2-7b", "opt-1.3b"],
    "stage": ["prefill", "decode"],
    "size": [32, 64, 128, 256],
    "sram_kb": [64, 256, 1024],
    "dram": ["DDR4-3200", "LPDDR5-6400", "HBM2E", "HBM3"],
    "dataflow": ["ws", "os"],
}
# Prefill tokens (default grid: 256 to stay within minutes; --full: 2048) and decode context.
DEFAULT_SEQ = {"prefill": 256, "decode": 2048}
FULL_SEQ = {"prefill": 2048, "decode": 2048}

# Columns of the HDF5 table: name -> (dtype, how it is read from a run's --json).
NUMERIC = [
    "size", "sram_kb", "seq", "total_cycles", "stall_cycles", "compute_cycles", "tokens", "seconds_per_token",
    "energy_per_token_pj", "total_pj", "compute_pj", "sram_pj", "dram_pj", "nominal_total_pj", "energy_saving",
    "compute_saving", "row_hit_rate", "achieved_gbps", "dram_bytes_read", "dram_bytes_written", "utilization",
]
TEXT = ["model", "stage", "dram", "dataflow"]


def point_name(point, voltage):
    return (f"{point['model']}_{point['stage']}{point['seq']}_{point['size']}_{point['sram_kb']}kB_{point['dram']}_"
            f"{point['dataflow']}_{voltage}V")


def run_one(saffire, point, voltage, cache_dir):
    """One `saffire topology` run (or its cached row from an earlier run); returns the point with its figures."""
    cached = os.path.join(cache_dir, point_name(point, voltage) + ".json")
    if os.path.exists(cached):
        with open(cached) as f:
            return json.load(f)
    row = measure(saffire, point, voltage)
    with open(cached + ".tmp", "w") as f:
        json.dump(row, f)
    os.replace(cached + ".tmp", cached)  # whole rows only: an interrupted study resumes where it stopped
    return row


def measure(saffire, point, voltage):
    with tempfile.TemporaryDirectory(prefix="saffire_memstudy_") as out:
        cmd = [saffire, "topology", "--model", point["model"], "--seq", str(point["seq"]), "--stage",
               point["stage"], "--size", str(point["size"]), "--dataflow", point["dataflow"], "--memory", "dram",
               "--dram-preset", point["dram"], "--sram-kb", ",".join([str(point["sram_kb"])] * 3), "--voltage",
               str(voltage), "--threads", "1", "--json", "--out", out]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
        d = json.loads(r.stdout)
    e = d["energy"]
    row = dict(point)
    row.update(total_cycles=d["total_cycles"], stall_cycles=d["stall_cycles"],
               compute_cycles=d["total_cycles"] - d["stall_cycles"], tokens=d["tokens"],
               seconds_per_token=d["seconds_per_token"], energy_per_token_pj=d["energy_per_token_pj"],
               total_pj=e["total_pj"], compute_pj=e["compute_pj"], sram_pj=e["sram_pj"], dram_pj=e["dram_pj"],
               nominal_total_pj=e["nominal_total_pj"], energy_saving=e["energy_saving"],
               compute_saving=e["compute_saving"], row_hit_rate=d["dram"]["row_hit_rate"],
               achieved_gbps=d["dram"]["achieved_gbps"], dram_bytes_read=d["dram"]["bytes_read"],
               dram_bytes_written=d["dram"]["bytes_written"], utilization=d["utilization"])
    return row


def write_h5(path, rows, meta):
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = SCHEMA
        f.attrs["schema_version"] = SCHEMA_VERSION
        for k, v in meta.items():
            f.attrs[k] = v
        g = f.create_group("runs")
        for c in NUMERIC:
            g.create_dataset(c, data=np.array([r[c] for r in rows], dtype=np.float64))
        for c in TEXT:
            g.create_dataset(c, data=np.array([r[c] for r in rows], dtype=h5py.string_dtype()))


def pairs(rows):
    """WS and OS runs of the same point: {(model, stage, size, sram_kb, dram): {"ws": row, "os": row}}."""
    out = {}
    for r in rows:
        out.setdefault((r["model"], r["stage"], r["size"], r["sram_kb"], r["dram"]), {})[r["dataflow"]] = r
    return {k: v for k, v in out.items() if "ws" in v and "os" in v}


def ranking_table(rows):
    lines = ["| model | stage | array | SRAM kB | DRAM | WS compute | OS compute | OS/WS compute | WS total | "
             "OS total | OS/WS total | stall share WS / OS | faster, compute-only -> with DRAM |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    flips = 0
    for (model, stage, size, sram, dram), p in sorted(pairs(rows).items()):
        ws, os_ = p["ws"], p["os"]
        rc = os_["compute_cycles"] / ws["compute_cycles"]
        rt = os_["total_cycles"] / ws["total_cycles"]
        before = "OS" if rc < 1 else "WS" if rc > 1 else "tie"
        after = "OS" if rt < 1 else "WS" if rt > 1 else "tie"
        flip = before != after and "tie" not in (before, after)
        flips += flip
        lines.append(f"| {model} | {stage} | {size} | {sram} | {dram} | {ws['compute_cycles']:.3g} | "
                     f"{os_['compute_cycles']:.3g} | {rc:.3f} | {ws['total_cycles']:.3g} | {os_['total_cycles']:.3g} | "
                     f"{rt:.3f} | {ws['stall_cycles'] / ws['total_cycles']:.0%} / "
                     f"{os_['stall_cycles'] / os_['total_cycles']:.0%} | {before} -> {after}{' **flip**' if flip else ''} |")
    return lines, flips


def energy_table(rows, voltage):
    lines = [f"| model | stage | array | DRAM | dataflow | array saving at {voltage} V | whole-chip saving | "
             "share of the array saving kept | array / SRAM / DRAM share of nominal energy |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["model"], r["stage"], r["size"], r["sram_kb"], r["dram"], r["dataflow"])):
        if r["sram_kb"] != min(x["sram_kb"] for x in rows):
            continue
        kept = r["energy_saving"] / r["compute_saving"] if r["compute_saving"] > 0 else float("nan")
        # Nominal shares: the array's nominal energy is compute_pj / (1 - compute_saving).
        nominal_array = r["compute_pj"] / (1 - r["compute_saving"])
        n = r["nominal_total_pj"]
        lines.append(f"| {r['model']} | {r['stage']} | {r['size']} | {r['dram']} | {r['dataflow']} | "
                     f"{r['compute_saving']:.1%} | {r['energy_saving']:.2%} | {kept:.1%} | "
                     f"{nominal_array / n:.1%} / {r['sram_pj'] / n:.1%} / {r['dram_pj'] / n:.1%} |")
    return lines


def decode_table(rows):
    lines = ["| model | array | SRAM kB | DRAM | dataflow | tokens/s | energy per token (mJ) | DRAM share of energy | "
             "achieved GB/s | row hits |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted((r for r in rows if r["stage"] == "decode"),
                    key=lambda r: (r["model"], r["size"], r["sram_kb"], r["dram"], r["dataflow"])):
        lines.append(f"| {r['model']} | {r['size']} | {r['sram_kb']} | {r['dram']} | {r['dataflow']} | "
                     f"{1 / r['seconds_per_token']:.1f} | {r['energy_per_token_pj'] * 1e-9:.2f} | "
                     f"{r['dram_pj'] / r['total_pj']:.0%} | {r['achieved_gbps']:.1f} | {r['row_hit_rate']:.0%} |")
    return lines


def plots(rows, out, voltage):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # 1. OS/WS cycle ratio, compute-only against with DRAM stalls.
    keys = sorted(pairs(rows))
    p = pairs(rows)
    labels = [f"{m.split('-')[0]} {s[:3]} {a} {d.split('-')[0]}" for (m, s, a, _, d) in keys]
    rc = [p[k]["os"]["compute_cycles"] / p[k]["ws"]["compute_cycles"] for k in keys]
    rt = [p[k]["os"]["total_cycles"] / p[k]["ws"]["total_cycles"] for k in keys]
    x = np.arange(len(keys))
    fig, ax = plt.subplots(figsize=(max(8, 0.45 * len(keys)), 4.5))
    ax.bar(x - 0.2, rc, 0.4, label="compute only")
    ax.bar(x + 0.2, rt, 0.4, label="with DRAM stalls")
    ax.axhline(1, color="k", lw=0.8)
    ax.set_xticks(x, labels, rotation=70, ha="right", fontsize=7)
    ax.set_ylabel("OS cycles / WS cycles (< 1: OS faster)")
    ax.set_title("WS vs OS with the memory system (saffire dram model)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "ws_vs_os_cycles.png"), dpi=120)
    shrink_png(os.path.join(out, "ws_vs_os_cycles.png"))
    plt.close(fig)

    # 2. Array saving against whole-chip saving under underscaling.
    sel = sorted(rows, key=lambda r: (r["model"], r["stage"], r["size"], r["dram"], r["dataflow"]))
    sel = [r for r in sel if r["sram_kb"] == min(x["sram_kb"] for x in rows)]
    x = np.arange(len(sel))
    fig, ax = plt.subplots(figsize=(max(8, 0.3 * len(sel)), 4.5))
    ax.bar(x - 0.2, [100 * r["compute_saving"] for r in sel], 0.4, label="array (PE) energy saving")
    ax.bar(x + 0.2, [100 * r["energy_saving"] for r in sel], 0.4, label="whole chip (array + SRAM + DRAM)")
    ax.set_xticks(x, [f"{r['model'].split('-')[0]} {r['stage'][:3]} {r['size']} {r['dram'].split('-')[0]} "
                      f"{r['dataflow']}" for r in sel], rotation=70, ha="right", fontsize=6)
    ax.set_ylabel(f"saving at {voltage} V (%)")
    ax.set_title("How much of the array's underscaling saving remains with memory energy")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "voltage_saving.png"), dpi=120)
    shrink_png(os.path.join(out, "voltage_saving.png"))
    plt.close(fig)

    # 3. Decode tokens/s and energy per token per DRAM preset.
    dec = [r for r in rows if r["stage"] == "decode"]
    if dec:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        groups = sorted({(r["model"], r["size"], r["sram_kb"], r["dataflow"]) for r in dec})
        drams = sorted({r["dram"] for r in dec})
        width = 0.8 / len(drams)
        for j, dram in enumerate(drams):
            tps, ept = [], []
            for g in groups:
                hit = [r for r in dec if (r["model"], r["size"], r["sram_kb"], r["dataflow"]) == g and r["dram"] == dram]
                tps.append(1 / hit[0]["seconds_per_token"] if hit else 0)
                ept.append(hit[0]["energy_per_token_pj"] * 1e-9 if hit else 0)
            xs = np.arange(len(groups)) + (j - (len(drams) - 1) / 2) * width
            axes[0].bar(xs, tps, width, label=dram)
            axes[1].bar(xs, ept, width, label=dram)
        names = [f"{m.split('-')[0]} {a} {s}kB {d}" for (m, a, s, d) in groups]
        for a, t in zip(axes, ["tokens/s", "energy per token (mJ)"]):
            a.set_xticks(np.arange(len(groups)), names, rotation=60, ha="right", fontsize=7)
            a.set_ylabel(t)
            a.set_yscale("log")
        axes[0].legend(fontsize=7)
        fig.suptitle("Decode (M = 1 per token) per DRAM preset")
        fig.tight_layout()
        fig.savefig(os.path.join(out, "decode_per_dram.png"), dpi=120)
        shrink_png(os.path.join(out, "decode_per_dram.png"))
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--saffire", help="the saffire binary (else $SAFFIRE, else build/saffire)")
    ap.add_argument("--out", default="out/memory_study")
    ap.add_argument("--full", action="store_true", help="the whole grid (prefill at 2048 tokens; hours)")
    ap.add_argument("--jobs", type=int, default=2, help="parallel saffire runs (each one host thread)")
    ap.add_argument("--voltage", type=float, default=0.72, help="the array's supply for the energy study (V)")
    ap.add_argument("--prefill-seq", type=int, help="prefill tokens instead of the grid's (256, --full 2048)")
    for axis in ("model", "stage", "size", "sram_kb", "dram", "dataflow"):
        ap.add_argument("--" + axis.replace("_", "-"), help=f"comma-separated {axis} values instead of the grid's")
    args = ap.parse_args()
    if args.jobs < 1:
        sys.exit("--jobs: expected at least 1")
    args.saffire = find_saffire(args.saffire, "memory_study.py")
    grid, seq = (FULL_GRID, FULL_SEQ) if args.full else (DEFAULT_GRID, DEFAULT_SEQ)
    grid, seq = dict(grid), dict(seq)
    for axis in grid:
        given = getattr(args, axis)
        if given:
            grid[axis] = [int(v) if axis in ("size", "sram_kb") else v for v in given.split(",")]
    if args.prefill_seq:
        seq["prefill"] = args.prefill_seq
    os.makedirs(args.out, exist_ok=True)
    names = list(grid)
    points = [dict(zip(names, v)) for v in itertools.product(*grid.values())]
    for p in points:
        p["seq"] = seq[p["stage"]]
    # Slowest first (small arrays, prefill), so the parallel runs end together.
    points.sort(key=lambda p: (p["stage"] != "prefill", p["size"], p["model"] != "llama-2-7b"))
    rows = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        cache_dir = os.path.join(args.out, "runs")
        os.makedirs(cache_dir, exist_ok=True)
        futures = [pool.submit(run_one, args.saffire, p, args.voltage, cache_dir) for p in points]
        for i, f in enumerate(concurrent.futures.as_completed(futures)):
            rows.append(f.result())
            print(f"\r{i + 1}/{len(points)} runs", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    meta = {"grid": "full" if args.full else "default", "axes": json.dumps(grid), "voltage": args.voltage,
            "prefill_seq": seq["prefill"], "decode_seq": seq["decode"],
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv)}
    write_h5(os.path.join(args.out, "memory_study.h5"), rows, meta)
    ranking, flips = ranking_table(rows)
    md = [f"Grid: {meta['grid']} ({meta['axes']}); prefill {seq['prefill']} tokens, decode context {seq['decode']}; the array at "
          f"{args.voltage} V; SRAM at its nominal supply; `--memory dram` on every run.", "",
          "### WS vs OS (cycles; compute-only = total - stall of the same run)", ""] + ranking + [
          "", f"Ranking flips: {flips} of {len(pairs(rows))} points.", "",
          "### Underscaling the array: how much of its saving remains", ""] + energy_table(rows, args.voltage) + [
          "", "### Decode per DRAM preset", ""] + decode_table(rows)
    with open(os.path.join(args.out, "memory_study.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    plots(rows, args.out, args.voltage)
    print("\n".join(md))


if __name__ == "__main__":
    main()
