"""One BLAS thread or two: chapter 06's ARIMA and ETS fits (`series_forecasts`, chapter 06a's per-series candidates) timed
in a fresh process with `OPENBLAS_NUM_THREADS=1` (what `pm-report` gives a chapter's kernel, and `make` its tests) and
with 2 (OpenBLAS's own default on this 2-core machine), each alone and beside a second process doing the same work (as
`make test` runs two notebooks at once, and CI runs a check beside it).

    .venv/bin/python benchmarks/blas_threads.py [--series 3] [--cuts 2] [--repeats 3]

Prints blas_seconds_<threads>_<alone|busy> (the median of the repeats) and blas_busy_ratio (two threads over one, busy).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

WORK = """
import sys, time, numpy as np
from precision_marketing.forecasting import series_forecasts, rolling_cuts
series, cuts, loops = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
toy = np.random.default_rng(1).poisson(5, (series, 60)).astype(float)
val, _ = rolling_cuts(60, 4, cuts, 1)
series_forecasts(toy[:1], val[:1], 4, None, n_jobs=1)                  # imports and first calls, untimed
for _ in range(loops):
    start = time.perf_counter(); series_forecasts(toy, val, 4, None, n_jobs=1); print(time.perf_counter() - start, flush=True)
"""


def timed(threads: int, series: int, cuts: int, busy: bool) -> float:
    "Seconds of one `series_forecasts` call in a fresh process with `threads` BLAS threads, beside a busy twin or alone."
    env = {**os.environ, 'OPENBLAS_NUM_THREADS': str(threads)}
    twin = subprocess.Popen([sys.executable, '-c', WORK, str(series), str(cuts), '1000'], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if busy else None
    try:
        if twin: time.sleep(8)                                          # the twin past its imports, at work
        out = subprocess.run([sys.executable, '-c', WORK, str(series), str(cuts), '1'], env=env, capture_output=True, text=True, check=True)
        return float(out.stdout.split()[-1])
    finally:
        if twin: twin.kill(); twin.wait()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--series', type=int, default=3)
    parser.add_argument('--cuts', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args(argv)
    figures = {}
    for busy in (False, True):
        for threads in (1, 2):                                          # alternately, so a slow stretch of the machine hits both
            runs = [timed(threads, args.series, args.cuts, busy) for _ in range(args.repeats)]
            figures[f"blas_seconds_{threads}_{'busy' if busy else 'alone'}"] = statistics.median(runs)
            print(f"  {threads} thread(s), {'beside a twin' if busy else 'alone'}: " + ', '.join(f'{r:.2f}' for r in runs) + ' s', flush=True)
    for name, value in figures.items(): print(f'{name}={value:.2f}')
    print(f"blas_busy_ratio={figures['blas_seconds_2_busy'] / figures['blas_seconds_1_busy']:.1f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
