#!/usr/bin/env bash
# Scores SEEDS-style generation on the validation block against the truth, beside the physics ensemble:
# the 2 seeds alone, all 31 physics members, and MEMBERS generated members per mode (default 32), with wxens verify.
# Usage (repository root, after a release build): bash scripts/evaluate_seeds.sh [gee] [gpp]
# Env: MEMBERS, STEPS (sampler steps; the model's default when unset), SAMPLER, CHECKPOINT (the embedded model of the
# mode when unset), OUT (default out/seeds-eval)
set -euo pipefail
cd "$(dirname "$0")/.."
W=.build/release/wxens
S=../shared/data/perfect-model
O=${OUT:-out/seeds-eval}
N=${MEMBERS:-32}
PY=${WXENS_PYTHON:-.venv/bin/python}
mkdir -p "$O"
[ -f "$O/clim.nc" ] || $W climatology --truth $S/truth.nc --from 2000-03-21 --to 2000-09-21 --out "$O/clim.nc" >/dev/null
[ -f "$O/seeds2.nc" ] || $PY scripts/subset_members.py $S/reforecast_validation.nc "$O/seeds2.nc" 0,1
verify() { $W verify --forecast "$2" --truth $S/truth.nc --climatology "$O/clim.nc" --out "$O/verify-$1" --quiet --overwrite; }
# The physics and seed-only scores do not change between runs: kept when present.
[ -f "$O/verify-physics31/scores.csv" ] || verify physics31 $S/reforecast_validation.nc
[ -f "$O/verify-seeds2/scores.csv" ] || verify seeds2 "$O/seeds2.nc"
for mode in "$@"; do
    extra=()
    [ -n "${STEPS:-}" ] && extra+=(--steps "$STEPS")
    [ -n "${SAMPLER:-}" ] && extra+=(--sampler "$SAMPLER")
    [ -n "${CHECKPOINT:-}" ] && extra+=(--checkpoint "$CHECKPOINT")
    start=$(date +%s)
    $W generate --seeds $S/reforecast_validation.nc --members "$N" --mode "$mode" --out "$O/$mode.nc" "${extra[@]}"
    echo "$mode: generated $N members for 12 inits x 3 leads in $(( $(date +%s) - start )) s"
    verify "$mode" "$O/$mode.nc"
done
$PY scripts/seeds_table.py "$O" physics31 seeds2 "$@"
