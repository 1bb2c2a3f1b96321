#!/usr/bin/env bash
# saffire on the fuzz reproducers of hostile sizes, values and files (../shared/fuzz, README.md there):
# each must exit 2 within the time limit, under a 4 GB address-space limit, with a message that says
# what was wrong. Usage: hostile_input_test.sh SAFFIRE FUZZ_DIR WORK_DIR. Exits 77 (skipped) if
# FUZZ_DIR is absent.
set -u
S=$1 R=$2 W=$3
if [[ ! -d $R ]]; then
  echo "SKIP: fuzz reproducers not found at $R (they live in the shared checkout, not in the repo)"
  exit 77
fi
rm -rf "$W" && mkdir -p "$W"
failures=0
# expect_rejected TEXT ARGS...: saffire ARGS must exit 2 within 20 s and its stderr must contain TEXT.
expect_rejected() {
  local text=$1
  shift
  local rc
  # AddressSanitizer reserves terabytes of shadow address space: the bound holds in the plain build only.
  (if [[ -z ${SAFFIRE_SANITIZED:-} ]]; then ulimit -v 4000000; fi; timeout 20 "$S" "$@" >"$W/stdout" 2>"$W/stderr" </dev/null)
  rc=$?
  if [[ $rc -ne 2 ]]; then
    echo "FAIL (exit $rc, expected 2): saffire $*"; sed 's/^/  /' "$W/stderr" | head -5
    failures=$((failures + 1))
  elif ! grep -qF -- "$text" "$W/stderr"; then
    echo "FAIL (message lacks '$text'): saffire $*"; sed 's/^/  /' "$W/stderr" | head -5
    failures=$((failures + 1))
  else
    echo "ok: saffire $* -> $(head -c 240 "$W/stderr")"
  fi
}
for f in topo_wrap.csv topo_hang.csv topo_negcycles.csv sweep_wrap0.toml sweep_1e10.toml; do
  [[ -f $R/$f ]] || { echo "FAIL: reproducer $R/$f missing"; exit 1; }
done

# D8: M*K, K*N, M*N wrap int64.
expect_rejected "does not fit in a 64-bit integer" gemm --m 4294967296 --n 4294967296 --k 4294967296
expect_rejected "GEMM 'wrap'" topology "$R/topo_wrap.csv" --no-files
# D17 (bad_alloc): a GEMM larger than the memory limit is refused before allocating, with what it needs.
expect_rejected "would need 65.48 TiB" gemm --m 1000000000000 --n 8 --k 8
expect_rejected "more than the memory limit of 2.00 MiB" gemm --m 1000 --n 1000 --k 1000 --max-memory 2M
expect_rejected "--max-memory" gemm --m 8 --n 8 --k 8 --max-memory lots
# D9: the analytic mode is O(1) per GEMM; counts past int64 are an error, not a loop.
expect_rejected "does not fit in a 64-bit integer" topology "$R/topo_hang.csv" --no-files --fidelity analytic
expect_rejected "MACs (M x N x K)" overhead --m 3037000500 --n 3037000500 --k 3037000500
# D10: never negative cycles.
expect_rejected "GEMM 'big'" topology "$R/topo_negcycles.csv" --no-files --fidelity analytic
expect_rejected "does not fit in a 64-bit integer" topology --model llama-3-8b --seq 1000000000 --no-files --json
# D11: sweep grids whose point count wraps or is far too large.
expect_rejected "sweep_wrap0.toml" sweep "$R/sweep_wrap0.toml" --list
expect_rejected "10000000000 points (seq 100000 x size 100000)" sweep "$R/sweep_1e10.toml" --list

# D13: config, CSV, table and sweep paths must be regular files (a FIFO must not block, /dev/zero not be read).
mkfifo "$W/fifo"
for path in /dev/zero "$W/fifo" "$W"; do
  expect_rejected "not a regular file" gemm --m 8 --n 8 --k 8 --config "$path"
