#!/usr/bin/env bash
# End-to-end checks of `saffire sweep` and `saffire trace`: results per point, resume, interruption,
# shards (and mpirun -np 2 when Open MPI is installed) merged equal to a single run, CSV export, bad input.
# Usage: sweep_test.sh SAFFIRE_BINARY WORK_DIR. Points run `saffire gemm` (no model files needed).
set -u
saffire=$1; work=$2
rm -rf "$work"; mkdir -p "$work"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
py=/usr/bin/python3

cat >"$work/small.toml" <<'TOML'
[sweep]
command = "gemm"
out = "small.h5"
jobs = 2
[fixed]
n = 9
k = 21
rows = 8
cols = 8
[grid]
dataflow = ["ws", "os"]
m = [5, 17]
TOML
json=$("$saffire" sweep "$work/small.toml" --json) || fail "sweep failed"
grep -q '"ok":4' <<<"$json" || fail "sweep should run 4 points ok: $json"
[ -s "$work/small.h5" ] || fail "sweep wrote no $work/small.h5"
# Resume: nothing left to run.
json=$("$saffire" sweep "$work/small.toml" --json) || fail "resumed sweep failed"
grep -q '"skipped":4' <<<"$json" || fail "a re-run should skip the 4 finished points: $json"
grep -q '"ok":0' <<<"$json" || fail "a re-run should run nothing: $json"
# Each point's result is the command's JSON: OS 8x8, M=17 N=9 K=21 -> 3*2 folds of 8+8+21-2 = 35 -> 209.
"$saffire" trace export-csv "$work/small.h5" --table points --out "$work/small.csv" || fail "export-csv failed"
[ "$(wc -l <"$work/small.csv")" -eq 5 ] || fail "points CSV should have a header and 4 rows: $(cat "$work/small.csv")"
if [ -x $py ] && $py -c 'import h5py' 2>/dev/null; then
  $py -c "
import sys; sys.path.insert(0, '$(dirname "$0")/../../traces/python')
import saffire_traces as st
t = st.load('$work/small.h5')
assert st.check(t) == [], st.check(t)
pts = {(p['coordinates']['dataflow'], p['coordinates']['m']): p for p in t.point_dicts()}
assert len(pts) == 4, pts.keys()
r = pts[('os', '17')]['result']
assert r['cycles'] == 209 and r['verified'] is True, r
" || fail "small.h5: points or their results wrong"
fi

# Shards merged equal the single run; a different run differs (exit 1).
"$saffire" sweep "$work/small.toml" --shard 0/2 --out "$work/sh.h5" >/dev/null 2>&1 || fail "shard 0/2 failed"
"$saffire" sweep "$work/small.toml" --shard 1/2 --out "$work/sh.h5" >/dev/null 2>&1 || fail "shard 1/2 failed"
[ -s "$work/sh.rank0of2.h5" ] && [ -s "$work/sh.rank1of2.h5" ] || fail "shards should write sh.rank0of2.h5 and sh.rank1of2.h5"
"$saffire" trace merge "$work/merged.h5" "$work/sh.rank0of2.h5" "$work/sh.rank1of2.h5" 2>/dev/null || fail "merge failed"
"$saffire" trace diff "$work/merged.h5" "$work/small.h5" >/dev/null || fail "merged shards differ from the single run"
sed 's/k = 21/k = 22/' "$work/small.toml" >"$work/other.toml"
"$saffire" sweep "$work/other.toml" --out "$work/other.h5" >/dev/null 2>&1 || fail "other sweep failed"
"$saffire" trace diff "$work/other.h5" "$work/small.h5" >/dev/null; rc=$?
[ $rc -eq 1 ] || fail "trace diff of different runs should exit 1, got $rc"
"$saffire" trace merge "$work/bad_merge.h5" "$work/small.h5" "$work/other.h5" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "merging files of different runs should exit 2, got $rc"

if command -v mpirun >/dev/null 2>&1; then
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -np 2 --oversubscribe \
    "$saffire" sweep "$work/small.toml" --out "$work/mpi.h5" >/dev/null 2>&1 || fail "mpirun -np 2 sweep failed"
  "$saffire" trace merge "$work/mpi_merged.h5" "$work/mpi.rank0of2.h5" "$work/mpi.rank1of2.h5" 2>/dev/null \
    || fail "merging the mpirun ranks failed"
  "$saffire" trace diff "$work/mpi_merged.h5" "$work/small.h5" >/dev/null || fail "mpirun -np 2 merged differs from the single run"
else
  echo "sweep_test: mpirun not found (apt-get install openmpi-bin): the MPI check did not run"
fi

# Interrupted: Ctrl-C keeps every finished point, and a re-run finishes the rest without duplicates.
cat >"$work/long.toml" <<'TOML'
[sweep]
command = "gemm"
out = "long.h5"
jobs = 1
[fixed]
n = 64
k = 64
rows = 16
cols = 16
fidelity = "pe"
[grid]
m = { from = 100, to = 2000, step = 100 }
dataflow = ["ws", "os"]
TOML
"$saffire" sweep "$work/long.toml" >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid; rc=$?
[ $rc -ne 0 ] || echo "sweep_test: the long sweep finished before the interrupt (fast machine)"
"$saffire" trace summary "$work/long.h5" >"$work/long_summary.txt" || fail "the interrupted file does not read back"
json=$("$saffire" sweep "$work/long.toml" --json 2>/dev/null) || fail "resuming the interrupted sweep failed: $json"
$py -c "
import json, sys; sys.path.insert(0, '$(dirname "$0")/../../traces/python')
import saffire_traces as st
s = json.loads('$json')
t = st.load('$work/long.h5')
keys = [p['key'] for p in t.point_dicts() if p['status'] == 'ok']
assert len(keys) == 40 and len(set(keys)) == 40, (len(keys), len(set(keys)))
assert s['skipped'] + s['ok'] == 40, s
" || fail "after resuming, long.h5 should hold each of the 40 points once"

# Bad input: the config's file and line, exit 2; a point rejected as bad input stops the sweep, exit 2.
printf '[sweep]\njobz = 1\n' >"$work/bad.toml"
out=$("$saffire" sweep "$work/bad.toml" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "bad.toml:2: sweep.jobz" <<<"$out" || fail "bad sweep config: expected exit 2 naming bad.toml:2, got $rc: $out"
printf '[sweep]\ncommand = "gemm"\nout = "badpt.h5"\njobs = 1\n[fixed]\nn = 4\nk = 4\n[grid]\nm = [4, 0]\n' >"$work/badpt.toml"
out=$("$saffire" sweep "$work/badpt.toml" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "bad input" <<<"$out" || fail "a bad point should stop the sweep with exit 2: $rc $out"

echo "sweep_test: $failures failure(s)"
[ "$failures" -eq 0 ]
