"""NSGA-II speed: DEAP's published ZDT1 example (deap/examples/ga/nsga2.py: 100 individuals, 250 generations,
SBX eta=20 p=0.9, polynomial mutation eta=20 p=1/30, per-individual `benchmarks.zdt1`, `selTournamentDCD`,
`selNSGA2`, a `tools.Statistics` record per generation) against the library's vectorised `nsga2_numpy` with the same
settings, in the same process, on the same seeds. Then the shop-size promotion plan of chapter 08 (20 segments x
60 products x 3 channels) with the vectorised optimiser.

    .venv/bin/python benchmarks/nsga2_speed.py [--seeds 5] [--large-generations 2000]

Prints `nsga2_time_ratio=` (ours / DEAP's, median over seeds), `nsga2_hv_ours=`, `nsga2_hv_deap=` (median
hypervolume, reference point (11, 11); the exact front's is 120.667), `promo_large_seconds=` and the plan's size."""
import argparse, array, random, time
import numpy as np
from deap import base, benchmarks, creator, tools
from precision_marketing.genetic_algorithm import (nsga2_numpy, zdt1_batch, hypervolume, ZDT1_EXACT_HYPERVOLUME,
                                                   plan_promotions, shop_size_problem)

NDIM, MU, NGEN, CXPB = 30, 100, 250, 0.9

def deap_example(seed: int):
    "DEAP's example as published: array individuals, one `benchmarks.zdt1` call per individual, NGEN - 1 generational steps."
    if not hasattr(creator, 'FitnessMinZDT'):
        creator.create('FitnessMinZDT', base.Fitness, weights=(-1.0, -1.0))
        creator.create('IndividualZDT', array.array, typecode='d', fitness=creator.FitnessMinZDT)
    tb = base.Toolbox()
    tb.register('attr_float', lambda: [random.uniform(0.0, 1.0) for _ in range(NDIM)])
    tb.register('individual', tools.initIterate, creator.IndividualZDT, tb.attr_float)
    tb.register('population', tools.initRepeat, list, tb.individual)
    tb.register('evaluate', benchmarks.zdt1)
    tb.register('mate', tools.cxSimulatedBinaryBounded, low=0.0, up=1.0, eta=20.0)
    tb.register('mutate', tools.mutPolynomialBounded, low=0.0, up=1.0, eta=20.0, indpb=1.0 / NDIM)
    tb.register('select', tools.selNSGA2)
    random.seed(seed)
    stats = tools.Statistics(lambda ind: ind.fitness.values)
    for name, fn in [('avg', np.mean), ('std', np.std), ('min', np.min), ('max', np.max)]: stats.register(name, fn, axis=0)
    pop = tb.population(n=MU)
    for ind, fit in zip(pop, map(tb.evaluate, pop)): ind.fitness.values = fit
    pop = tb.select(pop, len(pop))
    stats.compile(pop)
    for gen in range(1, NGEN):
        offspring = [tb.clone(ind) for ind in tools.selTournamentDCD(pop, len(pop))]
        for a, b in zip(offspring[::2], offspring[1::2]):
            if random.random() <= CXPB: tb.mate(a, b)
            tb.mutate(a); tb.mutate(b)
            del a.fitness.values, b.fitness.values
        invalid = [ind for ind in offspring if not ind.fitness.valid]
        for ind, fit in zip(invalid, map(tb.evaluate, invalid)): ind.fitness.values = fit
        pop = tb.select(pop + offspring, MU)
        stats.compile(pop)
    return np.array([ind.fitness.values for ind in pop])

def large_plan(generations: int, seed: int = 42):
    "Chapter 08's shop-size plan (`shop_size_problem`, its defaults) on the default synthetic shop."
    from precision_marketing.chapter import open_report_shop
    from precision_marketing.pricing import category_response
    store = open_report_shop({'shop': 'synthetic', 'seed': seed, 'synthetic_customers': 2000, 'synthetic_products': 120, 'synthetic_days': 730, 'synthetic_media': False})
    problem, _ = shop_size_problem(store, category_response(store.orders, store.prices, store.products), seed)
    start = time.perf_counter()
    result = plan_promotions(problem, generations, 100, seed)
    return time.perf_counter() - start, problem, result

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, default=5); ap.add_argument('--large-generations', type=int, default=2000)
    args = ap.parse_args()
    nsga2_numpy(zdt1_batch, NDIM, (-1.0, -1.0), 2, MU, 0)                     # warm numpy's code paths
    rows = []
    for seed in range(1, args.seeds + 1):
        start = time.perf_counter(); deap_front = deap_example(seed); deap_s = time.perf_counter() - start
        start = time.perf_counter(); ours = nsga2_numpy(zdt1_batch, NDIM, (-1.0, -1.0), NGEN - 1, MU, seed); ours_s = time.perf_counter() - start
        rows.append((deap_s, ours_s, hypervolume(deap_front, [11, 11]), hypervolume(ours.values, [11, 11])))
        print(f'seed {seed}: DEAP example {deap_s:.3f} s, hypervolume {rows[-1][2]:.4f}; vectorised {ours_s:.3f} s, hypervolume {rows[-1][3]:.4f}')
    deap_s, ours_s, hv_deap, hv_ours = np.median(np.array(rows), axis=0)
    print(f'ZDT1, {MU} individuals, {NGEN} generations (the example\'s {NGEN - 1} steps), median of {args.seeds} seeds; exact front {ZDT1_EXACT_HYPERVOLUME:.4f}')
    print(f'nsga2_seconds_deap={deap_s:.3f}'); print(f'nsga2_seconds_ours={ours_s:.3f}')
    print(f'nsga2_time_ratio={ours_s / deap_s:.3f}')
    print(f'nsga2_hv_ours={hv_ours:.4f}'); print(f'nsga2_hv_deap={hv_deap:.4f}')
    seconds, problem, result = large_plan(args.large_generations)
    print(f'promotion plan: {len(problem.segments)} segments x {len(problem.categories)} products x {len(problem.channels)} channels = {problem.n_genes} genes, '
          f'{args.large_generations} generations of 100, {len(result.values)} Pareto plans, all feasible: {bool(problem.feasible(result.genes).all())}')
    print(f'promo_large_seconds={seconds:.1f}')

if __name__ == '__main__':
    main()