done
expect_rejected "topology file is not a regular file" topology "$W/fifo" --no-files
expect_rejected "not a regular file" sweep "$W/fifo" --list
expect_rejected "not a regular file" eval --precision w8a8 --fault-model table --fault-table "$W/fifo" --voltage 0.7
expect_rejected "not a regular file" abft-prob --m 16 --n 16 --k 16 --trials 1 --abft-config "$W/fifo"
expect_rejected "not a regular file" overhead --tech "$W/fifo"
# D14: --threads bounded by the cores.
expect_rejected "--threads: expected 0 (all cores) to" voltage-curve --samples 1 --rows 4 --cols 4 --threads 100000
expect_rejected "--threads: expected 0 (all cores) to" abft-prob --m 64 --n 64 --k 32 --trials 5 --rows 16 --cols 16 --threads 100000
expect_rejected "--threads" gemm --m 8 --n 8 --k 8 --threads -1
# D16: values never silently ignored or replaced (checked before any model file is read).
expect_rejected "--ber: expected a finite number in [0, 1]" eval --precision w8a8 --ber -0.1
expect_rejected "--ber: expected a finite number" eval --precision w8a8 --ber nan
expect_rejected "--bit" eval --precision w8a8 --ber 1e-3 --bit -7
expect_rejected "--layers: expected layer numbers from 0" eval --precision w8a8 --ber 1e-3 --layers -1
expect_rejected "--components: empty list" eval --precision w8a8 --ber 1e-3 --components ''
M=$R/../models
if [[ -f $M/stories260K.bin && -f $M/tok512.bin ]]; then  # stories260K has 5 layers (0..4)
  expect_rejected "--layers: layer 5 is past the model's last layer (4" eval --model "$M/stories260K.bin" \
    --tokenizer "$M/tok512.bin" --precision w8a8 --ber 1e-3 --layers 0,5
  expect_rejected "--layers: layer 99 is past the model's last layer" generate --model "$M/stories260K.bin" \
    --tokenizer "$M/tok512.bin" --precision w8a8 --ber 1e-3 --layers 99
fi
for v in 0 -1 nan 100; do
  expect_rejected "--voltage: expected a finite number in (0, 5]" topology --model stories260k --no-files --voltage "$v"
done
expect_rejected "--seed: expected an unsigned integer" gemm --m 8 --n 8 --k 8 --seed -1
expect_rejected "arch.clock_ghz: expected a frequency from 0.001" gemm --m 8 --n 8 --k 8 --clock-ghz 1e-300
expect_rejected "--node" eval --precision w8a8 --node 7
expect_rejected "--abft-scope" eval --precision w8a8 --abft classic --abft-scope zz
expect_rejected "--recover-at" eval --precision w8a8 --abft classic --recover-at zz
expect_rejected "--max-retries" eval --precision w8a8 --abft classic --max-retries -1
# D17: bad values exit 2, not 1.
expect_rejected "--kernel" gemm --m 8 --n 8 --k 8 --kernel zz
for t in nan 1e308; do expect_rejected "--temperature: expected a finite number" generate --temperature "$t"; done
expect_rejected "--top-p: expected a finite number" generate --top-p nan
# D18 (first half): unknown top-level config tables and keys outside a table are errors, not ignored.
printf '[archx]\nrows = 0\n' >"$W/archx.toml"
expect_rejected "archx.toml:1: unknown table [archx]" gemm --m 8 --n 8 --k 8 --config "$W/archx.toml"
printf 'rows = 0\n[arch]\nrows = 4\n' >"$W/loose.toml"
expect_rejected "loose.toml:1: 'rows' is outside any table" topology --model stories260k --no-files --config "$W/loose.toml"
# Sweep children share the sweep's --max-memory (the limit divided by --jobs), never the default each: a
# 40 MiB gemm point fits 64M but not the 32 MiB each of 2 jobs gets.
printf '[sweep]\ncommand = "gemm"\n[fixed]\nm = 2048\nn = 2048\n[grid]\nk = [2048, 2049]\n' >"$W/sweep_mem.toml"
expect_rejected "more than the memory limit of 32.00 MiB" sweep "$W/sweep_mem.toml" --jobs 2 --max-memory 64M \
  --out "$W/sweep_mem.h5"
# A trace that cannot be written is bad input too (TraceError is a ConfigError): --out onto a directory.
mkdir -p "$W/topo_out/trace.h5"
printf 'Layer,M,N,K\nl0,8,8,8\n' >"$W/one.csv"
expect_rejected "topo_out/trace.h5" topology "$W/one.csv" --out "$W/topo_out"

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
