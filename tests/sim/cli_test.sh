#!/usr/bin/env bash
# End-to-end checks of the saffire CLI: JSON output, reports, traces, and exit code 2 on bad input.
# Usage: cli_test.sh SAFFIRE_BINARY SOURCE_DIR WORK_DIR
# The eval/calibrate checks need the model files (stories260K.bin, tok512.bin, tinystories_val.txt) in
# $SAFFIRE_MODELS, else in SOURCE_DIR/../shared/models. Without them the other checks still run and the
# script exits 77 (CTest: skipped, SKIP_RETURN_CODE) unless one of those failed (exit 1); 0 only when
# every check ran and passed.
set -u
saffire=$1; src=$2; work=$3
rm -rf "$work"; mkdir -p "$work"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
source "$src/tests/cli_support.sh"  # fail, expect_exit

# gemm --json: one JSON object with the documented keys, verified.
json=$("$saffire" gemm --rows 8 --cols 8 --dataflow os --m 13 --n 9 --k 21 --fidelity pe --json) || fail "gemm --json failed"
for key in '"cycles"' '"macs": 2457' '"utilization"' '"mapping_efficiency"' '"verified": true'; do
  grep -q "$key" <<<"$json" || fail "gemm --json lacks $key: $json"
done
# OS 8x8, M=13 N=9 K=21: 2*2 folds of 8+8+21-2 = 35 cycles -> 139 (0-based last cycle).
grep -q '"cycles": 139' <<<"$json" || fail "gemm OS cycles should be 139: $json"

# Bad input: exit code 2 and a message naming the field or file.
expect_exit 2 "M" -- "$saffire" gemm --m 0 --n 4 --k 4
expect_exit 2 "N" -- "$saffire" gemm --m 4 --n -3 --k 4
expect_exit 2 "unknown dataflow" -- "$saffire" gemm --m 4 --n 4 --k 4 --dataflow xs
expect_exit 2 "fidelity" -- "$saffire" gemm --m 4 --n 4 --k 4 --fidelity rtl
expect_exit 2 "" -- "$saffire" gemm --m 4 --n 4
expect_exit 2 "arch.rows" -- "$saffire" gemm --m 4 --n 4 --k 4 --rows 0
printf '[arch]\nrows = 8\ncolz = 3\n' >"$work/bad.toml"
expect_exit 2 "bad.toml:3" -- "$saffire" gemm --m 4 --n 4 --k 4 --config "$work/bad.toml"
expect_exit 2 "cannot open config" -- "$saffire" gemm --m 4 --n 4 --k 4 --config "$work/missing.toml"
# Floating-point PEs: the array in the dataflow's order, verified; unknown formats and unsupported pairs
# exit 2 naming the option or key.
for fid in pe fold; do
  out=$("$saffire" gemm --rows 4 --cols 4 --dataflow ws --m 9 --n 7 --k 11 --operand-type fp8-e5m2 --accumulator-type bf16 \
        --no-fma --fidelity $fid 2>&1) || fail "fp8-e5m2 gemm ($fid) failed: $out"
  grep -q "fp8-e5m2 x fp8-e5m2 -> bf16 (multiply, then add)" <<<"$out" || fail "gemm does not name the PEs: $out"
  grep -q "verified            yes" <<<"$out" || fail "fp8-e5m2 gemm ($fid) not verified: $out"
done
json=$("$saffire" gemm --rows 4 --cols 4 --dataflow os --m 5 --n 6 --k 7 --operand-type bf16 --json) || fail "bf16 gemm --json"
grep -q '"accumulator_type": "fp32"' <<<"$json" || fail "bf16 operands should bring fp32 accumulators: $json"
expect_exit 2 "unknown number format 'fp9'" -- "$saffire" gemm --m 4 --n 4 --k 4 --operand-type fp9
expect_exit 2 "\-\-accumulator-type (arch.accumulator_type): fp8-e4m3 operands need a floating-point" -- \
  "$saffire" gemm --m 4 --n 4 --k 4 --operand-type fp8-e4m3 --accumulator-type int32
expect_exit 2 "int8 operands need an int32 accumulator" -- "$saffire" gemm --m 4 --n 4 --k 4 --accumulator-type fp32
expect_exit 2 "output-buffer-type" -- "$saffire" gemm --m 4 --n 4 --k 4 --operand-type fp16 --output-buffer-type int32
# Faults on floating-point PEs: output-word flips in the accumulator word, the same on the cpu and array
# engines, reported by bit; a bit past the word, timing faults and INT8 gemm campaigns exit 2.
json=$("$saffire" gemm --rows 4 --cols 4 --dataflow ws --m 12 --n 9 --k 10 --operand-type bf16 --ber 0.5 \
       --bit-range 0-31 --fault-seed 4 --json) || fail "bf16 gemm with faults: $json"
grep -q '"engines_agree": true' <<<"$json" || fail "bf16 gemm faults: cpu and array should agree: $json"
grep -q '"field": "exponent"' <<<"$json" || fail "bf16 gemm faults: no deviation by bit: $json"
expect_exit 2 "\-\-bit: bit 16 is not a bit of the fp16 accumulator (0..15)" -- \
  "$saffire" gemm --m 4 --n 4 --k 4 --operand-type fp16 --accumulator-type fp16 --ber 0.1 --bit 16
json=$("$saffire" gemm --rows 4 --cols 4 --m 8 --n 8 --k 64 --operand-type bf16 --fault-model timing --voltage 0.5 \
       --json) || fail "bf16 gemm with timing faults: $json"
grep -q '"engines_agree": true' <<<"$json" || fail "bf16 gemm timing faults: cpu and array should agree: $json"
grep -q '"injected": 0,' <<<"$json" && fail "bf16 gemm timing faults at 0.5 V: none injected: $json"
expect_exit 2 "\-\-fault-model stuck-at: runs on INT8 arrays only" -- \
  "$saffire" gemm --m 4 --n 4 --k 4 --operand-type fp16 --fault-model stuck-at --stuck 0,0,3,1
expect_exit 2 "saffire gemm injects faults on floating-point PEs" -- "$saffire" gemm --m 4 --n 4 --k 4 --ber 0.1
# fp-abft: floating-point checksums with a rounding tolerance; c = 1 never false-alarms, the top exponent bit is
# always detected; a tolerance <= 0 (option or [abft] fp_tolerance) and INT8 PEs exit 2 naming the key.
json=$("$saffire" fp-abft --operand-type bf16 --rows 8 --cols 8 --m 16 --n 16 --k 64 --gemms 2 --flips-per-bit 1 \
       --tolerances 1,0.001 --json) || fail "fp-abft: $json"
