"""ARIMA backtest: the library's selected ARIMA (precision_marketing.arima) against statsforecast's AutoARIMA,
same weekly product series of the synthetic shop, same rolling origins, measured in the same run.

    .venv/bin/python benchmarks/arima_backtest.py [--products 120] [--horizon 4] [--origins 6]

statsforecast needs pandas<3, so it runs in its own environment, benchmarks/.venv-statsforecast, created on first
use from benchmarks/requirements-statsforecast.txt. Prints time and mean MASE (library's `mase`) for both."""
import argparse, json, subprocess, tempfile, time
import numpy as np, pandas as pd
from precision_marketing.data import daily_units, weekly_units
from precision_marketing.synthetic import make_synthetic_shop
from precision_marketing.arima import backtest_many, window_cuts
from precision_marketing.evaluation import mase

from _peer_env import HERE, peer_python

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--products', type=int, default=120); ap.add_argument('--horizon', type=int, default=4); ap.add_argument('--origins', type=int, default=6)
    args = ap.parse_args()
    shop = make_synthetic_shop()
    daily = daily_units(shop.transactions, shop.prices.date.min(), shop.prices.date.max())
    weekly = weekly_units(daily)                    # the library's one weekly aggregation: whole weeks only
    names = list(weekly.sum().sort_values(ascending=False).index[:args.products])
    values = np.stack([weekly[n].to_numpy() for n in names])
    start = time.perf_counter()
    ours = backtest_many(dict(zip(names, values)), args.horizon, args.origins, None, n_jobs=2, progress=False)
    ours_s = time.perf_counter() - start
    ours_mase = ours[(ours.model == 'arima') & np.isfinite(ours.mase)].mase
    cuts = window_cuts(values.shape[1], args.horizon, args.origins)        # the origins backtest_many used, given to the peer
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(f'{tmp}/series.npz', names=np.array(names), values=values, cuts=cuts)
        subprocess.run([str(peer_python()), str(HERE / '_statsforecast_peer.py'), f'{tmp}/series.npz', f'{tmp}/out.json',
                        str(args.horizon)], check=True)
        peer = json.load(open(f'{tmp}/out.json'))
    peer_mase = []
    for i, n in enumerate(names):
        y = values[i]
        for o, cut in enumerate(cuts):
            m = mase(y[cut:cut + args.horizon], peer['forecasts'][n][str(o)], y[:cut])
            if np.isfinite(m): peer_mase.append(m)
    print(f'{len(names)} weekly product series x {args.origins} origins, horizon {args.horizon}')
    print(f'precision_marketing select_arima + SARIMAX: {ours_s:.1f} s, mean MASE {ours_mase.mean():.3f} (median {ours_mase.median():.3f})')
    print(f"statsforecast AutoARIMA:                    {peer['seconds']:.1f} s, mean MASE {np.mean(peer_mase):.3f} (median {np.median(peer_mase):.3f})")
    print(f"arima_time_ratio_ours_over_statsforecast = {ours_s / peer['seconds']:.2f}")

if __name__ == '__main__':
    main()
