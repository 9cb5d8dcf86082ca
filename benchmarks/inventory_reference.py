"""Chapter 07's stock formulas against an independent implementation: stockpyl (Snyder & Shen's library).

    .venv/bin/python benchmarks/inventory_reference.py [--instances 200] [--seed 0]

stockpyl pins Sphinx 4.5, so it runs in its own environment, `benchmarks/.venv-stockpyl` (git-ignored), created on
first use from `requirements-stockpyl.txt`; the project's `.venv` never gets it. On the textbook examples (Snyder &
Shen, Examples 3.1 and 4.3) and on seeded random instances it compares:

- the EOQ, `inventory.eoq` against `stockpyl.eoq.economic_order_quantity`;
- the base-stock level under normal demand, `inventory.order_up_to` (lead time L, review period 1, cycle service
  level p / (p + h)) against `stockpyl.newsvendor.newsvendor_normal` (lead time L: demand over L + 1 periods);
- where chapter 07 differs from the optimum: daily demand that is Poisson, for which 07 uses the normal approximation
  (sigma = sqrt(mean)) rounded up, against stockpyl's exact Poisson optimum (`newsvendor_poisson`), both costed with
  `newsvendor_poisson_cost`: the cost gap of the approximation.

Prints `inventory_reference_instances=`, `inventory_max_rel_gap_eoq=`, `inventory_max_rel_gap_base_stock=` (both
should be ~1e-12: the same formula), `inventory_poisson_cost_gap_mean=` and `_max=` (the approximation's extra cost
over the optimum, as a share of it) and the largest lead-time mean at which it still exceeds 1%.

- (s, S) with a fixed order cost (Snyder & Shen Example 4.7 and `instances // 4` random ones): stockpyl's exact optimum
  (Zheng & Federgruen, `s_s_discrete_exact`) against chapter 07's two rules written as (s, S) policies (`ss_policies`),
  each costed exactly by `s_s_cost_discrete`: prints `inventory_ss_cost_gap_<rule>_ex47`, `_median` and `_max`.

Exit 1 if the normal-demand formulas disagree by more than 1e-9."""
import argparse, json, subprocess, sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT/'benchmarks'))
from precision_marketing.inventory import eoq, order_up_to   # noqa: E402
from _peer_env import peer_python                           # noqa: E402

PEER_SCRIPT = r'''
import json, sys
import stockpyl.eoq as e, stockpyl.newsvendor as n
out = []
for x in json.load(sys.stdin):
    row = {'eoq': e.economic_order_quantity(x['K'], x['h_year'], x['D'])[0],
           'base_stock': float(n.newsvendor_normal(x['h'], x['p'], x['mu'], x['sd'], lead_time=x['L'])[0])}
    lead_mean = x['lam'] * (x['L'] + 1)
    s_opt, c_opt = n.newsvendor_poisson(x['h'], x['p'], lead_mean)
    row.update(poisson_opt=int(s_opt), poisson_opt_cost=float(c_opt),
               poisson_ours_cost=float(n.newsvendor_poisson_cost(int(x['poisson_ours']), x['h'], x['p'], lead_mean)))
    if 'ss_K' in x:   # (s, S) under Poisson demand, zero lead time, backorders: Zheng & Federgruen's exact optimum and cost
        import stockpyl.ss as ss
        s_opt, S_opt, g_opt = ss.s_s_discrete_exact(x['ss_h'], x['ss_p'], x['ss_K'], True, x['ss_lam'])
        row.update(ss_opt=[float(s_opt), float(S_opt)], ss_opt_cost=float(g_opt),
                   ss_ours_cost={name: float(ss.s_s_cost_discrete(a, b, x['ss_h'], x['ss_p'], x['ss_K'], True, x['ss_lam']))
                                 for name, (a, b) in x['ss_ours'].items()})
    out.append(row)
json.dump(out, sys.stdout)
'''


