#!/usr/bin/env bash
# The memory options of gemm and topology: bad input exits 2 naming the file, line and key (or the
# option), and the JSON carries the memory fields. Usage: memory_cli_test.sh SAFFIRE WORKDIR
set -u
saffire=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
fail=0

expect_bad() {  # expect_bad "what the message must contain" saffire-args...
  local want=$1
  shift
  local out rc
  out=$("$saffire" "$@" 2>&1)
  rc=$?
  if [[ $rc -ne 2 || "$out" != *"$want"* ]]; then
    echo "FAIL: saffire $* -> exit $rc, wanted 2 and '$want'; got: $out"
    fail=1
  fi
}

gemm=(gemm --rows 8 --cols 8 --m 20 --n 20 --k 20)
expect_bad "--sram-kb: expected three positive integers" "${gemm[@]}" --memory scalesim --sram-kb 0,64,64
expect_bad "--sram-kb: expected three positive integers" "${gemm[@]}" --memory scalesim --sram-kb 64,64
expect_bad "--bandwidth: expected a positive number" "${gemm[@]}" --memory scalesim --bandwidth 0
expect_bad "unknown memory model 'sram' (expected one of: ideal, scalesim, dram)" "${gemm[@]}" --memory sram

printf '[arch]\nrows = 8\n\n[memory]\nmodel = "scalesim"\nofmap_sram_kb = 0\n' > "$work/zero.toml"
expect_bad "$work/zero.toml:6: memory.ofmap_sram_kb" "${gemm[@]}" --config "$work/zero.toml"
printf '[memory]\nmodel = "scalesim"\nbandwidth = 0\n' > "$work/bw.toml"
expect_bad "$work/bw.toml:3: memory.bandwidth" "${gemm[@]}" --config "$work/bw.toml"
printf '[memory]\nmodel = "scalesim"\ndram_preset = "DDR9"\n' > "$work/preset.toml"
expect_bad "$work/preset.toml:3: memory.dram_preset" "${gemm[@]}" --config "$work/preset.toml"
printf '[memory]\nmodel = "scalesim"\noutput_word_bytes = 4\nofmap_sram_kb = 1\n' > "$work/small.toml"
expect_bad "$work/small.toml:4: memory.ofmap_sram_kb: the ofmap scratchpad holds 256 words, too small" \
  gemm --rows 8 --cols 200 --m 4 --n 4 --k 4 --config "$work/small.toml"

cat > "$work/is.cfg" <<'CFG'
[general]
run_name = is_run

[architecture_presets]
ArrayHeight:    8
ArrayWidth:     8
IfmapSramSzkB:    64
FilterSramSzkB:   64
OfmapSramSzkB:    64
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : is
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: USER
CFG
expect_bad "$work/is.cfg:14: Dataflow: the input-stationary dataflow is not modelled" "${gemm[@]}" --scalesim-config "$work/is.cfg"
sed 's/Dataflow : is/Dataflow : os/; s/ArrayWidth:     8/ArrayWidth:     16/' "$work/is.cfg" > "$work/os.cfg"

# The dram model: an unknown preset lists the valid ones; a user preset with inconsistent timings names
# its file, line and key; the JSON carries the DRAM traffic.
expect_bad "--dram-preset: unknown DRAM preset 'HBM9' (expected one of: DDR4-3200, LPDDR5-6400, HBM2E, HBM3)" \
  "${gemm[@]}" --memory dram --dram-preset HBM9
printf '[memory]\nmodel = "dram"\ndram_preset = "HBM9"\n' > "$work/dram_preset.toml"
expect_bad "$work/dram_preset.toml:3: memory.dram_preset: unknown preset 'HBM9'" "${gemm[@]}" --config "$work/dram_preset.toml"
printf '[dram]\nname = "mine"\nchannels = 1\nranks = 1\nbank_groups = 4\nbanks_per_group = 4\nrows = 65536\ncolumns = 1024\nbus_width_bits = 64\nburst_length = 8\nclock_mhz = 1600\ndata_rate_mts = 3200\n\n[dram.timing]\ntcl = 22\ntcwl = 16\ntrcd = 22\ntrp = 22\ntras = 52\ntrc = 60\ntccd_s = 4\ntccd_l = 8\ntrrd_s = 4\ntrrd_l = 8\ntfaw = 34\ntwr = 24\ntwtr_s = 4\ntwtr_l = 12\ntrtp = 12\ntrfc = 560\ntrefi = 12480\n' > "$work/mine.toml"
expect_bad "$work/mine.toml:20: dram.timing.trc: 60 is less than tras + trp = 74" "${gemm[@]}" --memory dram \
  --dram-preset "$work/mine.toml" --dram-energy DDR4-3200
