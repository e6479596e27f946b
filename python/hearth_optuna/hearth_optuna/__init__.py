"""Hearth's hyperparameter search as an Optuna study.

Optuna holds the study (in any of its storages: a journal file on one machine, PostgreSQL or
MySQL across machines, the gRPC storage proxy for large fleets) and its sampler and pruner
decide; each trial is trained by ``hearth trial``, which prints one JSON line per epoch and
reads ``prune`` or ``continue`` back. Workers on any number of machines run the same
``hearth-optuna run`` against the same storage.

The search space is Hearth's own (``hearth trial --describe``: the default space for the data,
with a ``--space`` file of overrides as ``hearth search`` takes), mapped to ``trial.suggest_*``
with its conditions (a parameter that applies only to some model families is suggested only
for them).
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

import optuna

__all__ = [
    "HearthRun",
    "TrialFailed",
    "TrialProcess",
    "create_or_load",
    "describe",
    "distributions",
    "fixed_params",
    "open_storage",
    "optimize",
    "seed_from_page",
    "suggest",
    "train_best",
]

# Study attributes that let any worker (and `best`) run the same command as its creator.
RUN_ATTR = "hearth_run"


class TrialFailed(Exception):
    """``hearth trial`` reported a failed trial (diverged, invalid settings): Optuna marks it FAIL."""


@dataclass
class HearthRun:
    """What every trial of a study runs: the ``hearth`` binary, the CSV, the target and the
    options that ``hearth trial`` shares with ``hearth search``."""

    hearth: str
    csv: str
    target: str
    metric: str | None = None
    space: str | None = None
    epochs: int | None = None
    config: str | None = None
    prep_config: str | None = None
    device: str = "cpu"
    extra: list[str] = field(default_factory=list)

    def command(self, *more: str) -> list[str]:
        command = [self.hearth, "trial", self.csv, "--target", self.target]
        for flag, value in (
            ("--metric", self.metric),
            ("--space", self.space),
            ("--epochs", self.epochs),
            ("--config", self.config),
            ("--prep-config", self.prep_config),
        ):
            if value is not None:
                command += [flag, str(value)]
        return command + ["--device", self.device, *self.extra, *more]

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @staticmethod
    def from_json(text: str) -> "HearthRun":
        return HearthRun(**json.loads(text))


def open_storage(url: str) -> Any:
    """An Optuna storage from a URL: ``journal:PATH`` (or a path ending in .log/.journal) is a
    journal file, ``grpc://HOST:PORT`` the gRPC storage proxy, anything else an RDB URL
    (``postgresql://…``, ``mysql+pymysql://…``, ``sqlite:///…``)."""
    if url.startswith("journal:") or url.endswith((".log", ".journal")):
        path = url.removeprefix("journal:")
        backend = optuna.storages.journal.JournalFileBackend(path)
        return optuna.storages.JournalStorage(backend)
    if url.startswith("grpc://"):
        host, _, port = url.removeprefix("grpc://").rpartition(":")
        return optuna.storages.GrpcStorageProxy(host=host, port=int(port))
    return url


def describe(run: HearthRun) -> dict:
    """The search space, metric and direction ``hearth trial --describe`` reports for the data."""
    result = subprocess.run(run.command("--describe"), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or f"hearth trial --describe exited {result.returncode}")
    return json.loads(result.stdout.splitlines()[-1])


def _applies(spec: dict, chosen: dict) -> bool:
    when = spec.get("when")
    return when is None or any(_same(chosen.get(when["param"]), v) for v in when["one_of"])


def _same(a: Any, b: Any) -> bool:
    # Hearth's JSON writes whole numbers as integers; Optuna may hand them back as either.
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _distribution(domain: dict) -> optuna.distributions.BaseDistribution | None:
    (kind, d), = domain.items()
    if kind == "float":
        return optuna.distributions.FloatDistribution(d["low"], d["high"], log=d.get("log", False))
    if kind == "int":
        return optuna.distributions.IntDistribution(d["low"], d["high"], log=d.get("log", False))
    if kind == "categorical":
        return optuna.distributions.CategoricalDistribution(d["choices"])
    return None  # fixed: not searched


def suggest(trial: optuna.trial.BaseTrial, space: dict) -> dict:
    """Suggests a point of Hearth's space: each parameter whose condition holds, in order.
    Fixed parameters are left to ``hearth trial``, which fills them in."""
    chosen: dict = {}
    for spec in space["params"]:
        if not _applies(spec, chosen):
            continue
        (kind, d), = spec["domain"].items()
        name = spec["name"]
        if kind == "float":
            chosen[name] = trial.suggest_float(name, d["low"], d["high"], log=d.get("log", False))
        elif kind == "int":
            chosen[name] = trial.suggest_int(name, d["low"], d["high"], log=d.get("log", False))
        elif kind == "categorical":
            chosen[name] = trial.suggest_categorical(name, d["choices"])
        else:
            chosen[name] = d["value"]
    return chosen


def fixed_params(space: dict, params: dict) -> dict:
    """``params`` (Optuna's, the searched ones) with the space's fixed values that apply."""
    chosen = dict(params)
    for spec in space["params"]:
        (kind, d), = spec["domain"].items()
        if kind == "fixed" and _applies(spec, chosen):
            chosen.setdefault(spec["name"], d["value"])
    return chosen


def distributions(space: dict, params: dict) -> dict | None:
    """Optuna's distributions for a point's searched parameters, or None when the point is not
    in the space (a parameter outside its domain, or one the space does not have)."""
    out = {}
    chosen: dict = {}
    for spec in space["params"]:
        if not _applies(spec, chosen):
            continue
        name = spec["name"]
        dist = _distribution(spec["domain"])
        if dist is None:  # fixed: Optuna does not hold it; Hearth's own trials do
            fixed = spec["domain"]["fixed"]["value"]
            if name in params and not _same(fixed, params[name]):
                return None
            chosen[name] = fixed
            continue
        if name not in params:
            return None
        value = params[name]
        try:
            if not dist._contains(dist.to_internal_repr(value)):
                return None
        except (ValueError, TypeError):
            return None
        out[name] = dist
        chosen[name] = value
    if set(params) - set(chosen):
        return None
    return out


def _trial_seed(study_seed: int, number: int) -> int:
    # Distinct per trial, the same for a trial run again by `best`.
    return (study_seed * 1_000_003 + number) % (2**63)


class TrialProcess:
    """One ``hearth trial --params -`` process, kept for all of a worker's trials: the data is
    read and prepared once, and each trial is one request line."""

    def __init__(self, run: HearthRun):
        self.process = subprocess.Popen(
            run.command("--params", "-"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def train(self, trial: optuna.trial.Trial, params: dict, seed: int) -> dict:
        """Trains one trial, reporting each epoch to Optuna and answering its pruner; returns
        the final line."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        self._write(json.dumps({"params": params, "seed": seed}))
        for line in stdout:
            event = json.loads(line)
            if event["event"] != "epoch":
                return event
            value, step = event["value"], event["step"]
            prune = value is None
            if not prune:
                trial.report(value, step)
                prune = trial.should_prune()
            self._write("prune" if prune else "continue")
        stderr = self.process.stderr.read() if self.process.stderr else ""
        raise RuntimeError(f"hearth trial stopped: {stderr.strip() or 'no answer'}")

    def _write(self, line: str) -> None:
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # the process ended; reading its output says why

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


def objective(run: HearthRun, space: dict, process: TrialProcess, study_seed: int = 42):
    """The Optuna objective: trains the suggested point in `process`, reporting every epoch's
    value and pruning when Optuna's pruner says so."""
    worker = f"{socket.gethostname()}:{os.getpid()}"

    def run_trial(trial: optuna.trial.Trial) -> float:
        params = suggest(trial, space)
        seed = _trial_seed(study_seed, trial.number)
        trial.set_user_attr("seed", seed)
        trial.set_user_attr("worker", worker)
        final = process.train(trial, params, seed)
        trial.set_user_attr("epochs", final.get("step", final.get("epochs")))
        trial.set_user_attr("elapsed_ms", final.get("elapsed_ms"))
        if final["event"] == "pruned":
            raise optuna.TrialPruned(f"pruned at epoch {final['step']}")
        if final["event"] == "failed" or final.get("value") is None:
            raise TrialFailed(final.get("error", "the trial's value is not a number"))
        if final.get("valid_metrics"):
            trial.set_user_attr("valid_metrics", final["valid_metrics"])
        trial.set_user_attr("best_epoch", final.get("best_epoch"))
        return final["value"]

    return run_trial


def _pruner(name: str) -> optuna.pruners.BasePruner:
    return {
        "none": optuna.pruners.NopPruner,
        "median": lambda: optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=1),
        "asha": lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=1),
        "hyperband": lambda: optuna.pruners.HyperbandPruner(min_resource=1),
    }[name]()


def _sampler(name: str, seed: int | None) -> optuna.samplers.BaseSampler:
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=5)


