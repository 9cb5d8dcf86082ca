"""Recommendations at a real shop's size: 200,000 customers x 20,000 products from the synthetic generator
(`make_synthetic_shop` with its size parameters, 365 days), top-10 for every customer, excluding what each bought and
what is out of stock, with the model chapter 04's `ranker_for` picks for that catalogue (item-KNN with sparse neighbours).

    .venv/bin/python benchmarks/recs_scale.py [--customers 200000] [--products 20000] [--days 365]

The shop is generated once (not timed) and cached in benchmarks/.recs_scale/ (git-ignored). The measured run happens in
a fresh child process, so its peak memory is its own: purchases aggregated, split 75/25 per customer (seeded), the
model fitted on the 75%, top-10 for every customer of the shop (customers with no training purchases get the most
popular in-stock products). Prints `recs_scale_seconds=`, `recs_scale_peak_gb=`, `recs_scale_ndcg_at_10=` (on the
held-out 25%), popularity's nDCG on the same split, EASE's fit time at the switch size (5,000 products) and the sizes."""
import argparse, json, resource, subprocess, sys, time
from pathlib import Path
import pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE/'.recs_scale'


def generate(customers: int, products: int, days: int) -> Path:
    "The seeded synthetic shop's order lines, stock and customer list, cached as parquet."
    folder = CACHE/f'{customers}x{products}x{days}'
    if (folder/'done').exists(): return folder
    from precision_marketing.synthetic import make_synthetic_shop
    start = time.perf_counter()
    shop = make_synthetic_shop(n_customers=customers, n_products=products, n_days=days, seed=42)
    folder.mkdir(parents=True, exist_ok=True)
    shop.transactions[['customer_id', 'product_id', 'quantity']].to_parquet(folder/'orders.parquet')
    shop.inventory[['product_id', 'on_hand']].to_parquet(folder/'inventory.parquet')
    shop.customers[['customer_id']].to_parquet(folder/'customers.parquet')
    (folder/'done').write_text('ok')
    print(f'generated {len(shop.transactions):,} order lines in {time.perf_counter() - start:.0f} s (not timed below)')
    return folder


def run(folder: str):
    "The measured path, in this (fresh) process."
    from precision_marketing.collaborative_filtering import implicit_ratings, stratified_split, ranker_for, recommend, Popularity
    from precision_marketing.evaluation import ranking_metrics
    folder = Path(folder)
    orders, stock, customers = (pd.read_parquet(folder/f'{n}.parquet') for n in ('orders', 'inventory', 'customers'))
    started = time.perf_counter()
    purchases = implicit_ratings(orders)
    train, test = stratified_split(purchases, 0.75, 42)
    model = ranker_for(len(stock)).fit(train, stock.product_id)
    fitted = time.perf_counter()
    recs = recommend(model, customers.customer_id, k=10, known_customers=customers.customer_id, availability=stock, memory_mb=512)
    seconds = time.perf_counter() - started
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    out_of_stock = set(stock.product_id[stock.on_hand <= 0])
    bought = set(zip(train.customer_id, train.product_id))
    checks = {'every_customer_served': int(recs.customer_id.nunique()) == len(customers), 'lists_of_10': bool((recs.groupby('customer_id').size() == 10).all()),
              'no_out_of_stock': not recs.product_id.isin(out_of_stock).any(),
              'no_bought': not any(p in bought for p in zip(recs.customer_id, recs.product_id))}
    ndcg = ranking_metrics(recs, test, 10)['ndcg']
    popularity = ranking_metrics(recommend(Popularity().fit(train, stock.product_id), test.customer_id.unique(), k=10, availability=stock, memory_mb=512), test, 10)['ndcg']
    print(json.dumps({'seconds': seconds, 'fit_seconds': fitted - started, 'peak_gb': peak_gb, 'ndcg': ndcg, 'popularity_ndcg': popularity,
                      'model': f'{type(model).__name__}(neighbours={getattr(model, "neighbours", None)})', 'pairs': len(purchases),
                      'customers': len(customers), 'products': len(stock), 'out_of_stock': len(out_of_stock), **checks}))


def ease_at_limit(folder: Path, items: int = 5000) -> float:
    "EASE's fit time on the `items` best-selling products (the size where `ranker_for` switches away from it)."
    from precision_marketing.collaborative_filtering import EASE, implicit_ratings
    purchases = implicit_ratings(pd.read_parquet(folder/'orders.parquet'))
    top = purchases.product_id.value_counts().index[:items]
    start = time.perf_counter(); EASE(500.0).fit(purchases[purchases.product_id.isin(top)]); return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--customers', type=int, default=200_000); ap.add_argument('--products', type=int, default=20_000)
    ap.add_argument('--days', type=int, default=365); ap.add_argument('--run')
    args = ap.parse_args()
    if args.run: return run(args.run)
    folder = generate(args.customers, args.products, args.days)
    done = subprocess.run([sys.executable, __file__, '--run', str(folder)], capture_output=True, text=True)
    if done.returncode: raise SystemExit(f'the measured run failed:\n{done.stderr[-3000:]}')
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{r['customers']:,} customers x {r['products']:,} products, {r['pairs']:,} (customer, product) pairs, {r['out_of_stock']:,} products out of stock; "
          f"model {r['model']}, fitted in {r['fit_seconds']:.1f} s")
    print(f"checks: every customer served {r['every_customer_served']}, lists of 10 {r['lists_of_10']}, nothing out of stock {r['no_out_of_stock']}, nothing already bought {r['no_bought']}")
    print(f"recs_scale_seconds={r['seconds']:.1f}"); print(f"recs_scale_peak_gb={r['peak_gb']:.2f}")
    print(f"recs_scale_ndcg_at_10={r['ndcg']:.4f}"); print(f"recs_scale_popularity_ndcg_at_10={r['popularity_ndcg']:.4f}")
    print(f"ease_5000_fit_seconds={ease_at_limit(folder):.1f}")

if __name__ == '__main__':
    main()
