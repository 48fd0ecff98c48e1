#!/usr/bin/env python3
"""Peers for the GRIB rows of `wxens-bench io`: cfgrib + xarray and ecCodes' Python bindings reading a GRIB file.

Usage: bench_grib_peer.py make OUT MEGABYTES    writes OUT: GRIB2 temperature on a global 0.25 degree grid (721 x 1440,
                                                16-bit simple packing), 10 members x enough dates for MEGABYTES of float32
       bench_grib_peer.py cfgrib PATH VARIABLE REPEATS   times xr.open_dataset(PATH, engine="cfgrib")[VARIABLE].load()
       bench_grib_peer.py eccodes PATH REPEATS           times a loop of codes_grib_new_from_file + codes_get_values
The timing modes print one JSON object: versions, the best seconds and the float64 sum of the decoded values (NaN
skipped). cfgrib's index file is not written (indexpath=""), so every repetition indexes the file, as wxens does.
"""
import json
import math
import os
import sys
import time

import eccodes
import numpy as np

MEMBERS = 10
NJ, NI = 721, 1440


def make(out, megabytes):
    dates = max(1, math.ceil(megabytes * 1e6 / (NJ * NI * 4 * MEMBERS)))
    lat = np.linspace(90, -90, NJ)[:, None]
    lon = np.linspace(0, 359.75, NI)[None, :]
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        for d in range(dates):
            for m in range(MEMBERS):
                h = eccodes.codes_grib_new_from_samples("regular_ll_pl_grib2")
                for key, value in (("Ni", NI), ("Nj", NJ), ("latitudeOfFirstGridPointInDegrees", 90.0),
                                   ("longitudeOfFirstGridPointInDegrees", 0.0), ("latitudeOfLastGridPointInDegrees", -90.0),
                                   ("longitudeOfLastGridPointInDegrees", 359.75), ("iDirectionIncrementInDegrees", 0.25),
                                   ("jDirectionIncrementInDegrees", 0.25), ("productDefinitionTemplateNumber", 1),
                                   ("typeOfGeneratingProcess", 4), ("numberOfForecastsInEnsemble", MEMBERS), ("number", m),
                                   ("shortName", "t"), ("typeOfFirstFixedSurface", 100), ("level", 500),
                                   ("dataDate", int((np.datetime64("2024-01-01") + np.timedelta64(d // 2, "D")).astype(object).strftime("%Y%m%d"))),
                                   ("dataTime", 1200 * (d % 2)), ("bitsPerValue", 16)):
                    eccodes.codes_set(h, key, value)
                values = 250 + 30 * np.cos(np.radians(lat)) + 4 * np.sin(np.radians(3 * lon) + 0.3 * d + 0.7 * m) \
                    + 0.5 * np.cos(np.radians(7 * lat + 11 * lon) * (1 + 0.05 * m))
                eccodes.codes_set_values(h, values.ravel())
                eccodes.codes_write(h, f)
                eccodes.codes_release(h)
    os.replace(tmp, out)


def read_cfgrib(path, name, repeats):
    import cfgrib
    import xarray as xr
    best, checksum = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        a = xr.open_dataset(path, engine="cfgrib", backend_kwargs={"indexpath": ""})[name].load()
        best = min(best, time.perf_counter() - t0)
        checksum = float(np.nansum(a.values, dtype=np.float64))
        del a
    print(json.dumps({"cfgrib": cfgrib.__version__, "xarray": xr.__version__, "eccodes": eccodes.codes_get_api_version(),
                      "seconds": best, "checksum": checksum}))


def read_eccodes(path, repeats):
    best, checksum = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        fields = []
        with open(path, "rb") as f:
            while True:
                h = eccodes.codes_grib_new_from_file(f)
                if h is None:
                    break
                fields.append(eccodes.codes_get_values(h).astype(np.float32))
                eccodes.codes_release(h)
        best = min(best, time.perf_counter() - t0)
        checksum = float(sum(np.nansum(v, dtype=np.float64) for v in fields))
        del fields
    print(json.dumps({"eccodes": eccodes.codes_get_api_version(), "seconds": best, "checksum": checksum}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "make":
        make(sys.argv[2], float(sys.argv[3]))
    elif mode == "cfgrib":
        read_cfgrib(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        read_eccodes(sys.argv[2], int(sys.argv[3]))
