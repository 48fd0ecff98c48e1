#!/usr/bin/env python3
"""Deterministic mutation run: corrupts copies of real NetCDF/HDF5 files (seeded truncations, zeroed blocks,
byte flips), runs `wxens inspect` and `wxens verify` on each under a timeout, and fails on a crash (a signal) or
a hang in wxens's own code. Crashes whose backtrace lies in libhdf5/libnetcdf (library-crashes.txt) are counted
and listed, not failures. Python standard library only.

    mutation_run.py --wxens .build/release/wxens --data ../shared/data/real [--cases 300] [--seed 19]
"""
import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

SEEDS = [  # the shared real files, every format the readers handle
    "gmao_geos_s2s_rmm1_ens_obs.nc", "gmao_geos_s2s_rmm1_groups.nc", "GMAO-GEOS-V2p1.RMM1.nc",
    "RMM1.observed.interannual.1974-06.2017-07.nc", "MLS-Aura_L2GP-IWC_v02-21-c02_2007d210.he5",
    "era5_t2m_uk_2019-03_plain.h5", "era5_2t_1.nc", "era5_eda_members_t_z_2017-01.nc", "hgt.nc", "hgt_nc4classic.nc",
    "hswm_d000000p000.g2.nc", "nc4uvt.nc", "ukmo_seasonal_t2m_monthly_ens.nc", "uv300.nc", "uv300_64bit.nc",
]
VERIFY_SEED = "gmao_geos_s2s_rmm1_ens_obs.nc"  # forecast RMM1 and truth rmm1 in one file


def mutate(data: bytes, rng: random.Random):
    """One seeded corruption of `data`: (kind, description, bytes)."""
    n = len(data)
    kind = rng.choice(["truncate", "truncate-header", "zero", "zero-tail", "flip", "flip-header"])
    if kind == "truncate":
        cut = rng.randrange(0, n)
        return kind, f"keep {cut} of {n} bytes", data[:cut]
    if kind == "truncate-header":
        cut = rng.randrange(0, min(n, 4096))
        return kind, f"keep {cut} of {n} bytes", data[:cut]
    if kind in ("zero", "zero-tail"):
        length = rng.choice([16, 256, 4096, 65536])
        start = max(0, n - length) if kind == "zero-tail" else rng.randrange(0, n)
        end = min(n, start + length)
        return kind, f"zero bytes {start}..<{end}", data[:start] + bytes(end - start) + data[end:]
    b = bytearray(data)
    limit = min(n, 8192) if kind == "flip-header" else n
    spots = sorted(rng.randrange(0, limit) for _ in range(rng.choice([1, 4, 16, 64])))
    for i in spots:
        b[i] ^= 1 << rng.randrange(8) if rng.random() < 0.5 else rng.randrange(1, 256)
    return kind, f"flip {len(spots)} bytes in 0..<{limit}", bytes(b)


WXENS_FRAME = re.compile(r" in wxens\b|\$s\d|\bat \S*Sources/")


def crashed_frames(stderr: str):
    """Frames of the crashed thread from Swift's backtracer output."""
    crashed = re.search(r'Thread \d+ "[^"]*" crashed:\n(.*?)(\n\n|\Z)', stderr, re.S)
    return crashed.group(1).splitlines() if crashed else []


def frame_name(frame: str) -> str:
    """The function of a gdb ("#1  0x... in H5HG_read () from ...", "#0  memcpy () at ...") or Swift backtrace frame."""
    for rx in (r"#\d+\s+0x[0-9a-f]+ in (\S+)", r"#\d+\s+(\S+) \(", r"0x[0-9a-f]+ (\S+)"):
        m = re.search(rx, frame)
        if m:
            return m.group(1)
    return "?"


def gdb_frames(cmd, timeout):
    """Frames of the crashed thread from gdb (precise unwinding through C libraries built without frame pointers)."""
    gdb = shutil.which("gdb")
    if not gdb:
        return None
    try:
        p = subprocess.run([gdb, "-batch", "-nx", "-ex", "run", "-ex", "bt 40", "--args"] + cmd,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout * 4,
                           env=dict(os.environ, SWIFT_BACKTRACE="enable=no"))
    except subprocess.TimeoutExpired:
        return None
    return [l for l in p.stdout.decode("utf-8", "replace").splitlines() if re.match(r"#\d+ ", l)]