grep -q '"false_alarm_checks": 0,' <<<"$json" || fail "fp-abft: c = 1 should not false-alarm: $json"
expect_exit 2 "\-\-tolerances: expected a tolerance > 0" -- "$saffire" fp-abft --operand-type bf16 --tolerances 1,0
printf '[abft]\nfp_tolerance = -0.5\n' >"$work/badtol.toml"
expect_exit 2 "badtol.toml:2: abft.fp_tolerance: expected a tolerance > 0" -- \
  "$saffire" fp-abft --operand-type bf16 --abft-config "$work/badtol.toml"
expect_exit 2 "fp-abft needs floating-point PEs" -- "$saffire" fp-abft
# --fp-bound probabilistic: BF16 accumulators over K = 512 have no worst-case bound (gamma infinite: no finite
# flip is "harmful" and every one is accepted) but a finite probabilistic one that catches exponent flips.
for b in deterministic probabilistic; do
  "$saffire" fp-abft --operand-type bf16 --accumulator-type bf16 --rows 8 --cols 8 --dataflow os --m 8 --n 16 \
    --k 512 --gemms 1 --flips-per-bit 2 --tolerances 1 --fp-bound $b --json >"$work/fp_bound_$b.json" \
    || fail "fp-abft --fp-bound $b failed"
done
/usr/bin/python3 - "$work/fp_bound_deterministic.json" "$work/fp_bound_probabilistic.json" <<'PY' || fail "fp-abft --fp-bound: unexpected rates"
import json, sys
d, p = (json.load(open(f)) for f in sys.argv[1:])
assert d["fp_bound"] == "deterministic" and d["gamma"] is None, d["gamma"]  # infinite: JSON null
assert p["fp_bound"] == "probabilistic" and 0 < p["gamma"] < 1 and 0 < p["bound_failure_per_output"] < 1e-4, p
dt, pt = d["by_tolerance"][0], p["by_tolerance"][0]
assert pt["false_alarm_checks"] == 0 and pt["missed_classic"] < dt["missed_classic"], (dt, pt)
PY
printf '[abft]\nfp_bound = "loose"\n' >"$work/badbound.toml"
expect_exit 2 "abft.fp_lambda: expected lambda > 0" -- "$saffire" fp-abft --operand-type bf16 --fp-bound probabilistic --fp-lambda 0
expect_exit 2 "abft.fp_bound" -- "$saffire" fp-abft --operand-type bf16 --abft-config "$work/badbound.toml"
printf '[arch]\nrows = 8\n\naccumulator_type = "fp64"\n' >"$work/badtype.toml"
expect_exit 2 "badtype.toml:4" -- "$saffire" gemm --m 4 --n 4 --k 4 --config "$work/badtype.toml"
printf '[arch]\noperand_type = "fp16"\naccumulator_type = "int32"\n' >"$work/badpair.toml"
expect_exit 2 "arch.accumulator_type" -- "$saffire" gemm --m 4 --n 4 --k 4 --config "$work/badpair.toml"
printf 'Layer,M,N,K\nok,4,4,4\nbad,4,four,4\n' >"$work/bad.csv"
expect_exit 2 "bad.csv:3: field N" -- "$saffire" topology "$work/bad.csv" --out "$work/x"
expect_exit 2 "cannot open topology" -- "$saffire" topology "$work/none.csv" --out "$work/x"
expect_exit 2 "unknown model preset" -- "$saffire" topology --model gpt-9 --out "$work/x"
# SCALE-Sim's convolution format, told by its header: Conv1 (224x224, 7x7x3, 64 filters, stride 2) is the GEMM
# M = (ceil(217 / 2) + 1)^2 = 12100, N = 64, K = 147; a depthwise layer is one GEMM per channel.
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1,224,224,7,7,3,64,2,\nDW_DP,8,8,3,3,2,1,1,\n' >"$work/conv.csv"
"$saffire" topology "$work/conv.csv" --fidelity analytic --out "$work/conv" >/dev/null || fail "topology of a conv CSV failed"
grep -q '^Conv1,12100,64,147,' "$work/conv/COMPUTE_REPORT.csv" || fail "Conv1 lowered wrong: $(cat "$work/conv/COMPUTE_REPORT.csv")"
grep -q '^DW_DPChannel_1,36,1,9,' "$work/conv/COMPUTE_REPORT.csv" || fail "depthwise layer lowered wrong"
printf 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nbig,4,4,5,5,1,1,1,\n' >"$work/conv_bad.csv"
expect_exit 2 "conv_bad.csv:2: field Filter Height: 5 is larger than IFMAP Height 4" -- "$saffire" topology "$work/conv_bad.csv" --out "$work/x"

# overhead: valid JSON with every scheme; an unsupported node is bad input.
json=$("$saffire" overhead --rows 16 --cols 16 --dataflow os --node 14 --json) || fail "overhead --json failed"
/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert len(d["schemes"]) == 7, d' "$json" \
  || fail "overhead --json is not valid JSON with 7 schemes: $json"
expect_exit 2 "unsupported node 7" -- "$saffire" overhead --node 7

# topology: report and trace.
"$saffire" topology "$src/experiments/topologies/demo.csv" --rows 16 --cols 16 --dataflow ws --out "$work/topo" >/dev/null \
  || fail "topology failed"
[ "$(wc -l <"$work/topo/COMPUTE_REPORT.csv")" -eq 6 ] || fail "COMPUTE_REPORT.csv should have a header and 5 rows"
# attn_out: M=64 N=64 K=64 on WS 16x16: 16 folds of 2*16+16+64-2 = 110 cycles -> 1759.
grep -q '^attn_out,64,64,64,1759,' "$work/topo/COMPUTE_REPORT.csv" || fail "attn_out row wrong: $(cat "$work/topo/COMPUTE_REPORT.csv")"
[ -s "$work/topo/trace.h5" ] || fail "trace.h5 missing"
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
  /usr/bin/python3 - "$work/topo/trace.h5" <<'PY' || fail "trace.h5 does not read back in h5py"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["schema_version"] >= 1, "schema_version"
    g = f["gemms"]
    assert len(g) == 5, len(g)
    row = [r for r in g if (r["name"].decode() if isinstance(r["name"], bytes) else r["name"]) == "attn_out"][0]
    assert int(row["cycles"]) == 1759, row
