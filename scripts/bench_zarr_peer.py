#!/usr/bin/env python3
"""Peer for the Zarr row of `wxens-bench io`: xarray + zarr reading a whole variable of a Zarr store, best of N.

Usage: bench_zarr_peer.py make NETCDF STORE VARIABLE   writes STORE (Zarr v3, zstd, one chunk per 2-D field) from NETCDF
       bench_zarr_peer.py read STORE VARIABLE REPEATS   times xr.open_zarr(STORE)[VARIABLE].load()
`read` prints one JSON object: versions, the best seconds and the float64 sum of the decoded values (NaN skipped).
"""
import json
import shutil
import sys
import time

import numpy as np
import xarray as xr
import zarr


def make(nc, store, name):
    ds = xr.open_dataset(nc)
    for v in ds.variables.values():
        v.encoding = {k: v.encoding[k] for k in ("dtype", "units", "calendar") if k in v.encoding}
    chunks = (1,) * (ds[name].ndim - 2) + ds[name].shape[-2:]
    tmp = store + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    ds.to_zarr(tmp, zarr_format=3, consolidated=False, encoding={name: {"chunks": chunks}}, mode="w")
    shutil.rmtree(store, ignore_errors=True)
    shutil.move(tmp, store)


def read(store, name, repeats):
    best = float("inf")
    checksum = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        a = xr.open_zarr(store, consolidated=False)[name].load()
        best = min(best, time.perf_counter() - t0)
        checksum = float(np.nansum(a.values, dtype=np.float64))
        del a
    print(json.dumps({"xarray": xr.__version__, "zarr": zarr.__version__, "numpy": np.__version__,
                      "seconds": best, "checksum": checksum}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        read(sys.argv[2], sys.argv[3], int(sys.argv[4]))
