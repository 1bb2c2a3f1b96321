#!/usr/bin/env bash
# saffire tasks end to end on stories260K: lambada, choice and exact runs; under a fault campaign every sample's
# outcome, tallied consistently, the same on the cpu and array engines and any thread count; classic ABFT masks every
# fault; top-bit flips cause critical SDCs; --trace rows name the samples they strike; floating-point PEs; bad input
# exits 2 naming the file, line or option.
# Usage: tasks_cli_test.sh SAFFIRE_BINARY SOURCE_DIR WORK_DIR. Without the model files: exit 77 (skipped).
set -u
saffire=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
source "$src/tests/cli_support.sh"
py=/usr/bin/python3
require_models tasks_cli_test "$src"
# check FILE PYTHON-EXPRESSION MESSAGE: the expression over j (the JSON object) must be true.
check() {
  $py -c "import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1" \
    || fail "$3: $(head -c 600 "$1")"
}
text="$models/tinystories_val.txt"
run() { local out=$1; shift; "$saffire" tasks "$@" --json >"$work/$out.json" 2>"$work/$out.err" || fail "tasks $*: $(cat "$work/$out.err")"; }

# Clean lambada: no campaign block; accuracy a fraction of the samples.
run clean --task lambada "$text" --samples 30 --precision w8a8
check "$work/clean.json" "j['samples'] == 30 and 'campaign' not in j and abs(j['accuracy'] * 30 - round(j['accuracy'] * 30)) < 1e-9" "clean lambada"

# A campaign: the outcomes partition the samples, the tallies agree with the per-sample list.
campaign=(--task lambada --file "$text" --samples 30 --precision w8a8 --ber 2e-4 --bit-range 0-29 --fault-seed 7 --rows 8 --cols 8)
run cpu "${campaign[@]}" --engine cpu
run cpu2 "${campaign[@]}" --engine cpu --threads 2
run array "${campaign[@]}" --engine array
check "$work/cpu.json" "
all(j['campaign']['outcomes'][k] == sum(s['outcome'] == k for s in j['campaign']['per_sample'])
    for k in ('masked', 'benign', 'critical', 'crash-like'))
and j['campaign']['outcomes']['samples'] == 30 and len(j['campaign']['per_sample']) == 30
and abs(j['campaign']['accuracy'] - sum(s['correct'] for s in j['campaign']['per_sample']) / 30) < 1e-12
and abs(j['campaign']['accuracy_clean'] - sum(s['correct_clean'] for s in j['campaign']['per_sample']) / 30) < 1e-12
and j['campaign']['accuracy_clean'] == json.load(open('$work/clean.json'))['accuracy']
and j['campaign']['faults'] > 0 and j['campaign']['untouched']['samples'] < 30
and all(c['samples'] <= 30 for c in j['campaign']['components'].values())
and sum(c['samples'] for c in j['campaign']['components'].values()) >= 30 - j['campaign']['untouched']['samples']
and all(s['outcome'] in ('critical', 'crash-like') for s in j['campaign']['per_sample'] if s['correct'] != s['correct_clean'])" \
  "campaign tallies"
for other in cpu2 array; do
  $py -c "import json, sys; a, b = (json.load(open(f))['campaign'] for f in sys.argv[1:]); \
sys.exit(0 if all(a[k] == b[k] for k in ('per_sample', 'outcomes', 'components', 'layers', 'faults')) else 1)" \
    "$work/cpu.json" "$work/$other.json" || fail "tasks campaign differs between cpu and $other"
done

# A sample no fault reached is masked (its sequences ran the clean GEMMs).
run sparse "${campaign[@]/2e-4/2e-6}" --engine cpu
check "$work/sparse.json" "0 < j['campaign']['untouched']['samples'] == j['campaign']['untouched']['masked'] < 30" "untouched samples masked"
# --trace: one /faults row per fault; its sequence names the sample (per_sample sequences, a partition of the
# model's sequences): the samples no row names are the untouched ones. The trace changes no result.
"$saffire" tasks "${campaign[@]/2e-4/2e-6}" --engine cpu --trace "$work/sparse.h5" --json >"$work/sparse_trace.json" \
  2>"$work/sparse_trace.err" || fail "tasks --trace: $(cat "$work/sparse_trace.err")"
