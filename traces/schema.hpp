#pragma once
// HDF5 trace schema: names and version, in one place (mirrored by traces/python/saffire_traces.py).
namespace saffire::traces {
inline constexpr int kSchemaVersion = 1;
}
