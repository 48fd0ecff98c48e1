"""Prints the Markdown table of the SEEDS evaluation from the scores.csv of each run: CRPS (standard and fair, ratio to the physics
ensemble), spread (ratio), spread/skill, rank-histogram delta and Brier score of +-2 sd events.
Usage: seeds_table.py OUTDIR physics31 seeds2 gee [gpp]"""
import csv
import sys

from published_metrics import published


out, runs = sys.argv[1], sys.argv[2:]
scores = {}
for run in runs:
    with open(f"{out}/verify-{run}/scores.csv") as f:
        for row in published(csv.DictReader(f)):
            scores[(run, row["variable"], float(row["lead_time_hours"]), row["metric"])] = float(row["value"])
keys = sorted({(v, l) for (_, v, l, _) in scores})
briers = ["brier_score_anom_gt2sd", "brier_score_anom_lt2sd"]
print("| variable | lead h | " + " | ".join(f"CRPS {r}/phys" for r in runs[1:]) + " | "
      + " | ".join(f"fair CRPS {r}/phys" for r in runs[1:]) + " | "
      + " | ".join(f"spread {r}/phys" for r in runs[1:]) + " | " + " | ".join(f"spread/skill {r}" for r in runs)
      + " | " + " | ".join(f"rank delta {r}" for r in runs) + " |")
print("|" + "---|" * (2 + 3 * (len(runs) - 1) + 2 * len(runs)))
for v, l in keys:
    base = scores[(runs[0], v, l, "crps_standard")]
    sp = scores[(runs[0], v, l, "ensemble_stddev")]
    cells = [f"{scores[(r, v, l, 'crps_standard')] / base:.3f}" for r in runs[1:]]
    fair = scores[(runs[0], v, l, "crps")]
    cells += [f"{scores[(r, v, l, 'crps')] / fair:.3f}" for r in runs[1:]]
    cells += [f"{scores[(r, v, l, 'ensemble_stddev')] / sp:.3f}" for r in runs[1:]]
    cells += [f"{scores[(r, v, l, 'spread_skill')]:.2f}" for r in runs]
    cells += [f"{scores.get((r, v, l, 'rank_delta'), float('nan')):.1f}" for r in runs]
    print(f"| {v} | {l:g} | " + " | ".join(cells) + " |")
if briers:
    print()
    print("| variable | lead h | event | " + " | ".join(f"Brier {r}" for r in runs) + " |")
    print("|" + "---|" * (3 + len(runs)))
    for v, l in keys:
        for m in briers:
            if (runs[0], v, l, m) in scores:
                print(f"| {v} | {l:g} | {m} | " + " | ".join(f"{scores.get((r, v, l, m), float('nan')):.4f}" for r in runs) + " |")
