#!/usr/bin/python3
"""Checks traces/python/saffire_traces.py against a file the C++ TraceWriter wrote.

usage: test_python_reader.py TRACE.h5 EXPECTED.json SCHEMA_HPP
  TRACE.h5, EXPECTED.json: written by tests/traces/write_sample_trace (same values in both)
  SCHEMA_HPP: traces/schema.hpp, whose names the Python module must mirror
"""

import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "traces", "python"))
import saffire_traces as st  # noqa: E402

failures = []


def expect(condition, message):
    if not condition:
        failures.append(message)


def check_values(trace_path, expected):
    t = st.load(trace_path)
    expect(t.schema_version == st.SCHEMA_VERSION, f"schema_version {t.schema_version}")
    for key, value in expected["run"].items():
        expect(t.run[key] == value and type(t.run[key]) is type(value),
               f"run[{key!r}] = {t.run[key]!r}, expected {value!r}")
    # The command record (version 5), kept by the appends of a resumed writer.
    expect(t.command_line == expected["command_line"] and all(type(a) is str for a in t.command_line),
           f"command_line {t.command_line!r}, expected {expected['command_line']!r}")
    expect(t.cwd == expected["cwd"], f"cwd {t.cwd!r}, expected {expected['cwd']!r}")
    expect(len(t.inputs) == len(expected["inputs"]), f"{len(t.inputs)} inputs, expected {len(expected['inputs'])}")
    for i, (got, want) in enumerate(zip(t.inputs, expected["inputs"])):
        for key, value in want.items():
            if key == "content_hex":
                content = None if value is None else bytes.fromhex(value)
                expect(got["content"] == content and type(got["content"]) is type(content),
                       f"inputs[{i}] content {got['content']!r:.60}, expected {content!r:.60}")
            else:
                expect(got[key] == value and type(got[key]) is type(value),
                       f"inputs[{i}][{key!r}] = {got[key]!r}, expected {value!r}")
    expect(any(e["content"] == bytes(range(256)) for e in t.inputs), "an embedded file with every byte value")
    expect(all(e["hash"] == st.input_hash(e["content"]) for e in t.inputs if e["embedded"]),
           "input_hash() agrees with the C++ hash of the embedded files")
    rows = t.gemm_dicts()
    expect(len(rows) == len(expected["gemms"]), f"{len(rows)} rows, expected {len(expected['gemms'])}")
    for i, (got, want) in enumerate(zip(rows, expected["gemms"])):
        for key, value in want.items():
            # Exact equality, floats included: JSON and HDF5 both keep every bit of a double.
            expect(got[key] == value and type(got[key]) is type(value),
                   f"gemms[{i}][{key!r}] = {got[key]!r}, expected {value!r}")
    expect(list(t.gemms.dtype.names) == list(st.GEMM_COLUMNS), f"columns {t.gemms.dtype.names}")
    expect(t.gemms["dataflow"].dtype.kind == "U", "string columns should be numpy str")
    expect(int((t.gemms["dataflow"] == "ws").sum()) == sum(g["dataflow"] == "ws" for g in expected["gemms"]),
           "filtering on a string column")
    faults = t.fault_dicts()
    expect(len(faults) == len(expected["faults"]), f"{len(faults)} faults, expected {len(expected['faults'])}")
    for i, (got, want) in enumerate(zip(faults, expected["faults"])):
        for key, value in want.items():
            expect(got[key] == value and type(got[key]) is type(value),
                   f"faults[{i}][{key!r}] = {got[key]!r}, expected {value!r}")
    expect(list(t.faults.dtype.names) == list(st.FAULT_COLUMNS), f"fault columns {t.faults.dtype.names}")
    expect(t.faults["component"].dtype.kind == "U", "fault string columns should be numpy str")
    decisions = t.decision_dicts()
    expect(len(decisions) == len(expected["decisions"]),
           f"{len(decisions)} decisions, expected {len(expected['decisions'])}")
    for i, (got, want) in enumerate(zip(decisions, expected["decisions"])):
        for key, value in want.items():
            expect(got[key] == value and type(got[key]) is type(value),
                   f"decisions[{i}][{key!r}] = {got[key]!r}, expected {value!r}")
    expect(list(t.decisions.dtype.names) == list(st.DECISION_COLUMNS), f"decision columns {t.decisions.dtype.names}")
    expect(t.decisions["action"].dtype.kind == "U", "decision string columns should be numpy str")
    expect(t.decisions["msd"].dtype == np.float64 and t.decisions["tile"].dtype == np.int64
           and t.decisions["attempt"].dtype == np.int32, "decision numeric column dtypes")
    expect(set(t.decisions["scheme"].tolist()) == set(st.SCHEMES), "the sample uses every scheme")
    expect(set(t.decisions["action"].tolist()) == set(st.ACTIONS), "the sample uses every action")
    points = t.point_dicts()
    expect(len(points) == len(expected["points"]) == len(t.points),
           f"{len(points)} points, expected {len(expected['points'])}")
    for i, (raw, got, want) in enumerate(zip(t.points, points, expected["points"])):
        for key, value in want.items():
            if key in st.POINT_JSON_COLUMNS:
                # The structured array keeps the stored text; point_dicts() parses it ("" -> None).
                expect(raw[key] == value, f"points[{i}][{key!r}] text = {raw[key]!r}, expected {value!r}")
                parsed = json.loads(value) if value else None
                expect(got[key] == parsed and (parsed is None or type(got[key]) is dict),
                       f"point_dicts()[{i}][{key!r}] = {got[key]!r}, expected {parsed!r}")
            else:
                expect(got[key] == value and type(got[key]) is type(value),
                       f"points[{i}][{key!r}] = {got[key]!r}, expected {value!r}")
    expect(list(t.points.dtype.names) == list(st.POINT_COLUMNS), f"point columns {t.points.dtype.names}")
    expect(t.points["status"].dtype.kind == "U" and t.points["result"].dtype.kind == "U",
           "point string columns should be numpy str")
    expect(t.points["seconds"].dtype == np.float64 and t.points["exit_code"].dtype == np.int32
           and t.points["rank"].dtype == np.int32, "point numeric column dtypes")
    expect(set(t.points["status"].tolist()) == set(st.STATUSES), "the sample has ok and failed points")
    expect(points[0]["coordinates"] == {"ber": "0e-3", "node": "7"}, f"coordinates of point 0: {points[0]}")
    expect(all(p["result"] is None for p in points if p["status"] == "failed"), "failed points have no result")
    memory = t.memory_dicts()
    expect(len(memory) == len(expected["memory"]) == len(t.memory),
           f"{len(memory)} memory rows, expected {len(expected['memory'])}")
    for i, (got, want) in enumerate(zip(memory, expected["memory"])):
        for key, value in want.items():
            expect(got[key] == value and type(got[key]) is type(value),
                   f"memory[{i}][{key!r}] = {got[key]!r}, expected {value!r}")
    expect(list(t.memory.dtype.names) == list(st.MEMORY_COLUMNS), f"memory columns {t.memory.dtype.names}")
    expect(t.memory["model"].dtype.kind == "U", "memory string columns should be numpy str")
    expect(t.memory["stall_cycles"].dtype == np.int64 and t.memory["row_hit_rate"].dtype == np.float64,
           "memory numeric column dtypes")
    expect(set(t.memory["model"].tolist()) == set(st.MEMORY_MODELS), "the sample uses every memory model")
    # Plain h5py reads the table too (SCHEMA.md's example), every column by name.
    with h5py.File(trace_path, "r", swmr=True) as f:
        raw = f[st.MEMORY_DATASET][()]
        expect(list(raw.dtype.names) == list(st.MEMORY_COLUMNS), f"h5py memory columns {raw.dtype.names}")
        expect([g.decode() for g in raw["gemm"]] == [m["gemm"] for m in expected["memory"]], "h5py gemm column")
        expect(raw["dram_energy_pj"].tolist() == [m["dram_energy_pj"] for m in expected["memory"]],
               "h5py dram_energy_pj column")
    expect(st.check(t) == [], f"check() found {st.check(t)}")
    text = st.summary(t)
    expect("70 rows" in text, "summary mentions the row count")
    expect(f"faults: {len(expected['faults'])} rows" in text, "summary mentions the fault count")
    expect(f"decisions: {len(expected['decisions'])} rows" in text, "summary mentions the decision count")
    by_action = ", ".join(f"{a}: {sum(d['action'] == a for d in expected['decisions'])}" for a in sorted(st.ACTIONS))
    expect(f"decisions by action: {by_action}" in text, f"summary counts decisions by action: {text}")
    expect(f"points: {len(expected['points'])} rows" in text, "summary mentions the point count")
    expect(f"memory: {len(expected['memory'])} rows" in text, "summary mentions the memory row count")
    stalls = sum(m["stall_cycles"] for m in expected["memory"])
    expect(f"{stalls} stall cycles of {sum(m['total_cycles'] + 1 for m in expected['memory'])}" in text,
           f"summary sums the stall cycles: {text}")
    by_status = ", ".join(f"{s}: {sum(p['status'] == s for p in expected['points'])}" for s in sorted(st.STATUSES))
    expect(f"points by status: {by_status}" in text, f"summary counts points by status: {text}")


