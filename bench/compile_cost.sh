#!/bin/sh
# Compile-cost benchmark: what it takes to build scnnc's output for each model.
# For the weights embedded in the C (default) and for --weights-file (weights
# in a separate binary blob): scnnc's own time and peak memory, the size of
# the C, and each C compiler's wall time and peak memory compiling it to an
# object file (one translation unit: one core).
#
# usage: sh bench/compile_cost.sh BUILD_DIR ZOO_DIR [MODEL...]
#   ZOO_DIR holds ZOO_DIR/MODEL/model.onnx (samples/zoo/make_torchvision.py)
#   or ZOO_DIR/MODEL.onnx; MODELs default to: resnet18 resnet50 mobilenet_v2
# environment:
#   CCS="gcc clang"     compilers
#   COMPILE_FLAGS=-O2   their flags (plus -std=c99 -c)
#   BENCH_WORK=/tmp/scnnc-compile  scratch folder
# Peak memory is GNU time's maximum resident set size of the compiler and
# the processes it starts (cc1, as). Prints a markdown table.
# Needs: /usr/bin/time (Debian package time).
set -eu
[ $# -ge 2 ] || { sed -n '8,14p' "$0" >&2; exit 2; }
build=$(cd "$1" && pwd)
zoo=$(cd "$2" && pwd)
shift 2
models=${*:-"resnet18 resnet50 mobilenet_v2"}
ccs=${CCS:-gcc clang}
flags=${COMPILE_FLAGS:--O2}
work=${BENCH_WORK:-/tmp/scnnc-compile}
mkdir -p "$work"
status=0

# measure OUT_FILE CMD...: runs CMD under GNU time, leaves "seconds peak_MB" in OUT_FILE.
measure() {
    out=$1; shift
    if /usr/bin/time -f "%e %M" -o "$out.raw" "$@" >"$out.log" 2>&1; then
        awk '{ printf "%.1f %d\n", $1, $2 / 1024 }' "$out.raw" >"$out"
    else
        echo "failed failed" >"$out"; status=1
    fi
}
# size FILE: its size in MB (MiB), or in KB (KiB) under 1 MB.
size() { awk -v b="$(wc -c <"$1")" 'BEGIN { if (b < 1048576) printf "%.0f KB", b / 1024; else printf "%.1f MB", b / 1048576 }'; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for cc in $ccs; do echo "$cc: $($cc --version | head -1)"; done
echo "flags: $flags -std=c99 -c"
echo
head="| model | weights | scnnc (s / MB) | C size | blob size |"
rule="|---|---|---:|---:|---:|"
for cc in $ccs; do head="$head $cc $flags (s) | $cc peak (MB) |"; rule="$rule---:|---:|"; done
echo "$head"
echo "$rule"
for m in $models; do
    onnx="$zoo/$m/model.onnx"
    [ -f "$onnx" ] || onnx="$zoo/$m.onnx"
    w="$work/$m"
    rm -rf "$w"; mkdir -p "$w"
    for variant in embedded file; do
        extra=""
        [ $variant = file ] && extra="--weights-file $w/$variant.bin"
        # shellcheck disable=SC2086 # extra is a word list
        measure "$w/scnnc.$variant" "$build/scnnc" "$onnx" -o "$w/$variant.c" --name model $extra
        if [ ! -f "$w/$variant.c" ]; then
            echo "| $m | $variant | scnnc failed: $(grep -m1 "node '" "$w/scnnc.$variant.log" || tail -1 "$w/scnnc.$variant.log") |"
            continue
        fi
        blob="-"
        [ $variant = file ] && blob=$(size "$w/$variant.bin")
        row="| $m | $variant | $(tr ' ' / <"$w/scnnc.$variant" | sed 's|/| / |') | $(size "$w/$variant.c") | $blob |"
        for cc in $ccs; do
            # shellcheck disable=SC2086 # flags is a word list
            measure "$w/$cc.$variant" $cc $flags -std=c99 -c "$w/$variant.c" -o "$w/$variant.$cc.o"
            row="$row $(sed 's/ / | /' "$w/$cc.$variant") |"
            rm -f "$w/$variant.$cc.o"
        done
        echo "$row"
    done
    rm -f "$w"/*.c "$w"/*.bin
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
