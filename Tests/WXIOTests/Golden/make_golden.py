#!/usr/bin/env python3
"""Golden values for the WXIO reader tests.

Reads every file in ../shared/data/real and ../shared/data/perfect-model with netCDF4-python (auto mask
and scale on, as xarray's default decoding) or, for plain HDF5 (.h5, .he5), with h5py plus the same CF
masking/unpacking rules netCDF4-python applies (no netCDF default fill). Writes reader_golden.json beside
this script. Run: .venv-peers/bin/python Tests/WXIOTests/Golden/make_golden.py
"""
import json, math, os, sys, warnings
import numpy as np
import netCDF4, h5py, cftime

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))
BIG = 3_000_000  # variables larger than this get per-plane checks only

def num(x):
    x = float(x)
    if math.isnan(x): return "nan"
    if math.isinf(x): return "inf" if x > 0 else "-inf"
    return x

def attval(v):
    if isinstance(v, bytes): v = v.decode("utf-8", "replace")
    if isinstance(v, str): return {"text": v[:200]}
    a = np.atleast_1d(np.asarray(v))
    if a.dtype.kind in "SU" or a.dtype == object:
        return {"texts": [str(s.decode() if isinstance(s, bytes) else s)[:200] for s in a]}
    return {"numbers": [num(x) for x in a.astype(np.float64)]}

def dtname(dt):
    if dt == str or getattr(dt, "kind", "") in "OU": return "string"
    if dt.kind == "S": return "char"
    return {"i1": "int8", "u1": "uint8", "i2": "int16", "u2": "uint16", "i4": "int32", "u4": "uint32",
            "i8": "int64", "u8": "uint64", "f4": "float32", "f8": "float64"}.get(dt.str[1:], "other")

def stats(a):
    a = np.asarray(a, dtype=np.float64)
    fin = a[~np.isnan(a)]
    return {"count": int(a.size), "nan_count": int(np.isnan(a).sum()),
            "sum": num(math.fsum(fin.ravel().tolist())) if fin.size else 0.0,
            "min": num(fin.min()) if fin.size else "nan", "max": num(fin.max()) if fin.size else "nan"}

