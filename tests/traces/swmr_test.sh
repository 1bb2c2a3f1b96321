#!/usr/bin/env bash
# Traces are readable while written (SWMR) and survive kill -9: a sweep (--jobs 1, 6 points of about a second)
# is read by `saffire trace summary` and by h5py (swmr=True) in other processes as soon as its first point is
# flushed, while it still runs; then it is killed with kill -9 (its running child too), and the file must open
# and hold every point finished before the kill; a re-run resumes it to all 6 points.
# Usage: swmr_test.sh SAFFIRE WORK_DIR [PYTHON_DIR]   (PYTHON_DIR: traces/python, for the h5py reader)
set -u
S=$1 W=$2 PY=${3:-}
rm -rf "$W" && mkdir -p "$W"
fail() { echo "FAIL: $*"; [[ -n ${pid:-} ]] && kill -9 "$pid" 2>/dev/null; exit 1; }
points_ok() { "$S" trace summary "$W/s.h5" 2>/dev/null | sed -n 's/^  points *\([0-9]*\) rows.*/\1/p'; }
printf '[sweep]\ncommand = "gemm"\n[fixed]\nrows = 8\ncols = 8\nm = 8\nn = 8\n[grid]\nk = [1, 2, 3, 4, 5, 6]\n' >"$W/s.toml"
"$S" sweep "$W/s.toml" --jobs 1 --out "$W/s.h5" >"$W/sweep.log" 2>&1 &
pid=$!
seen=""
for _ in $(seq 1 600); do  # up to 60 s for the first point
  n=$(points_ok)
  if [[ -n $n && $n -ge 1 ]]; then seen=$n; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
[[ -n $seen ]] || fail "no point became readable while the sweep ran ($(tail -2 "$W/sweep.log"))"
kill -0 "$pid" 2>/dev/null || fail "the sweep had finished before the read: not a read while written"
echo "ok: trace summary read $seen point(s) while the sweep was running"
if [[ -n $PY && -x /usr/bin/python3 ]] && /usr/bin/python3 -c "import h5py" 2>/dev/null; then
  h5=$(/usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'r',swmr=True); print(len(f['points']))" "$W/s.h5" 2>&1) ||
    fail "h5py (swmr=True) could not read the file while written: $h5"
  echo "ok: h5py read $h5 point row(s) while the sweep was running"
fi
# kill -9 the sweep and its running child (by parent id), then read what it left.
children=$(pgrep -P "$pid" || true)
kill -9 "$pid" $children 2>/dev/null
wait "$pid" 2>/dev/null
after=$(points_ok)
[[ -n $after ]] || fail "the file left by kill -9 does not open: $("$S" trace summary "$W/s.h5" 2>&1 | head -2)"
[[ $after -ge $seen ]] || fail "the killed sweep's file holds $after points, fewer than the $seen read before"
"$S" trace export-csv "$W/s.h5" --table points >"$W/points.csv" 2>&1 || fail "export-csv after kill -9: $(head -2 "$W/points.csv")"
rows=$(($(wc -l <"$W/points.csv") - 1))
[[ $rows -eq $after ]] || fail "export-csv lists $rows points, summary $after"
echo "ok: after kill -9 the file opens and holds $after finished point(s)"
# Resume: the re-run skips the finished points and completes the grid.
"$S" sweep "$W/s.toml" --jobs 1 --out "$W/s.h5" >"$W/resume.log" 2>&1 || fail "resume after kill -9: $(tail -3 "$W/resume.log")"
grep -q "($after done before)" "$W/resume.log" || fail "resume did not skip the $after finished points: $(head -1 "$W/resume.log")"
final=$(points_ok)
[[ $final -eq 6 ]] || fail "after the resume the file holds $final points, not 6"
echo "ok: resumed to all 6 points"
