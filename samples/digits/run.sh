#!/bin/sh
# Compiles digits.onnx with scnnc, builds classify.c against the generated C
# with strict warnings, classifies the 360 held-out test images and compares
# the accuracy with PyTorch's (accuracy.txt, written by make_digits.py).
# Exit 0 if scnnc's C is at most 1 point below PyTorch, 1 otherwise.
# usage: run.sh BUILD_DIR [WORK_DIR]     (WORK_DIR defaults to a temporary folder)
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

"$build/scnnc" "$here/digits.onnx" -o "$work/digits.c"
$CC -std=c99 -O2 -Wall -Wextra -pedantic -Werror -I"$work" \
    "$here/classify.c" "$work/digits.c" -o "$work/classify" -lm
result=$("$work/classify" "$here/test_images.bin" "$here/test_labels.bin")
echo "scnnc   $result"
want=$(cat "$here/accuracy.txt")
echo "PyTorch accuracy: $want%"
got=$(echo "$result" | sed -n 's/^accuracy: \([0-9.]*\)%.*/\1/p')
if awk -v g="$got" -v w="$want" 'BEGIN { exit !(g != "" && g + 1.0 >= w) }'; then
    echo "PASS"
else
    echo "FAIL: accuracy $got% is more than 1 point below PyTorch's $want%"
    exit 1
fi
