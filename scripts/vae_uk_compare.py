"""Runs of scripts/evaluate_vae_uk_validation.sh (or evaluate_vae_uk.sh) side by side as a Markdown table: per lead,
each run's standard CRPS, fair CRPS and spread/skill for t2m, read from OUTDIR/verify-RUN/scores.csv, and the mean
over leads.
Usage: vae_uk_compare.py OUTDIR RUN [RUN ...]"""
import sys

from published_metrics import variable_scores

out, runs = sys.argv[1], sys.argv[2:]
scores = variable_scores(out, runs, "t2m")
leads = sorted({l for (_, l, _) in scores})
metrics = [("crps_standard", "CRPS", 3), ("crps", "fair CRPS", 3), ("spread_skill", "spread/skill", 2)]
head = [f"{label} {run}" for _, label, _ in metrics for run in runs]
print("| lead h | " + " | ".join(head) + " |")
print("|" + "---|" * (len(head) + 1))
for l in leads + ["mean"]:
    cells = []
    for m, _, digits in metrics:
        for run in runs:
            vals = [scores.get((run, x, m), float("nan")) for x in (leads if l == "mean" else [l])]
            cells.append(f"{sum(vals) / len(vals):.{digits}f}")
    print(f"| {l if l == 'mean' else format(l, 'g')} | " + " | ".join(cells) + " |")
