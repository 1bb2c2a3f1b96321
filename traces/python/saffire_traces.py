#!/usr/bin/python3
"""Read saffire HDF5 trace files (layout: traces/SCHEMA.md).

Pure h5py + numpy. Use Debian's interpreter, /usr/bin/python3, which sees python3-h5py and
python3-numpy. The names below mirror traces/schema.hpp (tests/traces/test_python_reader.py
checks that they agree).

    import saffire_traces
    t = saffire_traces.load("out.h5")
    t.run["command"], t.run["seed"]           # root attributes, as Python str / int
    t.gemms["cycles"]                         # numpy structured array, one row per GEMM
    t.gemms[t.gemms["dataflow"] == "ws"]      # string columns are numpy str ('U')
    t.gemm_dicts()                            # the same rows as a list of dicts
    t.faults["delta"]                         # one row per injected fault (empty for version-1 files)
    t.fault_dicts()
    t.decisions["action"]                     # one row per ABFT decision (empty for files older than version 3)
    t.decision_dicts()
    t.points["status"]                        # one row per finished sweep point (empty for files older than version 4)
    t.point_dicts()                           # options, coordinates and result parsed from JSON
    t.command_line, t.cwd                     # how the file was made (version 5; [] and "" before)
    t.memory["stall_cycles"]                  # one row per GEMM's memory behaviour (empty before version 6)
    t.memory_dicts()
    t.inputs                                  # its input files: dicts with path, ..., content (bytes or None)

Command line:
    /usr/bin/python3 saffire_traces.py FILE           print a summary
    /usr/bin/python3 saffire_traces.py --check FILE   also check row consistency; exit 1 on problems
"""

import argparse
import dataclasses
import json
import math
import os
import re
import sys

import h5py
import numpy as np

# --- Mirror of traces/schema.hpp -------------------------------------------------------------
SCHEMA_VERSION = 6  # newest version this reader understands; it accepts every version <= this
SCHEMA_NAME = "saffire-trace"

ATTR_SCHEMA = "schema"
ATTR_SCHEMA_VERSION = "schema_version"
ATTR_COMMAND = "command"
ATTR_CONFIG_TOML = "config_toml"
ATTR_SEED = "seed"
ATTR_SAFFIRE_VERSION = "saffire_version"
ATTR_CREATED_UTC = "created_utc"

GEMMS_DATASET = "/gemms"
GEMMS_CHUNK_ROWS = 64
FAULTS_DATASET = "/faults"  # version 2
FAULTS_CHUNK_ROWS = 1024
FAULTS_SINCE_VERSION = 2
DECISIONS_DATASET = "/abft"  # version 3
DECISIONS_CHUNK_ROWS = 1024
DECISIONS_SINCE_VERSION = 3
POINTS_DATASET = "/points"  # version 4
POINTS_CHUNK_ROWS = 64
POINTS_SINCE_VERSION = 4
COMMAND_LINE_DATASET = "/command_line"  # version 5: the command record
COMMAND_LINE_ATTR_CWD = "cwd"
INPUTS_GROUP = "/inputs"
COMMAND_SINCE_VERSION = 5
MEMORY_DATASET = "/memory"  # version 6
MEMORY_CHUNK_ROWS = 64
MEMORY_SINCE_VERSION = 6
INPUT_ATTR_PATH = "path"
INPUT_ATTR_RESOLVED = "resolved"
INPUT_ATTR_SOURCE = "source"
INPUT_ATTR_SIZE = "size"
INPUT_ATTR_HASH = "hash"
INPUT_ATTR_EMBEDDED = "embedded"

COL_NAME = "name"
COL_M = "m"
COL_N = "n"
COL_K = "k"
COL_DATAFLOW = "dataflow"
COL_ROWS = "rows"
COL_COLS = "cols"
COL_CYCLES = "cycles"
COL_MACS = "macs"
COL_UTILIZATION = "utilization"
COL_MAPPING_EFFICIENCY = "mapping_efficiency"
COL_FIDELITY = "fidelity"
COL_HOST_SECONDS = "host_seconds"

FAULT_COL_GEMM = "gemm"
FAULT_COL_LAYER = "layer"
FAULT_COL_COMPONENT = "component"
FAULT_COL_STAGE = "stage"
FAULT_COL_HEAD = "head"
FAULT_COL_CALL_INDEX = "call_index"
FAULT_COL_SEQUENCE = "sequence"
FAULT_COL_M = "m"
FAULT_COL_N = "n"
FAULT_COL_PE_ROW = "pe_row"
FAULT_COL_PE_COL = "pe_col"
FAULT_COL_FOLD = "fold"
FAULT_COL_CYCLE = "cycle"
FAULT_COL_BIT = "bit"
FAULT_COL_BEFORE = "before"
FAULT_COL_AFTER = "after"
FAULT_COL_DELTA = "delta"

DECISION_COL_GEMM = "gemm"
DECISION_COL_LAYER = "layer"
DECISION_COL_COMPONENT = "component"
DECISION_COL_STAGE = "stage"
DECISION_COL_HEAD = "head"
DECISION_COL_CALL_INDEX = "call_index"
DECISION_COL_SEQUENCE = "sequence"
DECISION_COL_ATTEMPT = "attempt"
DECISION_COL_TILE = "tile"
DECISION_COL_SCHEME = "scheme"
DECISION_COL_ACTION = "action"
DECISION_COL_MSD = "msd"
DECISION_COL_THETA_MAG = "theta_mag"
DECISION_COL_FREQ = "freq"
DECISION_COL_RECOVERED_AT_NOMINAL = "recovered_at_nominal"

