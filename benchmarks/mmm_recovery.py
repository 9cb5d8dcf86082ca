"""Chapter 07a's media-mix model beside PyMC-Marketing's MMM on the synthetic shop with media (seed 42) and two other
seeds (43, 44): the same weekly panel, the same carry-over and saturation family, the same warm-up, draws and chains.

Prints, over the three shops and their channels:
  mmm_contribution_error_ours= / mmm_contribution_error_peer=  mean absolute error of each channel's share of the media's
                                                             contribution (posterior mean) against the truth
  mmm_roi_coverage_ours= / mmm_roi_coverage_peer=            share of channels whose 90% ROI interval holds the true ROI
  mmm_seconds_ours= / mmm_seconds_peer=                      wall time of the fits (sampling and compilation)
  mmm_time_ratio=                                            ours / peer
PyMC-Marketing runs in its own environment (benchmarks/.venv-pymc-marketing, created on first use from
requirements-pymc-marketing.txt: 0.19.2, the last release for Python 3.11). Usage: python benchmarks/mmm_recovery.py [--draws N]"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _peer_env import peer_python
from precision_marketing.media_mix import MediaMix, channel_summary, media_panel
from precision_marketing.synthetic import make_synthetic_shop

def truth_of(shop, panel):
    m = shop.truth['media'][shop.truth['media'].week.isin(panel.revenue.index)]
    contribution = m.groupby('channel').contribution.sum().reindex(panel.channels).to_numpy()
    return contribution, contribution / m.groupby('channel').spend.sum().reindex(panel.channels).to_numpy()

def scores(contribution_draws, spend, true_contribution, true_roi):
    "Share error (mean over channels) and ROI coverage (90%) of draws x channels of contribution."
    share = contribution_draws.mean(axis=0) / contribution_draws.mean(axis=0).sum()
    roi = contribution_draws / spend
    lo, hi = np.quantile(roi, 0.05, axis=0), np.quantile(roi, 0.95, axis=0)
    return np.abs(share - true_contribution / true_contribution.sum()), (lo <= true_roi) & (true_roi <= hi)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--warmup', type=int, default=400); ap.add_argument('--draws', type=int, default=400); ap.add_argument('--chains', type=int, default=2)
    ap.add_argument('--seeds', type=int, nargs='+', default=[42, 43, 44])
    a = ap.parse_args(argv)
    peer = peer_python('pymc-marketing')
    rows, seconds = [], {'ours': 0.0, 'peer': 0.0}
    for seed in a.seeds:
        shop = make_synthetic_shop(seed=seed, media=True)
        panel = media_panel(shop.transactions, shop.media_spend, shop.products, shop.prices)
        true_contribution, true_roi = truth_of(shop, panel)
        spend = panel.spend.iloc[panel.lead_in:].sum().to_numpy()
        start = time.perf_counter()
        mix = MediaMix(a.warmup, a.draws, a.chains, seed).fit(panel)
        seconds['ours'] += time.perf_counter() - start
        ours = mix.contributions().sum(axis=1)
        with tempfile.TemporaryDirectory() as tmp:
            np.savez(f'{tmp}/panel.npz', channels=np.array([str(c) for c in panel.channels]), weeks=panel.spend.index.to_numpy().astype('datetime64[ns]'),
                     lead_in=panel.lead_in, spend=panel.spend.to_numpy(), revenue=panel.revenue.to_numpy(),
                     controls=panel.controls.to_numpy(float), control_names=np.array([str(c) for c in panel.controls.columns]))
            subprocess.run([str(peer), str(HERE / '_pymc_marketing_peer.py'), f'{tmp}/panel.npz', f'{tmp}/out.json',
                            str(a.warmup), str(a.draws), str(a.chains), str(seed)], check=True)
            got = json.load(open(f'{tmp}/out.json'))
        seconds['peer'] += got['seconds']
        order = [got['channels'].index(c) for c in panel.channels]
        theirs = np.asarray(got['contribution'])[:, order]
        for name, draws in (('ours', ours), ('peer', theirs)):
            error, covered = scores(draws, spend, true_contribution, true_roi)
            for channel, e, c in zip(panel.channels, error, covered): rows.append((seed, name, channel, e, c))
            print(f"seed {seed} {name}: share error {', '.join(f'{c} {e:.3f}' for c, e in zip(panel.channels, error))}; "
                  f"ROI covered {int(covered.sum())}/{len(covered)}", flush=True)
    for name in ('ours', 'peer'):
        mine = [r for r in rows if r[1] == name]
        print(f'mmm_contribution_error_{name}={np.mean([r[3] for r in mine]):.4f}')
        print(f'mmm_roi_coverage_{name}={np.mean([r[4] for r in mine]):.3f}')
    print(f"mmm_seconds_ours={seconds['ours']:.1f}"); print(f"mmm_seconds_peer={seconds['peer']:.1f}")
    print(f"mmm_time_ratio={seconds['ours'] / seconds['peer']:.3f}")

if __name__ == '__main__':
    main()
