#!/bin/sh
# Feeds scnnc malformed, truncated and hostile models (written by
# make_malformed) and checks that each is refused cleanly: exit status 1, an
# "scnnc: error" message, no sanitizer report (in the ASan+UBSan build), no
# hang, and no output file created or clobbered. Then checks the command
# line's own error paths.
#
# usage: run_malformed.sh SCNNC MAKE_MALFORMED WORK_DIR
# Environment: SCNNC_TESTDATA (real models to truncate, if present),
#              JOBS (default 2), MALFORMED_TIMEOUT (seconds per case, default 120).
set -u

if [ "${1:-}" = "--one" ]; then
    # One case: $2 = case folder; SCNNC and OUT come from the environment.
    dir=$2
    name=${dir##*/}
    expect=$(cat "$dir/expect")
    out=$OUT/$name.c
    hdr=$OUT/$name.h
    # Every other case finds outputs from an earlier run that must survive.
    num=${name%%_*}
    pre=0
    case $num in *[13579]) pre=1 ;; esac
    if [ $pre = 1 ]; then
        echo "previous c $name" > "$out"
        echo "previous h $name" > "$hdr"
    fi
    timeout "${MALFORMED_TIMEOUT:-120}" "$SCNNC" "$dir/model.onnx" -o "$out" > "$OUT/$name.log" 2>&1
    st=$?
    problem=""
    if [ $st -eq 124 ]; then
        problem="hung (killed after ${MALFORMED_TIMEOUT:-120} s)"
    elif grep -q -E "Sanitizer|runtime error:" "$OUT/$name.log"; then
        problem="sanitizer report (exit $st)"
    elif [ $st -eq 1 ]; then
        if [ "$expect" = ok ]; then
            problem="refused a valid model"
        elif ! grep -q "^scnnc: error" "$OUT/$name.log"; then
            problem="exit 1 without an 'scnnc: error' message"
        elif [ $pre = 1 ]; then
            if [ "$(cat "$out")" != "previous c $name" ] || [ "$(cat "$hdr")" != "previous h $name" ]; then
                problem="clobbered an existing output"
            fi
        elif [ -e "$out" ] || [ -e "$hdr" ]; then
            problem="left an output file"
        fi
    elif [ $st -eq 0 ]; then
        if [ "$expect" = refuse ]; then
            problem="compiled a model it must refuse"
        elif [ ! -s "$out" ] || [ ! -s "$hdr" ]; then
            problem="exit 0 without both outputs"
        fi
    else
        problem="exit status $st"
    fi
    if ls "$OUT/$name".c.tmp* "$OUT/$name".h.tmp* > /dev/null 2>&1; then
        problem="${problem:+$problem; }left temporary files"
    fi
    if [ -n "$problem" ]; then
        echo "FAIL $name: $problem: $(head -c 300 "$OUT/$name.log" | tr '\n' ' ')"
    else
        echo "ok $name"
        rm -f "$OUT/$name.log"
    fi
    exit 0
fi

scnnc=${1:?usage: run_malformed.sh SCNNC MAKE_MALFORMED WORK_DIR}
make_malformed=${2:?}
work=${3:?}
data=${SCNNC_TESTDATA:-/usr/share/libonnx-testdata/data}
ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86:detect_leaks=1}"
UBSAN_OPTIONS="${UBSAN_OPTIONS:-exitcode=87:print_stacktrace=1}"
export ASAN_OPTIONS UBSAN_OPTIONS
rm -rf "$work"
mkdir -p "$work/out"
work=$(cd "$work" && pwd)
start=$(date +%s)

real=""
for m in "$data/pytorch-converted/test_Conv2d/model.onnx" "$data/node/test_gemm_default_matrix_bias/model.onnx"; do
    [ -f "$m" ] && real="$real $m"
done
# shellcheck disable=SC2086
"$make_malformed" "$work/cases" $real || exit 1

SCNNC=$scnnc OUT=$work/out
export SCNNC OUT
find "$work/cases" -mindepth 1 -maxdepth 1 -type d | sort |
    xargs -P "${JOBS:-2}" -I{} sh "$0" --one {} > "$work/results.txt"

