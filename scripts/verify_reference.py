#!/usr/bin/env python3
"""Reference scores for `wxens verify`, computed with scoringrules / properscoring on the shared data.

Writes Tests/WXPipelinesTests/Golden/verify_reference.csv with columns
dataset,variable,lead_time_hours,metric,value for
  (a) perfect-model: ../shared/data/perfect-model/reforecast_validation.nc against truth.nc at valid time
      init_time + lead_time, events t850 > 280, t2m > 290, msl < 100000;
  (b) rmm: ../shared/data/real/gmao_geos_s2s_rmm1_ens_obs.nc, RMM1 against rmm1 (aligned on init, lead),
      events rmm1 > 1, rmm1 < -1 (no grid: unweighted).
Conventions (the same as wxens verify): per (init, lead) the scores are area-weighted spatial means with
WeatherBench2 cell-area weights (sin of the upper minus sin of the lower cell bound, bounds at midpoints and +-90),
then plain means over inits; rmse = sqrt(mean MSE of the ensemble mean), spread = sqrt(mean ensemble variance,
ddof 1), spread_skill = sqrt((M+1)/M) spread / rmse. CRPS: properscoring.crps_ensemble (also checked against
scoringrules nrg); fair CRPS: scoringrules.crps_ensemble(estimator="fair"); Brier: scoringrules.brier_score on
p = fraction of members in the event; fair Brier: (p - o)^2 - p(1 - p)/(M - 1) (Ferro 2014; own formula, no library
has it).

Usage: python scripts/verify_reference.py [SHARED_DIR] [OUT_CSV]
"""
import csv
import operator
import os
import sys

import netCDF4
import numpy as np
import properscoring as ps
import scoringrules as sr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "Tests", "WXPipelinesTests", "Golden", "verify_reference.csv")

OPS = {">": (operator.gt, "gt"), "<": (operator.lt, "lt"), ">=": (operator.ge, "ge"), "<=": (operator.le, "le")}


def cell_area_weights(lat):
    lat = np.asarray(lat, dtype=np.float64)
    order = np.argsort(lat)
    s = np.deg2rad(lat[order])
    bounds = np.concatenate([[-np.pi / 2], (s[:-1] + s[1:]) / 2, [np.pi / 2]])
    w = np.empty_like(s)
    w[order] = np.sin(bounds[1:]) - np.sin(bounds[:-1])
    return w / w.mean()


def unpacked(var, index):
    """CF-decoded values as netCDF4-python gives them (auto mask and scale; int16 packed with float32 scale_factor and
    add_offset unpacks in float32, as numpy does, and as the wxens reader does), then widened to float64."""
    var.set_auto_maskandscale(True)
    return np.ma.filled(np.ma.asarray(var[index]).astype(np.float64), np.nan)


def event_name(op, t):
    tag = OPS[op][1]
    return f"{tag}{int(t)}" if float(t).is_integer() else f"{tag}{t}"


def block_scores(fc, obs, w, events):
    """fc: (M, P), obs: (P,), w: (P,) -> dict of weighted spatial means for one (init, lead)."""
    M = fc.shape[0]
    members_last = np.moveaxis(fc, 0, -1)
    crps = ps.crps_ensemble(obs, members_last)
    crps_sr = sr.crps_ensemble(obs, members_last, estimator="nrg", backend="numpy")
    assert np.allclose(crps, crps_sr, rtol=1e-10, atol=1e-12), "properscoring and scoringrules nrg disagree"
    fair = sr.crps_ensemble(obs, members_last, estimator="fair", backend="numpy")
    mean = fc.mean(axis=0)
    var = fc.var(axis=0, ddof=1)
    wm = lambda x: float(np.sum(w * x) / np.sum(w))
    out = {"crps": wm(crps), "crps_fair": wm(fair), "mse": wm((mean - obs) ** 2), "bias": wm(mean - obs), "var": wm(var)}
    for op, t in events:
        f = OPS[op][0]
        p = f(fc, t).mean(axis=0)
        o = f(obs, t).astype(np.float64)
        bs = sr.brier_score(o, p, backend="numpy")
        out["brier_" + event_name(op, t)] = wm(bs)
        out["brier_fair_" + event_name(op, t)] = wm((p - o) ** 2 - p * (1 - p) / (M - 1))
    return out


def finish(dataset, variable, lead, blocks, M):
    n = len(blocks)
    mean = lambda k: sum(b[k] for b in blocks) / n
    rmse = np.sqrt(mean("mse"))
    spread = np.sqrt(mean("var"))
    rows = [("crps", mean("crps")), ("crps_fair", mean("crps_fair")), ("rmse", rmse), ("bias", mean("bias")),
            ("spread", spread), ("spread_skill", np.sqrt((M + 1) / M) * spread / rmse)]
    rows += [(k, mean(k)) for k in blocks[0] if k.startswith("brier")]
    return [(dataset, variable, lead, k, float(v)) for k, v in rows]


def perfect_model():
    pm = os.path.join(SHARED, "data", "perfect-model")
    fcf = netCDF4.Dataset(os.path.join(pm, "reforecast_validation.nc"))
    trf = netCDF4.Dataset(os.path.join(pm, "truth.nc"))
    init = netCDF4.num2date(fcf["init_time"][:], fcf["init_time"].units, fcf["init_time"].calendar)
    ttime = netCDF4.num2date(trf["time"][:], trf["time"].units, trf["time"].calendar)
    tindex = {t: i for i, t in enumerate(ttime)}
    leads = np.asarray(fcf["lead_time"][:], dtype=np.float64)
    w = np.repeat(cell_area_weights(fcf["latitude"][:]), fcf.dimensions["longitude"].size)
    events = {"t850": [(">", 280.0)], "t2m": [(">", 290.0)], "msl": [("<", 100000.0)]}
    import datetime
    rows = []
    for v in ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]:
        for li, lead in enumerate(leads):
            blocks = []
            for i, it in enumerate(init):
                fc = unpacked(fcf[v], (i, slice(None), li, slice(None), slice(None)))
                M = fc.shape[0]
                k = tindex[it + datetime.timedelta(hours=float(lead))]
                obs = unpacked(trf[v], (k, slice(None), slice(None))).reshape(-1)
                blocks.append(block_scores(fc.reshape(M, -1), obs, w, events.get(v, [])))
            rows += finish("perfect-model", v, float(lead), blocks, M)
    return rows


def rmm():
    f = netCDF4.Dataset(os.path.join(SHARED, "data", "real", "gmao_geos_s2s_rmm1_ens_obs.nc"))
    fc_all = np.asarray(f["RMM1"][:], dtype=np.float64)   # (init, member, lead)
    ob_all = np.asarray(f["rmm1"][:], dtype=np.float64)   # (init, lead)
    leads_h = np.asarray(f["lead_time"][:], dtype=np.float64) * 24
    M = fc_all.shape[1]
    rows = []
    for li, lead in enumerate(leads_h):
        blocks = [block_scores(fc_all[i, :, li].reshape(M, 1), ob_all[i, li].reshape(1), np.ones(1),
                               [(">", 1.0), ("<", -1.0)]) for i in range(fc_all.shape[0])]
        rows += finish("rmm", "RMM1", float(lead), blocks, M)
    return rows


def main():
    rows = perfect_model() + rmm()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", newline="") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["dataset", "variable", "lead_time_hours", "metric", "value"])
        for d, v, l, m, x in rows:
            wr.writerow([d, v, f"{l:g}", m, repr(x)])
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
