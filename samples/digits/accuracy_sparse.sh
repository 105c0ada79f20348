#!/bin/sh
# Test-set accuracy of the generated C for the digits sample under pruning:
# magnitude pruning per layer at each sparsity of SPARSITIES, and scnnc's
# automatic pruning (--prune auto) at each error bound of MAX_ERRORS, with
# the three inputs of test_data_set_0..2 as the samples it checks against.
# Each build is the C scnnc writes by default (--sparse auto) compiled with
# classify.c, as run.sh does; each classifies the 360 held-out images.
#
# usage: accuracy_sparse.sh BUILD_DIR [WORK_DIR]   (WORK_DIR: a temporary folder by default)
# environment:
#   SPARSITIES="0 0.5 0.8 0.9 0.95"   --prune values
#   MAX_ERRORS="0.5 1 2 4 8"          --max-error values for --prune auto
#                                     (absolute, on logits of magnitude ~10)
# Prints a markdown table: pruning, sparsity of each of the three layers and
# of all weights, the kernels chosen, accuracy and its change from the
# unpruned model. Exit 0 if every build compiled and ran, 1 otherwise.
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [WORK_DIR]" >&2
    exit 2
fi
build=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ge 2 ]; then
    work=$2
    mkdir -p "$work"
else
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
fi
CC=${CC:-cc}
sparsities=${SPARSITIES:-"0 0.5 0.8 0.9 0.95"}
max_errors=${MAX_ERRORS:-"0.5 1 2 4 8"}
status=0
base=""

# layers JSON: "s1/s2/s3% | total% | kernels": per-layer sparsity, overall, kernel kinds.
layers() {
    /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
w = [l for l in r["layers"] if l["weight_count"] > 0]
per = "/".join("%.0f" % (100 * (1 - l["weight_nonzeros"] / l["weight_count"])) for l in w)
kinds = "/".join("sparse" if l["kernel"].startswith("sparse") else "dense" for l in w)
t = r["totals"]
print("%s%% | %.1f%% | %s" % (per, 100 * (1 - t["weight_nonzeros"] / t["weight_count"]), kinds))' "$1"
}

# run LABEL SCNNC_OPTIONS...: compiles, classifies, prints one table row.
run() {
    label=$1; shift
    if ! "$build/scnnc" "$here/digits.onnx" -o "$work/digits.c" --report "$work/report.json" \
        --report-format json "$@" >"$work/scnnc.log" 2>&1; then
        echo "| $label | scnnc failed: $(tail -1 "$work/scnnc.log") | | | | |"; status=1; return
    fi
    $CC -std=c99 -O2 -Wall -Wextra -pedantic -Werror -I"$work" \
        "$here/classify.c" "$work/digits.c" -o "$work/classify" -lm
    result=$("$work/classify" "$here/test_images.bin" "$here/test_labels.bin") || { status=1; return; }
    acc=$(echo "$result" | sed -n 's/^accuracy: \([0-9.]*\)%.*/\1/p')
    [ -n "$base" ] || base=$acc
    delta=$(awk -v a="$acc" -v b="$base" 'BEGIN { printf "%+.2f", a - b }')
    echo "| $label | $(layers "$work/report.json") | $acc% | $delta |"
}

echo "digits: 3 layers (Conv 72, Conv 1152, Gemm 2560 weights); 360 test images; PyTorch accuracy $(cat "$here/accuracy.txt")%"
echo
echo "| pruning | layer sparsity (conv1/conv2/fc) | all weights | kernels | accuracy | change |"
echo "|---|---:|---:|---|---:|---:|"
for s in $sparsities; do
    run "--prune $s" --prune "$s"
done
for e in $max_errors; do
    run "--prune auto --max-error $e" --prune auto --max-error "$e" --data "$here"
done
exit $status
