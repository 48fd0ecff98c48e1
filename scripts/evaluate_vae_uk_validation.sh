#!/usr/bin/env bash
# Compares VAE checkpoints for the ERA5 UK 2 m temperature on the held-out validation days (2019-03-19 .. 03-21,
# outside training and before the test week), the block on which choices between models are made.
# Inits: 00 and 12 UTC, 2019-03-19T00 .. 03-20T12 (4 inits), 6-hourly leads to 30 h (the last valid time,
# 03-21T18, stays in the block); lagged and daily persistence beside them for scale (the climatology baseline is
# left out: its days include the validation days).
# Usage (repository root, after a release build): bash scripts/evaluate_vae_uk_validation.sh NAME=CHECKPOINT ...
# Env: MEMBERS (default 31), OUT (default out/vae-uk-validation), SEED (default 0)
set -euo pipefail
cd "$(dirname "$0")/.."
W=.build/release/wxens
T=../shared/data/real/era5_t2m_uk_2019-03.nc
O=${OUT:-out/vae-uk-validation}
N=${MEMBERS:-31}
PY=${WXENS_PYTHON:-.venv/bin/python}
mkdir -p "$O"
inits=2019-03-19T00:00,2019-03-19T12:00,2019-03-20T00:00,2019-03-20T12:00
leads=$(seq -s, 6 6 30)
runs=()
for pair in "$@"; do
    name=${pair%%=*}
    ck=${pair#*=}
    start=$(date +%s)
    $W forecast --initial-conditions $T --init-times "$inits" --members "$N" --lead-times "$leads" \
        --checkpoint "$ck" --seed "${SEED:-0}" --out "$O/$name.nc" --quiet
    echo "$name: $N members x 4 inits x 5 steps in $(( $(date +%s) - start )) s"
    $W verify --forecast "$O/$name.nc" --truth $T --out "$O/verify-$name" --quiet --overwrite
    runs+=("$name")
    last=$name
done
$PY scripts/make_uk_baseline_ensembles.py --forecast "$O/$last.nc" --truth $T --members "$N" --out "$O"
for b in persistence persistence-daily; do
    $W verify --forecast "$O/$b.nc" --truth $T --out "$O/verify-$b" --quiet --overwrite
done
$PY scripts/vae_uk_compare.py "$O" "${runs[@]}" persistence persistence-daily
