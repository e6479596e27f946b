"""Hearth's AutoML benchmark: `hearth automl` (CLI) and its exported ONNX models against FLAML
and scikit-learn baselines, on the data sets that datasets.py writes (one split for everyone).

Per data set:
  * Hearth: `$HEARTH automl train.csv --target T --seed 0 --out m.hearth --study-out study.json
    $HEARTH_AUTOML_ARGS` (default `--trials 30`; split with shlex, so any flag passes through),
    timed on the wall clock; then `$HEARTH export m.hearth --quantize static --data train.csv`
    (int8, the headline) and `--quantize none` (float32). Both ONNX files are run by onnxruntime
    on the raw test.csv as the export's contract says (one [N, 1] input per column the model
    reads: float32 with NaN for missing, string with "" for missing; outputs label +
    probabilities, or value). If Hearth suggests a different task than the set's, that is
    recorded and the run is repeated with --task.
  * FLAML (AutoML, default metric and estimators) with time_budget = Hearth's automl wall time
    (at least 5 s), seed 0, n_jobs=1, on the same train split as a DataFrame (text as category).
  * scikit-learn HistGradientBoosting (default parameters, native categorical support) and
    logistic regression / ridge (median imputation + scaling, one-hot for text, in a Pipeline).
  The peers run on BENCH_THREADS OpenMP/BLAS threads (default 1, like FLAML's n_jobs=1: on a
  shared, loaded machine two spinning OpenMP threads made HGB 10-50x slower).
  The peers get the CSV as pandas reads it, less id-like columns (an unnamed index column or a
  text column whose values are mostly unique), which a user would drop by hand.
Metrics: classification accuracy (primary), balanced accuracy, ROC AUC (binary); regression R²
(primary) and RMSE; wall time per system. A system that fails on a set records its error.

Writes bench/out/automl/results.json and results.md (the table is also printed).

Usage: bench.py [--only NAME,NAME] [--merge] [--data DIR] [--out DIR] [--skip-flaml]
  (--data DIR as datasets.py --seed N --out DIR wrote it: another split of the same sets)
  --merge keeps the other sets' results of an earlier results.json (a partial rerun).
Environment: HEARTH (default $CARGO_TARGET_DIR/release/hearth), HEARTH_AUTOML_ARGS,
BENCH_THREADS (default 1).
"""

import os

# Before numpy/sklearn load their OpenMP and BLAS runtimes, which read these once.
THREADS = os.environ.get("BENCH_THREADS", "1")
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = THREADS

import argparse
import csv
import datetime
import json
import math
import platform
import shlex
import statistics
import subprocess
import sys
import time
import traceback

import numpy as np
import pandas as pd
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, mean_squared_error,
                             r2_score, roc_auc_score)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "bench", "out", "automl")
# Hearth's missing-value markers (src/data/number.rs), compared case-insensitively, trimmed.
MISSING = {"", "na", "n/a", "nan", "null", "?", "-"}
PANDAS_NA = ["", "NA", "N/A", "NaN", "nan", "na", "n/a", "null", "NULL", "?", "-"]
PEERS = ["flaml", "hgb", "linear"]
SEED = 0
MIN_FLAML_S = 5.0


def hearth_binary():
    explicit = os.environ.get("HEARTH")
    if explicit:
        return explicit
    target_dir = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target_dir, "release", "hearth")


# ---- metrics -------------------------------------------------------------------------------