PY
fi

# One nominal supply and one clock per run: [arch] v_nominal and clock_ghz (--v-nominal, --clock-ghz).
# --voltage V is the array's supply in every command; V = v_nominal is no underscaling (topology: no
# saving); the 14 nm table's 0.8 V is its characterization voltage, converted, not a second nominal.
# The array's part (energy.compute_pj) follows its supply; the SRAM (at [memory] sram_voltage, default the
# nominal) and the DRAM keep theirs.
topo_energy() {  # prints "voltage v_nominal clock_ghz compute_pj" of topology demo.csv --json
  "$saffire" topology "$src/experiments/topologies/demo.csv" --rows 16 --cols 16 --no-files --json "$@" \
    | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["voltage"], d["v_nominal"], d["clock_ghz"], repr(d["energy"]["compute_pj"]))'
}
topo_memory_energy() {  # prints "sram_pj dram_pj energy_saving compute_saving total == sum of parts"
  "$saffire" topology "$src/experiments/topologies/demo.csv" --rows 16 --cols 16 --no-files --json "$@" \
    | /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin)["energy"]; print(repr(e["sram_pj"]), repr(e["dram_pj"]), e["energy_saving"], e["compute_saving"], abs(e["total_pj"] - e["compute_pj"] - e["sram_pj"] - e["dram_pj"]) <= 1e-9 * e["total_pj"])'
}
read -r s09 d09 _ _ sum09 <<<"$(topo_memory_energy)" || fail "topology --json energy failed"
read -r s072 d072 save072 csave072 _ <<<"$(topo_memory_energy --voltage 0.72)"
[ "$s09 $d09 $sum09" = "$s072 $d072 True" ] || fail "topology: SRAM and DRAM energy must not follow the array's supply: $s09 $d09 vs $s072 $d072 ($sum09)"
/usr/bin/python3 -c 'import sys; s, c = map(float, sys.argv[1:]); assert 0 < s < c and abs(c - (1 - 0.8**2)) < 0.05, (s, c)' "$save072" "$csave072" \
  || fail "topology --voltage 0.72: the whole saves less than the array alone (~36 %): $save072 $csave072"
read -r s_low _ _ _ _ <<<"$(topo_memory_energy --sram-voltage 0.72)"
/usr/bin/python3 -c 'import sys; a, b = map(float, sys.argv[1:]); assert abs(b / a - 0.64) < 1e-9, (a, b)' "$s09" "$s_low" \
  || fail "topology --sram-voltage 0.72: SRAM energy should scale by (0.72/0.9)^2: $s09 $s_low"
expect_exit 2 "--sram-voltage" -- "$saffire" topology "$src/experiments/topologies/demo.csv" --no-files --sram-voltage 0.1
expect_exit 2 "HBM2E" -- "$saffire" topology "$src/experiments/topologies/demo.csv" --no-files --dram-energy GDDR6
read -r tv tn tc e_default <<<"$(topo_energy)" || fail "topology --json failed"
[ "$tv $tn $tc" = "0.9 0.9 1.0" ] || fail "topology: default supply, nominal and clock should be 0.9 V, 0.9 V, 1 GHz: $tv $tn $tc"
read -r _ _ _ e_at_nominal <<<"$(topo_energy --voltage 0.9)"
[ "$e_at_nominal" = "$e_default" ] || fail "topology --voltage 0.9 (the nominal) should change nothing: $e_at_nominal vs $e_default"
read -r tv tn _ e_nom08 <<<"$(topo_energy --v-nominal 0.8)"
[ "$tv $tn" = "0.8 0.8" ] || fail "topology --v-nominal 0.8: the default supply is the nominal: $tv $tn"
read -r _ _ _ e_08 <<<"$(topo_energy --voltage 0.8)"
read -r _ _ _ e_072 <<<"$(topo_energy --v-nominal 0.8 --voltage 0.72)"
/usr/bin/python3 - "$e_default" "$e_nom08" "$e_08" "$e_072" <<'PY' || fail "topology energy vs supply: $e_default $e_nom08 $e_08 $e_072"
import sys
e09, nom08, e08, e072 = map(float, sys.argv[1:])
assert abs(e08 - nom08) <= 1e-12 * nom08, (e08, nom08)  # the energy at 0.8 V does not depend on the nominal
assert e072 < nom08 < e09, (e072, nom08, e09)           # underscaling saves, a higher supply costs
PY
printf '[arch]\nv_nominal = 0.8\nclock_ghz = 2\n' >"$work/nominal.toml"
read -r tv tn tc _ <<<"$(topo_energy --config "$work/nominal.toml")"
[ "$tv $tn $tc" = "0.8 0.8 2.0" ] || fail "topology --config [arch] v_nominal/clock_ghz not used: $tv $tn $tc"
read -r _ tn tc _ <<<"$(topo_energy --config "$work/nominal.toml" --v-nominal 0.85 --clock-ghz 1.5)"
[ "$tn $tc" = "0.85 1.5" ] || fail "--v-nominal/--clock-ghz should override [arch]: $tn $tc"
expect_exit 2 "--voltage: voltage.v" -- "$saffire" topology --model opt-125m --no-files --voltage 2.5
expect_exit 2 "arch.v_nominal" -- "$saffire" topology --model opt-125m --no-files --v-nominal 0
# topology --model-config: a config.json with opt-125m's numbers times exactly as the preset does.
printf '{"model_type": "opt", "hidden_size": 768, "ffn_dim": 3072, "num_hidden_layers": 12,
 "num_attention_heads": 12, "vocab_size": 50272}' >"$work/opt_config.json"
