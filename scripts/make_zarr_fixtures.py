#!/usr/bin/env python3
"""Writes the Zarr stores the Zarr tests read, with xarray + zarr from small subsets of the shared NetCDF files,
and xarray's decoded values of each as the golden values.

  make_zarr_fixtures.py io SHARED_DATA OUT      stores in every layout the reader handles (v2/v3, codecs, consolidated
                                                or not, big-endian, "/" chunk keys, edge chunks, a deleted chunk) and
                                                stores with codecs it does not decode; per store STORE.golden.json and
                                                STORE.VAR.f64 (xarray's decoded values, float64 little-endian)
  make_zarr_fixtures.py verify SHARED_DATA OUT  a forecast and a truth, each as a Zarr store and as a NetCDF copy
"""
import json
import os
import shutil
import sys

import numcodecs
import numpy as np
import xarray as xr
import zarr
from zarr.codecs import BloscCodec, Crc32cCodec, GzipCodec, ZstdCodec


def era5(shared):
    ds = xr.open_dataset(os.path.join(shared, "real/era5_eda_members_t_z_2017-01.nc"))
    return ds.isel(member=slice(0, 4)).load()


def truth(shared):
    ds = xr.open_dataset(os.path.join(shared, "perfect-model/truth.nc"))
    return ds[["z500", "t850"]].isel(time=slice(0, 20)).load()


def clear(ds):
    """Drops the NetCDF encodings zarr does not take, keeping dtype and CF packing."""
    out = ds.copy()
    for v in out.variables.values():
        v.encoding = {k: v.encoding[k] for k in ("dtype", "scale_factor", "add_offset", "_FillValue", "units", "calendar")
                      if k in v.encoding}
    return out


def every(ds, **enc):
    return {name: dict(enc) for name in ds.variables}


def golden(store, out, name, consolidated, fmt):
    """xarray's view of the store: decoded data variables as raw float64, coordinates raw and decoded."""
    raw = xr.open_zarr(store, decode_times=False, consolidated=consolidated)
    dec = xr.open_zarr(store, consolidated=consolidated)
    doc = {"variables": {}, "coordinates": {}, "zarr_format": fmt,
           "consolidated": bool(consolidated)}
    for v in dec.data_vars:
        values = dec[v].values.astype("<f8")
        values.tofile(os.path.join(out, f"{name}.{v}.f64"))
        doc["variables"][v] = {"dims": list(dec[v].dims), "shape": list(values.shape),
                               "units": dec[v].attrs.get("units"), "nan": int(np.isnan(values).sum())}
    for c in raw.coords:
        if raw[c].ndim != 1 or raw[c].dims[0] != c:
            continue
        # Float arrays go to binary files: JSON decimals are not read back exactly by every parser.
        raw[c].values.astype("<f8").tofile(os.path.join(out, f"{name}.coord.{c}.f64"))
        entry = {"units": raw[c].attrs.get("units"), "time": bool(np.issubdtype(dec[c].dtype, np.datetime64))}
        if entry["time"]:
            (dec[c].values.astype("datetime64[ns]").astype("int64") / 1e9).astype("<f8").tofile(
                os.path.join(out, f"{name}.seconds.{c}.f64"))
        doc["coordinates"][c] = entry
    with open(os.path.join(out, f"{name}.golden.json"), "w") as f:
        json.dump(doc, f)


