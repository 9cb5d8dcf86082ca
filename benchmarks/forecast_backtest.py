"""Forecast backtest (issue 12): chapter 06a's chosen forecaster against statsforecast's AutoARIMA, AutoETS, AutoTheta
(season 52) and their median, on the synthetic shop's weekly product series, same test origins, all scored with the
library's `mase`.

    .venv/bin/python benchmarks/forecast_backtest.py [--products 120] [--horizon 4] [--origins 6] [--validation 6] [--lstm-seeds 3]

Ours is the whole of chapter 06a's procedure: every candidate (naive, seasonal naive, seasonal SES, ARIMA, ETS, Theta,
Croston-SBA, TSB, the calendar forecast and the global LSTM) at `validation` origins before the test origins and at the test
origins; the choice per demand class on the validation origins only (the best model, or the median of those within one
standard error of it: `choose_forecaster`); its test forecasts scored; its conformal
intervals (calibrated on the validation errors) checked on the test origins. Its time is all of that. The calendar forecast knows the
prices and promotions the shop had planned for the forecast weeks (the calendar is known in advance; the demand is not).
statsforecast runs in its own environment (benchmarks/.venv-statsforecast, pandas < 3), warm: one untimed pass first.
Prints forecast_mase_ours, forecast_mase_peer_best, forecast_mase_ratio, forecast_time_ratio, coverage_80 and coverage_95,
the LSTM's MASE and time, and the median and mean by demand class. Then the real check (skip with --no-real, alone with
--only-real): Walmart store 1's 7 weekly department series and the M4 competition's weekly series from the same wheel
(chapter 00), the per-series candidates and the LSTM (season, and Walmart's holiday flag, as its known future) chosen per
demand class and per series on validation origins, against statsforecast's models (and AutoARIMA given the same
regressors), the peer also chosen on the validation origins: real_series, real_mase_ratio (ours per class / the peer's
choice) and real_mase_* lines."""
import argparse, json, subprocess, tempfile, time
import numpy as np, pandas as pd
from precision_marketing.data import weekly_units, load_walmart_weekly, load_m4_weekly
from precision_marketing.sources import open_shop
from precision_marketing.features import shop_daily_units
from precision_marketing.forecasting import (history_calendar, rolling_cuts, backtest_forecasters, weekly_regressors, choose_forecaster, pick_forecasts,
                                             conformal_quantiles, conformal_bounds, series_forecasts, lstm_forecasts, score_forecasts, yearly_fourier)
from precision_marketing.arima import window_cuts
from precision_marketing.evaluation import mase

from _peer_env import HERE, peer_python

def ours(shop, daily, weekly, names, horizon, origins, validation, lstm_seeds):
    "Chapter 06a's procedure on the named series: the chosen forecaster's test forecasts, the LSTM's, conformal bounds, timings, the choice."
    products = shop.products.set_index('product_id').loc[names].reset_index()
    rel, promo = history_calendar(shop.prices, products, daily.index)
    val_cuts, test_cuts = rolling_cuts(len(weekly), horizon, validation, origins)
    cuts, roles = val_cuts + test_cuts, ['validation'] * validation + ['test'] * origins
    run = backtest_forecasters(daily[names], rel, promo, products.category.to_numpy(), cuts, roles, horizon, products.launch_date,
                               lstm_seeds=range(42, 42 + lstm_seeds))
    values, forecasts, seconds = run['values'], run['forecasts'], run['seconds']
    start = time.perf_counter()
    choice = choose_forecaster(run['scores'], 'class')
    chosen = pick_forecasts(forecasts, choice.chosen)
    klass = choice['class'].to_numpy()
    quantiles = conformal_quantiles(values, chosen[:, :validation], val_cuts, klass)
    bounds = {lv: conformal_bounds(values, chosen[:, validation:], test_cuts, klass, quantiles, lv) for lv in (80, 95)}
    seconds['choice and intervals'] = time.perf_counter() - start
    return chosen[:, validation:], forecasts['lstm'][:, validation:], bounds, seconds, choice

def peer_forecasts(names, values, exog, horizon, cuts, season):
    "statsforecast's models on the series at the given cuts, in the peer environment: its JSON output (forecasts and wall times, origin o is cuts[o])."
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(f'{tmp}/series.npz', names=np.array(names), values=values, exog=exog, cuts=np.asarray(cuts))
        subprocess.run([str(peer_python()), str(HERE / '_statsforecast_models.py'), f'{tmp}/series.npz', f'{tmp}/out.json',
                        str(horizon), str(season)], check=True)
        return json.load(open(f'{tmp}/out.json'))

PEERS = ('AutoARIMA', 'AutoETS', 'AutoTheta', 'median of the three', 'AutoARIMA + calendar')

