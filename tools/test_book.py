"""`make test`'s notebook run: nbdev_test's own `test_nb` on every notebook, two at a time, the longest first.

`nbdev_test --n_workers 2` hands the notebooks to its two workers in the order of their names, so chapter 90 (the
longest by far: it runs chapters as reports) starts only when every other notebook has been handed out, and runs alone
at the end: on a fresh clone (2026-12-05) the notebooks took 1,540 s of work and 17.5 minutes of wall time. Handed out
the longest first (LPT scheduling), the two workers finish together. `LONGEST` names the notebooks that took more than
a minute in that run, longest first; the others follow by name. A stale list costs time, never a test: every notebook
runs, with nbdev's flags (`tst_flags` of settings.ini skipped unless given with --flags), as `nbdev_test` runs it.

    .venv/bin/python tools/test_book.py [--flags slow] [--workers 2]

Prints each notebook's seconds, longest first, and `Success.`; exit 1 naming the notebooks that failed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from fastcore.parallel import parallel
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import _keep_file, test_nb

LONGEST = ['90_reports', '06a_forecasting', '11_closed_loop', '07a_media_mix', '04_collaborative_filtering', '07_inventory', '06_arima']


def book_order(files: list[Path], longest: list[str] = LONGEST) -> list[Path]:
    "The notebooks in `longest`'s order first (those that exist), then the rest by name."
    rank = {name: i for i, name in enumerate(longest)}
    return sorted(files, key=lambda f: (rank.get(f.stem, len(rank)), f.name))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--flags', default='', help='space-separated test flags to run that are normally skipped (e.g. slow)')
    p.add_argument('--workers', type=int, default=2)
    args = p.parse_args(argv)
    config = get_config()
    files = book_order([f.absolute() for f in nbglob(as_path=True) if _keep_file(f, '.notest')])
    started = time.perf_counter()
    with_flags = dict(skip_flags=config.tst_flags.split(), force_flags=args.flags.split(), basepath=config.config_path)
    os.chdir(config.nbs_path)                                   # where nbdev_test runs them
    results = parallel(test_nb, files, n_workers=args.workers, pause=0.01, **with_flags)
    passed, seconds = zip(*results)
    for i in sorted(range(len(files)), key=lambda i: seconds[i], reverse=True): print(f'{files[i].name}: {int(seconds[i])} secs')
    print(f'{len(files)} notebooks in {time.perf_counter() - started:.0f} s with {args.workers} workers')
    failed = [f.name for ok, f in zip(passed, files) if not ok]
    if failed:
        sys.stderr.write('\nnbdev Tests Failed On The Following Notebooks:\n' + '=' * 50 + '\n\t' + '\n\t'.join(failed) + '\n')
        return 1
    print('Success.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
