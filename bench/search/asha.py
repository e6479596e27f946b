"""ASHA against no pruning on the bundled datasets: the same random-search trials (same seed),
each up to EPOCHS epochs with the default early stopping; reports the epochs spent until the
study first reached its best score, the total epochs, and the best score of each.

Usage: python bench/search/asha.py HEARTH_BINARY [TRIALS] [EPOCHS] [SEEDS]"""
import json
import subprocess
import sys
import tempfile

DATASETS = [("penguins.csv", "species"), ("iris.csv", "species"), ("diabetes.csv", "progression")]


def run(binary, data, target, pruner, trials, epochs, seed, out):
    subprocess.run([binary, "search", f"static/{data}", "--target", target, "--sampler", "random",
                    "--pruner", pruner, "--trials", str(trials), "--epochs", str(epochs),
                    "--seed", str(seed), "--workers", "1", "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        study = json.load(f)
    spent, best, to_best = 0, float("inf"), 0
    for trial in study["trials"]:
        spent += trial["epochs"]
        if trial["state"] == "complete" and trial["values"][0] < best:
            best, to_best = trial["values"][0], spent
    return {"epochs_to_best": to_best, "epochs_total": spent, "best": best}


def main():
    binary = sys.argv[1]
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    seeds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    with tempfile.TemporaryDirectory() as tmp:
        for data, target in DATASETS:
            rows = {"none": [], "asha": []}
            for seed in range(1, seeds + 1):
                for pruner in rows:
                    rows[pruner].append(run(binary, data, target, pruner, trials, epochs, seed, f"{tmp}/s.json"))
            mean = lambda p, k: sum(r[k] for r in rows[p]) / seeds
            print(json.dumps({
                "dataset": data, "trials": trials, "max_epochs": epochs, "seeds": seeds,
                "none_epochs_to_best": mean("none", "epochs_to_best"), "asha_epochs_to_best": mean("asha", "epochs_to_best"),
                "ratio_to_best": round(mean("asha", "epochs_to_best") / mean("none", "epochs_to_best"), 3),
                "none_epochs_total": mean("none", "epochs_total"), "asha_epochs_total": mean("asha", "epochs_total"),
                "ratio_total": round(mean("asha", "epochs_total") / mean("none", "epochs_total"), 3),
                "none_best": round(mean("none", "best"), 4), "asha_best": round(mean("asha", "best"), 4),
            }))


if __name__ == "__main__":
    main()
