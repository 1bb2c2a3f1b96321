#!/usr/bin/env bash
# End-to-end checks of `saffire rerun TRACE`: a trace records its command line and input files, and
# rerunning it prints what the original command printed, with the same results: topology, eval with
# faults and ABFT (needs the models of ../shared/models), one point of a sweep, and bad input (exit 2).
# Usage: rerun_test.sh SAFFIRE_BINARY SOURCE_DIR WORK_DIR. Exit 77 (skipped) when the eval part could
# not run for want of the models, after every other check passed.
set -u
saffire=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"; cd "$work" || exit 1
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
unset SAFFIRE_TRACE_EMBED_MAX
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
py=/usr/bin/python3
if ! $py -c 'import h5py, json, tomllib' 2>/dev/null; then
  echo "rerun_test: $py with h5py and tomllib is needed to compare the outputs: skipped"
  exit 77
fi

# same_json A B [--drop K1,K2,...] [--map OLD=NEW]...: the JSON objects in files A and B are equal
# once the keys K (at any depth) are removed from both and, in A's string values, OLD is replaced by
# NEW (a path the rerun spells differently: its outputs, a restored input). Each dropped key and each
# OLD must occur in A, so the lists stay honest.
cat >same_json.py <<'PY'
import json, sys
a_path, b_path, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
drop, maps = set(), []
while rest:
    opt, val, rest = rest[0], rest[1], rest[2:]
    if opt == "--drop":
        drop |= set(val.split(","))
    else:
        maps.append(tuple(val.split("=", 1)))
a, b = (json.load(open(p)) for p in (a_path, b_path))
assert isinstance(a, dict) and a, f"{a_path}: not a non-empty JSON object"
seen, mapped = set(), set()
def clean(v, remap):
    if isinstance(v, dict):
        seen.update(k for k in v if k in drop)
        return {k: clean(x, remap) for k, x in v.items() if k not in drop}
    if isinstance(v, list):
        return [clean(x, remap) for x in v]
    if remap and isinstance(v, str):
        for old, new in maps:
            if old in v:
                mapped.add(old)
                v = v.replace(old, new)
    return v
ca, cb = clean(a, True), clean(b, False)
assert seen == drop, f"{a_path}: the dropped keys {sorted(drop - seen)} do not occur"
assert mapped == {old for old, _ in maps}, f"{a_path}: {sorted({o for o, _ in maps} - mapped)} do not occur"
if ca != cb:
    for k in sorted(set(ca) | set(cb)):
        if ca.get(k) != cb.get(k):
            print(f"  {k}: {str(ca.get(k))[:200]} vs {str(cb.get(k))[:200]}")
    sys.exit(1)
PY
same_json() { $py same_json.py "$@"; }

# expect_exit CODE PATTERN... -- command...: exit code, and every pattern in stdout + stderr.
expect_exit() {
  local code=$1; shift
  local patterns=()
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  local out; out=$("$@" 2>&1); local got=$?
  [ "$got" -eq "$code" ] || fail "expected exit $code, got $got: $* -> $out"
  local p
  for p in "${patterns[@]}"; do
    grep -qF -- "$p" <<<"$out" || fail "expected '$p' in the output of: $* -> $out"
  done
}

