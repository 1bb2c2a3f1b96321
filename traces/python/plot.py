#!/usr/bin/python3
"""Standard figures from a saffire sweep file (the /points table of `saffire sweep`).

    /usr/bin/python3 traces/python/plot.py SWEEP.h5 [--out DIR] [--tolerance 0.3]

Which figures it draws depends on the grid's coordinates:
  voltage x abft            ppl_vs_voltage.png, energy_vs_voltage.png, recompute_vs_voltage.png
  ber x components          ppl_vs_ber.png (PPL vs BER per component)
  ber x abft                recompute_vs_ber.png (recompute rate vs BER per policy)
  rows x dataflow (topology-like results with cycles and energy)  pareto.png (energy vs latency)
Needs only h5py, numpy, matplotlib (Debian) and saffire_traces.py beside it.
"""

import argparse
import collections
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import saffire_traces  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

POLICY_ORDER = ["none", "classic", "classic-correct", "dmr", "thundervolt", "approxabft", "statistical"]


def ok_points(trace):
    """(coordinates, result) of every successful point."""
    out = []
    for p in trace.point_dicts():
        if p["status"] == "ok" and isinstance(p["result"], dict):
            out.append((p["coordinates"], p["result"]))
    return out


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _order(names):
    known = [n for n in POLICY_ORDER if n in names]
    return known + sorted(n for n in names if n not in POLICY_ORDER)


def policy_label(c):
    """The policy of a point: its --abft, plus the stem of its --abft-config when the grid varies it."""
    label = c.get("abft", "")
    if "abft-config" in c:
        label += " (" + os.path.splitext(os.path.basename(c["abft-config"]))[0] + ")"
    return label


def voltage_rows(points):
    """{policy: [(V, ppl_delta, ppl, top1, recompute_rate, energy_saving, energy_per_token_pj)] sorted by V desc}."""
    by = collections.defaultdict(list)
    for c, r in points:
        if "voltage" not in c or not ("abft" in c or "abft-config" in c):
            continue
        a = r.get("abft", {})
        if "abft" not in c:  # the policy is fixed in that sweep: take it from the result
            c = dict(c, abft=a.get("scheme", "?"))
        by[policy_label(c)].append((float(c["voltage"]), r.get("ppl_delta", math.nan), r.get("ppl", math.nan),
                              r.get("top1_agreement", math.nan), a.get("recompute_rate", 0.0),
                              a.get("energy_saving", math.nan), a.get("energy_per_token_pj", math.nan)))
    for k in by:
        by[k].sort(key=lambda t: -t[0])
    return by


def headline(points, tolerance):
    """Per policy: (lowest, best). `lowest` is the point at the lowest voltage down to which every point's PPL
    degradation stays within `tolerance` (from nominal down); `best` is the point of that range with the
    largest energy saving."""
    rows = []
    by = voltage_rows(points)
    for pol in _order(by.keys()):
        lowest, best = None, None
        for t in by[pol]:  # from high to low voltage: stop at the first point over the tolerance
            if not (t[1] <= tolerance):
                break
            lowest = t
            if best is None or t[5] > best[5]:
                best = t
        rows.append((pol, lowest, best))
    return rows


def plot_voltage(points, out_dir, tolerance):
    by = voltage_rows(points)
    if not by:
        return []
    made = []
    specs = [("ppl_vs_voltage.png", 1, "PPL degradation (PPL - clean PPL)", True),
             ("energy_vs_voltage.png", 5, "energy saving vs nominal voltage, no ABFT (%)", False),
             ("recompute_vs_voltage.png", 4, "GEMMs recomputed (%)", False)]
    for name, idx, ylabel, logy in specs:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for pol in _order(by.keys()):
            v = [t[0] for t in by[pol]]
            y = [t[idx] * (100.0 if idx in (4, 5) else 1.0) for t in by[pol]]
            if logy:
                y = [max(val, 1e-4) if val == val else math.nan for val in y]
            ax.plot(v, y, marker="o", ms=3, label=pol)
        if logy:
            ax.set_yscale("log")
            ax.axhline(tolerance, color="grey", ls="--", lw=1, label=f"tolerance {tolerance}")
        ax.set_xlabel("supply voltage (V)")
        ax.set_ylabel(ylabel)
        ax.invert_xaxis()
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = os.path.join(out_dir, name)
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append(path)
    return made


