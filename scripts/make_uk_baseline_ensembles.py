"""Persistence and climatology ensembles for the ERA5 UK 2 m temperature test week, for `wxens verify`.

Usage (repository root): .venv/bin/python scripts/make_uk_baseline_ensembles.py --forecast OUT/vae.nc [--members 31]
    [--truth ../shared/data/real/era5_t2m_uk_2019-03.nc] [--out OUT]
Writes OUT/persistence.nc, OUT/persistence-daily.nc and OUT/climatology.nc with the init times, lead times and
coordinates of the forecast file (the layout of `wxens forecast`: init_time, member, lead_time, latitude,
longitude), so the three are scored exactly like it. Members are truth states copied as stored (float32).

- Persistence (lagged, as scripts/make_baseline_ensembles.py does for the perfect model): member k of init t is the
  truth at t - 6k h (k = 0 .. N-1), the same at every lead; member 0 is the analysis persisted.
- Daily persistence: member k of (init t, lead L) is the truth at the valid hour of day on the k-th most recent day
  whose state is known at t, i.e. at t + L - 24 (ceil(L / 24) + k) h (k = 0 .. 6): persistence that keeps the
  diurnal cycle, a stronger baseline for 2 m temperature than the lagged one.
- Climatology: the members of (init t, lead L) are the truth at the valid time's hour of day on each day of the
  training weeks (2019-03-01 .. 03-21: 21 members); no test-week state is used.
"""
import argparse
import datetime
import math
import os

import cftime
import netCDF4
import numpy as np

TRUTH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "real", "era5_t2m_uk_2019-03.nc")
TRAIN_END = datetime.datetime(2019, 3, 22)
DAILY_MEMBERS = 7


def write(path, fc, values, kind, description):
    """Writes values [init, member, lead, lat, lon] with the coordinates of forecast file `fc`, atomically."""
    n_init, n_member, n_lead = values.shape[:3]
    tmp = os.path.join(os.path.dirname(path) or ".", "." + os.path.basename(path) + ".tmp-%d" % os.getpid())
    try:
        with netCDF4.Dataset(tmp, "w", format="NETCDF4") as d:
            d.setncatts({
                "Conventions": "CF-1.8",
                "title": "wxens ERA5 UK t2m test week: %s baseline ensemble" % kind,
                "source": "ERA5 hourly 2 m temperature (contains modified Copernicus Climate Change Service information)",
                "history": "%s created by scripts/make_uk_baseline_ensembles.py"
                           % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "baseline": kind,
                "baseline_method": description,
            })
            sizes = {"init_time": n_init, "member": n_member, "lead_time": n_lead,
                     "latitude": values.shape[3], "longitude": values.shape[4]}
            for name, size in sizes.items():
                d.createDimension(name, size)
            for name in ["init_time", "lead_time", "latitude", "longitude"]:
                v = fc[name]
                out = d.createVariable(name, v.dtype, v.dimensions)
                out.setncatts({k: v.getncattr(k) for k in v.ncattrs() if k != "_FillValue"})
                out[:] = v[:]
            m = d.createVariable("member", "i4", ("member",))
            m.long_name = "ensemble member"
            m[:] = np.arange(n_member, dtype=np.int32)
            src = fc["t2m"]
            v = d.createVariable("t2m", "f4", ("init_time", "member", "lead_time", "latitude", "longitude"),
                                 zlib=True, complevel=4, shuffle=True)
            v.setncatts({k: src.getncattr(k) for k in src.ncattrs() if k != "_FillValue"})
            v[:] = values
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--forecast", required=True, help="a `wxens forecast` file: its init and lead times are used")
    p.add_argument("--truth", default=TRUTH)
    p.add_argument("--members", type=int, default=31, help="members of the lagged persistence ensemble")
    p.add_argument("--out", default=None, help="output directory (default: the forecast file's)")
    a = p.parse_args()
    out = a.out or os.path.dirname(os.path.abspath(a.forecast))
    with netCDF4.Dataset(a.truth) as t, netCDF4.Dataset(a.forecast) as fc:
        tt = t["time"]
        times = cftime.num2date(tt[:], tt.units, tt.calendar, only_use_cftime_datetimes=False, only_use_python_datetimes=True)
        index = {d: i for i, d in enumerate(times)}
        truth = np.asarray(t["t2m"][:], dtype=np.float32)
        it = fc["init_time"]
        inits = cftime.num2date(it[:], it.units, getattr(it, "calendar", "standard"),
                                only_use_cftime_datetimes=False, only_use_python_datetimes=True)
        leads = [float(h) for h in fc["lead_time"][:]]
        assert fc["lead_time"].units.startswith("hour"), "lead_time must be in hours"

        def state(when):
            if when not in index:
                raise SystemExit("%s: no state at %s" % (a.truth, when.isoformat()))
            return truth[index[when]]

        shape = truth.shape[1:]
        pers = np.empty((len(inits), a.members, len(leads)) + shape, np.float32)
        daily = np.empty((len(inits), DAILY_MEMBERS, len(leads)) + shape, np.float32)
        train_days = sorted({d.date() for d in times if d < TRAIN_END})
        clim = np.empty((len(inits), len(train_days), len(leads)) + shape, np.float32)
        for i, t0 in enumerate(inits):
            for k in range(a.members):
                pers[i, k, :] = state(t0 - datetime.timedelta(hours=6 * k))
            for l, lead in enumerate(leads):
                valid = t0 + datetime.timedelta(hours=lead)
                for k in range(DAILY_MEMBERS):
                    daily[i, k, l] = state(valid - datetime.timedelta(hours=24 * (math.ceil(lead / 24) + k)))
                for k, day in enumerate(train_days):
                    clim[i, k, l] = state(datetime.datetime.combine(day, datetime.time(valid.hour)))
        os.makedirs(out, exist_ok=True)
        write(os.path.join(out, "persistence.nc"), fc, pers, "persistence",
              "member k is the truth at the init time - 6k h (k = 0 .. %d), at every lead" % (a.members - 1))
        write(os.path.join(out, "persistence-daily.nc"), fc, daily, "daily persistence",
              "member k is the truth at the valid hour of day, 24 (ceil(lead / 24) + k) h before the valid time (k = 0 .. %d)"
              % (DAILY_MEMBERS - 1))
        write(os.path.join(out, "climatology.nc"), fc, clim, "climatology",
              "the truth at the valid hour of day on each of the %d training days (2019-03-01 .. 03-21)" % len(train_days))


if __name__ == "__main__":
    main()
