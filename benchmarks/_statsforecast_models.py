"""Peer side of forecast_backtest.py, run in its own environment (benchmarks/.venv-statsforecast).
Reads weekly series from an .npz file and runs the rolling-origin protocol with statsforecast's AutoARIMA, AutoETS and
AutoTheta (season 52) once untimed (so numba's compilation is not counted) and once timed; then, separately timed,
AutoARIMA given the same weekly price/promotion/season regressors as the calendar forecast (the fair peer for a model that
knows the calendar). Writes the forecasts and the wall times to a JSON file. Scoring happens in the main script, with the
library's MASE."""
import json, sys, time
import numpy as np, pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

MODELS = ('AutoARIMA', 'AutoETS', 'AutoTheta')

def run(values, names, horizon, cuts, season):
    out = {}
    for o, cut in enumerate(cuts):
        frames = []
        for i, name in enumerate(names):
            y = values[i]
            frames.append(pd.DataFrame({'unique_id': name, 'ds': np.arange(cut), 'y': y[:cut]}))
        sf = StatsForecast(models=[AutoARIMA(season_length=season), AutoETS(season_length=season), AutoTheta(season_length=season)],
                           freq=1, n_jobs=2)
        fc = sf.forecast(df=pd.concat(frames), h=horizon)
        for name, part in fc.groupby('unique_id'):
            for m in MODELS: out.setdefault(m, {}).setdefault(str(name), {})[str(o)] = part[m].tolist()
    return out

def run_exog(values, exog, names, horizon, cuts, season):
    "AutoARIMA with regressors: exog is series x weeks x regressors, known for the forecast weeks too."
    out = {}
    cols = [f'x{k}' for k in range(exog.shape[2])]
    for o, cut in enumerate(cuts):
        train, future = [], []
        for i, name in enumerate(names):
            y = values[i]
            train.append(pd.DataFrame({'unique_id': name, 'ds': np.arange(cut), 'y': y[:cut], **{c: exog[i, :cut, k] for k, c in enumerate(cols)}}))
            future.append(pd.DataFrame({'unique_id': name, 'ds': np.arange(cut, cut + horizon), **{c: exog[i, cut:cut + horizon, k] for k, c in enumerate(cols)}}))
        sf = StatsForecast(models=[AutoARIMA(season_length=season, alias='AutoARIMA + calendar')], freq=1, n_jobs=2)
        fc = sf.forecast(df=pd.concat(train), h=horizon, X_df=pd.concat(future))
        for name, part in fc.groupby('unique_id'):
            out.setdefault('AutoARIMA + calendar', {}).setdefault(str(name), {})[str(o)] = part['AutoARIMA + calendar'].tolist()
    return out

def main(src, dst, horizon, season):
    data = np.load(src)                               # names, values, exog and the cuts the main script placed
    cuts = data['cuts'].tolist()
    names = [str(n) for n in data['names']]
    start = time.perf_counter(); run(data['values'], names, horizon, cuts, season); cold = time.perf_counter() - start
    start = time.perf_counter(); out = run(data['values'], names, horizon, cuts, season); warm = time.perf_counter() - start
    start = time.perf_counter(); out.update(run_exog(data['values'], data['exog'], names, horizon, cuts, season)); exog_s = time.perf_counter() - start
    json.dump({'seconds_warm': warm, 'seconds_cold': cold, 'seconds_exog': exog_s, 'forecasts': out}, open(dst, 'w'))

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
