"""A tiny shop's whole book: chapters 01-11 on 30 customers and 97 products over five years, orders and catalogue only
(`tools/check_small_shops.py`'s `tiny` shop, about 2,000 order lines), as `pm-report --shop` runs it for a user.

    .venv/bin/python benchmarks/tiny_book.py [--out DIR] [--no-peer]

The book is built as a user's shop gets it by default: without the reference sections (`--no-reference`; the methods
checked on CDNOW, MovieLens, AirPassengers, Walmart and the scanner panels). The peer, in the same run, is the same book
with the reference sections (`--reference`), as it was built before they could be left out. Prints per chapter and in
total `tiny_book_seconds=` and `tiny_book_with_reference_seconds=`, their ratio, and `tiny_book_under_5_min=` (the
issue's target: under 5 minutes on 2 cores). Every chapter must finish ok; exit 1 otherwise."""
import argparse, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tools'))
from check_small_shops import BOOK, TINY_CATEGORIES, reduced_tables, write_folder   # noqa: E402  (the same tiny shop as the check)
from precision_marketing.reports import read_summary   # noqa: E402


def build(folder: Path, out: Path, reference: bool) -> tuple[float, list]:
    "Run the whole book on the shop in `folder` into `out`; (wall seconds, summary rows)."
    start = time.perf_counter()
    run = subprocess.run([str(ROOT/'.venv'/'bin'/'pm-report'), *BOOK, '--shop', str(folder), '--out', str(out), '--no-progress',
                          '--reference' if reference else '--no-reference'], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    summary = read_summary(out)
    if run.returncode != 0: print(run.stdout[-2000:], run.stderr[-2000:], sep='\n')
    return seconds, summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', help='keep the shop and the books here (default: a temporary folder)')
    parser.add_argument('--no-peer', action='store_true', help='build only the book without reference sections')
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.out or tmp)
        tiny = reduced_tables(30, 97, 1825, 7)
        tiny['products'] = tiny['products'].assign(category=tiny['products'].category.map(TINY_CATEGORIES))
        folder = write_folder(tiny, base/'shop')
        print(f"tiny shop: {len(tiny['orders']):,} order lines, {tiny['orders'].customer_id.nunique()} customers, {len(tiny['products'])} products")
        runs = {'tiny_book': build(folder, base/'book', reference=False)}
        if not args.no_peer: runs['tiny_book_with_reference'] = build(folder, base/'book_with_reference', reference=True)
        ok = True
        for name, (seconds, summary) in runs.items():
            print(f"{name}: " + ', '.join(f"{r['chapter'].split('_')[0]} {r['seconds']:.0f} s" + ('' if r['status'] == 'ok' else ' FAILED') for r in summary))
            ok &= len(summary) == len(BOOK) and all(r['status'] == 'ok' for r in summary)
            print(f"{name}_seconds={seconds:.1f}")
        seconds = runs['tiny_book'][0]
        if 'tiny_book_with_reference' in runs: print(f"tiny_book_time_ratio={seconds / runs['tiny_book_with_reference'][0]:.2f}   # without / with the reference sections")
        print(f"tiny_book_under_5_min={seconds < 300}")
        print('every chapter ok' if ok else 'SOME CHAPTER FAILED')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
