#!/usr/bin/python3
"""Recompute probability vs BER of classic, MSD-only (approxabft) and statistical ABFT (issue 5's study).

One command:

    experiments/abft/recompute.py [--trials 1000] [--out out/abft/recompute]

It runs

    saffire abft-prob --m 2048 --n 2048 --k 128 --rows 256 --cols 256 --dataflow os --trials 1000 --json

(ReaLM's setup: OPT-1.3B k_proj, ~2048 x 2048 outputs, one uniformly random bit 0..29 flipped per faulty
word, 1000 trials per BER; a whole-GEMM decision) and, as a what-if, the same with --checks rows+cols (the
statistic counts the column checksum deviations too). background.md section 2 has ReaLM's figures.

Writes to --out:
  recompute.h5          dataset `recompute` (one row per variant x BER x scheme: recomputes, p, 95 % Wilson
                        interval, ReaLM's p where published), dataset `ber_50` (per variant and scheme: the
                        BER of 50 % recompute, log-interpolated, and ReaLM's), the saffire JSON as attributes
  recompute.md          our table side by side with ReaLM's, and the 50 % BERs
  recompute_vs_ber.png  recompute probability vs BER (log x), one line per scheme with its CI band,
                        ReaLM's measured points as markers, classic's closed form dashed
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
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
from study_support import find_saffire, shrink_png  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SCHEMES = ["classic", "approxabft", "statistical"]
LABEL = {"classic": "classic (any mismatch)", "approxabft": "approxabft (MSD only)",
         "statistical": "statistical (ReaLM)", "classic-correct": "classic-correct", "none": "none"}
STYLE = {"classic": ("tab:blue", "o"), "approxabft": ("tab:green", "^"), "statistical": ("tab:red", "D"),
         "classic-correct": ("tab:orange", "s"), "none": ("tab:gray", "x")}
# ReaLM (background.md section 2): OPT-1.3B k_proj, ~2048 x 2048 outputs, random bit 0..29, 1000 trials.
REALM_POINTS = {
    "approxabft": [(1e-8, 0.009), (1e-7, 0.11), (5e-7, 0.47), (1e-6, 0.71), (1e-5, 0.996)],
    "statistical": [(1e-8, 0.0), (1e-7, 0.0), (5e-7, 0.0), (1e-6, 0.0), (1e-5, 0.0), (2e-5, 0.042), (2.5e-5, 0.46),
                    (3e-5, 0.90), (4e-5, 1.0)],
}
REALM_HALF_TEXT = {"classic": "~1.7e-7 (1 - exp(-BER * outputs))", "approxabft": "~5e-7 (MSD-only)",
                   "statistical": "~2.5e-5"}
VARIANTS = {"rows": [], "rows+cols": ["--checks", "rows+cols"]}

ROW_DTYPE = np.dtype([
    ("variant", "S10"), ("scheme", "S16"), ("ber", "f8"), ("expected_faults", "f8"), ("mean_faults", "f8"),
    ("trials", "i8"), ("recompute", "i8"), ("corrected", "i8"), ("p", "f8"), ("ci_lo", "f8"), ("ci_hi", "f8"),
    ("classic_closed_form", "f8"), ("realm_p", "f8")])
HALF_DTYPE = np.dtype([("variant", "S10"), ("scheme", "S16"), ("ber_50", "f8"), ("below_grid", "?"),
                       ("above_grid", "?"), ("realm_ber_50", "f8")])
UNITS = {
    "variant": "rows: the statistic sees the row checks (the modelled hardware) | rows+cols: row and column checks",
    "scheme": "detection scheme", "ber": "per-output-word fault probability",
    "expected_faults": "BER * outputs", "mean_faults": "faults per trial, measured", "trials": "trials",
    "recompute": "trials decided Recompute", "corrected": "trials decided Correct (classic-correct)",
    "p": "recompute / trials", "ci_lo": "95 % Wilson interval, low", "ci_hi": "95 % Wilson interval, high",
    "classic_closed_form": "1 - (1 - BER)^outputs", "realm_p": "ReaLM's measured p at this BER (NaN: none published)",
}


def fail(msg: str, code: int = 1) -> None:
    print(f"recompute.py: error: {msg}", file=sys.stderr)
    sys.exit(code)



def run_saffire(saffire: Path, args, variant: str) -> tuple[dict, str]:
    cmd = [str(saffire), "abft-prob", "--m", str(args.m), "--n", str(args.n), "--k", str(args.k),
           "--rows", str(args.rows), "--cols", str(args.cols), "--dataflow", args.dataflow,
           "--trials", str(args.trials), "--seed", str(args.seed), "--schemes", ",".join(args.schemes),
           "--component", args.component, "--bit-range", args.bit_range]
    if args.ber:
        cmd += ["--ber", args.ber]
    if args.abft_config:
        cmd += ["--abft-config", str(Path(args.abft_config).resolve())]
    cmd += VARIANTS[variant] + ["--json"]
    shown = " ".join(["saffire"] + [shlex.quote(c) for c in cmd[1:]])
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as e:
        fail(f"`{shown}` could not run: {e}")
    if res.returncode != 0:
        fail(f"`{shown}` exited with {res.returncode}: {res.stderr.strip() or res.stdout.strip() or '(no output)'}")
    try:
        out = json.loads(res.stdout)
    except json.JSONDecodeError as e:
        fail(f"`{shown}` did not print JSON ({e}): {res.stdout[:200]!r}")
    try:
        ok = (out["command"] == "abft-prob" and out["gemm"]["m"] == args.m and out["gemm"]["n"] == args.n and
              out["trials"] == args.trials and out["checks"] == variant and out["schemes"] == args.schemes and
              out["array"]["dataflow"] == args.dataflow and len(out["points"]) > 0)
        for p in out["points"]:
            for sch in args.schemes:
                p["schemes"][sch]["p"]
    except (KeyError, TypeError) as e:
        fail(f"`{shown}`: unexpected JSON (missing {e})")
    if not ok:
        fail(f"`{shown}`: JSON describes a different run")
    return out, shown


def nan_if_none(x) -> float:
    return float("nan") if x is None else float(x)


def tabulate(runs: dict[str, dict]) -> tuple[np.ndarray, np.ndarray]:
    rows, halves = [], []
    for variant, out in runs.items():
        for pt in out["points"]:
            for sch in out["schemes"]:
                r = pt["schemes"][sch]
                rows.append((variant, sch, pt["ber"], pt["expected_faults"], pt["mean_faults"], out["trials"],
                             r["recompute"], r["corrected"], r["p"], r["ci_lo"], r["ci_hi"],
                             pt["classic_closed_form"], nan_if_none(r["realm_p"])))
        for sch in out["schemes"]:
            h = out["ber_50"][sch]
            halves.append((variant, sch, nan_if_none(h["ber"]), h["below_grid"], h["above_grid"],
                           nan_if_none(h["realm"])))
    return np.array(rows, dtype=ROW_DTYPE), np.array(halves, dtype=HALF_DTYPE)


def s(x) -> str:
    return x.decode() if isinstance(x, bytes) else str(x)


def write_h5(path: Path, data: np.ndarray, halves: np.ndarray, runs: dict, commands: dict, saffire: Path,
             seconds: float) -> None:
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("recompute", data=data)
        for k, u in UNITS.items():
            ds.attrs[f"unit_{k}"] = u
        ds.attrs["description"] = ("recompute probability of each detection scheme vs BER on one GEMM "
                                   "(saffire abft-prob), whole-GEMM decision")
        hs = f.create_dataset("ber_50", data=halves)
        hs.attrs["description"] = ("BER at which the scheme first reaches 50 % recompute, interpolated linearly in "
                                   "(log BER, p); NaN with above_grid / below_grid when the grid does not bracket it; "
                                   "realm_ber_50 from ReaLM's points (classic: its 1 - exp(-BER outputs) remark)")
        rp = np.array([(sch, b, p) for sch, pts in REALM_POINTS.items() for b, p in pts],
                      dtype=[("scheme", "S16"), ("ber", "f8"), ("p", "f8")])
        r = f.create_dataset("realm_points", data=rp)
        r.attrs["source"] = ("ReaLM (DAC 2025) as summarized in docs/background.md section 2: OPT-1.3B k_proj, "
                             "~2048x2048 outputs, random bit 0..29, 1000 trials; approxabft = ReaLM's MSD-only")
        for variant, out in runs.items():
            f.attrs[f"saffire_json_{variant}"] = json.dumps(out)
            f.attrs[f"saffire_command_{variant}"] = commands[variant]
        f.attrs["saffire_binary"] = str(saffire)
        f.attrs["script_command"] = " ".join(shlex.quote(a) for a in sys.argv)
        f.attrs["created"] = dt.datetime.now().isoformat(timespec="seconds")
        f.attrs["seconds"] = seconds
        try:
            rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True, timeout=10).stdout.strip()
            if rev:
                f.attrs["git_commit"] = rev
        except (OSError, subprocess.TimeoutExpired):
            pass


def fmt_half(h) -> str:
    if h["below_grid"]:
        return "below the grid"
    if h["above_grid"]:
        return "above the grid"
    return f"{h['ber_50']:.3g}"


def cell(r) -> str:
    return f"{r['p']:.3f} [{r['ci_lo']:.3f}, {r['ci_hi']:.3f}]"


def realm_cell(v: float) -> str:
    return "-" if math.isnan(v) else f"{v:.3f}"


def markdown(data: np.ndarray, halves: np.ndarray, runs: dict, commands: dict, seconds: float) -> str:
    main = runs["rows"]
    schemes = main["schemes"]
    g, a = main["gemm"], main["array"]
    lines = [
        "# Recompute probability vs BER (saffire abft-prob)",
        "",
        f"GEMM {g['m']} x {g['n']} x {g['k']} ({g['outputs']} outputs), {a['dataflow'].upper()} "
        f"{a['rows']}x{a['cols']} array ({main['row_checks']} row checks of {a['cols']} columns), one bit in "
        f"{main['bit_lo']}..{main['bit_hi']} flipped per faulty word, {main['trials']} trials per BER, seed {main['seed']}, component "
        f"{main['component']} (a = {main['constants']['a']:g}, b = {main['constants']['b']:g}, theta_freq = "
        f"{main['constants']['theta_freq']:g}); one decision on the whole GEMM. p [95 % Wilson interval]; "
        "ReaLM: its measured value at that BER (background.md section 2), approxabft = its MSD-only baseline.",
        "",
        f"`{commands['rows']}` ({seconds:.1f} s for all runs of this script)",
        "",
    ]
    head = ["BER", "faults"]
    for sch in schemes:
        head.append(sch)
        if sch == "classic":
            head.append("1-(1-BER)^outputs")
        elif sch in REALM_POINTS:
            head.append(f"ReaLM {'MSD-only' if sch == 'approxabft' else sch}")
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rows = data[data["variant"] == b"rows"]
    for ber in sorted(set(rows["ber"])):
        at = rows[rows["ber"] == ber]
        cells = [f"{ber:.3g}", f"{at[0]['expected_faults']:.3g}"]
        for sch in schemes:
            r = at[at["scheme"] == sch.encode()][0]
            cells.append(cell(r))
            if sch == "classic":
                cells.append(f"{r['classic_closed_form']:.3f}")
            elif sch in REALM_POINTS:
                cells.append(realm_cell(r["realm_p"]))
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## BER of 50 % recompute (log-interpolated between grid points)", "",
              "| scheme | saffire (row checks) | saffire what-if (row + column checks) | ReaLM |", "|---|---|---|---|"]
    for sch in schemes:
        h = halves[(halves["variant"] == b"rows") & (halves["scheme"] == sch.encode())][0]
        w = halves[(halves["variant"] == b"rows+cols") & (halves["scheme"] == sch.encode())]
        realm = REALM_HALF_TEXT.get(sch, "-")
        if sch in REALM_POINTS:
            realm += f"; {h['realm_ber_50']:.3g} interpolated from its points"
        lines.append(f"| {sch} | {fmt_half(h)} | {fmt_half(w[0]) if len(w) else '-'} | {realm} |")
    return "\n".join(lines) + "\n"


def plot(path: Path, data: np.ndarray, runs: dict, dpi: int) -> None:
    main = runs["rows"]
    rows = data[data["variant"] == b"rows"]
    fig, ax = plt.subplots(figsize=(7.6, 4.8))
    for sch in main["schemes"]:
        r = rows[rows["scheme"] == sch.encode()]
        r = r[np.argsort(r["ber"])]
        color, marker = STYLE.get(sch, ("black", "o"))
        ax.fill_between(r["ber"], r["ci_lo"], r["ci_hi"], color=color, alpha=0.2, linewidth=0)
        ax.plot(r["ber"], r["p"], color=color, linewidth=1.6, label=f"saffire {LABEL.get(sch, sch)}")
        if sch in REALM_POINTS:
            b, p = zip(*REALM_POINTS[sch])
            ax.plot(b, p, linestyle="none", marker=marker, markersize=7, markerfacecolor="none", markeredgewidth=1.5,
                    color=color, label=f"ReaLM {'MSD-only' if sch == 'approxabft' else sch} (measured)")
    if "classic" in main["schemes"]:
        r = rows[rows["scheme"] == b"classic"]
        r = r[np.argsort(r["ber"])]
        fine = np.logspace(math.log10(r["ber"].min()), math.log10(r["ber"].max()), 200)
        ax.plot(fine, -np.expm1(main["gemm"]["outputs"] * np.log1p(-fine)), color="black", linestyle="--",
                linewidth=0.9, label="1 - (1 - BER)^outputs (ReaLM's classic)")
    ax.axhline(0.5, color="gray", linewidth=0.6, linestyle=":")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("BER (per-output-word fault probability)")
    ax.set_ylabel("recompute probability")
    g, a = main["gemm"], main["array"]
    ax.set_title(f"Recompute probability, {g['m']}x{g['n']} outputs, {a['dataflow'].upper()} {a['rows']}x{a['cols']}, "
                 f"bit {main['bit_lo']}..{main['bit_hi']}, {main['trials']} trials (band: 95 % CI)", fontsize=9)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    shrink_png(path)



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--saffire", help="saffire binary (default: $SAFFIRE, else build/saffire)")
    ap.add_argument("--out", default="out/abft/recompute", help="output folder (default out/abft/recompute)")
    ap.add_argument("--trials", type=int, default=1000, help="trials per BER (default 1000)")
    ap.add_argument("--ber", default=None, help="comma-separated BERs (default: saffire's grid 1e-8..1e-4)")
    ap.add_argument("--m", type=int, default=2048)
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--k", type=int, default=128)
    ap.add_argument("--rows", type=int, default=256)
    ap.add_argument("--cols", type=int, default=256)
    ap.add_argument("--dataflow", default="os", choices=["ws", "os"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bit-range", default="0-29")
    ap.add_argument("--component", default="k")
    ap.add_argument("--schemes", default=",".join(SCHEMES),
                    help="comma-separated (default classic,approxabft,statistical)")
    ap.add_argument("--abft-config", help="TOML [abft] table with the statistical constants")
    ap.add_argument("--no-what-if", action="store_true", help="skip the --checks rows+cols what-if run")
    ap.add_argument("--dpi", type=int, default=110, help="PNG resolution (default 110)")
    args = ap.parse_args()
    if args.trials < 1:
        ap.error("--trials must be positive")
    if min(args.m, args.n, args.k, args.rows, args.cols) < 1:
        ap.error("--m, --n, --k, --rows and --cols must be positive")
    args.schemes = [x.strip() for x in args.schemes.split(",") if x.strip()]
    if not args.schemes or len(set(args.schemes)) != len(args.schemes):
        ap.error("--schemes: a comma-separated list of distinct schemes")
    if args.abft_config and not Path(args.abft_config).is_file():
        ap.error(f"--abft-config: no such file: {args.abft_config}")

    saffire = find_saffire(args.saffire, "recompute.py")
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        fail(f"cannot create {out}: {e}")
    t0 = time.perf_counter()
    runs, commands = {}, {}
    for variant in ["rows"] + ([] if args.no_what_if else ["rows+cols"]):
        runs[variant], commands[variant] = run_saffire(saffire, args, variant)
    seconds = time.perf_counter() - t0
    print(f"recompute.py: {len(runs)} saffire runs in {seconds:.1f} s ({saffire})", file=sys.stderr)
    data, halves = tabulate(runs)
    md = markdown(data, halves, runs, commands, seconds)
    try:
        write_h5(out / "recompute.h5", data, halves, runs, commands, saffire, seconds)
        (out / "recompute.md").write_text(md)
        plot(out / "recompute_vs_ber.png", data, runs, args.dpi)
    except OSError as e:
        fail(f"cannot write the outputs in {out}: {e}")
    print(f"recompute.py: wrote {out}/recompute.h5, recompute.md, recompute_vs_ber.png "
          f"({time.perf_counter() - t0:.1f} s in all)", file=sys.stderr)
    print(md)


if __name__ == "__main__":
    main()
