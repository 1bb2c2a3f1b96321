#!/usr/bin/env bash
# The default job: set up, build (Release), then a GEMM on a 32x32 WS and OS array and a topology report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
./build/saffire gemm --config experiments/configs/default.toml --dataflow ws --m 200 --n 96 --k 150
./build/saffire gemm --config experiments/configs/default.toml --dataflow os --m 200 --n 96 --k 150 --fidelity pe
./build/saffire topology experiments/topologies/demo.csv --config experiments/configs/default.toml --out out/demo