def instances(n: int, seed: int) -> list[dict]:
    "The two textbook examples, then `n` seeded random ones (costs, demand, lead times of a small shop's products)."
    rng = np.random.default_rng(seed)
    rows = [dict(K=8.0, h_year=0.225, D=1300.0, h=0.18, p=0.70, mu=50.0, sd=8.0, L=0, lam=50.0),   # Snyder & Shen Ex. 3.1, 4.3
            dict(K=8.0, h_year=0.225, D=1300.0, h=0.18, p=0.70, mu=50.0, sd=8.0, L=3, lam=2.0)]
    for _ in range(n):
        mu = float(rng.uniform(0.2, 60))
        rows.append(dict(K=float(rng.uniform(1, 100)), h_year=float(rng.uniform(0.05, 5)), D=float(rng.uniform(10, 1e5)),
                         h=float(rng.uniform(0.01, 1)), p=float(rng.uniform(0.5, 20)), mu=mu, sd=float(rng.uniform(0.1, 2) * np.sqrt(mu)),
                         L=int(rng.integers(0, 15)), lam=mu))
    for x in rows:   # chapter 07 on Poisson demand: the normal approximation with sigma = sqrt(mean), rounded up
        x['poisson_ours'] = int(np.ceil(order_up_to(x['lam'], np.sqrt(x['lam']), x['L'], 1, x['p'] / (x['p'] + x['h']))))
    ss_rows = [dict(ss_h=1.0, ss_p=4.0, ss_K=5.0, ss_lam=6.0)]                                  # Snyder & Shen Ex. 4.7
    for _ in range(n // 4):
        ss_rows.append(dict(ss_h=float(rng.uniform(0.05, 1)), ss_p=float(rng.uniform(0.5, 20)), ss_K=float(rng.uniform(1, 100)), ss_lam=float(rng.uniform(0.5, 30))))
    for x, y in zip(rows, ss_rows): x.update(y); x['ss_ours'] = ss_policies(**y)
    return rows


def ss_policies(ss_h, ss_p, ss_K, ss_lam) -> dict:
    """Chapter 07's two stock rules as (s, S) policies for one period of Poisson demand (mean ss_lam), zero lead time:
    'order-up-to' — its periodic rule, the base-stock level for one period at the service level p / (p + h), ordered
    every period the position is below it (s = S - 1), whatever the fixed cost; 's, s + EOQ' — the same level as the
    reorder point, ordering up to it plus the EOQ sqrt(2 lam K / h), rounded."""
    base = int(np.ceil(order_up_to(ss_lam, np.sqrt(ss_lam), 0, 1, ss_p / (ss_p + ss_h))))
    q = max(int(round(float(eoq(ss_lam, ss_K, ss_h)))), 1)
    return {'order-up-to': (base - 1, base), 's, s + EOQ': (base - 1, base - 1 + q)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--instances', type=int, default=200)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    rows = instances(args.instances, args.seed)
    peer = subprocess.run([str(peer_python('stockpyl')), '-c', PEER_SCRIPT], input=json.dumps(rows), capture_output=True, text=True, check=True)
    theirs = json.loads(peer.stdout)
    ours_eoq = np.array([float(eoq(x['D'], x['K'], x['h_year'])) for x in rows])
    ours_s = np.array([float(order_up_to(x['mu'], x['sd'], x['L'], 1, x['p'] / (x['p'] + x['h']))) for x in rows])
    gap_eoq = np.abs(ours_eoq / np.array([t['eoq'] for t in theirs]) - 1)
    gap_s = np.abs(ours_s / np.array([t['base_stock'] for t in theirs]) - 1)
    cost_gap = np.array([t['poisson_ours_cost'] / t['poisson_opt_cost'] - 1 for t in theirs])
    lead_mean = np.array([x['lam'] * (x['L'] + 1) for x in rows])
    print(f"textbook: EOQ {ours_eoq[0]:.2f} (stockpyl {theirs[0]['eoq']:.2f}; Snyder & Shen 304.1), "
          f"base-stock {ours_s[0]:.2f} (stockpyl {theirs[0]['base_stock']:.2f}; Snyder & Shen 56.6)")
    print(f"inventory_reference_instances={len(rows)}")
    print(f"inventory_max_rel_gap_eoq={gap_eoq.max():.2e}")
    print(f"inventory_max_rel_gap_base_stock={gap_s.max():.2e}")
    print(f"inventory_poisson_cost_gap_mean={cost_gap.mean():.4f}")
    print(f"inventory_poisson_cost_gap_max={cost_gap.max():.4f}")
    print(f"inventory_poisson_same_level_share={np.mean([x['poisson_ours'] == t['poisson_opt'] for x, t in zip(rows, theirs)]):.3f}")
    ss = [(x, t) for x, t in zip(rows, theirs) if 'ss_opt' in t]
    x0, t0 = ss[0]
    print(f"textbook (s, S), Ex. 4.7 (h 1, p 4, K 5, Poisson 6): optimum s={t0['ss_opt'][0]:.0f}, S={t0['ss_opt'][1]:.0f}, cost {t0['ss_opt_cost']:.3f} "
          "(Snyder & Shen: 4, 10, 8.034); chapter 07's " + ', '.join(f"{k} ({a}, {b}) cost {t0['ss_ours_cost'][k]:.3f} (+{t0['ss_ours_cost'][k] / t0['ss_opt_cost'] - 1:.1%})"
                                                                     for k, (a, b) in x0['ss_ours'].items()))
    print(f"inventory_ss_instances={len(ss)}")
    for k in x0['ss_ours']:
        gap = np.array([t['ss_ours_cost'][k] / t['ss_opt_cost'] - 1 for _, t in ss])
        key = {'order-up-to': 'order_up_to', 's, s + EOQ': 's_plus_eoq'}[k]
        print(f"inventory_ss_cost_gap_{key}_ex47={t0['ss_ours_cost'][k] / t0['ss_opt_cost'] - 1:.4f}")
        print(f"inventory_ss_cost_gap_{key}_median={np.median(gap):.4f}")
        print(f"inventory_ss_cost_gap_{key}_max={gap.max():.4f}")
    over = lead_mean[cost_gap > 0.01]
    print(f"inventory_poisson_gap_over_1pct_up_to_mean={over.max():.1f}" if len(over) else "inventory_poisson_gap_over_1pct_up_to_mean=none")
    ok = gap_eoq.max() < 1e-9 and gap_s.max() < 1e-9
    print('the normal-demand formulas agree' if ok else 'DISAGREEMENT with stockpyl')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
