#!/usr/bin/env bash
# The deterministic mutation run (see mutation_run.py): corrupted copies of ../shared/data/real through
# `wxens inspect` and `wxens verify`; fails on a crash or hang in wxens's own code. Skips when ../shared is absent.
# Usage: scripts/fuzz/mutation-run.sh [--cases N] [--seed S] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
data="${WXENS_SHARED:-$PWD/../shared}/data/real"
if [ ! -d "$data" ]; then
    echo "mutation run: skipped: shared data not found at $data (../shared beside the repository root)"
    exit 0
fi
wxens="${WXENS:-$PWD/.build/release/wxens}"
[ -x "$wxens" ] || swift build -c release --product wxens >/dev/null
exec python3 scripts/fuzz/mutation_run.py --wxens "$wxens" --data "$data" "$@"
