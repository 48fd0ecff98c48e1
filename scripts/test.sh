#!/usr/bin/env bash
# Runs the whole test suite (release build: the numeric tests run on the optimised kernels).
set -euo pipefail
cd "$(dirname "$0")/.."
export WXENS_PYTHON="${WXENS_PYTHON:-$PWD/.venv/bin/python}"
swift test -c release 2>&1 | tee /tmp/wxens-test.log | grep -vE "^(Test Case .* (started|passed)|\[[0-9]+/[0-9]+\] )"
