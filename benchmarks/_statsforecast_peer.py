"""Peer side of arima_backtest.py, run in its own environment (benchmarks/.venv-statsforecast).
Reads series from an .npz file, runs the same rolling-origin protocol with statsforecast's AutoARIMA,
writes forecasts and the wall time to a JSON file. Scoring happens in the main script, with the library's MASE."""
import json, sys, time
import numpy as np, pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoARIMA

def main(src, dst, horizon):
    data = np.load(src)                               # names, values and the cuts the main script placed
    names = [str(n) for n in data['names']]
    start = time.perf_counter()
    out = {}
    for o, cut in enumerate(data['cuts'].tolist()):
        frames = []
        for i, name in enumerate(names):
            y = data['values'][i]
            frames.append(pd.DataFrame({'unique_id': name, 'ds': np.arange(cut), 'y': y[:cut]}))
        sf = StatsForecast(models=[AutoARIMA()], freq=1, n_jobs=2)
        fc = sf.forecast(df=pd.concat(frames), h=horizon)
        for name, part in fc.groupby('unique_id'):
            out.setdefault(str(name), {})[str(o)] = part['AutoARIMA'].tolist()
    json.dump({'seconds': time.perf_counter() - start, 'forecasts': out}, open(dst, 'w'))

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