def classification_metrics(y_true, y_pred, proba=None, classes=None):
    y_true = np.asarray(y_true, dtype=object).astype(str)
    y_pred = np.asarray(y_pred, dtype=object).astype(str)
    out = {"accuracy": float(accuracy_score(y_true, y_pred)),
           "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred))}
    if proba is not None and classes is not None and len(classes) == 2:
        try:
            positive = np.asarray(proba)[:, 1]
            out["roc_auc"] = float(roc_auc_score(y_true == str(classes[1]), positive))
        except ValueError as error:
            out["roc_auc_error"] = str(error)
    out["primary"] = 100 * out["accuracy"]
    return out


def regression_metrics(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float).reshape(-1)
    out = {"r2": float(r2_score(y_true, y_pred)),
           "rmse": float(math.sqrt(mean_squared_error(y_true, y_pred)))}
    out["primary"] = 100 * out["r2"]
    return out


# ---- Hearth --------------------------------------------------------------------------------


def run_cli(args, log):
    """Runs a command, appends its output to log; returns (exit status, stdout, stderr, seconds)."""
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    with open(log, "a") as f:
        f.write(f"$ {shlex.join(args)}\n# exit {result.returncode} after {seconds:.2f} s\n")
        f.write(result.stdout)
        f.write(result.stderr)
        f.write("\n")
    return result.returncode, result.stdout, result.stderr, seconds


def cli_error(args, code, stderr):
    tail = "\n".join(stderr.strip().splitlines()[-5:])
    return f"`{shlex.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(args))}` " \
           f"exited {code}: {tail}"


def read_raw_csv(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def unnamed_position(name, header):
    """Hearth calls a column with an empty header field "column_N" (N counted from 1) and the
    export keeps that name, which is not the file's: found by that rule, and reported."""
    if not name.startswith("column_"):
        return None
    try:
        position = int(name[len("column_"):]) - 1
    except ValueError:
        return None
    if 0 <= position < len(header) and header[position].strip() == "":
        return position
    return None


def onnx_feeds(session, kinds, header, rows, renamed):
    """The export's contract: one [N, 1] input per column, float32 (NaN missing) or string ("").
    Inputs found only by Hearth's name for an unnamed column are appended to renamed."""
    index = {name: i for i, name in enumerate(header)}
    feeds = {}
    for graph_input in session.get_inputs():
        position = index.get(graph_input.name)
        if position is None:
            position = unnamed_position(graph_input.name, header)
            renamed.append(graph_input.name)
        if position is None:
            raise KeyError(f"the graph reads column {graph_input.name!r}, not in test.csv")
        column = [row[position] for row in rows]
        if kinds.get(graph_input.name) == "float":
            values = []
            for v in column:
                if v.strip().lower() in MISSING:
                    values.append(math.nan)
                else:
                    try:
                        values.append(float(v))
                    except ValueError:
                        values.append(math.nan)
            feeds[graph_input.name] = np.array(values, dtype=np.float32).reshape(-1, 1)
        else:
            values = ["" if v.strip().lower() in MISSING else v for v in column]
            feeds[graph_input.name] = np.array(values, dtype=object).reshape(-1, 1)
    return feeds


def score_onnx(path, test_csv, target, task):
    import onnx
    import onnxruntime as ort

    proto = onnx.load(path)
    meta = {p.key: p.value for p in proto.metadata_props}
    kinds = {i["name"]: i["kind"] for i in json.loads(meta.get("inputs", "[]"))}
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    header, rows = read_raw_csv(test_csv)
    t = header.index(target)
    y_true = [row[t] for row in rows]
    start = time.perf_counter()
    renamed = []
    feeds = onnx_feeds(session, kinds, header, rows, renamed)
    outputs = session.run(None, feeds)
    predict_s = time.perf_counter() - start
    names = [o.name for o in session.get_outputs()]
    by_name = dict(zip(names, outputs))
    if task == "regression":
        values = by_name.get("value", outputs[0])
        metrics = regression_metrics([float(v) for v in y_true], values)
    else:
        labels = by_name.get("label", outputs[0])
        labels = [l.decode() if isinstance(l, bytes) else str(l) for l in np.ravel(labels)]
        proba = by_name.get("probabilities", outputs[1] if len(outputs) > 1 else None)
        classes = json.loads(meta.get("class_names", "[]"))
        metrics = classification_metrics(y_true, labels, proba, classes)
    metrics["predict_s"] = predict_s
    if renamed:
        metrics["contract_issue"] = (f"inputs {renamed} are not named as test.csv's header "
                                     "(an empty field); fed by position")
    metrics["file_bytes"] = os.path.getsize(path)
    metrics["inputs"] = len(session.get_inputs())
    return metrics


def hearth_family(model_path):
    """The shipped model's family ("linear", "mlp", "gbdt", or "ensemble of gbdt+mlp") and
    whether it has a network to quantize (trees are exported in float32 only)."""
    with open(model_path) as f:
        model = json.load(f)

    def name(kind):
        return kind if isinstance(kind, str) else next(iter(kind))

    if "ensemble" in model:
        members = model["ensemble"]
        families = "+".join(sorted({name(m["model"]) for m in members}))
        return f"ensemble of {len(members)}: {families}", any("weights" in m for m in members)
    return name(model["config"]["model"]), "weights" in model


def hearth_task(model_path):
    with open(model_path) as f:
        task = str(json.load(f).get("task", ""))
    if "regression" in task.lower():
        return "regression"
    return "multiclass" if "multi" in task.lower() else "binary"


def study_summary(path):
    """Trials, pruned and failed counts and the best trial from the study JSON (best effort:
    its format belongs to Hearth and may change)."""
    try:
        with open(path) as f:
            study = json.load(f)
    except (OSError, ValueError):
        return {}
    trials = study.get("trials") if isinstance(study, dict) else None
    if not isinstance(trials, list):
        return {"keys": sorted(study)[:20] if isinstance(study, dict) else []}
    states = {}
    for trial in trials:
        state = str(trial.get("state", trial.get("status", "?"))) if isinstance(trial, dict) else "?"
        states[state] = states.get(state, 0) + 1
    return {"trials": len(trials), "states": states}


def run_hearth(hearth, entry, data_dir, work, extra_args):
    train = os.path.join(data_dir, entry["files"]["train"])
    test = os.path.join(data_dir, entry["files"]["test"])
    target, task = entry["target"], entry["task"]
    os.makedirs(work, exist_ok=True)
    log = os.path.join(work, "hearth.log")
    if os.path.exists(log):
        os.remove(log)
    model = os.path.join(work, "m.hearth")
    study = os.path.join(work, "study.json")
    for path in (model, study):
        if os.path.exists(path):
            os.remove(path)
    result = {"args": extra_args, "log": os.path.relpath(log, ROOT)}
    base = [hearth, "automl", train, "--target", target, "--seed", str(SEED), "--out", model,
            "--study-out", study]
    args = base + extra_args
    code, stdout, stderr, seconds = run_cli(args, log)
    result["automl_s"] = seconds
    if code != 0:
        result["error"] = cli_error(args, code, stderr)
        return result
    chosen = hearth_task(model)
    result["suggested_task"] = chosen
    if chosen != task:
        # Hearth's own suggestion differs from the set's task: a finding, recorded; the scores
        # below come from a second run told the task, so the set still counts.
        result["task_mismatch"] = f"hearth automl suggested {chosen}, the set is {task}"
        args = base + ["--task", task] + extra_args
        code, stdout, stderr, seconds = run_cli(args, log)
        result["automl_s"] = seconds
        result["task_forced"] = True
        if code != 0:
            result["error"] = cli_error(args, code, stderr)
            return result
    result["automl_summary"] = stdout.strip().splitlines()[:1]
    result["study"] = study_summary(study)
    result["wall_s"] = result["automl_s"]
    family, quantizable = hearth_family(model)
    result["family"] = family
    result["quantizable"] = quantizable
    # Trees alone have one exported form, float32: it is their headline ("int8" column) too.
    kinds = ("static", "none") if quantizable else ("none",)
    for kind in kinds:
        onnx_path = os.path.join(work, f"m_{kind}.onnx")
        args = [hearth, "export", model, "--quantize", kind, "--data", train, "--out", onnx_path]
        # The split and statistics of --data must be the model's: pass automl's prep settings.
        if "--prep-config" in extra_args:
            args += ["--prep-config", extra_args[extra_args.index("--prep-config") + 1]]
        code, _, stderr, seconds = run_cli(args, log)
        key = "int8" if kind == "static" else "fp32"
        if code != 0:
            result[key] = {"error": cli_error(args, code, stderr), "export_s": seconds}
            continue
        try:
            metrics = score_onnx(onnx_path, test, target, task)
        except Exception as error:  # noqa: BLE001 - any scoring failure is recorded, not fatal
            metrics = {"error": f"onnxruntime scoring failed: {type(error).__name__}: {error}"}
        metrics["export_s"] = seconds
        result[key] = metrics
    if not quantizable and "fp32" in result:
        result["int8"] = result["fp32"]
    if "primary" in result.get("int8", {}):
        result["primary"] = result["int8"]["primary"]
    return result


# ---- peers ---------------------------------------------------------------------------------


def read_frames(entry, data_dir):
    """Train and test as pandas reads them; text as category; id-like columns dropped."""
    target, task = entry["target"], entry["task"]
    dtype = {target: str} if task != "regression" else None
    read = dict(na_values=PANDAS_NA, keep_default_na=False, dtype=dtype)
    train = pd.read_csv(os.path.join(data_dir, entry["files"]["train"]), **read)
    test = pd.read_csv(os.path.join(data_dir, entry["files"]["test"]), **read)
    y_train, y_test = train.pop(target), test.pop(target)
    dropped = []
    for column in list(train.columns):
        values = train[column]
        unnamed = str(column).startswith("Unnamed:") or str(column).strip() == ""
        numeric = pd.api.types.is_numeric_dtype(values)
        unique = values.nunique(dropna=True)
        id_like = not numeric and unique > 50 and unique > 0.5 * values.notna().sum()
        if unnamed or id_like:
            dropped.append(str(column))
    train, test = train.drop(columns=dropped), test.drop(columns=dropped)
    # Copies first: assigning column by column to a frame read with 70+ columns warns about
    # fragmentation.
    train, test = train.copy(), test.copy()
    categorical = []
    for column in train.columns:
        if not pd.api.types.is_numeric_dtype(train[column]) or pd.api.types.is_bool_dtype(
                train[column]):
            kinds = pd.CategoricalDtype(sorted(train[column].dropna().astype(str).unique()))
            train[column] = train[column].astype("string").astype(kinds)
            test[column] = test[column].astype("string").astype(kinds)
            categorical.append(column)
    if task == "regression":
        y_train, y_test = y_train.astype(float), y_test.astype(float)
    return train, test, y_train, y_test, categorical, dropped


def score_model(task, model, x_test, y_test):
    start = time.perf_counter()
    predicted = model.predict(x_test)
    predict_s = time.perf_counter() - start
    if task == "regression":
        metrics = regression_metrics(y_test, predicted)
    else:
        proba = model.predict_proba(x_test) if len(model.classes_) == 2 else None
        metrics = classification_metrics(y_test, predicted, proba, list(model.classes_))
    metrics["predict_s"] = predict_s
    return metrics


def run_hgb(frames, task):
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    x_train, x_test, y_train, y_test, categorical, _ = frames
    x_train, x_test = x_train.copy(), x_test.copy()
    for column in categorical:
        # Native categorical support takes at most max_bins (255) categories; more become codes.
        if len(x_train[column].cat.categories) > 255:
            x_train[column] = x_train[column].cat.codes.replace(-1, np.nan).astype(float)
            x_test[column] = x_test[column].cat.codes.replace(-1, np.nan).astype(float)
    kind = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    model = kind(categorical_features="from_dtype", random_state=SEED)
    start = time.perf_counter()
    model.fit(x_train, y_train)
    fit_s = time.perf_counter() - start
    metrics = score_model(task, model, x_test, y_test)
    metrics["wall_s"] = fit_s
    return metrics


def run_linear(frames, task):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    x_train, x_test, y_train, y_test, categorical, _ = frames
    numeric = [c for c in x_train.columns if c not in categorical]

    def as_text(frame):
        return frame.astype(object).where(frame.notna(), "missing").astype(str)

    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("cat", make_pipeline(FunctionTransformer(as_text),
                              OneHotEncoder(handle_unknown="ignore")), categorical),
    ])
    head = Ridge() if task == "regression" else LogisticRegression(max_iter=2000)
    model = Pipeline([("prep", prep), ("model", head)])
    start = time.perf_counter()
    model.fit(x_train, y_train)
    fit_s = time.perf_counter() - start
    metrics = score_model(task, model, x_test, y_test)
    metrics["wall_s"] = fit_s
    return metrics


