#!/usr/bin/env bash
# Runs the whole test suite in a release build (the numeric tests run on the optimised kernels)
# and ends with one summary line: "tests: N passed, N failed, N skipped", then runs the mutation run (scripts/fuzz).
set -uo pipefail
cd "$(dirname "$0")/.."
export WXENS_PYTHON="${WXENS_PYTHON:-$PWD/.venv/bin/python}"
log=$(mktemp)
swift test -c release 2>&1 | tee "$log" | grep -vE "^(Test Case .* (started|passed)|\[[0-9]+/[0-9]+\] |Compiling |Building |Write |Linking )"
status=${PIPESTATUS[0]}
# XCTest's overall line: "Executed N tests, with S tests skipped and F failures (U unexpected)".
summary=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with" "$log" | tail -n 1)
total=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$summary")
skipped=$(grep -oE '[0-9]+ tests? skipped' <<<"$summary" | grep -oE '^[0-9]+' || echo 0)
failed=$(grep -oE 'with ([0-9]+ tests? skipped and )?[0-9]+ failures?' <<<"$summary" | grep -oE '[0-9]+ failures?' | grep -oE '^[0-9]+' || echo 0)
rm -f "$log"
if [ -n "$summary" ]; then
    echo "tests: $((total - skipped - failed)) passed, ${failed} failed, ${skipped} skipped"
fi
# The deterministic mutation run over the shared real files (skips where ../shared is absent).
bash scripts/fuzz/mutation-run.sh | tail -n 40
fuzz_status=${PIPESTATUS[0]}
[ "$status" -ne 0 ] || status=$fuzz_status
exit "$status"
