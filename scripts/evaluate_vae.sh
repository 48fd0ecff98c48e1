#!/usr/bin/env bash
# Scores the VAE forecaster on the 12 validation init times against the truth, beside the 31-member physics
# reforecast from the same inits and persistence and climatology ensembles (scripts/make_baseline_ensembles.py).
# Usage (repository root, after a release build): bash scripts/evaluate_vae.sh [CHECKPOINT]
# Env: MEMBERS (default 31), OUT (default out/vae-eval), SEED (default 0), LATENT_SCALE (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
W=.build/release/wxens
S=../shared/data/perfect-model
O=${OUT:-out/vae-eval}
N=${MEMBERS:-31}
PY=${WXENS_PYTHON:-.venv/bin/python}
CK=${1:-data/models/fuxi-vae-rollout}
mkdir -p "$O"
[ -f "$O/clim.nc" ] || $W climatology --truth $S/truth.nc --from 2000-03-21 --to 2000-09-21 --out "$O/clim.nc" >/dev/null
[ -f "$O/persistence.nc" ] || $PY scripts/make_baseline_ensembles.py --members 31 --out "$O"
inits=$($PY -c "
import netCDF4, cftime
v = netCDF4.Dataset('$S/reforecast_validation.nc')['init_time']
print(','.join(d.strftime('%Y-%m-%dT%H:%M') for d in cftime.num2date(v[:], v.units, v.calendar)))")
start=$(date +%s)
$W forecast --initial-conditions $S/truth.nc --init-times "$inits" --members "$N" --lead-times 24,72,120 \
    --checkpoint "$CK" --seed "${SEED:-0}" --latent-scale "${LATENT_SCALE:-1}" --out "$O/vae.nc"
echo "vae: $N members x 12 inits x 20 steps in $(( $(date +%s) - start )) s"
verify() { $W verify --forecast "$2" --truth $S/truth.nc --climatology "$O/clim.nc" --out "$O/verify-$1" --quiet; }
verify physics31 $S/reforecast_validation.nc
verify persistence "$O/persistence.nc"
verify climatology "$O/climatology.nc"
verify vae "$O/vae.nc"
$PY scripts/vae_table.py "$O"
