#!/usr/bin/env bash
# A longer fuzzing campaign: fuzz/run.sh with MINUTES per target (default 5), its per-target figures
# (executions, corpus, findings) saved to $BUILD_DIR/fuzz/campaign.txt with the date and machine, for the
# table in fuzz/README.md. The corpus grows in $BUILD_DIR/fuzz/runs/<target>/corpus and is kept between runs,
# so a second campaign continues where the first stopped. Run it under `nice` on a shared machine.
# Usage: fuzz/campaign.sh [MINUTES per target]
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
build=${BUILD_DIR:-build-fuzz}
mkdir -p "$build/fuzz"
{
  echo "campaign $(date -u +%Y-%m-%dT%H:%MZ), $minutes min per target, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  BUILD_DIR=$build bash fuzz/run.sh $((minutes * 60))
} 2>&1 | tee "$build/fuzz/campaign.txt"
exit "${PIPESTATUS[0]}"
