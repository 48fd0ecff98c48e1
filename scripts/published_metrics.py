"""Metric names of a wxens scores.csv as wxens publishes them (WeatherBench2's names), for the table scripts."""
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