expect_bad "--dram-preset: unknown DRAM standard" "${gemm[@]}" --memory dram --dram-preset "$work/mine.toml"
printf '[memory]\nmodel = "dram"\ndram_preset = "mine.toml"\ndram_energy = "DDR4-3200"\n' > "$work/mine_cfg.toml"
expect_bad "$work/mine.toml:20: dram.timing.trc" "${gemm[@]}" --config "$work/mine_cfg.toml"
json=$("$saffire" "${gemm[@]}" --memory dram --dram-preset HBM3 --sram-kb 1,1,1 --json) || { echo "FAIL: gemm --memory dram"; fail=1; }
for key in '"memory": "dram"' '"preset": "HBM3"' '"bytes_read"' '"bytes_written"' '"row_hit_rate"' '"achieved_gbps"' \
           '"stall_cycles"' '"total_cycles"'; do
  [[ "$json" == *"$key"* ]] || { echo "FAIL: gemm --memory dram --json lacks $key"; fail=1; }
done
printf 'Layer,M,N,K,\nl0,20,20,20,\nl1,7,30,9,\n' > "$work/t.csv"
"$saffire" topology "$work/t.csv" --rows 8 --cols 8 --memory dram --out "$work/dram" > "$work/dram.txt" 2>&1 || { echo "FAIL: topology --memory dram"; fail=1; }
head -1 "$work/dram/BANDWIDTH_REPORT.csv" | grep -q 'Avg OFMAP DRAM BW, DRAM Bytes Read, DRAM Bytes Written, Achieved DRAM GB/s, Row Buffer Hit Rate,$' \
  || { echo "FAIL: dram BANDWIDTH_REPORT.csv header"; fail=1; }
grep -q '^DRAM: HBM2E, .* row-buffer hit rate' "$work/dram.txt" || { echo "FAIL: topology --memory dram summary"; fail=1; }

# The .cfg gives the array (16 columns, OS) and the memory; its JSON has the memory fields.
json=$("$saffire" gemm --m 20 --n 20 --k 20 --scalesim-config "$work/os.cfg" --json) || { echo "FAIL: gemm --scalesim-config"; fail=1; }
for key in '"memory": "scalesim"' '"cols": 16' '"dataflow": "os"' '"stall_cycles"' '"total_cycles"' '"dram_reads"' \
           '"dram_writes"' '"sram_reads"' '"sram_writes"'; do
  [[ "$json" == *"$key"* ]] || { echo "FAIL: gemm --json lacks $key"; fail=1; }
done

# topology writes SCALE-Sim's two memory reports beside COMPUTE_REPORT.csv, with SCALE-Sim's headers.
printf 'Layer,M,N,K,\nl0,20,20,20,\nl1,7,30,9,\n' > "$work/t.csv"
"$saffire" topology "$work/t.csv" --rows 8 --cols 8 --memory scalesim --sram-kb 1,1,1 --bandwidth 4 --out "$work/topo" \
  > /dev/null || { echo "FAIL: topology --memory scalesim"; fail=1; }
head -1 "$work/topo/BANDWIDTH_REPORT.csv" | grep -q '^LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,$' \
  || { echo "FAIL: BANDWIDTH_REPORT.csv header"; fail=1; }
head -1 "$work/topo/DETAILED_ACCESS_REPORT.csv" | grep -q '^LayerID, SRAM IFMAP Start Cycle, .*DRAM OFMAP Writes,$' \
  || { echo "FAIL: DETAILED_ACCESS_REPORT.csv header"; fail=1; }
[[ $(wc -l < "$work/topo/DETAILED_ACCESS_REPORT.csv") -eq 3 ]] || { echo "FAIL: one access row per layer"; fail=1; }
head -1 "$work/topo/COMPUTE_REPORT.csv" | grep -q 'MACs,Stall Cycles$' || { echo "FAIL: COMPUTE_REPORT stall column"; fail=1; }
# The ideal memory keeps the compute report as it was.
"$saffire" topology "$work/t.csv" --rows 8 --cols 8 --out "$work/ideal" > /dev/null
head -1 "$work/ideal/COMPUTE_REPORT.csv" | grep -q 'Mapping Efficiency %,MACs$' || { echo "FAIL: ideal COMPUTE_REPORT header"; fail=1; }

# topology's trace.h5 holds one /memory row per GEMM (schema v6): the same numbers as its --json layers, column
# by column, read with h5py through saffire_traces.py; trace summary, export-csv, merge and diff know the table.
"$saffire" topology "$work/t.csv" --rows 8 --cols 8 --memory dram --out "$work/dram_trace" --json > "$work/dram.json" \
  || { echo "FAIL: topology --memory dram --json"; fail=1; }
