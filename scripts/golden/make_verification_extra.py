"""Golden values for wxens scores not covered by ../shared/reference/verification.

Run: .venv-peers/bin/python scripts/golden/make_verification_extra.py Tests/Golden/verification_extra.json
Layouts are the libraries' (members on axis -2, variables last for multivariate; members last otherwise).
"""
import json, sys
import numpy as np
import scipy.stats as st
import scoringrules as sr

rng = np.random.default_rng(2026)
out = {"versions": {"scoringrules": sr.__version__, "numpy": np.__version__}}

# Variogram score: scoringrules vs_ensemble (nrg, fair), p = 0.5 and 1.0, weights all 1 and random symmetric.
vs = []
for (n, m, d) in [(6, 5, 3), (4, 12, 4), (3, 1, 2)]:
    obs = rng.normal(size=(n, d)); fct = rng.normal(size=(n, m, d)) + 0.3
    w = rng.uniform(0.2, 1.5, size=(d, d)); w = (w + w.T) / 2
    case = {"obs": obs.tolist(), "fct": fct.tolist(), "weights": w.tolist(), "expected": {}}
    for p in (0.5, 1.0):
        for est in ("nrg", "fair"):
            if est == "fair" and m == 1:
                continue
            case["expected"][f"p={p},estimator={est},weights=ones"] = sr.vs_ensemble(obs, fct, np.ones((d, d)), p=p, estimator=est, backend="numpy").tolist()
            case["expected"][f"p={p},estimator={est},weights=w"] = sr.vs_ensemble(obs, fct, w, p=p, estimator=est, backend="numpy").tolist()
    vs.append(case)
out["variogram"] = vs

# Threshold-weighted CRPS with a Gaussian-CDF weight: scoringrules twcrps_ensemble with v_func.
mu, sig = 0.4, 0.8
v_gauss = lambda x: (x - mu) * st.norm.cdf((x - mu) / sig) + sig * st.norm.pdf((x - mu) / sig)
obs = rng.normal(size=30); fct = rng.normal(size=(30, 8))
out["twcrps_gaussian_cdf"] = {"location": mu, "scale": sig, "obs": obs.tolist(), "fct": fct.tolist(),
    "nrg": sr.twcrps_ensemble(obs, fct, v_func=v_gauss, estimator="nrg", backend="numpy").tolist(),
    "fair": sr.twcrps_ensemble(obs, fct, v_func=v_gauss, estimator="fair", backend="numpy").tolist()}
# Lower tail: v(x) = min(x, t).
t = -0.2
out["twcrps_lower"] = {"threshold": t, "obs": obs.tolist(), "fct": fct.tolist(),
    "nrg": sr.twcrps_ensemble(obs, fct, v_func=lambda x: np.minimum(x, t), estimator="nrg", backend="numpy").tolist()}

# Climatological quantiles (numpy linear, type 7) over samples, per point.
samples = rng.normal(size=(41, 7))
samples[3, 2] = np.nan
out["quantiles"] = {"samples": samples.tolist(),
    "q": [0.9, 0.95, 0.99],
    "expected": {str(q): np.nanquantile(samples, q, axis=0).tolist() for q in [0.9, 0.95, 0.99]}}

def enc(o):
    if isinstance(o, float):
        return "NaN" if np.isnan(o) else ("Infinity" if o == np.inf else ("-Infinity" if o == -np.inf else o))
    if isinstance(o, list):
        return [enc(x) for x in o]
    if isinstance(o, dict):
        return {k: enc(v) for k, v in o.items()}
    return o

json.dump(enc(out), open(sys.argv[1], "w"))
