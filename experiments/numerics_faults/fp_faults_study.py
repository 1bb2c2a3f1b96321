#!/usr/bin/python3
"""Faults and ABFT on floating-point PEs (issue 13, item 6): which accumulator bits matter, and the
false-alarm and miss rates of checksums with a rounding tolerance, per tolerance c, for the classic and
statistical decisions. Every figure comes from `saffire fp-abft --json` (abft/trials/fp_abft_trials.hpp):
random GEMMs (|x|, |w| in [1/16, 4)) on each design and array, one flip of every accumulator bit at random
sites per GEMM.

Writes DIR/fp_faults_study.json (every run's JSON), DIR/fp_faults_study.md (tables) and two PNGs:
fp_bits.png (median deviation and classic detection at c = 1 by bit) and fp_tolerance.png (false alarms
and harmful misses vs c).

  /usr/bin/python3 experiments/numerics_faults/fp_faults_study.py [--saffire build/saffire]
      [--out experiments/numerics_faults/figures] [--gemms 8] [--flips 3]
"""
import argparse
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from study_support import find_saffire, shrink_png  # noqa: E402

TOLERANCES = "1,0.3,0.1,0.03,0.01,0.003,0.001,0.0003"
# (label, saffire options): the designs and arrays of the study.
RUNS = [
    ("bf16->fp32 WS 32x32", ["--operand-type", "bf16", "--accumulator-type", "fp32", "--dataflow", "ws", "--rows", "32", "--cols", "32"]),
    ("bf16->fp32 OS 32x32", ["--operand-type", "bf16", "--accumulator-type", "fp32", "--dataflow", "os", "--rows", "32", "--cols", "32"]),
    ("fp16->fp32 WS 128x128", ["--operand-type", "fp16", "--accumulator-type", "fp32", "--dataflow", "ws", "--rows", "128", "--cols", "128"]),
    ("fp8-e4m3->fp32 WS 32x32", ["--operand-type", "fp8-e4m3", "--accumulator-type", "fp32", "--dataflow", "ws", "--rows", "32", "--cols", "32"]),
    ("fp16->fp16 WS 32x32", ["--operand-type", "fp16", "--accumulator-type", "fp16", "--dataflow", "ws", "--rows", "32", "--cols", "32"]),
    ("bf16->bf16 OS 32x32", ["--operand-type", "bf16", "--accumulator-type", "bf16", "--dataflow", "os", "--rows", "32", "--cols", "32"]),
]


