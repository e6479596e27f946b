"""Scale-out benchmark of the Optuna bridge (issue 18), side by side in one run on this machine.

`hearth search` draws TRIALS points of Hearth's space (random sampler, no pruner) and trains them;
the same points are then enqueued in Optuna studies on journal files and trained through the
bridge (`hearth-optuna run`, one `hearth trial` process per trial) by 1 and by 2 workers. Same
points, same work: the studies reach the same best score, and the wall-clock to it and to the
end compare the workers; the 1-worker study against `hearth search` is the bridge's overhead.

Usage: python bench/optuna/scale.py HEARTH [CSV TARGET TRIALS EPOCHS]   (tests/optuna/.venv's python)
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import optuna

from hearth_optuna import HearthRun, create_or_load, distributions, open_storage

hearth = os.path.abspath(sys.argv[1])
csv = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "static/penguins.csv")
target = sys.argv[3] if len(sys.argv) > 3 else "species"
trials = int(sys.argv[4]) if len(sys.argv) > 4 else 16
epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 10
work = tempfile.mkdtemp(prefix="hearth-optuna-bench-")
space = os.path.join(work, "space.json")
with open(space, "w") as f:
    json.dump({
        "model": {"fixed": {"value": "mlp"}},
        "width": {"int": {"low": 8, "high": 64}},
        "learning_rate": {"float": {"low": 0.001, "high": 0.05, "log": True}},
        "epochs": {"fixed": {"value": epochs}},
    }, f)
run = HearthRun(hearth=hearth, csv=csv, target=target, metric="accuracy", space=space)
optuna.logging.set_verbosity(optuna.logging.WARNING)

# 1. hearth search: the points and the reference wall-clock.
out = os.path.join(work, "search.json")
start = time.perf_counter()
search = subprocess.run([hearth, "search", csv, "--target", target, "--space", space, "--metric", "accuracy",
                         "--trials", str(trials), "--sampler", "random", "--pruner", "none", "--workers", "1",
                         "--out", out], capture_output=True, text=True)
search_wall = time.perf_counter() - start
assert search.returncode == 0, search.stderr
with open(out) as f:
    page_study = json.load(f)
hearth_space = page_study["settings"]["space"]
points = [{k: t["params"][k] for k in distributions(hearth_space, t["params"])} for t in page_study["trials"]]
search_best = max(t["values"][0] for t in page_study["trials"] if t.get("values"))


def bridge(workers):
    """The same points through `hearth-optuna run` with `workers` processes."""
    storage = f"journal:{work}/w{workers}.log"
    study, _ = create_or_load(run, open_storage(storage), f"w{workers}", pruner="none")
    for point in points:
        study.enqueue_trial(point)
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "hearth_optuna", "run", "--storage", storage,
                               "--study", f"w{workers}", "--hearth", hearth, "--csv", csv, "--target", target,
                               "--space", space, "--metric", "accuracy", "--pruner", "none",
                               "--trials", str(trials // workers), "--seed", str(i)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(workers)]
    for p in procs:
        _, err = p.communicate()
        assert p.returncode == 0, err
    wall = time.perf_counter() - start
    study = optuna.load_study(study_name=f"w{workers}", storage=open_storage(storage))
    begun = min(t.datetime_start for t in study.trials)
    best = max(t.value for t in study.trials if t.value is not None)
    first_best = min(t.datetime_complete for t in study.trials if t.value == best)
    training = sum(t.user_attrs.get("elapsed_ms") or 0 for t in study.trials) / 1000
    return {"wall_s": round(wall, 2), "best": best, "trials": len(study.trials),
            "to_best_s": round((first_best - begun).total_seconds(), 2), "training_s": round(training, 2),
            "outside_training_per_trial_s": round((wall * workers - training) / len(study.trials), 3)}


search_training = sum(t.get("elapsed_ms", 0) for t in page_study["trials"]) / 1000
results = {"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d"), "csv": os.path.basename(csv),
           "trials": trials, "epochs": epochs,
           "hearth_search": {"wall_s": round(search_wall, 2), "best": search_best,
                             "training_s": round(search_training, 2),
                             "outside_training_per_trial_s": round((search_wall - search_training) / trials, 3)}}
results["1_worker"] = bridge(1)
results["2_workers"] = bridge(2)
results["speedup_end"] = round(results["1_worker"]["wall_s"] / results["2_workers"]["wall_s"], 2)
results["speedup_to_best"] = round(results["1_worker"]["to_best_s"] / results["2_workers"]["to_best_s"], 2)
results["bridge_overhead_pct"] = round(100 * (results["1_worker"]["wall_s"] - search_wall) / search_wall, 1)
# The same, on time outside training (robust to the machine's speed drifting between the runs):
# the bridge's extra seconds per trial over the mean trial's training time.
extra = results["1_worker"]["outside_training_per_trial_s"] - results["hearth_search"]["outside_training_per_trial_s"]
results["bridge_extra_per_trial_pct_of_training"] = round(100 * extra / (search_training / trials), 1)
start = time.perf_counter()
subprocess.run([hearth, "trial", csv, "--target", target, "--space", space, "--describe"], capture_output=True, check=True)
results["trial_process_start_and_prepare_s"] = round(time.perf_counter() - start, 3)
print(json.dumps(results, indent=2))