# --- (1) topology, as the issue has it: the CSV from the source tree, --out DIR --json ----------------
# The topology JSON holds no wall-clock field (total_seconds and seconds_per_token are simulated time,
# cycles / clock): everything must be equal once the output paths (report, trace) name the rerun's DIR.
"$saffire" topology "$src/experiments/topologies/demo.csv" --out topo --json >topo.json || fail "topology failed"
"$saffire" rerun topo/trace.h5 --json --out topo_rerun >topo_rerun.json 2>topo_rerun.err || fail "rerun of topo/trace.h5 failed: $(cat topo_rerun.err)"
same_json topo.json topo_rerun.json --map topo/=topo_rerun/ || fail "topology rerun printed something else"
grep -q '"trace": "topo_rerun/trace.h5"' topo_rerun.json || fail "the rerun's trace should go to --out: $(cat topo_rerun.json)"
cmp -s topo/COMPUTE_REPORT.csv topo_rerun/COMPUTE_REPORT.csv || fail "topology rerun wrote another COMPUTE_REPORT.csv"
"$saffire" trace diff topo/trace.h5 topo_rerun/trace.h5 >/dev/null || fail "topology rerun wrote another trace (trace diff)"
# The trace records the command line and embeds the CSV; config_toml is valid TOML with the energy settings.
$py - topo/trace.h5 "$src/experiments/topologies/demo.csv" <<'PY' || fail "topo/trace.h5: command record or config wrong"
import sys, tomllib; sys.path.insert(0, sys.argv[2].rsplit("/experiments/", 1)[0] + "/traces/python")
import saffire_traces as st
t = st.load(sys.argv[1])
assert t.schema_version >= 5 and st.check(t) == [], st.check(t)
assert t.command_line == ["topology", sys.argv[2], "--out", "topo", "--json"], t.command_line
assert len(t.inputs) == 1 and t.inputs[0]["embedded"] and t.inputs[0]["content"] == open(sys.argv[2], "rb").read(), t.inputs
cfg = tomllib.loads(t.run["config_toml"])
assert {"arch", "topology", "energy", "tech"} <= set(cfg), cfg.keys()
assert cfg["energy"]["abft"] == "none" and cfg["tech"]["node_nm"] == 14 and cfg["topology"]["fidelity"] == "fold", cfg
PY
# --no-json: the text report instead; as recorded (no flag): JSON again. A temporary output dir is removed.
out=$("$saffire" rerun topo/trace.h5 --no-json 2>/dev/null) || fail "rerun --no-json failed"
grep -q '^total: ' <<<"$out" && ! grep -q '"total_cycles"' <<<"$out" || fail "rerun --no-json should print the text report: $out"
"$saffire" rerun topo/trace.h5 >topo_default.json 2>topo_default.err || fail "rerun (as recorded) failed"
tmp_out=$(sed -nE 's/.*"trace": "([^"]*)\/trace.h5".*/\1/p' topo_default.json)
[ -n "$tmp_out" ] && [ ! -e "$tmp_out" ] || fail "rerun without --out should print JSON and remove its temporary outputs ($tmp_out)"
same_json topo.json topo_default.json --map "topo/=$tmp_out/" || fail "rerun as recorded printed something else"

# From the trace alone: the input is a copy that is gone (and then replaced by another) at rerun time.
cp "$src/experiments/topologies/demo.csv" mine.csv
"$saffire" topology mine.csv --rows 16 --cols 16 --dataflow os --out mine --json >mine.json || fail "topology mine.csv failed"
rm mine.csv
"$saffire" rerun mine/trace.h5 --out mine_rerun >mine_rerun.json 2>/dev/null || fail "rerun without the input file failed"
same_json mine.json mine_rerun.json --map mine/=mine_rerun/ || fail "rerun without the input file printed something else"
# The rerun's own trace records the original command line (its output aside) and the original input.
$py - mine/trace.h5 mine_rerun/trace.h5 "$src/traces/python" <<'PY' || fail "the rerun's trace should record the original command and input"
import sys; sys.path.insert(0, sys.argv[3]); import saffire_traces as st
a, b = st.load(sys.argv[1]), st.load(sys.argv[2])
out = a.command_line.index("--out") + 1
assert b.command_line[out] == "mine_rerun", b.command_line
assert a.command_line[:out] + a.command_line[out + 1:] == b.command_line[:out] + b.command_line[out + 1:], (a.command_line, b.command_line)
assert a.inputs == b.inputs and a.inputs[0]["path"] == "mine.csv" and a.inputs[0]["embedded"], (a.inputs, b.inputs)
assert a.run["config_toml"] == b.run["config_toml"]
PY
printf 'Layer,M,N,K\nother,8,8,8\n' >mine.csv
"$saffire" rerun mine/trace.h5 --out mine_rerun2 >mine_rerun2.json 2>/dev/null || fail "rerun with a replaced input failed"
same_json mine.json mine_rerun2.json --map mine/=mine_rerun2/ || fail "rerun read the replaced input instead of the trace's copy"

