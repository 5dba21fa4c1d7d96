"""Times Platypus's NSGA-II, NSGA-III and SPEA2 on a configuration table, for `stepconf bench pareto`.

Usage: python3 -I platypus_bench.py TABLE.csv RUNS EVALUATIONS SEED OUT.json

TABLE.csv is what `stepconf pareto --export-table` writes: a header, then one row per configuration, its decision
values then its two objectives (both minimized). Each variable is an Integer over the indices of its values, as the
multi-objective study set Platypus up; population 100 (NSGA-III: 99 divisions, 100 reference points). OUT.json gets,
per algorithm, the seconds of each run (the run alone, not the table) and the objectives of each run's
non-dominated result. Exit codes: 0 done, 1 Platypus missing or a bad table (the message says which).
"""
import json
import random
import sys
import time

try:
    from platypus import NSGAII, NSGAIII, SPEA2, Integer, Problem, nondominated
except ImportError as error:
    print("platypus_bench.py: Platypus is not installed (%s)" % error, file=sys.stderr)
    sys.exit(1)


def load(path):
    with open(path) as f:
        lines = [line.strip() for line in f if line.strip()]
    if len(lines) < 2:
        raise ValueError("%s: no rows" % path)
    rows = [line.split(",") for line in lines[1:]]
    width = len(rows[0])
    if width < 3 or any(len(r) != width for r in rows):
        raise ValueError("%s: every row needs the same decision values and two objectives" % path)
    decisions = [tuple(float(v) for v in r[:-2]) for r in rows]
    objectives = [(float(r[-2]), float(r[-1])) for r in rows]
    axes = [sorted(set(d[i] for d in decisions)) for i in range(width - 2)]
    table = {}
    for d, o in zip(decisions, objectives):
        table[tuple(axes[i].index(v) for i, v in enumerate(d))] = o
    return axes, table


def main():
    path, runs, evaluations, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    try:
        axes, table = load(path)
    except (OSError, ValueError) as error:
        print("platypus_bench.py: %s" % error, file=sys.stderr)
        sys.exit(1)
    worst = (max(o[0] for o in table.values()), max(o[1] for o in table.values()))

    def evaluate(x):
        # A combination missing from the table (a θ the step cannot run) is as bad as the worst.
        return list(table.get(tuple(x), worst))

    problem = Problem(len(axes), 2)
    problem.types[:] = [Integer(0, max(1, len(a) - 1)) for a in axes]
    problem.function = evaluate
    makers = {
        "nsga2": lambda: NSGAII(problem, population_size=100),
        "nsga3": lambda: NSGAIII(problem, divisions_outer=99),
        "spea2": lambda: SPEA2(problem, population_size=100),
    }
    report = {}
    for name, make in makers.items():
        seconds, fronts = [], []
        for r in range(runs):
            random.seed(seed + r)
            algorithm = make()
            started = time.perf_counter()
            algorithm.run(evaluations)
            seconds.append(time.perf_counter() - started)
            fronts.append([list(s.objectives) for s in nondominated(algorithm.result)])
        report[name] = {"seconds": seconds, "fronts": fronts}
    with open(out, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
