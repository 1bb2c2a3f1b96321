#!/usr/bin/python3
"""Architecture exploration, one command:

    experiments/explore/run.py [--config experiments/explore/sweep.toml] [--out out/explore] [--scheme statistical]
                               [--saffire PATH] [--no-run]

Runs `saffire sweep` on the config (model preset x array size x dataflow: cycles, utilization, energy per
token), adds the area and power overhead of the ABFT scheme for each array (`saffire overhead --json`), and
writes OUT/explore.md (one table per model) and OUT/pareto_<model>.png (energy vs latency per token).
"""

import argparse
import collections
import json
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



def overhead(saffire, size, dataflow, node, scheme):
    cmd = [saffire, "overhead", "--rows", str(size), "--cols", str(size), "--dataflow", dataflow, "--node", str(node),
           "--json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    j = json.loads(out)
    for s in j["schemes"]:
        if s["scheme"] == scheme:
            return s["area_pct"], s["power_pct"]
    sys.exit(f"run.py: {' '.join(cmd)}: no scheme {scheme} in its output")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=os.path.join(ROOT, "experiments", "explore", "sweep.toml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "explore"))
    ap.add_argument("--scheme", default="statistical", help="ABFT scheme whose overhead is tabulated")
    ap.add_argument("--node", type=int, default=14)
    ap.add_argument("--saffire", default=None)
    ap.add_argument("--no-run", action="store_true")
    a = ap.parse_args()
    saffire = find_saffire(a.saffire, "run.py")
    os.makedirs(a.out, exist_ok=True)
    sweep_file = os.path.join(a.out, "explore.h5")
    t0 = time.time()
    if not a.no_run:
        rc = subprocess.call([saffire, "sweep", a.config, "--out", sweep_file])
        if rc != 0:
            sys.exit(f"run.py: saffire sweep exited with {rc}")
    points = plot.ok_points(saffire_traces.load(sweep_file))
    by_model = collections.defaultdict(list)
    cache = {}
    for c, r in points:
        size, df = int(c["size"]), c["dataflow"]
        if (size, df) not in cache:
            cache[(size, df)] = overhead(saffire, size, df, a.node, a.scheme)
        area, power = cache[(size, df)]
        by_model[c["model"]].append((size, df, r["total_cycles"], r["utilization"], r["seconds_per_token"],
                                     r["energy_per_token_pj"], area, power))
    lines = [f"# Architecture exploration (prefill, {a.node} nm, ABFT overhead: {a.scheme})", ""]
    for model in sorted(by_model):
        rows = sorted(by_model[model], key=lambda t: (t[1], t[0]))
        lines += [f"## {model}", "", "| array | dataflow | cycles | utilization | latency / token | energy / token | "
                  f"{a.scheme} area | {a.scheme} power |", "|---|---|---|---|---|---|---|---|"]
        for size, df, cyc, util, spt, ept, area, power in rows:
            lines.append(f"| {size}x{size} | {df} | {cyc:,} | {100 * util:.1f} % | {spt * 1e6:.3g} us | "
                         f"{ept / 1e6:.4g} uJ | +{area:.2f} % | +{power:.2f} % |")
        lines.append("")
        pts = [({"model": model, "rows": str(s), "dataflow": d}, {"seconds_per_token": spt, "energy_per_token_pj": ept})
               for s, d, _, _, spt, ept, _, _ in rows]
        made = plot.plot_pareto(pts, a.out, title=f"{model}, prefill, {a.node} nm: energy vs latency per token")
        for m in made:
            os.replace(m, os.path.join(a.out, f"pareto_{model}.png"))
    md = os.path.join(a.out, "explore.md")
    with open(md, "w") as f:
        f.write("\n".join(lines))
    print(md)
    print(f"run.py: {time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