c_cfg=$("$saffire" topology --model-config "$work/opt_config.json" --seq 32 --out "$work/model_config" --json |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total_cycles"])') || fail "topology --model-config failed"
c_pre=$("$saffire" topology --model opt-125m --seq 32 --no-files --json |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["total_cycles"])')
[ -n "$c_cfg" ] && [ "$c_cfg" = "$c_pre" ] || fail "topology --model-config opt-125m: $c_cfg cycles, preset $c_pre"
[ -s "$work/model_config/topology.csv" ] || fail "topology --model-config wrote no topology.csv"
printf '{"model_type": "opt", "hidden_size": 768}' >"$work/short_config.json"
expect_exit 2 "short_config.json: key 'ffn_dim': missing" -- "$saffire" topology --model-config "$work/short_config.json"
expect_exit 2 "exactly one of" -- "$saffire" topology --model-config "$work/opt_config.json" --model opt-125m
# The keys that moved: an error naming the file, line, key and its new place, never ignored.
printf '[arch]\nrows = 8\n\n[voltage]\nsigma = 0\nv_nominal = 0.8\n' >"$work/old_nominal.toml"
printf '[voltage]\nclock_ghz = 2\n' >"$work/old_clock.toml"
printf '[tech]\nnode_nm = 14\nv_nominal = 0.8\n' >"$work/old_tech.toml"
expect_exit 2 "old_nominal.toml:6: voltage.v_nominal: moved to \[arch\] v_nominal" -- \
  "$saffire" topology --model opt-125m --no-files --config "$work/old_nominal.toml"
expect_exit 2 "old_clock.toml:2: voltage.clock_ghz: moved to \[arch\] clock_ghz" -- \
  "$saffire" voltage-curve --to 0.85 --rows 2 --cols 2 --samples 1 --config "$work/old_clock.toml"
expect_exit 2 "old_tech.toml:3: tech.v_nominal: renamed to tech.v_characterized" -- \
  "$saffire" overhead --rows 8 --cols 8 --tech "$work/old_tech.toml"
# voltage-curve starts at the nominal supply: no timing error there.
out=$("$saffire" voltage-curve --v-nominal 0.8 --to 0.8 --rows 4 --cols 4 --samples 1 --sigma 0 --json) \
  || fail "voltage-curve --v-nominal failed"
/usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); p=d["points"]; assert d["voltage"]["v_nominal"] == 0.8 and len(p) == 1 and p[0]["v"] == 0.8 and p[0]["delay_scale"] == 1 and p[0]["errors"] == 0, d' "$out" \
  || fail "voltage-curve --v-nominal 0.8: $out"

# eval with faults: the JSON carries the campaign's outcome; cpu and array engines agree exactly.
# The model files, looked up where the binary looks (model_files.hpp): $SAFFIRE_MODELS when set and not
# empty, else the source tree's ../shared/models. The checks export the directory found, so the binary
# reads the very files checked here.
models_dir=${SAFFIRE_MODELS:-$src/../shared/models}
missing_models=()
for f in stories260K.bin tok512.bin tinystories_val.txt; do
  [ -f "$models_dir/$f" ] || missing_models+=("$f")
