#!/usr/bin/python3
"""Reproducibility of stories260K on floating-point PEs across arrays (issue 13 item 5, HEAL's question on an
accelerator): greedy continuations of 16 prompts on 8 arrays (32, 64, 128, 256 x WS, OS) in BF16, FP16 and
FP8 (E4M3) with FP32 accumulators, against FP32 (the host's FP32 path) and against each other; PPL per config;
then HEAL's mitigations (--int16-qkv, --compensated, both): is reproducibility restored, and at what cycle and
energy cost against FP32 PEs.

Every continuation runs `saffire generate --json --engine cpu` (bit-identical to the array engine of the same
array: tests/sim/test_float_pe_forward.cpp), every PPL `saffire eval --json --engine array` (which counts the
array's GEMMs, cycles and MACs per component). Energy is the PEs' arithmetic only, from Horowitz (ISSCC 2014,
45 nm) per operation: FP32 multiply 3.7 pJ + FP32 add 0.9 pJ (an FP32 PE), FP16 multiply 1.1 pJ + FP32 add
0.9 pJ (a BF16/FP16 PE with an FP32 accumulator; BF16's multiplier is taken as FP16's), and two assumptions
of this study: an FP8 multiply at FP16's x (4/11)^2 (significand-squared scaling), 0.15 pJ, and an INT16
multiply at 4x INT8's 0.2 pJ = 0.8 pJ with a 32-bit integer add of 0.1 pJ. FP32 PEs run each GEMM once, in
the cycles of the same GEMM on 16-bit PEs.

Writes DIR/numerics_study.h5, DIR/numerics_study.md and DIR/numerics_study.png. Each run's output is kept in
DIR/runs/, so an interrupted study resumes.

  /usr/bin/python3 experiments/numerics/numerics_study.py [--saffire build/saffire] [--out out/numerics]
      [--jobs 2] [--steps 80] [--paragraphs 20]
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from study_support import find_saffire, shrink_png  # noqa: E402

SCHEMA = "saffire-numerics-study"
SCHEMA_VERSION = 1

PROMPTS = [
    "Once upon a time", "One day, a little girl", "Tom and his dog", "The sun was hot and",
    "Lily wanted to play with", "There was a big red", "Mom said it was time to", "The little bird could not",
    "In the park, Ben saw", "Sam had a new toy", "The cat and the mouse", "It was a rainy day and",
    "Anna found a shiny", "The old man lived in", "Max was sad because", "At night, the stars",
]
ARRAYS = [(s, d) for s in (32, 64, 128, 256) for d in ("ws", "os")]
PRECISIONS = ["bf16", "fp16", "fp8"]
MITIGATIONS = {"none": [], "int16-qkv": ["--int16-qkv"], "compensated": ["--compensated"],
               "both": ["--int16-qkv", "--compensated"]}
MITIGATED_PRECISIONS = ["bf16"]  # HEAL's 16-bit pipelines (BF16 only: the study stays within minutes on 2 shared cores)

# pJ per MAC of the PEs' arithmetic (see the docstring).
PJ_FP32_PE = 3.7 + 0.9
PJ_PE = {"bf16": 1.1 + 0.9, "fp16": 1.1 + 0.9, "fp8": 1.1 * (4 / 11) ** 2 + 0.9}
PJ_INT16_PE = 0.8 + 0.1


def run_cached(saffire, out, args):
    key = hashlib.sha1(" ".join(args).encode()).hexdigest()[:16]
    path = os.path.join(out, "runs", key + ".json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    r = subprocess.run(["nice", "-n", "5", saffire] + args, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"saffire {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    data = json.loads(r.stdout.strip().splitlines()[-1])
    data["args"] = args
    with open(path + ".tmp", "w") as f:
        json.dump(data, f)
    os.replace(path + ".tmp", path)
    return data


def config_name(prec, size, df, mit):
    return f"{prec} {size}x{size} {df.upper()}" + ("" if mit == "none" else f" +{mit}")


def first_divergence(a, b):
    """Index (among generated tokens) of the first differing token, -1 when identical."""
    for i in range(max(len(a), len(b))):
        if i >= len(a) or i >= len(b) or a[i] != b[i]:
            return i
    return -1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--saffire", default=None)
    ap.add_argument("--out", default="out/numerics")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--steps", type=int, default=80)
    ap.add_argument("--paragraphs", type=int, default=20)
    a = ap.parse_args()
    saffire = find_saffire(a.saffire, __file__)
    os.makedirs(os.path.join(a.out, "runs"), exist_ok=True)

    configs = [(p, s, d, "none") for p in PRECISIONS for (s, d) in ARRAYS]
    configs += [(p, s, d, m) for p in MITIGATED_PRECISIONS for m in ("int16-qkv", "compensated", "both")
                for (s, d) in ARRAYS]

    def gen_args(prompt, cfg):
        base = ["generate", "--json", "--steps", str(a.steps), "--prompt", prompt, "--threads", "1"]
        if cfg is None:
            return base
        p, s, d, m = cfg
        return base + ["--precision", p, "--engine", "cpu", "--size", str(s), "--dataflow", d] + MITIGATIONS[m]

    def eval_args(cfg):
        base = ["eval", "--json", "--paragraphs", str(a.paragraphs), "--threads", "1"]
        if cfg is None:
            return base
        p, s, d, m = cfg
        return base + ["--precision", p, "--engine", "array", "--size", str(s), "--dataflow", d] + MITIGATIONS[m]

    jobs = [("gen", i, None) for i in range(len(PROMPTS))]
    jobs += [("gen", i, c) for c in configs for i in range(len(PROMPTS))]
    jobs += [("eval", -1, None)] + [("eval", -1, c) for c in configs]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futs = {}
        for kind, i, c in jobs:
            args = gen_args(PROMPTS[i], c) if kind == "gen" else eval_args(c)
            futs[pool.submit(run_cached, saffire, a.out, args)] = (kind, i, c)
        done = 0
        for f in concurrent.futures.as_completed(futs):
            results[futs[f]] = f.result()
            done += 1
            if done % 50 == 0:
                print(f"{done}/{len(futs)} runs", file=sys.stderr)

    def generated(kind_i_c):
        r = results[kind_i_c]
        return r["tokens"][r["prompt_tokens"]:]

    ref = [generated(("gen", i, None)) for i in range(len(PROMPTS))]
    fp32_eval = results[("eval", -1, None)]
    rows = []
    for c in configs:
        p, s, d, m = c
        toks = [generated(("gen", i, c)) for i in range(len(PROMPTS))]
        div = [first_divergence(t, r) for t, r in zip(toks, ref)]
        e = results[("eval", -1, c)]
        comps = e["array_components"]
        att_macs = sum(comps.get(k, {}).get("macs", 0) for k in ("qk", "pv"))
        macs = e["array_macs"]
        # Energy of the PEs' arithmetic: compensated GEMMs are already 3x in the MAC count.
        if m in ("int16-qkv", "both"):
            pj = (macs - att_macs) * PJ_PE[p] + att_macs * PJ_INT16_PE
        else:
            pj = macs * PJ_PE[p]
        plain = results[("eval", -1, (p, s, d, "none"))]
        rows.append({"config": config_name(*c), "precision": p, "size": s, "dataflow": d, "mitigation": m,
                     "tokens": toks, "div_fp32": div, "ppl": e["ppl"], "cycles": e["array_cycles"], "macs": macs,
                     "pe_energy_pj": pj, "fp32_pe_cycles": plain["array_cycles"],
                     "fp32_pe_energy_pj": plain["array_macs"] * PJ_FP32_PE})

    # Agreement across the 8 arrays of one (precision, mitigation): per prompt, the first generated token at
    # which any two arrays differ (-1: all 8 identical).
    groups = {}
    for r in rows:
        groups.setdefault((r["precision"], r["mitigation"]), []).append(r)
    across = {}
    for key, rs in groups.items():
        firsts = []
        for i in range(len(PROMPTS)):
            seqs = [r["tokens"][i] for r in rs]
            cands = [first_divergence(x, y) for x in seqs for y in seqs if x is not y]
            cands = [v for v in cands if v >= 0]
            f = min(cands) if cands else -1
            firsts.append(f)
        pair = np.zeros((len(rs), len(rs)), dtype=np.int32)
        for x in range(len(rs)):
            for y in range(len(rs)):
                pair[x, y] = sum(first_divergence(rs[x]["tokens"][i], rs[y]["tokens"][i]) >= 0 for i in range(len(PROMPTS)))
        across[key] = {"first": firsts, "pairs": pair, "names": [r["config"] for r in rs]}

    write_h5(a.out, rows, across, fp32_eval, a)
    write_md(a.out, rows, across, fp32_eval, a)
    plot(a.out, rows, across)


def write_h5(out, rows, across, fp32_eval, a):
    path = os.path.join(out, "numerics_study.h5")
    with h5py.File(path, "w") as f:
        f.attrs["schema"] = SCHEMA
        f.attrs["schema_version"] = SCHEMA_VERSION
        f.attrs["prompts"] = json.dumps(PROMPTS)
        f.attrs["steps"] = a.steps
        f.attrs["paragraphs"] = a.paragraphs
        f.attrs["fp32_ppl"] = fp32_eval["ppl"]
        g = f.create_group("configs")
        g["name"] = np.array([r["config"] for r in rows], dtype=h5py.string_dtype())
        g["precision"] = np.array([r["precision"] for r in rows], dtype=h5py.string_dtype())
        g["mitigation"] = np.array([r["mitigation"] for r in rows], dtype=h5py.string_dtype())
        g["dataflow"] = np.array([r["dataflow"] for r in rows], dtype=h5py.string_dtype())
        for k in ("size", "cycles", "macs", "fp32_pe_cycles"):
            g[k] = np.array([r[k] for r in rows], dtype=np.int64)
        for k in ("ppl", "pe_energy_pj", "fp32_pe_energy_pj"):
            g[k] = np.array([r[k] for r in rows], dtype=np.float64)
        # (configs, prompts): first generated token differing from FP32's (-1: identical).
        g["first_divergence_fp32"] = np.array([r["div_fp32"] for r in rows], dtype=np.int32)
        x = f.create_group("across_arrays")
        for (p, m), v in across.items():
            h = x.create_group(f"{p}_{m}")
            h["first_divergence"] = np.array(v["first"], dtype=np.int32)  # (prompts,) -1: all 8 arrays agree
            h["differing_prompts"] = v["pairs"]  # (8, 8) prompts whose continuations differ
            h["arrays"] = np.array(v["names"], dtype=h5py.string_dtype())


def write_md(out, rows, across, fp32_eval, a):
    n = len(PROMPTS)
    lines = [f"# Numerics study: stories260K on floating-point PEs ({n} prompts, {a.steps} positions, "
             f"PPL on {a.paragraphs} paragraphs of tinystories_val, ctx 256)", "",
             f"FP32 PPL {fp32_eval['ppl']:.4f}.", "",
             "| config | prompts diverging from FP32 | first divergence (median / min token) | PPL | cycles vs FP32 PEs | PE energy vs FP32 PEs |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        d = [v for v in r["div_fp32"] if v >= 0]
        med = f"{int(np.median(d))} / {min(d)}" if d else "-"
        lines.append(f"| {r['config']} | {len(d)} / {n} | {med} | {r['ppl']:.4f} | "
                     f"{r['cycles'] / r['fp32_pe_cycles']:.2f}x | {r['pe_energy_pj'] / r['fp32_pe_energy_pj']:.2f}x |")
    lines += ["", "## Across the 8 arrays", "",
              "| precision | mitigation | prompts where the 8 arrays disagree | first disagreement (median / min token) |",
              "|---|---|---|---|"]
    for (p, m), v in across.items():
        d = [x for x in v["first"] if x >= 0]
        med = f"{int(np.median(d))} / {min(d)}" if d else "-"
        lines.append(f"| {p} | {m} | {len(d)} / {n} | {med} |")
    with open(os.path.join(out, "numerics_study.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def plot(out, rows, across):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    names = list(across.keys())
    vals = [sum(x >= 0 for x in across[k]["first"]) for k in names]
    vs32 = []
    for p, m in names:
        rs = [r for r in rows if r["precision"] == p and r["mitigation"] == m]
        vs32.append(np.mean([sum(v >= 0 for v in r["div_fp32"]) for r in rs]))
    xs = np.arange(len(names))
    axes[0].bar(xs - 0.2, vals, 0.4, label="8 arrays disagree")
    axes[0].bar(xs + 0.2, vs32, 0.4, label="differ from FP32 (mean over arrays)")
    axes[0].set_xticks(xs)
    axes[0].set_xticklabels([f"{p}\n{m}" for p, m in names], fontsize=7)
    axes[0].set_ylabel(f"prompts (of {len(PROMPTS)})")
    axes[0].legend(fontsize=8)
    axes[0].set_title("greedy continuations")
    for m, mk in (("none", "o"), ("int16-qkv", "s"), ("compensated", "^"), ("both", "D")):
        rs = [r for r in rows if r["mitigation"] == m and r["precision"] in ("bf16", "fp16")]
        if rs:
            axes[1].scatter([r["pe_energy_pj"] / r["fp32_pe_energy_pj"] for r in rs],
                            [r["cycles"] / r["fp32_pe_cycles"] for r in rs], marker=mk, label=m)
    axes[1].axvline(1.0, color="gray", lw=0.8)
    axes[1].axhline(1.0, color="gray", lw=0.8)
    axes[1].set_xlabel("PE arithmetic energy / FP32 PEs")
    axes[1].set_ylabel("array cycles / FP32 PEs")
    axes[1].legend(fontsize=8)
    axes[1].set_title("cost of the mitigations (BF16/FP16 PEs)")
    fig.tight_layout()
    path = os.path.join(out, "numerics_study.png")
    fig.savefig(path, dpi=90)
    shrink_png(path)


if __name__ == "__main__":
    main()
