"""The peers' own environments, each created on first use from its requirements file and never installed in .venv:
statsforecast (pandas < 3; arima_backtest.py, forecast_backtest.py), stockpyl (it pins Sphinx 4.5; inventory_reference.py)
Locust (gevent and Flask; serve_load.py) and PyMC-Marketing (PyMC and PyTensor; mmm_recovery.py)."""
import subprocess, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

def peer_python(name: str = 'statsforecast') -> Path:
    "The python of the peer environment `benchmarks/.venv-<name>`, created on first use from `requirements-<name>.txt`."
    env = HERE / f'.venv-{name}'
    py = env / 'bin' / 'python'
    if not py.exists():
        subprocess.run([sys.executable, '-m', 'venv', str(env)], check=True)
        subprocess.run([str(py), '-m', 'pip', 'install', '--quiet', '-r', str(HERE / f'requirements-{name}.txt')], check=True)
    return py
