#!/usr/bin/env python3
"""Golden values for wxens' GRIB reader: what cfgrib + xarray make of every file in ../shared/data/grib.

cfgrib runs on the system's ecCodes (Debian 12: libeccodes-dev 2.28, the library wxens links), not the newer one
PyPI's eccodeslib wheel brings: parameter names differ between ecCodes versions (2.50 calls paramId 3112 nlwrs,
2.28 p3112). From the repository root, with a venv outside it (CI does not need any of this):
    python3 -m venv /tmp/gribvenv && /tmp/gribvenv/bin/pip install cfgrib xarray eccodes
    /tmp/gribvenv/bin/python -m pip uninstall -y eccodeslib eckitlib
    ECCODES_PYTHON_USE_FINDLIBS=1 /tmp/gribvenv/bin/python scripts/golden/make_grib_golden.py
Writes Tests/WXIOTests/Golden/grib_golden.json: per file (and per filter where the file is several hypercubes)
the dimensions, coordinates, attributes and, per variable, sums, a CRC-32 of the float32 bits and a few values.
"""
import json, os, sys, warnings, zlib
import numpy as np
import xarray as xr
import cfgrib

warnings.filterwarnings("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "grib")
OUT = os.path.join(ROOT, "Tests", "WXIOTests", "Golden", "grib_golden.json")

# Files that are several hypercubes, opened one filter at a time (cfgrib's filter_by_keys).
FILTERS = {
    "t_on_different_level_types.grib": [{"typeOfLevel": "isobaricInhPa"}, {"typeOfLevel": "hybrid"}],
    "tp_on_different_grid_resolutions.grib": [{"Nx": 72}, {"Nx": 90}],
    "uv_on_different_levels.grib": [{"shortName": "u"}, {"shortName": "v"}],
}
SAMPLES = 6


def crc32(a):
    """CRC-32 (zlib's) of the little-endian float32 bits, NaN as 0x7fc00000 (the Swift test computes the same)."""
    bits = np.ascontiguousarray(a, dtype="<f4").view("<u4").copy()
    bits[np.isnan(a)] = 0x7FC00000
    return "%08x" % zlib.crc32(bits.tobytes())


def jsonable(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    return v


def coord_values(c):
    v = c.values
    if np.issubdtype(v.dtype, np.datetime64):
        return (v.astype("datetime64[s]").astype("int64")).astype(float).ravel().tolist(), "seconds since 1970-01-01"
    if np.issubdtype(v.dtype, np.timedelta64):
        return (v.astype("timedelta64[s]").astype("int64") / 3600.0).ravel().tolist(), "hours"
    return v.astype(float).ravel().tolist(), c.attrs.get("units")


def describe(ds):
    out = {"dims": {k: int(v) for k, v in ds.sizes.items()},
           "attrs": {k: jsonable(v) for k, v in ds.attrs.items() if k.startswith("GRIB_")},
           "coords": {}, "variables": {}}
    for name, c in ds.coords.items():
        vals, units = coord_values(c)
        d = {"dims": list(c.dims), "units": units, "count": len(vals),
             "attrs": {k: jsonable(v) for k, v in c.attrs.items()}}
        if len(vals) <= 400:
            d["values"] = vals
        else:
            d["first"], d["last"], d["sum"] = vals[0], vals[-1], float(np.nansum(vals))
        out["coords"][name] = d
    for name, v in ds.data_vars.items():
        a = v.values.astype("float32")
        flat = a.ravel()
        n = flat.size
        idx = sorted(set([0, n - 1] + [int(i) for i in np.linspace(0, n - 1, SAMPLES)]))
        finite = np.where(~np.isnan(flat))[0]
        if finite.size:
            idx = sorted(set(idx + [int(finite[0]), int(finite[-1]), int(finite[finite.size // 2])]))
        out["variables"][name] = {
            "dims": list(v.dims), "shape": list(v.shape), "dtype": str(v.dtype),
            "attrs": {k: jsonable(x) for k, x in v.attrs.items()},
            "nan_count": int(np.isnan(flat).sum()),
            "sum": float(np.nansum(flat.astype("float64"))),
            "crc32": crc32(flat),
            "samples": [[i, None if np.isnan(flat[i]) else float(flat[i])] for i in idx],
        }
    return out


def main():
    golden = {"cfgrib": cfgrib.__version__, "xarray": xr.__version__, "eccodes": cfgrib.messages.eccodes_version,
              "files": {}}
    for f in sorted(os.listdir(DATA)):
        if not f.endswith(".grib"):
            continue
        path = os.path.join(DATA, f)
        entry = {}
        for fbk in FILTERS.get(f, [{}]):
            key = ",".join("%s=%s" % kv for kv in sorted(fbk.items()))
            try:
                ds = xr.open_dataset(path, engine="cfgrib", indexpath="", backend_kwargs={"filter_by_keys": fbk, "errors": "raise"})
                entry[key] = describe(ds.load())
            except Exception as e:
                entry[key] = {"error": "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")}
        golden["files"][f] = entry
        print(f, {k: (v.get("error") or v["dims"]) for k, v in entry.items()}, file=sys.stderr)
    with open(OUT, "w") as fh:
        json.dump(golden, fh, indent=1, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