fails=$(grep -c '^FAIL' "$work/results.txt")
oks=$(grep -c '^ok' "$work/results.txt")

# --- the command line's own error paths --------------------------------------
valid=$(ls -d "$work/cases"/*_valid_relu)/model.onnx
cli_fail() { echo "FAIL cli: $*"; fails=$((fails + 1)); }
cli_ok() { oks=$((oks + 1)); }
expect_status() { # STATUS DESCRIPTION COMMAND...
    want=$1 what=$2
    shift 2
    "$@" > "$work/cli.log" 2>&1
    got=$?
    if [ $got -ne "$want" ]; then
        cli_fail "$what: exit $got, expected $want: $(head -c 200 "$work/cli.log" | tr '\n' ' ')"
    elif grep -q -E "Sanitizer|runtime error:" "$work/cli.log"; then
        cli_fail "$what: sanitizer report"
    else
        cli_ok
    fi
}
expect_status 0 "valid model" "$scnnc" "$valid" -o "$work/valid.c"
if [ ! -s "$work/valid.c" ] || [ ! -s "$work/valid.h" ]; then cli_fail "valid model: no outputs"; fi
expect_status 0 "--help" "$scnnc" --help
expect_status 0 "--version" "$scnnc" --version
expect_status 2 "no arguments" "$scnnc"
expect_status 2 "no -o" "$scnnc" "$valid"
expect_status 2 "unknown option" "$scnnc" "$valid" -o "$work/x.c" --frobnicate
expect_status 2 "-o without a value" "$scnnc" "$valid" -o
expect_status 2 "bad --dim" "$scnnc" "$valid" -o "$work/x.c" --dim N
expect_status 2 "negative --dim" "$scnnc" "$valid" -o "$work/x.c" --dim N=-4
expect_status 2 "two models" "$scnnc" "$valid" "$valid" -o "$work/x.c"
# Pruning and sparse options: bad values and combinations are usage errors.
for bad in "--prune 1.5" "--prune -0.1" "--prune x" "--prune-mode sideways" \
    "--prune-layer conv" "--prune-layer conv=2" "--prune-channels 1.5" "--sparse maybe" \
    "--max-code-kb -1" "--max-code-kb 1.5" "--report-format xml" "--prune auto" \
    "--prune auto --data $work" "--max-error 0.1" "--prune 0.5 --prune auto --max-error 1 --data $work"; do
    # shellcheck disable=SC2086 # $bad is a list of words
    expect_status 2 "$bad" "$scnnc" "$valid" -o "$work/x.c" $bad
done
expect_status 1 "--prune-skip of no layer" "$scnnc" "$valid" -o "$work/x.c" --prune 0.5 --prune-skip no_such_layer
expect_status 2 "--report in a missing folder" "$scnnc" "$valid" -o "$work/x.c" --report "$work/no/such/r.txt"
expect_status 2 "--save-onnx in a missing folder" "$scnnc" "$valid" -o "$work/x.c" --save-onnx "$work/no/such/m.onnx"
expect_status 2 "missing model" "$scnnc" "$work/no_such_model.onnx" -o "$work/x.c"
expect_status 2 "output folder missing" "$scnnc" "$valid" -o "$work/no/such/dir/x.c"
if [ -e "$work/x.c" ] || [ -e "$work/x.h" ]; then cli_fail "a failed run left x.c or x.h"; fi
mkdir -p "$work/ro"
echo keep > "$work/ro/m.c"
chmod 555 "$work/ro"
if [ "$(id -u)" != 0 ]; then # root writes anywhere
    expect_status 2 "read-only output folder" "$scnnc" "$valid" -o "$work/ro/m.c"
    [ "$(cat "$work/ro/m.c")" = keep ] || cli_fail "read-only folder: output clobbered"
fi
chmod 755 "$work/ro"
expect_status 2 "weights file in a missing folder" "$scnnc" "$valid" -o "$work/w.c" --weights-file "$work/no/such/w.bin"
if [ -e "$work/w.c" ]; then cli_fail "a failed --weights-file run left w.c"; fi

grep '^FAIL' "$work/results.txt"
echo "time: $(( $(date +%s) - start )) s"
echo "malformed: $oks passed, $fails failed"
[ "$fails" -eq 0 ]
