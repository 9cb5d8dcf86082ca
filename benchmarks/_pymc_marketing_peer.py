"""Peer side of mmm_recovery.py, run in its own environment (benchmarks/.venv-pymc-marketing).
Reads the weekly panel (revenue, spend per channel with the carry-over lead-in, controls) from an .npz file, fits
PyMC-Marketing's MMM with the same carry-over (geometric adstock, 8 weeks, normalised) and saturation family
(a (1 - exp(-lam x)), written as a SaturationTransformation), yearly Fourier order 2, the controls and a linear trend,
with the same warm-up, draws and chains, and writes each channel's contribution over the full weeks per draw, and the
wall time, to a JSON file. It is given the full weeks only (its adstock starts at the first row; ours also sees the
spend of the weeks before). Scoring happens in the main script."""
import json, sys, time, warnings
warnings.filterwarnings('ignore')
import numpy as np, pandas as pd
import pytensor.xtensor as ptx
from pytensor.xtensor import as_xtensor
from pymc_extras.prior import Prior
from pymc_marketing.mmm import MMM, GeometricAdstock, SaturationTransformation

class ExponentialSaturation(SaturationTransformation):
    "beta (1 - exp(-lam x)): the saturation of chapter 00h's channel_effects, in PyMC-Marketing's terms."
    lookup_name = 'exponential'
    def function(self, x, lam, beta, *, dim=None): return as_xtensor(beta) * (1 - ptx.math.exp(-as_xtensor(lam) * as_xtensor(x)))
    default_priors = {'lam': Prior('Gamma', alpha=3, beta=1), 'beta': Prior('HalfNormal', sigma=2)}

def main(src, dst, warmup, draws, chains, seed):
    data = np.load(src, allow_pickle=False)
    channels = [str(c) for c in data['channels']]
    weeks = pd.to_datetime(data['weeks'].astype('datetime64[ns]'))
    lead_in = int(data['lead_in'])
    frame = pd.DataFrame(data['spend'][lead_in:], columns=channels)     # the full weeks: PyMC-Marketing adstocks within the rows it fits
    frame['date'] = weeks[lead_in:]
    for i, name in enumerate(data['control_names']): frame[str(name)] = data['controls'][:, i]
    frame['t'] = np.arange(len(frame), dtype=float)
    target = pd.Series(data['revenue'], name='revenue')
    start = time.perf_counter()
    mmm = MMM(date_column='date', channel_columns=channels, adstock=GeometricAdstock(l_max=8, normalize=True),
              saturation=ExponentialSaturation(), control_columns=[str(n) for n in data['control_names']] + ['t'], yearly_seasonality=2)
    mmm.fit(frame, target, tune=warmup, draws=draws, chains=chains, cores=chains, random_seed=seed, progressbar=False)
    seconds = time.perf_counter() - start
    contribution = mmm.compute_channel_contribution_original_scale()   # chain, draw, date, channel
    full = contribution.sum('date').stack(sample=('chain', 'draw')).transpose('sample', 'channel')
    json.dump({'seconds': seconds, 'channels': [str(c) for c in full.channel.values], 'contribution': np.asarray(full).tolist()}, open(dst, 'w'))

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7]))