def run_flaml(frames, task, budget_s, log_dir):
    from flaml import AutoML

    x_train, x_test, y_train, y_test, _, _ = frames
    automl = AutoML()
    flaml_task = "regression" if task == "regression" else "classification"
    start = time.perf_counter()
    automl.fit(x_train, y_train, task=flaml_task, time_budget=budget_s, seed=SEED, n_jobs=1,
               verbose=0, log_file_name=os.path.join(log_dir, "flaml.log"))
    fit_s = time.perf_counter() - start
    metrics = score_model(task, automl, x_test, y_test)
    metrics.update(wall_s=fit_s, time_budget_s=budget_s, best_estimator=automl.best_estimator,
                   best_config=automl.best_config)
    return metrics


def guarded(name, function, *args):
    try:
        return function(*args)
    except Exception as error:  # noqa: BLE001 - a failing system is recorded, the run goes on
        traceback.print_exc(file=sys.stderr)
        return {"error": f"{name}: {type(error).__name__}: {error}"}


# ---- report --------------------------------------------------------------------------------


def machine():
    info = {"nproc": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(),
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds")}
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(l for l in f if l.startswith("MemTotal")).split()[1])
        info["ram_gib"] = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(l for l in f if l.startswith("model name")).split(":", 1)[1].strip()
    except (OSError, StopIteration):
        pass
    try:
        import flaml
        import onnxruntime
        import sklearn
        info["versions"] = {"flaml": flaml.__version__, "scikit-learn": sklearn.__version__,
                            "onnxruntime": onnxruntime.__version__, "pandas": pd.__version__}
    except ImportError:
        pass
    return info


