"""Peer side of forecast_backtest.py, run in its own environment (benchmarks/.venv-statsforecast).
Reads weekly series from an .npz file and runs the rolling-origin protocol with statsforecast's AutoARIMA, AutoETS and
AutoTheta (season 52) once untimed (so numba's compilation is not counted) and once timed; writes the forecasts and
the warm wall time to a JSON file. Scoring happens in the main script, with the library's MASE."""
import json, sys, time
import numpy as np, pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

MODELS = ('AutoARIMA', 'AutoETS', 'AutoTheta')

def run(values, names, horizon, origins, season):
    out = {}
    for o in range(origins):
        frames = []
        for i, name in enumerate(names):
            y = values[i]
            cut = len(y) - horizon * (origins - o)
            frames.append(pd.DataFrame({'unique_id': name, 'ds': np.arange(cut), 'y': y[:cut]}))
        sf = StatsForecast(models=[AutoARIMA(season_length=season), AutoETS(season_length=season), AutoTheta(season_length=season)],
                           freq=1, n_jobs=2)
        fc = sf.forecast(df=pd.concat(frames), h=horizon)
        for name, part in fc.groupby('unique_id'):
            for m in MODELS: out.setdefault(m, {}).setdefault(str(name), {})[str(o)] = part[m].tolist()
    return out

def main(src, dst, horizon, origins, season):
    data = np.load(src)
    names = [str(n) for n in data['names']]
    start = time.perf_counter(); run(data['values'], names, horizon, origins, season); cold = time.perf_counter() - start
    start = time.perf_counter(); out = run(data['values'], names, horizon, origins, season); warm = time.perf_counter() - start
    json.dump({'seconds_warm': warm, 'seconds_cold': cold, 'forecasts': out}, open(dst, 'w'))

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
