"""Makes data/sample/seeds.nc (2 seed members of the first 2 validation inits, all leads, copied from the shared
perfect-model validation block with its packing) and data/sample/seeds_truth.nc (the truth at their valid times).

Run from the repository root: .venv/bin/python scripts/make_sample_seeds.py"""
import netCDF4
import numpy as np

SRC = "../shared/data/perfect-model/"
VARS = ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"]


def copy_var(src, dst, name, dims, data):
    v = src.variables[name]
    v.set_auto_maskandscale(False)
    attrs = {k: v.getncattr(k) for k in v.ncattrs()}
    fill = attrs.pop("_FillValue", None)
    out = dst.createVariable(name, v.dtype, dims, zlib=True, complevel=6, shuffle=True, fill_value=fill)
    out.setncatts(attrs)
    out.set_auto_maskandscale(False)
    out[...] = data
    return out


with netCDF4.Dataset(SRC + "reforecast_validation.nc") as s, netCDF4.Dataset("data/sample/seeds.nc", "w") as d:
    inits, members = slice(0, 2), slice(0, 2)
    d.setncatts({"Conventions": "CF-1.8", "title": "wxens sample seeds: members 0-1 of the first 2 validation inits",
                 "source": "perfect-model validation block (../shared/data/perfect-model/reforecast_validation.nc)"})
    for name, size in [("init_time", 2), ("member", 2), ("lead_time", 3), ("latitude", 48), ("longitude", 96)]:
        d.createDimension(name, size)
    for name in ["init_time", "member", "lead_time", "latitude", "longitude"]:
        v = s.variables[name]
        sel = {"init_time": inits, "member": members}.get(name, slice(None))
        copy_var(s, d, name, (name,), v[sel])
    for name in VARS:
        s.variables[name].set_auto_maskandscale(False)
        copy_var(s, d, name, ("init_time", "member", "lead_time", "latitude", "longitude"), s.variables[name][inits, members])
    valid = sorted({float(t + l) for t in s.variables["init_time"][inits] for l in s.variables["lead_time"][:]})

with netCDF4.Dataset(SRC + "truth.nc") as s, netCDF4.Dataset("data/sample/seeds_truth.nc", "w") as d:
    times = s.variables["time"][:]
    idx = [int(np.argmin(abs(times - t))) for t in valid]
    d.setncatts({"Conventions": "CF-1.8", "title": "wxens sample truth at the valid times of data/sample/seeds.nc",
                 "source": "perfect-model nature run (../shared/data/perfect-model/truth.nc)"})
    for name, size in [("time", len(idx)), ("latitude", 48), ("longitude", 96)]:
        d.createDimension(name, size)
    copy_var(s, d, "time", ("time",), times[idx])
    for name in ["latitude", "longitude"]:
        copy_var(s, d, name, (name,), s.variables[name][:])
    for name in VARS:
        s.variables[name].set_auto_maskandscale(False)
        copy_var(s, d, name, ("time", "latitude", "longitude"), s.variables[name][idx])
print("wrote data/sample/seeds.nc and data/sample/seeds_truth.nc")