def probes(shape):
    """Fixed multi-indices to check: first, one-third, middle, last element."""
    n = int(np.prod(shape)) if shape else 1
    flat = sorted(set([0, n // 3, n // 2, n - 1])) if n > 0 else []
    return [list(map(int, np.unravel_index(i, shape))) if shape else [] for i in flat]

def slab_of(shape):
    start = [s // 4 for s in shape]
    stride = [2 if s >= 6 else 1 for s in shape]
    count = [max(1, min(3, (s - st + sd - 1) // sd)) for s, st, sd in zip(shape, start, stride)]
    return start, count, stride

def check_values(read, shape, dtype):
    """read(index tuple of slices/ints) -> float64 array with NaN for missing."""
    out = {}
    n = int(np.prod(shape)) if shape else 1
    if n <= BIG:
        full = read(tuple(slice(None) for _ in shape))
        out["stats"] = stats(full)
        out["probes"] = [{"index": p, "value": num(np.asarray(full)[tuple(p)] if shape else np.asarray(full).item())}
                         for p in probes(shape)]
    else:
        planes = []
        lead = shape[:-2]
        nplanes = int(np.prod(lead))
        for k in sorted(set([0, nplanes // 2, nplanes - 1])):
            idx = list(map(int, np.unravel_index(k, lead)))
            a = read(tuple(idx) + (slice(None), slice(None)))
            planes.append({"start": idx + [0, 0], "count": [1] * len(idx) + list(shape[-2:]), "stats": stats(a)})
        out["planes"] = planes
    if shape:
        start, count, stride = slab_of(shape)
        sl = tuple(slice(st, st + (c - 1) * sd + 1, sd) for st, c, sd in zip(start, count, stride))
        out["slab"] = {"start": start, "count": count, "stride": stride,
                       "values": [num(x) for x in np.asarray(read(sl), dtype=np.float64).ravel()]}
    return out

def times_of(units, calendar, values):
    try:
        vals = np.asarray(values, dtype=np.float64)
        ok = ~np.isnan(vals)
        d = cftime.num2date(vals[ok], units, calendar=calendar or "standard",
                            only_use_cftime_datetimes=True)
        iso = [x.isoformat() for x in np.atleast_1d(d)]
        it = iter(iso)
        return {"iso": [next(it) if o else None for o in ok]}
    except Exception as e:
        return {"error": type(e).__name__}

def edges(a, k=3):
    a = np.asarray(a, dtype=np.float64).ravel()
    return [num(x) for x in a[:k]] + ([num(x) for x in a[-k:]] if a.size > k else [])

def filled(x):
    if np.ma.isMaskedArray(x):
        return np.ma.filled(x.astype(np.float64), np.nan)
    return np.asarray(x, dtype=np.float64)

def netcdf_file(path):
    ds = netCDF4.Dataset(path)
    out = {"format": ds.data_model, "groups": [], "variables": {}}
    def walk(g, gp):
        out["groups"].append(gp)
        out.setdefault("group_attributes", {})[gp] = {k: attval(g.getncattr(k)) for k in g.ncattrs()}
        for name, v in g.variables.items():
            vp = (gp if gp != "/" else "") + "/" + name
            e = {"dims": list(v.dimensions), "shape": list(v.shape), "dtype": dtname(v.dtype),
                 "attributes": {k: attval(v.getncattr(k)) for k in v.ncattrs()}}
            if e["dtype"] not in ("char", "string", "other"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    e.update(check_values(lambda s: filled(v[s]), list(v.shape), v.dtype))
                    if len(v.shape) == 1 and v.dimensions[0] == name:
                        vals = filled(v[:])
                        e["coordinate_edges"] = edges(vals)
                        units = getattr(v, "units", None)
                        if isinstance(units, str) and " since " in units.lower():
                            t = times_of(units, getattr(v, "calendar", None), vals)
                            if "iso" in t:
                                iso = t["iso"]
                                t["iso"] = iso[:3] + iso[-3:] if len(iso) > 6 else iso
                                t["indices"] = (list(range(3)) + list(range(len(iso) - 3, len(iso)))) if len(iso) > 6 else list(range(len(iso)))
                            e["times"] = t
            out["variables"][vp] = e
        for cname, c in g.groups.items():
            walk(c, (gp if gp != "/" else "") + "/" + cname)
    walk(ds, "/")
    ds.close()
    return out

def safecast(att, dtype):
    a = np.atleast_1d(np.asarray(att))
    if a.dtype.kind not in "iuf": return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = a.astype(dtype)
    ok = ((a == b) | (np.isnan(a.astype(np.float64)) & np.isnan(b.astype(np.float64)))).all()
    return b if ok else None

def cf_decode_h5(d, raw):
    """netCDF4-python's mask-and-scale rules on h5py data (no netCDF default fill)."""
    x = np.asarray(raw)
    mask = np.zeros(x.shape, bool)
    for key in ("missing_value", "_FillValue"):
        if key in d.attrs:
            m = safecast(d.attrs[key], d.dtype)
            if m is not None:
                for val in (m[:1] if key == "_FillValue" else m):
                    mask |= np.isnan(x) if np.isnan(float(val)) else (x == val)
    vr = safecast(d.attrs["valid_range"], d.dtype) if "valid_range" in d.attrs else None
    if vr is not None and vr.size == 2:
        mask |= (x < vr[0]) | (x > vr[1])
    else:
        for key, op in (("valid_min", np.less), ("valid_max", np.greater)):
            if key in d.attrs:
                m = safecast(d.attrs[key], d.dtype)
                if m is not None: mask |= op(x, m[0])
    y = x.astype(np.float64)
    sf = float(np.asarray(d.attrs["scale_factor"]).ravel()[0]) if "scale_factor" in d.attrs else None
    ao = float(np.asarray(d.attrs["add_offset"]).ravel()[0]) if "add_offset" in d.attrs else None
    if sf is not None and ao is not None:
        if ao != 0 or sf != 1: y = y * sf + ao
    elif sf is not None and sf != 1: y = y * sf
    elif ao is not None and ao != 0: y = y + ao
    y[mask] = np.nan
    return y

def hdf5_file(path):
    f = h5py.File(path, "r")
    out = {"format": "HDF5", "groups": ["/"], "variables": {}, "group_attributes": {"/": {k: attval(f.attrs[k]) for k in f.attrs}}}
    def visit(name, link):
        # every link is listed (hard links to one dataset, e.g. MLS IWC -> L2gpValue, appear under both names)
        p = "/" + name
        o = f[p]
        if isinstance(o, h5py.Group):
            out["groups"].append(p)
            out["group_attributes"][p] = {k: attval(o.attrs[k]) for k in o.attrs if o.attrs.get_id(k).get_type().get_class() in (h5py.h5t.INTEGER, h5py.h5t.FLOAT, h5py.h5t.STRING)}
            return
        attrs = {}
        for k in o.attrs:
            cls = o.attrs.get_id(k).get_type().get_class()
            if cls in (h5py.h5t.INTEGER, h5py.h5t.FLOAT, h5py.h5t.STRING):
                attrs[k] = attval(o.attrs[k])
        e = {"shape": list(o.shape), "dtype": dtname(o.dtype) if o.dtype.kind != "S" else "string", "attributes": attrs}
        if e["dtype"] not in ("char", "string", "other"):
            e.update(check_values(lambda s: cf_decode_h5(o, o[s]), list(o.shape), o.dtype))
            if len(o.shape) == 1:
                e["coordinate_edges"] = edges(cf_decode_h5(o, o[...]))
        out["variables"][p] = e
    f.visititems_links(visit)
    f.close()
    return out

def main():
    files = {}
    for sub in ("real", "perfect-model"):
        d = os.path.join(SHARED, sub)
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if name.endswith(".nc"):
                files[sub + "/" + name] = netcdf_file(p)
            elif name.endswith(".h5") or name.endswith(".he5"):
                files[sub + "/" + name] = hdf5_file(p)
    meta = {"netCDF4": netCDF4.__version__, "netcdf_c": netCDF4.__netcdf4libversion__, "h5py": h5py.__version__,
            "numpy": np.__version__, "cftime": cftime.__version__, "big_threshold": BIG}
    with open(os.path.join(HERE, "reader_golden.json"), "w") as fh:
        json.dump({"meta": meta, "files": files}, fh, indent=None, separators=(",", ":"))
    print("wrote", len(files), "files")

if __name__ == "__main__":
    main()