POINT_COL_KEY = "key"
POINT_COL_COMMAND = "command"
POINT_COL_OPTIONS = "options"
POINT_COL_COORDINATES = "coordinates"
POINT_COL_STATUS = "status"
POINT_COL_EXIT_CODE = "exit_code"
POINT_COL_SECONDS = "seconds"
POINT_COL_RANK = "rank"
POINT_COL_FINISHED_UTC = "finished_utc"
POINT_COL_RESULT = "result"
POINT_COL_ERROR = "error"
MEMORY_COL_GEMM = "gemm"
MEMORY_COL_MODEL = "model"
MEMORY_COL_DRAM_PRESET = "dram_preset"
MEMORY_COL_COMPUTE_CYCLES = "compute_cycles"
MEMORY_COL_STALL_CYCLES = "stall_cycles"
MEMORY_COL_TOTAL_CYCLES = "total_cycles"
MEMORY_COL_SRAM_READS_IFMAP = "sram_reads_ifmap"
MEMORY_COL_SRAM_READS_FILTER = "sram_reads_filter"
MEMORY_COL_SRAM_READS_OFMAP = "sram_reads_ofmap"
MEMORY_COL_SRAM_WRITES_IFMAP = "sram_writes_ifmap"
MEMORY_COL_SRAM_WRITES_FILTER = "sram_writes_filter"
MEMORY_COL_SRAM_WRITES_OFMAP = "sram_writes_ofmap"
MEMORY_COL_DRAM_READS_IFMAP = "dram_reads_ifmap"
MEMORY_COL_DRAM_READS_FILTER = "dram_reads_filter"
MEMORY_COL_DRAM_READS_OFMAP = "dram_reads_ofmap"
MEMORY_COL_DRAM_WRITES_IFMAP = "dram_writes_ifmap"
MEMORY_COL_DRAM_WRITES_FILTER = "dram_writes_filter"
MEMORY_COL_DRAM_WRITES_OFMAP = "dram_writes_ofmap"
MEMORY_COL_DRAM_BYTES_READ = "dram_bytes_read"
MEMORY_COL_DRAM_BYTES_WRITTEN = "dram_bytes_written"
MEMORY_COL_ACHIEVED_GBPS = "achieved_gbps"
MEMORY_COL_REQUIRED_AVG_IFMAP = "required_avg_ifmap"
MEMORY_COL_REQUIRED_AVG_FILTER = "required_avg_filter"
MEMORY_COL_REQUIRED_AVG_OFMAP = "required_avg_ofmap"
MEMORY_COL_REQUIRED_PEAK_IFMAP = "required_peak_ifmap"
MEMORY_COL_REQUIRED_PEAK_FILTER = "required_peak_filter"
MEMORY_COL_REQUIRED_PEAK_OFMAP = "required_peak_ofmap"
MEMORY_COL_DRAM_REQUESTS = "dram_requests"
MEMORY_COL_DRAM_ROW_HITS = "dram_row_hits"
MEMORY_COL_DRAM_ROW_MISSES = "dram_row_misses"
MEMORY_COL_DRAM_ROW_CONFLICTS = "dram_row_conflicts"
MEMORY_COL_ROW_HIT_RATE = "row_hit_rate"
MEMORY_COL_SRAM_ENERGY_PJ = "sram_energy_pj"
MEMORY_COL_DRAM_ENERGY_PJ = "dram_energy_pj"
# --- end of mirror ---------------------------------------------------------------------------

# Root attributes every file has since version 1 (besides schema and schema_version).
RUN_ATTRS = (ATTR_COMMAND, ATTR_CONFIG_TOML, ATTR_SEED, ATTR_SAFFIRE_VERSION, ATTR_CREATED_UTC)

# Columns of /gemms in version 1, in file order.
GEMM_COLUMNS = (COL_NAME, COL_M, COL_N, COL_K, COL_DATAFLOW, COL_ROWS, COL_COLS, COL_CYCLES, COL_MACS,
                COL_UTILIZATION, COL_MAPPING_EFFICIENCY, COL_FIDELITY, COL_HOST_SECONDS)

# Columns of /faults (version 2), in file order, with the numpy dtype of each.
FAULT_COLUMNS = (FAULT_COL_GEMM, FAULT_COL_LAYER, FAULT_COL_COMPONENT, FAULT_COL_STAGE, FAULT_COL_HEAD,
                 FAULT_COL_CALL_INDEX, FAULT_COL_SEQUENCE, FAULT_COL_M, FAULT_COL_N, FAULT_COL_PE_ROW,
                 FAULT_COL_PE_COL, FAULT_COL_FOLD, FAULT_COL_CYCLE, FAULT_COL_BIT, FAULT_COL_BEFORE,
                 FAULT_COL_AFTER, FAULT_COL_DELTA)
_FAULT_DTYPES = {FAULT_COL_GEMM: "U1", FAULT_COL_LAYER: "<i4", FAULT_COL_COMPONENT: "U1", FAULT_COL_STAGE: "U1",
                 FAULT_COL_HEAD: "<i4", FAULT_COL_CALL_INDEX: "<i8", FAULT_COL_SEQUENCE: "<i4", FAULT_COL_M: "<i8",
                 FAULT_COL_N: "<i8", FAULT_COL_PE_ROW: "<i8", FAULT_COL_PE_COL: "<i8", FAULT_COL_FOLD: "<i8",
                 FAULT_COL_CYCLE: "<i8", FAULT_COL_BIT: "<i4", FAULT_COL_BEFORE: "<i4", FAULT_COL_AFTER: "<i4",
                 FAULT_COL_DELTA: "<i8"}