# A large input (here: anything over SAFFIRE_TRACE_EMBED_MAX=16 bytes) is recorded by reference: the
# rerun uses it where it was, and refuses (exit 2, naming it) once it is missing or changed.
cp "$src/experiments/topologies/demo.csv" big.csv
SAFFIRE_TRACE_EMBED_MAX=16 "$saffire" topology big.csv --out big --json >big.json || fail "topology big.csv failed"
$py -c "
import sys; sys.path.insert(0, '$src/traces/python'); import saffire_traces as st
t = st.load('big/trace.h5'); i = t.inputs
assert len(i) == 1 and not i[0]['embedded'] and i[0]['content'] is None and i[0]['resolved'] == '$work/big.csv', i
" || fail "big.csv should be recorded by reference"
(cd / && "$saffire" rerun "$work/big/trace.h5" --out "$work/big_rerun" >"$work/big_rerun.json" 2>/dev/null) \
  || fail "rerun of an unchanged by-reference input (from another directory) failed"
same_json big.json big_rerun.json --map "big/=$work/big_rerun/" || fail "rerun of the by-reference input printed something else"
sed -i 's/64,64,64/64,64,46/' big.csv  # same size, other content: only the hash tells
expect_exit 2 "big/trace.h5" "'big.csv'" "has changed since the run: its content hash" -- "$saffire" rerun big/trace.h5
echo "extra,1,1,1" >>big.csv
expect_exit 2 "'big.csv'" "has changed since the run: it now has" -- "$saffire" rerun big/trace.h5
rm big.csv
expect_exit 2 "'big.csv'" "is missing" -- "$saffire" rerun big/trace.h5

# --- (3) a sweep point: one point of a small gemm sweep, whose [fixed] options name a config file -----
printf '[arch]\nrows = 8\ncols = 8\n' >arch8.toml
cat >small.toml <<'TOML'
[sweep]
command = "gemm"
out = "small.h5"
jobs = 2
[fixed]
n = 9
k = 21
config = "arch8.toml"
[grid]
dataflow = ["ws", "os"]
m = [5, 17]
TOML
"$saffire" sweep small.toml --json >/dev/null || fail "sweep failed"
"$saffire" sweep small.toml --list >small.list || fail "sweep --list failed"
key=$(grep -- '--dataflow os --m 17$' small.list | cut -d' ' -f1)
[ -n "$key" ] || fail "no point os/17 in: $(cat small.list)"
printf '[arch]\nrows = 4\ncols = 4\n' >arch8.toml  # the point must use the trace's copy (8x8)
"$saffire" rerun small.h5 --point "$key" >point.json 2>point.err || fail "rerun --point $key failed: $(cat point.err)"
$py -c "
import json, sys; sys.path.insert(0, '$src/traces/python'); import saffire_traces as st
row = [p for p in st.load('small.h5').point_dicts() if p['key'] == '$key'][0]
json.dump(row['result'], open('point_row.json', 'w'))
" || fail "small.h5 has no row for point $key"
# host_seconds is the only wall-clock field of gemm's JSON.
same_json point_row.json point.json --drop host_seconds || fail "rerun of point $key differs from its row"
grep -q '"cycles": 209' point.json || fail "point os/17 on 8x8 should take 209 cycles: $(cat point.json)"
$py -c "
import sys; sys.path.insert(0, '$src/traces/python'); import saffire_traces as st
t = st.load('small.h5')
assert t.command_line == ['sweep', 'small.toml', '--json'], t.command_line
src = {i['path']: i['source'] for i in t.inputs}
assert src == {'small.toml': 'argv', 'arch8.toml': 'point'}, src
" || fail "small.h5 should record the sweep config (argv) and arch8.toml (point)"
# Without --point, or with an unknown key: exit 2, listing every key with its coordinates.
keys=$(cut -d' ' -f1 small.list | tr '\n' ' ')
# shellcheck disable=SC2086
expect_exit 2 "small.h5" "give --point KEY" "dataflow=os m=17" $keys -- "$saffire" rerun small.h5
# shellcheck disable=SC2086
expect_exit 2 "no point has the key '0123456789abcdef'" $keys -- "$saffire" rerun small.h5 --point 0123456789abcdef
expect_exit 2 "--point is for sweep traces" -- "$saffire" rerun topo/trace.h5 --point "$key"
# A point that failed as bad input: its exit status and message pass through.
printf '[sweep]\ncommand = "gemm"\nout = "badpt.h5"\njobs = 1\n[fixed]\nn = 4\nk = 4\n[grid]\nm = [4, 0]\n' >badpt.toml
"$saffire" sweep badpt.toml >/dev/null 2>&1
bad_key=$("$saffire" sweep badpt.toml --list | grep -- '--m 0$' | cut -d' ' -f1)
expect_exit 2 "M: expected a positive integer, got 0" -- "$saffire" rerun badpt.h5 --point "$bad_key"