def hearth_version(hearth):
    """`hearth --version` and the repository's commit (with "+dirty" for uncommitted edits),
    which the binary was most likely built from."""
    def output(args):
        try:
            return subprocess.run(args, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return ""
    commit = output(["git", "rev-parse", "--short", "HEAD"])
    dirty = output(["git", "status", "--porcelain", "--untracked-files=no"])
    return {"version": output([hearth, "--version"]),
            "commit": commit + ("+dirty" if dirty else "")}


def fmt(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def primary(system):
    return system.get("primary") if isinstance(system, dict) else None


def summarise(results):
    rows, gaps, versus_flaml = [], [], []
    for name, r in results["datasets"].items():
        systems = r["systems"]
        hearth = systems.get("hearth", {})
        ours = primary(hearth)
        peers = {p: primary(systems.get(p, {})) for p in PEERS}
        best_peer = max((v for v in peers.values() if v is not None), default=None)
        gap = None if ours is None or best_peer is None else ours - best_peer
        r["gap_to_best"] = gap
        if gap is not None:
            gaps.append(gap)
        if ours is not None and peers["flaml"] is not None:
            versus_flaml.append(ours - peers["flaml"])
        fp32 = primary(hearth.get("fp32", {}))
        notes = []
        if hearth.get("family"):
            notes.append(hearth["family"] + ("" if hearth.get("quantizable", True) else " (fp32: trees)"))
        if hearth.get("error"):
            notes.append("hearth failed")
        for key in ("int8", "fp32"):
            if isinstance(hearth.get(key), dict) and hearth[key].get("error"):
                notes.append(f"{key} export failed")
        if isinstance(hearth.get("int8"), dict) and hearth["int8"].get("contract_issue"):
            notes.append("ONNX input named column_N for the unnamed column")
        if hearth.get("task_mismatch"):
            notes.append(hearth["task_mismatch"])
        for p in PEERS:
            if systems.get(p, {}).get("error"):
                notes.append(f"{p} failed")
        d = r["dataset"]
        rows.append(
            f"| {name} | {d['task']} | {d['rows']} | {fmt(ours)} | {fmt(fp32)} | "
            f"{fmt(peers['flaml'])} | {fmt(peers['hgb'])} | {fmt(peers['linear'])} | "
            f"{'—' if gap is None else f'{gap:+.1f}'} | {fmt(hearth.get('wall_s'), 1)} | "
            f"{fmt(systems.get('flaml', {}).get('wall_s'), 1)} | {'; '.join(notes)} |")
    within = sum(1 for g in gaps if g >= -0.5)
    median_flaml = statistics.median(versus_flaml) if versus_flaml else None
    m = results["machine"]
    lines = [
        f"Hearth automl args: `{results['hearth_automl_args']}`; FLAML time budget = Hearth's "
        f"automl wall time (≥ {MIN_FLAML_S:.0f} s). Scores in points: accuracy × 100 "
        "(classification) or R² × 100 (regression), on the 20 % test split "
        f"(random_state {results.get('split', {}).get('random_state', 0)}).",
        "",
        "| set | task | rows | Hearth int8 | Hearth fp32 | FLAML | HGB | linear | gap to best "
        "| Hearth s | FLAML s | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
        "",
        f"Sets within 0.5 point of the best peer: {within} of {len(gaps)} scored "
        f"({len(results['datasets'])} run).",
        f"Median Hearth − FLAML: {'—' if median_flaml is None else f'{median_flaml:+.2f}'} points "
        f"over {len(versus_flaml)} sets.",
        f"Hearth: {results.get('hearth_version', {}).get('version', '?')} at "
        f"{results.get('hearth_version', {}).get('commit', '?')}.",
        f"Machine: {m.get('nproc')} CPUs ({m.get('cpu', '?')}), {m.get('ram_gib', '?')} GiB RAM; "
        f"{m.get('date')}; {', '.join(f'{k} {v}' for k, v in m.get('versions', {}).items())}.",
    ]
    results["summary"] = {"within_half_point": within, "scored": len(gaps),
                          "median_hearth_minus_flaml": median_flaml}
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated data set names")
    parser.add_argument("--data", default=os.path.join(OUT, "data"))
    parser.add_argument("--out", default=OUT)
    parser.add_argument("--skip-flaml", action="store_true")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other sets' results from an earlier results.json")
    args = parser.parse_args()
    with open(os.path.join(args.data, "manifest.json")) as f:
        written = json.load(f)
    manifest = {d["name"]: d for d in written["datasets"]}
    wanted = [n for n in args.only.split(",") if n] or list(manifest)
    unknown = [n for n in wanted if n not in manifest]
    if unknown:
        sys.exit(f"--only: {', '.join(unknown)} not in {args.data}/manifest.json "
                 f"(run datasets.py); known: {', '.join(manifest)}")
    hearth = hearth_binary()
    if not os.access(hearth, os.X_OK):
        sys.exit(f"HEARTH: {hearth} is not an executable; build it with "
                 "`cargo build --release --bin hearth` or set HEARTH.")
    extra = os.environ.get("HEARTH_AUTOML_ARGS", "--trials 30")
    results = {"hearth": hearth, "hearth_version": hearth_version(hearth),
               "hearth_automl_args": extra, "machine": machine(),
               "peer_threads": THREADS, "split": written.get("split", {}),
               "datasets": {}}
    previous = os.path.join(args.out, "results.json")
    if args.merge and os.path.exists(previous):
        with open(previous) as f:
            earlier = json.load(f).get("datasets", {})
        # In the manifest's order, the sets run now replacing their earlier results.
        results["datasets"] = {n: earlier[n] for n in manifest if n in earlier}
    for name in wanted:
        entry = manifest[name]
        work = os.path.join(args.out, "runs", name)
        os.makedirs(work, exist_ok=True)
        print(f"== {name} ({entry['task']}, {entry['rows']} rows)", file=sys.stderr, flush=True)
        systems = {}
        systems["hearth"] = guarded("hearth", run_hearth, hearth, entry, args.data, work,
                                    shlex.split(extra))
        h = systems["hearth"]
        print(f"   hearth: {fmt(primary(h))} ({fmt(h.get('wall_s'))} s) {h.get('error', '')}",
              file=sys.stderr, flush=True)
        frames = guarded("read", read_frames, entry, args.data)
        if isinstance(frames, dict):  # reading failed: every peer records that error
            for p in PEERS:
                systems[p] = frames
        else:
            budget = max(MIN_FLAML_S, h.get("automl_s") or MIN_FLAML_S)
            systems["hgb"] = guarded("hgb", run_hgb, frames, entry["task"])
            systems["linear"] = guarded("linear", run_linear, frames, entry["task"])
            if args.skip_flaml:
                systems["flaml"] = {"error": "skipped (--skip-flaml)"}
            else:
                systems["flaml"] = guarded("flaml", run_flaml, frames, entry["task"], budget, work)
            systems["peer_dropped_columns"] = frames[5]
        for p in PEERS:
            s = systems[p]
            print(f"   {p}: {fmt(primary(s))} ({fmt(s.get('wall_s'))} s) {s.get('error', '')}",
                  file=sys.stderr, flush=True)
        results["datasets"][name] = {"dataset": entry, "systems": systems,
                                     "date": datetime.datetime.now().astimezone().isoformat(
                                         timespec="seconds"),
                                     "hearth_automl_args": extra}
        # Written after every set, so an interrupted run keeps what it measured.
        table = summarise(results)
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(results, f, indent=2, default=str)
        with open(os.path.join(args.out, "results.md"), "w") as f:
            f.write(table)
    print(table)


if __name__ == "__main__":
    main()
