#!/usr/bin/env python3
"""Opens a netCDF file written by wxens with xarray and checks it against an expectation JSON.

Usage: check_cf_xarray.py FILE EXPECT.json
Prints one JSON verdict on stdout: {"ok": bool, "checks": n, "failures": [...]}. Used by the Swift
round-trip tests (Tests/WXIOTests/CFXarrayRoundTripTests.swift); needs numpy, netCDF4 and xarray.
"""
import json
import re
import sys

import numpy as np
import xarray as xr


def main(path, expect_path):
    with open(expect_path) as f:
        expect = json.load(f)
    failures = []
    checks = 0

    def check(cond, what):
        nonlocal checks
        checks += 1
        if not cond:
            failures.append(what)

    with xr.open_dataset(path) as ds:
        sizes = {k: int(v) for k, v in ds.sizes.items()}
        check(sizes == expect["dims"], f"dims {sizes} != {expect['dims']}")

        for name, values in expect.get("coords", {}).items():
            got = ds[name].values
            check(name in ds.coords, f"{name} is not a coordinate")
            check(got.shape == (len(values),) and np.allclose(got.astype(float), values, rtol=0, atol=1e-5),
                  f"coordinate {name} = {got.tolist()} != {values}")

        for name, hours in expect.get("timedeltas_hours", {}).items():
            got = ds[name].values
            if got.dtype.kind == "m":
                got = got / np.timedelta64(1, "h")
            check(np.allclose(np.asarray(got, dtype=float), hours), f"{name} hours {got.tolist()} != {hours}")

        for name, isos in expect.get("times", {}).items():
            got = ds[name].values
            check(got.dtype.kind == "M", f"{name} not decoded to datetime64 (dtype {got.dtype})")
            if got.dtype.kind == "M":
                strings = [str(s) for s in np.datetime_as_string(got, unit="s")]
                check(strings == isos, f"{name} decoded to {strings}, expected {isos}")

        for name, calendar in expect.get("calendars", {}).items():
            got = ds[name].encoding.get("calendar")
            check(got == calendar, f"{name} calendar {got!r} != {calendar!r}")

        for owner, attrs in expect.get("attrs", {}).items():
            for key, value in attrs.items():
                if owner == "":
                    got = ds.attrs.get(key)
                else:
                    got = ds[owner].attrs.get(key, ds[owner].encoding.get(key))
                check(got == value, f"attribute {owner or 'global'}:{key} = {got!r}, expected {value!r}")

        if "history_command" in expect:
            history = ds.attrs.get("history", "")
            pattern = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: " + re.escape(expect["history_command"]) + "$"
            check(re.match(pattern, history) is not None, f"history {history!r} does not match {pattern!r}")

        for name, spec in expect.get("variables", {}).items():
            var = ds[name]
            check(list(var.dims) == spec["dims"], f"{name} dims {list(var.dims)} != {spec['dims']}")
            got = np.asarray(var.values, dtype=float).ravel()
            want = np.array([np.nan if v is None else v for v in spec["values"]], dtype=float)
            check(got.shape == want.shape, f"{name} has {got.size} values, expected {want.size}")
            if got.shape == want.shape:
                check(np.array_equal(np.isnan(got), np.isnan(want)),
                      f"{name}: NaN at {np.flatnonzero(np.isnan(got)).tolist()[:20]}, expected at "
                      f"{np.flatnonzero(np.isnan(want)).tolist()[:20]}")
                ok = ~np.isnan(want) & ~np.isnan(got)
                err = float(np.max(np.abs(got[ok] - want[ok]))) if ok.any() else 0.0
                check(err <= spec["atol"], f"{name}: max abs error {err} > {spec['atol']}")
            enc = var.encoding
            if "packed_dtype" in spec:
                check(str(enc.get("dtype")) == spec["packed_dtype"], f"{name} stored as {enc.get('dtype')}")
                check(np.isclose(float(enc.get("scale_factor", np.nan)), spec["scale_factor"]),
                      f"{name} scale_factor {enc.get('scale_factor')}")
                check(np.isclose(float(enc.get("add_offset", np.nan)), spec["add_offset"]),
                      f"{name} add_offset {enc.get('add_offset')}")
            if "fill_value" in spec:
                fill = enc.get("_FillValue")
                want_fill = spec["fill_value"]
                same = (fill is not None and ((want_fill is None and np.isnan(fill)) or
                                              (want_fill is not None and float(fill) == want_fill)))
                check(same, f"{name} _FillValue {fill!r} != {want_fill!r}")

    print(json.dumps({"ok": not failures, "checks": checks, "failures": failures}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