def run(saffire, opts, gemms, flips, component):
    cmd = [saffire, "fp-abft", "--m", "64", "--n", "128", "--k", "512", "--gemms", str(gemms), "--flips-per-bit",
           str(flips), "--tolerances", TOLERANCES, "--component", component, "--json"] + opts
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def pct(a, b):
    return 100.0 * a / b if b else 0.0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--saffire", default=None)
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures"))
    p.add_argument("--gemms", type=int, default=8)
    p.add_argument("--flips", type=int, default=3)
    args = p.parse_args()
    saffire = find_saffire(args.saffire, __file__)
    os.makedirs(args.out, exist_ok=True)
    results = []
    for label, opts in RUNS:
        # O is a line-only (sensitive) component of ReaLM's statistical rule; Q needs 2^theta_freq deviations.
        for component in ("q", "o"):
            r = run(saffire, opts, args.gemms, args.flips, component)
            r["label"] = label
            results.append(r)
            print(f"{label} ({component}): worst fault-free |d|/tau {r['worst_fault_free_ratio']:.3g}", file=sys.stderr)
    with open(os.path.join(args.out, "fp_faults_study.json"), "w") as f:
        json.dump(results, f, indent=1)

    md = ["# Floating-point faults and ABFT: generated tables", "",
          f"`saffire fp-abft --m 64 --n 128 --k 512 --gemms {args.gemms} --flips-per-bit {args.flips}`; check tiles = the array's columns.", ""]
    md += ["## Which bits matter (classic detection at c = 1 and c = 0.01)", ""]
    for r in results:
        if r["component"] != "q":
            continue
        tol = [t["tolerance"] for t in r["by_tolerance"]]
        i001 = tol.index(0.01)
        md += [f"### {r['label']} ({r['pe']})", "",
               "| bit | field | median dev | max dev | harmful % | detected c=1 % | detected c=0.01 % |", "|---|---|---|---|---|---|---|"]
        for b in r["by_bit"]:
            md.append(f"| {b['bit']} | {b['field']} | {b['median_relative']:.2g} | {b['max_relative']:.2g} | "
                      f"{pct(b['harmful'], b['flips']):.0f} | {pct(b['detected_classic'][0], b['flips']):.0f} | "
                      f"{pct(b['detected_classic'][i001], b['flips']):.0f} |")
        md.append("")
    md += ["## False alarms and misses vs tolerance", "",
           "False alarms: fault-free checks that fire (per check) and GEMMs a decision would recompute. Misses: single "
           "flips accepted; harmful: flips that move their output beyond its own worst-case rounding bound.", ""]
    for r in results:
        md += [f"### {r['label']}, statistical constants of {r['component']}", "",
               "| c | false alarm / check | false alarm GEMMs classic % | statistical % | missed classic % | missed statistical % | harmful missed classic % | statistical % |",
               "|---|---|---|---|---|---|---|---|"]
        for t in r["by_tolerance"]:
            md.append(f"| {t['tolerance']:g} | {t['false_alarm_checks'] / t['checks']:.3g} | "
                      f"{pct(t['false_alarm_gemms_classic'], t['gemms']):.0f} | {pct(t['false_alarm_gemms_statistical'], t['gemms']):.0f} | "
                      f"{pct(t['missed_classic'], t['flips']):.1f} | {pct(t['missed_statistical'], t['flips']):.1f} | "
                      f"{pct(t['harmful_missed_classic'], t['harmful']):.1f} | {pct(t['harmful_missed_statistical'], t['harmful']):.1f} |")
        md.append("")
    with open(os.path.join(args.out, "fp_faults_study.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for r in results:
        if r["component"] != "q":
            continue
        bits = [b["bit"] for b in r["by_bit"]]
        axes[0].semilogy(bits, [max(b["median_relative"], 1e-12) for b in r["by_bit"]], marker=".", label=r["label"])
        axes[1].plot(bits, [pct(b["detected_classic"][0], b["flips"]) for b in r["by_bit"]], marker=".", label=r["label"])
    axes[0].set_xlabel("flipped accumulator bit")
    axes[0].set_ylabel("median |y' - y| / sum |x w|")
    axes[0].set_title("deviation by bit")
    axes[1].set_xlabel("flipped accumulator bit")
    axes[1].set_ylabel("detected by classic at c = 1 (%)")
    axes[1].set_title("detection by bit")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(args.out, "fp_bits.png")
    fig.savefig(path, dpi=110)
    shrink_png(path)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for r in results:
        if r["component"] != "q":
            continue
        c = [t["tolerance"] for t in r["by_tolerance"]]
        axes[0].loglog(c, [max(t["false_alarm_checks"] / t["checks"], 1e-6) for t in r["by_tolerance"]], marker=".", label=r["label"])
        axes[1].semilogx(c, [pct(t["harmful_missed_classic"], t["harmful"]) for t in r["by_tolerance"]], marker=".", label=r["label"])
    axes[0].set_xlabel("tolerance c (multiple of gamma_n sum|x||w|)")
    axes[0].set_ylabel("false alarms per fault-free check (floor 1e-6)")
    axes[1].set_xlabel("tolerance c")
    axes[1].set_ylabel("harmful flips missed by classic (%)")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    path = os.path.join(args.out, "fp_tolerance.png")
    fig.savefig(path, dpi=110)
    shrink_png(path)


if __name__ == "__main__":
    main()
