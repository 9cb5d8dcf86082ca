"""The statsforecast peer's own environment (pandas < 3), shared by arima_backtest.py and forecast_backtest.py."""
import subprocess, sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER = HERE / '.venv-statsforecast'

def peer_python() -> Path:
    "The peer environment's python, created on first use from requirements-statsforecast.txt."
    py = PEER / 'bin' / 'python'
    if not py.exists():
        subprocess.run([sys.executable, '-m', 'venv', str(PEER)], check=True)
        subprocess.run([str(py), '-m', 'pip', 'install', '--quiet', '-r', str(HERE / 'requirements-statsforecast.txt')], check=True)
    return py