if $py -c 'import h5py' 2>/dev/null; then
  $py - "$work/sparse.h5" "$work/sparse_trace.json" "$work/sparse.json" <<'PY' || fail "tasks --trace: sparse.h5 wrong"
import json, sys, h5py
j = json.load(open(sys.argv[2]))["campaign"]
plain = json.load(open(sys.argv[3]))["campaign"]
assert j["trace"] == sys.argv[1] and j["per_sample"] == plain["per_sample"], "the trace changed the run"
seqs = [q for s in j["per_sample"] for q in s["sequences"]]
assert sorted(seqs) == list(range(len(seqs))), seqs  # every sequence belongs to exactly one sample
with h5py.File(sys.argv[1], "r") as f:
    cmd = f.attrs["command"]
    assert (cmd.decode() if isinstance(cmd, bytes) else cmd) == "tasks", cmd
    t = f["faults"][()]
assert len(t) == j["faults"] > 0, (len(t), j["faults"])
struck = {int(r["sequence"]) for r in t}
assert struck <= set(seqs), struck
untouched = [s for s in j["per_sample"] if not struck & set(s["sequences"])]
assert len(untouched) == j["untouched"]["samples"] > 0 and all(s["outcome"] == "masked" for s in untouched), untouched
PY
  $py "$src/traces/python/saffire_traces.py" --check "$work/sparse.h5" >/dev/null || fail "saffire_traces.py --check rejects sparse.h5"
  # On the array with a memory model: one /memory row per GEMM of the clean run, its cycles the array's.
  run mem --task lambada "$text" --samples 3 --precision w8a8 --ber 1e-4 --engine array --rows 8 --cols 8 \
    --memory scalesim --trace "$work/mem.h5"
  $py - "$work/mem.h5" "$work/mem.json" <<'PY' || fail "tasks --trace --memory: /memory rows wrong"
import json, sys, h5py
j = json.load(open(sys.argv[2]))
with h5py.File(sys.argv[1], "r") as f:
    t = f["memory"][()]
assert len(t) == j["array_gemms"] > 0, (len(t), j["array_gemms"])
assert sum(int(r["compute_cycles"]) + 1 for r in t) == j["array_cycles"], (sum(int(r["compute_cycles"]) + 1 for r in t), j["array_cycles"])
PY
fi

# SRAM errors (stored operands at 0.55 V) count where they strike: every sample is reached.
run sram --task lambada "$text" --samples 10 --precision w8a8 --sram-voltage 0.55
check "$work/sram.json" "j['campaign']['sram_faults']['words'] > 0 and j['campaign']['untouched']['samples'] == 0 and j['campaign']['components']" "SRAM campaign"

# Classic ABFT detects every output-word flip and recomputes: every sample masked.
run abft "${campaign[@]}" --engine cpu --abft classic
check "$work/abft.json" "j['campaign']['outcomes']['masked'] == 30 and j['campaign']['abft']['recomputed'] > 0" "classic ABFT masks all"
# Flips of the top magnitude bit change answers.
run top --task lambada --file "$text" --samples 30 --precision w8a8 --ber 2e-4 --bit 30 --fault-seed 7 --engine cpu
check "$work/top.json" "j['campaign']['outcomes']['critical'] + j['campaign']['outcomes']['crash-like'] > 0" "bit-30 flips: critical SDCs"

# Multiple choice and exact match from JSONL files.
printf '%s\n' '{"context": "Once upon a time, there was a little", "choices": [" girl", " the", " zebra"], "gold": 0}' \
  '' '{"context": "Lily liked to play with her", "choices": [" toys", " quantum"], "gold": 0}' >"$work/choice.jsonl"
run choice --task choice "$work/choice.jsonl"
check "$work/choice.json" "j['samples'] == 2 and 'accuracy_norm' in j and j['accuracy'] == 1.0" "choice"
# exact: the right answer is generate's own greedy continuation (generate's loop, not tasks'), the other is not.
prompt="Once upon a time, there"
"$saffire" generate --prompt "$prompt" --steps 12 --json >"$work/gen.json" 2>"$work/gen.err" || fail "generate: $(cat "$work/gen.err")"
$py -c "
import json, sys
g = json.load(open(sys.argv[1])); prompt = sys.argv[2]
assert g['text'].startswith(prompt), g['text']
answer = g['text'][len(prompt):].split('\n')[0].strip()
for a in (answer, answer + ' and more'):
    print(json.dumps({'context': prompt, 'answer': a}))