def real_sets():
    """The real weekly series available offline, as (name, series x weeks, names, per-series regressors for the LSTM,
    shared season terms or None, per-series exog for the peer): Walmart store 1's 7 departments (holiday flag and season)
    and the M4 weekly series with at least 275 weeks (their last 275; W359's 80 weeks are too few for 12 origins and a
    yearly season), whose dates differ, so each has its own season terms."""
    walmart, holiday = load_walmart_weekly()
    flags = np.tile(holiday.to_numpy(float), (walmart.shape[1], 1))
    season = yearly_fourier(walmart.index)
    yield ('Walmart', walmart.T.to_numpy(float), list(walmart.columns), {'holiday': flags, 'season': season},
           np.stack([np.column_stack([flags[i], season.T]) for i in range(walmart.shape[1])]))
    m4 = {k: v.iloc[-275:] for k, v in load_m4_weekly().items() if len(v) >= 275}
    names = sorted(m4)
    terms = np.stack([yearly_fourier(m4[n].index) for n in names])            # series x terms x weeks
    yield ('M4 weekly', np.stack([m4[n].to_numpy(float) for n in names]), names, {f'season_{k}': terms[:, k] for k in range(terms.shape[1])},
           np.transpose(terms, (0, 2, 1)))

def real_check(horizon, origins, validation, lstm_seeds, season):
    """Every real set: ours chosen per class and per series on the validation origins, against statsforecast's models,
    the peer too chosen on the validation origins (the model with the least mean validation MASE over the set's series);
    both scored on the test origins with the library's MASE. Prints real_mase_ratio (ours per class / the peer's choice)
    and real_series."""
    rows, seconds = [], {'ours': 0.0, 'peer': 0.0}
    for name, values, names, regressors, exog in real_sets():
        val_cuts, test_cuts = rolling_cuts(values.shape[1], horizon, validation, origins)
        cuts, roles = val_cuts + test_cuts, ['validation'] * validation + ['test'] * origins
        start = time.perf_counter()
        forecasts = series_forecasts(values, cuts, horizon, season=52, n_jobs=2)
        forecasts['lstm'] = lstm_forecasts(values, regressors, cuts, [val_cuts[0], test_cuts[0]], horizon, seeds=range(42, 42 + lstm_seeds))
        scores = score_forecasts(values, forecasts, cuts, roles)
        ours = {by: pick_forecasts(forecasts, choose_forecaster(scores, by).chosen) for by in ('class', 'series')}
        seconds['ours'] += time.perf_counter() - start
        peer = peer_forecasts(names, values, exog, horizon, cuts, season)
        seconds['peer'] += peer['seconds_warm']
        def peer_at(i, o):
            fc = {m: np.asarray(peer['forecasts'][m][names[i]][str(o)]) for m in peer['forecasts']}
            fc['median of the three'] = np.median(np.stack([fc[m] for m in ('AutoARIMA', 'AutoETS', 'AutoTheta')]), axis=0)
            return fc
        val_mase = pd.DataFrame([{'model': m, 'mase': mase(values[i, c:c + horizon], f, values[i, :c])}
                                 for i in range(len(names)) for o, c in enumerate(val_cuts) for m, f in peer_at(i, o).items()]).groupby('model').mase.mean()
        peer_choice = val_mase.loc[list(PEERS)].idxmin()
        for i, n in enumerate(names):
            for o, c in enumerate(test_cuts):
                fc = peer_at(i, validation + o)
                fc[f'statsforecast chosen on validation'] = fc[peer_choice]
                fc['chosen per class (ours)'], fc['chosen per series (ours)'] = ours['class'][i, validation + o], ours['series'][i, validation + o]
                fc['LSTM (ours)'] = forecasts['lstm'][i, validation + o]
                rows += [{'set': name, 'series': n, 'model': m, 'mase': mase(values[i, c:c + horizon], f, values[i, :c])} for m, f in fc.items()]
        print(f"{name}: {len(names)} series x {values.shape[1]} weeks; statsforecast's choice on validation: {peer_choice}; "
              f"ours per class: {choose_forecaster(scores, 'class').groupby('class').chosen.first().to_dict()}")
    table = pd.DataFrame(rows)
    summary = table.groupby('model').mase.agg(['mean', 'median']).join(table.pivot_table(index='model', columns='set', values='mase', aggfunc='mean')).sort_values('mean')
    print(f'\nreal check: {table.series.nunique()} weekly series x {origins} test origins after {validation} validation origins, horizon {horizon}; mean MASE pooled and per set')
    print(summary.round(3).to_string())
    print(f"ours (every candidate at all origins, both choices): {seconds['ours']:.1f} s; statsforecast (three models, all origins): {seconds['peer']:.1f} s warm")
    peer_chosen = summary.loc['statsforecast chosen on validation', 'mean']
    print(f"real_series = {table.groupby(['set', 'series']).ngroups}")
    print(f"real_mase_ours = {summary.loc['chosen per class (ours)', 'mean']:.3f}")
    print(f"real_mase_peer_chosen = {peer_chosen:.3f}")
    print(f"real_mase_ratio = {summary.loc['chosen per class (ours)', 'mean'] / peer_chosen:.3f}")
    print(f"real_mase_ratio_per_series = {summary.loc['chosen per series (ours)', 'mean'] / peer_chosen:.3f}")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--products', type=int, default=120); ap.add_argument('--horizon', type=int, default=4); ap.add_argument('--origins', type=int, default=6)
    ap.add_argument('--season', type=int, default=52); ap.add_argument('--validation', type=int, default=6); ap.add_argument('--lstm-seeds', type=int, default=3)
    ap.add_argument('--no-real', action='store_true', help='skip the real-data check (Walmart, M4 weekly)')
    ap.add_argument('--only-real', action='store_true', help='run the real-data check alone')
    args = ap.parse_args()
    if args.only_real: return real_check(args.horizon, args.origins, args.validation, args.lstm_seeds, args.season)
    shop = open_shop('synthetic')
    daily = shop_daily_units(shop, shop.days[0], shop.days[-1], shop.products.product_id)
    weekly = weekly_units(daily)                    # the library's one weekly aggregation: whole weeks only
    names = list(weekly.sum().sort_values(ascending=False).index[:args.products])
    values = np.stack([weekly[n].to_numpy() for n in names])
    daily = daily.loc[weekly.index[0] - pd.Timedelta(days=6):weekly.index[-1]]   # the whole weeks only, as the peers see them
    products = shop.products.set_index('product_id').loc[names].reset_index()
    rel, promo = history_calendar(shop.prices, products, daily.index)             # the same calendar, as weekly regressors
    reg = weekly_regressors(rel, promo, weekly.index)
    exog = np.stack([np.column_stack([reg['log_price'][i], reg['promo'][i], reg['season'].T]) for i in range(len(names))])
    chosen, lstm, bounds, seconds, choice = ours(shop, daily, weekly, names, args.horizon, args.origins, args.validation, args.lstm_seeds)
    ours_s = sum(seconds.values())
    test_cuts = window_cuts(values.shape[1], args.horizon, args.origins)      # the test origins of rolling_cuts in ours()
    peer = peer_forecasts(names, values, exog, args.horizon, test_cuts, args.season)
    rows, inside = [], {80: [], 95: []}
    zero_share = (values == 0).mean(axis=1)
    for i, n in enumerate(names):
        y = values[i]
        for o, cut in enumerate(test_cuts):
            actual, train = y[cut:cut + args.horizon], y[:cut]
            fc = {m: np.asarray(peer['forecasts'][m][n][str(o)]) for m in peer['forecasts']}
            fc['median of the three'] = np.median(np.stack([fc[m] for m in ('AutoARIMA', 'AutoETS', 'AutoTheta')]), axis=0)
            fc['chosen (ours)'] = chosen[i, o]
            fc['LSTM (ours)'] = lstm[i, o]
            klass = 'intermittent (>30% zero weeks)' if zero_share[i] > 0.3 else 'regular'
            for m, f in fc.items(): rows.append({'series': n, 'origin': o, 'model': m, 'class': klass, 'mase': mase(actual, f, train)})
            for level in inside:
                lo, hi = bounds[level]
                inside[level].extend((actual >= lo[i, o]) & (actual <= hi[i, o]))
    table = pd.DataFrame(rows)
    table = table[np.isfinite(table.mase)]
    summary = table.groupby('model').mase.agg(['mean', 'median']).sort_values('mean')
    by_class = table.pivot_table(index='model', columns='class', values='mase', aggfunc='mean')
    peer_models = [m for m in summary.index if m not in ('chosen (ours)', 'LSTM (ours)', 'AutoARIMA + calendar')]   # the peers, no regressors
    best = summary.loc[peer_models, 'mean'].idxmin()
    print(f'{len(names)} weekly product series x {args.origins} origins, horizon {args.horizon} weeks, season {args.season}')
    print(summary.join(by_class).round(3).to_string())
    print('chosen per demand class:', choice.groupby('class').chosen.first().to_dict())
    print(f"ours (every candidate at {args.validation} validation + {args.origins} test origins, the choice, the intervals): {ours_s:.1f} s "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in seconds.items())}); statsforecast (three models): {peer['seconds_warm']:.1f} s warm, {peer['seconds_cold']:.1f} s cold")
    print(f"forecast_mase_ours = {summary.loc['chosen (ours)', 'mean']:.3f}")
    print(f"forecast_mase_peer_best = {summary.loc[best, 'mean']:.3f} ({best})")
    print(f"forecast_mase_ratio = {summary.loc['chosen (ours)', 'mean'] / summary.loc[best, 'mean']:.3f}")
    print(f"forecast_time_ratio = {ours_s / peer['seconds_warm']:.2f}")
    print(f"coverage_80 = {np.mean(inside[80]):.3f}")
    print(f"coverage_95 = {np.mean(inside[95]):.3f}")
    print(f"forecast_mase_lstm = {summary.loc['LSTM (ours)', 'mean']:.3f}")
    print(f"forecast_seconds_lstm = {seconds['lstm']:.1f}")
    print(f"AutoARIMA + calendar (the same regressors, weekly): mean MASE {summary.loc['AutoARIMA + calendar', 'mean']:.3f} in {peer['seconds_exog']:.1f} s; "
          f"ratio ours / it = {summary.loc['chosen (ours)', 'mean'] / summary.loc['AutoARIMA + calendar', 'mean']:.3f}")
    if not args.no_real: real_check(args.horizon, args.origins, args.validation, args.lstm_seeds, args.season)


if __name__ == '__main__':
    main()
