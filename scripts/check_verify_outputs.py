#!/usr/bin/env python3
"""Opens wxens outputs as WeatherBench2 users do (xarray defaults) and runs the CF checker on them.

Usage:
  check_verify_outputs.py xarray EXPECT.json   xarray checks of scores.nc, diagnostics.nc, a climatology, a CF ensemble
  check_verify_outputs.py cf FILE...           compliance-checker (cf:1.8) on each file
  check_verify_outputs.py to-wb2 IN OUT [bare] rewrites a wxens forecast (init_time, member, lead_time, ...) in WB2's
                                               layout (time, prediction_timedelta, number, ...) with xarray; "bare"
                                               drops the CF attributes of time, as in WB2's own files
Prints one JSON verdict on stdout: {"ok": bool, "checks": n, "failures": [...]} (to-wb2 prints {"ok": true}).
A missing package prints {"missing": "name"}. Used by Tests/WXPipelinesTests/VerifyEcosystemTests.swift.
"""
import json
import sys


class Checks:
    def __init__(self):
        self.n = 0
        self.failures = []

    def __call__(self, cond, what):
        self.n += 1
        if not cond:
            self.failures.append(what)

    def verdict(self, **extra):
        return {"ok": not self.failures, "checks": self.n, "failures": self.failures, **extra}