done
if [ ${#missing_models[@]} -eq 0 ]; then
  export SAFFIRE_MODELS=$models_dir
  for engine in cpu array; do
    out=$("$saffire" eval --precision w8a8 --paragraphs 3 --ber 1e-3 --bit-range 0-29 --rows 8 --cols 8 \
          --engine "$engine" --json) || fail "eval --ber on $engine failed"
    for key in '"faults"' '"ppl_clean"' '"ppl_delta"' '"top1_agreement"' '"outcome"'; do
      grep -q "$key" <<<"$out" || fail "eval --json lacks $key: $out"
    done
    sed -E 's/.*"ppl":([^,]*),.*"top1_agreement":([^,]*),.*/\1 \2/' <<<"$out" >"$work/eval_$engine.txt"
  done
  cmp -s "$work/eval_cpu.txt" "$work/eval_array.txt" || fail "cpu and array faulty evals differ"
  # --protocol wikitext: the whole text tokenized once, windows of --ctx every --stride tokens. Scored tokens
  # follow the closed form (stride < ctx: all but the first token; stride = ctx: all but each window's first);
  # with faults the cpu and array engines agree exactly.
  head -c 1500 "$models_dir/tinystories_val.txt" >"$work/wiki_small.txt"
  wikitext_counts() {  # prints "text_tokens windows tokens_scored stride"
    "$saffire" eval --protocol wikitext --text "$work/wiki_small.txt" --json "$@" | /usr/bin/python3 -c \
      'import json,sys; d=json.load(sys.stdin); print(d["text_tokens"], d["windows"], d["tokens_scored"], d["stride"])'
  }
  read -r n w scored stride <<<"$(wikitext_counts --ctx 64 --stride 24)"
  [ -n "$n" ] && [ "$w" -eq $((1 + (n - 64 + 23) / 24)) ] && [ "$scored" -eq $((n - 1)) ] && [ "$stride" -eq 24 ] \
    || fail "eval --protocol wikitext --ctx 64 --stride 24: $n tokens, $w windows, $scored scored"
  read -r n w scored stride <<<"$(wikitext_counts --ctx 64)"
  [ -n "$n" ] && [ "$w" -eq $(((n + 63) / 64)) ] && [ "$scored" -eq $((n - w)) ] && [ "$stride" -eq 64 ] \
    || fail "eval --protocol wikitext --ctx 64 (stride = ctx): $n tokens, $w windows, $scored scored"
  for engine in cpu array; do
    "$saffire" eval --protocol wikitext --text "$work/wiki_small.txt" --ctx 96 --stride 48 --precision w8a8 \
      --ber 1e-3 --bit-range 0-29 --rows 8 --cols 8 --engine "$engine" --json |
      /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["faults"], d["ppl"], d["top1_agreement"], d["windows"])' \
      >"$work/wikitext_$engine.txt" || fail "eval --protocol wikitext --ber on $engine failed"
  done
  cmp -s "$work/wikitext_cpu.txt" "$work/wikitext_array.txt" \
    || fail "cpu and array faulty wikitext evals differ: $(cat "$work"/wikitext_*.txt)"
  grep -qE '^[1-9]' "$work/wikitext_cpu.txt" || fail "eval --protocol wikitext --ber 1e-3 injected no fault"
  expect_exit 2 "\-\-ctx" -- "$saffire" eval --protocol wikitext --text "$work/wiki_small.txt" --ctx 0
  expect_exit 2 "\-\-ctx 600 exceeds the model's context of 512" -- \
    "$saffire" eval --protocol wikitext --text "$work/wiki_small.txt" --ctx 600
  expect_exit 2 "\-\-stride" -- "$saffire" eval --protocol wikitext --text "$work/wiki_small.txt" --ctx 64 --stride 0
  expect_exit 2 "\-\-stride 65 exceeds \-\-ctx 64" -- \
    "$saffire" eval --protocol wikitext --text "$work/wiki_small.txt" --ctx 64 --stride 65
  expect_exit 2 "\-\-stride belongs to \-\-protocol wikitext" -- "$saffire" eval --stride 32
  expect_exit 2 "\-\-paragraphs belongs to \-\-protocol paragraphs" -- \
    "$saffire" eval --protocol wikitext --text "$work/wiki_small.txt" --paragraphs 3
  expect_exit 2 "\-\-protocol" -- "$saffire" eval --protocol lambada
  # A config with floating-point PEs cannot run the model's INT8 GEMMs (eval, generate): exit 2 naming the key.
  printf '[arch]\noperand_type = "bf16"\n' >"$work/bf16.toml"
  expect_exit 2 "arch.operand_type: eval runs the model's INT8" -- \
    "$saffire" eval --precision w8a8 --paragraphs 1 --config "$work/bf16.toml"
  expect_exit 2 "arch.operand_type: generate runs" -- \
    "$saffire" generate --precision w8a8 --steps 2 --config "$work/bf16.toml"
  # --precision bf16: every GEMM on bf16 x bf16 -> fp32 PEs; the PPL stays within 0.5 % of FP32's (measured on
  # 20 paragraphs: 3.97474 vs 3.97424), cpu and array engines of the same array give the same PPL bits.
  fp32_ppl=$("$saffire" eval --paragraphs 20 --json | sed -E 's/.*"ppl":([^,]*),.*/\1/')
  for engine in cpu array; do
    out=$("$saffire" eval --precision bf16 --engine $engine --rows 16 --cols 16 --paragraphs 20 --json) \
      || fail "eval --precision bf16 --engine $engine failed"
    grep -q '"pes":"bf16 x bf16 -> fp32' <<<"$out" || fail "eval bf16: PE description missing: $out"
    sed -E 's/.*"ppl":([^,]*),.*/\1/' <<<"$out" >"$work/bf16_$engine.txt"
  done
  cmp -s "$work/bf16_cpu.txt" "$work/bf16_array.txt" || fail "cpu and array bf16 evals differ"
  awk -v a="$fp32_ppl" -v b="$(cat "$work/bf16_cpu.txt")" 'BEGIN { d = (b - a) / a; exit !(d < 0.005 && d > -0.005) }' \
    || fail "bf16 PPL $(cat "$work/bf16_cpu.txt") not within 0.5 % of FP32's $fp32_ppl"
  "$saffire" generate --precision fp8 --steps 8 --int16-qkv --compensated >/dev/null || fail "generate fp8 with mitigations failed"
  # generate --json: tokens (BOS + 4 prompt tokens + 7 generated for --steps 11) and the array's work per
  # component over 7 passes (the prompt's prefill, 6 decodes: the last token is not fed back); compensated GEMMs
  # are three array GEMMs each: 5 layers x 7 projections x 7 passes x 3, plus the INT16 attention products
  # (5 layers x 8 heads x 2 x 7 passes).
  out=$("$saffire" generate --json --precision bf16 --engine array --steps 11 --int16-qkv --compensated) \
    || fail "generate --json failed"
  /usr/bin/python3 -c '
import json, sys
j = json.loads(sys.argv[1])
assert len(j["tokens"]) == 12 and j["prompt_tokens"] == 5, j["tokens"]
assert j["array_gemms"] == 5 * 7 * 7 * 3 + 5 * 8 * 2 * 7, j["array_gemms"]
assert j["array_components"]["qk"]["gemms"] == 5 * 8 * 7 and j["array_components"]["q"]["gemms"] == 5 * 7 * 3
' "$out" || fail "generate --json: unexpected report: $out"
  # Bad input: an unknown precision, fp8 with an INT32 accumulator, a contradicting operand type, mitigations
  # without floating-point PEs, the INT8-only cuda engine.
  expect_exit 2 "--precision: fp9 not in" -- "$saffire" eval --precision fp9 --paragraphs 1
  expect_exit 2 "--accumulator-type (arch.accumulator_type): fp8-e4m3 operands need a floating-point accumulator" -- \
    "$saffire" eval --precision fp8 --accumulator-type int32 --paragraphs 1
  expect_exit 2 "--accumulator-type (arch.accumulator_type)" -- \
    "$saffire" generate --precision fp8-e5m2 --accumulator-type int32 --steps 2
  expect_exit 2 "--operand-type fp16 contradicts --precision bf16" -- \
    "$saffire" eval --precision bf16 --operand-type fp16 --paragraphs 1
  printf '[arch]\noperand_type = "fp16"\n' >"$work/fp16.toml"
  expect_exit 2 "arch.operand_type = fp16 contradicts --precision bf16" -- \
    "$saffire" eval --precision bf16 --config "$work/fp16.toml" --paragraphs 1
  expect_exit 2 "--compensated: HEAL's mitigations need floating-point PEs" -- \
    "$saffire" eval --precision w8a8 --compensated --paragraphs 1
  expect_exit 2 "--int16-qkv: HEAL's mitigations need floating-point PEs" -- \
    "$saffire" generate --int16-qkv --steps 2
  expect_exit 2 "--engine cuda: floating-point PEs" -- "$saffire" eval --precision fp16 --engine cuda --paragraphs 1
  # --trace: one /faults row per injected fault, readable by h5py.
  out=$("$saffire" eval --precision w8a8 --paragraphs 2 --ber 1e-3 --trace "$work/faults.h5" --json) \
    || fail "eval --trace failed"
  [ -s "$work/faults.h5" ] || fail "eval --trace did not write $work/faults.h5"
  if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    faults=$(sed -E 's/.*"faults":([0-9]+).*/\1/' <<<"$out")
    /usr/bin/python3 - "$work/faults.h5" "$faults" <<'PY' || fail "eval --trace: faults.h5 wrong"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["schema_version"] >= 2, f.attrs["schema_version"]
    cmd = f.attrs["command"]
    assert (cmd.decode() if isinstance(cmd, bytes) else cmd) == "eval", cmd
    t = f["faults"][()]
    assert len(t) > 0 and len(t) == int(sys.argv[2]), (len(t), sys.argv[2])
    assert all(int(r["delta"]) == int(r["after"]) - int(r["before"]) for r in t)
    assert all(0 <= int(r["bit"]) <= 31 and int(r["pe_row"]) >= 0 and int(r["cycle"]) >= 0 for r in t)
PY
    /usr/bin/python3 "$src/traces/python/saffire_traces.py" --check "$work/faults.h5" >/dev/null \
      || fail "saffire_traces.py --check rejects faults.h5"
  fi
  expect_exit 2 "needs one" -- "$saffire" eval --precision w8a8 --trace "$work/nofaults.h5"
  # timing model: PE timing errors at 0.6 V; cpu and array engines find the same ones.
  for engine in cpu array; do
    out=$("$saffire" eval --precision w8a8 --paragraphs 2 --fault-model timing --voltage 0.6 --rows 8 --cols 8 \
          --engine "$engine" --json) || fail "eval --fault-model timing on $engine failed"
    sed -E 's/.*"faults":([0-9]+).*"ppl":([^,]*),.*/\1 \2/' <<<"$out" >"$work/timing_$engine.txt"
  done
  cmp -s "$work/timing_cpu.txt" "$work/timing_array.txt" || fail "cpu and array timing evals differ"
  # SRAM errors (--sram-voltage): the same stored-word faults and PPL on cpu and on the array (PE level).
  for engine in cpu array; do
    "$saffire" eval --precision w8a8 --paragraphs 2 --sram-voltage 0.52 --rows 8 --cols 8 --engine "$engine" \
      --fidelity pe --json | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["sram_faults"]["words"], d["sram_faults"]["bits"], repr(d["ppl"]))' \
      >"$work/sram_$engine.txt" || fail "eval --sram-voltage on $engine failed"
  done
  cmp -s "$work/sram_cpu.txt" "$work/sram_array.txt" || fail "cpu and array SRAM-fault evals differ: $(cat "$work"/sram_*.txt)"
  grep -qE '^[1-9][0-9]* ' "$work/sram_cpu.txt" || fail "eval --sram-voltage 0.52 injected no SRAM fault: $(cat "$work/sram_cpu.txt")"
  # ABFT sees SRAM errors only with checksums computed before the SRAM.
  sram_flagged() {
    "$saffire" eval --precision w8a8 --paragraphs 1 --sram-voltage 0.55 --abft classic --json "$@" \
      | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["abft"]["flagged"], d["ppl_delta"])'
  }
  read -r flagged _ <<<"$(sram_flagged)"
  [ "$flagged" = 0 ] || fail "classic ABFT from the SRAM copy flagged SRAM errors: $flagged"
  read -r flagged delta <<<"$(sram_flagged --checksums-from before-sram)"
  [ "$flagged" != 0 ] && [ "$delta" = "0.0" ] || fail "classic ABFT before the SRAM should flag and repair: $flagged $delta"
  expect_exit 2 "--sram-voltage" -- "$saffire" eval --precision w8a8 --paragraphs 1 --sram-voltage 0.2
  printf 'voltage,probability\n0.5,1e-3\n0.6,2\n' >"$work/sram_bad.csv"
  expect_exit 2 "sram_bad.csv:3: probability" -- "$saffire" eval --precision w8a8 --paragraphs 1 --sram-voltage 0.55 \
    --sram-failure-table "$work/sram_bad.csv"
  printf 'voltage,probability\n0.5,1e-3\n0.6,1e-6\n' >"$work/sram_ok.csv"
  expect_exit 2 "outside the table" -- "$saffire" eval --precision w8a8 --paragraphs 1 --sram-voltage 0.7 \
    --sram-failure-table "$work/sram_ok.csv"
  printf '[memory]\nsram_voltage = 0.55\nsram_vmin_sigma = 0\n' >"$work/sram_sigma.toml"
  expect_exit 2 "sram_sigma.toml:3: memory.sram_vmin_sigma" -- "$saffire" eval --precision w8a8 --paragraphs 1 \
    --config "$work/sram_sigma.toml"
  grep -qE '^[1-9][0-9]* ' "$work/timing_cpu.txt" || fail "timing model at 0.6 V injected no fault: $(cat "$work/timing_cpu.txt")"
  out=$("$saffire" eval --precision w8a8 --paragraphs 2 --fault-model timing --json) || fail "eval timing at nominal failed"
  grep -q '"faults":0' <<<"$out" || fail "timing model at nominal voltage injected faults: $out"
  # eval agrees with topology on what nominal is: at --voltage = v_nominal no timing error and no energy
  # saving, whatever the nominal; below it, a saving; the supply, nominal and clock are in the JSON once.
  eval_nominal() {  # prints "faults voltage v_nominal clock_ghz compute_saving energy_saving"
    "$saffire" eval --precision w8a8 --paragraphs 2 --fault-model timing --abft none --json "$@" \
      | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["faults"], d["voltage"], d["v_nominal"], d["clock_ghz"], d["abft"]["compute_saving"], d["abft"]["energy_saving"])'
  }
  out=$(eval_nominal --voltage 0.9) || fail "eval --voltage 0.9 failed"
  [ "$out" = "0 0.9 0.9 1.0 0.0 0.0" ] || fail "eval at the default nominal: expected no faults and no saving: $out"
  out=$(eval_nominal --v-nominal 0.8 --voltage 0.8) || fail "eval --v-nominal 0.8 --voltage 0.8 failed"
  [ "$out" = "0 0.8 0.8 1.0 0.0 0.0" ] || fail "eval at --v-nominal 0.8: expected no faults and no saving: $out"
  out=$(eval_nominal --config "$work/nominal.toml") || fail "eval --config nominal.toml failed"
  [ "$out" = "0 0.8 0.8 2.0 0.0 0.0" ] || fail "eval with [arch] v_nominal = 0.8 and no --voltage runs at the nominal: $out"
  read -r _ _ _ _ csaving saving <<<"$(eval_nominal --voltage 0.8)"
  # The array saves about 1 - (0.8/0.9)^2; the whole saves less, the memory keeping its supplies.
  /usr/bin/python3 -c 'import sys; c, s = map(float, sys.argv[1:]); assert abs(c - (1 - (0.8/0.9)**2)) < 0.02 and 0 < s < c, (c, s)' "$csaving" "$saving" \
    || fail "eval --voltage 0.8 against the 0.9 V nominal: the array should save about 1 - (0.8/0.9)^2, the whole less: $csaving $saving"
  expect_exit 2 "old_nominal.toml:6: voltage.v_nominal: moved" -- \
    "$saffire" eval --precision w8a8 --paragraphs 1 --fault-model timing --config "$work/old_nominal.toml"
  expect_exit 2 "tech.v_nominal: renamed" -- \
    "$saffire" eval --precision w8a8 --paragraphs 1 --ber 1e-4 --abft classic --tech "$work/old_tech.toml"
  # table model: a user's per-bit table, interpolated at --voltage.
  printf 'voltage,bit,probability\n0.7,20,1e-4\n0.6,20,1e-2\n' >"$work/chip.csv"
  out=$("$saffire" eval --precision w8a8 --paragraphs 2 --fault-model table --fault-table "$work/chip.csv" --voltage 0.65 \
        --json) || fail "eval --fault-model table failed"
  grep -qE '"faults":[1-9]' <<<"$out" || fail "table model injected no fault: $out"
  expect_exit 2 "outside the table" -- "$saffire" eval --precision w8a8 --fault-model table --fault-table "$work/chip.csv" --voltage 0.9
  expect_exit 2 "needs --fault-table" -- "$saffire" eval --precision w8a8 --fault-model table --voltage 0.65
  expect_exit 2 "bad.csv:1" -- "$saffire" eval --precision w8a8 --fault-model table --fault-table "$work/bad.csv" --voltage 0.65
  expect_exit 2 "belongs\? to --fault-model bitflip" -- "$saffire" eval --precision w8a8 --fault-model timing --ber 1e-3
  expect_exit 2 "voltage.v" -- "$saffire" eval --precision w8a8 --fault-model timing --voltage 0.2
  # ABFT: classic with recovery at nominal voltage restores the clean perplexity exactly.
  out=$("$saffire" eval --precision w8a8 --paragraphs 2 --ber 1e-3 --abft classic --json) || fail "eval --abft classic failed"
  for key in '"abft"' '"recompute_rate"' '"energy_per_token_pj"' '"energy_saving"'; do
    grep -q "$key" <<<"$out" || fail "eval --abft --json lacks $key: $out"
  done
  /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ppl"] == d["ppl_clean"] and d["faults"] > 0 and d["abft"]["recomputed"] > 0, d' "$out" \
    || fail "eval --abft classic did not restore the clean PPL: $out"
  expect_exit 2 "needs one" -- "$saffire" eval --precision w8a8 --abft classic
  # --trace with --abft: one /abft row per decision, as many recomputes as the JSON reports.
  out=$("$saffire" eval --precision w8a8 --paragraphs 2 --ber 1e-3 --abft statistical --trace "$work/abft.h5" --json) \
    || fail "eval --abft --trace failed"
  if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    /usr/bin/python3 - "$work/abft.h5" "$out" <<'PY' || fail "eval --abft --trace: /abft table wrong"