def classify(cmd, status: int, stderr: str, patterns, timeout):
    """('ok' | 'hang' | 'wxens-crash' | 'library-crash', the frames that decided) for a finished run."""
    if status == 124:
        return "hang", []
    if status >= 0:
        return "ok", []
    if "Fatal error" in stderr:  # a Swift runtime trap is always wxens's own code
        return "wxens-crash", []
    frames = gdb_frames(cmd, timeout) or crashed_frames(stderr)
    top, unwound = [], False
    for f in frames:
        if WXENS_FRAME.search(f):
            unwound = True
            break
        top.append(f)
    if any(p.search(f) for kind, p in patterns if kind == "frame" for f in top):
        return "library-crash", top
    if not unwound and any(p.search(stderr) for kind, p in patterns if kind == "message"):
        return "library-crash", top
    return "wxens-crash", frames


def run(cmd, timeout, env):
    try:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, env=env)
        return p.returncode, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return 124, (e.stderr or b"").decode("utf-8", "replace")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wxens", required=True)
    ap.add_argument("--data", required=True, help="folder of the shared real files")
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--timeout", type=float, default=30, help="seconds before a run counts as a hang")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", help="copy the files of failing cases here")
    a = ap.parse_args()
    patterns = [(l.split(":", 1)[0], re.compile(l.split(":", 1)[1].strip()))
                for l in open(os.path.join(here, "library-crashes.txt")) if l.strip() and not l.startswith("#")]
    seeds = [s for s in SEEDS if os.path.exists(os.path.join(a.data, s))]
    if not seeds:
        print(f"mutation run: no seed files in {a.data}", file=sys.stderr)
        return 2
    contents = {s: open(os.path.join(a.data, s), "rb").read() for s in seeds}
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="wxens-mutation-")
    env = dict(os.environ, SWIFT_BACKTRACE="enable=yes,interactive=no,color=no,threads=crashed",
               WXENS_MAX_READ_BYTES=os.environ.get("WXENS_MAX_READ_BYTES", str(2 << 30)))
    cases = []
    for k in range(a.cases):
        # a quarter of the cases corrupt the verify pair, the rest every seed in turn
        seed = VERIFY_SEED if k % 4 == 0 and VERIFY_SEED in contents else seeds[k % len(seeds)]
        kind, what, data = mutate(contents[seed], rng)
        ext = os.path.splitext(seed)[1]
        path = os.path.join(work, f"case{k:04d}{ext}")
        with open(path, "wb") as f:
            f.write(data)
        cmds = [[a.wxens, "inspect", path, "--json"]]
        if seed == VERIFY_SEED:
            cmds.append([a.wxens, "verify", "--forecast", path, "--truth", path, "--forecast-var", "RMM1",
                         "--truth-var", "rmm1", "--out", path + ".out", "--quiet", "--no-figures"])
        else:
            cmds.append([a.wxens, "verify", "--forecast", path, "--truth", path, "--out", path + ".out", "--quiet", "--no-figures"])
        cases.append((k, seed, kind, what, path, cmds))

    def one(case):
        k, seed, kind, what, path, cmds = case
        out = []
        for c in cmds:
            status, err = run(c, a.timeout, env)
            verdict, frames = classify(c, status, err, patterns, a.timeout)
            out.append((c[1], verdict, status, err, frames))
        return case, out

    start = time.time()
    counts = {"ok": 0, "hang": 0, "wxens-crash": 0, "library-crash": 0}
    failures, library = [], []
    with ThreadPoolExecutor(a.jobs) as pool:
        for (k, seed, kind, what, path, _), results in pool.map(one, cases):
            for cmd, verdict, status, err, frames in results:
                counts[verdict] += 1
                line = f"case {k:04d} {seed} ({kind}: {what}) wxens {cmd}: {verdict}, status {status}"
                if verdict == "library-crash":
                    names = [frame_name(f) for f in frames]
                    message = next((l.strip() for l in err.splitlines() if "():" in l), "")
                    library.append(f"{line}: {message} {' <- '.join(names[:14])}".rstrip())
                elif verdict != "ok":
                    tail = " | ".join((frames or err.strip().splitlines())[:16])
                    failures.append(f"{line}: {tail}")
                    if a.keep:
                        os.makedirs(a.keep, exist_ok=True)
                        shutil.copy(path, a.keep)
    elapsed = time.time() - start
    shutil.rmtree(work, ignore_errors=True)
    for l in library:
        print("library-side crash:", l)
    for l in failures:
        print("FAIL:", l)
    runs = sum(counts.values())
    print(f"mutation run: {len(cases)} cases, {runs} runs (seed {a.seed}) in {elapsed:.0f} s: "
          f"{counts['wxens-crash']} crashes and {counts['hang']} hangs in wxens, "
          f"{counts['library-crash']} library-side crashes (listed above), {counts['ok']} clean exits")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
