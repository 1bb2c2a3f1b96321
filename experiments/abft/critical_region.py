#!/usr/bin/python3
"""The critical region of stories260K's components (issue 5's calibration study), plotted.

One command:

    experiments/abft/critical_region.py [--components k,o] [--msd-step 0.5] [--out out/abft/critical]

For each component (default: k, resilient, and o, sensitive, per background.md) it runs

    saffire calibrate --component C --paragraphs 20 --ctx 128 --msd-from 10 --msd-to 34 --msd-step 0.5
                      --freq-from 0 --freq-to 14 --freq-step 1 --tolerance 0.3 --seed 1
                      --points critical_C.csv --out abft_C.toml --json

(every targeted GEMM of every layer gets freq errors of magnitude MSD/freq at distinct seeded words; a
grid point is critical when the W8A8 PPL rises by more than the tolerance) and collects the grid and
the fitted ReaLM constants (a, b, theta_freq) of the critical-region line log2 freq = a log2 MSD - b.

Writes to --out:
  critical.h5               group per component: dataset `points` (one row per grid point), dataset
                            `boundary` (per-column boundary estimates), the fit as attributes; file
                            attributes: ReaLM's constants, the commands, the git commit
  critical.md               the fitted a, b, theta_freq per component next to ReaLM's
  critical_region.png       one panel per component: critical points red, tolerated blue, the fitted line,
                            ReaLM's line dashed, the frequency floors dotted
  abft_stories260k.toml     the fitted [abft.component.<name>] tables in one file that
                            `saffire eval --abft-config` reads (checked by running it)
  critical_<c>.csv, abft_<c>.toml  saffire calibrate's own outputs
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # experiments/: study_support
from study_support import find_saffire  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
REALM = {"a": 1.273, "b": 20.076, "theta_freq": 5.951}
SENSITIVE = {"o", "down"}  # background.md: ReaLM uses the line only for these

POINT_DTYPE = np.dtype([
    ("log2_msd", "f8"), ("log2_freq", "f8"), ("freq", "i8"), ("magnitude", "i8"), ("status", "S10"),
    ("used", "?"), ("ppl", "f8"), ("degradation", "f8"), ("critical", "?"), ("predicted_critical", "?"),
    ("errors", "i8"), ("gemms", "i8"), ("capped_gemms", "i8"), ("clamped", "i8"),
])



def run(cmd: list[str]) -> str:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(f"critical_region.py: failed ({r.returncode}): {shlex.join(cmd)}\n{r.stderr}")
        sys.exit(1)
    return r.stdout


def predicted(fit: dict, x: float, y: float) -> bool:
    if not fit["ok"] or not (y < fit["a"] * x - fit["b"]):
        return False
    return fit["line_only"] or y > fit["theta_freq"]


def git_commit() -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def points_array(d: dict) -> np.ndarray:
    rows = []
    for p in d["points"]:
        ppl = p.get("ppl")
        deg = p.get("degradation")
        rows.append((p["log2_msd"], p["log2_freq"], p["freq"], p["magnitude"], p["status"].encode(), p["used"],
                     np.nan if ppl is None else ppl, np.nan if deg is None else deg, p["critical"],
                     predicted(d["fit"], p["log2_msd"], p["log2_freq"]), p["errors"], p["gemms"],
                     p["capped_gemms"], p["clamped"]))
    return np.array(rows, dtype=POINT_DTYPE)


def write_h5(path: Path, results: dict, commands: dict, saffire: str, argv: list[str]) -> None:
    with h5py.File(path, "w") as f:
        f.attrs["script"] = shlex.join(argv)
        f.attrs["saffire"] = saffire
        f.attrs["git_commit"] = git_commit()
        f.attrs["created"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        for k, v in REALM.items():
            f.attrs[f"realm_{k}"] = v
        for c, d in results.items():
            g = f.create_group(c)
            g.create_dataset("points", data=points_array(d))
            g.create_dataset("boundary", data=np.array(d["fit"]["boundary"], dtype="f8").reshape(-1, 2))
            for k in ["a", "b", "theta_freq", "line_only", "ok", "accuracy", "misclassified", "slope_unbounded"]:
                g.attrs[k] = d["fit"][k]
            g.attrs["note"] = d["fit"]["note"]
            for k in ["ppl_clean", "tolerance", "paragraphs", "ctx", "tokens_per_point", "seed", "sign", "layers",
                      "seconds", "jobs", "model", "text"]:
                g.attrs[k] = d[k]
            g.attrs["command"] = commands[c]
            g.attrs["unit_log2_msd"] = "log2 of INT32 accumulator units"
            g.attrs["unit_ppl"] = "perplexity"


def theta_mag(a: float, b: float, log2_msd: float) -> float:
    return b - (a - 1) * log2_msd


def write_md(path: Path, results: dict, commands: dict, wall: float) -> None:
    lines = ["# Critical region of stories260K's components (saffire calibrate)", ""]
    first = next(iter(results.values()))
    lines.append(f"Model {Path(first['model']).name}, {first['paragraphs']} paragraphs of {Path(first['text']).name} "
                 f"(ctx {first['ctx']}, {first['tokens_per_point']} tokens per point), W8A8 on cpu, layers "
                 f"{first['layers']}, errors sign {first['sign']}, seed {first['seed']}, ReaLM clamp on; critical: "
                 f"PPL > clean + {first['tolerance']}. Wall time {wall:.0f} s.")
    lines += ["", "| component | a | b | theta_freq | line only | log2 theta_mag at MSD 2^20 | fit accuracy | "
              "points fitted / critical (all) | clean PPL |", "|---|---|---|---|---|---|---|---|---|"]
    for c, d in results.items():
        f = d["fit"]
        cnt = d["counts"]
        if f["ok"]:
            lines.append(f"| {c} | {f['a']:.3f} | {f['b']:.3f} | {f['theta_freq']:.3f} | {'yes' if f['line_only'] else 'no'} "
                         f"| {theta_mag(f['a'], f['b'], 20):.2f} | {100 * f['accuracy']:.1f} % | "
                         f"{cnt['ok']} / {cnt['critical']} | {d['ppl_clean']:.4f} |")
        else:
            lines.append(f"| {c} | - | - | - | - | - | no fit: {f['note']} | {cnt['ok']} / {cnt['critical']} | "
                         f"{d['ppl_clean']:.4f} |")
    lines.append(f"| *ReaLM (OPT-1.3B k_proj)* | *{REALM['a']}* | *{REALM['b']}* | *{REALM['theta_freq']}* | "
                 f"*o, down: yes* | *{theta_mag(REALM['a'], REALM['b'], 20):.2f}* | | | *~18.0-18.5* |")
    lines += ["", "Where the lines cross the grid (log2 MSD at which one error, and 64 errors, become critical; "
              "the line solved for log2 MSD = (log2 freq + b) / a):", "",
              "| component | log2 MSD at freq 1 | at freq 2^6 | notes |", "|---|---|---|---|"]
    for c, d in results.items():
        f = d["fit"]
        if f["ok"]:
            lines.append(f"| {c} | {f['b'] / f['a']:.2f} | {(6 + f['b']) / f['a']:.2f} | {f['note'] or '-'} |")
    lines.append(f"| *ReaLM* | *{REALM['b'] / REALM['a']:.2f}* | *{(6 + REALM['b']) / REALM['a']:.2f}* | |")
    lines += ["", "Commands:", ""] + [f"    {cmd}" for cmd in commands.values()] + [""]
    path.write_text("\n".join(lines))


def plot(path: Path, results: dict) -> None:
    n = len(results)
    fig, axes = plt.subplots(1, n, figsize=(6.2 * n, 6.6), squeeze=False)
    for ax, (c, d) in zip(axes[0], results.items()):
        pts = d["points"]
        xs = np.array([p["log2_msd"] for p in pts])
        ys = np.array([p["log2_freq"] for p in pts])
        crit = np.array([p["critical"] for p in pts])
        used = np.array([p["used"] for p in pts])
        ran = np.array([p["status"] in ("ok", "capped", "rounded") for p in pts])
        m = used & crit
        ax.scatter(xs[m], ys[m], c="tab:red", marker="s", s=22, label="critical (PPL > clean + tol)")
        m = used & ~crit
        ax.scatter(xs[m], ys[m], c="tab:blue", marker="s", s=22, label="tolerated")
        m = ran & ~used
        if m.any():
            ax.scatter(xs[m], ys[m], facecolors="none", edgecolors=np.where(crit[m], "tab:red", "tab:blue"),
                       marker="s", s=22, label="not fitted (capped: freq > GEMM words; rounded)")
        xr = np.array([xs.min(), xs.max()])
        f = d["fit"]
        if f["ok"]:
            ax.plot(xr, f["a"] * xr - f["b"], "k-", lw=2, zorder=3,
                    label=f"fit: log2 freq = {f['a']:.3f} log2 MSD - {f['b']:.2f}")
            if not f["line_only"]:
                ax.axhline(f["theta_freq"], color="k", ls=":", lw=1.5, zorder=3, label=f"fit theta_freq = {f['theta_freq']:.2f}")
        ax.plot(xr, REALM["a"] * xr - REALM["b"], color="tab:gray", ls="--", lw=2, zorder=3,
                label=f"ReaLM: {REALM['a']} log2 MSD - {REALM['b']}")
        if c not in SENSITIVE:
            ax.axhline(REALM["theta_freq"], color="tab:green", ls=(0, (1, 2)), lw=2, zorder=3,
                       label=f"ReaLM theta_freq = {REALM['theta_freq']}")
        if f["boundary"]:
            bx, by = zip(*f["boundary"])
            ax.plot(bx, by, "k+", ms=9, mew=1.5, zorder=4, label="column boundary estimates")
        ax.set_xlim(xs.min() - 0.5, xs.max() + 0.5)
        ax.set_ylim(ys.min() - 0.5, ys.max() + 0.5)
        ax.set_xlabel("log2 MSD (matrix sum deviation of one GEMM, INT32 units)")
        ax.set_ylabel("log2 freq (errors per GEMM)")
        kind = "sensitive" if c in SENSITIVE else "resilient"
        ax.set_title(f"stories260K, component {c} ({kind}), clean PPL {d['ppl_clean']:.3f}, tol {d['tolerance']}")
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def merged_toml(results: dict, tomls: dict) -> str:
    first = next(iter(results.values()))
    head = ["# ReaLM statistical-ABFT constants of stories260K fitted by saffire calibrate",
            f"# (experiments/abft/critical_region.py): {first['paragraphs']} paragraphs, ctx {first['ctx']}, "
            f"layers {first['layers']}, tolerance {first['tolerance']}, seed {first['seed']}.",
            "# Components not listed keep the defaults (ReaLM's OPT-1.3B constants).",
            "# Use: saffire eval --precision w8a8 --ber ... --abft-config experiments/configs/abft_stories260k.toml",
            "[abft]", 'scheme = "statistical"', ""]
    body = []
    for c in results:
        text = tomls[c]
        i = text.index("[abft.component.")
        body.append(text[i:].strip() + "\n")
    return "\n".join(head) + "\n" + "\n".join(body)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--saffire")
    ap.add_argument("--components", default="k,o")
    ap.add_argument("--layers", default="all")
    ap.add_argument("--paragraphs", type=int, default=20)
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--msd-from", type=float, default=10)
    ap.add_argument("--msd-to", type=float, default=34)
    ap.add_argument("--msd-step", type=float, default=0.5)
    ap.add_argument("--freq-from", type=float, default=0)
    ap.add_argument("--freq-to", type=float, default=14)
    ap.add_argument("--freq-step", type=float, default=1)
    ap.add_argument("--tolerance", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=0)
    ap.add_argument("--out", default=str(REPO / "out" / "abft" / "critical"))
    args = ap.parse_args()
    saffire = find_saffire(args.saffire, "critical_region.py")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    results, commands, tomls = {}, {}, {}
    for c in [s for s in args.components.split(",") if s]:
        cmd = [saffire, "calibrate", "--component", c, "--layers", args.layers, "--paragraphs", str(args.paragraphs),
               "--ctx", str(args.ctx), "--msd-from", f"{args.msd_from:g}", "--msd-to", f"{args.msd_to:g}",
               "--msd-step", f"{args.msd_step:g}", "--freq-from", f"{args.freq_from:g}", "--freq-to",
               f"{args.freq_to:g}", "--freq-step", f"{args.freq_step:g}", "--tolerance", f"{args.tolerance:g}",
               "--seed", str(args.seed), "--jobs", str(args.jobs), "--points", str(out / f"critical_{c}.csv"),
               "--out", str(out / f"abft_{c}.toml"), "--json"]
        print(f"critical_region.py: {shlex.join(cmd)}", file=sys.stderr)
        d = json.loads(run(cmd))
        if d["component"] != c:
            sys.exit(f"critical_region.py: asked for component {c}, got {d['component']}")
        results[c] = d
        commands[c] = shlex.join(cmd)
        tomls[c] = (out / f"abft_{c}.toml").read_text() if d["fit"]["ok"] else ""
        f = d["fit"]
        print(f"  {c}: a {f['a']:.3f}, b {f['b']:.3f}, theta_freq {f['theta_freq']:.3f}"
              f"{' (line only)' if f['line_only'] else ''}, accuracy {100 * f['accuracy']:.1f} %, "
              f"{d['seconds']:.1f} s", file=sys.stderr)
    wall = time.time() - t0
    write_h5(out / "critical.h5", results, commands, saffire, sys.argv)
    write_md(out / "critical.md", results, commands, wall)
    plot(out / "critical_region.png", results)
    fitted = {c: d for c, d in results.items() if d["fit"]["ok"]}
    if fitted:
        cfg = out / "abft_stories260k.toml"
        cfg.write_text(merged_toml(fitted, tomls))
        # The merged file must be what `eval --abft-config` reads.
        run([saffire, "eval", "--precision", "w8a8", "--paragraphs", "1", "--ber", "1e-4", "--abft-config", str(cfg),
             "--json"])
    print(f"critical_region.py: wrote {out}/critical.h5, critical.md, critical_region.png"
          f"{', abft_stories260k.toml' if fitted else ''} in {wall:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