def io(shared, out):
    e = clear(era5(shared))
    t = clear(truth(shared))
    chunked = {v: dict(t[v].encoding, chunks=(7, 20, 40)) for v in ("z500", "t850")}
    sharded = e.copy(deep=True)
    sharded["z"][1, 2] = np.nan  # inner chunks of the fill value, which zarr may leave unwritten
    stores = {
        "era5_v2_blosc_consolidated": (e, 2, True, None),
        "era5_v2_zstd": (e, 2, False, every(e, compressors=[numcodecs.Zstd(level=3)])),
        "era5_v2_zlib_slash": (e, 2, False, every(e, compressors=[numcodecs.Zlib(level=5)],
                                                 chunk_key_encoding={"name": "v2", "separator": "/"})),
        "era5_v2_gzip_bigendian": (e.assign(z=e.z.astype(">f4"), t=e.t.astype(">f4")), 2, False,
                                   {"z": {"compressors": [numcodecs.GZip()]}, "t": {"compressors": [numcodecs.GZip()]}}),
        "era5_v2_raw": (e, 2, False, every(e, compressors=None)),
        "era5_v3_zstd": (e, 3, False, None),
        "era5_v3_blosc_consolidated": (e, 3, True, every(e, compressors=[BloscCodec(cname="zstd", clevel=3, shuffle="bitshuffle")])),
        "era5_v3_gzip_crc32c": (e, 3, False, every(e, compressors=[GzipCodec(level=4), Crc32cCodec()])),
        "era5_v3_sharded": (sharded, 3, False, {v: {"chunks": (1, 1, 1, 61, 120), "shards": (2, 4, 2, 61, 120),
                                                    "compressors": [ZstdCodec(level=1)]} for v in ("z", "t")}),
        "truth_v2_chunked": (t, 2, True, chunked),
        "era5_v3_plane_chunks_crc32c": (e, 3, False, {v: {"chunks": (1, 1, 1, 61, 120),
                                                               "compressors": [ZstdCodec(level=1), Crc32cCodec()]}
                                                      for v in ("z", "t")}),
        "truth_v3_chunked": (t, 3, False, chunked),
        "truth_v2_missing_chunk": (t, 2, False, chunked),
        "truth_v3_missing_chunk": (t, 3, False, chunked),
    }
    for name, (ds, fmt, consolidated, enc) in stores.items():
        path = os.path.join(out, name + ".zarr")
        shutil.rmtree(path, ignore_errors=True)
        ds.to_zarr(path, zarr_format=fmt, consolidated=consolidated, encoding=enc, mode="w")
        if name.endswith("missing_chunk"):
            os.remove(os.path.join(path, "z500", "1.1.1" if fmt == 2 else "c/1/1/1"))
        golden(path, out, name, consolidated, fmt)
    bad = os.path.join(out, "bad_codec_lzma.zarr")
    shutil.rmtree(bad, ignore_errors=True)
    e.to_zarr(bad, zarr_format=2, consolidated=False, encoding={"z": {"compressors": [numcodecs.LZMA()]}}, mode="w")
    bad = os.path.join(out, "bad_filter_delta.zarr")
    shutil.rmtree(bad, ignore_errors=True)
    e.to_zarr(bad, zarr_format=2, consolidated=False, encoding={"t": {"filters": [numcodecs.Delta(dtype="<f4")]}}, mode="w")


def verify(shared, out):
    fc = xr.open_dataset(os.path.join(shared, "perfect-model/reforecast_validation.nc"))
    fc = fc[["z500", "t850"]].isel(init_time=slice(0, 4), member=slice(0, 8)).load()
    tr = xr.open_dataset(os.path.join(shared, "perfect-model/truth.nc"))
    lead = (fc.lead_time.values.astype("f8") * 3600e9).astype("timedelta64[ns]")
    valid = np.unique((fc.init_time.values[:, None] + lead[None, :]).ravel())
    tr = tr[["z500", "t850"]].sel(time=tr.time.isin(valid)).load()
    for ds, name, fmt in ((clear(fc), "forecast", 2), (clear(tr), "truth", 3)):
        ds.to_netcdf(os.path.join(out, name + ".nc"))
        path = os.path.join(out, name + ".zarr")
        shutil.rmtree(path, ignore_errors=True)
        ds.to_zarr(path, zarr_format=fmt, consolidated=fmt == 2, mode="w")


if __name__ == "__main__":
    mode, shared, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    {"io": io, "verify": verify}[mode](shared, out)
    print(json.dumps({"ok": True, "zarr": zarr.__version__, "xarray": xr.__version__}))
