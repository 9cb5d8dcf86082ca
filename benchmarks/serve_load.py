"""The decision service under load. `pm-serve` is started on a run of the default shop (and, with --large, on a run of a
200,000-customer x 20,000-product shop from the synthetic generator at recs_scale.py's size, 365 days), and driven on
loopback by Locust (headless, in its own environment benchmarks/.venv-locust, created on first use from
requirements-locust.txt): a fixed number of users for a fixed time, 90% reads (a customer's list, 1 in 20 an unknown
customer; a product's price) and 10% order lines posted — once paced at --rate requests a second (the latencies at that
rate) and once with each user calling again as soon as it is answered (the most the service answers, and the queue's
latency). Then, one after another: 200 probes of the time from an order's
2xx to the customer's list leaving the product out, and the fault run (orders posted while the service is killed with
SIGKILL, the service restarted, every acknowledged order looked for). Before each load the harness syncs what it wrote
(the run's store), and Locust's own files go to memory (/dev/shm): the service's log syncs every accepted batch to disk,
and the load generator's writes would be flushed with them.

    .venv/bin/python benchmarks/serve_load.py [--large] [--users 32] [--seconds 20] [--rate 1000]

The runs' lists are chapter 04's: `ranker_for`'s model for the catalogue, `recommend` top-10 excluding what each bought
and what is out of stock. Prints per run serve_rps=, serve_p50_ms=, serve_p99_ms= (paced; and the p99 of the lists and
of the orders apart), serve_errors=, serve_cpu_s= (the service's CPU seconds in the paced run, its page faults, and the load
generator's CPU seconds), serve_max_rps=, serve_peak_gb= (the
service's peak resident memory), event_to_visible_ms= (p99), events_acknowledged=, events_recovered=,
serve_gc_full_collections= and serve_gc_longest_full_ms= (Python's full collections over the three loads, from /metrics), and, on reads
only, serve_read_rps= and the peer's (`_serve_peer.py`: the run's lists in a dict behind Starlette on uvicorn, no live
state) with their ratio."""
import argparse, csv, json, os, resource, signal, subprocess, sys, tempfile, threading, time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(HERE))
from _peer_env import peer_python
from precision_marketing.serving import free_port, start_service as start

TOKEN = 'serve-load-token'
STATS_DIR = Path('/dev/shm') if Path('/dev/shm').is_dir() else None   # memory: where the load generator's own files go, when the machine has it


def build_run(shop, source: str, folder: Path) -> tuple[Path, pd.DataFrame]:
    "Chapter 04's top-10 lists for every customer of the shop, written as a run's decision table to folder/results.duckdb."
    from precision_marketing.collaborative_filtering import implicit_ratings, ranker_for, recommend
    from precision_marketing.data import run_environment
    from precision_marketing.decisions import write_decisions
    started = time.perf_counter()
    stock = shop.inventory[['product_id', 'on_hand']]
    model = ranker_for(len(shop.products)).fit(implicit_ratings(shop.orders), shop.products.product_id)
    recs = recommend(model, k=10, availability=stock, memory_mb=512)
    db = folder / 'results.duckdb'
    with run_environment(run_id='serve-load'): write_decisions('04_collaborative_filtering', {'recommendations': recs}, shop.describe(), db=db)
    print(f'{source}: {recs.customer_id.nunique():,} lists of chapter 04 written in {time.perf_counter() - started:.0f} s (not timed below)', flush=True)
    return db, recs


def process_use(pid: int) -> tuple[float, int, int]:
    "A process's CPU seconds (user + system), minor and major page faults so far, from /proc/<pid>/stat."
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    tick = os.sysconf('SC_CLK_TCK')
    return (int(fields[11]) + int(fields[12])) / tick, int(fields[7]), int(fields[9])


