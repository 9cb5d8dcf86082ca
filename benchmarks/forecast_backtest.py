"""Forecast backtest (issue 12, first step): chapter 07's `calendar_forecast` (a Poisson GLM per category that knows
the shop's price and promotion calendar, the yearly season and the weekdays) against statsforecast's AutoARIMA,
AutoETS, AutoTheta (season 52) and their median, on the synthetic shop's weekly product series, same rolling origins,
all scored with the library's `mase`.

    .venv/bin/python benchmarks/forecast_backtest.py [--products 120] [--horizon 4] [--origins 6]

At each origin the calendar forecast is fitted on the daily sales up to the origin's last whole week and forecasts the
next `horizon` weeks given the prices and promotions the shop had planned for them (the calendar is known in advance;
the demand is not). statsforecast runs in its own environment (benchmarks/.venv-statsforecast, pandas < 3), warm: one
untimed pass first. Prints forecast_mase_ours, forecast_mase_peer_best, forecast_mase_ratio, forecast_time_ratio,
coverage_80 and coverage_95 (of the calendar forecast's weekly intervals), and the median and mean by demand class."""
import argparse, json, subprocess, tempfile, time
import numpy as np, pandas as pd
from scipy import stats
from precision_marketing.data import weekly_units
from precision_marketing.shop import open_shop
from precision_marketing.queries import shop_daily_units
from precision_marketing.inventory import calendar_forecast, history_calendar
from precision_marketing.arima import mase

from _peer_env import HERE, peer_python

def ours(shop, daily, weekly, names, horizon, origins):
    "Per origin: weekly mean forecasts and sigmas (names x horizon) of the calendar forecast."
    products = shop.products.set_index('product_id').loc[daily.columns].reset_index()
    out = []
    for o in range(origins):
        cut = len(weekly) - horizon * (origins - o)
        last = weekly.index[cut - 1]                              # the origin: the last day of the last whole training week
        history = daily.loc[:last]
        ahead = pd.date_range(last + pd.Timedelta(days=1), periods=7 * horizon)
        rel, promo = history_calendar(shop.prices, products, history.index.append(ahead))
        mean, sigma, _ = calendar_forecast(history, rel, promo, products.category.to_numpy(), 7 * horizon, products.launch_date)
        weekly_mean = mean.reshape(len(products), horizon, 7).sum(axis=2)
        weekly_sigma = np.repeat((sigma * np.sqrt(7))[:, None], horizon, axis=1)
        at = pd.Index(daily.columns).get_indexer(names)
        out.append((weekly_mean[at], weekly_sigma[at]))
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--products', type=int, default=120); ap.add_argument('--horizon', type=int, default=4); ap.add_argument('--origins', type=int, default=6)
    ap.add_argument('--season', type=int, default=52)
    args = ap.parse_args()
    shop = open_shop('synthetic')
    daily = shop_daily_units(shop, shop.days[0], shop.days[-1], shop.products.product_id)
    weekly = weekly_units(daily)                    # the library's one weekly aggregation: whole weeks only
    names = list(weekly.sum().sort_values(ascending=False).index[:args.products])
    values = np.stack([weekly[n].to_numpy() for n in names])
    daily = daily.loc[weekly.index[0] - pd.Timedelta(days=6):weekly.index[-1]]   # the whole weeks only, as the peers see them
    products = shop.products.set_index('product_id').loc[names].reset_index()
    rel, promo = history_calendar(shop.prices, products, daily.index)             # the same calendar, as weekly regressors
    week_of = np.arange(len(daily)) // 7
    doy = weekly.index.dayofyear.to_numpy() / 365.25
    season = np.column_stack([f(2 * np.pi * k * doy) for k in (1, 2) for f in (np.sin, np.cos)])
    exog = np.stack([np.column_stack([pd.Series(np.log(rel[i])).groupby(week_of).mean().to_numpy(),
                                      pd.Series(promo[i].astype(float)).groupby(week_of).mean().to_numpy(), season]) for i in range(len(names))])
    start = time.perf_counter()
    mine = ours(shop, daily, weekly, names, args.horizon, args.origins)
    ours_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(f'{tmp}/series.npz', names=np.array(names), values=values, exog=exog)
        subprocess.run([str(peer_python()), str(HERE / '_statsforecast_models.py'), f'{tmp}/series.npz', f'{tmp}/out.json',
                        str(args.horizon), str(args.origins), str(args.season)], check=True)
        peer = json.load(open(f'{tmp}/out.json'))
    rows, inside = [], {80: [], 95: []}
    zero_share = (values == 0).mean(axis=1)
    for i, n in enumerate(names):
        y = values[i]
        for o in range(args.origins):
            cut = len(y) - args.horizon * (args.origins - o)
            actual, train = y[cut:cut + args.horizon], y[:cut]
            fc = {m: np.asarray(peer['forecasts'][m][n][str(o)]) for m in peer['forecasts']}
            fc['median of the three'] = np.median(np.stack([fc[m] for m in ('AutoARIMA', 'AutoETS', 'AutoTheta')]), axis=0)
            fc['calendar (ours)'] = mine[o][0][i]
            klass = 'intermittent (>30% zero weeks)' if zero_share[i] > 0.3 else 'regular'
            for m, f in fc.items(): rows.append({'series': n, 'origin': o, 'model': m, 'class': klass, 'mase': mase(actual, f, train)})
            for level in inside:
                z = stats.norm.ppf(0.5 + level / 200)
                inside[level].extend(np.abs(actual - mine[o][0][i]) <= z * mine[o][1][i])
    table = pd.DataFrame(rows)
    table = table[np.isfinite(table.mase)]
    summary = table.groupby('model').mase.agg(['mean', 'median']).sort_values('mean')
    by_class = table.pivot_table(index='model', columns='class', values='mase', aggfunc='mean')
    peer_models = [m for m in summary.index if m not in ('calendar (ours)', 'AutoARIMA + calendar')]   # the peers, no regressors
    best = summary.loc[peer_models, 'mean'].idxmin()
    print(f'{len(names)} weekly product series x {args.origins} origins, horizon {args.horizon} weeks, season {args.season}')
    print(summary.join(by_class).round(3).to_string())
    print(f"calendar forecast: {ours_s:.1f} s; statsforecast (three models): {peer['seconds_warm']:.1f} s warm, {peer['seconds_cold']:.1f} s cold")
    print(f"forecast_mase_ours = {summary.loc['calendar (ours)', 'mean']:.3f}")
    print(f"forecast_mase_peer_best = {summary.loc[best, 'mean']:.3f} ({best})")
    print(f"forecast_mase_ratio = {summary.loc['calendar (ours)', 'mean'] / summary.loc[best, 'mean']:.3f}")
    print(f"forecast_time_ratio = {ours_s / peer['seconds_warm']:.2f}")
    print(f"coverage_80 = {np.mean(inside[80]):.3f}")
    print(f"coverage_95 = {np.mean(inside[95]):.3f}")
    print(f"AutoARIMA + calendar (the same regressors, weekly): mean MASE {summary.loc['AutoARIMA + calendar', 'mean']:.3f} in {peer['seconds_exog']:.1f} s; "
          f"ratio ours / it = {summary.loc['calendar (ours)', 'mean'] / summary.loc['AutoARIMA + calendar', 'mean']:.3f}")

if __name__ == '__main__':
    main()
