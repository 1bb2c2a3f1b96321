#pragma once
// Speed of the timing-error check, for `saffire bench` (tests never time anything).
namespace saffire::arch {

/// Checked accumulates per second on the calling thread: TimingModel::count_errors at 0.70 V (error
/// bit histogram on) over the (acc, addend) steps of random INT8 dot products (K = 4096), best of a
/// few repetitions of about 0.1 s each. Target: >= 2e8 per core.
double timing_checks_per_second();

/// Same for the scalar inline TimingModel::accumulate (one PE step at a time, result consumed).
double timing_accumulates_per_second();

}  // namespace saffire::arch