# --- bad input: exit 2 and a message naming the file and the problem --------------------------------
expect_exit 2 "nothere.h5" "no such file" -- "$saffire" rerun nothere.h5
echo "not hdf5" >text.h5
expect_exit 2 "text.h5" "not an HDF5 file" -- "$saffire" rerun text.h5
$py -c "import h5py; h5py.File('plain.h5', 'w').close()"
expect_exit 2 "plain.h5" "not a saffire trace" -- "$saffire" rerun plain.h5
# An older trace (schema version 4: no command record) and one whose writer gave no command line.
cp topo/trace.h5 v4.h5
cp topo/trace.h5 noargv.h5
$py -c "
import h5py, numpy as np
with h5py.File('v4.h5', 'r+') as f:
    f.attrs.modify('schema_version', np.int32(4)); del f['command_line']; del f['inputs']
with h5py.File('noargv.h5', 'r+') as f:
    cwd = f['command_line'].attrs['cwd']; del f['command_line']
    d = f.create_dataset('command_line', (0,), dtype=h5py.string_dtype()); d.attrs['cwd'] = cwd
" || fail "could not make the old traces"
expect_exit 2 "v4.h5" "no command line recorded (schema_version 4" -- "$saffire" rerun v4.h5
expect_exit 2 "noargv.h5" "no command line recorded" -- "$saffire" rerun noargv.h5
expect_exit 2 "" -- "$saffire" rerun topo/trace.h5 --json --no-json
cp topo/trace.h5 keep.h5
expect_exit 2 "topo/trace.h5" "would write its trace over this file" -- "$saffire" rerun topo/trace.h5 --out topo
cmp -s keep.h5 topo/trace.h5 || fail "a refused rerun must leave the trace as it was"
expect_exit 2 "" -- "$saffire" rerun

# --- (2) eval with faults and ABFT (needs the models) -------------------------------------------------
models=missing
if [ -f "$src/../shared/models/stories260K.bin" ] || [ -n "${SAFFIRE_MODELS:-}" ]; then
  models=found
  # tokens_per_second and seconds are the wall-clock fields of eval's JSON; "trace" names the output.
  "$saffire" eval --precision w8a8 --ber 1e-3 --bit-range 0-29 --abft statistical --paragraphs 4 --json --trace t.h5 \
    >eval.json || fail "eval --ber --abft --trace failed"
  "$saffire" rerun t.h5 --out eval_rerun >eval_rerun.json 2>eval_rerun.err || fail "rerun of t.h5 failed: $(cat eval_rerun.err)"
  same_json eval.json eval_rerun.json --drop seconds,tokens_per_second --map t.h5=eval_rerun/t.h5 \
    || fail "eval rerun printed something else"
  $py - eval.json eval_rerun.json <<'PY' || fail "eval rerun: PPL, fault counts or ABFT totals differ (or are trivial)"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["faults"] > 0 and a["abft"]["recomputed"] > 0 and a["ppl"] != a["ppl_clean"], a
for k in ("ppl", "ppl_clean", "faults", "clamped", "top1_agreement"):
    assert a[k] == b[k], (k, a[k], b[k])
