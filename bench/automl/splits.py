"""Summarises the AutoML benchmark over several 80/20 splits of the same sets.

One split's test file is a few hundred rows on the small sets (262 on titanic: one row is 0.4
point), so a gap of a point or two to the best peer can belong to the split rather than to the
systems. Each split is a run of bench/automl/run.sh with BENCH_SPLIT_SEED=N (0: the benchmark's
own split, bench/out/automl/; N: bench/out/automl/seedN/). Per set, over the splits every
system was scored on: each system's mean, the peer with the best mean, Hearth's mean gap to it
with the standard error of that paired difference, and the mean gap to whichever peer led each
split (the benchmark's rule, split by split).

Usage: splits.py [RESULTS_DIR ...]   (default bench/out/automl and every bench/out/automl/seed*)
Prints a markdown table.
"""

import glob
import json
import math
import os
import statistics
import sys

from bench import OUT, PEERS, primary

SYSTEMS = ["hearth", *PEERS]


def scores(results_dir):
    """{set: {system: primary score, "gap": bench.py's gap to that split's best peer}} of one
    run, only sets every system was scored on."""
    with open(os.path.join(results_dir, "results.json")) as f:
        results = json.load(f)
    seed = results.get("split", {}).get("random_state", 0)
    by_set, unscored = {}, []
    for name, run in results["datasets"].items():
        systems = run["systems"]
        row = {s: primary(systems.get(s, {})) for s in SYSTEMS}
        if all(v is not None for v in row.values()):
            by_set[name] = row | {"gap": run["gap_to_best"]}
        else:
            unscored.append(f"{name} ({', '.join(s for s, v in row.items() if v is None)})")
    if unscored:
        print(f"{results_dir}: left out, a system has no score (failed, or --skip-flaml): "
              f"{'; '.join(unscored)}", file=sys.stderr)
    return seed, by_set


def standard_error(values):
    return statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")


def main():
    dirs = sys.argv[1:] or [OUT] + sorted(glob.glob(os.path.join(OUT, "seed*")))
    runs = [scores(d) for d in dirs if os.path.exists(os.path.join(d, "results.json"))]
    if not runs:
        sys.exit(f"no results.json in {', '.join(dirs)}: run bench/automl/run.sh first")
    names = []
    for _, by_set in runs:
        names += [n for n in by_set if n not in names]
    print(f"Splits (random_state): {', '.join(str(seed) for seed, _ in runs)}. Points: accuracy "
          "or R² × 100 on each split's test file; means over the splits a set was scored on.")
    print()
    print("| set | splits | Hearth | FLAML | HGB | linear | best peer by mean | Hearth − it "
          "(± s.e.) | mean gap to each split's best | splits within 0.5 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for name in names:
        rows = [by_set[name] for _, by_set in runs if name in by_set]
        means = {s: statistics.mean(r[s] for r in rows) for s in SYSTEMS}
        best = max(PEERS, key=lambda p: means[p])
        paired = [r["hearth"] - r[best] for r in rows]
        per_split = [r["gap"] for r in rows]
        within = sum(1 for g in per_split if g >= -0.5)
        print(f"| {name} | {len(rows)} | {means['hearth']:.1f} | {means['flaml']:.1f} | "
              f"{means['hgb']:.1f} | {means['linear']:.1f} | {best} | "
              f"{statistics.mean(paired):+.1f} (± {standard_error(paired):.1f}) | "
              f"{statistics.mean(per_split):+.1f} | {within} of {len(rows)} |")


if __name__ == "__main__":
    main()
