#!/bin/sh
# Per-layer profile of scnnc's generated code: where the time goes, and how
# many GFLOP/s each Conv/Gemm layer reaches. For the kernel owners; the
# numbers are for one thread on this machine.
#
# usage: sh bench/profile_layers.sh BUILD_DIR MODEL.onnx [RUNS] [TOP]
#   RUNS (default 20): timed runs after one warm-up; each layer gets its
#   minimum and median time over the runs (on a busy machine the minimum is
#   the better estimate of what the kernel costs). TOP (default 25): rows
#   shown, slowest (by minimum) first.
# environment: SPEED_FLAGS="-O3 -march=native", CC=gcc,
#   BENCH_WORK=/tmp/scnnc-profile, SCNNC_FLAGS (e.g. "--prune 0.9")
#
# How: the model is compiled with --weights-file (small C, quick to build),
# then each kernel call in model_invoke_ws is wrapped in timer calls (the
# generated code calls one static kN_op function per node, one line each);
# the timers live in a separate file linked with bench/time_model.c, which
# also checks the output against ONNX Runtime's. FLOPs are 2 x the MACs that
# `scnnc -v` reports for the layer.
set -eu
[ $# -ge 2 ] || { sed -n '6,10p' "$0" >&2; exit 2; }
build=$(cd "$1" && pwd)
onnx=$2
runs=${3:-20}
top=${4:-25}
cc=${CC:-gcc}
flags=${SPEED_FLAGS:--O3 -march=native}
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
w=${BENCH_WORK:-/tmp/scnnc-profile}
rm -rf "$w"; mkdir -p "$w/in" "$w/ort"

# shellcheck disable=SC2086 # SCNNC_FLAGS is a word list
"$build/scnnc" "$onnx" -o "$w/model.c" --name model --weights-file "$w/weights.bin" -v ${SCNNC_FLAGS:-} \
    --save-onnx "$w/compiled.onnx" >"$w/layers.txt" 2>&1
# The reference is what was compiled (pruned weights, if SCNNC_FLAGS pruned).
node "$here/ort/run.js" "$w/compiled.onnx" "$w/in" "$w/ort" --random 1 >/dev/null

# Wrap every kernel call of model_invoke_ws: kN_op(args); -> timed.
awk '
/^int model_invoke_ws\(.*\)$/ { body = 1 }
body && /^}/ { body = 0 }
body && match($0, /^    k[0-9]+_[A-Za-z0-9_]*\(.*\);$/) {
    n = substr($0, 6); sub(/_.*/, "", n)
    print "    scnn_prof_begin(" n ");"; print; print "    scnn_prof_end(" n ");"; next
}
{ print }
/^#include <math.h>$/ { print "void scnn_prof_begin(int k);\nvoid scnn_prof_end(int k);" }
' "$w/model.c" >"$w/model_prof.c"
grep -q scnn_prof_begin "$w/model_prof.c" || { echo "profile_layers: no kernel calls found" >&2; exit 1; }

cat >"$w/prof.c" <<'EOF'
/* Per-kernel timers: every call's time is kept, the medians printed at exit. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define MAX_K 4096
#define MAX_CALLS 1024
static double t0[MAX_K], *calls[MAX_K];
static int n_calls[MAX_K];
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}
void scnn_prof_begin(int k) { t0[k] = now(); }
void scnn_prof_end(int k)
{
    double dt = now() - t0[k];
    if (!calls[k] && !(calls[k] = malloc(sizeof(double) * MAX_CALLS)))
        return;
    if (n_calls[k] < MAX_CALLS)
        calls[k][n_calls[k]++] = dt;
}
static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
__attribute__((destructor)) static void report(void)
{
    for (int k = 0; k < MAX_K; k++) {
        if (n_calls[k] < 2)
            continue;
        /* The first call is the warm-up run's: leave it out. */
        qsort(calls[k] + 1, (size_t)n_calls[k] - 1, sizeof(double), cmp);
        fprintf(stderr, "kernel %d %.4f %.4f\n", k, calls[k][1 + (n_calls[k] - 1) / 2], calls[k][1]);
    }
}
EOF
# shellcheck disable=SC2086 # flags is a word list
$cc $flags -std=c99 -c "$w/model_prof.c" -o "$w/model_prof.o"
gcc -O2 -c "$w/prof.c" -o "$w/prof.o"
gcc -O2 -I"$src" "$here/time_model.c" "$w/model_prof.o" "$w/prof.o" \
    "$build/libscnnc_core.a" "$build/libonnx_proto.a" -lprotobuf-c -lm -o "$w/time_prof"
"$w/time_prof" "$w/in" "$w/ort" "$runs" "$w/weights.bin" 2>"$w/kernels.txt"

# Join: kernel kN is node N of scnnc -v's table; full names from the C comments.
awk '/^\/\* node ".*" \([a-z_0-9]*\) -> [0-9x]* \*\/$/ { c = $0; next }
     match($0, /^static void k[0-9]+_/) && c != "" {
         k = substr($0, 14, RLENGTH - 14); sub(/_$/, "", k)
         sub(/^\/\* node "/, "", c); n = c; sub(/" \(.*/, "", n)
         s = c; sub(/.* -> /, "", s); sub(/ \*\/$/, "", s)
         print k "\t" n "\t" s; c = "" }' "$w/model.c" >"$w/names.txt"
awk -F'\t' -v top="$top" '
FILENAME == ARGV[1] { name[$1] = $2; shape[$1] = $3; next }
FILENAME == ARGV[2] {
    if (split($0, f, " +") >= 5 && f[1] ~ /^[0-9]+$/) { op[f[1]] = f[3]; macs[f[1]] = f[5] }
    next
}
/^kernel / { split($0, f, " "); med[f[2]] = f[3]; ms[f[2]] = f[4]; total += f[4]; mtotal += f[3]; n++ }
END {
    printf "%d kernels; sum of their minimum times %.2f ms, of their medians %.2f ms\n\n", n, total, mtotal
    print "| # | node | op | output | MFLOP | min ms | median ms | % of min sum | GFLOP/s at min |"
    print "|---:|---|---|---|---:|---:|---:|---:|---:|"
    for (i = 0; i < n && i < top; i++) {
        best = -1
        for (k in ms) if (!(k in done) && (best < 0 || ms[k] > ms[best])) best = k
        done[best] = 1
        fl = 2 * macs[best]
        printf "| %d | %s | %s | %s | %.1f | %.3f | %.3f | %.1f | %s |\n", best, name[best], op[best], shape[best], fl / 1e6, ms[best], med[best], 100 * ms[best] / total, (fl > 0 && ms[best] > 0) ? sprintf("%.1f", fl / ms[best] / 1e6) : "-"
    }
}' "$w/names.txt" "$w/layers.txt" "$w/kernels.txt"
