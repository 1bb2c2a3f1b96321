#!/usr/bin/env python3
"""Cross-check saffire's scalesim memory model against SCALE-Sim v2 itself (an outside tool).

Usage: check_scalesim.py --scalesim DIR [--saffire build/saffire] [--work DIR] [--jobs N] [--quick] [--conv]

DIR is a checkout of scale-sim-v2 (github.com/scalesim-project/scale-sim-v2; the folder holding its
`scalesim` package), kept outside this repository; SCALE-Sim needs Debian's python3-numpy, python3-pandas,
python3-absl and python3-tqdm. For every array size x dataflow x SRAM sizes x bandwidth of the grid, one
SCALE-Sim run (USER bandwidth mode) takes all the grid's GEMMs as layers; saffire runs the same topology
with the same .cfg (`saffire topology T.csv --scalesim-config C.cfg --json --no-files`). Printed: per
quantity (total cycles, stall cycles, DRAM reads of ifmap and filter, DRAM writes of ofmap) the worst
relative error over all GEMMs and configs, and where it occurs. Exit 1 when total cycles differ by more
than 2 % or DRAM words by more than 1 % anywhere (the issue's targets). Not run by CTest.

--conv runs SCALE-Sim's convolution topology format instead (CONVS below, a depthwise layer among them):
SCALE-Sim lowers the convolutions itself, saffire reads the same file (`topology` detects the format from
the header), so the lowering is checked along with the memory model.
"""
import argparse
import concurrent.futures
import csv
import itertools
import json
import os
import pathlib
import subprocess
import sys

GEMMS = [  # (name, M, N, K): multiples and non-multiples of the array edges, a decode-like M = 1
    ("g0", 50, 20, 30), ("g1", 64, 40, 17), ("g2", 1, 64, 96), ("g3", 100, 33, 70),
    ("g4", 37, 100, 45), ("g5", 128, 64, 64), ("g6", 200, 16, 8), ("g7", 256, 300, 200),
]
CONVS = [  # (name, IFMAP H, W, filter H, W, channels, filters, stride): partial windows, depthwise, 1x1
    ("c0", 8, 8, 3, 3, 4, 8, 1), ("c1", 9, 9, 3, 3, 2, 5, 2), ("c2", 12, 10, 5, 3, 3, 16, 1),
    ("c3_DP", 8, 8, 3, 3, 3, 1, 1), ("c4", 1, 1, 1, 1, 64, 32, 1), ("c5", 14, 14, 1, 1, 32, 24, 2),
]
CONV_HEADER = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
ARRAYS = [(8, 8), (16, 16), (32, 32), (12, 14)]
DATAFLOWS = ["ws", "os"]
SRAMS_KB = [(1, 1, 1), (2, 4, 1), (64, 64, 64)]  # 1 kB: operands refetched; 64 kB: everything fits
BANDWIDTHS = [1, 4, 10, 64]
QUICK = dict(arrays=[(8, 8), (16, 16)], srams=[(1, 1, 1), (64, 64, 64)], bandwidths=[2, 10])

CFG = """[general]
run_name = run

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:    {i}
FilterSramSzkB:   {f}
OfmapSramSzkB:    {o}
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : {bw}
Dataflow : {df}
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: USER
"""

RUN_SCALESIM = """
import sys
sys.path.insert(0, sys.argv[1])
from scalesim.scale_sim import scalesim
s = scalesim(save_disk_space=True, verbose=False, config=sys.argv[2], topology=sys.argv[3],
             input_type_gemm=sys.argv[5] == "gemm")
s.run_scale(top_path=sys.argv[4])
"""


