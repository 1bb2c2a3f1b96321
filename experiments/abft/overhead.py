#!/usr/bin/python3
"""Area and power overhead of every detection scheme: array size x dataflow x scheme (issue 5's study).

One command:

    experiments/abft/overhead.py [--two-sided] [--node 14 | --nodes 45,14] [--out out/abft/overhead]

For every node, square array size n (default 32, 64, 128, 256), dataflow (ws, os) and variant
(one-sided row checksums; with --two-sided also row + column checksums) it runs

    saffire overhead --rows n --cols n --dataflow DF --node NODE [--two-sided] --json

and collects the extra area and power of each scheme (none, classic, classic-correct, approxabft,
statistical, dmr, thundervolt) over the baseline PE array. The model is arch/tech/README.md's.

Writes to --out:
  overhead.h5           dataset `overhead` (one row per node x size x dataflow x variant x scheme) with
                        units and the saffire commands as attributes
  overhead.md           tables (rows = scheme, columns = size x dataflow, +area % / +power %), the 2/n check
                        and the comparison of OS 256x256 statistical with ReaLM (+1.42 % area, +1.79 % power)
  overhead_vs_size.png  +area % and +power % vs n, log-log, per dataflow, with a 2/n reference; DMR and
                        ThunderVolt on their own panel (first node; other nodes / the two-sided variant get
                        overhead_vs_size_<node>nm[_two_sided].png)
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
import matplotlib.ticker  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # experiments/: study_support
from study_support import find_saffire, shrink_png  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SCHEMES = ["none", "classic", "classic-correct", "approxabft", "statistical", "dmr", "thundervolt"]
CHECKSUM_SCHEMES = ["classic", "classic-correct", "approxabft", "statistical"]
BIG_SCHEMES = ["dmr", "thundervolt"]
DATAFLOWS = ["ws", "os"]
NODES = [45, 28, 22, 14]
REALM = {"area_pct": 1.42, "power_pct": 1.79, "size": 256, "dataflow": "os", "node": 14, "window_pp": 0.5}
STYLE = {"classic": ("tab:blue", "o"), "classic-correct": ("tab:orange", "s"), "approxabft": ("tab:green", "^"),
         "statistical": ("tab:red", "D"), "dmr": ("tab:purple", "o"), "thundervolt": ("tab:brown", "s")}
# classic and approxabft differ by ~0.1 %: draw classic wide underneath so both stay visible.
WIDTH = {"classic": 3.2, "classic-correct": 1.4, "approxabft": 1.2, "statistical": 1.4}

ROW_DTYPE = np.dtype([
    ("node_nm", "i4"), ("rows", "i4"), ("cols", "i4"), ("dataflow", "S2"), ("variant", "S10"), ("scheme", "S16"),
    ("area_pct", "f8"), ("power_pct", "f8"), ("area_um2", "f8"), ("power_mw", "f8"), ("dynamic_mw", "f8"),
    ("leakage_mw", "f8"), ("extra_cycles_per_fold", "i4"), ("baseline_area_um2", "f8"),
    ("baseline_power_mw", "f8"), ("baseline_dynamic_mw", "f8"), ("baseline_leakage_mw", "f8"),
    ("cycles_per_fold", "i8"), ("utilization", "f8"), ("clock_ghz", "f8"), ("v_nominal", "f8"),
    ("command", "S160")])
UNITS = {
    "node_nm": "nm", "rows": "PEs", "cols": "PEs", "dataflow": "ws | os",
    "variant": "one-sided (row checksums only, except classic-correct) | two-sided (--two-sided: row and column)",
    "scheme": "detection scheme", "area_pct": "% of baseline array area", "power_pct": "% of baseline array power",
    "area_um2": "um^2 (extra area of the scheme)", "power_mw": "mW (extra power, dynamic + leakage)",
    "dynamic_mw": "mW", "leakage_mw": "mW", "extra_cycles_per_fold": "cycles",
    "baseline_area_um2": "um^2 (PE array without detection)", "baseline_power_mw": "mW",
    "baseline_dynamic_mw": "mW", "baseline_leakage_mw": "mW", "cycles_per_fold": "cycles (representative fold)",
    "utilization": "fraction of PE-cycles doing MACs in the representative fold", "clock_ghz": "GHz",
    "v_nominal": "V", "command": "the saffire command line of this row",
}


def fail(msg: str, code: int = 1) -> None:
    print(f"overhead.py: error: {msg}", file=sys.stderr)
    sys.exit(code)



def int_list(text: str, what: str) -> list[int]:
    try:
        vals = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what}: expected a comma-separated list of integers, got {text!r}")
    if not vals:
        raise argparse.ArgumentTypeError(f"{what}: empty list")
    return vals


def run_point(saffire: Path, node: int, n: int, dataflow: str, two_sided: bool, extra: list[str]) -> tuple[dict, str]:
    cmd = [str(saffire), "overhead", "--rows", str(n), "--cols", str(n), "--dataflow", dataflow,
           "--node", str(node)] + (["--two-sided"] if two_sided else []) + extra + ["--json"]
    shown = " ".join(["saffire"] + [shlex.quote(c) for c in cmd[1:]])
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        fail(f"`{shown}` could not run: {e}")
    if res.returncode != 0:
        fail(f"`{shown}` exited with {res.returncode}: "
             f"{res.stderr.strip() or res.stdout.strip() or '(no output)'}")
    try:
        out = json.loads(res.stdout)
    except json.JSONDecodeError as e:
        fail(f"`{shown}` did not print JSON ({e}): {res.stdout[:200]!r}")
    # Check the answer is for what we asked.
    try:
        arr, tech = out["array"], out["tech"]
        ok = (arr["rows"] == n and arr["cols"] == n and arr["dataflow"] == dataflow and
              bool(out["two_sided"]) == two_sided and ("--tech" in extra or tech["node_nm"] == node))
        names = [s["scheme"] for s in out["schemes"]]
    except (KeyError, TypeError) as e:
        fail(f"`{shown}`: unexpected JSON (missing {e})")
    if not ok:
        fail(f"`{shown}`: JSON describes a different configuration: array={arr} node={tech.get('node_nm')} "
             f"two_sided={out.get('two_sided')}")
    missing = [s for s in SCHEMES if s not in names]
    if missing:
        fail(f"`{shown}`: schemes missing from the JSON: {', '.join(missing)}")
    return out, shown


def collect(args, saffire: Path) -> tuple[np.ndarray, list[str]]:
    variants = [False, True] if args.two_sided else [False]
    extra = []
    if args.stream is not None:
        extra += ["--stream", str(args.stream)]
    if args.tech:
        extra += ["--tech", str(Path(args.tech).resolve())]
    rows, commands = [], []
    for node in args.nodes:
        for two in variants:
            for n in args.sizes:
                for df in args.dataflows:
                    out, shown = run_point(saffire, node, n, df, two, extra)
                    commands.append(shown)
                    b, w, t = out["baseline"], out["workload"], out["tech"]
                    for s in out["schemes"]:
                        rows.append((
                            node, n, n, df, "two-sided" if two else "one-sided", s["scheme"],
                            s["area_pct"], s["power_pct"], s["area_um2"], s["power_mw"], s["dynamic_mw"],
                            s["leakage_mw"], s["extra_cycles_per_fold"], b["area_um2"], b["power_mw"],
                            b["dynamic_mw"], b["leakage_mw"], w["cycles_per_fold"], w["utilization"],
                            out["array"]["clock_ghz"], t["v_nominal"], shown))
    return np.array(rows, dtype=ROW_DTYPE), commands


# ----------------------------------------------------------------------------------------------- helpers
def s(x) -> str:
    return x.decode() if isinstance(x, bytes) else str(x)


def select(data: np.ndarray, **kw) -> np.ndarray:
    mask = np.ones(len(data), bool)
    for k, v in kw.items():
        col = data[k]
        if col.dtype.kind == "S":
            mask &= col == v.encode()
        else:
            mask &= col == v
    return data[mask]


def one(data: np.ndarray, **kw) -> np.void:
    r = select(data, **kw)
    if len(r) != 1:
        fail(f"internal: {len(r)} rows for {kw}")
    return r[0]


# ----------------------------------------------------------------------------------------------- outputs
def write_h5(path: Path, data: np.ndarray, commands: list[str], saffire: Path, args, seconds: float) -> None:
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("overhead", data=data)
        for k, u in UNITS.items():
            ds.attrs[f"unit_{k}"] = u
        ds.attrs["description"] = ("extra area and power of each detection scheme's hardware over the baseline "
                                   "PE array (arch/tech/README.md), one row per node x size x dataflow x variant "
                                   "x scheme")
        f.attrs["saffire_binary"] = str(saffire)
        f.attrs["saffire_command_template"] = ("saffire overhead --rows N --cols N --dataflow ws|os --node NODE "
                                               "[--two-sided] --json")
        f.attrs["saffire_commands"] = "\n".join(commands)
        f.attrs["script_command"] = " ".join(shlex.quote(a) for a in sys.argv)
        f.attrs["nodes_nm"] = np.array(args.nodes, dtype="i4")
        f.attrs["sizes"] = np.array(args.sizes, dtype="i4")
        f.attrs["realm_os256_14nm_area_pct"] = REALM["area_pct"]
        f.attrs["realm_os256_14nm_power_pct"] = REALM["power_pct"]
        f.attrs["created"] = dt.datetime.now().isoformat(timespec="seconds")
        f.attrs["seconds"] = seconds
        try:
            rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True, timeout=10).stdout.strip()
            if rev:
                f.attrs["git_commit"] = rev
        except (OSError, subprocess.TimeoutExpired):
            pass


def fmt_pair(r) -> str:
    return f"{r['area_pct']:.3f} / {r['power_pct']:.3f}"


def realm_lines(data: np.ndarray, variants: list[str]) -> list[str]:
    out = []
    if not len(select(data, node_nm=REALM["node"], rows=REALM["size"], dataflow=REALM["dataflow"])):
        return ["ReaLM comparison: needs node 14 and size 256 with dataflow os in the sweep (not run)."]
    for v in variants:
        r = one(data, node_nm=REALM["node"], rows=REALM["size"], dataflow=REALM["dataflow"], variant=v,
                scheme="statistical")
        da, dp = r["area_pct"] - REALM["area_pct"], r["power_pct"] - REALM["power_pct"]

        def verdict(d):
            return "inside" if abs(d) <= REALM["window_pp"] else "outside"
        out.append(f"- **ReaLM check ({v})**: OS 256x256 statistical at 14 nm costs **+{r['area_pct']:.3f} % area, "
                   f"+{r['power_pct']:.3f} % power** against ReaLM's +{REALM['area_pct']} % / +{REALM['power_pct']} %: "
                   f"area {da:+.2f} pp ({verdict(da)} +-{REALM['window_pp']} pp), power {dp:+.2f} pp "
                   f"({verdict(dp)}).")
    return out


def write_md(path: Path, data: np.ndarray, args, saffire: Path, seconds: float) -> None:
    variants = ["one-sided", "two-sided"] if args.two_sided else ["one-sided"]
    L = ["# ABFT overhead: array size x dataflow x scheme", "",
         f"`{' '.join(shlex.quote(a) for a in sys.argv)}` with `{saffire}` ({len(set(data['command']))} "
         f"`saffire overhead --json` runs, {seconds:.1f} s). Model: arch/tech/README.md. Cells: **+area % / +power %** "
         "over the baseline n x n PE array; one-sided = row checksums only (except classic-correct, which needs both), "
         "two-sided = `--two-sided` (row and column checksums).", ""]
    L += realm_lines(data, variants) + [""]
    for node in args.nodes:
        for v in variants:
            L += [f"## {node} nm, {v}", ""]
            cols = [(n, df) for n in args.sizes for df in args.dataflows]
            L.append("| scheme | " + " | ".join(f"{df.upper()} {n}x{n}" for n, df in cols) + " |")
            L.append("|---|" + "---|" * len(cols))
            for sc in SCHEMES[1:]:
                cells = [fmt_pair(one(data, node_nm=node, variant=v, rows=n, dataflow=df, scheme=sc)) for n, df in cols]
                L.append(f"| {sc} | " + " | ".join(cells) + " |")
            base = [one(data, node_nm=node, variant=v, rows=n, dataflow=df, scheme="none") for n, df in cols]
            L.append("| *baseline mm^2 / mW* | " + " | ".join(
                f"*{b['baseline_area_um2'] / 1e6:.4g} / {b['baseline_power_mw']:.4g}*" for b in base) + " |")
            ext = [one(data, node_nm=node, variant=v, rows=n, dataflow=df, scheme="classic-correct") for n, df in cols]
            if any(e["extra_cycles_per_fold"] for e in ext):
                L.append("| *classic-correct extra cycles/fold* | " + " | ".join(
                    str(e["extra_cycles_per_fold"]) for e in ext) + " |")
            L.append("")
            # 2/n check: n x overhead should be constant.
            L.append("n x classic overhead / 100 (constant if classic scales as c/n; Huang-Abraham's 2/n has c = 2):")
            L.append("")
            L.append("| dataflow | " + " | ".join(f"n={n}" for n in args.sizes) + " |")
            L.append("|---|" + "---|" * len(args.sizes))
            for df in args.dataflows:
                vals = [one(data, node_nm=node, variant=v, rows=n, dataflow=df, scheme="classic") for n in args.sizes]
                L.append(f"| {df.upper()} area / power | " + " | ".join(
                    f"{r['area_pct'] * n / 100:.3f} / {r['power_pct'] * n / 100:.3f}"
                    for r, n in zip(vals, args.sizes)) + " |")
            L.append("")
    path.write_text("\n".join(L))


def plot(path: Path, data: np.ndarray, args, node: int, variant: str) -> None:
    sizes = np.array(args.sizes, float)
    fig, axes = plt.subplots(2, len(args.dataflows) + 1, figsize=(4.1 * (len(args.dataflows) + 1), 6.6),
                             sharex=True, squeeze=False)
    for row in range(2):  # the checksum panels of one row share their y axis (WS and OS comparable)
        for col in range(1, len(args.dataflows)):
            axes[row][col].sharey(axes[row][0])
    for row, (metric, label) in enumerate([("area_pct", "area overhead (%)"), ("power_pct", "power overhead (%)")]):
        for col, df in enumerate(args.dataflows):
            ax = axes[row][col]
            for sc in CHECKSUM_SCHEMES:
                y = [one(data, node_nm=node, variant=variant, rows=int(n), dataflow=df, scheme=sc)[metric]
                     for n in sizes]
                c, m = STYLE[sc]
                ax.plot(sizes, y, color=c, marker=m, ms=6 if sc == "classic" else 4, lw=WIDTH[sc], label=sc)
            ax.plot(sizes, 200.0 / sizes, "k--", lw=1, label="2/n reference")
            if df == REALM["dataflow"] and node == REALM["node"] and REALM["size"] in args.sizes:
                ax.plot([REALM["size"]], [REALM[metric]], "k*", ms=10, label="ReaLM (OS 256, 14 nm)")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            ax.set_title(f"{df.upper()}: checksum schemes" if row == 0 else "")
            ax.grid(True, which="both", alpha=0.3)
            if col == 0:
                ax.set_ylabel(label)
        ax = axes[row][-1]
        for sc in BIG_SCHEMES:
            for df, ls in zip(args.dataflows, ["-", ":"]):
                y = [one(data, node_nm=node, variant=variant, rows=int(n), dataflow=df, scheme=sc)[metric]
                     for n in sizes]
                c, m = STYLE[sc]
                ax.plot(sizes, y, color=c, marker=m, ms=4, ls=ls, lw=1.4, label=f"{sc} ({df.upper()})")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_ylim(20, 200)
        ax.set_yticks([25, 50, 100, 200])
        ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_title("DMR and ThunderVolt" if row == 0 else "")
        ax.grid(True, which="both", alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("array size n (n x n PEs)")
        ax.set_xticks(sizes)
        ax.set_xticklabels([str(int(n)) for n in sizes])
    axes[0][0].legend(fontsize=7, loc="lower left")
    if len(args.dataflows) > 1:
        h, lab = axes[0][1].get_legend_handles_labels()
        extra = [(hh, ll) for hh, ll in zip(h, lab) if ll.startswith("ReaLM")]
        if extra:
            axes[0][1].legend(*zip(*extra), fontsize=7, loc="lower left")
    axes[0][-1].legend(fontsize=7, loc="lower left")
    vtxt = "row checksums" if variant == "one-sided" else "row + column checksums (--two-sided)"
    fig.suptitle(f"Detection hardware overhead vs array size, {node} nm, {vtxt} (saffire overhead)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=args.dpi)
    plt.close(fig)
    shrink_png(path)



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--saffire", help="saffire binary (default: $SAFFIRE, else build/saffire)")
    ap.add_argument("--out", default="out/abft/overhead", help="output folder (default out/abft/overhead)")
    ap.add_argument("--node", type=int, default=None, help="technology node in nm: 45, 28, 22 or 14 (default 14)")
    ap.add_argument("--nodes", type=lambda t: int_list(t, "--nodes"), default=None,
                    help="comma-separated nodes, e.g. 45,14 (instead of --node)")
    ap.add_argument("--sizes", type=lambda t: int_list(t, "--sizes"), default=[32, 64, 128, 256],
                    help="comma-separated square array sizes (default 32,64,128,256)")
    ap.add_argument("--dataflows", default="ws,os", help="comma-separated dataflows (default ws,os)")
    ap.add_argument("--two-sided", action="store_true",
                    help="also run the two-sided variant (row and column checksums) as a second variant")
    ap.add_argument("--stream", type=int, default=None, help="passed to saffire overhead --stream (default: its 2048)")
    ap.add_argument("--tech", help="passed to saffire overhead --tech (a [tech] TOML table; its node_nm wins)")
    ap.add_argument("--dpi", type=int, default=110, help="PNG resolution (default 110)")
    args = ap.parse_args()

    if args.node is not None and args.nodes is not None:
        ap.error("give --node or --nodes, not both")
    args.nodes = args.nodes or [args.node if args.node is not None else 14]
    bad = [n for n in args.nodes if n not in NODES]
    if bad:
        ap.error(f"unsupported node(s) {bad}: choose from {NODES}")
    if len(set(args.nodes)) != len(args.nodes):
        ap.error("--nodes: duplicate node")
    if any(n < 1 or n > 4096 for n in args.sizes) or len(set(args.sizes)) != len(args.sizes):
        ap.error("--sizes: sizes must be distinct integers in [1, 4096]")
    args.sizes = sorted(args.sizes)
    args.dataflows = [d.strip().lower() for d in args.dataflows.split(",") if d.strip()]
    if not args.dataflows or any(d not in DATAFLOWS for d in args.dataflows) or \
            len(set(args.dataflows)) != len(args.dataflows):
        ap.error("--dataflows: a comma-separated subset of ws,os")
    if args.tech and not Path(args.tech).is_file():
        ap.error(f"--tech: no such file: {args.tech}")
    if args.tech and len(args.nodes) > 1:
        ap.error("--tech fixes the node: use it with a single --node")

    saffire = find_saffire(args.saffire, "overhead.py")
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        fail(f"cannot create {out}: {e}")

    t0 = time.perf_counter()
    data, commands = collect(args, saffire)
    seconds = time.perf_counter() - t0
    print(f"overhead.py: {len(commands)} saffire runs in {seconds:.1f} s ({saffire})", file=sys.stderr)

    try:
        write_h5(out / "overhead.h5", data, commands, saffire, args, seconds)
        write_md(out / "overhead.md", data, args, saffire, seconds)
        variants = ["one-sided", "two-sided"] if args.two_sided else ["one-sided"]
        written = []
        for i, node in enumerate(args.nodes):
            for v in variants:
                name = "overhead_vs_size" + ("" if i == 0 else f"_{node}nm") + ("" if v == "one-sided" else "_two_sided")
                plot(out / f"{name}.png", data, args, node, v)
                written.append(f"{name}.png")
    except OSError as e:
        fail(f"cannot write the outputs in {out}: {e}")
    print(f"overhead.py: wrote {out}/overhead.h5, overhead.md, {', '.join(written)} "
          f"({time.perf_counter() - t0:.1f} s in all)", file=sys.stderr)
    for line in realm_lines(data, variants):
        print(line.replace("**", ""))


if __name__ == "__main__":
    main()
