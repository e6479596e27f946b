"""Optuna's TPESampler (defaults) and RandomSampler on the same problems as
examples/search_bench.rs: mean best-value regret after TRIALS trials over SEEDS seeds."""
import json
import math
import sys

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

BRANIN_MIN = 0.397887357729738
HARTMANN6_MIN = -3.322368011391339
ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def branin(x):
    x1, x2 = x
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(x):
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


PROBLEMS = [
    ("branin", [(-5, 10), (0, 15)], branin, BRANIN_MIN, 0.0),
    ("hartmann6", [(0, 1)] * 6, hartmann6, HARTMANN6_MIN, 0.0),
    ("hartmann6_noisy", [(0, 1)] * 6, hartmann6, HARTMANN6_MIN, 0.1),
]


def regret(problem, make_sampler, trials, seed):
    name, bounds, f, minimum, noise = problem
    rng = np.random.default_rng(seed + 1000)
    best = [math.inf, math.nan]

    def objective(trial):
        x = [trial.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(bounds)]
        truth = f(x)
        observed = truth + noise * rng.standard_normal()
        if observed < best[0]:
            best[0], best[1] = observed, truth
        return observed

    study = optuna.create_study(sampler=make_sampler(seed))
    study.optimize(objective, n_trials=trials)
    return best[1] - minimum


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    samplers = [
        ("optuna_tpe", lambda s: optuna.samplers.TPESampler(seed=s)),
        ("optuna_tpe_multivariate", lambda s: optuna.samplers.TPESampler(seed=s, multivariate=True)),
        ("optuna_random", lambda s: optuna.samplers.RandomSampler(seed=s)),
    ]
    for problem in PROBLEMS:
        for name, make in samplers:
            regrets = [regret(problem, make, trials, s) for s in range(seeds)]
            print(json.dumps({"problem": problem[0], "sampler": name, "trials": trials, "seeds": seeds,
                              "mean_regret": round(float(np.mean(regrets)), 6), "sd": round(float(np.std(regrets, ddof=1)), 6),
                              "optuna": optuna.__version__}))


if __name__ == "__main__":
    main()
