#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, their own build dir, ccache), writes the seed corpus and runs every
# target for SECONDS; exits 1 if any target finds a crash, an uncaught non-ConfigError exception, a timeout
# or an out-of-memory input (its reproducer is left in $BUILD_DIR/fuzz/runs/<target>/).
# Usage: fuzz/run.sh [SECONDS per target, default 6]   (BUILD_DIR default build-fuzz)
# Prints one line per target: executions, corpus size, result. fuzz/campaign.sh runs it for longer.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-6}
build=${BUILD_DIR:-build-fuzz}
targets=(llama2c_checkpoint tokenizer_bin tokenizer_json topology_csv config_toml csv_tables scalesim_cfg safetensors
         hf_config trace gguf)
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
cxx=$(command -v clang++-14 || command -v clang++) || { echo "fuzz: clang++ not found (scripts/setup.sh installs it)"; exit 1; }
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAFFIRE_FUZZ=ON \
  -DSAFFIRE_CUDA=OFF -DSAFFIRE_WERROR=ON >/dev/null || exit 1
cmake --build "$build" -j"$(nproc)" --target fuzz_targets >"$build/fuzz_build.log" 2>&1 || { tail -40 "$build/fuzz_build.log"; exit 1; }
seeds=$PWD/$build/fuzz/corpus runs=$PWD/$build/fuzz/runs bin=$PWD/$build/fuzz
rm -rf "$seeds" && "$build/fuzz/write_seed_corpus" "$seeds" . || exit 1
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0 total=0
for t in "${targets[@]}"; do
  dir=$runs/$t
  mkdir -p "$dir/corpus"
  # -timeout: one input may take 10 s (a trace's trial read of a hanging file takes 2 s); -rss_limit_mb: the
  # whole process stays under 2 GiB; the corpus grows in $dir/corpus, the seeds are only read.
  (cd "$dir" && "$bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$dir/" corpus "$seeds/$t" >log 2>&1)
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  total=$((total + ${execs:-0}))
  if [[ $rc -eq 0 ]]; then
    printf '%-20s %10s executions, corpus %5s inputs: no finding\n' "$t" "${execs:-?}" "$(ls "$dir/corpus" | wc -l)"
  else
    failed=$((failed + 1))
    printf '%-20s FAILED (exit %s): %s\n' "$t" "$rc" "$(ls "$dir" | grep -E '^(crash|timeout|oom|leak)-' | head -1)"
    grep -E 'ERROR|SUMMARY|what\(\)|terminate' "$dir/log" | head -5 | sed 's/^/    /'
  fi
done
echo "fuzz: ${#targets[@]} targets, $total executions, $failed with findings"
[[ $failed -eq 0 ]]
