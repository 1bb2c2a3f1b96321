#!/usr/bin/env bash
# Installs the Debian packages saffire needs (only those missing). Run as root on Debian 12.
# ocl-icd-opencl-dev: only a recommends of libdnnl-dev, but dnnl-config.cmake requires OpenCL.
# openmpi-bin: mpirun, for sharded sweeps and their test (saffire itself does not link MPI).
# clang-14, libclang-rt-14-dev (libFuzzer), libomp-14-dev (OpenMP for clang): the fuzz targets (fuzz/run.sh).
set -euo pipefail
packages=(build-essential cmake ccache pkg-config libsystemc-dev libeigen3-dev libboost-dev libhdf5-dev catch2
          libdnnl-dev ocl-icd-opencl-dev librandom123-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev libpcre2-dev
          libmpfr-dev
          openmpi-bin clang-14 libclang-rt-14-dev libomp-14-dev python3-h5py python3-numpy python3-matplotlib)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