/usr/bin/python3 - "$work/dram_trace/trace.h5" "$work/dram.json" "$(dirname "$0")/../../../traces/python" <<'PY' \
  || { echo "FAIL: trace.h5 /memory rows differ from topology --json"; fail=1; }
import json, sys
sys.path.insert(0, sys.argv[3])
import saffire_traces as st
t = st.load(sys.argv[1])
layers = json.load(open(sys.argv[2]))["layers"]
rows = t.memory_dicts()
assert len(rows) == len(layers) == len(t.gemms) == 2, (len(rows), len(layers))
for row, layer in zip(rows, layers):
    want = {"gemm": layer["layer"], "model": "dram", "dram_preset": layer["dram"]["preset"],
            "compute_cycles": layer["cycles"], "stall_cycles": layer["stall_cycles"],
            "total_cycles": layer["total_cycles"], "dram_bytes_read": layer["dram"]["bytes_read"],
            "dram_bytes_written": layer["dram"]["bytes_written"], "achieved_gbps": layer["dram"]["achieved_gbps"],
            "dram_requests": layer["dram"]["requests"], "dram_row_hits": layer["dram"]["row_hits"],
            "dram_row_misses": layer["dram"]["row_misses"], "dram_row_conflicts": layer["dram"]["row_conflicts"],
            "row_hit_rate": layer["dram"]["row_hit_rate"], "sram_energy_pj": layer["energy"]["sram_pj"],
            "dram_energy_pj": layer["energy"]["dram_pj"]}
    for kind in ("sram_reads", "sram_writes", "dram_reads", "dram_writes"):
        for operand in ("ifmap", "filter", "ofmap"):
            want[f"{kind}_{operand}"] = layer[kind][operand]
    for key, value in want.items():
        assert row[key] == value, (row["gemm"], key, row[key], value)
    assert row["stall_cycles"] > 0, row  # the dram model stalls these GEMMs: the test compares real numbers
assert st.check(t) == [], st.check(t)
PY
"$saffire" trace summary "$work/dram_trace/trace.h5" | grep -q '^  memory    2 rows (2 dram), [0-9]* stall cycles of' \
  || { echo "FAIL: trace summary lacks the memory rows"; fail=1; }
[[ $("$saffire" trace export-csv "$work/dram_trace/trace.h5" --table memory | wc -l) -eq 3 ]] \
  || { echo "FAIL: trace export-csv --table memory"; fail=1; }
"$saffire" trace export-csv "$work/dram_trace/trace.h5" --table memory | head -1 | grep -q '^gemm,model,dram_preset,compute_cycles,stall_cycles,total_cycles,.*,sram_energy_pj,dram_energy_pj$' \
  || { echo "FAIL: trace export-csv --table memory header"; fail=1; }
"$saffire" trace merge "$work/merged.h5" "$work/dram_trace/trace.h5" "$work/dram_trace/trace.h5" 2> /dev/null \
  || { echo "FAIL: trace merge"; fail=1; }
[[ $("$saffire" trace export-csv "$work/merged.h5" --table memory | wc -l) -eq 5 ]] \
  || { echo "FAIL: trace merge keeps the memory rows of both files"; fail=1; }
"$saffire" topology "$work/t.csv" --rows 8 --cols 8 --memory dram --out "$work/dram_trace2" > /dev/null
"$saffire" trace diff "$work/dram_trace/trace.h5" "$work/dram_trace2/trace.h5" > /dev/null \
  || { echo "FAIL: trace diff of two identical dram runs"; fail=1; }
"$saffire" topology "$work/t.csv" --rows 8 --cols 8 --memory dram --dram-preset DDR4-3200 --out "$work/ddr4" > /dev/null
diff_out=$("$saffire" trace diff "$work/dram_trace/trace.h5" "$work/ddr4/trace.h5")
[[ $? -eq 1 && "$diff_out" == *"memory row 0: dram_preset = HBM2E vs DDR4-3200"* ]] \
  || { echo "FAIL: trace diff reports the memory rows that differ: $diff_out"; fail=1; }

