"""The ERA5 UK t2m evaluation (scripts/evaluate_vae_uk.sh) as a Markdown table and an SVG figure (no plotting
library needed): per lead, the standard and fair CRPS of the VAE and of the baseline ensembles, the VAE's CRPS as a
ratio to each baseline's, spread/skill and the rank-histogram delta, read from each run's verify-RUN/scores.csv
(published metric names: `crps_standard` is the standard CRPS, `crps` the fair one).
When OUTDIR/verify-vae-previous exists (a previous VAE scored on the same inits), it is a column and a curve too.
Usage: vae_uk_table.py OUTDIR [FIGURE.svg]"""
import os
import sys

from published_metrics import variable_scores

out = sys.argv[1]
svg_path = sys.argv[2] if len(sys.argv) > 2 else f"{out}/crps_t2m_by_lead.svg"
previous = os.path.isdir(f"{out}/verify-vae-previous")
runs = ["vae"] + (["vae-previous"] if previous else []) + ["persistence", "persistence-daily", "climatology"]
labels = {"vae": "VAE", "vae-previous": "VAE, no forcing (previous)", "persistence": "persistence (lagged 6 h)",
          "persistence-daily": "persistence (daily)", "climatology": "climatology"}
short = {"vae": "vae", "vae-previous": "vae-prev", "persistence": "pers", "persistence-daily": "pers-daily",
         "climatology": "clim"}
scores = variable_scores(out, runs, "t2m")
leads = sorted({l for (_, l, _) in scores})


def get(run, lead, metric):
    return scores.get((run, lead, metric), float("nan"))


vaes = runs[:2] if previous else runs[:1]
head = ([f"CRPS {short[r]}" for r in runs] + [f"fair {short[r]}" for r in runs] + [f"vae/{short[r]}" for r in runs[1:]]
        + [f"spread/skill {short[r]}" for r in vaes] + [f"rank delta {short[r]}" for r in vaes] + [f"RMSE (mean) {short[r]}" for r in vaes])
print("| lead h | " + " | ".join(head) + " |")
print("|" + "---|" * (len(head) + 1))
for l in leads:
    c = [get(r, l, "crps_standard") for r in runs]
    f = [get(r, l, "crps") for r in runs]
    cells = [f"{x:.3f}" for x in c + f] + [f"{c[0] / x:.3f}" for x in c[1:]]
    cells += [f"{get(r, l, 'spread_skill'):.2f}" for r in vaes] + [f"{get(r, l, 'rank_delta'):.1f}" for r in vaes]
    cells += [f"{get(r, l, 'ensemble_mean_rmse'):.3f}" for r in vaes]
    print(f"| {l:g} | " + " | ".join(cells) + " |")

colors = {"vae": "#d62728", "vae-previous": "#ff9896", "persistence": "#7f7f7f", "persistence-daily": "#1f77b4", "climatology": "#2ca02c"}
W, H, L, R, T, B = 660, 360, 60, 210, 30, 45
hi = max(get(r, l, "crps_standard") for r in runs for l in leads) * 1.08
x = lambda l: L + (W - L - R) * (l - leads[0]) / (leads[-1] - leads[0] or 1)
y = lambda v: T + (H - T - B) * (1 - v / hi)
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
       f'<text x="{L}" y="18" font-size="13">ERA5 UK t2m, test week 2019-03-22 .. 03-31: CRPS (K) against lead</text>',
       f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="#999"/>']
for k in range(5):
    v = hi * k / 4
    svg.append(f'<text x="{L - 5}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>')
for l in leads:
    svg.append(f'<text x="{x(l):.1f}" y="{H - B + 15}" text-anchor="middle">{l:g}</text>')
svg.append(f'<text x="{(W - R + L) / 2}" y="{H - 8}" text-anchor="middle">lead time (h)</text>')
for i, r in enumerate(runs):
    pts = " ".join(f"{x(l):.1f},{y(get(r, l, 'crps_standard')):.1f}" for l in leads)
    dash = ' stroke-dasharray="5,3"' if r == "vae-previous" else ""
    svg.append(f'<polyline fill="none" stroke="{colors[r]}" stroke-width="2"{dash} points="{pts}"/>')
    svg.append(f'<line x1="{W - R + 10}" x2="{W - R + 30}" y1="{T + 12 + 18 * i}" y2="{T + 12 + 18 * i}" stroke="{colors[r]}" stroke-width="2"{dash}/>')
    svg.append(f'<text x="{W - R + 35}" y="{T + 16 + 18 * i}">{labels[r]}</text>')
svg.append("</svg>")
open(svg_path, "w").write("\n".join(svg))