for k in ("scopes", "flagged", "recomputed", "retries", "nominal_fallbacks", "energy_pj", "recomputed_macs"):
    assert a["abft"][k] == b["abft"][k], (k, a["abft"][k], b["abft"][k])
PY
  "$saffire" trace diff t.h5 eval_rerun/t.h5 >/dev/null || fail "eval rerun wrote other /faults or /abft rows (trace diff)"
  $py - t.h5 "$src/traces/python" <<'PY' || fail "t.h5: config_toml or command record wrong"
import sys, tomllib; sys.path.insert(0, sys.argv[2]); import saffire_traces as st
t = st.load(sys.argv[1])
cfg = tomllib.loads(t.run["config_toml"])
assert {"arch", "eval", "faults", "abft", "tech", "energy"} <= set(cfg), cfg.keys()
assert cfg["abft"]["scheme"] == "statistical" and cfg["faults"]["bit_hi"] == 29 and cfg["faults"]["seed"] == 1, cfg
assert t.command_line[0] == "eval" and t.command_line[-2:] == ["--trace", "t.h5"], t.command_line
found = [i for i in t.inputs if i["source"] == "found"]
assert len(found) == 3 and not any(i["embedded"] for i in found), t.inputs  # model, tokenizer, text by reference
PY
  # Input files on the eval command line (a fault table, an ABFT config) are embedded: changing them
  # afterwards does not change the rerun.
  printf 'voltage,bit,probability\n0.7,20,1e-4\n0.6,20,1e-2\n' >chip.csv
  cp "$src/experiments/configs/abft.toml" abft.toml
  "$saffire" eval --precision w8a8 --paragraphs 2 --fault-model table --fault-table chip.csv --voltage 0.65 \
    --abft-config=abft.toml --abft classic --json --trace table.h5 >table.json || fail "eval --fault-model table failed"
  printf 'voltage,bit,probability\n0.7,20,1e-1\n0.6,20,1e-1\n' >chip.csv
  printf '[abft]\nscheme = "dmr"\n' >abft.toml
  "$saffire" rerun table.h5 --out table_rerun >table_rerun.json 2>table_rerun.err || fail "rerun of table.h5 failed"
  # The campaign's description names the fault table: the rerun names its restored copy.
  restored=$(sed -nE 's/^saffire rerun: .* --fault-table ([^ ]*chip\.csv) .*/\1/p' table_rerun.err)
  [ -n "$restored" ] && [ "$restored" != chip.csv ] || fail "the rerun should name a restored chip.csv: $(cat table_rerun.err)"
  same_json table.json table_rerun.json --drop seconds,tokens_per_second --map table.h5=table_rerun/table.h5 \
    --map "table chip.csv=table $restored" || fail "eval rerun with changed input files printed something else"
  grep -qE '"faults":[1-9]' table.json || fail "the table campaign injected no fault: $(cat table.json)"
  "$saffire" trace diff table.h5 table_rerun/table.h5 >/dev/null || fail "the table rerun's trace differs (trace diff)"
  # A default model file that changed since the run is refused.
  mkdir -p models
  cp "$src/../shared/models/"{stories260K.bin,tok512.bin,tinystories_val.txt} models/ 2>/dev/null \
    || cp "$SAFFIRE_MODELS/"{stories260K.bin,tok512.bin,tinystories_val.txt} models/
  SAFFIRE_MODELS=$work/models "$saffire" eval --precision w8a8 --ber 1e-3 --paragraphs 1 --json --trace m.h5 >/dev/null \
    || fail "eval with SAFFIRE_MODELS failed"
  echo "more text" >>models/tinystories_val.txt
  expect_exit 2 "m.h5" "tinystories_val.txt" "has changed since the run" -- \
    env SAFFIRE_MODELS="$work/models" "$saffire" rerun m.h5
fi

echo "rerun_test: $failures failure(s)"
[ "$failures" -eq 0 ] || exit 1
if [ "$models" = missing ]; then
  echo "rerun_test: the eval checks did not run: ../shared/models not found (set SAFFIRE_MODELS)"
  exit 77
fi
exit 0