def plot_ber(points, out_dir):
    made = []
    comp = collections.defaultdict(list)
    pol = collections.defaultdict(list)
    for c, r in points:
        if "ber" not in c:
            continue
        ber = float(c["ber"])
        if "components" in c:
            comp[c["components"]].append((ber, r.get("ppl", math.nan)))
        if "abft" in c and "voltage" not in c:
            pol[c["abft"]].append((ber, 100.0 * r.get("abft", {}).get("recompute_rate", 0.0)))
    for data, name, ylabel, logy in ((comp, "ppl_vs_ber.png", "perplexity", True),
                                     (pol, "recompute_vs_ber.png", "GEMMs recomputed (%)", False)):
        if not data:
            continue
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for key in _order(data.keys()):
            pts = sorted(data[key])
            # mean over repeated points (seeds) at the same BER
            agg = collections.OrderedDict()
            for b, y in pts:
                agg.setdefault(b, []).append(y)
            ax.plot(list(agg), [sum(v) / len(v) for v in agg.values()], marker="o", ms=3, label=key)
        ax.set_xscale("log")
        if logy:
            ax.set_yscale("log")
        ax.set_xlabel("bit error rate (per output word)")
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = os.path.join(out_dir, name)
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append(path)
    return made


def plot_pareto(points, out_dir, title=None):
    pts = []
    for c, r in points:
        lat, en = _num(r.get("seconds_per_token", r.get("total_seconds"))), _num(r.get("energy_per_token_pj", r.get("total_energy_pj")))
        if lat is None or en is None or "rows" not in c:
            continue
        pts.append((lat, en, f'{c.get("model", "")} {c["rows"]}x{c.get("cols", c["rows"])} {c.get("dataflow", "")}'.strip(),
                    c.get("dataflow", "")))
    if not pts:
        return []
    fig, ax = plt.subplots(figsize=(7, 5))
    for df, marker in (("ws", "o"), ("os", "s"), ("", "^")):
        sel = [p for p in pts if p[3] == df]
        if sel:
            ax.scatter([p[0] * 1e3 for p in sel], [p[1] / 1e6 for p in sel], marker=marker, label=df or "points")
    # Pareto front: no other point is both faster and cheaper.
    front = sorted(p for p in pts if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in pts))
    ax.plot([p[0] * 1e3 for p in front], [p[1] / 1e6 for p in front], "k--", lw=1, label="Pareto front")
    for p in front:
        ax.annotate(p[2], (p[0] * 1e3, p[1] / 1e6), fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.set_xlabel("latency per token (ms)")
    ax.set_ylabel("energy per token (uJ)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out_dir, "pareto.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [path]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sweep", help="sweep file (HDF5 with a /points table)")
    ap.add_argument("--out", default=None, help="directory for the PNGs (default: beside the file)")
    ap.add_argument("--tolerance", type=float, default=0.3, help="allowed PPL degradation (voltage figures)")
    a = ap.parse_args(argv)
    try:
        trace = saffire_traces.load(a.sweep)
    except saffire_traces.TraceError as e:
        print(f"plot.py: {e}", file=sys.stderr)
        return 2
    points = ok_points(trace)
    if not points:
        print(f"plot.py: {a.sweep} has no successful points", file=sys.stderr)
        return 1
    out_dir = a.out or os.path.dirname(os.path.abspath(a.sweep))
    os.makedirs(out_dir, exist_ok=True)
    made = plot_voltage(points, out_dir, a.tolerance) + plot_ber(points, out_dir) + plot_pareto(points, out_dir)
    for m in made:
        print(m)
    if not made:
        print("plot.py: no standard figure fits this grid's coordinates", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
