#!/bin/sh
# Runs the ONNX backend test suite (Debian's libonnx-testdata) through
# run_case.sh: scnnc, the C compiler at -Werror, the libclang verifier when it
# was built, and the harness that compares with test_data_set_0's outputs.
#
# usage: run_conformance.sh BUILD_DIR [SUITE...]
#   SUITE is node, pytorch-converted, pytorch-operator or simple (default: all).
# Environment: SCNNC_TESTDATA (default /usr/share/libonnx-testdata/data),
#              JOBS (parallel cases, default 2), KEEP_WORK=1 keeps the files of
#              passed and refused cases too.
#
# A refused case (scnnc exit 1 with a message and no output) is counted as
# skipped. A wrong number, a crash, another exit status or generated C that
# does not compile or verify is a failure. There is no list of expected
# failures: any failure makes the exit status 1.
set -u
build=${1:?usage: run_conformance.sh BUILD_DIR [SUITE...]}
shift
build=$(cd "$build" && pwd) || exit 2
data=${SCNNC_TESTDATA:-/usr/share/libonnx-testdata/data}
jobs=${JOBS:-2}
suites=${*:-node pytorch-converted pytorch-operator simple}
run_case=$build/run_case.sh
if [ ! -x "$run_case" ]; then
    echo "conformance: $run_case is missing (build first)" >&2
    exit 2
fi
if [ ! -d "$data" ]; then
    echo "conformance: $data is missing (apt-get install libonnx-testdata)" >&2
    exit 2
fi

work=$build/conformance
rm -rf "$work"
mkdir -p "$work/results" "$work/cases"
start=$(date +%s)

# One line per case: "suite/case"; each job writes results/<suite>__<case>
# holding run_case.sh's exit status and message.
list=$work/cases.txt
: > "$list"
for s in $suites; do
    if [ ! -d "$data/$s" ]; then
        echo "conformance: no suite '$s' in $data" >&2
        exit 2
    fi
    for c in "$data/$s"/*/; do
        c=${c%/}
        [ -f "$c/model.onnx" ] && echo "$s/${c##*/}" >> "$list"
    done
done

export run_case data work
KEEP_WORK=${KEEP_WORK:-0}
export KEEP_WORK
# shellcheck disable=SC2016
xargs -P "$jobs" -I{} sh -c '
    id=$1
    key=$(echo "$id" | sed "s|/|__|")
    dir=$work/cases/$key
    msg=$("$run_case" "$data/$id" "$dir" 2>&1)
    st=$?
    printf "%s\n%s\n" "$st" "$msg" > "$work/results/$key"
    # Only failures keep their files (scnnc.log, model.c, cc.log, run.log).
    if [ "$st" -eq 0 ] || [ "$st" -eq 3 ]; then [ "$KEEP_WORK" = 1 ] || rm -rf "$dir"; fi
    exit 0
' _ {} < "$list"

total_pass=0 total_fail=0 total_refused=0
failures=$work/failures.txt
refusals=$work/refusals.txt
: > "$failures"
: > "$refusals"
for s in $suites; do
    pass=0 fail=0 refused=0
    for r in "$work/results/${s}__"*; do
        [ -f "$r" ] || continue
        st=$(head -n 1 "$r")
        name=${r##*/}
        name=${name#"${s}__"}
        case $st in
        0) pass=$((pass + 1)) ;;
        3) refused=$((refused + 1))
           echo "$s/$name: $(sed -n 2p "$r")" >> "$refusals" ;;
        *) fail=$((fail + 1))
           echo "$s/$name: $(sed -n '2,$p' "$r" | tr '\n' ' ')" >> "$failures" ;;
        esac
    done
    echo "suite $s: $pass pass, $refused refused, $fail failed"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    total_refused=$((total_refused + refused))
done
cases=$(wc -l < "$list")
done_cases=$((total_pass + total_fail + total_refused))
if [ "$done_cases" -ne "$cases" ]; then
    echo "conformance: only $done_cases of $cases cases reported a result"
    total_fail=$((total_fail + cases - done_cases))
fi
if [ -s "$failures" ]; then
    echo "failures:"
    sed 's/^/  /' "$failures"
fi
echo "(refusals: $refusals; work files of failed cases: $work/cases)"
echo "time: $(( $(date +%s) - start )) s"
echo "conformance: $total_pass passed, $total_fail failed, $total_refused skipped"
[ "$total_fail" -eq 0 ]
