"""Rescales generated members about their mean (an experiment on GEE's spread, not part of wxens).

    seeds_spread_match.py GENERATED.nc SEEDS.nc OUT.nc seeds|const

seeds: for each (init, lead, variable), the factor that makes the members' cos-latitude-weighted mean variance equal
       the seeds' (unbiased, ddof 1: with exchangeable members an estimate of the physics ensemble's variance);
const: 1/sqrt(1 + 1/K) with K = 2, the inflation of a new member's distribution given K seeds in the Gaussian case.
Prints the mean factor per lead for each variable. Usage in notebooks-export/seeds-gee-perfect-model.md.
"""
import shutil
import sys

import netCDF4
import numpy as np

gen, seeds, out, mode = sys.argv[1:5]
shutil.copy(gen, out)
with netCDF4.Dataset(seeds) as s, netCDF4.Dataset(out, "a") as d:
    w = np.cos(np.deg2rad(np.asarray(d["latitude"][:], dtype=np.float64)))[:, None]
    for name, var in d.variables.items():
        if var.ndim != 5:
            continue
        axes = lambda dims: [dims.index("init_time"), dims.index("lead_time"), dims.index("member")]
        x = np.moveaxis(np.asarray(var[:], dtype=np.float64), axes(var.dimensions), [0, 1, 2])
        mean = x.mean(axis=2, keepdims=True)
        if mode == "const":
            f = np.full(x.shape[:2], 1 / np.sqrt(1.5))
        else:
            sv = np.moveaxis(np.asarray(s[name][:], dtype=np.float64), axes(s[name].dimensions), [0, 1, 2])
            area_mean = lambda v: (v * w).sum(axis=(-2, -1)) / (w.sum() * v.shape[-1])
            f = np.sqrt(area_mean(sv.var(axis=2, ddof=1)) / area_mean(x.var(axis=2, ddof=1)))
        print(name, "mean factor by lead:", np.round(f.mean(axis=0), 3))
        y = mean + f[:, :, None, None, None] * (x - mean)
        var[:] = np.moveaxis(y, [0, 1, 2], axes(var.dimensions)).astype(var.dtype)
