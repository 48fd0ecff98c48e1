#!/usr/bin/env python3
"""Peer for `wxens-bench gemm`: float32 C = A @ B with numpy (its bundled OpenBLAS sgemm).

Usage: gemm_numpy.py M N K REPEATS [wall|cpu]   (threads from OPENBLAS_NUM_THREADS, set by the caller)
Prints one line: best seconds over REPEATS timed runs after one warm-up, by the wall clock (default)
or by the process CPU clock (time not spent running is not counted; for one thread on a busy machine).
"""
import sys
import time

import numpy as np

m, n, k, repeats = (int(v) for v in sys.argv[1:5])
clock = time.process_time if len(sys.argv) > 5 and sys.argv[5] == "cpu" else time.perf_counter
rng = np.random.default_rng(0)
a = rng.standard_normal((m, k), dtype=np.float32)
b = rng.standard_normal((k, n), dtype=np.float32)
c = np.empty((m, n), dtype=np.float32)
np.matmul(a, b, out=c)
best = float("inf")
for _ in range(repeats):
    t0 = clock()
    np.matmul(a, b, out=c)
    best = min(best, clock() - t0)
print(f"{best:.9f}")
