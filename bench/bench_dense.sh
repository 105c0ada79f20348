#!/bin/sh
# Dense speed benchmark: for each model, in one run, times ONNX Runtime
# (1 thread, npm onnxruntime-node, bench/ort/run.js) and scnnc's generated C
# on the same seeded input, and checks that the two agree.
#
# usage: sh bench/bench_dense.sh BUILD_DIR ZOO_DIR [MODEL...]
#   BUILD_DIR  a scnnc build (scnnc, libscnnc_core.a, libonnx_proto.a)
#   ZOO_DIR    holds ZOO_DIR/MODEL/model.onnx (samples/zoo/make_torchvision.py)
#              or ZOO_DIR/MODEL.onnx
#   MODELs default to: resnet18 resnet50 mobilenet_v2
# environment:
#   RUNS=10      timed runs per round and engine
#   ROUNDS=10    rounds; each round times ORT, then the generated code with
#                every compiler in CCS, back to back
#   CCS=gcc      compilers for the generated code (e.g. CCS="gcc clang")
#   SPEED_FLAGS="-O3 -march=native"
#   BENCH_WORK=/tmp/scnnc-bench  scratch folder (per model: the C, binaries, data)
#
# The machine may be shared, so the engines take turns: each round times
# RUNS runs of ORT and then RUNS runs of the generated code (after one
# warm-up run each) and keeps each engine's median. The ratio reported is the
# median over the rounds of the per-round ratios: each comes from two
# back-to-back measurements, so it holds up when the load moves, while the
# times (median over the rounds of each engine's round medians) move with
# the load, and their quotient need not equal the ratio. Prints machine facts
# and a markdown table (docs/BENCHMARKS.md records one). Exit status: 0 when
# every model compiled and matched ONNX Runtime, 1 otherwise.
# Needs: (cd bench && npm install --ignore-scripts), node, gcc (and clang).
set -eu
[ $# -ge 2 ] || { sed -n '5,10p' "$0" >&2; exit 2; }
build=$(cd "$1" && pwd)
zoo=$(cd "$2" && pwd)
shift 2
models=${*:-"resnet18 resnet50 mobilenet_v2"}
runs=${RUNS:-10}
rounds=${ROUNDS:-10}
ccs=${CCS:-gcc}
flags=${SPEED_FLAGS:--O3 -march=native}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
work=${BENCH_WORK:-/tmp/scnnc-bench}
mkdir -p "$work"
libs="$build/libscnnc_core.a $build/libonnx_proto.a -lprotobuf-c -lm"
status=0

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else if (NR) print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms_of() { sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for cc in $ccs; do echo "$cc: $($cc --version | head -1)"; done
echo "onnxruntime-node: $(node -p "require('$here/node_modules/onnxruntime-node/package.json').version" 2>/dev/null || echo '?')"
echo "generated code: $flags -std=c99; $rounds rounds x $runs timed runs per engine; times: median over the rounds of the round medians; ratio: median of the per-round ratios"
echo
echo "| model | compiler | ONNX Runtime 1 thread (ms) | scnnc (ms) | scnnc / ORT | range over rounds | max abs diff |"
echo "|---|---|---:|---:|---:|---:|---:|"
for m in $models; do
    onnx="$zoo/$m/model.onnx"
    [ -f "$onnx" ] || onnx="$zoo/$m.onnx"
    w="$work/$m"
    rm -rf "$w"; mkdir -p "$w/in" "$w/ort"
    # ORT writes the seeded input both engines use, and the reference outputs.
    if ! node "$here/ort/run.js" "$onnx" "$w/in" "$w/ort" --random 1 >"$w/ort.log" 2>&1; then
        echo "| $m | ORT failed: $(tail -1 "$w/ort.log") | | | | | |"; status=1; continue
    fi
    if ! "$build/scnnc" "$onnx" -o "$w/model.c" --name model >"$w/scnnc.log" 2>&1; then
        echo "| $m | scnnc refused: $(grep -m1 "node '" "$w/scnnc.log" || tail -1 "$w/scnnc.log") | | | | | |"
        status=1; continue
    fi
    for cc in $ccs; do
        # shellcheck disable=SC2086 # flags and libs are word lists
        $cc $flags -std=c99 -c "$w/model.c" -o "$w/model_$cc.o"
        # shellcheck disable=SC2086
        gcc -O2 -I"$src" "$here/time_model.c" "$w/model_$cc.o" $libs -o "$w/time_$cc"
    done
    : >"$w/ort.ms"
    for cc in $ccs; do : >"$w/$cc.ms"; : >"$w/$cc.ratio"; done
    r=0
    while [ $r -lt "$rounds" ]; do
        o=$(node "$here/ort/run.js" "$onnx" "$w/in" "$w/ort" --time "$runs" | ms_of)
        if [ -n "$o" ]; then echo "$o" >>"$w/ort.ms"; fi
        for cc in $ccs; do
            "$w/time_$cc" "$w/in" "$w/ort" "$runs" >"$w/$cc.out" || true
            s=$(ms_of <"$w/$cc.out")
            if [ -n "$s" ]; then echo "$s" >>"$w/$cc.ms"; fi
            awk -v a="$s" -v b="$o" 'BEGIN { if (a != "" && b > 0) printf "%.3f\n", a / b }' >>"$w/$cc.ratio"
        done
        r=$((r + 1))
    done
    ort_ms=$(median <"$w/ort.ms")
    for cc in $ccs; do
        sc_ms=$(median <"$w/$cc.ms")
        ratio=$(median <"$w/$cc.ratio")
        spread=$(sort -g "$w/$cc.ratio" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.2f-%.2f", lo, hi; else print "-" }')
        err=$(sed -n 's/.*max abs error \([^ ]*\) (\([0-9]*\) mismatches).*/\1/p' "$w/$cc.out")
        bad=$(sed -n 's/.* (\([0-9]*\) mismatches).*/\1/p' "$w/$cc.out")
        if [ "${bad:-1}" != 0 ]; then err="$err (${bad:-?} MISMATCHES)"; status=1; fi
        awk -v m="$m" -v o="$ort_ms" -v cc="$cc" -v s="$sc_ms" -v r="$ratio" -v sp="$spread" -v e="$err" \
            'function f(x, p) { return x == "" ? "-" : sprintf(p, x) }
             BEGIN { printf "| %s | %s | %s | %s | %s | %s | %s |\n", m, cc, f(o, "%.1f"), f(s, "%.1f"), f(r, "%.2f"), sp, e }'
    done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