def read_report(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    return [dict(zip(header, (c.strip() for c in r))) for r in rows[1:] if r]


def run_point(args, point):
    (rows, cols), df, (i, f, o), bw = point
    name = f"{df}_{rows}x{cols}_sram{i}-{f}-{o}_bw{bw}"
    work = pathlib.Path(args.work) / name
    work.mkdir(parents=True, exist_ok=True)
    cfg = work / "run.cfg"
    cfg.write_text(CFG.format(rows=rows, cols=cols, i=i, f=f, o=o, bw=bw, df=df))
    if args.conv:
        topo = work / "convs.csv"
        topo.write_text(CONV_HEADER + "".join(",".join(str(x) for x in c) + ",\n" for c in CONVS))
        layers = [c for c in CONVS for _ in range(c[5] if "DP" in c[0] else 1)]  # depthwise: one GEMM per channel
    else:
        topo = work / "gemms.csv"
        topo.write_text("Layer,M,N,K,\n" + "".join(f"{n},{m},{nn},{k},\n" for n, m, nn, k in GEMMS))
        layers = GEMMS
    subprocess.run(["/usr/bin/python3", "-c", RUN_SCALESIM, args.scalesim, str(cfg), str(topo), str(work / "out"),
                    "conv" if args.conv else "gemm"], check=True, capture_output=True, cwd=work)
    compute = read_report(work / "out" / "run" / "COMPUTE_REPORT.csv")
    access = read_report(work / "out" / "run" / "DETAILED_ACCESS_REPORT.csv")
    ours = json.loads(subprocess.run([args.saffire, "topology", str(topo), "--scalesim-config", str(cfg), "--json",
                                      "--no-files", "--fidelity", "analytic"],
                                     check=True, capture_output=True, text=True).stdout)
    out = []
    assert len(compute) == len(layers) == len(ours["layers"]), (name, len(compute), len(ours["layers"]))
    for layer, c, a, s in zip(layers, compute, access, ours["layers"]):
        ref = {"total_cycles": float(c["Total Cycles"]), "stall_cycles": float(c["Stall Cycles"]),
               "dram_reads.ifmap": float(a["DRAM IFMAP Reads"]), "dram_reads.filter": float(a["DRAM Filter Reads"]),
               "dram_writes.ofmap": float(a["DRAM OFMAP Writes"])}
        got = {"total_cycles": s["total_cycles"], "stall_cycles": s["stall_cycles"],
               "dram_reads.ifmap": s["dram_reads"]["ifmap"], "dram_reads.filter": s["dram_reads"]["filter"],
               "dram_writes.ofmap": s["dram_writes"]["ofmap"]}
        out.append((name, layer, ref, got))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scalesim", default=os.environ.get("SCALESIM_DIR", ""), help="scale-sim-v2 checkout")
    p.add_argument("--saffire", default=str(pathlib.Path(__file__).resolve().parents[2] / "build" / "saffire"))
    p.add_argument("--work", default="/tmp/saffire_check_scalesim")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--quick", action="store_true", help="a smaller grid")
    p.add_argument("--conv", action="store_true", help="SCALE-Sim's convolution topology format (CONVS)")
    args = p.parse_args()
    if not (pathlib.Path(args.scalesim) / "scalesim" / "scale_sim.py").is_file():
        sys.exit(f"--scalesim {args.scalesim!r}: not a scale-sim-v2 checkout (no scalesim/scale_sim.py)")
    arrays = QUICK["arrays"] if args.quick else ARRAYS
    srams = QUICK["srams"] if args.quick else SRAMS_KB
    bandwidths = QUICK["bandwidths"] if args.quick else BANDWIDTHS
    points = list(itertools.product(arrays, DATAFLOWS, srams, bandwidths))
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for r in pool.map(lambda pt: run_point(args, pt), points):
            results.extend(r)

    print(f"grid: {len(CONVS) if args.conv else len(GEMMS)} {'convolutions' if args.conv else 'GEMMs'} x arrays {arrays} x {DATAFLOWS} x SRAM kB {srams} x bandwidth {bandwidths} "
          f"= {len(results)} GEMM runs")
    print(f"{'quantity':<20} {'worst rel. error':>16} {'exact':>8}   where (SCALE-Sim / saffire)")
    failed = False
    for q, limit in [("total_cycles", 0.02), ("stall_cycles", None), ("dram_reads.ifmap", 0.01),
                     ("dram_reads.filter", 0.01), ("dram_writes.ofmap", 0.01)]:
        worst, where, exact = -1.0, "", 0
        for name, layer, ref, got in results:
            err = abs(got[q] - ref[q]) / max(abs(ref[q]), 1.0)
            exact += got[q] == ref[q]
            if err > worst:
                worst, where = err, f"{name} {layer[0]} {layer[1:]}: {ref[q]:g} / {got[q]:g}"
        print(f"{q:<20} {100 * worst:>15.4f}% {exact:>4}/{len(results)}   {where}")
        failed |= limit is not None and worst > limit
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
