#!/usr/bin/env bash
# Scores the VAE trained on the ERA5 hourly UK 2 m temperature (data/models/vae-era5-uk-forcing) on the test week
# (2019-03-22 .. 03-31, never seen in training or validation) against the file itself, beside lagged-persistence,
# daily-persistence and climatology ensembles (scripts/make_uk_baseline_ensembles.py).
# Inits: every 00 and 12 UTC from 2019-03-22T00 to 03-28T12 (14 inits; the last lead, 72 h, ends by 03-31T12).
# Usage (repository root, after a release build): bash scripts/evaluate_vae_uk.sh [CHECKPOINT]
# Env: MEMBERS (default 31), OUT (default out/vae-uk-eval), SEED (default 0), PREVIOUS (a checkpoint scored beside
# it as vae-previous, e.g. the model before forcings; its forecast is reused when OUT/vae-previous.nc exists)
set -euo pipefail
cd "$(dirname "$0")/.."
W=.build/release/wxens
T=../shared/data/real/era5_t2m_uk_2019-03.nc
O=${OUT:-out/vae-uk-eval}
N=${MEMBERS:-31}
PY=${WXENS_PYTHON:-.venv/bin/python}
CK=${1:-data/models/vae-era5-uk-forcing}
mkdir -p "$O"
inits=$(for d in 22 23 24 25 26 27 28; do printf '2019-03-%sT00:00,2019-03-%sT12:00,' $d $d; done)
inits=${inits%,}
leads=$(seq -s, 6 6 72)
start=$(date +%s)
$W forecast --initial-conditions $T --init-times "$inits" --members "$N" --lead-times "$leads" \
    --checkpoint "$CK" --seed "${SEED:-0}" --out "$O/vae.nc" --quiet
echo "vae: $N members x 14 inits x 12 steps in $(( $(date +%s) - start )) s"
$PY scripts/make_uk_baseline_ensembles.py --forecast "$O/vae.nc" --truth $T --members "$N" --out "$O"
verify() { $W verify --forecast "$2" --truth $T --out "$O/verify-$1" --quiet; }
verify vae "$O/vae.nc"
if [ -n "${PREVIOUS:-}" ]; then
    [ -f "$O/vae-previous.nc" ] || $W forecast --initial-conditions $T --init-times "$inits" --members "$N" --lead-times "$leads" \
        --checkpoint "$PREVIOUS" --seed "${SEED:-0}" --out "$O/vae-previous.nc" --quiet
    verify vae-previous "$O/vae-previous.nc"
fi
verify persistence "$O/persistence.nc"
verify persistence-daily "$O/persistence-daily.nc"
verify climatology "$O/climatology.nc"
$PY scripts/vae_uk_table.py "$O" "$O/crps_t2m_by_lead.svg"
