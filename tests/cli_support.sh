# Sourced by the end-to-end shell tests: the failure counter, exit-code checks and the model files.
# fail MESSAGE: counts a failed check (the script exits 1 at its end when any failed).
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_exit CODE PATTERN -- command...: exit code and a stderr/stdout fragment.
expect_exit() {
  local code=$1 pattern=$2; shift 3
  local out; out=$("$@" 2>&1); local got=$?
  [ "$got" -eq "$code" ] || fail "expected exit $code, got $got: $* -> $out"
  [ -z "$pattern" ] || grep -q -- "$pattern" <<<"$out" || fail "expected '$pattern' in output of: $* -> $out"
}

# require_models NAME SOURCE_DIR: sets `models` ($SAFFIRE_MODELS, else SOURCE_DIR/../shared/models) and exits 77
# (CTest: skipped) naming the script when stories260K, tok512 or the TinyStories text is absent.
require_models() {
  models=${SAFFIRE_MODELS:-$2/../shared/models}
  local f
  for f in stories260K.bin tok512.bin tinystories_val.txt; do
    [ -f "$models/$f" ] || { echo "$1: $models/$f is absent: skipped"; exit 77; }
  done
}
