#!/usr/bin/env python3
"""Peer for `wxens-bench io`: netCDF4-python reading every value of a variable, best of N.

Usage: bench_io_peer.py FILE VARIABLE REPEATS
Prints one JSON object: library versions, best seconds reading one 2-D field per call (v[m, t, :, :]) and
reading the whole variable at once (v[:]), and the float64 sum of all values (to check both sides read the same).
Default netCDF4-python settings (auto mask and scale on), as a user gets them.
"""
import json, sys, time
import numpy as np
import netCDF4

def main():
    path, name, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ds = netCDF4.Dataset(path)
    v = ds[name]
    lead = v.shape[:-2]
    planes = list(np.ndindex(*lead))
    best_plane = best_whole = float("inf")
    checksum = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        sums = np.empty(len(planes))
        for k, idx in enumerate(planes):
            a = v[idx]
            sums[k] = np.sum(a, dtype=np.float64)
        best_plane = min(best_plane, time.perf_counter() - t0)
        checksum = float(np.sum(sums))
    for _ in range(repeats):
        t0 = time.perf_counter()
        a = v[:]
        s = float(np.sum(a, dtype=np.float64))
        best_whole = min(best_whole, time.perf_counter() - t0)
        del a
    ds.close()
    print(json.dumps({"netCDF4": netCDF4.__version__, "libnetcdf": netCDF4.__netcdf4libversion__,
                      "hdf5": netCDF4.__hdf5libversion__, "numpy": np.__version__,
                      "per_plane_seconds": best_plane, "whole_seconds": best_whole, "checksum": checksum}))

if __name__ == "__main__":
    main()
