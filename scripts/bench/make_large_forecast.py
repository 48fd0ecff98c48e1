#!/usr/bin/env python3
"""Tiles the perfect-model validation reforecast into a large forecast file for the `wxens verify` memory benchmark.

The output has the validation file's layout (init_time, member, lead_time, latitude, longitude) and variables, with
N inits every 6 h from 2000-03-21 00 UTC (all valid times lie inside truth.nc); init k holds the members of validation
init k % 12. Data are float32, uncompressed, one chunk per 2-D field, so the file size is ~ N x 12.0 MiB
(N = 340 gives ~4.0 GiB). With --int16 the variables keep the shared file's CF packing instead (int16 with its
scale_factor/add_offset/_FillValue, shuffle + zlib level 6, one chunk per 2-D field; the same packed values, so the
same decoded ones). Not committed: make it, run the benchmark, delete it.

Usage: python scripts/bench/make_large_forecast.py OUT.nc [N_INITS] [SHARED_DIR] [--int16]
"""
import os
import sys

import netCDF4
import numpy as np

packed = "--int16" in sys.argv
args = [a for a in sys.argv if a != "--int16"]
out = args[1]
n = int(args[2]) if len(args) > 2 else 340
shared = args[3] if len(args) > 3 else os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
src = netCDF4.Dataset(os.path.join(shared, "data", "perfect-model", "reforecast_validation.nc"))
vars_ = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]
assert n * 6 + 120 <= 1240 * 6, "valid times must stay inside truth.nc"

tmp = out + ".part"
dst = netCDF4.Dataset(tmp, "w", format="NETCDF4")
for d in ["member", "lead_time", "latitude", "longitude"]:
    dst.createDimension(d, src.dimensions[d].size)
dst.createDimension("init_time", n)
for c in ["member", "lead_time", "latitude", "longitude"]:
    v = dst.createVariable(c, src[c].dtype, (c,))
    v.setncatts({k: src[c].getncattr(k) for k in src[c].ncattrs()})
    v[:] = src[c][:]
it = dst.createVariable("init_time", "f8", ("init_time",))
it.setncatts({k: src["init_time"].getncattr(k) for k in src["init_time"].ncattrs()})
it[:] = np.arange(n) * 6.0
M, L, Y, X = (src.dimensions[d].size for d in ["member", "lead_time", "latitude", "longitude"])
dims = ("init_time", "member", "lead_time", "latitude", "longitude")
for name in vars_:
    if packed:
        s = src[name]
        v = dst.createVariable(name, "i2", dims, chunksizes=(1, 1, 1, Y, X), zlib=True, shuffle=True, complevel=6,
                               fill_value=s.getncattr("_FillValue"))
        for k in ("scale_factor", "add_offset", "units", "standard_name", "long_name"):
            v.setncattr(k, s.getncattr(k))
        v.set_auto_maskandscale(False)
        s.set_auto_maskandscale(False)
        block = np.asarray(s[:])   # (12, M, L, Y, X), packed int16
    else:
        v = dst.createVariable(name, "f4", dims, chunksizes=(1, 1, 1, Y, X), fill_value=np.float32(np.nan))
        for k in ("units", "standard_name", "long_name"):
            v.setncattr(k, src[name].getncattr(k))
        block = np.asarray(src[name][:], dtype=np.float32)   # (12, M, L, Y, X), unpacked
    for i in range(n):
        v[i] = block[i % 12]
dst.close()
os.replace(tmp, out)
print(f"wrote {out}: {os.path.getsize(out) / 2**30:.2f} GiB, {n} inits")