def create_or_load(run: HearthRun, storage: Any, name: str, *, sampler: str = "tpe",
                   pruner: str = "median", seed: int | None = None):
    """The study `name` in `storage`, created with the direction of the run's metric and the
    run recorded on it (so that other workers and `best` run the same command)."""
    info = describe(run)
    # Workers started together race to create an empty database's tables (PostgreSQL answers
    # one of them with a unique violation); the loser tries again once the tables exist.
    for attempt in range(8):
        try:
            study = optuna.create_study(
                study_name=name,
                storage=storage,
                direction=info["direction"],
                sampler=_sampler(sampler, seed),
                pruner=_pruner(pruner),
                load_if_exists=True,
            )
            break
        except Exception as error:  # sqlalchemy's IntegrityError, without importing sqlalchemy
            if attempt == 7 or "IntegrityError" not in type(error).__name__ + repr(error):
                raise
            time.sleep(0.1 * (attempt + 1) + random.random() * 0.1)
    if RUN_ATTR not in study.user_attrs:
        study.set_user_attr(RUN_ATTR, run.to_json())
        study.set_user_attr("metric", info["metric"])
        study.set_user_attr("space", info["space"])
    return study, info


def optimize(run: HearthRun, storage: Any, name: str, *, trials: int | None = None,
             timeout: float | None = None, sampler: str = "tpe", pruner: str = "median",
             seed: int | None = None, study_seed: int = 42):
    """Runs trials of the study in this process until `trials` (this worker's share) or
    `timeout` seconds; returns the study."""
    study, info = create_or_load(run, storage, name, sampler=sampler, pruner=pruner, seed=seed)
    process = TrialProcess(run)
    try:
        study.optimize(
            objective(run, info["space"], process, study_seed),
            n_trials=trials,
            timeout=timeout,
            catch=(TrialFailed,),
        )
    finally:
        process.close()
    return study


