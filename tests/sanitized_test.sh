#!/usr/bin/env bash
# Runs test NAME of the sanitizer tree TREE with that tree's own ctest (so with the test's
# own command, environment and TIMEOUT), and fails if the test fails or if any process it
# started, servers included, wrote a sanitizer report: each report goes to a file of its own
# under TREE/sanitizer-reports/NAME/ and is printed here.
#
#   tests/sanitized_test.sh CTEST TREE NAME
set -uo pipefail
ctest=$1 tree=$2 name=$3

if [[ -z $name || ! -f $tree/CTestTestfile.cmake ]]; then
  echo "sanitized_test: no tests in $tree: build it (scripts/build builds build-asan and build-tsan)"
  exit 1
fi

reports=$(cd "$tree" && pwd)/sanitizer-reports/$name
rm -rf "$reports"
mkdir -p "$reports"
# Reports go to files, not to stderr: an e2e test may not show its server's stderr, and a
# leak found when a server exits after SIGTERM would otherwise go unseen.
common="log_path=$reports/report:print_stacktrace=1"
export ASAN_OPTIONS="$common:detect_leaks=1"
export UBSAN_OPTIONS="$common:halt_on_error=1"
export TSAN_OPTIONS="$common:second_deadlock_stack=1"

"$ctest" --test-dir "$tree" -R "^${name}\$" --output-on-failure --no-tests=error
status=$?

shopt -s nullglob
found=("$reports"/report.*)
if ((${#found[@]})); then
  for f in "${found[@]}"; do
    echo "=== sanitizer report $f"
    cat "$f"
  done
  echo "sanitized_test: ${#found[@]} sanitizer report(s) from $name"
  status=1
fi
exit $status