def locust(port: int, folder: Path, users: int, seconds: int, writes: float, tag: str, rate: float = 0.0, served: int | None = None) -> dict:
    """One headless Locust run, paced at `rate` requests a second (0: each user calls again as soon as it is answered);
    its aggregated figures, the p99 of the lists and of the posted orders, and with `served` (the service's pid) the CPU
    seconds and page faults the service used in the run, beside the CPU seconds of the load generator."""
    prefix = (STATS_DIR or folder) / f'locust-{os.getpid()}-{tag}'         # Locust writes its CSVs every second: not to the disk the service's log syncs to
    env = {**os.environ, 'SERVE_CUSTOMERS': str(folder / 'customers.txt'), 'SERVE_PRODUCTS': str(folder / 'products.txt'),
           'SERVE_WRITE_SHARE': str(writes), 'PM_SERVE_TOKEN': TOKEN, 'SERVE_SEED': '42',
           'SERVE_RATE': str(rate), 'SERVE_USERS': str(users)}
    locust_bin = peer_python('locust').parent / 'locust'
    os.sync()                                  # what the harness wrote before (the run's store: GBs for --large) is on disk, not flushed during the load
    before, children = process_use(served) if served else None, resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([str(locust_bin), '-f', str(HERE / '_serve_locustfile.py'), '--headless', '-u', str(users), '-r', str(users), '--run-time', f'{seconds}s',
                    '--host', f'http://127.0.0.1:{port}', '--csv', str(prefix), '--only-summary', '--loglevel', 'ERROR', '--stop-timeout', '5'],
                   env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after, children_after = process_use(served) if served else None, resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = {r['Name']: r for r in csv.DictReader(open(f'{prefix}_stats.csv'))}
    for f in prefix.parent.glob(f'{prefix.name}_*.csv'): f.unlink()
    total = rows['Aggregated']
    p99 = lambda name: float(rows[name]['99%']) if name in rows else float('nan')
    return {'rps': float(total['Requests/s']), 'p50': float(total['50%']), 'p99': float(total['99%']), 'requests': int(total['Request Count']),
            'errors': int(total['Failure Count']), 'p99_lists': p99('/customers/{id}/recommendations'), 'p99_orders': p99('/events'),
            'orders_ms': {q: float(rows['/events'][q]) for q in ('50%', '90%', '95%', '99%')} if '/events' in rows else {},
            'load_cpu_s': (children_after.ru_utime + children_after.ru_stime) - (children.ru_utime + children.ru_stime),
            **({'served_cpu_s': after[0] - before[0], 'served_minor_faults': after[1] - before[1], 'served_major_faults': after[2] - before[2]} if served else {})}


def peak_gb(pid: int) -> float:
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmHWM:'): return int(line.split()[1]) / 1024 ** 2
    return float('nan')


def event_to_visible(port: int, recs: pd.DataFrame, probes: int = 200) -> float:
    "p99 of the time from an order's 2xx to the customer's list leaving the product out (ms); every probe must see it."
    web, writer = httpx.Client(base_url=f'http://127.0.0.1:{port}', timeout=10), {'Authorization': f'Bearer {TOKEN}'}
    rng = np.random.default_rng(7)
    times = []
    for i, customer in enumerate(rng.choice(recs.customer_id.unique(), probes, replace=False)):
        listed = web.get(f'/customers/{customer}/recommendations').json()['recommendations']
        if not listed: continue
        product = listed[0]['product_id']
        line = {'customer_id': customer, 'order_id': f'probe-{i}', 'product_id': product, 'timestamp': '2030-01-01 12:00', 'quantity': 1, 'unit_price': 1.0}
        assert web.post('/events', headers=writer, json={'orders': [line]}).status_code == 200
        acknowledged = time.perf_counter()
        while product in [r['product_id'] for r in web.get(f'/customers/{customer}/recommendations').json()['recommendations']]:
            if time.perf_counter() - acknowledged > 5: raise AssertionError(f'{product} still listed for {customer} 5 s after the order')
        times.append((time.perf_counter() - acknowledged) * 1000)
    return float(np.percentile(times, 99))


def fault_run(command: list, port: int, recs: pd.DataFrame, seconds: float = 5.0) -> tuple[int, int]:
    "Orders posted by 8 threads while the service is killed; after a restart, the acknowledged orders that are there."
    base, writer = f'http://127.0.0.1:{port}', {'Authorization': f'Bearer {TOKEN}'}
    product = recs.product_id.iloc[0]
    acknowledged, lock = [], threading.Lock()
    def post(worker: int):
        client = httpx.Client(base_url=base, timeout=5)
        for i in range(10**6):
            who = f'fault-{worker}-{i}'
            try: r = client.post('/events', headers=writer, json={'orders': [{'customer_id': who, 'order_id': who, 'product_id': product,
                                                                              'timestamp': '2030-01-01 12:00', 'quantity': 1, 'unit_price': 1.0}]})
            except httpx.TransportError: return
            if r.status_code == 200:
                with lock: acknowledged.append(who)
    threads = [threading.Thread(target=post, args=(w,)) for w in range(8)]
    for t in threads: t.start()
    time.sleep(seconds)
    return acknowledged, threads


def run_one(name: str, shop, source: str, args, folder: Path) -> dict:
    db, recs = build_run(shop, source, folder)
    (folder / 'customers.txt').write_text('\n'.join(recs.customer_id.astype(str).unique()))
    (folder / 'products.txt').write_text('\n'.join(shop.products.product_id.astype(str)))
    port = free_port()
    command = [str(ROOT / '.venv' / 'bin' / 'pm-serve'), '--results', str(db), '--shop', source, '--log', str(folder / 'events.sqlite'), '--port', str(port)]
    started = time.perf_counter()
    proc = start(command, port, {'PM_SERVE_TOKEN': TOKEN})
    out = {'start_seconds': time.perf_counter() - started}
    try:
        load = dict(served=proc.pid)
        out['read'] = locust(port, folder, args.users, args.seconds, 0.0, f'{name}-read', **load)
        out['mixed'] = locust(port, folder, args.users, args.seconds, 0.1, f'{name}-mixed', rate=args.rate, **load)
        out['mixed_max'] = locust(port, folder, args.users, args.seconds, 0.1, f'{name}-mixed-max', **load)
        out['event_to_visible_ms'] = event_to_visible(port, recs)
        out['collector'] = httpx.get(f'http://127.0.0.1:{port}/metrics', timeout=10).json()['collector']   # the three loads' collections
        out['peak_gb'] = peak_gb(proc.pid)
        acknowledged, threads = fault_run(command, port, recs)
        os.kill(proc.pid, signal.SIGKILL); proc.wait()
        for t in threads: t.join(10)
        proc = start(command, port, {'PM_SERVE_TOKEN': TOKEN})
        web = httpx.Client(base_url=f'http://127.0.0.1:{port}', timeout=10)
        product = recs.product_id.iloc[0]
        out['acknowledged'] = len(acknowledged)
        out['recovered'] = sum(product not in [r['product_id'] for r in web.get(f'/customers/{c}/recommendations?n=100').json()['recommendations']]
                               for c in acknowledged)
    finally:
        proc.kill(); proc.wait()
    lists = {c: [{'product_id': p, 'rank': int(r), 'score': float(s)} for p, r, s in zip(g.product_id, g['rank'], g.score)] for c, g in recs.groupby('customer_id')}
    lists['__cold__'] = lists[next(iter(lists))]
    (folder / 'lists.json').write_text(json.dumps(lists))
    port = free_port()
    peer = start([sys.executable, str(HERE / '_serve_peer.py'), str(port)], port, {'SERVE_LISTS': str(folder / 'lists.json')})
    try: out['peer_read'] = locust(port, folder, args.users, args.seconds, 0.0, f'{name}-peer', served=peer.pid)
    finally: peer.kill(); peer.wait()
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--large', action='store_true', help="also the 200,000 x 20,000 shop (recs_scale.py's size)")
    p.add_argument('--users', type=int, default=32); p.add_argument('--seconds', type=int, default=20)
    p.add_argument('--rate', type=float, default=1000.0, help='requests a second of the paced mixed run (default: %(default)s, the issue\'s target)')
    args = p.parse_args()
    from precision_marketing.sources import complete_shop, open_shop
    from precision_marketing.synthetic import make_synthetic_shop
    runs = {'default': lambda folder: (complete_shop(open_shop('synthetic')), 'synthetic')}
    if args.large:
        def large(folder):
            started = time.perf_counter()
            s = make_synthetic_shop(n_customers=200_000, n_products=20_000, n_days=365, seed=42)
            raw = {'orders': s.transactions.drop(columns='revenue'), 'products': s.products, 'inventory': s.inventory}
            (folder / 'shop').mkdir()
            for table, frame in raw.items(): frame.to_parquet(folder / 'shop' / f'{table}.parquet')
            print(f'large shop: {len(s.transactions):,} order lines generated in {time.perf_counter() - started:.0f} s (not timed)', flush=True)
            return complete_shop(open_shop(folder / 'shop')), str(folder / 'shop')
        runs['large'] = large
    ok = True
    for name, make in runs.items():
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            shop, source = make(folder)
            r = run_one(name, shop, source, args, folder)
        m, read, peer = r['mixed'], r['read'], r['peer_read']
        print(f'== {name}: {shop.customers.shape[0] if shop.has("customers") else shop.orders.customer_id.nunique():,} customers, {len(shop.products):,} products; '
              f'{args.users} Locust users, {args.seconds} s per run; the service answered /health {r["start_seconds"]:.1f} s after it was started')
        mx = r['mixed_max']
        print(f'serve_rps={m["rps"]:.0f}   # 90% reads, 10% order lines, paced at {args.rate:.0f}/s; {m["requests"]:,} requests'); print(f'serve_p50_ms={m["p50"]:.0f}'); print(f'serve_p99_ms={m["p99"]:.0f}')
        o = m['orders_ms']
        print(f'serve_p99_lists_ms={m["p99_lists"]:.0f}   # the same run: a customer\'s list')
        print(f'serve_p99_orders_ms={m["p99_orders"]:.0f}   # the same run: an order line posted, checked and on disk (p50 {o["50%"]:.0f}, p90 {o["90%"]:.0f}, p95 {o["95%"]:.0f} ms)')
        print(f'serve_errors={m["errors"] + mx["errors"]}')
        print(f'serve_cpu_s={m["served_cpu_s"]:.1f}   # the paced run: the service\'s CPU seconds in its {args.seconds} s ({m["served_minor_faults"]:,} minor, {m["served_major_faults"]:,} major page faults); Locust\'s {m["load_cpu_s"]:.1f} s' )
        print(f'serve_max_rps={mx["rps"]:.0f}   # the same mix, each user calling again as soon as answered: p50 {mx["p50"]:.0f} ms, p99 {mx["p99"]:.0f} ms ({args.users} users waiting: the latency is the queue)'); print(f'serve_peak_gb={r["peak_gb"]:.2f}'); print(f'event_to_visible_ms={r["event_to_visible_ms"]:.1f}')
        print(f'events_acknowledged={r["acknowledged"]}'); print(f'events_recovered={r["recovered"]}')
        gc_full, gc_young = r['collector']['generation_2'], r['collector']['generation_0']
        print(f'serve_gc_full_collections={gc_full["collections"]}   # the three loads; {r["collector"]["frozen_objects"]:,} objects frozen at start (settle_heap)')
        print(f'serve_gc_longest_full_ms={gc_full["longest_ms"]:.1f}   # the longest stop for a full collection; youngest generation: {gc_young["collections"]:,} collections, longest {gc_young["longest_ms"]:.1f} ms')
        print(f'serve_read_rps={read["rps"]:.0f}   # reads only; p50 {read["p50"]:.0f} ms, p99 {read["p99"]:.0f} ms, {read["errors"]} errors')
        print(f'peer_read_rps={peer["rps"]:.0f}   # the run\'s lists in a dict behind Starlette; p50 {peer["p50"]:.0f} ms, p99 {peer["p99"]:.0f} ms, {peer["errors"]} errors')
        print(f'serve_read_ratio={read["rps"] / peer["rps"]:.2f}   # ours / peer, requests per second')
        ok &= m['errors'] == 0 and mx['errors'] == 0 and r['acknowledged'] == r['recovered']
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
