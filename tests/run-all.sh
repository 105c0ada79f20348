#!/bin/sh
# The whole test suite. Configures and builds scnnc normally (build/) and
# with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), and runs
# ctest in both: unit tests, malformed inputs, the verifier's tests, the
# whole-model tests and the ONNX backend conformance suite (in the sanitizer
# build scnnc, the harness and the generated code are all instrumented).
# A third, cheap build compiles the compiler with clang (build-clang/, so
# that it stays -Wall -Wextra -Werror clean there too) and runs only the
# unit tests. Prints the counts and exits non-zero if anything failed.
#
# usage: sh tests/run-all.sh            (from anywhere; builds in the source root)
# environment: JOBS (default 2), SCNNC_ASAN_CONFORMANCE=OFF leaves the
#              conformance suite out of the sanitizer build.
set -u
root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$root" || exit 2
jobs=${JOBS:-2}
start=$(date +%s)
failed=0
report=""

# build_and_test DIR NAME CTEST_ARGS CMAKE_ARGS...
# CTEST_ARGS selects tests (e.g. "-L unit"); empty runs them all.
build_and_test() {
    dir=$1 name=$2 select=$3
    shift 3
    echo "=== $name build ($dir) ==="
    if ! cmake -S . -B "$dir" "$@" || ! cmake --build "$dir" -j "$jobs"; then
        echo "run-all: the $name build failed"
        failed=1
        report="$report
$name: BUILD FAILED"
        return
    fi
    echo "=== $name tests ==="
    # shellcheck disable=SC2086 # select is a list of words
    ctest --test-dir "$dir" -j "$jobs" $select --output-on-failure > "$dir/ctest.log" 2>&1
    st=$?
    cat "$dir/ctest.log"
    [ $st -eq 0 ] || failed=1
    # The counts the test scripts print (kept in ctest's log even on success).
    counts=$(grep -h -E '^(suite |conformance: |malformed: )' \
        "$dir/Testing/Temporary/LastTest.log" 2>/dev/null)
    total=$(grep -E 'tests passed, [0-9]+ tests failed' "$dir/ctest.log" | tail -n 1)
    report="$report
$name: ctest: ${total:-no result}
$(echo "$counts" | sed '/^$/d; s/^/  /')"
}

build_and_test build normal "" -DCMAKE_BUILD_TYPE=RelWithDebInfo
build_and_test build-asan "ASan+UBSan" "" -DCMAKE_BUILD_TYPE=Debug -DSCNNC_SANITIZE=ON \
    -DSCNNC_ASAN_CONFORMANCE="${SCNNC_ASAN_CONFORMANCE:-ON}"
build_and_test build-clang "clang (unit tests)" "-L unit" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang

echo "=== summary ==="
echo "$report" | sed '/^$/d'
echo "time: $(( $(date +%s) - start )) s"
if [ $failed -ne 0 ]; then
    echo "run-all: FAILED"
    exit 1
fi
echo "run-all: all passed"