# Columns of /abft (version 3), in file order, with the numpy dtype of each.
DECISION_COLUMNS = (DECISION_COL_GEMM, DECISION_COL_LAYER, DECISION_COL_COMPONENT, DECISION_COL_STAGE,
                    DECISION_COL_HEAD, DECISION_COL_CALL_INDEX, DECISION_COL_SEQUENCE, DECISION_COL_ATTEMPT,
                    DECISION_COL_TILE, DECISION_COL_SCHEME, DECISION_COL_ACTION, DECISION_COL_MSD,
                    DECISION_COL_THETA_MAG, DECISION_COL_FREQ, DECISION_COL_RECOVERED_AT_NOMINAL)
_DECISION_DTYPES = {DECISION_COL_GEMM: "U1", DECISION_COL_LAYER: "<i4", DECISION_COL_COMPONENT: "U1",
                    DECISION_COL_STAGE: "U1", DECISION_COL_HEAD: "<i4", DECISION_COL_CALL_INDEX: "<i8",
                    DECISION_COL_SEQUENCE: "<i4", DECISION_COL_ATTEMPT: "<i4", DECISION_COL_TILE: "<i8",
                    DECISION_COL_SCHEME: "U1", DECISION_COL_ACTION: "U1", DECISION_COL_MSD: "<f8",
                    DECISION_COL_THETA_MAG: "<f8", DECISION_COL_FREQ: "<i8",
                    DECISION_COL_RECOVERED_AT_NOMINAL: "<i4"}

# Columns of /points (version 4), in file order, with the numpy dtype of each.
POINT_COLUMNS = (POINT_COL_KEY, POINT_COL_COMMAND, POINT_COL_OPTIONS, POINT_COL_COORDINATES, POINT_COL_STATUS,
                 POINT_COL_EXIT_CODE, POINT_COL_SECONDS, POINT_COL_RANK, POINT_COL_FINISHED_UTC, POINT_COL_RESULT,
                 POINT_COL_ERROR)
_POINT_DTYPES = {POINT_COL_KEY: "U1", POINT_COL_COMMAND: "U1", POINT_COL_OPTIONS: "U1", POINT_COL_COORDINATES: "U1",
                 POINT_COL_STATUS: "U1", POINT_COL_EXIT_CODE: "<i4", POINT_COL_SECONDS: "<f8", POINT_COL_RANK: "<i4",
                 POINT_COL_FINISHED_UTC: "U1", POINT_COL_RESULT: "U1", POINT_COL_ERROR: "U1"}
# The /points columns that hold JSON text; point_dicts() parses them.
POINT_JSON_COLUMNS = (POINT_COL_OPTIONS, POINT_COL_COORDINATES, POINT_COL_RESULT)

# Columns of /memory (version 6), in file order, with the numpy dtype of each.
MEMORY_COLUMNS = (MEMORY_COL_GEMM, MEMORY_COL_MODEL, MEMORY_COL_DRAM_PRESET, MEMORY_COL_COMPUTE_CYCLES,
                  MEMORY_COL_STALL_CYCLES, MEMORY_COL_TOTAL_CYCLES, MEMORY_COL_SRAM_READS_IFMAP,
                  MEMORY_COL_SRAM_READS_FILTER, MEMORY_COL_SRAM_READS_OFMAP, MEMORY_COL_SRAM_WRITES_IFMAP,
                  MEMORY_COL_SRAM_WRITES_FILTER, MEMORY_COL_SRAM_WRITES_OFMAP, MEMORY_COL_DRAM_READS_IFMAP,
                  MEMORY_COL_DRAM_READS_FILTER, MEMORY_COL_DRAM_READS_OFMAP, MEMORY_COL_DRAM_WRITES_IFMAP,
                  MEMORY_COL_DRAM_WRITES_FILTER, MEMORY_COL_DRAM_WRITES_OFMAP, MEMORY_COL_DRAM_BYTES_READ,
                  MEMORY_COL_DRAM_BYTES_WRITTEN, MEMORY_COL_ACHIEVED_GBPS, MEMORY_COL_REQUIRED_AVG_IFMAP,
                  MEMORY_COL_REQUIRED_AVG_FILTER, MEMORY_COL_REQUIRED_AVG_OFMAP, MEMORY_COL_REQUIRED_PEAK_IFMAP,
                  MEMORY_COL_REQUIRED_PEAK_FILTER, MEMORY_COL_REQUIRED_PEAK_OFMAP, MEMORY_COL_DRAM_REQUESTS,
                  MEMORY_COL_DRAM_ROW_HITS, MEMORY_COL_DRAM_ROW_MISSES, MEMORY_COL_DRAM_ROW_CONFLICTS,
                  MEMORY_COL_ROW_HIT_RATE, MEMORY_COL_SRAM_ENERGY_PJ, MEMORY_COL_DRAM_ENERGY_PJ)