def xarray_checks(expect):
    import numpy as np
    import xarray as xr
    import netCDF4

    check = Checks()
    var, units = expect["variable"], expect["units"]

    def is_timedelta(da):
        return da.dtype.kind == "m"

    def no_fill_on_coordinates(path, group=None):
        with netCDF4.Dataset(path) as nc:
            g = nc[group] if group else nc
            for name, v in g.variables.items():
                if name in g.dimensions:
                    check("_FillValue" not in v.ncattrs(), f"{path}: coordinate {name} has a _FillValue")

    # scores.nc as WeatherBench2's results
    scores = expect["scores"]
    with xr.open_dataset(scores) as ds:
        check(is_timedelta(ds.lead_time), f"scores.nc lead_time decodes to {ds.lead_time.dtype}, not timedelta64")
        check("calendar" not in ds.lead_time.attrs and "calendar" not in ds.lead_time.encoding, "lead_time has a calendar")
        for name, da in ds.data_vars.items():
            check(set(da.dims) == {"metric", "region", "lead_time"}, f"data variable {name} has dims {da.dims}: counts must not sit among the scores")
        for m in ["crps", "crps_standard", "crps_spread", "crps_skill", "ensemble_mean_rmse", "ensemble_mean_mse",
                  "ensemble_stddev", "ensemble_variance", "bias", "mae", "spread_skill"]:
            try:
                ds[var].sel(metric=m, region="global")
            except KeyError:
                check(False, f"metric {m} does not select")
        r = ds.sel(metric="crps", region="global")
        check(r[var].attrs.get("units") == units, f"sel(metric='crps', region='global')[{var}] has units {r[var].attrs.get('units')!r}, expected {units!r}")
        check(np.isclose(float(r[var].isel(lead_time=0)), expect["crps_lead0"], rtol=1e-14, atol=0),
              f"crps at the first lead {float(r[var].isel(lead_time=0))} != {expect['crps_lead0']}")
        check(int(ds.units_power.sel(metric="ensemble_variance")) == 2 and int(ds.units_power.sel(metric="crps")) == 1
              and int(ds.units_power.sel(metric="spread_skill")) == 0, "units_power is not 2 / 1 / 0 for variance / crps / spread_skill")
        # WeatherBench2's plotting: sel(lead_time='1D'), spread/skill from ensemble_stddev / ensemble_mean_rmse
        try:
            one_day = ds[var].sel(lead_time="1D", metric="crps", region="global")
            check(np.isclose(float(one_day), expect["crps_lead0"], rtol=1e-14, atol=0), "sel(lead_time='1D') is not the 24 h lead")
        except Exception as e:  # noqa: BLE001
            check(False, f"sel(lead_time='1D') fails: {e!r}")
        ratio = ds[var].sel(metric="ensemble_stddev") / ds[var].sel(metric="ensemble_mean_rmse")
        check(np.allclose(ratio.values, ds[var].sel(metric="spread_skill_uncorrected").values, rtol=1e-12),
              "ensemble_stddev / ensemble_mean_rmse != spread_skill_uncorrected")
        crps = ds[var].sel(metric="crps").values
        check(np.allclose(crps, (ds[var].sel(metric="crps_skill") - 0.5 * ds[var].sel(metric="crps_spread")).values, rtol=1e-12),
              "crps != crps_skill - crps_spread / 2 (WeatherBench2's identity)")
        check(bool(ds.attrs.get("history")), "scores.nc has no history")
    with xr.open_dataset(scores, group="counts") as c:
        for suffix in ["inits", "points", "min_valid_members", "max_valid_members"]:
            check(f"{var}_{suffix}" in c, f"counts group has no {var}_{suffix}")
        check(is_timedelta(c.lead_time), "counts group lead_time is not a timedelta")
        check(int(c[f"{var}_inits"].isel(lead_time=0, region=0)) == expect["inits_lead0"],
              f"{var}_inits = {int(c[f'{var}_inits'].isel(lead_time=0, region=0))}, expected {expect['inits_lead0']}")
    no_fill_on_coordinates(scores)
    no_fill_on_coordinates(scores, "counts")

    # diagnostics.nc: every dimension has coordinate values (numeric coordinate variables, or label auxiliary
    # coordinates: CF 1.12 forbids a string variable named like its dimension)
    diag = expect["diagnostics"]
    with netCDF4.Dataset(diag) as nc:
        for name, v in nc.variables.items():
            check(not (v.dimensions == (name,) and v.dtype is str), f"diagnostics.nc: string variable {name} is named like its dimension")
    with xr.open_dataset(diag) as ds:
        check(is_timedelta(ds.lead_time), f"diagnostics.nc lead_time decodes to {ds.lead_time.dtype}")
        for d in ds.dims:
            check(any(d in c.dims for c in ds.coords.values()), f"diagnostics.nc dimension {d} has no coordinate")
        check(bool(ds.attrs.get("history")), "diagnostics.nc has no history")
        # one variable per forecast variable and table, with an event dimension labelled by auxiliary coordinates
        tables = ["reliability_forecast_probability", "reliability_observed_frequency", "reliability_count",
                  "roc_hit_rate", "roc_false_alarm_rate", "contingency"]
        check(set(ds.data_vars) == {f"{var}_rank_histogram"} | {f"{var}_{t}" for t in tables},
              f"diagnostics.nc data variables {sorted(ds.data_vars)}")
        labels = ["event_name", "event_kind", "event_operator", "event_threshold"]
        for c in labels + ["contingency_entry"]:
            check(c in ds.coords, f"diagnostics.nc has no coordinate {c}")
        if all(c in ds.coords for c in labels):
            check(ds.event_name.dtype.kind in "OU", f"event_name has dtype {ds.event_name.dtype}")
            by_name = ds.set_xindex("event_name")
            fixed = expect["fixed_event"]
            e = by_name.sel(event_name=fixed["name"])
            check(str(e.event_kind.values) == "fixed" and str(e.event_operator.values) == fixed["operator"]
                  and float(e.event_threshold) == fixed["threshold"], f"event {fixed['name']}: {e.event_kind.values} {e.event_operator.values} {e.event_threshold.values}")
            check(set(map(str, ds.event_kind.values)) <= {"fixed", "climatology_quantile", "climatology_anomaly_sd"},
                  f"event kinds {ds.event_kind.values}")
            q = [str(n) for n, k in zip(ds.event_name.values, ds.event_kind.values) if str(k) == "climatology_quantile"]
            check(bool(q), "no climatology_quantile event")
            for n in q:
                t = float(by_name.event_threshold.sel(event_name=n))
                check(np.isclose(t * 100, float(n[1:])), f"event {n} has threshold {t}")
            counts = by_name[f"{var}_reliability_count"]
            check(counts.dims == ("lead_time", "event", f"{var}_probability_bin"), f"{var}_reliability_count dims {counts.dims}")
            one = counts.sel(event_name=fixed["name"], lead_time="1D")
            check(int(one.sum()) == expect["points_lead0"], f"reliability counts of {fixed['name']} at 1 day sum to {int(one.sum())}, not {expect['points_lead0']}")
            hr = by_name[f"{var}_roc_hit_rate"].sel(event_name=fixed["name"]).isel(lead_time=0)
            h0 = float(hr.isel({f"{var}_roc_threshold": 0}))
            check(np.isclose(h0, 1.0, rtol=1e-12, atol=0), f"the ROC hit rate at p >= 0 is {h0!r}, not 1")
            ct = ds[f"{var}_contingency"].set_xindex("contingency_entry").sel(contingency_entry="hits")
            check(ct.dims == ("lead_time", "event"), f"contingency hits dims {ct.dims}")
    no_fill_on_coordinates(diag)

    # the climatology: the statistics over time name a time with bounds
    with xr.open_dataset(expect["climatology"]) as ds:
        mean = ds[f"{var}_mean"]
        check("time" in mean.coords and mean.coords["time"].dtype.kind == "M", f"{var}_mean has no decoded time coordinate")
        check(ds.time.attrs.get("bounds") == "time_bnds" or ds.time.encoding.get("bounds") == "time_bnds", "time has no bounds")
        if "time_bnds" in ds:
            b = ds.time_bnds.values
            check(b.dtype.kind == "M" and b[0] <= ds.time.values <= b[1], f"time {ds.time.values} not within its bounds {b}")
        check(mean.attrs.get("cell_methods", "").startswith("time: mean"), "mean has no cell_methods time: mean")

    # a CF ensemble file from the writer
    with xr.open_dataset(expect["ensemble"]) as ds:
        check(is_timedelta(ds.lead_time), f"ensemble lead_time decodes to {ds.lead_time.dtype}")
        if is_timedelta(ds.lead_time):
            check([int(h) for h in ds.lead_time.values / np.timedelta64(1, "h")] == expect["ensemble_leads"],
                  f"ensemble leads {ds.lead_time.values} != {expect['ensemble_leads']} h")
    no_fill_on_coordinates(expect["ensemble"])
    return check.verdict(xarray=xr.__version__)


