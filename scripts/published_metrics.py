"""Metric names of a wxens scores.csv as wxens publishes them (WeatherBench2's names), for the table scripts."""
import csv
import re

def published(rows):
    """Metric names as wxens publishes them since the WeatherBench2 names; older scores.csv (no crps_standard) renamed."""
    rows = list(rows)
    if any(r["metric"] == "crps_standard" for r in rows):
        return rows
    old = {"crps": "crps_standard", "crps_fair": "crps", "rmse": "ensemble_mean_rmse", "spread": "ensemble_stddev"}
    for r in rows:
        m = r["metric"]
        m = old.get(m, m)
        m = re.sub(r"^brier_fair_", "debiased_brier_score_", m)
        m = re.sub(r"^brier_(?!fair_|rel_|res_|unc_|score_)", "brier_score_", m)
        r["metric"] = m
    return rows


def variable_scores(out, runs, variable):
    """{(run, lead hours, metric): value} of one variable from OUTDIR/verify-RUN/scores.csv of each run."""
    scores = {}
    for run in runs:
        with open(f"{out}/verify-{run}/scores.csv") as f:
            for row in published(csv.DictReader(f)):
                if row["variable"] == variable:
                    scores[(run, float(row["lead_time_hours"]), row["metric"])] = float(row["value"])
    return scores
