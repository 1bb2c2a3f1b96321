#pragma once
// Validators for numeric command-line values, so that every number is range-checked and finite and a
// bad one is a usage error (exit 2) naming the option: CLI::Range alone lets NaN through.
#include <CLI/CLI.hpp>
#include <string>

namespace saffire::cli {

/// A finite number in [lo, hi].
CLI::Validator finite_in(double lo, double hi);
/// A finite number in (lo, hi].
CLI::Validator finite_above(double lo, double hi);
/// 0 (all cores) up to the cores this process may run on.
CLI::Validator thread_count();
/// An unsigned integer written without a sign (CLI11 would read "-1" as 2^64 - 1).
CLI::Validator unsigned_integer();
/// An INT8 kernel name (models/gemm) or auto.
CLI::Validator kernel_name();
/// The cores this process may run on (its CPU affinity).
int available_cores();

}  // namespace saffire::cli
