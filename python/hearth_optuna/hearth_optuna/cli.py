"""``hearth-optuna``: run, seed and read back a Hearth search held by Optuna.

    hearth-optuna run  --storage URL --study NAME --hearth PATH --csv FILE --target COL [--trials N]
    hearth-optuna seed --storage URL --study NAME --from study.json   (after `run` created it)
    hearth-optuna best --storage URL --study NAME --out best.hearth
"""

from __future__ import annotations

import argparse
import json
import sys

import optuna

from . import HearthRun, create_or_load, open_storage, optimize, seed_from_page, train_best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hearth-optuna", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def study_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--storage", required=True,
                       help="journal:PATH, postgresql+psycopg://USER:PASSWORD@HOST/DB, grpc://HOST:PORT, sqlite:///FILE")
        p.add_argument("--study", required=True, help="the study's name in the storage")

    def run_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--hearth", default="hearth", help="the hearth binary (default: on PATH)")
        p.add_argument("--csv", required=True, help="the training CSV (the same file on every machine)")
        p.add_argument("--target", required=True)
        p.add_argument("--metric", help="as for hearth search (default: monitor)")
        p.add_argument("--space", help="a JSON file of overrides of Hearth's space, as for hearth search --space")
        p.add_argument("--epochs", type=int, help="fix every trial's epochs")
        p.add_argument("--config", help="training settings JSON every trial starts from")
        p.add_argument("--prep-config", help="preprocessing settings JSON")
        p.add_argument("--device", default="cpu", choices=["cpu", "wgpu"])
        p.add_argument("--sampler", default="tpe", choices=["tpe", "random"])
        p.add_argument("--pruner", default="median", choices=["none", "median", "asha", "hyperband"])
        p.add_argument("--seed", type=int, help="this worker's sampler seed (give each worker its own)")

    run = commands.add_parser("run", help="run trials of the study in this process (start one per core, per machine)")
    study_args(run)
    run_args(run)
    run.add_argument("--trials", type=int, help="trials this worker runs (default: until --timeout)")
    run.add_argument("--timeout", type=float, help="seconds this worker runs trials")
    run.add_argument("--study-seed", type=int, default=42, help="seeds each trial's training (same on all workers)")

    seed = commands.add_parser("seed", help="add the complete trials of a Hearth study document (the page's export)")
    study_args(seed)
    run_args(seed)
    seed.add_argument("--from", dest="page", required=True, help="a study JSON exported by the page or written by hearth search")

    best = commands.add_parser("best", help="train the best trial again and save it as a .hearth model")
    study_args(best)
    best.add_argument("--out", required=True)
    best.add_argument("--hearth", help="the hearth binary, when not the one the study was run with")
    best.add_argument("--csv", help="the training CSV, when it is elsewhere on this machine")

    args = parser.parse_args(argv)
    storage = open_storage(args.storage)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        if args.command == "best":
            study = optuna.load_study(study_name=args.study, storage=storage)
            final = train_best(study, args.out, hearth=args.hearth, csv=args.csv)
            print(json.dumps({"trial": study.best_trial.number, "value": study.best_value,
                              "retrained": final.get("value"), "model": args.out}))
            return 0
        hearth_run = HearthRun(hearth=args.hearth, csv=args.csv, target=args.target, metric=args.metric,
                               space=args.space, epochs=args.epochs, config=args.config,
                               prep_config=args.prep_config, device=args.device)
        if args.command == "seed":
            study, info = create_or_load(hearth_run, storage, args.study, sampler=args.sampler,
                                         pruner=args.pruner, seed=args.seed)
            with open(args.page, encoding="utf-8") as file:
                page = json.load(file)
            added, skipped = seed_from_page(study, page, info["space"])
            print(json.dumps({"added": added, "skipped": skipped}))
            return 0
        study = optimize(hearth_run, storage, args.study, trials=args.trials, timeout=args.timeout,
                         sampler=args.sampler, pruner=args.pruner, seed=args.seed, study_seed=args.study_seed)
        done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
        print(json.dumps({"trials": len(study.trials), "complete": len(done),
                          "best": study.best_value if done else None}))
        return 0
    except (RuntimeError, OSError, KeyError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
