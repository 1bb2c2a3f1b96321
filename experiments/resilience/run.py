#!/usr/bin/python3
"""Resilience characterization of stories260K under accumulator bit flips (ReaLM's study, DAC 2025).

One command reproduces the whole study:

    experiments/resilience/run.py [--paragraphs 50] [--seeds 3] [--jobs N] [--out out/resilience]

Studies (every eval point runs `saffire eval --precision w8a8 ... --json` once per seed):
  ber     PPL vs BER 1e-8..1e-1 (decades) for each of the nine GEMM components, faults in layer 0 only
          and in all layers, flipping bit 30 and a uniform random bit 0..29.
  bits    bit-position sweep (6..30 step 2) for a resilient and a sensitive component (k, o),
          layer 0, BER 1e-2 (ReaLM's K sweep setting).
  layer   faults in one layer at a time (0..n_layers-1) for o, down (BER 1e-3) and k (BER 1e-2), bit 30.
  stage   prefill vs decode vs both, with `saffire generate` (greedy): faults in all layers, bit 30;
          metric = the faulty continuation against the clean one (exact match, common-prefix share).

Results are appended per point to DIR/resilience.h5 (datasets `points` and `generate`, keyed by each
point's parameters) and skipped when the script is rerun; then DIR/resilience.md and the PNG plots are
written from everything in the file that matches the current settings.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import math
import os
import re
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # experiments/: study_support
from study_support import find_saffire  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
COMPONENTS = ["q", "k", "v", "o", "gate", "up", "down", "qk", "pv"]
LABEL = {"q": "Q", "k": "K", "v": "V", "o": "O", "gate": "gate (w1)", "up": "up (w3)", "down": "down (w2)",
         "qk": "QK$^T$", "pv": "PV"}
BERS = [10.0 ** e for e in range(-8, 0)]           # 1e-8 .. 1e-1
SWEEP_BITS = list(range(6, 31, 2))                 # 6, 8, ..., 30
SWEEP_COMPONENTS = ["k", "o"]
SWEEP_BER = 1e-2
LAYER_STUDY = {"o": 1e-3, "down": 1e-3, "k": 1e-2}
STAGE_COMPONENTS = ["o", "down", "k"]
STAGE_BERS = [1e-5, 1e-4, 1e-3]
STAGES = ["prefill", "decode", "both"]
RANDOM_BITS = "0-29"

POINT_DTYPE = np.dtype([
    ("key", "S112"), ("component", "S8"), ("layers", "S8"), ("bit_mode", "S8"), ("bit", "i4"),
    ("ber", "f8"), ("seed", "i4"), ("paragraphs", "i4"), ("ctx", "i4"), ("stage", "S8"),
    ("ppl", "f8"), ("ppl_clean", "f8"), ("ppl_delta", "f8"), ("top1_agreement", "f8"),
    ("faults", "i8"), ("clamped", "i8"), ("outcome", "S12"), ("seconds", "f8")])
GEN_DTYPE = np.dtype([
    ("key", "S112"), ("component", "S8"), ("layers", "S8"), ("bit", "i4"), ("ber", "f8"), ("seed", "i4"),
    ("stage", "S8"), ("prompts", "i4"), ("steps", "i4"), ("exact_match", "f8"), ("prefix_agreement", "f8"),
    ("faults", "i8"), ("prompt_tokens", "i8"), ("generated_tokens", "i8"), ("seconds", "f8")])


# ----------------------------------------------------------------------------------------------- points
@dataclass(frozen=True)
class EvalPoint:
    component: str
    layers: str          # "all" or a layer index as text
    bit: int             # -1: uniform random bit in RANDOM_BITS
    ber: float
    seed: int

    @property
    def bit_mode(self) -> str:
        return "random" if self.bit < 0 else "fixed"

    def key(self, paragraphs: int, ctx: int) -> str:
        b = RANDOM_BITS if self.bit < 0 else str(self.bit)
        return f"eval|{self.component}|L{self.layers}|b{b}|ber{self.ber:.3e}|s{self.seed}|p{paragraphs}|c{ctx}|prefill"


@dataclass(frozen=True)
class GenPoint:
    component: str
    stage: str
    ber: float
    seed: int

    def key(self, prompts: int, steps: int) -> str:
        return f"gen|{self.component}|Lall|b30|ber{self.ber:.3e}|s{self.seed}|{self.stage}|n{prompts}|t{steps}"


# ------------------------------------------------------------------------------------------- running
def run_eval(saffire: str, pt: EvalPoint, paragraphs: int, ctx: int) -> dict:
    cmd = [saffire, "eval", "--precision", "w8a8", "--engine", "cpu", "--threads", "1",
           "--paragraphs", str(paragraphs), "--ctx", str(ctx), "--ber", repr(pt.ber),
           "--fault-seed", str(pt.seed), "--components", pt.component, "--layers", pt.layers,
           "--fault-stage", "prefill", "--json"]
    cmd += ["--bit-range", RANDOM_BITS] if pt.bit < 0 else ["--bit", str(pt.bit)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\nexit {p.returncode}: {p.stderr.strip()}")
    j = json.loads(p.stdout)
    num = lambda v: float("nan") if v is None else float(v)  # nlohmann writes inf/nan as null
    return {"ppl": num(j["ppl"]), "ppl_clean": num(j["ppl_clean"]), "ppl_delta": num(j["ppl_delta"]),
            "top1_agreement": num(j["top1_agreement"]), "faults": int(j["faults"]), "clamped": int(j["clamped"]),
            "outcome": j["outcome"], "seconds": time.monotonic() - t0}


GEN_STATS = re.compile(r"prompt (\d+) tokens.*?; (\d+) generated")
GEN_FAULTS = re.compile(r"\[faults\] (\d+) injected")


def generate(saffire: str, prompt: str, steps: int, fault_args: list[str]) -> tuple[str, int, int, int]:
    cmd = [saffire, "generate", "--precision", "w8a8", "--engine", "cpu", "--threads", "1",
           "--prompt", prompt, "--steps", str(steps)] + fault_args
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\nexit {p.returncode}: {p.stderr.strip()}")
    m = GEN_STATS.search(p.stderr)
    f = GEN_FAULTS.search(p.stderr)
    text = p.stdout[:-1] if p.stdout.endswith("\n") else p.stdout
    return text, int(m.group(1)) if m else 0, int(m.group(2)) if m else 0, int(f.group(1)) if f else 0


def continuation(text: str, prompt: str) -> str:
    return text[len(prompt):] if text.startswith(prompt) else text


def run_gen(saffire: str, pt: GenPoint, prompts: list[str], clean: list[str], steps: int) -> dict:
    t0 = time.monotonic()
    fault_args = ["--ber", repr(pt.ber), "--bit", "30", "--fault-seed", str(pt.seed), "--components", pt.component,
                  "--layers", "all", "--fault-stage", pt.stage]
    exact, prefix, faults, ptoks, gtoks = [], [], 0, 0, 0
    for prompt, ref in zip(prompts, clean):
        text, pn, gn, fn = generate(saffire, prompt, steps, fault_args)
        out = continuation(text, prompt)
        common = len(os.path.commonprefix([out, ref]))
        exact.append(out == ref)
        prefix.append(common / max(len(ref), 1) if out != ref else 1.0)
        faults, ptoks, gtoks = faults + fn, ptoks + pn, gtoks + gn
    return {"exact_match": float(np.mean(exact)), "prefix_agreement": float(np.mean(prefix)), "faults": faults,
            "prompt_tokens": ptoks, "generated_tokens": gtoks, "seconds": time.monotonic() - t0}


# ------------------------------------------------------------------------------------------------- HDF5
def read_table(path: Path, name: str) -> np.ndarray | None:
    if not path.exists():
        return None
    with h5py.File(path, "r") as f:
        return f[name][...] if name in f else None


def append_row(path: Path, name: str, dtype: np.dtype, row: dict, attrs: dict) -> None:
    """Open, append one row, close: a kill between points never leaves the file half written."""
    rec = np.zeros(1, dtype=dtype)
    for k in dtype.names:
        v = row[k]
        rec[k] = v.encode() if isinstance(v, str) else v
    with h5py.File(path, "a") as f:
        if name not in f:
            f.create_dataset(name, shape=(0,), maxshape=(None,), dtype=dtype, chunks=(256,))
        d = f[name]
        d.resize((d.shape[0] + 1,))
        d[-1] = rec[0]
        for k, v in attrs.items():
            f.attrs[k] = v
        f.flush()


def decode(a: np.ndarray, field: str) -> np.ndarray:
    return np.char.decode(a[field], "utf-8")


# ------------------------------------------------------------------------------------------------- stats
def t975(df: int) -> float:
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, df))
    except ImportError:  # two-sided 95 % t quantiles for df 1..10, then the normal limit
        table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
        return table[df - 1] if df <= len(table) else 1.96 + 2.5 / df


def mean_ci(values) -> tuple[float, float, int]:
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    n = len(v)
    if n == 0:
        return float("nan"), float("nan"), 0
    if n == 1:
        return float(v[0]), float("nan"), 1
    return float(v.mean()), t975(n - 1) * float(v.std(ddof=1)) / math.sqrt(n), n


def fmt_ppl(m: float, h: float) -> str:
    if not np.isfinite(m):
        return "inf"
    digits = 3 if m < 10 else (1 if m < 1000 else 0)
    s = f"{m:.{digits}f}" if m < 1e6 else f"{m:.2e}"
    if np.isfinite(h) and h > 0:
        s += f" ±{h:.{digits}f}" if m < 1e6 else f" ±{h:.1e}"
    return s


# ------------------------------------------------------------------------------------------------- study
def model_layers(model_path: str) -> int:
    with open(model_path, "rb") as f:
        head = f.read(256)
    if head[:4] == b"ak42":  # llama2.c v1 export: magic, version, then the same 7 ints
        return struct.unpack("<7i", head[8:36])[2]
    return struct.unpack("<7i", head[:28])[2]



def read_prompts(text_path: str, n: int, chars: int) -> list[str]:
    """The first n paragraphs of at least `chars` characters, cut at the last space before `chars`."""
    text = Path(text_path).read_text(encoding="utf-8", errors="replace")
    out = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if len(para) < chars + 20 or not para.isascii():
            continue
        out.append(para[:para.rfind(" ", 0, chars)])
        if len(out) == n:
            break
    return out


def eval_points(seeds: list[int], n_layers: int) -> list[EvalPoint]:
    pts: list[EvalPoint] = []
    for layers in ("0", "all"):
        for bit in (30, -1):
            for c in COMPONENTS:
                for ber in BERS:
                    pts += [EvalPoint(c, layers, bit, ber, s) for s in seeds]
    for c in SWEEP_COMPONENTS:
        for bit in SWEEP_BITS:
            pts += [EvalPoint(c, "0", bit, SWEEP_BER, s) for s in seeds]
    for c, ber in LAYER_STUDY.items():
        for layer in range(n_layers):
            pts += [EvalPoint(c, str(layer), 30, ber, s) for s in seeds]
    seen, unique = set(), []
    for p in pts:  # the studies share some points (e.g. bit 30 / layer 0 / BER 1e-2)
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


def gen_points(seeds: list[int]) -> list[GenPoint]:
    return [GenPoint(c, st, ber, s) for c in STAGE_COMPONENTS for ber in STAGE_BERS for st in STAGES for s in seeds]


class Progress:
    def __init__(self, total: int, skipped: int):
        self.total, self.skipped, self.done, self.failed = total, skipped, 0, 0
        self.t0 = time.monotonic()
        self.last = 0.0
        self.tty = sys.stderr.isatty()

    def tick(self, what: str, failed: bool = False) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        el = now - self.t0
        rate = self.done / max(el, 1e-9)
        eta = (self.total - self.done) / rate if rate > 0 else float("inf")
        line = (f"[{self.done + self.skipped}/{self.total + self.skipped}] {rate:.2f} points/s, "
                f"elapsed {el / 60:.1f} min, ETA {eta / 60:.1f} min{', failed ' + str(self.failed) if self.failed else ''}"
                f" | {what}")
        if self.tty:
            print("\r" + line[:150].ljust(150), end="" if self.done < self.total else "\n", file=sys.stderr, flush=True)
        elif now - self.last > 15 or self.done == self.total:
            print(line, file=sys.stderr, flush=True)
            self.last = now


def run_all(args, saffire: str, h5: Path, attrs: dict, n_layers: int, prompts: list[str],
            clean: list[str]) -> tuple[int, int]:
    """Run every point not yet in the file; returns (failed, finished) point counts."""
    seeds = list(range(1, args.seeds + 1))
    have_e = read_table(h5, "points")
    have_g = read_table(h5, "generate")
    done_e = set(decode(have_e, "key")) if have_e is not None else set()
    done_g = set(decode(have_g, "key")) if have_g is not None else set()
    todo_e = [p for p in eval_points(seeds, n_layers) if p.key(args.paragraphs, args.ctx) not in done_e]
    todo_g = [] if args.no_generate else [p for p in gen_points(seeds) if p.key(len(prompts), args.gen_steps) not in done_g]
    skipped = (len(eval_points(seeds, n_layers)) - len(todo_e)) + (0 if args.no_generate else len(gen_points(seeds)) - len(todo_g))
    total = len(todo_e) + len(todo_g)
    print(f"run.py: {total} points to run ({skipped} already in {h5}), {args.jobs} jobs", file=sys.stderr)
    if total == 0:
        return 0, 0
    prog = Progress(total, skipped)
    failures = 0
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as pool:  # threads only wait on saffire processes
        futs = {}
        # Generate points first: they are short and their files are small; then eval points.
        for p in todo_g:
            futs[pool.submit(run_gen, saffire, p, prompts, clean, args.gen_steps)] = p
        for p in todo_e:
            futs[pool.submit(run_eval, saffire, p, args.paragraphs, args.ctx)] = p
        try:
            for fut in cf.as_completed(futs):
                p = futs[fut]
                try:
                    r = fut.result()
                except Exception as e:  # noqa: BLE001 - report, keep going, rerun retries it
                    failures += 1
                    print(f"\nrun.py: point failed: {p}: {e}", file=sys.stderr)
                    prog.tick(f"FAILED {p}", failed=True)
                    continue
                if isinstance(p, EvalPoint):
                    row = dict(key=p.key(args.paragraphs, args.ctx), component=p.component, layers=p.layers,
                               bit_mode=p.bit_mode, bit=p.bit, ber=p.ber, seed=p.seed, paragraphs=args.paragraphs,
                               ctx=args.ctx, stage="prefill", **r)
                    append_row(h5, "points", POINT_DTYPE, row, attrs)
                    what = (f"{p.component} L{p.layers} bit {p.bit if p.bit >= 0 else RANDOM_BITS} ber {p.ber:g} "
                            f"seed {p.seed}: ppl {r['ppl']:.4g}")
                else:
                    row = dict(key=p.key(len(prompts), args.gen_steps), component=p.component, layers="all", bit=30,
                               ber=p.ber, seed=p.seed, stage=p.stage, prompts=len(prompts), steps=args.gen_steps, **r)
                    append_row(h5, "generate", GEN_DTYPE, row, attrs)
                    what = f"generate {p.component} {p.stage} ber {p.ber:g} seed {p.seed}: match {r['exact_match']:.2f}"
                prog.tick(what)
        except KeyboardInterrupt:
            for f in futs:
                f.cancel()
            print("\nrun.py: interrupted; finished points are saved, rerun to resume", file=sys.stderr)
            raise
    return failures, prog.done - prog.failed


# ----------------------------------------------------------------------------------------------- reports
def load_eval(h5: Path, paragraphs: int, ctx: int) -> dict:
    """{(component, layers, bit, ber): [rows...]} for the current paragraphs/ctx."""
    a = read_table(h5, "points")
    out: dict = {}
    if a is None:
        return out
    a = a[(a["paragraphs"] == paragraphs) & (a["ctx"] == ctx)]
    comp, layers = decode(a, "component"), decode(a, "layers")
    for i in range(len(a)):
        out.setdefault((comp[i], layers[i], int(a["bit"][i]), float(f"{a['ber'][i]:.3e}")), []).append(a[i])
    return out


def stat(rows, field="ppl"):
    return mean_ci([float(r[field]) for r in rows])


def threshold(curve: list[tuple[float, float]], limit: float) -> float:
    """Lowest x whose mean is >= limit with every larger x also >= limit (nan if none)."""
    th = float("nan")
    for x, m in sorted(curve, reverse=True):
        if np.isfinite(m) and m >= limit:
            th = x
        else:
            break
    return th


def write_report(args, h5: Path, out: Path, clean_ppl: float, tokens_scored: int, n_layers: int,
                 runtime_s: float | None, prompts: list[str]) -> None:
    ev = load_eval(h5, args.paragraphs, args.ctx)
    seeds_note = f"mean ± 95 % CI half-width (t-distribution over {args.seeds} fault seeds)"
    L = []
    L.append("# Resilience of stories260K to accumulator bit flips (ReaLM's characterization)\n")
    L.append(f"Generated by `experiments/resilience/run.py`. Model stories260K (W8A8, per-channel weights, per-token "
             f"activations, INT8 attention products) on tinystories_val.txt: {args.paragraphs} paragraphs, ctx "
             f"{args.ctx}, prefill scoring (`saffire eval`). Faults: each INT32 GEMM output word is faulty with "
             f"probability BER, one bit XOR-flipped; ReaLM's clamp on the re-quantized outputs. "
             f"Clean W8A8 PPL **{clean_ppl:.4f}**. Cells: {seeds_note}."
             + (f" Points run by the last invocation took {runtime_s / 60:.1f} min." if runtime_s else "") + "\n")

    # PPL x BER tables
    for layers, lname in (("0", "layer 0 only"), ("all", "all layers")):
        for bit, bname in ((30, "bit 30"), (-1, f"random bit {RANDOM_BITS}")):
            L.append(f"\n## PPL vs BER, faults in {lname}, {bname}\n")
            L.append("| component | " + " | ".join(f"{b:.0e}" for b in BERS) + " |")
            L.append("|---|" + "---|" * len(BERS))
            for c in COMPONENTS:
                cells = []
                for b in BERS:
                    rows = ev.get((c, layers, bit, float(f"{b:.3e}")), [])
                    cells.append(fmt_ppl(*stat(rows)[:2]) if rows else "")
                L.append(f"| {c} | " + " | ".join(cells) + " |")
            if bit != 30:  # the faulty words depend on the seed and BER only, not on the bit rule
                continue
            L.append("\nMean injected faults per run (the same words are hit with bit 30 and random bits):\n")
            L.append("| component | " + " | ".join(f"{b:.0e}" for b in BERS) + " |")
            L.append("|---|" + "---|" * len(BERS))
            for c in COMPONENTS:
                cells = []
                for b in BERS:
                    rows = ev.get((c, layers, bit, float(f"{b:.3e}")), [])
                    cells.append(f"{np.mean([r['faults'] for r in rows]):.4g}" if rows else "")
                L.append(f"| {c} | " + " | ".join(cells) + " |")

    # thresholds
    L.append("\n## BER thresholds\n")
    L.append("Lowest BER from which the mean PPL stays >= 1.1x clean (noticeable) and >= 2x clean (severe) "
             "up to 1e-1; `-` = never within 1e-8..1e-1.\n")
    L.append("| component | L0 bit30 +10 % | L0 bit30 2x | all bit30 +10 % | all bit30 2x | L0 rand +10 % | "
             "all rand +10 % | all rand 2x |")
    L.append("|---|---|---|---|---|---|---|---|")
    for c in COMPONENTS:
        cells = []
        for layers, bit, fac in (("0", 30, 1.1), ("0", 30, 2), ("all", 30, 1.1), ("all", 30, 2), ("0", -1, 1.1),
                                 ("all", -1, 1.1), ("all", -1, 2)):
            curve = [(b, stat(ev.get((c, layers, bit, float(f"{b:.3e}")), []))[0]) for b in BERS]
            th = threshold(curve, fac * clean_ppl)
            cells.append(f"{th:.0e}" if np.isfinite(th) else "-")
        L.append(f"| {c} | " + " | ".join(cells) + " |")

    # damage per fault: comparable across model sizes, unlike a BER
    L.append("\n## NLL increase per injected fault (bit 30)\n")
    L.append(f"Sum over seeds and BER 1e-6..1e-3 of (mean NLL with faults - clean) x {tokens_scored} scored tokens, "
             "divided by the number of faults: nats of total loss one fault costs. BERs where faults pile up on the "
             "same tokens are left out.\n")
    L.append("| component | layer 0 | all layers |")
    L.append("|---|---|---|")
    for c in COMPONENTS:
        cells = []
        for layers in ("0", "all"):
            dn, nf = 0.0, 0
            for b in BERS[2:6]:
                for r in ev.get((c, layers, 30, float(f"{b:.3e}")), []):
                    if np.isfinite(r["ppl"]):
                        dn += math.log(r["ppl"] / r["ppl_clean"]) * tokens_scored
                        nf += int(r["faults"])
            cells.append(f"{dn / nf:.2f}".replace("-0.00", "0.00") if nf else "")
        L.append(f"| {c} | " + " | ".join(cells) + " |")

    # bit sweep
    L.append(f"\n## Bit-position sweep (layer 0, BER {SWEEP_BER:g}, PPL)\n")
    L.append("| bit | " + " | ".join(SWEEP_COMPONENTS) + " |")
    L.append("|---|" + "---|" * len(SWEEP_COMPONENTS))
    for bit in SWEEP_BITS:
        cells = [fmt_ppl(*stat(ev.get((c, "0", bit, float(f"{SWEEP_BER:.3e}")), []))[:2]) for c in SWEEP_COMPONENTS]
        L.append(f"| {bit} | " + " | ".join(cells) + " |")
    for c in SWEEP_COMPONENTS:
        curve = [(bit, stat(ev.get((c, "0", bit, float(f"{SWEEP_BER:.3e}")), []))[0]) for bit in SWEEP_BITS]
        th10, th2 = threshold(curve, 1.1 * clean_ppl), threshold(curve, 2 * clean_ppl)
        if not np.isfinite(th10):
            L.append(f"\n{c}: PPL stays below 1.1x clean at every swept bit.")
        else:
            L.append(f"\n{c}: PPL >= 1.1x clean from bit {th10:.0f}; "
                     + (f">= 2x clean from bit {th2:.0f}." if np.isfinite(th2) else "never >= 2x clean."))

    # per-layer
    L.append("\n## One layer at a time (bit 30, PPL)\n")
    L.append("| component (BER) | " + " | ".join(f"layer {i}" for i in range(n_layers)) + " |")
    L.append("|---|" + "---|" * n_layers)
    for c, ber in LAYER_STUDY.items():
        cells = [fmt_ppl(*stat(ev.get((c, str(i), 30, float(f"{ber:.3e}")), []))[:2]) for i in range(n_layers)]
        L.append(f"| {c} ({ber:g}) | " + " | ".join(cells) + " |")

    # stage
    g = read_table(h5, "generate")
    if g is not None and not args.no_generate:
        g = g[(g["prompts"] == len(prompts)) & (g["steps"] == args.gen_steps)]
        comp, stage = decode(g, "component"), decode(g, "stage")
        L.append(f"\n## Prefill vs decode (`saffire generate`, greedy, {len(prompts)} prompts of ~"
                 f"{np.mean([len(p) for p in prompts]):.0f} characters, --steps {args.gen_steps}, all layers, bit 30)\n")
        L.append("Exact match = share of prompts whose faulty continuation equals the clean one; prefix = mean share "
                 "of the clean continuation reproduced before the first difference (a decode fault at step t keeps the first "
                 "t tokens, so this share favours decode; exact match does not). Faults = mean per prompt.\n")
        L.append("| component | BER | " + " | ".join(f"{s}: exact match | {s}: prefix | {s}: faults" for s in STAGES) + " |")
        L.append("|---|---|" + "---|" * (3 * len(STAGES)))
        for c in STAGE_COMPONENTS:
            for ber in STAGE_BERS:
                cells = []
                for s in STAGES:
                    sel = (comp == c) & (stage == s) & np.isclose(g["ber"], ber)
                    if not sel.any():
                        cells += ["", "", ""]
                        continue
                    em, eh, _ = mean_ci(g["exact_match"][sel])
                    pm, ph, _ = mean_ci(g["prefix_agreement"][sel])
                    fpp = float(np.mean(g["faults"][sel] / g["prompts"][sel]))
                    ci = lambda m, h: f"{m:.2f}" + (f" ±{h:.2f}" if np.isfinite(h) else "")
                    cells += [ci(em, eh), ci(pm, ph), f"{fpp:.2g}"]
                L.append(f"| {c} | {ber:g} | " + " | ".join(cells) + " |")
        if g.size:
            L.append(f"\nTokens per prompt: {g['prompt_tokens'][0] / g['prompts'][0]:.1f} in the prompt (prefill); "
                     f"generated (decode) {np.mean(g['generated_tokens'] / g['prompts']):.1f} on average with faults.")
    (out / "resilience.md").write_text("\n".join(L) + "\n")


def plot_ber(ev: dict, layers: str, clean_ppl: float, path: Path, title: str) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    cmap = plt.get_cmap("tab10")
    for ax, bit, bname in ((axes[0], 30, "bit 30 flipped"), (axes[1], -1, f"random bit {RANDOM_BITS} flipped")):
        for i, c in enumerate(COMPONENTS):
            xs, ms, hs = [], [], []
            for b in BERS:
                rows = ev.get((c, layers, bit, float(f"{b:.3e}")), [])
                if rows:
                    m, h, _ = stat(rows)
                    xs.append(b), ms.append(m), hs.append(0.0 if not np.isfinite(h) else h)
            if not xs:
                continue
            ms, hs = np.array(ms), np.array(hs)
            lo = np.minimum(hs, ms - ms * 0.5)  # keep the lower bar positive on the log axis
            ax.errorbar(xs, ms, yerr=[lo, hs], color=cmap(i), marker="o", ms=4, capsize=2, lw=1.5,
                        ls="-" if c in ("o", "down") else "--", label=LABEL[c])
        ax.axhline(clean_ppl, color="k", lw=0.8, ls=":", label=f"clean ({clean_ppl:.2f})")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("bit error rate (faulty INT32 output words / word)")
        ax.set_title(bname)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("perplexity (tinystories val, W8A8)")
    axes[1].legend(loc="upper left", fontsize=8, ncol=2)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_bits(ev: dict, clean_ppl: float, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for c, col in zip(SWEEP_COMPONENTS, ("tab:orange", "tab:red")):
        ms, hs = [], []
        for bit in SWEEP_BITS:
            m, h, _ = stat(ev.get((c, "0", bit, float(f"{SWEEP_BER:.3e}")), []))
            ms.append(m), hs.append(0.0 if not np.isfinite(h) else h)
        ms, hs = np.array(ms), np.array(hs)
        ax.errorbar(SWEEP_BITS, ms, yerr=[np.minimum(hs, ms * 0.5), hs], color=col, marker="o", capsize=2,
                    label=LABEL[c])
    ax.axhline(clean_ppl, color="k", lw=0.8, ls=":", label=f"clean ({clean_ppl:.2f})")
    ax.set_yscale("log")
    ax.set_xlabel("flipped accumulator bit (INT32 word, bit index)")
    ax.set_ylabel("perplexity (tinystories val, W8A8)")
    ax.set_title(f"Bit-position sweep: faults in layer 0, BER {SWEEP_BER:g}")
    ax.set_xticks(SWEEP_BITS)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_layers(ev: dict, clean_ppl: float, n_layers: int, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for c, ber in LAYER_STUDY.items():
        ms, hs = [], []
        for i in range(n_layers):
            m, h, _ = stat(ev.get((c, str(i), 30, float(f"{ber:.3e}")), []))
            ms.append(m), hs.append(0.0 if not np.isfinite(h) else h)
        ms, hs = np.array(ms), np.array(hs)
        ax.errorbar(range(n_layers), ms, yerr=[np.minimum(hs, ms * 0.5), hs], marker="o", capsize=2,
                    label=f"{LABEL[c]}, BER {ber:g}")
    ax.axhline(clean_ppl, color="k", lw=0.8, ls=":", label="clean")
    ax.set_yscale("log")
    ax.set_xticks(range(n_layers))
    ax.set_xlabel("faulty layer (index)")
    ax.set_ylabel("perplexity (tinystories val, W8A8)")
    ax.set_title("Faults in one layer at a time (bit 30)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_stage(h5: Path, prompts: int, steps: int, path: Path) -> None:
    g = read_table(h5, "generate")
    if g is None:
        return
    g = g[(g["prompts"] == prompts) & (g["steps"] == steps)]
    comp, stage = decode(g, "component"), decode(g, "stage")
    fig, axes = plt.subplots(1, len(STAGE_COMPONENTS), figsize=(4 * len(STAGE_COMPONENTS), 4), sharey=True)
    for ax, c in zip(axes, STAGE_COMPONENTS):
        for s, ls in zip(STAGES, ("-", "--", ":")):
            ms, hs = [], []
            for ber in STAGE_BERS:
                m, h, _ = mean_ci(g["prefix_agreement"][(comp == c) & (stage == s) & np.isclose(g["ber"], ber)])
                ms.append(m), hs.append(0.0 if not np.isfinite(h) else h)
            ax.errorbar(STAGE_BERS, ms, yerr=hs, marker="o", capsize=2, ls=ls, label=f"faults in {s}")
        ax.set_xscale("log")
        ax.set_title(LABEL[c])
        ax.set_xlabel("bit error rate (bit 30, all layers)")
        ax.set_ylim(-0.05, 1.05)
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("share of clean continuation kept (greedy)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -------------------------------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--saffire", help="saffire binary (default: $SAFFIRE, else build/saffire)")
    ap.add_argument("--paragraphs", type=int, default=50, help="paragraphs per eval (default 50: ~5k tokens)")
    ap.add_argument("--ctx", type=int, default=256, help="tokens per paragraph (default 256)")
    ap.add_argument("--seeds", type=int, default=3, help="fault seeds per point, 1..N (default 3)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel saffire processes")
    ap.add_argument("--out", default=str(REPO / "out" / "resilience"), help="output folder")
    ap.add_argument("--gen-prompts", type=int, default=8, help="prompts for the prefill/decode study")
    ap.add_argument("--gen-prompt-chars", type=int, default=140, help="prompt length in characters (~70 tokens)")
    ap.add_argument("--gen-steps", type=int, default=140,
                    help="generate --steps: prompt + generated positions (140: about as many generated as prompt tokens)")
    ap.add_argument("--no-generate", action="store_true", help="skip the prefill/decode study")
    ap.add_argument("--report-only", action="store_true", help="only rewrite the report and plots from the HDF5 file")
    args = ap.parse_args()
    if args.seeds < 1 or args.paragraphs < 1 or args.jobs < 1:
        ap.error("--seeds, --paragraphs and --jobs must be positive")

    saffire = find_saffire(args.saffire, "run.py")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    h5 = out / "resilience.h5"

    # The clean run: sanity check, the model and text paths, and the time of one eval.
    t0 = time.monotonic()
    p = subprocess.run([saffire, "eval", "--precision", "w8a8", "--engine", "cpu", "--threads", "1", "--paragraphs",
                        str(args.paragraphs), "--ctx", str(args.ctx), "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"run.py: clean eval failed: {p.stderr.strip()}")
    clean = json.loads(p.stdout)
    t_clean = time.monotonic() - t0
    n_layers = model_layers(clean["model"])
    print(f"run.py: {saffire}; clean W8A8 PPL {clean['ppl']:.4f} on {clean['tokens_scored']} tokens "
          f"({args.paragraphs} paragraphs) in {t_clean:.2f} s; {n_layers} layers", file=sys.stderr)

    prompts = [] if args.no_generate else read_prompts(clean["text"], args.gen_prompts, args.gen_prompt_chars)
    clean_gen = []
    for pr in prompts:
        text, *_ = generate(saffire, pr, args.gen_steps, [])
        clean_gen.append(continuation(text, pr))

    attrs = {"model": clean["model"], "text": clean["text"], "saffire": saffire, "clean_ppl": clean["ppl"],
             "paragraphs": args.paragraphs, "ctx": args.ctx, "tokens_scored": clean["tokens_scored"],
             "precision": "w8a8", "engine": "cpu", "random_bits": RANDOM_BITS}
    runtime = None
    failures = 0
    if not args.report_only:
        t_start = time.monotonic()
        failures, ran = run_all(args, saffire, h5, attrs, n_layers, prompts, clean_gen)
        runtime = time.monotonic() - t_start if ran else None

    if not h5.exists():
        sys.exit("run.py: no results yet")
    write_report(args, h5, out, clean["ppl"], clean["tokens_scored"], n_layers, runtime, prompts)
    ev = load_eval(h5, args.paragraphs, args.ctx)
    plot_ber(ev, "0", clean["ppl"], out / "ppl_vs_ber_layer0.png",
             f"stories260K W8A8: faults in layer 0 only ({args.paragraphs} paragraphs, mean and 95 % CI over seeds)")
    plot_ber(ev, "all", clean["ppl"], out / "ppl_vs_ber_all_layers.png",
             f"stories260K W8A8: faults in all {n_layers} layers ({args.paragraphs} paragraphs, mean and 95 % CI over seeds)")
    plot_bits(ev, clean["ppl"], out / "bit_sweep.png")
    plot_layers(ev, clean["ppl"], n_layers, out / "per_layer.png")
    if not args.no_generate:
        plot_stage(h5, len(prompts), args.gen_steps, out / "prefill_vs_decode.png")
    print(f"run.py: wrote {out}/resilience.h5, resilience.md and plots"
          + (f"; {runtime / 60:.1f} min" if runtime is not None else ""), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