_MEMORY_DTYPES = {MEMORY_COL_GEMM: "U1", MEMORY_COL_MODEL: "U1", MEMORY_COL_DRAM_PRESET: "U1",
                  MEMORY_COL_COMPUTE_CYCLES: "<i8", MEMORY_COL_STALL_CYCLES: "<i8", MEMORY_COL_TOTAL_CYCLES: "<i8",
                  MEMORY_COL_SRAM_READS_IFMAP: "<i8", MEMORY_COL_SRAM_READS_FILTER: "<i8",
                  MEMORY_COL_SRAM_READS_OFMAP: "<i8", MEMORY_COL_SRAM_WRITES_IFMAP: "<i8",
                  MEMORY_COL_SRAM_WRITES_FILTER: "<i8", MEMORY_COL_SRAM_WRITES_OFMAP: "<i8",
                  MEMORY_COL_DRAM_READS_IFMAP: "<i8", MEMORY_COL_DRAM_READS_FILTER: "<i8",
                  MEMORY_COL_DRAM_READS_OFMAP: "<i8", MEMORY_COL_DRAM_WRITES_IFMAP: "<i8",
                  MEMORY_COL_DRAM_WRITES_FILTER: "<i8", MEMORY_COL_DRAM_WRITES_OFMAP: "<i8",
                  MEMORY_COL_DRAM_BYTES_READ: "<i8", MEMORY_COL_DRAM_BYTES_WRITTEN: "<i8",
                  MEMORY_COL_ACHIEVED_GBPS: "<f8", MEMORY_COL_REQUIRED_AVG_IFMAP: "<f8",
                  MEMORY_COL_REQUIRED_AVG_FILTER: "<f8", MEMORY_COL_REQUIRED_AVG_OFMAP: "<f8",
                  MEMORY_COL_REQUIRED_PEAK_IFMAP: "<f8", MEMORY_COL_REQUIRED_PEAK_FILTER: "<f8",
                  MEMORY_COL_REQUIRED_PEAK_OFMAP: "<f8", MEMORY_COL_DRAM_REQUESTS: "<i8",
                  MEMORY_COL_DRAM_ROW_HITS: "<i8", MEMORY_COL_DRAM_ROW_MISSES: "<i8",
                  MEMORY_COL_DRAM_ROW_CONFLICTS: "<i8", MEMORY_COL_ROW_HIT_RATE: "<f8",
                  MEMORY_COL_SRAM_ENERGY_PJ: "<f8", MEMORY_COL_DRAM_ENERGY_PJ: "<f8"}

DATAFLOWS = ("ws", "os")
FIDELITIES = ("pe", "fold")
SCHEMES = ("none", "classic", "classic-correct", "approxabft", "statistical", "dmr", "thundervolt")
ACTIONS = ("accept", "correct", "recompute", "drop")
STATUSES = ("ok", "failed")
MEMORY_MODELS = ("ideal", "scalesim", "dram")
INPUT_SOURCES = ("argv", "point", "found")
INPUT_ATTRS = (INPUT_ATTR_PATH, INPUT_ATTR_RESOLVED, INPUT_ATTR_SOURCE, INPUT_ATTR_SIZE, INPUT_ATTR_HASH,
               INPUT_ATTR_EMBEDDED)
_POINT_KEY = re.compile(r"[0-9a-fA-F]{16}")
_INPUT_HASH = re.compile(r"(fnv1a64|fnv1a64-sampled):[0-9a-f]{16}")


class TraceError(Exception):
    """The file is missing, not HDF5, not a saffire trace, too new, or malformed."""


@dataclasses.dataclass
class Trace:
    path: str
    schema_version: int
    run: dict  # every root attribute (schema ones included), as Python str / int / float
    gemms: np.ndarray  # structured array, fields named as the /gemms columns
    faults: np.ndarray = None  # structured array of the /faults columns; no rows in version-1 files
    decisions: np.ndarray = None  # structured array of the /abft columns; no rows before version 3
    points: np.ndarray = None  # structured array of the /points columns; no rows before version 4
    memory: np.ndarray = None  # structured array of the /memory columns (one row per GEMM); none before version 6
    command_line: list = None  # argv after the program name (version 5); [] before
    cwd: str = ""  # working directory of the run (version 5); "" before
    inputs: list = None  # one dict per /inputs dataset (version 5): the attributes, and "content": the
    #                      embedded bytes (bytes) or None for a file recorded by reference; [] before

    def __post_init__(self):
        if self.faults is None:
            self.faults = _empty_faults()
        if self.decisions is None:
            self.decisions = _empty_decisions()
        if self.points is None:
            self.points = _empty_points()
        if self.memory is None:
            self.memory = _empty_memory()
        if self.command_line is None:
            self.command_line = []
        if self.inputs is None:
            self.inputs = []

    def gemm_dicts(self):
        """The /gemms rows as a list of dicts of plain Python values."""
        return [{f: row[f].item() for f in self.gemms.dtype.names} for row in self.gemms]

    def fault_dicts(self):
        """The /faults rows as a list of dicts of plain Python values."""
        return [{f: row[f].item() for f in self.faults.dtype.names} for row in self.faults]

    def decision_dicts(self):
        """The /abft rows (ABFT decisions) as a list of dicts of plain Python values."""
        return [{f: row[f].item() for f in self.decisions.dtype.names} for row in self.decisions]

    def memory_dicts(self):
        """The /memory rows (each GEMM's memory behaviour) as a list of dicts of plain Python values."""
        return [{f: row[f].item() for f in self.memory.dtype.names} for row in self.memory]

    def point_dicts(self):
        """The /points rows (finished sweep points) as a list of dicts of plain Python values.

        Unlike the structured array self.points, which holds the stored text, the JSON columns
        "options", "coordinates" and "result" are parsed with json.loads: a JSON object becomes a
        dict (e.g. {"ber": "1e-6", "node": "7"}); an empty string (the "result" of a failed point)
        becomes None. Raises TraceError naming the file and the row if one is not valid JSON
        (check() reports that as a problem instead).
        """
        rows = []
        for i, row in enumerate(self.points):
            d = {f: row[f].item() for f in self.points.dtype.names}
            for column in POINT_JSON_COLUMNS:
                if column in d:
                    try:
                        d[column] = json.loads(d[column]) if d[column] != "" else None
                    except ValueError as e:
                        raise TraceError(f"trace file '{self.path}': points[{i}] column '{column}' "
                                         f"is not valid JSON: {e}") from None
            rows.append(d)
        return rows


