"""Persistence and climatology ensembles for the validation inits of the perfect-model data, for `wxens verify`.

Usage (repository root): .venv/bin/python scripts/make_baseline_ensembles.py [--members 31] [--seed 0] [--out out/baselines]
Writes OUT/persistence.nc and OUT/climatology.nc; score them with
    wxens verify --forecast OUT/persistence.nc --truth ../shared/data/perfect-model/truth.nc --out ...

Both have the 12 init times and the lead times (24, 72, 120 h) of reforecast_validation.nc and its layout
(init_time, member, lead_time, latitude, longitude), coordinates, variable attributes and int16 packing, so they are
scored exactly like the physics ensemble. Members are truth states copied as stored (the truth and the reforecasts
share their packing), so no value is re-quantised.

- Persistence (lagged): member k of init t is the truth at t - 6k h (k = 0 .. N-1), the same at every lead. Member 0
  is the analysis persisted; the older states give the ensemble the spread of the recent 6-hourly changes, the
  usual way to make a persistence forecast probabilistic without any model.
- Climatology: the members of init t are the truth at N distinct times drawn at random from the training period
  (2000-03-21 00 UTC .. 2000-09-21 00 UTC, truth frames 0..736), among the frames at the hour of day of the valid
  time. The draw depends only on (--seed, init index), so when every lead is valid at the same hour of day (as 24,
  72 and 120 h from 00 UTC are) each lead has the same members. No validation or test time is ever drawn.
"""
import argparse
import datetime
import os

import cftime
import netCDF4
import numpy as np

SHARED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "perfect-model")
TRAIN_START = datetime.datetime(2000, 3, 21)
TRAIN_END = datetime.datetime(2000, 9, 21)
VARIABLES = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]
COPIED_GLOBALS = ["Conventions", "institution", "source", "calendar_note", "latitude_order", "references"]


def coordinate(src, dst, name, values=None):
    """Copies coordinate variable `name` (or writes `values` under its definition) from `src` into `dst`."""
    v = src[name]
    out = dst.createVariable(name, v.dtype, v.dimensions)
    out.setncatts({k: v.getncattr(k) for k in v.ncattrs()})
    out[:] = v[:] if values is None else values


def write(path, truth, validation, frames, kind, description, args):
    """Writes members truth[frames[init, member, lead]] in the layout of `validation`, atomically."""
    n_init, n_member, n_lead = frames.shape
    tmp = os.path.join(os.path.dirname(path) or ".", "." + os.path.basename(path) + ".tmp-%d" % os.getpid())
    try:
        with netCDF4.Dataset(tmp, "w", format="NETCDF4") as d:
            d.setncatts({k: validation.getncattr(k) for k in COPIED_GLOBALS if k in validation.ncattrs()})
            d.setncatts({
                "title": "wxens perfect-model twin experiment: %s baseline ensemble for the validation inits" % kind,
                "history": "%s created by scripts/make_baseline_ensembles.py --members %d --seed %d"
                           % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), args.members, args.seed),
                "baseline": kind,
                "baseline_method": description,
                "n_members": np.int64(n_member),
            })
            for name, size in [("init_time", n_init), ("member", n_member), ("lead_time", n_lead),
                               ("latitude", len(validation.dimensions["latitude"])), ("longitude", len(validation.dimensions["longitude"]))]:
                d.createDimension(name, size)
            for name in ["latitude", "longitude", "init_time", "lead_time"]:
                coordinate(validation, d, name)
            coordinate(validation, d, "member", np.arange(n_member, dtype=np.int32))
            for name in VARIABLES:
                src = truth[name]
                src.set_auto_maskandscale(False)
                attrs = {k: validation[name].getncattr(k) for k in validation[name].ncattrs()}
                fill = attrs.pop("_FillValue")
                v = d.createVariable(name, src.dtype, ("init_time", "member", "lead_time", "latitude", "longitude"),
                                     zlib=True, complevel=6, shuffle=True, fill_value=fill,
                                     chunksizes=(1, 1, 1, src.shape[1], src.shape[2]))
                v.setncatts(attrs)
                v.set_auto_maskandscale(False)
                stored = src[:]
                for i in range(n_init):
                    v[i] = stored[frames[i].reshape(-1)].reshape(n_member, n_lead, *stored.shape[1:])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--truth", default=os.path.join(SHARED, "truth.nc"))
    p.add_argument("--validation", default=os.path.join(SHARED, "reforecast_validation.nc"))
    p.add_argument("--members", type=int, default=31)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="out/baselines")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with netCDF4.Dataset(args.truth) as truth, netCDF4.Dataset(args.validation) as validation:
        for name in VARIABLES:
            for a in ["scale_factor", "add_offset", "_FillValue"]:
                if truth[name].getncattr(a) != validation[name].getncattr(a):
                    raise SystemExit("%s: %s of %s differs from %s's, members could not be copied as stored" % (args.truth, a, name, args.validation))
        units, calendar = truth["time"].units, truth["time"].calendar
        if validation["init_time"].units != units or validation["init_time"].calendar != calendar:
            raise SystemExit("%s: init_time units/calendar differ from the truth's time" % args.validation)
        times = np.asarray(truth["time"][:], dtype=np.float64)
        inits = np.asarray(validation["init_time"][:], dtype=np.float64)
        leads = np.asarray(validation["lead_time"][:], dtype=np.float64)
        index = {t: k for k, t in enumerate(times)}
        n, n_init, n_lead = args.members, len(inits), len(leads)

        persistence = np.empty((n_init, n, n_lead), dtype=np.int64)
        for i, t in enumerate(inits):
            for k in range(n):
                if t - 6 * k not in index:
                    raise SystemExit("%s: no state at %s h for member %d of init %s h" % (args.truth, t - 6 * k, k, t))
                persistence[i, k, :] = index[t - 6 * k]

        start, end = (cftime.date2num(x, units, calendar) for x in (TRAIN_START, TRAIN_END))
        train = np.nonzero((times >= start) & (times <= end))[0]
        hour = np.array([d.hour for d in cftime.num2date(times, units, calendar)])
        climatology = np.empty((n_init, n, n_lead), dtype=np.int64)
        for i, t in enumerate(inits):
            for j, lead in enumerate(leads):
                valid_hour = cftime.num2date(t + lead, units, calendar).hour
                pool = train[hour[train] == valid_hour]
                if len(pool) < n:
                    raise SystemExit("only %d training frames at %02d UTC, fewer than --members %d" % (len(pool), valid_hour, n))
                climatology[i, :, j] = pool[np.random.default_rng([args.seed, i]).choice(len(pool), n, replace=False)]

        write(os.path.join(args.out, "persistence.nc"), truth, validation, persistence, "persistence",
              "lagged persistence: member k of init t is the truth at t - 6k h (k = 0..N-1), the same at every lead", args)
        write(os.path.join(args.out, "climatology.nc"), truth, validation, climatology, "climatology",
              "member states drawn at random without replacement (numpy default_rng([seed, init index])) from the truth's "
              "training frames (%s .. %s) at the hour of day of the valid time" % (TRAIN_START.isoformat(), TRAIN_END.isoformat()), args)
    print("wrote %s and %s: %d inits x %d members x %d leads"
          % (os.path.join(args.out, "persistence.nc"), os.path.join(args.out, "climatology.nc"), n_init, n, n_lead))


if __name__ == "__main__":
    main()
