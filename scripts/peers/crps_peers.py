"""Peer timings of ensemble CRPS for `wxens-bench verify`.

Usage: python crps_peers.py FORECAST.npy OBS.npy [--skip-slow]
FORECAST.npy is float64 of shape (M, N), members first (wxens' member-major layout); OBS.npy is (N,).
Each peer gets its natural layout (members last, C-contiguous) prepared before timing.
Prints one JSON object per line: {"peer", "seconds" (minimum wall time), "repeats", "mean"}.
A warm-up call on a small array (numba JIT) is excluded. Run with NUMBA_NUM_THREADS=1.
"""
import os, sys, time, json
os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
import properscoring as ps
import scoringrules as sr

fct_mf = np.load(sys.argv[1])
obs = np.load(sys.argv[2])
skip_slow = "--skip-slow" in sys.argv
fct = np.ascontiguousarray(fct_mf.T)  # (N, M), members last
del fct_mf
m = fct.shape[1]

wo = np.random.default_rng(0).normal(size=64)
wf = np.random.default_rng(1).normal(size=(64, 7))
ps.crps_ensemble(wo, wf)
ESTIMATORS = ["nrg", "fair", "pwm", "qd", "int"]
for e in ESTIMATORS:
    sr.crps_ensemble(wo, wf, estimator=e, backend="numba")

cands = [("properscoring", lambda: ps.crps_ensemble(obs, fct))]
for e in ESTIMATORS:
    cands.append((f"scoringrules[{e}]", (lambda e=e: sr.crps_ensemble(obs, fct, estimator=e, backend="numba"))))

for name, fn in cands:
    if skip_slow and m > 100 and name in ("scoringrules[nrg]", "scoringrules[fair]"):
        continue  # O(M^2) estimators: about 17 s each at M = 200
    times = []
    r = None
    while True:
        t0 = time.perf_counter()
        r = fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 3 or sum(times) > 4.0:
            break
    print(json.dumps({"peer": name, "seconds": min(times), "repeats": len(times), "mean": float(np.mean(r))}), flush=True)
