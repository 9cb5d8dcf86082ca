"""A shop of 50 million order lines as Parquet: customer features and daily units (chapter 00c's SQL) on Apache Spark
(`engines.SparkShopQueries`, chapters 00c and 12) against DuckDB (`engines.ShopQueries` on the same Parquet files), at 5, 10, 20 and
50 million lines, each engine and size in a fresh process so that each peak memory is its own.

    .venv/bin/python benchmarks/spark_scale.py [--lines 50000000] [--sizes 5000000,10000000,20000000,50000000]
                                               [--customers 2000000] [--products 5000] [--days 730] [--master local[2]]

Needs PySpark and Java (`make test-spark` installs both). The order lines come from `shop_scale.order_chunks` (never whole
in memory), one Parquet part file of a million lines each, kept in benchmarks/.spark_scale/ (git-ignored) for reruns; a
smaller size is a folder of links to the first parts. Spark runs with `spark.driver.memory=4g` (in local mode the
driver is also the executor), DuckDB with `memory_limit='4GB'`. Prints per size spark_seconds=, duckdb_seconds=,
spark_driver_peak_gb= (the driver JVM's peak resident memory, plus the Python driver's), duckdb_peak_gb=, and whether
both engines gave the same results; then how each engine's time grew from the smallest size to the largest, and a
straight line fitted to time against lines: a fixed part (the session, the results, whose size stops growing once every
customer and product-day is present) plus a part per million lines, and how far the points sit from it."""
import argparse, json, os, resource, subprocess, sys, time
from pathlib import Path
import numpy as np, pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE/'.spark_scale'
sys.path.insert(0, str(HERE))
from shop_scale import order_chunks            # noqa: E402  the same seeded order lines as the DuckDB scale benchmark

CHUNK = 1_000_000
DRIVER_MEMORY = '4g'


def generate(folder: Path, lines: int, customers: int, products: int, days: int):
    "`lines` order lines as Parquet part files `<folder>/parts/part-00000.parquet`, ... (microsecond timestamps, as Spark reads them)."
    parts = folder/'parts'
    tmp = folder/'parts.part'
    if tmp.exists(): import shutil; shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for i, frame in enumerate(order_chunks(lines, customers, products, days, chunk=CHUNK)):
        frame.to_parquet(tmp/f'part-{i:05d}.parquet', index=False, coerce_timestamps='us')
    tmp.rename(parts)