import json, sys, h5py
d = json.loads(sys.argv[2])["abft"]
with h5py.File(sys.argv[1], "r") as f:
    t = f["abft"][()]
    assert len(t) == d["scopes"], (len(t), d)  # every GEMM is targeted: one decision per scope
    actions = [a.decode() if isinstance(a, bytes) else a for a in t["action"]]
    assert actions.count("recompute") == d["recomputed"], (actions.count("recompute"), d)
    assert all((a.decode() if isinstance(a, bytes) else a) == "statistical" for a in t["scheme"])
PY
  fi
  expect_exit 2 "abft.scheme" -- "$saffire" eval --precision w8a8 --ber 1e-3 --abft razor
  expect_exit 2 "abft.scope" -- "$saffire" eval --precision w8a8 --ber 1e-3 --abft classic --abft-scope layer
  expect_exit 2 "need --precision w8a8 or floating-point PEs" -- "$saffire" eval --precision fp32 --ber 1e-3
  expect_exit 2 "need --precision w8a8 or floating-point PEs" -- "$saffire" generate --ber 1e-3 --steps 2
  # Campaigns on floating-point PEs: the same faults and faulty PPL on cpu and array (2 threads), the W8A8
  # report's fields; fp32 mantissa flips (bit 20) change the PPL a little, the timing model on the FP adder too.
  for engine in cpu array; do
    out=$("$saffire" eval --precision bf16 --engine $engine --threads 2 --rows 16 --cols 16 --paragraphs 3 \
          --ber 1e-3 --bit 20 --json) || fail "eval --precision bf16 --ber --engine $engine failed"
    /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["faults"] > 100 and d["outcome"] in ("sdc", "masked") and d["ppl_clean"] > 0, d
