"""Prints the Markdown table of the VAE evaluation from the scores.csv of each run in OUTDIR (scripts/evaluate_vae.sh):
standard CRPS of the VAE, physics, persistence and climatology ensembles, the VAE's CRPS as a ratio to each, and
spread/skill and rank-histogram delta of the VAE and physics.
Usage: vae_table.py OUTDIR"""
import csv
import sys

from published_metrics import published


out = sys.argv[1]
runs = ["vae", "physics31", "persistence", "climatology"]
scores = {}
for run in runs:
    with open(f"{out}/verify-{run}/scores.csv") as f:
        for row in published(csv.DictReader(f)):
            scores[(run, row["variable"], float(row["lead_time_hours"]), row["metric"])] = float(row["value"])
keys = sorted({(v, l) for (_, v, l, _) in scores})
print("| variable | lead h | CRPS vae | CRPS phys | CRPS pers | CRPS clim | vae/phys | vae/pers | vae/clim "
      "| spread/skill vae | spread/skill phys | rank delta vae | rank delta phys |")
print("|" + "---|" * 13)
for v, l in keys:
    c = {r: scores[(r, v, l, "crps_standard")] for r in runs}
    cells = [f"{c[r]:.4g}" for r in runs]
    cells += [f"{c['vae'] / c[r]:.3f}" for r in runs[1:]]
    cells += [f"{scores[(r, v, l, 'spread_skill')]:.2f}" for r in runs[:2]]
    cells += [f"{scores.get((r, v, l, 'rank_delta'), float('nan')):.1f}" for r in runs[:2]]
    print(f"| {v} | {l:g} | " + " | ".join(cells) + " |")