def shop_of(folder: Path, lines: int) -> Path:
    "A shop folder whose orders.parquet holds the first `lines` lines: links to the first parts (no copy)."
    shop = folder/f'shop_{lines}'
    orders = shop/'orders.parquet'
    if not orders.exists():
        orders.mkdir(parents=True)
        for part in sorted((folder/'parts').iterdir())[:lines // CHUNK]: (orders/part.name).symlink_to(part)
    return shop


def _java_peak_kb() -> int:
    "Peak resident memory (VmHWM) of this process's Java children: the Spark driver JVM."
    peak = 0
    for proc in Path('/proc').iterdir():
        if not proc.name.isdigit(): continue
        try:
            status = (proc/'status').read_text()
            fields = dict(line.split(':', 1) for line in status.splitlines() if ':' in line)
            if fields.get('Name', '').strip() == 'java' and int(fields['PPid']) == os.getpid():
                peak = max(peak, int(fields['VmHWM'].split()[0]))
        except (OSError, KeyError, ValueError): continue
    return peak


def run_engine(shop: str, engine: str, master: str, out: str):
    "One engine on one shop in this (fresh) process: both aggregates, saved; seconds and peak memory printed as JSON."
    started = time.perf_counter()
    if engine == 'spark':
        from precision_marketing.engines import SparkShopQueries
        from precision_marketing.engines import spark_session
        spark = spark_session(master, config={'spark.driver.memory': DRIVER_MEMORY})
        session_seconds = time.perf_counter() - started
        started = time.perf_counter()
        q = SparkShopQueries(shop, spark)
    else:
        from precision_marketing.engines import ShopQueries
        session_seconds = 0.0
        q = ShopQueries(shop, memory_limit=DRIVER_MEMORY.upper() + 'B')
    features, daily = q.customer_features(), q.daily_units()
    seconds = time.perf_counter() - started
    python_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    java_kb = _java_peak_kb() if engine == 'spark' else 0
    features.to_parquet(f'{out}.features.parquet'); daily.to_parquet(f'{out}.daily.parquet')
    print(json.dumps({'seconds': seconds, 'session_seconds': session_seconds, 'python_kb': python_kb, 'java_kb': java_kb,
                      'customers': len(features), 'daily_shape': list(daily.shape)}))


def measure(shop: Path, engine: str, master: str) -> dict:
    "One engine on one shop, in a fresh child process."
    done = subprocess.run([sys.executable, __file__, '--run', engine, '--shop', str(shop), '--master', master], capture_output=True, text=True)
    if done.returncode: raise SystemExit(f'{engine} on {shop} failed:\n{done.stderr[-3000:]}')
    return json.loads(done.stdout.strip().splitlines()[-1])


def same_results(shop: Path) -> bool:
    "Spark's and DuckDB's results on one shop: customer features to a relative 1e-9 (sums in another order), daily units exactly."
    base = str(shop/'result')
    f_spark, f_duck = pd.read_parquet(f'{base}.spark.features.parquet'), pd.read_parquet(f'{base}.duckdb.features.parquet')
    d_spark, d_duck = pd.read_parquet(f'{base}.spark.daily.parquet'), pd.read_parquet(f'{base}.duckdb.daily.parquet')
    return (f_spark.index.equals(f_duck.index) and np.allclose(f_spark.to_numpy(float), f_duck.to_numpy(float), rtol=1e-9, atol=0)
            and d_spark.shape == d_duck.shape and np.array_equal(d_spark[d_duck.columns].to_numpy(), d_duck.to_numpy()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lines', type=int, default=50_000_000)
    ap.add_argument('--sizes', default='5000000,10000000,20000000,50000000')
    ap.add_argument('--customers', type=int, default=2_000_000); ap.add_argument('--products', type=int, default=5_000)
    ap.add_argument('--days', type=int, default=730); ap.add_argument('--master', default='local[2]')
    ap.add_argument('--run', choices=['spark', 'duckdb']); ap.add_argument('--shop')
    args = ap.parse_args()
    if args.run: return run_engine(args.shop, args.run, args.master, str(Path(args.shop)/f'result.{args.run}'))
    sizes = sorted(int(s) for s in args.sizes.split(','))
    if args.lines % CHUNK or any(s % CHUNK or s > args.lines for s in sizes):
        raise SystemExit(f'--lines and --sizes must be whole millions, the sizes at most --lines; got {args.lines}, {sizes}')
    folder = CACHE/f'orders_{args.lines}_{args.customers}_{args.products}_{args.days}'
    if not (folder/'parts').exists():
        print(f'generating {args.lines:,} order lines as Parquet into {folder} ...', flush=True)
        started = time.perf_counter(); generate(folder, args.lines, args.customers, args.products, args.days)
        print(f'generated in {time.perf_counter() - started:.0f} s, '
              f'{sum(p.stat().st_size for p in (folder/"parts").iterdir()) / 1e9:.2f} GB on disk')
    print(f'customers={args.customers} products={args.products} days={args.days} master={args.master} '
          f'spark.driver.memory={DRIVER_MEMORY} duckdb memory_limit={DRIVER_MEMORY.upper()}B; customer features + daily units')
    rows = {}
    for lines in sizes:
        shop = shop_of(folder, lines)
        spark, duck = measure(shop, 'spark', args.master), measure(shop, 'duckdb', args.master)
        rows[lines] = (spark, duck)
        spark_gb = (spark['java_kb'] + spark['python_kb']) / 1024 ** 2
        print(f"order_lines={lines} customers_found={spark['customers']} daily_units={spark['daily_shape'][0]}x{spark['daily_shape'][1]} "
              f"spark_seconds={spark['seconds']:.1f} duckdb_seconds={duck['seconds']:.1f} ratio={spark['seconds'] / duck['seconds']:.1f} "
              f"spark_session_seconds={spark['session_seconds']:.1f} spark_driver_peak_gb={spark_gb:.2f} "
              f"(jvm {spark['java_kb'] / 1024 ** 2:.2f}, python {spark['python_kb'] / 1024 ** 2:.2f}) duckdb_peak_gb={duck['python_kb'] / 1024 ** 2:.2f} "
              f"same_results={same_results(shop)}", flush=True)
    small, large = sizes[0], sizes[-1]
    millions = np.array(sizes) / 1e6
    for i, engine in enumerate(('spark', 'duckdb')):
        seconds = np.array([rows[lines][i]['seconds'] for lines in sizes])
        growth = seconds[-1] / seconds[0]
        slope, intercept = np.polyfit(millions, seconds, 1)                  # seconds = fixed part + per-line part
        worst = float(np.max(np.abs(intercept + slope * millions - seconds) / seconds)) if len(sizes) > 2 else 0.0
        print(f'{engine}_growth={growth:.1f} ({small:,} -> {large:,} lines: {large / small:.0f}x the lines); '
              f'{engine}_seconds ~ {intercept:.1f} + {slope:.2f} per million lines (largest misfit {worst:.0%})')


if __name__ == '__main__':
    main()