# eval and generate with --memory: the array engine's SystemC folds wait for their operands (as gemm and topology
# do); outputs stay the same, compute cycles too; the folds' waits equal the memory model's stalls; eval's --json
# and trace carry them. Needs the model files (as cli_test.sh finds them); skipped without.
models_dir=${SAFFIRE_MODELS:-$(dirname "$0")/../../../../shared/models}
if [ -f "$models_dir/stories260K.bin" ] && [ -f "$models_dir/tok512.bin" ] && [ -f "$models_dir/tinystories_val.txt" ]; then
  export SAFFIRE_MODELS=$models_dir
  eval_args=(eval --precision w8a8 --paragraphs 2 --ctx 64 --engine array --rows 8 --cols 8 --json)
  "$saffire" "${eval_args[@]}" > "$work/eval_ideal.json" || { echo "FAIL: eval --engine array"; fail=1; }
  "$saffire" "${eval_args[@]}" --memory dram --dram-preset DDR4-3200 --sram-kb 2,2,2 > "$work/eval_dram.json" \
    || { echo "FAIL: eval --engine array --memory dram"; fail=1; }
  "$saffire" "${eval_args[@]}" --memory dram --dram-preset DDR4-3200 --sram-kb 2,2,2 --ber 1e-4 \
    --trace "$work/eval_dram.h5" > "$work/eval_dram_faults.json" || { echo "FAIL: eval --memory dram --trace"; fail=1; }
  /usr/bin/python3 - "$work" "$(dirname "$0")/../../../traces/python" <<'PY' || { echo "FAIL: eval with --memory"; fail=1; }
import json, sys
work = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import saffire_traces as st
ideal = json.load(open(f"{work}/eval_ideal.json"))
dram = json.load(open(f"{work}/eval_dram.json"))
assert "memory" not in ideal, ideal
assert dram["ppl"] == ideal["ppl"] and dram["mean_nll"] == ideal["mean_nll"], (dram["ppl"], ideal["ppl"])
for key in ("array_gemms", "array_cycles", "array_macs"):
    assert dram[key] == ideal[key], (key, dram[key], ideal[key])  # compute cycles unchanged
m = dram["memory"]
assert m["model"] == "dram" and m["dram"]["preset"] == "DDR4-3200", m
assert m["gemms"] == dram["array_gemms"] and m["compute_cycles"] == dram["array_cycles"], m
assert m["stall_cycles"] > 0 and m["total_cycles"] == m["compute_cycles"] + m["stall_cycles"], m
assert dram["array_stall_cycles"] == m["stall_cycles"], (dram["array_stall_cycles"], m)  # SystemC waits = model
assert m["sram_energy_pj"] > 0 and m["dram_energy_pj"] > 0, m
assert m["dram"]["requests"] == m["dram"]["row_hits"] + m["dram"]["row_misses"] + m["dram"]["row_conflicts"], m
faulty = json.load(open(f"{work}/eval_dram_faults.json"))
assert faulty["memory"] == m and faulty["ppl_clean"] == ideal["ppl"], faulty["memory"]
t = st.load(f"{work}/eval_dram.h5")
rows = t.memory_dicts()
assert len(rows) == m["gemms"], (len(rows), m["gemms"])
assert sum(r["stall_cycles"] for r in rows) == m["stall_cycles"]
assert sum(r["total_cycles"] + 1 for r in rows) == m["total_cycles"]
assert sum(r["compute_cycles"] + 1 for r in rows) == dram["array_cycles"]
assert abs(sum(r["dram_energy_pj"] for r in rows) - m["dram_energy_pj"]) <= 1e-9 * m["dram_energy_pj"]
assert sum(r["dram_requests"] for r in rows) == m["dram"]["requests"]
assert {r["model"] for r in rows} == {"dram"} and rows[0]["gemm"].startswith("L0."), rows[0]
assert st.check(t) == [], st.check(t)[:3]
PY
  gen=(generate --precision w8a8 --steps 12 --engine array --rows 8 --cols 8)
  "$saffire" "${gen[@]}" > "$work/gen_ideal.txt" 2> /dev/null || { echo "FAIL: generate --engine array"; fail=1; }
  "$saffire" "${gen[@]}" --memory scalesim --sram-kb 1,1,1 --bandwidth 2 > "$work/gen_scalesim.txt" 2> "$work/gen_scalesim.err" \
    || { echo "FAIL: generate --memory scalesim"; fail=1; }
  cmp -s "$work/gen_ideal.txt" "$work/gen_scalesim.txt" || { echo "FAIL: generate's text changes with --memory"; fail=1; }
  grep -Eq '^\[memory\] scalesim: [0-9]+ GEMMs, [0-9]+ compute \+ [1-9][0-9]* stall = [0-9]+ array cycles$' "$work/gen_scalesim.err" \
    || { echo "FAIL: generate --memory scalesim: no stall line: $(cat "$work/gen_scalesim.err")"; fail=1; }
  expect_bad "command line: --sram-voltage: SRAM errors are injected by eval" "${gen[@]}" --sram-voltage 0.6
else
  echo "memory CLI: model files not found in $models_dir: eval/generate --memory checks skipped"
fi

[[ $fail -eq 0 ]] && echo "memory CLI: all checks passed"
exit $fail
