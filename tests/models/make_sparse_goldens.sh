#!/bin/sh
# Developer script: remakes the golden outputs of the --prune 0.9 model tests
# (tests/models/sparse.cmake), which CI runs without node. For
# samples/digits and every samples/zoo/NAME, scnnc prunes the model and
# writes what it compiled (--save-onnx); ONNX Runtime runs that model on the
# committed test_data_set_0 inputs; the inputs and its outputs go to
# DIR/pruned_90/test_data_set_0. A model scnnc refuses gets no folder (and
# so no test); run it again after scnnc learns its operators.
#
# usage: tests/models/make_sparse_goldens.sh BUILD_DIR [NAME...]
#   NAME: digits or a samples/zoo folder name (default: all of them).
# Needs node and bench/node_modules (cd bench && npm install --ignore-scripts).
set -u
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [NAME...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd) || exit 2
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
scnnc=$build/scnnc
flags="--prune 0.9"
if [ ! -x "$scnnc" ]; then
    echo "make_sparse_goldens: no scnnc in $build: build it first" >&2
    exit 2
fi
if ! command -v node > /dev/null || [ ! -d "$root/bench/node_modules/onnxruntime-node" ]; then
    echo "make_sparse_goldens: ONNX Runtime missing: (cd $root/bench && npm install --ignore-scripts)" >&2
    exit 2
fi
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

if [ $# -eq 0 ]; then
    # shellcheck disable=SC2046 # folder names without spaces
    set -- digits $(cd "$root/samples/zoo" && for f in */model.onnx; do [ -f "$f" ] && dirname "$f"; done)
fi

# make_one NAME: prints what it did; returns 1 on failure.
make_one() {
    if [ "$1" = digits ]; then
        dir=$root/samples/digits model=$dir/digits.onnx
    else
        dir=$root/samples/zoo/$1 model=$dir/model.onnx
    fi
    out=$dir/pruned_90/test_data_set_0 w=$work/$1
    mkdir -p "$w" || return 1
    if [ ! -f "$model" ] || ! ls "$dir"/test_data_set_0/input_*.pb > /dev/null 2>&1; then
        echo "FAIL no $model or no inputs in $dir/test_data_set_0"
        return 1
    fi
    # shellcheck disable=SC2086
    "$scnnc" "$model" $flags --save-onnx "$w/saved.onnx" -o "$w/model.c" > "$w/scnnc.log" 2>&1
    st=$?
    if [ $st -eq 1 ] && grep -q "scnnc: error" "$w/scnnc.log"; then
        rm -rf "$dir/pruned_90"
        echo "REFUSED (no test): $(head -c 200 "$w/scnnc.log" | tr '\n' ' ')"
        return 0
    fi
    if [ $st -ne 0 ]; then
        echo "FAIL scnnc exit $st: $(head -c 200 "$w/scnnc.log" | tr '\n' ' ')"
        return 1
    fi
    rm -rf "$dir/pruned_90" && mkdir -p "$out" || return 1
    cp "$dir"/test_data_set_0/input_*.pb "$out/" || return 1
    if ! node "$root/bench/ort/run.js" "$w/saved.onnx" "$out" "$out" > "$w/ort.log" 2>&1; then
        rm -rf "$dir/pruned_90"
        echo "FAIL ONNX Runtime: $(head -c 200 "$w/ort.log" | tr '\n' ' ')"
        return 1
    fi
    echo "wrote $(cd "$out" && echo *.pb) ($(cat "$out"/*.pb | wc -c) bytes)"
}

failed=0
for name in "$@"; do
    line=$(make_one "$name") || failed=$((failed + 1))
    printf '%-22s %s\n' "$name" "$line"
done
[ $failed -eq 0 ]
