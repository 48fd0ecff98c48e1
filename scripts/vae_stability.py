"""Global means over a long free-running VAE forecast against the truth, as a table and an SVG figure (no plotting
library needed): one panel per variable, the members' area-weighted global mean against lead time, the truth's in black.
Usage: vae_stability.py FORECAST.nc TRUTH.nc OUT.svg
FORECAST.nc has one init time and many lead times (e.g. wxens forecast --lead-times 6,12,...,720)."""
import sys

import cftime
import netCDF4
import numpy as np

fc_path, truth_path, svg_path = sys.argv[1:4]
fc, tr = netCDF4.Dataset(fc_path), netCDF4.Dataset(truth_path)
lat = fc["latitude"][:]
w = np.cos(np.deg2rad(lat))[:, None] * np.ones(fc.dimensions["longitude"].size)[None, :]
w /= w.sum()
leads = fc["lead_time"][:].astype(float)
init = cftime.num2date(fc["init_time"][0], fc["init_time"].units, fc["init_time"].calendar)
ttimes = cftime.num2date(tr["time"][:], tr["time"].units, tr["time"].calendar)
t0 = list(ttimes).index(init)
variables = [v for v in ["z500", "t850", "u850", "v850", "msl", "t2m", "tcwv"] if v in fc.variables]
panels = []
print("| variable | truth mean (init) | members' mean at last lead | truth at last lead | max |member - truth| over leads | truth sd over the run |")
print("|---|---|---|---|---|---|")
for v in variables:
    x = fc[v][0]  # member, lead, lat, lon
    means = (x * w).sum(axis=(-1, -2))  # member, lead
    steps = (leads / 6).astype(int)
    truth = np.array([(tr[v][t0 + s] * w).sum() for s in steps])
    print(f"| {v} | {truth[0]:.5g} | {means[:, -1].mean():.5g} | {truth[-1]:.5g} | {np.abs(means - truth).max():.3g} | {truth.std():.3g} |")
    panels.append((v, means, truth))

W, H, cols = 300, 180, 4
rows = (len(panels) + cols - 1) // cols
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W * cols}" height="{H * rows + 30}" font-family="sans-serif" font-size="11">',
       f'<text x="10" y="18" font-size="14">Global means over a {leads[-1] / 24:.0f}-day free run (init {init}); members coloured, truth black</text>']
for i, (v, means, truth) in enumerate(panels):
    ox, oy = (i % cols) * W, (i // cols) * H + 30
    lo, hi = min(means.min(), truth.min()), max(means.max(), truth.max())
    pad = 0.1 * (hi - lo or 1)
    lo, hi = lo - pad, hi + pad
    def pts(y):
        return " ".join(f"{ox + 45 + (W - 60) * l / leads[-1]:.1f},{oy + H - 30 - (H - 50) * (val - lo) / (hi - lo):.1f}" for l, val in zip(leads, y))
    out.append(f'<rect x="{ox + 45}" y="{oy + 20}" width="{W - 60}" height="{H - 50}" fill="none" stroke="#999"/>')
    out.append(f'<text x="{ox + 50}" y="{oy + 15}">{v}</text>')
    out.append(f'<text x="{ox + 2}" y="{oy + 28}">{hi:.4g}</text><text x="{ox + 2}" y="{oy + H - 30}">{lo:.4g}</text>')
    out.append(f'<text x="{ox + W - 70}" y="{oy + H - 15}">{leads[-1] / 24:.0f} d</text>')
    for m in range(means.shape[0]):
        out.append(f'<polyline fill="none" stroke="hsl({m * 360 / means.shape[0]:.0f},70%,50%)" stroke-width="1" points="{pts(means[m])}"/>')
    out.append(f'<polyline fill="none" stroke="black" stroke-width="1.5" points="{pts(truth)}"/>')
out.append("</svg>")
open(svg_path, "w").write("\n".join(out))
