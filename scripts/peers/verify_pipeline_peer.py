#!/usr/bin/env python3
"""The verification a WeatherBench2 user writes with xarray + scoringrules: peer of `wxens-bench verify-pipeline`.

Per variable and lead: area-weighted CRPS (scoringrules' default estimator, the standard one), ensemble-mean RMSE and
spread (sqrt of the mean ddof-1 variance), the truth aligned by valid time (init + lead), spatial means per init with
WeatherBench2's cell-area latitude weights, then the mean over inits (square roots after it), as `wxens verify` does.
Timed inside the script, from opening the files to the last score (numba's compilation is done before). Prints one JSON object:
{"seconds": ..., "scores": {"<var>/<lead h>/<metric>": value}, "versions": {...}}.

Usage: verify_pipeline_peer.py FORECAST.nc TRUTH.nc
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import scoringrules as sr
import xarray as xr


def cell_area_weights(lat):
    """WeatherBench2 get_lat_weights: sin(upper bound) - sin(lower bound), normalised to mean 1."""
    order = np.argsort(lat)
    s = np.deg2rad(lat[order])
    bounds = np.concatenate([[-np.pi / 2], (s[:-1] + s[1:]) / 2, [np.pi / 2]])
    w = np.empty_like(s)
    w[order] = np.sin(bounds[1:]) - np.sin(bounds[:-1])
    return w / w.mean()


def main():
    # numba compiles on the first call: done here, before the clock starts, on the dtypes the files decode to.
    for dt in (np.float32, np.float64):
        sr.crps_ensemble(np.zeros(4, dt), np.zeros((4, 3), dt))
    t0 = time.perf_counter()
    fc = xr.open_dataset(sys.argv[1])
    obs = xr.open_dataset(sys.argv[2])
    weights = xr.DataArray(cell_area_weights(fc.latitude.values.astype(np.float64)), dims="latitude")
    lead = fc.lead_time
    lead_td = lead.values if np.issubdtype(lead.dtype, np.timedelta64) else pd.to_timedelta(lead.values, unit="h").values
    scores = {}
    for name, f in fc.data_vars.items():
        if "lead_time" not in f.dims or name not in obs:
            continue
        for li, lt in enumerate(lead_td):
            hours = int(lt / np.timedelta64(1, "h"))
            fl = f.isel(lead_time=li)
            valid = fc.init_time.values + lt
            y = obs[name].sel(time=valid).rename(time="init_time").assign_coords(init_time=fc.init_time.values)
            crps = sr.crps_ensemble(y, fl, m_axis=fl.dims.index("member"))
            crps = xr.DataArray(np.asarray(crps), dims=y.dims)
            mean = fl.mean("member")
            var = fl.var("member", ddof=1)

            def area_mean(x):
                return x.weighted(weights).mean(("latitude", "longitude"))

            scores[f"{name}/{hours}/crps"] = float(area_mean(crps).mean("init_time"))
            scores[f"{name}/{hours}/rmse"] = float(np.sqrt(area_mean((mean - y) ** 2).mean("init_time")))
            scores[f"{name}/{hours}/spread"] = float(np.sqrt(area_mean(var).mean("init_time")))
    seconds = time.perf_counter() - t0
    versions = {"xarray": xr.__version__, "scoringrules": getattr(sr, "__version__", "?"), "numpy": np.__version__}
    try:
        import numba
        versions["numba"] = numba.__version__
    except ImportError:
        versions["numba"] = "absent"
    print(json.dumps({"seconds": seconds, "scores": scores, "versions": versions}))


if __name__ == "__main__":
    main()