print(12 + 1 - g['prompt_tokens'])  # the tokens generate added: one at every position up to --steps
" "$work/gen.json" "$prompt" >"$work/exact.out" || fail "generate's text: $(cat "$work/gen.json")"
head -2 "$work/exact.out" >"$work/exact.jsonl"
run exact --task exact "$work/exact.jsonl" --max-new-tokens "$(tail -1 "$work/exact.out")"
check "$work/exact.json" "j['samples'] == 2 and j['accuracy'] == 0.5" "exact: generate's continuation right, the other wrong"

# Floating-point PEs: a clean run and an accumulator bit-flip campaign.
run bf16 --task lambada "$text" --samples 10 --precision bf16 --engine array --rows 8 --cols 8 --ber 1e-3 --fault-seed 3
check "$work/bf16.json" "j['campaign']['outcomes']['samples'] == 10 and j['campaign']['faults'] > 0" "bf16 campaign"

# Sweep-ready: two tasks points over the BER; each point's accuracy is the direct run's.
cat >"$work/sweep.toml" <<TOML
[sweep]
command = "tasks"
out = "$work/sweep.h5"
jobs = 2
[fixed]
file = "$text"
samples = 30
precision = "w8a8"
rows = 8
cols = 8
bit-range = "0-29"
fault-seed = 7
[grid]
ber = [2e-6, 2e-4]
TOML
out=$("$saffire" sweep "$work/sweep.toml" --json 2>&1) || fail "tasks sweep: $out"
grep -q '"ok":2' <<<"$out" || fail "tasks sweep should run 2 points ok: $out"
"$saffire" trace export-csv "$work/sweep.h5" --table points --out "$work/sweep.csv" || fail "tasks sweep: export-csv"
$py -c "
import csv, json, sys
rows = {float(r['ber']): r for r in csv.DictReader(open(sys.argv[1]))}
for ber, direct in ((2e-6, 'sparse'), (2e-4, 'cpu')):
    want = json.load(open(sys.argv[2] + '/' + direct + '.json'))['accuracy']
    got = float(rows[ber]['result.accuracy'])
    if rows[ber]['status'] != 'ok' or abs(got - want) > 1e-12: sys.exit(f'ber {ber}: sweep accuracy {got}, direct {want}')
" "$work/sweep.csv" "$work" || fail "tasks sweep points differ from the direct runs"

# Bad input.
expect_exit 2 "missing.txt" -- "$saffire" tasks "$work/missing.txt"
printf '%s\n' '{"context": "a", "choices": [" b", " c"], "gold": 1}' '{"context": "a", "choices": [" b", " c"], "gold": 5}' >"$work/bad.jsonl"
expect_exit 2 "line 2.*gold" -- "$saffire" tasks --task choice "$work/bad.jsonl"
long=$(printf 'a b %.0s' $(seq 600))
printf '{"context": "x", "choices": [" %s", " c"], "gold": 1}\n' "$long" >"$work/long.jsonl"
# refused before the first model pass (never after a SystemC run): exit 2 naming the file and line
expect_exit 2 "long.jsonl: line 1: the continuation" -- "$saffire" tasks --task choice "$work/long.jsonl" --engine array --precision w8a8
expect_exit 2 "max-new-tokens" -- "$saffire" tasks --task exact "$work/exact.jsonl" --max-new-tokens 600
expect_exit 2 "needs a JSONL file" -- "$saffire" tasks --task exact
expect_exit 2 "needs one" -- "$saffire" tasks "$text" --samples 2 --precision w8a8 --abft classic
expect_exit 2 "needs one" -- "$saffire" tasks "$text" --samples 2 --precision w8a8 --trace "$work/nofaults.h5"
printf '[tech]\nnode_nm = "x"\n' >"$work/bad_tech.toml"
expect_exit 2 "bad_tech.toml" -- "$saffire" tasks "$text" --samples 2 --precision w8a8 --ber 1e-4 --tech "$work/bad_tech.toml"
expect_exit 2 "" -- "$saffire" tasks --task trivia "$text"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "tasks_cli_test: all checks passed"
