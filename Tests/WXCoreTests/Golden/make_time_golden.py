#!/usr/bin/env python3
"""Golden CF time decodings from cftime (the library netCDF4.num2date uses), for WXCore's CF time tests.

Run: .venv-peers/bin/python Tests/WXCoreTests/Golden/make_time_golden.py  (writes cftime_golden.json here)
"""
import json, os
import numpy as np
import cftime

HERE = os.path.dirname(os.path.abspath(__file__))
CALENDARS = ["standard", "gregorian", "proleptic_gregorian", "noleap", "365_day", "all_leap", "366_day", "360_day", "julian"]
UNITS = ["hours since 1900-01-01 00:00:00", "days since 1960-01-01", "seconds since 1970-01-01T00:00:00Z",
         "minutes since 2000-3-21T0:0:0Z", "days since 1958-1-1", "hours since 2000-03-21 00:00:00",
         "days since 1-1-1", "hours since 1582-10-15 00:00", "days since 1500-02-28", "hours since 1900-01-01 00:00:00.0",
         "days since 2000-02-28 12:30:15", "seconds since 1999-12-31 23:59:59", "days since 1850-01-01 06:00:00 +06:00",
         "milliseconds since 2010-06-01"]
rng = np.random.default_rng(20261126)

def values_for(units):
    base = [0.0, 1.0, 0.5, -1.0, 59.0, 60.0, 365.0, 366.0, 1000.25, 36524.0, 146097.0, -700000.0, 12345.678]
    extra = list(rng.uniform(-1e6, 1e6, 6).round(3))
    vals = base + extra
    if units.startswith("seconds"): vals = [v * 86400 for v in vals]
    if units.startswith("milliseconds"): vals = [v * 86400000 for v in vals[:8]]
    if units.startswith("minutes"): vals = [v * 1440 for v in vals]
    return vals

cases = []
for units in UNITS:
    for cal in CALENDARS:
        vals = values_for(units)
        out = []
        for v in vals:
            try:
                d = cftime.num2date(v, units, calendar=cal, only_use_cftime_datetimes=True)
                if d.year < 1: continue  # wxens and cftime disagree on year 0 conventions; CF data never goes there
                out.append({"value": v, "iso": d.isoformat(),
                            "back": float(cftime.date2num(d, units, calendar=cal))})
            except Exception as e:
                out.append({"value": v, "error": type(e).__name__})
        cases.append({"units": units, "calendar": cal, "decoded": out})

bad = ["months since 1958-1-1 00:00:00", "years since 2000-01-01", "month", "hours after 2000-01-01",
       "hours since", "fortnights since 2000-01-01", "days since 2000-13-01", "days since 2001-02-29"]
bad_out = []
for u in bad:
    try:
        cftime.num2date(0, u, calendar="standard")
        bad_out.append({"units": u, "cftime": "ok"})
    except Exception as e:
        bad_out.append({"units": u, "cftime": type(e).__name__})
with open(os.path.join(HERE, "cftime_golden.json"), "w") as fh:
    json.dump({"cftime": cftime.__version__, "cases": cases, "bad_units": bad_out}, fh, indent=1)
print(len(cases), "cases")