def check_mirror(schema_hpp):
    """Every name in schema.hpp has the same value in the Python module."""
    text = open(schema_hpp, encoding="utf-8").read()
    strings = dict(re.findall(r'inline constexpr char (k\w+)\[\] = "([^"]*)";', text))
    numbers = dict(re.findall(r"inline constexpr (?:int|unsigned) (k\w+) = (\d+);", text))
    expect(len(strings) >= 20 and len(numbers) >= 2, f"parsed too few names from {schema_hpp}")

    def python_name(cpp):  # kAttrSchemaVersion -> ATTR_SCHEMA_VERSION, kColM -> COL_M
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cpp[1:]).upper()

    for cpp, value in strings.items():
        expect(getattr(st, python_name(cpp), None) == value, f"{python_name(cpp)} != schema.hpp {cpp} = {value!r}")
    for cpp, value in numbers.items():
        expect(getattr(st, python_name(cpp), None) == int(value), f"{python_name(cpp)} != schema.hpp {cpp} = {value}")
    cols = [v for k, v in strings.items() if k.startswith("kCol")]
    expect(list(st.GEMM_COLUMNS) == cols, f"GEMM_COLUMNS {st.GEMM_COLUMNS} != schema.hpp order {cols}")
    fault_cols = [v for k, v in strings.items() if k.startswith("kFaultCol")]
    expect(list(st.FAULT_COLUMNS) == fault_cols, f"FAULT_COLUMNS {st.FAULT_COLUMNS} != schema.hpp order {fault_cols}")
    decision_cols = [v for k, v in strings.items() if k.startswith("kDecisionCol")]
    expect(len(decision_cols) == 15 and list(st.DECISION_COLUMNS) == decision_cols,
           f"DECISION_COLUMNS {st.DECISION_COLUMNS} != schema.hpp order {decision_cols}")
    point_cols = [v for k, v in strings.items() if k.startswith("kPointCol")]
    expect(len(point_cols) == 11 and list(st.POINT_COLUMNS) == point_cols,
           f"POINT_COLUMNS {st.POINT_COLUMNS} != schema.hpp order {point_cols}")
    memory_cols = [v for k, v in strings.items() if k.startswith("kMemoryCol")]
    expect(len(memory_cols) == 34 and list(st.MEMORY_COLUMNS) == memory_cols,
           f"MEMORY_COLUMNS {st.MEMORY_COLUMNS} != schema.hpp order {memory_cols}")


