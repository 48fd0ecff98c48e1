#!/usr/bin/env python3
"""Peer for `wxens-bench write`: writes the same CF ensemble as wxens with netCDF4-python (member by member)
and with xarray (whole dataset), same packing, compression and chunking, and times them.

Usage: write_peer.py SOURCE OUT_DIR REPEATS ZLIB_LEVEL [WXENS_FILE]
Prints one JSON object: best seconds per peer, file sizes, library versions, and (with WXENS_FILE) how many
packed values of the wxens file differ from netCDF4-python's.
"""
import json
import os
import sys
import time

import netCDF4
import numpy as np
import xarray as xr

VARS = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]


def load(source):
    with netCDF4.Dataset(source) as ds:
        coords = {k: ds[k][:].data for k in ("init_time", "member", "lead_time", "latitude", "longitude")}
        units = ds["init_time"].units
        data, meta = {}, {}
        for v in VARS:
            a = np.asarray(ds[v][:], dtype=np.float32)        # (init, member, lead, lat, lon), unpacked
            data[v] = np.ascontiguousarray(a.transpose(1, 0, 2, 3, 4))  # (member, init, lead, lat, lon)
            meta[v] = dict(units=ds[v].units, scale=np.float32(ds[v].scale_factor), offset=np.float32(ds[v].add_offset))
    return coords, units, data, meta


def write_netcdf4(path, coords, units, data, meta, level):
    with netCDF4.Dataset(path, "w", format="NETCDF4") as ds:
        dims = ("member", "init_time", "lead_time", "latitude", "longitude")
        for d in dims:
            ds.createDimension(d, len(coords[d]))
        for d, t in zip(dims, ("i4", "f8", "f8", "f4", "f4")):
            ds.createVariable(d, t, (d,))[:] = coords[d]
        ds["init_time"].units = units
        ds["init_time"].calendar = "proleptic_gregorian"
        ds["lead_time"].units = "hours"
        nlat, nlon = len(coords["latitude"]), len(coords["longitude"])
        for v in VARS:
            var = ds.createVariable(v, "i2", dims, zlib=True, complevel=level, shuffle=True,
                                    chunksizes=(1, 1, 1, nlat, nlon), fill_value=np.int16(-32767))
            var.scale_factor = meta[v]["scale"]
            var.add_offset = meta[v]["offset"]
            var.units = meta[v]["units"]
        for m in range(len(coords["member"])):
            for v in VARS:
                ds[v][m] = data[v][m]


def write_xarray(path, coords, units, data, meta, level):
    dims = ("member", "init_time", "lead_time", "latitude", "longitude")
    nlat, nlon = len(coords["latitude"]), len(coords["longitude"])
    ds = xr.Dataset({v: (dims, data[v], {"units": meta[v]["units"]}) for v in VARS},
                    coords={d: coords[d] for d in dims})
    ds["init_time"].attrs.update(units=units, calendar="proleptic_gregorian")
    ds["lead_time"].attrs.update(units="hours")
    enc = {v: dict(dtype="int16", scale_factor=meta[v]["scale"], add_offset=meta[v]["offset"], _FillValue=np.int16(-32767),
                   zlib=True, complevel=level, shuffle=True, chunksizes=(1, 1, 1, nlat, nlon)) for v in VARS}
    ds.to_netcdf(path, format="NETCDF4", engine="netcdf4", encoding=enc)


def best(fn, repeats):
    t = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def main():
    source, out_dir, repeats, level = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    wxens_file = sys.argv[5] if len(sys.argv) > 5 else None
    coords, units, data, meta = load(source)
    p1, p2 = os.path.join(out_dir, "peer-netcdf4.nc"), os.path.join(out_dir, "peer-xarray.nc")
    r = {
        "netcdf4_seconds": best(lambda: write_netcdf4(p1, coords, units, data, meta, level), repeats),
        "xarray_seconds": best(lambda: write_xarray(p2, coords, units, data, meta, level), repeats),
        "netcdf4_bytes": os.path.getsize(p1), "xarray_bytes": os.path.getsize(p2),
        "versions": f"netCDF4-python {netCDF4.__version__} (libnetcdf {netCDF4.__netcdf4libversion__}, "
                    f"HDF5 {netCDF4.__hdf5libversion__}), xarray {xr.__version__}",
    }
    if wxens_file:
        differ, total = 0, 0
        with netCDF4.Dataset(wxens_file) as a, netCDF4.Dataset(p1) as b:
            for v in VARS:
                a[v].set_auto_maskandscale(False)
                b[v].set_auto_maskandscale(False)
                x, y = a[v][:], b[v][:]
                differ += int(np.count_nonzero(x != y))
                total += x.size
        r["packed_values_differing_from_netcdf4"] = differ
        r["packed_values"] = total
    print(json.dumps(r))


if __name__ == "__main__":
    main()
