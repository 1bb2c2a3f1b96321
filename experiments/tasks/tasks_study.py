#!/usr/bin/python3
"""Task-level outcomes of stories260K under accumulator faults (issue 12 item 6, LLMFI's view): last-word accuracy
(lambada built from tinystories_val.txt's paragraphs) at W8A8 on a 32x32 WS array, and under fault campaigns the
outcome of every sample: masked, benign SDC (output changed, answer the same), critical SDC (answer changed),
crash-like (NaN/inf), in all and per component. Campaigns: bit flips of accumulator bit 30 and of a random bit of
0-29 over a BER grid; the timing-error model over a voltage grid; both guarded by classic and statistical ABFT
at one point. Every figure comes from `saffire tasks --json`.

Writes DIR/tasks_study.json (every run's JSON), DIR/tasks_study.md (tables) and DIR/tasks_outcomes.png (outcome
shares vs BER and voltage).

  /usr/bin/python3 experiments/tasks/tasks_study.py [--saffire build/saffire] [--out experiments/tasks/figures]
      [--samples 200]
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

OUTCOMES = ["masked", "benign", "critical", "crash-like"]
BASE = ["--task", "lambada", "--rows", "32", "--cols", "32", "--dataflow", "ws", "--fault-seed", "1"]
BERS = [1e-7, 1e-6, 1e-5, 1e-4]
VOLTAGES = [0.8, 0.7, 0.65, 0.6, 0.55]


def run(saffire, samples, opts, precision="w8a8"):
    cmd = [saffire, "tasks", "--samples", str(samples), "--precision", precision, "--json"] + BASE + opts
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def shares(j):
    o = j["campaign"]["outcomes"]
    return [100.0 * o[k] / o["samples"] for k in OUTCOMES]


def row(label, j):
    c = j["campaign"]
    s = shares(j)
    return (f"| {label} | {c['faults']} | {100 * c['accuracy']:.1f} % | "
            + " | ".join(f"{x:.1f} %" for x in s) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--saffire", default=None)
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "figures"))
    p.add_argument("--samples", type=int, default=200)
    args = p.parse_args()
    saffire = find_saffire(args.saffire, __file__)
    os.makedirs(args.out, exist_ok=True)
    n = args.samples
    results = {"clean_fp32": run(saffire, n, [], precision="fp32"), "clean_w8a8": run(saffire, n, [])}
    for ber in BERS:
        results[f"bit30 ber {ber:g}"] = run(saffire, n, ["--ber", f"{ber:g}", "--bit", "30"])
        results[f"bits0-29 ber {ber:g}"] = run(saffire, n, ["--ber", f"{ber:g}", "--bit-range", "0-29"])
    for v in VOLTAGES:
        results[f"timing {v:g} V"] = run(saffire, n, ["--fault-model", "timing", "--voltage", f"{v:g}"])
    guarded = ["--ber", "1e-5", "--bit", "30"]
    for scheme in ["classic", "statistical"]:
        results[f"bit30 ber 1e-05 abft {scheme}"] = run(saffire, n, guarded + ["--abft", scheme])
    calibrated = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", "abft_stories260k.toml")
    results["bit30 ber 1e-05 abft statistical (stories260K constants)"] = run(
        saffire, n, guarded + ["--abft-config", os.path.normpath(calibrated)])
    with open(os.path.join(args.out, "tasks_study.json"), "w") as f:  # without the per-sample lists
        json.dump({k: {**j, "campaign": {c: v for c, v in j["campaign"].items() if c != "per_sample"}}
                   if "campaign" in j else j for k, j in results.items()}, f, indent=1)

    head = "| campaign | faults | accuracy | masked | benign SDC | critical SDC | crash-like |\n|---|---|---|---|---|---|---|"
    md = [f"# Task-level outcomes of stories260K (lambada, {n} samples of tinystories_val.txt)", "",
          f"Clean last-word accuracy: FP32 {100 * results['clean_fp32']['accuracy']:.1f} %, "
          f"W8A8 {100 * results['clean_w8a8']['accuracy']:.1f} % (32x32 WS array, per-channel weights, per-token "
          "activations). Outcomes are per sample against the clean W8A8 run.", "",
          "## Bit flips in the accumulators (BER per accumulator word)", "", head]
    md += [row(k, results[k]) for k in results if k.startswith("bit") and "abft" not in k]
    md += ["", "## Timing errors under voltage underscaling (nominal 0.9 V)", "", head]
    md += [row(k, results[k]) for k in results if k.startswith("timing")]
    md += ["", "## ABFT on bit-30 flips at BER 1e-5", "", head]
    md += [row(k, results[k]) for k in results if "abft" in k]
    md += ["", "## Per component: bit-30 flips at BER 1e-5 (samples a fault in that component reached)", "",
           "| component | samples | masked | benign SDC | critical SDC | crash-like |", "|---|---|---|---|---|---|"]
    for comp, k in results["bit30 ber 1e-05"]["campaign"]["components"].items():
        md.append(f"| {comp} | {k['samples']} | " + " | ".join(str(k[o]) for o in OUTCOMES) + " |")
    with open(os.path.join(args.out, "tasks_study.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    colours = ["#4c72b0", "#55a868", "#c44e52", "#333333"]
    for ax, (title, keys, xs, xlabel) in zip(axes, [
            ("bit-30 flips", [f"bit30 ber {b:g}" for b in BERS], [f"{b:g}" for b in BERS], "BER"),
            ("timing errors", [f"timing {v:g} V" for v in VOLTAGES], [f"{v:g}" for v in VOLTAGES], "supply (V)")]):
        bottom = [0.0] * len(keys)
        for i, name in enumerate(OUTCOMES):
            vals = [shares(results[k])[i] for k in keys]
            ax.bar(xs, vals, bottom=bottom, color=colours[i], label=name)
            bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_title(f"stories260K lambada, {title}")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("samples (%)")
    axes[0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    png = os.path.join(args.out, "tasks_outcomes.png")
    fig.savefig(png, dpi=110)
    shrink_png(png)
    print("\n".join(md))


if __name__ == "__main__":
    main()
