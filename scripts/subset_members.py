"""Copies an ensemble file keeping only some members (for scoring "the seeds alone"): subset_members.py IN OUT 0,1"""
import sys
import netCDF4

src, dst, members = sys.argv[1], sys.argv[2], [int(m) for m in sys.argv[3].split(",")]
with netCDF4.Dataset(src) as s, netCDF4.Dataset(dst, "w") as d:
    d.setncatts({k: s.getncattr(k) for k in s.ncattrs()})
    for name, dim in s.dimensions.items():
        d.createDimension(name, len(members) if name == "member" else len(dim))
    for name, v in s.variables.items():
        v.set_auto_maskandscale(False)
        attrs = {k: v.getncattr(k) for k in v.ncattrs()}
        fill = attrs.pop("_FillValue", None)
        out = d.createVariable(name, v.dtype, v.dimensions, zlib=True, complevel=4, shuffle=True, fill_value=fill)
        out.setncatts(attrs)
        out.set_auto_maskandscale(False)
        if "member" in v.dimensions:
            axis = v.dimensions.index("member")
            index = [slice(None)] * v.ndim
            index[axis] = members
            out[...] = v[tuple(index)]
        else:
            out[...] = v[...]