assert "realm clamp n/a" in d["campaign"] and d["clamped"] == 0 and d["voltage"] == d["v_nominal"], d
print(d["faults"], repr(d["ppl"]), repr(d["ppl_clean"]))' "$out" >"$work/fp_campaign_$engine.txt" \
      || fail "eval bf16 campaign: unexpected report: $out"
  done
  cmp -s "$work/fp_campaign_cpu.txt" "$work/fp_campaign_array.txt" || fail "bf16 campaigns differ on cpu and array"
  for engine in cpu array; do
    out=$("$saffire" eval --precision fp16 --engine $engine --rows 8 --cols 8 --paragraphs 1 --ctx 24 \
          --fault-model timing --voltage 0.55 --json) || fail "eval --precision fp16 --fault-model timing failed"
    /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["faults"] > 0 and d["voltage"] == 0.55, d
print(d["faults"], repr(d["ppl"]))' "$out" >"$work/fp_timing_$engine.txt" || fail "eval fp16 timing: unexpected report: $out"
  done
  cmp -s "$work/fp_timing_cpu.txt" "$work/fp_timing_array.txt" || fail "fp16 timing campaigns differ on cpu and array"
  for engine in cpu array; do
    "$saffire" generate --precision bf16 --engine $engine --steps 16 --ber 2e-3 --bit 24 --json \
      | sed -E 's/.*"faults":([0-9]+).*"tokens":(\[[^]]*\]).*/\1 \2/' >"$work/fp_generate_$engine.txt" \
      || fail "generate --precision bf16 --ber --engine $engine failed"
  done
  cmp -s "$work/fp_generate_cpu.txt" "$work/fp_generate_array.txt" || fail "bf16 generate campaigns differ on cpu and array"
  # --abft on floating-point PEs: checksums with a rounding tolerance; every top-exponent flip of the fp32
  # accumulator is caught by classic at c = 1 and recomputed, so the faulty PPL is the clean one (cpu == array);
  # the statistical policy (ReaLM's INT32 constants in units of u sum |x||w|) runs on the same faults and scopes.
  for engine in cpu array; do
    for scheme in classic statistical; do
      "$saffire" eval --precision bf16 --engine $engine --rows 16 --cols 16 --paragraphs 2 --ber 1e-3 --abft $scheme \
        --abft-scope tile --json >"$work/fp_abft_${scheme}_$engine.json" || fail "eval bf16 --abft $scheme failed"
    done
    /usr/bin/python3 - "$work/fp_abft_classic_$engine.json" "$work/fp_abft_statistical_$engine.json" <<'PY' \
      || fail "eval bf16 --abft on $engine: unexpected report"
