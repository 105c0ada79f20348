#!/bin/sh
# Sparse speed benchmark: for each model and sparsity, in one run, times ONNX
# Runtime (1 thread) on the pruned model scnnc saves (--save-onnx), scnnc's
# C with dense kernels (--sparse off) and with the kernels its cost model
# picks (--sparse auto), on the same seeded input; checks all three agree.
#
# usage: sh bench/bench_sparse.sh BUILD_DIR [MODEL...]
#   BUILD_DIR  a scnnc build (scnnc, libscnnc_core.a, libonnx_proto.a)
#   MODELs default to: resnet50 resnet18 mobilenet_v2 digits; 'digits' is
#              samples/digits/digits.onnx, any other NAME is ZOO/NAME/model.onnx
# environment:
#   ZOO=/tmp/scnnc-zoo            the torchvision models
#   SPARSITIES="0 0.5 0.7 0.8 0.9 0.95"   --prune values
#   ROUNDS, RUNS                  rounds and timed runs per round and engine;
#                                 default per model (resnet50 5 x 5 ... digits 5 x 2000)
#   SPEED_FLAGS="-O3 -march=native"  for the timed builds
#   COMPILE_FLAGS=-O2             for the compile-cost build
#   CSV=docs/bench_sparse.csv     where the results go
#   BENCH_WORK=/tmp/scnnc-sparse  scratch folder
#
# The timed builds keep the weights in a blob (--weights-file) so that gcc
# -O3 does not spend minutes on the dense weights; the compile cost is taken
# on the sparse C with its weights embedded (scnnc's default output), with
# GNU time: wall seconds and peak resident memory of gcc COMPILE_FLAGS -c.
# Each round times ORT, then the dense build, then the sparse build, RUNS
# runs each after one warm-up; a ratio is the median over the rounds of the
# per-round ratios to ORT (see bench_dense.sh for why). Nonzero MACs are the
# effective MACs of the layers with weights (the json report); GFMA/s on
# nonzeros divides them by the whole sparse model's median time, so it also
# pays for im2col, pooling and the layers left dense. Code bytes: the text
# section (`size`) of the -O3 object of the sparse build, which holds no
# weights. Prints a markdown table; exit 1 if anything failed or mismatched.
# Needs: (cd bench && npm install --ignore-scripts), node, gcc, /usr/bin/time,
# /usr/bin/python3 (to read the json report).
set -eu
[ $# -ge 1 ] || { sed -n '7,19p' "$0" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
models=${*:-"resnet50 resnet18 mobilenet_v2 digits"}
zoo=${ZOO:-/tmp/scnnc-zoo}
sparsities=${SPARSITIES:-"0 0.5 0.7 0.8 0.9 0.95"}
speed_flags=${SPEED_FLAGS:--O3 -march=native}
compile_flags=${COMPILE_FLAGS:--O2}
csv=${CSV:-$src/docs/bench_sparse.csv}
work=${BENCH_WORK:-/tmp/scnnc-sparse}
mkdir -p "$work"
libs="$build/libscnnc_core.a $build/libonnx_proto.a -lprotobuf-c -lm"
status=0

# Small models get more runs: a round should last long enough to measure.
default_runs() { case $1 in resnet50) echo 5 ;; resnet18) echo 10 ;; mobilenet_v2) echo 20 ;; digits) echo 2000 ;; *) echo 10 ;; esac; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else if (NR) print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.2f-%.2f", lo, hi; else print "-" }'; }
ms_of() { sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.3f\n", a / b }'; }
# check NAME OUT_FILE: the max abs error of a time_model run; flags mismatches.
check() {
    e=$(sed -n 's/.*max abs error \([^ ]*\) (\([0-9]*\) mismatches).*/\1/p' "$2")
    b=$(sed -n 's/.* (\([0-9]*\) mismatches).*/\1/p' "$2")
    if [ "${b:-1}" != 0 ]; then e="${e:-?}(MISMATCH)"; status=1; echo "$1: $(cat "$2")" >&2; fi
    echo "$e"
}
# report_sums JSON: "dense_macs nonzero_macs sparse_layers weight_layers stored_bytes" of the layers with weights.
report_sums() {
    /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
w = [l for l in r["layers"] if l["weight_count"] > 0]
print(sum(l["dense_macs"] for l in w), sum(l["effective_macs"] for l in w),
      sum(l["kernel"].startswith("sparse") for l in w), len(w), r["totals"]["weights_stored_bytes"])' "$1"
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "gcc: $(gcc --version | head -1)"
echo "onnxruntime-node: $(node -p "require('$here/node_modules/onnxruntime-node/package.json').version" 2>/dev/null || echo '?')"
echo "timed builds: $speed_flags -std=c99, weights in a blob; compile cost: gcc $compile_flags -std=c99 -c of the sparse C with embedded weights"
echo
echo "model,sparsity,rounds,runs,ort_ms,dense_ms,sparse_ms,dense_vs_ort,sparse_vs_ort,sparse_vs_ort_range,dense_macs,nonzero_macs,sparse_layers,weight_layers,gfma_s_nonzero,weight_bytes,code_bytes,c_bytes,gcc_s,gcc_peak_mb,dense_max_err,sparse_max_err" >"$csv"
echo "| model | sparsity | ORT (ms) | dense (ms) | sparse (ms) | dense / ORT | sparse / ORT | sparse range | sparse layers | nonzero MMAC | GFMA/s on nonzeros | weight bytes | code bytes | C size | gcc $compile_flags s / MB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for m in $models; do
    if [ "$m" = digits ]; then onnx=$src/samples/digits/digits.onnx; else onnx=$zoo/$m/model.onnx; fi
    runs=${RUNS:-$(default_runs "$m")}
    rounds=${ROUNDS:-5}
    for s in $sparsities; do
        w=$work/$m/$s
        rm -rf "$w"; mkdir -p "$w/in" "$w/ort"
        ok=1
        for k in dense sparse; do
            mode=off; [ $k = sparse ] && mode=auto
            if ! "$build/scnnc" "$onnx" -o "$w/$k.c" --name model --prune "$s" --sparse $mode \
                --weights-file "$w/$k.bin" --save-onnx "$w/pruned_$k.onnx" \
                --report "$w/$k.json" --report-format json >"$w/scnnc_$k.log" 2>&1; then
                echo "| $m | $s | scnnc --sparse $mode failed: $(tail -1 "$w/scnnc_$k.log") |"; ok=0; break
            fi
            # shellcheck disable=SC2086 # flags and libs are word lists
            gcc $speed_flags -std=c99 -c "$w/$k.c" -o "$w/$k.o"
            # shellcheck disable=SC2086
            gcc -O2 -I"$src" "$here/time_model.c" "$w/$k.o" $libs -o "$w/time_$k"
        done
        [ $ok = 1 ] || { status=1; continue; }
        # Both runs prune the same way before lowering: one ONNX serves both.
        cmp -s "$w/pruned_dense.onnx" "$w/pruned_sparse.onnx" || { echo "$m $s: --save-onnx differs between --sparse off and auto" >&2; status=1; }
        rm -f "$w/pruned_dense.onnx"
        pruned=$w/pruned_sparse.onnx
        if ! node "$here/ort/run.js" "$pruned" "$w/in" "$w/ort" --random 1 >"$w/ort.log" 2>&1; then
            echo "| $m | $s | ORT failed: $(tail -1 "$w/ort.log") |"; status=1; continue
        fi
        # Compile cost of scnnc's default output: the sparse C, weights embedded.
        "$build/scnnc" "$onnx" -o "$w/embedded.c" --name model --prune "$s" --sparse auto >/dev/null 2>&1
        # shellcheck disable=SC2086
        if /usr/bin/time -f "%e %M" -o "$w/gcc.time" gcc $compile_flags -std=c99 -c "$w/embedded.c" -o "$w/embedded.o" 2>"$w/gcc.log"; then
            cc_cost=$(awk '{ printf "%.1f %d", $1, $2 / 1024 }' "$w/gcc.time")
        else
            cc_cost="failed failed"; status=1
        fi
        c_bytes=$(wc -c <"$w/embedded.c")
        rm -f "$w/embedded.c" "$w/embedded.o"
        : >"$w/ort.ms"; : >"$w/dense.ms"; : >"$w/sparse.ms"; : >"$w/dense.ratio"; : >"$w/sparse.ratio"
        r=0
        while [ $r -lt "$rounds" ]; do
            o=$(node "$here/ort/run.js" "$pruned" "$w/in" "$w/ort" --time "$runs" | ms_of)
            [ -z "$o" ] || echo "$o" >>"$w/ort.ms"
            for k in dense sparse; do
                "$w/time_$k" "$w/in" "$w/ort" "$runs" "$w/$k.bin" >"$w/$k.out" || true
                t=$(ms_of <"$w/$k.out")
                [ -z "$t" ] || echo "$t" >>"$w/$k.ms"
                ratio "$t" "$o" >>"$w/$k.ratio"
            done
            r=$((r + 1))
        done
        err_d=$(check "$m $s dense" "$w/dense.out")
        err_s=$(check "$m $s sparse" "$w/sparse.out")
        sums=$(report_sums "$w/sparse.json")
        code=$(size "$w/sparse.o" | awk 'NR == 2 { print $1 }')
        # The pruned ONNX and the weight blobs are large (100 MB each for ResNet-50).
        rm -f "$w"/*.onnx "$w"/*.bin
        echo "$m $s $rounds $runs $(median <"$w/ort.ms") $(median <"$w/dense.ms") $(median <"$w/sparse.ms") \
$(median <"$w/dense.ratio") $(median <"$w/sparse.ratio") $(spread <"$w/sparse.ratio") $sums $code $c_bytes $cc_cost $err_d $err_s" |
        awk 'function hb(b) { return b < 1048576 ? sprintf("%.0f KB", b / 1024) : sprintf("%.1f MB", b / 1048576) }
        {
            gfma = ($7 > 0) ? $12 / ($7 * 1e6) : 0
            printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%.2f,%s,%s,%s,%s,%s,%s,%s\n",
                $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, gfma, $15, $16, $17, $18, $19, $20, $21 >> "'"$csv"'"
            printf "| %s | %s | %.3f | %.3f | %.3f | %.2f | %.2f | %s | %d of %d | %.4g | %.1f | %s | %s | %s | %s / %s |\n",
                $1, $2, $5, $6, $7, $8, $9, $10, $13, $14, $12 / 1e6, gfma, hb($15), hb($16), hb($17), $18, $19
        }'
    done
done
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "csv: $csv"
exit $status