def check_rejections(trace_path, tmp):
    def rejected(path, reason):
        try:
            st.load(path)
        except st.TraceError as e:
            expect(str(path) in str(e) and reason in str(e), f"message {e!s} lacks {path} / {reason!r}")
        else:
            failures.append(f"{path} was accepted")

    rejected(os.path.join(tmp, "missing.h5"), "no such file")
    text = os.path.join(tmp, "text.h5")
    with open(text, "w") as f:
        f.write("not hdf5\n")
    rejected(text, "not an HDF5 file")

    truncated = os.path.join(tmp, "truncated.h5")
    shutil.copy(trace_path, truncated)
    os.truncate(truncated, os.path.getsize(truncated) // 2)
    rejected(truncated, "cannot open")

    def tampered(name, edit):
        path = os.path.join(tmp, name)
        shutil.copy(trace_path, path)
        with h5py.File(path, "r+") as f:
            edit(f)
        return path

    rejected(tampered("future.h5", lambda f: f.attrs.modify(st.ATTR_SCHEMA_VERSION, np.int32(st.SCHEMA_VERSION + 1))),
             "is newer than this reader")
    rejected(tampered("other.h5", lambda f: f.attrs.modify(st.ATTR_SCHEMA, "other")), "not a saffire trace")
    rejected(tampered("noseed.h5", lambda f: f.attrs.__delitem__(st.ATTR_SEED)), "missing root attribute 'seed'")

    # A version-1 file (no /faults, /abft, /points) still loads, with empty faults, decisions and points.
    def to_v1(f):
        f.attrs.modify(st.ATTR_SCHEMA_VERSION, np.int32(1))
        del f[st.FAULTS_DATASET]
        del f[st.DECISIONS_DATASET]
        del f[st.POINTS_DATASET]
    v1 = st.load(tampered("v1.h5", to_v1))
    expect(v1.schema_version == 1 and len(v1.faults) == 0 and len(v1.gemms) == 70, "version-1 file")
    expect(list(v1.faults.dtype.names) == list(st.FAULT_COLUMNS), "version-1 file: empty faults keep the columns")
    expect(len(v1.decisions) == 0 and list(v1.decisions.dtype.names) == list(st.DECISION_COLUMNS),
           "version-1 file: empty decisions with the columns")
    expect(len(v1.points) == 0 and list(v1.points.dtype.names) == list(st.POINT_COLUMNS),
           "version-1 file: empty points with the columns")
    expect(st.check(v1) == [], "version-1 file passes check()")
    expect("decisions:" not in st.summary(v1), "version-1 summary does not mention decisions")
    rejected(tampered("nofaults.h5", lambda f: f.__delitem__(st.FAULTS_DATASET)), "missing dataset '/faults'")

    # A version-2 file (no /abft, no /points) still loads: its faults, and empty decisions and points.
    def to_v2(f):
        f.attrs.modify(st.ATTR_SCHEMA_VERSION, np.int32(2))
        del f[st.DECISIONS_DATASET]
        del f[st.POINTS_DATASET]
    v2 = st.load(tampered("v2.h5", to_v2))
    expect(v2.schema_version == 2 and len(v2.gemms) == 70 and len(v2.faults) == len(st.load(trace_path).faults),
           "version-2 file keeps its gemms and faults")
    expect(len(v2.decisions) == 0 and v2.decision_dicts() == [], "version-2 file: no decisions")
    expect(list(v2.decisions.dtype.names) == list(st.DECISION_COLUMNS),
           "version-2 file: empty decisions keep the columns")
    expect(v2.decisions["msd"].dtype == np.float64, "version-2 file: empty decisions keep the dtypes")
    expect(st.check(v2) == [], "version-2 file passes check()")
    expect("decisions:" not in st.summary(v2), "version-2 summary does not mention decisions")
    expect(len(v2.points) == 0 and v2.point_dicts() == [], "version-2 file: no points")
    rejected(tampered("noabft.h5", lambda f: f.__delitem__(st.DECISIONS_DATASET)), "missing dataset '/abft'")

    # A version-3 file (no /points) still loads: its decisions, and an empty points table.
    def to_v3(f):
        f.attrs.modify(st.ATTR_SCHEMA_VERSION, np.int32(3))
        del f[st.POINTS_DATASET]
    v3 = st.load(tampered("v3.h5", to_v3))
    full = st.load(trace_path)
    expect(v3.schema_version == 3 and len(v3.gemms) == 70 and len(v3.faults) == len(full.faults)
           and v3.decision_dicts() == full.decision_dicts(), "version-3 file keeps its gemms, faults and decisions")
    expect(len(v3.points) == 0 and v3.point_dicts() == [], "version-3 file: no points")
    expect(list(v3.points.dtype.names) == list(st.POINT_COLUMNS), "version-3 file: empty points keep the columns")
    expect(v3.points["seconds"].dtype == np.float64 and v3.points["exit_code"].dtype == np.int32,
           "version-3 file: empty points keep the dtypes")
    expect(st.check(v3) == [], "version-3 file passes check()")
    expect("decisions:" in st.summary(v3) and "points:" not in st.summary(v3),
           "version-3 summary mentions decisions, not points")
    rejected(tampered("nopoints.h5", lambda f: f.__delitem__(st.POINTS_DATASET)), "missing dataset '/points'")

    # A version-4 file (no command record) still loads, with no command line and no inputs; a
    # version-4 file that still has the version-5 objects is read as version 4 (they are ignored).
    def to_v4(f):
        f.attrs.modify(st.ATTR_SCHEMA_VERSION, np.int32(4))
        del f[st.COMMAND_LINE_DATASET]
        del f[st.INPUTS_GROUP]
    v4 = st.load(tampered("v4.h5", to_v4))
    expect(v4.schema_version == 4 and v4.command_line == [] and v4.cwd == "" and v4.inputs == [],
           "version-4 file: no command record")
    expect(v4.point_dicts() == full.point_dicts() and len(v4.gemms) == 70, "version-4 file keeps its tables")
    expect(st.check(v4) == [] and "command line:" not in st.summary(v4), "version-4 file: check() and summary()")
    v4_with = st.load(tampered("v4-with-command.h5",
                               lambda f: f.attrs.modify(st.ATTR_SCHEMA_VERSION, np.int32(4))))
    expect(v4_with.command_line == [] and v4_with.inputs == [], "a version-4 file's extra objects are ignored")
    expect("command line: topology resnet18.csv" in st.summary(full) and "4 files (3 embedded, 1 by reference)"
           in st.summary(full), f"summary mentions the command record: {st.summary(full)}")
    rejected(tampered("nocmd.h5", lambda f: f.__delitem__(st.COMMAND_LINE_DATASET)),
             "missing dataset '/command_line'")
    rejected(tampered("noinputs.h5", lambda f: f.__delitem__(st.INPUTS_GROUP)), "missing group '/inputs'")
    rejected(tampered("nocwd.h5", lambda f: f[st.COMMAND_LINE_DATASET].attrs.__delitem__(st.COMMAND_LINE_ATTR_CWD)),
             "missing attribute 'cwd' of '/command_line'")
    rejected(tampered("nohash.h5", lambda f: f[st.INPUTS_GROUP + "/1"].attrs.__delitem__(st.INPUT_ATTR_HASH)),
             "missing attribute 'hash' of '/inputs/1'")
    rejected(tampered("gap.h5", lambda f: f.move(st.INPUTS_GROUP + "/3", st.INPUTS_GROUP + "/7")),
             "missing dataset '/inputs/3'")

    # A version-5 file (no /memory) still loads, with no memory rows; a version-5 file that has one is read
    # without it; a version-6 file without it is rejected.
    def to_v5(f):
        f.attrs.modify(st.ATTR_SCHEMA_VERSION, np.int32(5))
        del f[st.MEMORY_DATASET]
    v5 = st.load(tampered("v5.h5", to_v5))
    expect(v5.schema_version == 5 and len(v5.memory) == 0 and v5.memory_dicts() == [], "version-5 file: no memory")
    expect(list(v5.memory.dtype.names) == list(st.MEMORY_COLUMNS) and v5.memory["row_hit_rate"].dtype == np.float64,
           "version-5 file: empty memory keeps the columns and dtypes")
    expect(v5.command_line == full.command_line and v5.point_dicts() == full.point_dicts(),
           "version-5 file keeps its command record and tables")
    expect(st.check(v5) == [] and "memory:" not in st.summary(v5), "version-5 file: check() and summary()")
    v5_with = st.load(tampered("v5-with-memory.h5", lambda f: f.attrs.modify(st.ATTR_SCHEMA_VERSION, np.int32(5))))
    expect(len(v5_with.memory) == 0, "a version-5 file's /memory is ignored")
    rejected(tampered("nomemory.h5", lambda f: f.__delitem__(st.MEMORY_DATASET)), "missing dataset '/memory'")

    # Bad memory rows: one problem per broken rule.
    def bad_memory(f):
        rows = f[st.MEMORY_DATASET][()]
        rows[0]["model"] = b"cache"                          # ideal row 0: unknown model
        rows[1]["total_cycles"] += 1                         # scalesim row 1: total != compute + stall
        rows[2]["dram_row_hits"] += 1                        # dram row 2: outcomes != requests, and the rate
        rows[3]["dram_preset"] = b"HBM3"                     # ideal row 3: a preset without the dram model
        rows[4]["sram_energy_pj"] = float("nan")             # scalesim row 4
        f[st.MEMORY_DATASET][...] = rows
    memory_problems = st.check(st.load(tampered("bad-memory.h5", bad_memory)))
    for needle in ("memory[0]", "model 'cache'", "memory[1]", "total_cycles", "memory[2]", "!= dram_requests",
                   "row_hit_rate", "memory[3]", "dram_preset without the dram model", "memory[4]",
                   "sram_energy_pj nan"):
        expect(any(needle in p for p in memory_problems), f"check() reports {needle!r}: {memory_problems}")
    expect(len(memory_problems) == 6, f"six memory problems: {memory_problems}")

    # Bad input records are reported by check(), one problem per broken rule.
    def bad_inputs(f):
        f[st.INPUTS_GROUP + "/0"].attrs.modify(st.INPUT_ATTR_SOURCE, "elsewhere")
        f[st.INPUTS_GROUP + "/1"].attrs.modify(st.INPUT_ATTR_HASH, "md5:0")
        f[st.INPUTS_GROUP + "/2"].attrs.modify(st.INPUT_ATTR_SIZE, np.uint64(3))
        d = f[st.INPUTS_GROUP + "/0"]
        content = d[()]
        content[0] ^= 1
        d[...] = content
    problems = st.check(st.load(tampered("bad-inputs.h5", bad_inputs)))
    wanted = ["source 'elsewhere'", "does not match the embedded bytes", "hash 'md5:0'", "0 embedded bytes, size says 3"]
    expect(len(problems) == len(wanted) and all(w in p for w, p in zip(wanted, problems)),
           f"check() on bad inputs gave {problems}")

    # Bad point rows are reported by check(), one problem per broken rule. Sample rows 0-2 and 4-6
    # are ok points, row 3 a failed one.
    def bad_points(f):
        rows = f[st.POINTS_DATASET][0:7]
        rows[0]["status"] = b"done"
        rows[1]["key"] = b"12345"
        rows[2]["seconds"] = -1.5
        rows[3]["exit_code"] = 0  # a failed point may exit 0 (e.g. its output was not JSON) ...
        rows[3]["result"] = b"garbage"  # ... and its result is not judged
        rows[3]["key"] = b"0123456789ABCDEF"  # upper-case hex is hex
        rows[4]["exit_code"] = 3
        rows[5]["result"] = b"not json"
        rows[6]["result"] = b"[1, 2]"
        f[st.POINTS_DATASET][0:7] = rows
    bad_points_trace = st.load(tampered("bad-points.h5", bad_points))
    problems = st.check(bad_points_trace)
    wanted = ["status 'done'", "key '12345' is not 16 hex digits", "seconds -1.5", "exit_code 3 of an ok point",
              "result 'not json' of an ok point is not a JSON object",
              "result '[1, 2]' of an ok point is not a JSON object"]
    expect(len(problems) == len(wanted) and all(w in p for w, p in zip(wanted, problems)),
           f"check() on bad point rows gave {problems}")
    try:
        bad_points_trace.point_dicts()
    except st.TraceError as e:
        expect("bad-points.h5" in str(e) and "points[3] column 'result' is not valid JSON" in str(e),
               f"point_dicts() on bad JSON: {e}")
    else:
        failures.append("point_dicts() accepted a result that is not JSON")

    def nan_seconds(f):
        row = f[st.POINTS_DATASET][0]
        row["seconds"] = np.nan
        f[st.POINTS_DATASET][0] = row
    problems = st.check(st.load(tampered("nan-seconds.h5", nan_seconds)))
    expect(len(problems) == 1 and "seconds nan" in problems[0], f"check() on NaN seconds gave {problems}")

    # Bad decision rows are reported by check(), one problem per broken rule.
    def bad_decisions(f):
        rows = f[st.DECISIONS_DATASET][0:6]
        rows[0]["action"] = b"ignore"
        rows[1]["scheme"] = b"tmr"
        rows[2]["tile"] = -2
        rows[3]["attempt"] = -1
        rows[4]["msd"] = -0.5
        rows[5]["recovered_at_nominal"] = 2
        f[st.DECISIONS_DATASET][0:6] = rows
    problems = st.check(st.load(tampered("bad-decisions.h5", bad_decisions)))
    wanted = ["action 'ignore'", "scheme 'tmr'", "tile -2", "attempt -1", "msd -0.5", "recovered_at_nominal 2"]
    expect(len(problems) == len(wanted) and all(w in p for w, p in zip(wanted, problems)),
           f"check() on bad decision rows gave {problems}")
    def nan_msd(f):
        row = f[st.DECISIONS_DATASET][0]
        row["msd"] = np.nan
        f[st.DECISIONS_DATASET][0] = row
    problems = st.check(st.load(tampered("nan-msd.h5", nan_msd)))
    expect(len(problems) == 1 and "msd nan" in problems[0], f"check() on a NaN msd gave {problems}")

    # A bad fault row is reported by check().
    def bad_delta(f):
        row = f[st.FAULTS_DATASET][0]
        row["delta"] += 1
        f[st.FAULTS_DATASET][0] = row
    problems = st.check(st.load(tampered("bad-delta.h5", bad_delta)))
    expect(len(problems) == 1 and "delta" in problems[0], f"check() on a bad fault row gave {problems}")

    # A bad row is reported by check() and makes the command line exit 1.
    bad = tampered("bad.h5", lambda f: f[st.GEMMS_DATASET].__setitem__(
        0, tuple(("xs" if n == "dataflow" else f[st.GEMMS_DATASET][0][n]) for n in st.GEMM_COLUMNS)))
    problems = st.check(st.load(bad))
    expect(len(problems) == 1 and "dataflow 'xs'" in problems[0], f"check() on a bad row gave {problems}")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err:
        expect(st.main(["--check", bad]) == 1, "--check exits 1 on a bad row")
        expect(st.main([trace_path]) == 0, "summary exits 0")
    expect("dataflow 'xs'" in err.getvalue(), "--check prints the problem")


def main(argv):
    trace_path, expected_path, schema_hpp = argv[1:4]
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    check_values(trace_path, expected)
    check_mirror(schema_hpp)
    with tempfile.TemporaryDirectory() as tmp:
        check_rejections(trace_path, tmp)
    for message in failures:
        print(f"FAIL: {message}", file=sys.stderr)
    print(f"test_python_reader: {'FAILED' if failures else 'ok'} ({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