import json, sys
c, s = (json.load(open(p)) for p in sys.argv[1:])
a = c["abft"]
assert c["faults"] > 100 and c["outcome"] == "masked" and c["ppl"] == c["ppl_clean"], c
assert a["scheme"] == "classic" and 0 < a["flagged"] == a["recomputed"] == a["nominal_fallbacks"] <= a["scopes"], a
assert "energy_pj" not in a, a  # arch/tech prices INT8 PEs only
assert s["abft"]["scheme"] == "statistical" and s["abft"]["scopes"] == a["scopes"] and s["faults"] == c["faults"], s
PY
  done
  cmp -s "$work/fp_abft_classic_cpu.json" "$work/fp_abft_classic_array.json" 2>/dev/null \
    || /usr/bin/python3 -c '
import json, sys
c, a = (json.load(open(p)) for p in sys.argv[1:])
assert c["ppl"] == a["ppl"] and c["faults"] == a["faults"] and c["abft"]["flagged"] == a["abft"]["flagged"], (c, a)' \
      "$work/fp_abft_classic_cpu.json" "$work/fp_abft_classic_array.json" || fail "bf16 --abft classic differs on cpu and array"
  expect_exit 2 "abft.scheme: 'dmr' has no floating-point form" -- \
    "$saffire" eval --precision bf16 --ber 1e-3 --abft dmr --paragraphs 1
  # --memory with floating-point PEs: the array's folds wait for 2-byte bf16 / 1-byte fp8 operand words and 4-byte
  # fp32 outputs; halving the operand words lowers stalls and DRAM energy (4 kB scratchpads, 2 words per cycle).
  for p in bf16 fp8; do
    "$saffire" eval --precision $p --engine array --paragraphs 2 --memory scalesim --sram-kb 4,4,4 --bandwidth 2 \
      --json >"$work/fp_memory_$p.json" || fail "eval --precision $p --memory scalesim failed"
  done
  /usr/bin/python3 - "$work/fp_memory_bf16.json" "$work/fp_memory_fp8.json" <<'PY' || fail "eval --memory on floating-point PEs: unexpected report"
import json, sys
b, f = (json.load(open(p)) for p in sys.argv[1:])
for d in (b, f):
    m = d["memory"]
    assert m["model"] == "scalesim" and m["stall_cycles"] > 0 and m["stall_cycles"] == d["array_stall_cycles"], d
    assert m["total_cycles"] == m["compute_cycles"] + m["stall_cycles"] and m["compute_cycles"] == d["array_cycles"], d
assert b["memory"]["compute_cycles"] == f["memory"]["compute_cycles"], (b, f)
assert f["memory"]["stall_cycles"] < b["memory"]["stall_cycles"], (b, f)
assert f["memory"]["dram_energy_pj"] < b["memory"]["dram_energy_pj"], (b, f)
PY
  printf '[memory]\nmodel = "scalesim"\ninput_word_bytes = 1\n' >"$work/int8_words.toml"
  expect_exit 2 "memory.input_word_bytes: bf16 words are 2 bytes under --precision bf16, not 1" -- \
    "$saffire" eval --precision bf16 --paragraphs 1 --config "$work/int8_words.toml"
  # What floating-point PEs do not take: stuck-at bits, SRAM errors, HEAL's mitigations in a campaign.
  expect_exit 2 "--fault-model stuck-at: stuck bits of INT32 accumulators" -- \
    "$saffire" eval --precision bf16 --fault-model stuck-at --stuck-fraction 0.1 --paragraphs 1
  expect_exit 2 "--sram-voltage" -- "$saffire" eval --precision fp8 --sram-voltage 0.5 --paragraphs 1
  expect_exit 2 "--compensated: a fault campaign" -- "$saffire" eval --precision bf16 --ber 1e-3 --compensated --paragraphs 1
  expect_exit 2 "--int16-qkv: a fault campaign" -- "$saffire" generate --precision bf16 --ber 1e-3 --int16-qkv --steps 2
  expect_exit 2 "bit 16 is not a bit of the bf16 accumulator" -- \
    "$saffire" eval --precision bf16 --accumulator-type bf16 --ber 1e-3 --bit 16 --paragraphs 1
  expect_exit 2 "--components" -- "$saffire" eval --precision w8a8 --ber 1e-3 --components q,x
  expect_exit 2 "bit" -- "$saffire" eval --precision w8a8 --ber 1e-3 --bit 40
  # calibrate: a 3x3 (log2 MSD, log2 freq) grid of O; the fitted TOML loads as an --abft-config.
  out=$("$saffire" calibrate --component o --msd-from 16 --msd-to 24 --msd-step 4 --freq-to 2 --paragraphs 2 \
        --out "$work/cal.toml" --points "$work/cal.csv" --json) || fail "calibrate failed"
  /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["fit"]["ok"] and len(d["points"]) == 9 and d["counts"]["critical"] > 0, d' "$out" \
    || fail "calibrate --json: $out"
  [ "$(wc -l <"$work/cal.csv")" -eq 10 ] || fail "calibrate --points: expected 9 rows in $work/cal.csv"
  grep -q '^\[abft.component.o\]' "$work/cal.toml" || fail "calibrate --out lacks [abft.component.o]"
  "$saffire" eval --precision w8a8 --paragraphs 1 --ber 1e-4 --abft-config "$work/cal.toml" --json >/dev/null \
    || fail "eval --abft-config rejects calibrate's TOML"
  expect_exit 2 "--component" -- "$saffire" calibrate --component x
fi

if [ "$failures" -ne 0 ]; then
  echo "cli_test: $failures failure(s)"
  exit 1
fi
if [ ${#missing_models[@]} -ne 0 ]; then
  echo "SKIPPED: cli_test: the model checks (eval, eval --trace, timing and table fault models, ABFT," \
       "calibrate) did not run: ${missing_models[*]} not in $models_dir (set SAFFIRE_MODELS)." \
       "The checks that need no model passed."
  exit 77
fi
echo "cli_test: all checks ran, 0 failures"