def _empty_faults():
    return np.empty(0, dtype=[(c, _FAULT_DTYPES[c]) for c in FAULT_COLUMNS])


def _empty_decisions():
    return np.empty(0, dtype=[(c, _DECISION_DTYPES[c]) for c in DECISION_COLUMNS])


def _empty_points():
    return np.empty(0, dtype=[(c, _POINT_DTYPES[c]) for c in POINT_COLUMNS])


def _empty_memory():
    return np.empty(0, dtype=[(c, _MEMORY_DTYPES[c]) for c in MEMORY_COLUMNS])


def _plain(value):
    """An attribute value as a plain Python value (h5py gives str, bytes or numpy scalars)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _read_table(path, dataset, name, columns):
    if dataset.dtype.names is None:
        raise TraceError(f"trace file '{path}': dataset '{name}' is not a compound table")
    missing = [c for c in columns if c not in dataset.dtype.names]
    if missing:
        raise TraceError(f"trace file '{path}': dataset '{name}' has no column '{missing[0]}'")
    raw = dataset[()]
    # Variable-length strings come back as bytes objects: turn them into a numpy str column.
    fields = []
    for name in dataset.dtype.names:
        if h5py.check_string_dtype(dataset.dtype[name]) is not None:
            text = [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in raw[name]]
            fields.append((name, np.array(text, dtype=str) if text else np.array([], dtype="U1")))
        else:
            fields.append((name, raw[name]))
    table = np.empty(len(raw), dtype=[(name, column.dtype) for name, column in fields])
    for name, column in fields:
        table[name] = column
    return table


def _read_command_record(path, f):
    """(command_line, cwd, inputs) of a version-5 file; raises TraceError naming what is missing."""
    if COMMAND_LINE_DATASET not in f:
        raise TraceError(f"trace file '{path}': missing dataset '{COMMAND_LINE_DATASET}'")
    argv_ds = f[COMMAND_LINE_DATASET]
    if h5py.check_string_dtype(argv_ds.dtype) is None or argv_ds.ndim != 1:
        raise TraceError(f"trace file '{path}': dataset '{COMMAND_LINE_DATASET}' is not a 1-D array of strings")
    argv = [_plain(a) for a in argv_ds[()]]
    if COMMAND_LINE_ATTR_CWD not in argv_ds.attrs:
        raise TraceError(f"trace file '{path}': missing attribute '{COMMAND_LINE_ATTR_CWD}' of "
                         f"'{COMMAND_LINE_DATASET}'")
    cwd = _plain(argv_ds.attrs[COMMAND_LINE_ATTR_CWD])
    if INPUTS_GROUP not in f:
        raise TraceError(f"trace file '{path}': missing group '{INPUTS_GROUP}'")
    group = f[INPUTS_GROUP]
    inputs = []
    for i in range(len(group)):
        name = f"{INPUTS_GROUP}/{i}"
        if str(i) not in group:
            raise TraceError(f"trace file '{path}': missing dataset '{name}' (the inputs are numbered from 0)")
        d = group[str(i)]
        entry = {}
        for attr in INPUT_ATTRS:
            if attr not in d.attrs:
                raise TraceError(f"trace file '{path}': missing attribute '{attr}' of '{name}'")
            entry[attr] = _plain(d.attrs[attr])
        entry[INPUT_ATTR_EMBEDDED] = bool(entry[INPUT_ATTR_EMBEDDED])
        if d.dtype != np.uint8 or d.ndim != 1:
            raise TraceError(f"trace file '{path}': dataset '{name}' is not a 1-D array of bytes")
        entry["content"] = d[()].tobytes() if entry[INPUT_ATTR_EMBEDDED] else None
        inputs.append(entry)
    return argv, cwd, inputs


def load(path):
    """Reads a trace; raises TraceError naming the file if it cannot be read as one."""
    path = str(path)
    if not os.path.exists(path):
        raise TraceError(f"trace file '{path}': no such file")
    if not os.path.isfile(path):
        raise TraceError(f"trace file '{path}': not a regular file")
    if not h5py.is_hdf5(path):
        raise TraceError(f"trace file '{path}': not an HDF5 file")
    try:
        f = h5py.File(path, "r", swmr=True)  # SWMR: a trace being written (or left by kill -9) opens
    except OSError as e:  # e.g. truncated, or locked by a running writer (see SCHEMA.md)
        raise TraceError(f"trace file '{path}': cannot open: {e}") from None
    with f:
        attrs = {k: _plain(v) for k, v in f["/"].attrs.items()}
        schema = attrs.get(ATTR_SCHEMA)
        if schema != SCHEMA_NAME:
            raise TraceError(f"trace file '{path}': not a saffire trace ({ATTR_SCHEMA} = {schema!r})")
        version = attrs.get(ATTR_SCHEMA_VERSION)
        if not isinstance(version, int) or version < 1:
            raise TraceError(f"trace file '{path}': invalid {ATTR_SCHEMA_VERSION} {version!r}")
        if version > SCHEMA_VERSION:
            raise TraceError(f"trace file '{path}': {ATTR_SCHEMA_VERSION} {version} is newer than this "
                             f"reader ({SCHEMA_VERSION}); use a newer saffire_traces.py")
        for name in RUN_ATTRS:
            if name not in attrs:
                raise TraceError(f"trace file '{path}': missing root attribute '{name}'")
        if GEMMS_DATASET not in f:
            raise TraceError(f"trace file '{path}': missing dataset '{GEMMS_DATASET}'")
        gemms = _read_table(path, f[GEMMS_DATASET], GEMMS_DATASET, GEMM_COLUMNS)
        faults = _empty_faults()
        if version >= FAULTS_SINCE_VERSION:
            if FAULTS_DATASET not in f:
                raise TraceError(f"trace file '{path}': missing dataset '{FAULTS_DATASET}'")
            faults = _read_table(path, f[FAULTS_DATASET], FAULTS_DATASET, FAULT_COLUMNS)
        decisions = _empty_decisions()
        if version >= DECISIONS_SINCE_VERSION:
            if DECISIONS_DATASET not in f:
                raise TraceError(f"trace file '{path}': missing dataset '{DECISIONS_DATASET}'")
            decisions = _read_table(path, f[DECISIONS_DATASET], DECISIONS_DATASET, DECISION_COLUMNS)
        points = _empty_points()
        if version >= POINTS_SINCE_VERSION:
            if POINTS_DATASET not in f:
                raise TraceError(f"trace file '{path}': missing dataset '{POINTS_DATASET}'")
            points = _read_table(path, f[POINTS_DATASET], POINTS_DATASET, POINT_COLUMNS)
        command_line, cwd, inputs = [], "", []
        if version >= COMMAND_SINCE_VERSION:
            command_line, cwd, inputs = _read_command_record(path, f)
        memory = _empty_memory()
        if version >= MEMORY_SINCE_VERSION:
            if MEMORY_DATASET not in f:
                raise TraceError(f"trace file '{path}': missing dataset '{MEMORY_DATASET}'")
            memory = _read_table(path, f[MEMORY_DATASET], MEMORY_DATASET, MEMORY_COLUMNS)
    return Trace(path=path, schema_version=version, run=attrs, gemms=gemms, faults=faults, decisions=decisions,
                 points=points, command_line=command_line, cwd=cwd, inputs=inputs, memory=memory)


def check(trace):
    """Consistency problems in the rows, as messages (empty if none). See SCHEMA.md for the rules."""
    problems = []
    for i, g in enumerate(trace.gemm_dicts()):
        where = f"gemms[{i}] ({g[COL_NAME]!r})"
        if g[COL_DATAFLOW] not in DATAFLOWS:
            problems.append(f"{where}: dataflow {g[COL_DATAFLOW]!r} is not one of {DATAFLOWS}")
        if g[COL_FIDELITY] not in FIDELITIES:
            problems.append(f"{where}: fidelity {g[COL_FIDELITY]!r} is not one of {FIDELITIES}")
        if min(g[COL_M], g[COL_N], g[COL_K]) < 1 or min(g[COL_ROWS], g[COL_COLS]) < 1:
            problems.append(f"{where}: m, n, k, rows and cols must be >= 1")
            continue
        if g[COL_MACS] != g[COL_M] * g[COL_N] * g[COL_K]:
            problems.append(f"{where}: macs {g[COL_MACS]} != m*n*k = {g[COL_M] * g[COL_N] * g[COL_K]}")
        if g[COL_CYCLES] > 0:
            expected = g[COL_MACS] / (g[COL_CYCLES] * g[COL_ROWS] * g[COL_COLS])
            if not math.isclose(g[COL_UTILIZATION], expected, rel_tol=1e-9):
                problems.append(f"{where}: utilization {g[COL_UTILIZATION]} != macs/(cycles*rows*cols) = {expected}")
        else:
            problems.append(f"{where}: cycles {g[COL_CYCLES]} must be > 0")
        if not 0.0 <= g[COL_UTILIZATION] <= 1.0:
            problems.append(f"{where}: utilization {g[COL_UTILIZATION]} is outside [0, 1]")
        if not 0.0 <= g[COL_MAPPING_EFFICIENCY] <= 1.0:
            problems.append(f"{where}: mapping_efficiency {g[COL_MAPPING_EFFICIENCY]} is outside [0, 1]")
        if not g[COL_HOST_SECONDS] >= 0.0:
            problems.append(f"{where}: host_seconds {g[COL_HOST_SECONDS]} is negative or NaN")
    for i, fault in enumerate(trace.fault_dicts()):
        where = f"faults[{i}] ({fault[FAULT_COL_GEMM]!r})"
        if not 0 <= fault[FAULT_COL_BIT] <= 31:
            problems.append(f"{where}: bit {fault[FAULT_COL_BIT]} is outside [0, 31]")
        if fault[FAULT_COL_DELTA] != fault[FAULT_COL_AFTER] - fault[FAULT_COL_BEFORE]:
            problems.append(f"{where}: delta {fault[FAULT_COL_DELTA]} != after - before = "
                            f"{fault[FAULT_COL_AFTER] - fault[FAULT_COL_BEFORE]}")
    for i, d in enumerate(trace.decision_dicts()):
        where = f"decisions[{i}] ({d[DECISION_COL_GEMM]!r})"
        if d[DECISION_COL_ACTION] not in ACTIONS:
            problems.append(f"{where}: action {d[DECISION_COL_ACTION]!r} is not one of {ACTIONS}")
        if d[DECISION_COL_SCHEME] not in SCHEMES:
            problems.append(f"{where}: scheme {d[DECISION_COL_SCHEME]!r} is not one of {SCHEMES}")
        if d[DECISION_COL_TILE] < -1:
            problems.append(f"{where}: tile {d[DECISION_COL_TILE]} must be >= -1")
        if d[DECISION_COL_ATTEMPT] < 0:
            problems.append(f"{where}: attempt {d[DECISION_COL_ATTEMPT]} must be >= 0")
        if not d[DECISION_COL_MSD] >= 0.0:
            problems.append(f"{where}: msd {d[DECISION_COL_MSD]} is negative or NaN")
        if d[DECISION_COL_RECOVERED_AT_NOMINAL] not in (0, 1):
            problems.append(f"{where}: recovered_at_nominal {d[DECISION_COL_RECOVERED_AT_NOMINAL]} is not 0 or 1")
    for i, row in enumerate(trace.points):  # the stored text: point_dicts() would raise on bad JSON
        p = {f: row[f].item() for f in trace.points.dtype.names}
        where = f"points[{i}] ({p[POINT_COL_KEY]!r})"
        if p[POINT_COL_STATUS] not in STATUSES:
            problems.append(f"{where}: status {p[POINT_COL_STATUS]!r} is not one of {STATUSES}")
        if not _POINT_KEY.fullmatch(p[POINT_COL_KEY]):
            problems.append(f"{where}: key {p[POINT_COL_KEY]!r} is not 16 hex digits")
        if not p[POINT_COL_SECONDS] >= 0.0:
            problems.append(f"{where}: seconds {p[POINT_COL_SECONDS]} is negative or NaN")
        if p[POINT_COL_STATUS] == "ok":
            if p[POINT_COL_EXIT_CODE] != 0:
                problems.append(f"{where}: exit_code {p[POINT_COL_EXIT_CODE]} of an ok point is not 0")
            try:
                result = json.loads(p[POINT_COL_RESULT])
            except ValueError:
                result = None
            if not isinstance(result, dict):
                text = p[POINT_COL_RESULT]
                problems.append(f"{where}: result {text[:40]!r}{'...' if len(text) > 40 else ''} of an ok point "
                                f"is not a JSON object")
    for i, m in enumerate(trace.memory_dicts()):
        where = f"memory[{i}] ({m[MEMORY_COL_GEMM]!r})"
        if m[MEMORY_COL_MODEL] not in MEMORY_MODELS:
            problems.append(f"{where}: model {m[MEMORY_COL_MODEL]!r} is not one of {MEMORY_MODELS}")
        if m[MEMORY_COL_STALL_CYCLES] < 0:
            problems.append(f"{where}: stall_cycles {m[MEMORY_COL_STALL_CYCLES]} is negative")
        if m[MEMORY_COL_TOTAL_CYCLES] != m[MEMORY_COL_COMPUTE_CYCLES] + m[MEMORY_COL_STALL_CYCLES]:
            problems.append(f"{where}: total_cycles {m[MEMORY_COL_TOTAL_CYCLES]} != compute_cycles + stall_cycles = "
                            f"{m[MEMORY_COL_COMPUTE_CYCLES] + m[MEMORY_COL_STALL_CYCLES]}")
        outcomes = m[MEMORY_COL_DRAM_ROW_HITS] + m[MEMORY_COL_DRAM_ROW_MISSES] + m[MEMORY_COL_DRAM_ROW_CONFLICTS]
        if outcomes != m[MEMORY_COL_DRAM_REQUESTS]:
            problems.append(f"{where}: dram_row_hits + dram_row_misses + dram_row_conflicts = {outcomes} != "
                            f"dram_requests {m[MEMORY_COL_DRAM_REQUESTS]}")
        requests = m[MEMORY_COL_DRAM_REQUESTS]
        rate = m[MEMORY_COL_DRAM_ROW_HITS] / requests if requests > 0 else 0.0
        if not math.isclose(m[MEMORY_COL_ROW_HIT_RATE], rate, rel_tol=1e-12, abs_tol=1e-15):
            problems.append(f"{where}: row_hit_rate {m[MEMORY_COL_ROW_HIT_RATE]} != dram_row_hits / dram_requests "
                            f"= {rate}")
        if m[MEMORY_COL_MODEL] != "dram" and (requests != 0 or m[MEMORY_COL_DRAM_PRESET] != ""):
            problems.append(f"{where}: DRAM requests or a dram_preset without the dram model")
        for column in (MEMORY_COL_SRAM_ENERGY_PJ, MEMORY_COL_DRAM_ENERGY_PJ, MEMORY_COL_ACHIEVED_GBPS):
            if not m[column] >= 0.0:
                problems.append(f"{where}: {column} {m[column]} is negative or NaN")
    for i, entry in enumerate(trace.inputs):
        where = f"inputs[{i}] ({entry[INPUT_ATTR_PATH]!r})"
        if entry[INPUT_ATTR_PATH] == "":
            problems.append(f"{where}: empty path")
        if entry[INPUT_ATTR_SOURCE] not in INPUT_SOURCES:
            problems.append(f"{where}: source {entry[INPUT_ATTR_SOURCE]!r} is not one of {INPUT_SOURCES}")
        if not _INPUT_HASH.fullmatch(entry[INPUT_ATTR_HASH]):
            problems.append(f"{where}: hash {entry[INPUT_ATTR_HASH]!r} is not fnv1a64[-sampled]:<16 hex digits>")
        if entry[INPUT_ATTR_EMBEDDED] and len(entry["content"]) != entry[INPUT_ATTR_SIZE]:
            problems.append(f"{where}: {len(entry['content'])} embedded bytes, size says {entry[INPUT_ATTR_SIZE]}")
        elif entry[INPUT_ATTR_EMBEDDED] and entry[INPUT_ATTR_HASH].startswith("fnv1a64:") \
                and entry[INPUT_ATTR_SIZE] <= (1 << 20) and input_hash(entry["content"]) != entry[INPUT_ATTR_HASH]:
            problems.append(f"{where}: hash {entry[INPUT_ATTR_HASH]} does not match the embedded bytes "
                            f"({input_hash(entry['content'])})")
    if trace.inputs and not trace.command_line:
        problems.append("inputs recorded without a command line")
    return problems


def input_hash(content):
    """The "fnv1a64:<16 hex>" hash saffire records for a file of at most 64 MiB (FNV-1a, 64 bit)."""
    h = 0xCBF29CE484222325
    for byte in content:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"fnv1a64:{h:016x}"


def summary(trace):
    """A short human-readable description of the trace."""
    run = trace.run
    lines = [
        f"{trace.path}: {SCHEMA_NAME} v{trace.schema_version}, saffire {run[ATTR_SAFFIRE_VERSION]}, "
        f"created {run[ATTR_CREATED_UTC]}",
        f"  command: {run[ATTR_COMMAND]}   seed: {run[ATTR_SEED]}   "
        f"config: {len(run[ATTR_CONFIG_TOML].splitlines())} lines of TOML",
        f"  gemms: {len(trace.gemms)} rows",
    ]
    g = trace.gemms
    if len(g):
        macs = int(g[COL_MACS].sum())
        cycles = int(g[COL_CYCLES].sum())
        lines.append(f"  total: {macs} MACs, {cycles} cycles, {float(g[COL_HOST_SECONDS].sum()):.3f} s host time")
        lines.append(f"  utilization: mean {float(g[COL_UTILIZATION].mean()):.4f}, "
                     f"min {float(g[COL_UTILIZATION].min()):.4f}, max {float(g[COL_UTILIZATION].max()):.4f}")
        for key in (COL_DATAFLOW, COL_FIDELITY):
            counts = ", ".join(f"{v}: {int((g[key] == v).sum())}" for v in sorted(set(g[key].tolist())))
            lines.append(f"  {key}: {counts}")
    if trace.schema_version >= FAULTS_SINCE_VERSION:
        lines.append(f"  faults: {len(trace.faults)} rows")
        if len(trace.faults):
            counts = ", ".join(f"{v}: {int((trace.faults[FAULT_COL_COMPONENT] == v).sum())}"
                               for v in sorted(set(trace.faults[FAULT_COL_COMPONENT].tolist())))
            lines.append(f"  faults by component: {counts}")
    if trace.schema_version >= DECISIONS_SINCE_VERSION:
        lines.append(f"  decisions: {len(trace.decisions)} rows")
        if len(trace.decisions):
            counts = ", ".join(f"{v}: {int((trace.decisions[DECISION_COL_ACTION] == v).sum())}"
                               for v in sorted(set(trace.decisions[DECISION_COL_ACTION].tolist())))
            lines.append(f"  decisions by action: {counts}")
    if trace.schema_version >= COMMAND_SINCE_VERSION:
        lines.append(f"  command line: {' '.join(trace.command_line) if trace.command_line else '(none)'}")
        embedded = sum(1 for e in trace.inputs if e[INPUT_ATTR_EMBEDDED])
        lines.append(f"  inputs: {len(trace.inputs)} files ({embedded} embedded, "
                     f"{len(trace.inputs) - embedded} by reference)")
    if trace.schema_version >= MEMORY_SINCE_VERSION:
        lines.append(f"  memory: {len(trace.memory)} rows")
        if len(trace.memory):
            counts = ", ".join(f"{v}: {int((trace.memory[MEMORY_COL_MODEL] == v).sum())}"
                               for v in sorted(set(trace.memory[MEMORY_COL_MODEL].tolist())))
            stalls = int(trace.memory[MEMORY_COL_STALL_CYCLES].sum())
            total = int((trace.memory[MEMORY_COL_TOTAL_CYCLES] + 1).sum())
            lines.append(f"  memory by model: {counts}; {stalls} stall cycles of {total}")
    if trace.schema_version >= POINTS_SINCE_VERSION:
        lines.append(f"  points: {len(trace.points)} rows")
        if len(trace.points):
            counts = ", ".join(f"{v}: {int((trace.points[POINT_COL_STATUS] == v).sum())}"
                               for v in sorted(set(trace.points[POINT_COL_STATUS].tolist())))
            lines.append(f"  points by status: {counts}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Summarize (and check) a saffire HDF5 trace.")
    parser.add_argument("file")
    parser.add_argument("--check", action="store_true", help="check row consistency; exit 1 on problems")
    args = parser.parse_args(argv)
    try:
        trace = load(args.file)
    except TraceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(summary(trace))
    if args.check:
        problems = check(trace)
        for p in problems:
            print(f"problem: {p}", file=sys.stderr)
        print(f"check: {'FAILED, ' + str(len(problems)) + ' problems' if problems else 'ok'}")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
