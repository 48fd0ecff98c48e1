#!/usr/bin/env python3
"""Makes the tiny sample data set in data/sample/ from the shared perfect-model files.

forecast.nc: the first N_INITS initialisations x all members x all leads of the chosen variables of
  ../shared/data/perfect-model/reforecast_validation.nc, same layout (init_time, member, lead_time,
  latitude, longitude), the same int16 values copied unchanged (so the same scale_factor/add_offset/_FillValue),
  zlib level 6 + shuffle, one chunk per 2-D field.
truth.nc: the frames of ../shared/data/perfect-model/truth.nc at every valid time (init + lead) and init time of
  forecast.nc, and the frame 6 h before each of them, all seven variables, same packing and compression.

Usage: .venv-peers/bin/python scripts/make_sample_data.py [SHARED_PERFECT_MODEL_DIR] [OUT_DIR]
Needs numpy and netCDF4 (not needed by wxens at run time).
"""
import datetime
import os
import sys

import netCDF4
import numpy as np

N_INITS = 2
FORECAST_VARIABLES = ["z500", "t2m"]
TRUTH_VARIABLES = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]


def copy_attrs(src, dst, skip=("_FillValue",)):
    for k in src.ncattrs():
        if k not in skip:
            dst.setncattr(k, src.getncattr(k))


def copy_coord(src_ds, dst_ds, name, index=None):
    v = src_ds[name]
    out = dst_ds.createVariable(name, v.dtype, v.dimensions)
    copy_attrs(v, out)
    out[:] = v[:] if index is None else v[:][index]


def packed_variable(src_ds, dst_ds, name, dims, chunks):
    v = src_ds[name]
    v.set_auto_maskandscale(False)
    out = dst_ds.createVariable(name, v.dtype, dims, zlib=True, complevel=6, shuffle=True,
                                chunksizes=chunks, fill_value=v.getncattr("_FillValue"))
    copy_attrs(v, out)
    out.set_auto_maskandscale(False)
    return v, out


def main(shared, out_dir):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    command = "scripts/make_sample_data.py"
    src = netCDF4.Dataset(os.path.join(shared, "reforecast_validation.nc"))
    truth = netCDF4.Dataset(os.path.join(shared, "truth.nc"))

    fpath = os.path.join(out_dir, "forecast.nc")
    tmp = os.path.join(out_dir, ".forecast.nc.tmp")
    with netCDF4.Dataset(tmp, "w", format="NETCDF4") as dst:
        copy_attrs(src, dst)
        dst.title = "wxens sample: first %d validation inits of the perfect-model reforecast (%s)" % (
            N_INITS, ", ".join(FORECAST_VARIABLES))
        dst.history = "%s: %s (subset of reforecast_validation.nc); %s" % (stamp, command, src.history)
        nmember, nlead = src.dimensions["member"].size, src.dimensions["lead_time"].size
        nlat, nlon = src.dimensions["latitude"].size, src.dimensions["longitude"].size
        dst.createDimension("init_time", N_INITS)
        for d in ("member", "lead_time", "latitude", "longitude"):
            dst.createDimension(d, src.dimensions[d].size)
        for c in ("latitude", "longitude", "member", "lead_time"):
            copy_coord(src, dst, c)
        copy_coord(src, dst, "init_time", slice(0, N_INITS))
        dims = ("init_time", "member", "lead_time", "latitude", "longitude")
        for name in FORECAST_VARIABLES:
            v, out = packed_variable(src, dst, name, dims, (1, 1, 1, nlat, nlon))
            out[:] = v[0:N_INITS]
    os.replace(tmp, fpath)

    inits = src["init_time"][0:N_INITS]
    leads = src["lead_time"][:]
    valid = sorted({float(i + l) for i in inits for l in leads} | {float(i) for i in inits})
    wanted = sorted(set(valid) | {t - 6.0 for t in valid})
    times = truth["time"][:]
    index = [int(np.flatnonzero(times == t)[0]) for t in wanted]

    tpath = os.path.join(out_dir, "truth.nc")
    tmp = os.path.join(out_dir, ".truth.nc.tmp")
    with netCDF4.Dataset(tmp, "w", format="NETCDF4") as dst:
        copy_attrs(truth, dst)
        dst.title = "wxens sample: truth frames at the valid and init times of forecast.nc and 6 h before them"
        dst.history = "%s: %s (subset of truth.nc); %s" % (stamp, command, truth.history)
        dst.createDimension("time", len(index))
        for d in ("latitude", "longitude"):
            dst.createDimension(d, truth.dimensions[d].size)
        for c in ("latitude", "longitude"):
            copy_coord(truth, dst, c)
        copy_coord(truth, dst, "time", index)
        nlat, nlon = truth.dimensions["latitude"].size, truth.dimensions["longitude"].size
        for name in TRUTH_VARIABLES:
            v, out = packed_variable(truth, dst, name, ("time", "latitude", "longitude"), (1, nlat, nlon))
            out[:] = v[index]
    os.replace(tmp, tpath)
    for p in (fpath, tpath):
        print(p, os.path.getsize(p), "bytes")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "data", "perfect-model")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "data", "sample")
    main(shared, out)