def cf_checks(paths):
    from compliance_checker.runner import CheckSuite, ComplianceChecker
    import compliance_checker
    import os
    import tempfile

    check = Checks()
    CheckSuite.load_all_available_checkers()
    reports = {}
    for path in paths:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "report.json")
            # The second value is True when a check raised instead of reporting (so it never ran on this file).
            _, raised = ComplianceChecker.run_checker(path, ["cf:1.8"], 0, "normal", output_filename=out, output_format="json")
            check(not raised, f"{os.path.basename(path)}: a compliance-checker check raised (see its WARNING above), so it did not run")
            with open(out) as f:
                r = json.load(f)["cf:1.8"]
        failed = [x for x in r["all_priorities"] if x["value"][0] < x["value"][1]]
        high = [f"{x['name']}: {'; '.join(x['msgs'])}" for x in r["high_priorities"] if x["value"][0] < x["value"][1]]
        check(not high, f"{os.path.basename(path)}: CF-1.8 errors: {high}")
        reports[os.path.basename(path)] = {"high": r["high_count"], "medium": r["medium_count"], "low": r["low_count"],
                                           "failed": [f"{x['name']}: {'; '.join(x['msgs'])}" for x in failed]}
    return check.verdict(compliance_checker=compliance_checker.__version__, reports=reports)


def to_wb2(src, dst, bare):
    import xarray as xr

    with xr.open_dataset(src) as ds:
        wb2 = ds.rename({"init_time": "time", "lead_time": "prediction_timedelta", "member": "number"})
        wb2 = wb2.transpose("time", "prediction_timedelta", "number", ...)
        if bare:
            for c in ["time", "prediction_timedelta", "number"]:
                wb2[c].attrs = {}
        wb2.to_netcdf(dst)
    return {"ok": True}


def main():
    mode = sys.argv[1]
    try:
        if mode == "xarray":
            with open(sys.argv[2]) as f:
                verdict = xarray_checks(json.load(f))
        elif mode == "cf":
            verdict = cf_checks(sys.argv[2:])
        elif mode == "to-wb2":
            verdict = to_wb2(sys.argv[2], sys.argv[3], sys.argv[4:] == ["bare"])
        else:
            raise SystemExit(f"unknown mode {mode}")
    except ImportError as e:
        verdict = {"missing": e.name or str(e)}
    print(json.dumps(verdict))


if __name__ == "__main__":
    main()
