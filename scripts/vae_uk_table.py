"""The ERA5 UK t2m evaluation (scripts/evaluate_vae_uk.sh) as a Markdown table and an SVG figure (no plotting
library needed): per lead, the standard and fair CRPS of the VAE and of the baseline ensembles, the VAE's CRPS as a
ratio to each baseline's, spread/skill and the rank-histogram delta, read from each run's verify-RUN/scores.csv.
Usage: vae_uk_table.py OUTDIR [FIGURE.svg]"""
import csv
import sys

out = sys.argv[1]
svg_path = sys.argv[2] if len(sys.argv) > 2 else f"{out}/crps_t2m_by_lead.svg"
runs = ["vae", "persistence", "persistence-daily", "climatology"]
labels = {"vae": "VAE", "persistence": "persistence (lagged 6 h)", "persistence-daily": "persistence (daily)",
          "climatology": "climatology"}
scores = {}
for run in runs:
    with open(f"{out}/verify-{run}/scores.csv") as f:
        for row in csv.DictReader(f):
            if row["variable"] == "t2m":
                scores[(run, float(row["lead_time_hours"]), row["metric"])] = float(row["value"])
leads = sorted({l for (_, l, _) in scores})


def get(run, lead, metric):
    return scores.get((run, lead, metric), float("nan"))


print("| lead h | CRPS vae | CRPS pers | CRPS pers-daily | CRPS clim | fair CRPS vae | fair pers | fair pers-daily | fair clim "
      "| vae/pers | vae/pers-daily | vae/clim | spread/skill vae | rank delta vae | RMSE (mean) vae |")
print("|" + "---|" * 15)
for l in leads:
    c = [get(r, l, "crps") for r in runs]
    f = [get(r, l, "crps_fair") for r in runs]
    cells = [f"{x:.3f}" for x in c + f] + [f"{c[0] / x:.3f}" for x in c[1:]]
    cells += [f"{get('vae', l, 'spread_skill'):.2f}", f"{get('vae', l, 'rank_delta'):.1f}", f"{get('vae', l, 'rmse'):.3f}"]
    print(f"| {l:g} | " + " | ".join(cells) + " |")

colors = {"vae": "#d62728", "persistence": "#7f7f7f", "persistence-daily": "#1f77b4", "climatology": "#2ca02c"}
W, H, L, R, T, B = 640, 360, 60, 190, 30, 45
hi = max(get(r, l, "crps") for r in runs for l in leads) * 1.08
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
    pts = " ".join(f"{x(l):.1f},{y(get(r, l, 'crps')):.1f}" for l in leads)
    svg.append(f'<polyline fill="none" stroke="{colors[r]}" stroke-width="2" points="{pts}"/>')
    svg.append(f'<line x1="{W - R + 10}" x2="{W - R + 30}" y1="{T + 12 + 18 * i}" y2="{T + 12 + 18 * i}" stroke="{colors[r]}" stroke-width="2"/>')
    svg.append(f'<text x="{W - R + 35}" y="{T + 16 + 18 * i}">{labels[r]}</text>')
svg.append("</svg>")
open(svg_path, "w").write("\n".join(svg))
