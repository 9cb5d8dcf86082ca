"""A shop of ~20 million order lines: customer features and daily units computed in the store (DuckDB, `ShopQueries`)
against the pandas path (the whole orders table loaded into pandas, then the chapters' `customer_features` and
`daily_units`), each in a fresh process so that each peak memory is its own.

    .venv/bin/python benchmarks/shop_scale.py [--lines 20000000] [--customers 1000000] [--products 5000] [--days 730]

The shop is generated straight into a DuckDB file in chunks (never whole in memory) and kept in
benchmarks/.shop_scale/ (git-ignored) for reruns with the same sizes. Prints store_seconds=, pandas_seconds=,
store_peak_gb=, pandas_peak_gb=, memory_ratio= (pandas / store) and whether both paths gave the same results."""
import argparse, json, resource, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE/'.shop_scale'


def order_chunks(lines: int, customers: int, products: int, days: int, seed: int = 42, chunk: int = 1_000_000):
    "Order lines of a seeded shop, `chunk` lines at a time (never whole in memory): orders of 1-4 lines, popular products, `days` of trading."
    rng = np.random.default_rng(seed)
    popularity = 1.0 / rng.permutation(np.arange(1, products + 1)) ** 1.1; popularity /= popularity.sum()     # Zipf by rank: every product sells
    price = np.round(rng.lognormal(3, 0.8, products), 2)
    start, done, order = np.datetime64('2023-01-01T00:00:00'), 0, 0
    while done < lines:
        n = min(chunk, lines - done)
        size = rng.integers(1, 5, n)                                # lines per order, then cut to n lines
        order_of_line = np.repeat(np.arange(order, order + n), size)[:n]
        order = int(order_of_line[-1]) + 1
        owner = rng.integers(0, customers, order_of_line.max() - order_of_line.min() + 1)[order_of_line - order_of_line.min()]
        when = rng.integers(0, days * 86_400, order_of_line.max() - order_of_line.min() + 1)[order_of_line - order_of_line.min()]
        product = rng.choice(products, n, p=popularity)
        yield pd.DataFrame({'customer_id': pd.Series(owner).map('C{:07d}'.format), 'order_id': pd.Series(order_of_line).map('O{:09d}'.format),
                            'product_id': pd.Series(product).map('P{:05d}'.format), 'timestamp': start + when.astype('timedelta64[s]'),
                            'quantity': rng.integers(1, 4, n).astype(float), 'unit_price': price[product]})
        done += n
        print(f'  generated {done:,} of {lines:,} lines', end='\r', flush=True)
    print()


def generate(path: Path, lines: int, customers: int, products: int, days: int, seed: int = 42, chunk: int = 1_000_000):
    "The order lines of `order_chunks` into a DuckDB file at `path`."
    import duckdb
    tmp = path.with_suffix('.part'); tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute('create table orders (customer_id varchar, order_id varchar, product_id varchar, "timestamp" timestamp, '
                'quantity double, unit_price double)')
    for frame in order_chunks(lines, customers, products, days, seed, chunk):
        con.register('chunk', frame); con.execute('insert into orders select * from chunk'); con.unregister('chunk')
    con.close(); tmp.rename(path)


def run_path(path: str, which: str, out: str):
    "One path in this (fresh) process: compute both aggregates, save them, report seconds."
    started = time.perf_counter()
    if which == 'store':
        from precision_marketing.engines import ShopQueries
        q = ShopQueries(path, memory_limit='2GB')
        features, daily = q.customer_features(), q.daily_units()
    else:
        import duckdb
        from precision_marketing.data import daily_units
        from precision_marketing.features import customer_features
        with duckdb.connect(path, read_only=True) as con: orders = con.execute('select * from orders').df()
        orders['revenue'] = orders.quantity * orders.unit_price             # as validation adds it
        orders['timestamp'] = orders['timestamp'].astype('datetime64[ns]')
        features, daily = customer_features(orders), daily_units(orders)
    seconds, peak_kb = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # this process's own peak
    features.to_parquet(f'{out}.features.parquet'); daily.to_parquet(f'{out}.daily.parquet')
    print(json.dumps({'seconds': seconds, 'peak_kb': peak_kb}))


def measure(path: Path, which: str) -> tuple[float, float]:
    "Seconds and peak resident memory (GB) of one path, each run in a fresh child process."
    done = subprocess.run([sys.executable, __file__, '--run', which, '--path', str(path)], capture_output=True, text=True)
    if done.returncode: raise SystemExit(f'{which} path failed:\n{done.stderr[-3000:]}')
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures['seconds'], figures['peak_kb'] / 1024 ** 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lines', type=int, default=20_000_000); ap.add_argument('--customers', type=int, default=1_000_000)
    ap.add_argument('--products', type=int, default=5_000); ap.add_argument('--days', type=int, default=730)
    ap.add_argument('--run', choices=['store', 'pandas']); ap.add_argument('--path')
    args = ap.parse_args()
    if args.run: return run_path(args.path, args.run, str(Path(args.path).with_suffix('')) + f'.{args.run}')
    CACHE.mkdir(exist_ok=True)
    path = CACHE/f'shop_{args.lines}_{args.customers}_{args.products}_{args.days}.duckdb'
    if not path.exists():
        print(f'generating {args.lines:,} order lines into {path} ...', flush=True)
        started = time.perf_counter(); generate(path, args.lines, args.customers, args.products, args.days)
        print(f'generated in {time.perf_counter() - started:.0f} s, {path.stat().st_size / 1e9:.2f} GB on disk')
    store_seconds, store_peak = measure(path, 'store')
    pandas_seconds, pandas_peak = measure(path, 'pandas')
    base = str(path.with_suffix(''))
    same_features = np.allclose(pd.read_parquet(f'{base}.store.features.parquet').to_numpy(float),
                                pd.read_parquet(f'{base}.pandas.features.parquet').sort_index().to_numpy(float), rtol=1e-9)
    store_daily, pandas_daily = pd.read_parquet(f'{base}.store.daily.parquet'), pd.read_parquet(f'{base}.pandas.daily.parquet')
    same_daily = store_daily.shape == pandas_daily.shape and np.array_equal(store_daily[pandas_daily.columns].to_numpy(), pandas_daily.to_numpy())
    print(f'order_lines={args.lines} customers={args.customers} products={args.products} days={args.days}')
    print(f'store_seconds={store_seconds:.1f} pandas_seconds={pandas_seconds:.1f}')
    print(f'store_peak_gb={store_peak:.2f} pandas_peak_gb={pandas_peak:.2f} memory_ratio={pandas_peak / store_peak:.1f}')
    print(f'same_results={same_features and same_daily} (customer features to 1e-9, daily units exactly)')


if __name__ == '__main__':
    main()
