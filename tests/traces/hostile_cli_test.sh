#!/usr/bin/env bash
# `saffire trace` on the fuzz reproducers of hostile traces (../shared/fuzz, README.md there, D1-D6):
# each must exit 2 within the time limit, under a 4 GB address-space limit, with an error naming the
# file. Also D18: `sweep --out` onto an existing trace that is not a sweep file is refused (exit 2).
# Usage: hostile_cli_test.sh SAFFIRE WRITE_SAMPLE_TRACE FUZZ_DIR WORK_DIR. Exits 77 (skipped) if FUZZ_DIR is absent.
set -u
S=$1 WRITE_SAMPLE=$2 R=$3 W=$4
if [[ ! -d $R ]]; then
  echo "SKIP: fuzz reproducers not found at $R (they live in the shared checkout, not in the repo)"
  exit 77
fi
rm -rf "$W" && mkdir -p "$W"
failures=0
# expect_rejected FILE ARGS...: saffire ARGS must exit 2 and its stderr must name FILE.
expect_rejected() {
  local file=$1
  shift
  local rc
  # AddressSanitizer reserves terabytes of shadow address space: the bound holds in the plain build only.
  (if [[ -z ${SAFFIRE_SANITIZED:-} ]]; then ulimit -v 4000000; fi; timeout 20 "$S" "$@" >"$W/stdout" 2>"$W/stderr")
  rc=$?
  if [[ $rc -ne 2 ]]; then
    echo "FAIL (exit $rc, expected 2): saffire $*"; sed 's/^/  /' "$W/stderr" | head -5
    failures=$((failures + 1))
  elif ! grep -qF "'$file'" "$W/stderr"; then
    echo "FAIL (message does not name '$file'): saffire $*"; sed 's/^/  /' "$W/stderr" | head -5
    failures=$((failures + 1))
  else
    echo "ok: saffire $* -> $(head -c 200 "$W/stderr")"
  fi
}
missing=0
for f in h5_segv_H5HG_read_dataset h5_segv_H5HG_read_attr h5_segv_conv_struct h5_segv_strlen_attr h5_hang_1 h5_hang_2 \
         badjson deepjson deeparr hugerows; do
  [[ -f $R/$f.h5 ]] || { echo "FAIL: reproducer $R/$f.h5 missing"; missing=$((missing + 1)); }
done
[[ $missing -eq 0 ]] || exit 1

# D1: SIGSEGV inside libhdf5, from every trace subcommand.
expect_rejected "$R/h5_segv_H5HG_read_dataset.h5" trace export-csv "$R/h5_segv_H5HG_read_dataset.h5" --table faults
expect_rejected "$R/h5_segv_H5HG_read_attr.h5" trace merge "$W/m.h5" "$R/h5_segv_H5HG_read_attr.h5"
expect_rejected "$R/h5_segv_conv_struct.h5" trace merge "$W/m.h5" "$R/h5_segv_conv_struct.h5"
expect_rejected "$R/h5_segv_strlen_attr.h5" trace export-csv "$R/h5_segv_strlen_attr.h5" --table abft
for f in h5_segv_H5HG_read_dataset h5_segv_H5HG_read_attr h5_segv_conv_struct h5_segv_strlen_attr; do
  expect_rejected "$R/$f.h5" trace summary "$R/$f.h5"
  expect_rejected "$R/$f.h5" trace diff "$R/$f.h5" "$R/$f.h5"
done
# D2: endless loops inside libhdf5 (killed after the trial-read timeout, 5 s for these small files).
expect_rejected "$R/h5_hang_1.h5" trace export-csv "$R/h5_hang_1.h5" --table gemms
expect_rejected "$R/h5_hang_2.h5" trace summary "$R/h5_hang_2.h5"
# D3: unreadable traces are bad input.
expect_rejected "$W" trace summary "$W"
expect_rejected "$R/topo_wrap.csv" trace summary "$R/topo_wrap.csv"
expect_rejected "$W/missing.h5" trace summary "$W/missing.h5"
expect_rejected "$W/missing.h5" trace export-csv "$W/missing.h5" --table gemms
# D4, D5: corrupt and deeply nested JSON in /points.
for f in badjson deepjson deeparr; do
  expect_rejected "$R/$f.h5" trace export-csv "$R/$f.h5" --table points
done
if ! grep -q "row 0 column 'coordinates'" "$W/stderr"; then
  echo "FAIL: the JSON error names no row and column"; failures=$((failures + 1))
fi
# D6: a 9.8 KB file declaring 40 M rows.
expect_rejected "$R/hugerows.h5" trace summary "$R/hugerows.h5"
if ! grep -q "dataset '/gemms'" "$W/stderr"; then
  echo "FAIL: the row-count error names no dataset"; failures=$((failures + 1))
fi
# D18: sweep --out onto an existing trace that is not a sweep file.
cat >"$W/sweep.toml" <<TOML
[sweep]
command = "gemm"
out = "$W/unused.h5"
[fixed]
n = 4
k = 4
[grid]
m = [4, 8]
TOML
# write_sample_trace writes a trace of a non-sweep command (like topology's trace.h5).
if "$WRITE_SAMPLE" "$W/other.h5" >/dev/null 2>"$W/stderr"; then
  cp "$W/other.h5" "$W/other_before.h5"
  expect_rejected "$W/other.h5" sweep "$W/sweep.toml" --out "$W/other.h5"
  if ! cmp -s "$W/other.h5" "$W/other_before.h5"; then
    echo "FAIL: sweep changed the trace it refused"; failures=$((failures + 1))
  fi
  # The same sweep onto a fresh file works, and resuming onto its own output is still allowed.
  if ! "$S" sweep "$W/sweep.toml" --out "$W/own.h5" >/dev/null 2>"$W/stderr" ||
     ! "$S" sweep "$W/sweep.toml" --out "$W/own.h5" >/dev/null 2>>"$W/stderr"; then
    echo "FAIL: sweep onto a new or its own file failed:"; sed 's/^/  /' "$W/stderr" | head -5
    failures=$((failures + 1))
  fi
else
  echo "FAIL: could not write a sample trace for the D18 check:"; cat "$W/stderr"; failures=$((failures + 1))
fi
echo "$failures failure(s)"
[[ $failures -eq 0 ]]