def seed_from_page(study: optuna.Study, page_study: dict, space: dict) -> tuple[int, int]:
    """Adds the complete trials of a Hearth study document (the page's "Export study (JSON)",
    or `hearth search --out`) to an Optuna study; returns (added, skipped). A trial whose
    parameters are not a point of `space` is skipped."""
    added = skipped = 0
    for trial in page_study["trials"]:
        if trial.get("state") != "complete" or not trial.get("values"):
            continue
        searched = {k: v for k, v in trial["params"].items()}
        dists = distributions(space, searched)
        if dists is None:
            skipped += 1
            continue
        params = {k: searched[k] for k in dists}
        intermediate = {step + 1: v for step, v in enumerate(trial.get("intermediate", []))}
        study.add_trial(optuna.trial.create_trial(
            params=params,
            distributions=dists,
            value=trial["values"][0],
            intermediate_values=intermediate,
            user_attrs={"seed": trial.get("seed"), "from": "hearth study", "hearth_number": trial["number"]},
        ))
        added += 1
    return added, skipped


def train_best(study: optuna.Study, out: str, *, hearth: str | None = None, csv: str | None = None) -> dict:
    """Trains the study's best trial again with ``hearth trial --model-out`` and writes the
    `.hearth` model to `out` (load it in the page's Train step, or use `hearth export`).
    Returns the trial's final line."""
    run = HearthRun.from_json(study.user_attrs[RUN_ATTR])
    if hearth:
        run.hearth = hearth
    if csv:
        run.csv = csv
    best = study.best_trial
    params = fixed_params(study.user_attrs["space"], best.params)
    seed = best.user_attrs.get("seed") or 42
    result = subprocess.run(
        run.command("--params", json.dumps(params), "--seed", str(seed), "--model-out", out),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip())
    return json.loads(result.stdout.splitlines()[-1])
