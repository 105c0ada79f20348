#!/bin/sh
# --save-onnx against ONNX Runtime: for every model, scnnc writes the
# transformed model, and ONNX Runtime runs the original and the written one
# on the same input; their outputs must match within 1e-4 + 1e-3 * |expected|
# (constant folding and BatchNorm folding round differently). When python3
# has the onnx package, onnx.checker also checks every written model.
#
# usage: tests/models/save_onnx.sh SCNNC WORK_DIR [MODEL.onnx...]
#   Without models: samples/digits/digits.onnx and samples/zoo/*/model.onnx.
#   The input is the model folder's test_data_set_0 when it has one, else
#   seeded random values (float inputs only).
# Exit 0 all matched, 1 some failed, 77 ONNX Runtime (node and
# bench/node_modules: cd bench && npm install --ignore-scripts) is missing.
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 SCNNC WORK_DIR [MODEL.onnx...]" >&2
    exit 2
fi
scnnc=$1 work=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
run_js=$root/bench/ort/run.js
if ! command -v node > /dev/null || [ ! -d "$root/bench/node_modules/onnxruntime-node" ]; then
    echo "save_onnx: SKIPPED: ONNX Runtime is missing (node, bench/node_modules)"
    exit 77
fi
if [ $# -eq 0 ]; then
    set -- "$root/samples/digits/digits.onnx" "$root"/samples/zoo/*/model.onnx
fi
# The first python3 that has onnx (a pyenv shim may hide the system's).
python=""
for p in python3 /usr/bin/python3; do
    if [ -z "$python" ] && "$p" -c "import onnx" > /dev/null 2>&1; then
        python=$p
    fi
done

# compare EXPECTED_DIR GOT_DIR: every output_K.pb of both, element by element.
compare() {
    TP_JS=$root/bench/ort/tensor_proto.js node -e '
const fs = require("fs"), path = require("path");
const tp = require(process.env.TP_JS);
const [want, got] = process.argv.slice(1);
const files = fs.readdirSync(want).filter((f) => /^output_\d+\.pb$/.test(f)).sort();
if (files.length === 0) { console.log("no outputs"); process.exit(1); }
for (const f of files) {
  const a = tp.decode(fs.readFileSync(path.join(want, f)));
  const b = tp.decode(fs.readFileSync(path.join(got, f)));
  if (a.type !== b.type || a.dims.join("x") !== b.dims.join("x")) {
    console.log(`${f}: ${b.type} ${b.dims.join("x")}, expected ${a.type} ${a.dims.join("x")}`);
    process.exit(1);
  }
  for (let i = 0; i < a.data.length; i++) {
    const x = Number(a.data[i]), y = Number(b.data[i]);
    if (!(Math.abs(x - y) <= 1e-4 + 1e-3 * Math.abs(x)) && !(Number.isNaN(x) && Number.isNaN(y))) {
      console.log(`${f}[${i}] = ${y}, expected ${x}`);
      process.exit(1);
    }
  }
}' "$1" "$2"
}

# check_one MODEL NAME: prints the reason and returns 1 on failure.
check_one() {
    w=$work/$2
    rm -rf "$w" && mkdir -p "$w/in" || return 1
    data=$(dirname "$1")/test_data_set_0
    random=""
    if [ -d "$data" ]; then
        cp "$data"/input_*.pb "$w/in/" || return 1
    else
        random="--random 1"
    fi
    if ! "$scnnc" "$1" -o "$w/model.c" --save-onnx "$w/saved.onnx" > "$w/scnnc.log" 2>&1; then
        echo "scnnc failed: $(head -c 300 "$w/scnnc.log")"
        return 1
    fi
    # shellcheck disable=SC2086
    if ! node "$run_js" "$1" "$w/in" "$w/expected" $random > "$w/ort.log" 2>&1; then
        echo "ONNX Runtime failed on the original: $(head -c 300 "$w/ort.log")"
        return 1
    fi
    if ! node "$run_js" "$w/saved.onnx" "$w/in" "$w/got" > "$w/ort.log" 2>&1; then
        echo "ONNX Runtime failed on the saved model: $(head -c 300 "$w/ort.log")"
        return 1
    fi
    compare "$w/expected" "$w/got" || return 1
    if [ -n "$python" ] && ! "$python" -c "import onnx, sys; onnx.checker.check_model(sys.argv[1], full_check=True)" \
            "$w/saved.onnx" > "$w/checker.log" 2>&1; then
        echo "onnx.checker: $(tail -n 3 "$w/checker.log")"
        return 1
    fi
    return 0
}

passed=0 failed=0
for model in "$@"; do
    name=$(basename "$(dirname "$model")")
    if why=$(check_one "$model" "$name"); then
        echo "PASS $name"
        passed=$((passed + 1))
    else
        echo "FAIL $name: $why"
        failed=$((failed + 1))
    fi
done
echo "save_onnx: $passed passed, $failed failed"
[ $failed -eq 0 ]
