"""make test's notebooks as nbdev_test runs them — nbdev's own `test_nb` on each notebook nbdev_test would pick, with the
same skip flags, on two workers — but the longest first. nbdev_test hands its notebooks out in name order, so
90_reports, the longest by far, starts last and runs on alone while the other worker has nothing left to do; handed out
longest first (LONGEST, from make test's own --timing figures, then the rest by name), the two workers finish close
together. Prints each notebook's seconds, longest first, as nbdev_test --timing does; exits 1 when a notebook fails.

    .venv/bin/python tools/test_notebooks.py [NOTEBOOK ...] [--n_workers 2] [--flags slow]"""
import argparse
import sys
import time

from fastcore.parallel import parallel
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import _keep_file, test_nb

LONGEST = ('90_reports', '06a_forecasting', '11_closed_loop', '07a_media_mix', '04_collaborative_filtering', '07_inventory', '06_arima')


def test_one(fn, **kwargs):
    """nbdev's test_nb on one notebook, then joblib's worker processes, if the notebook started any (chapters 06, 06a, 07
    and 11 forecast series in parallel), ended with it: a worker process of this runner waits for its children when it
    exits, and joblib keeps its idle workers for five minutes, so the last notebook to use them could hold the run up for
    as long (the first timed run of this runner took 1,396 s, against 1,260 s for its notebooks' times on two workers)."""
    result = test_nb(fn, **kwargs)
    from joblib.externals.loky import reusable_executor
    if reusable_executor._executor is not None: reusable_executor._executor.shutdown(wait=True, kill_workers=True)
    return result


def longest_first(files: list) -> list:
    "The notebooks in LONGEST's order, then the rest by name."
    rank = {name: i for i, name in enumerate(LONGEST)}
    return sorted(files, key=lambda f: (rank.get(f.stem, len(LONGEST)), f.name))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('notebooks', nargs='*', help='only these notebooks (names without .ipynb); default: every one nbdev_test would test')
    p.add_argument('--n_workers', type=int, default=2)
    p.add_argument('--flags', default='', help='space-separated test flags to run that are normally skipped (as nbdev_test --flags)')
    args = p.parse_args(argv)
    config = get_config()
    files = [f.absolute() for f in nbglob(None, as_path=True) if _keep_file(f, '.notest')]
    missing = sorted(set(args.notebooks or LONGEST) - {f.stem for f in files})
    if missing:
        print(f'test_notebooks: no notebook {missing} to test' + ('' if args.notebooks else '; put the current names in LONGEST (tools/test_notebooks.py)'), file=sys.stderr)
        return 2
    if args.notebooks: files = [f for f in files if f.stem in args.notebooks]
    import test_notebooks as this                                   # this file under its own name: a worker finds test_one there, since
                                                                    # test_nb runs IPython, which takes the worker's __main__ for its own
    files = longest_first(files)
    started = time.time()
    with working_directory(config.nbs_path):
        results = parallel(this.test_one, files, skip_flags=config.tst_flags.split(), force_flags=args.flags.split(), n_workers=args.n_workers,
                           basepath=config.config_path, pause=0.01)
    passed, seconds = zip(*results)
    for f, s in sorted(zip(files, seconds), key=lambda fs: fs[1], reverse=True): print(f'{f.name}: {int(s)} secs')
    failed = [f.name for f, ok in zip(files, passed) if not ok]
    print(f'{len(files)} notebooks in {time.time() - started:.0f} s on {args.n_workers} workers, the longest first')
    if failed:
        print('Tests failed on: ' + ', '.join(failed), file=sys.stderr)
        return 1
    print('Success.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
