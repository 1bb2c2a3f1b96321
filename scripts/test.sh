#!/usr/bin/env bash
# Set up, build with warnings as errors, and run the test suite. BUILD_DIR and CMake args as in build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
BUILD_DIR="$BUILD_DIR" bash scripts/build.sh -DSAFFIRE_WERROR=ON "$@"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)"
