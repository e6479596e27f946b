"""Checks Hearth's ONNX exports with the reference tools: onnx.checker and onnxruntime.

For every bundled dataset it trains a small MLP with the built `hearth` binary, exports it in
every form (float32, float16, dynamic int8, static int8), gradient-boosted trees in their
one form (float32, an ONNX-ML TreeEnsembleClassifier) and an ensemble of the two (float32, and
dynamic int8 for its network), checks each file with
onnx.checker.check_model (full check, with shape inference), runs it in onnxruntime on the raw
CSV rows fed by the export's contract (one [N, 1] input per column the model reads: float32
with NaN for missing, string with "" for missing), and compares with `hearth predict`.

Tolerances: float32 within 1e-5 of Hearth's probabilities (regression: 1e-5 relative) with the
same labels; float16 within 1e-2 (regression: 1e-2 of the target's spread); int8 within 0.1
(regression: 0.05 of the spread) with at least 99 % of the labels agreeing with Hearth's.

Usage: check.py HEARTH_BINARY WORK_DIR, or check.py --file HEARTH_BINARY MODEL.hearth MODEL.onnx
DATA.csv KIND WORK_DIR for one file made elsewhere (the page's download; KIND is none, fp16,
dynamic or static). Exits 1 on any disagreement.
"""

import csv
import json
import math
import os
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MISSING = {"", "na", "n/a", "nan", "null", "?", "-"}

DATASETS = [
    ("penguins.csv", "species", ["--hidden", "32,16"]),
    ("iris.csv", "species", ["--hidden", "16"]),
    ("diabetes.csv", "progression", ["--hidden", "32,16"]),
]
KINDS = ["none", "fp16", "dynamic", "static"]


def run(*args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def feeds(session, header, rows, kinds):
    """The contract: one [N, 1] input per column, float32 (NaN missing) or string ("")."""
    index = {name: i for i, name in enumerate(header)}
    out = {}
    for graph_input in session.get_inputs():
        column = [row[index[graph_input.name]] for row in rows]
        if kinds[graph_input.name] == "float":
            values = [
                math.nan if v.strip().lower() in MISSING else float(v) for v in column
            ]
            out[graph_input.name] = np.array(values, dtype=np.float32).reshape(-1, 1)
        else:
            values = ["" if v.strip().lower() in MISSING else v for v in column]
            out[graph_input.name] = np.array(values, dtype=object).reshape(-1, 1)
    return out


def compare(label, path, header, rows, predicted, kind, regression):
    """Checks one file with onnx.checker, runs it on the raw rows and compares with `hearth
    predict`; returns the failure, or None."""
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    meta = {p.key: p.value for p in proto.metadata_props}
    kinds = {i["name"]: i["kind"] for i in json.loads(meta["inputs"])}
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    outputs = session.run(None, feeds(session, header, rows, kinds))
    if regression:
        ours = outputs[0].astype(np.float64)
        theirs = np.array([float(r[0]) for r in predicted])
        spread = float(np.std(theirs)) or 1.0
        tolerance = {"none": None, "fp16": 1e-2 * spread}.get(kind, 0.05 * spread)
        diff = np.abs(ours - theirs)
        bound = tolerance if tolerance is not None else 1e-5 * np.maximum(1.0, np.abs(theirs))
        worst = float(np.max(diff - bound))
        print(f"{label}: max |Δvalue| {float(np.max(diff)):.3g}")
        if worst > 0:
            return f"{label}: value differs from hearth predict by {float(np.max(diff)):.3g}"
        return None
    labels, probabilities = outputs[0], outputs[1]
    theirs_labels = [r[0] for r in predicted]
    theirs_p = np.array([[float(v) for v in r[1:]] for r in predicted])
    diff = float(np.max(np.abs(probabilities - theirs_p)))
    agree = float(np.mean([a == b for a, b in zip(labels, theirs_labels)]))
    tolerance = {"none": 1e-5, "fp16": 1e-2}.get(kind, 0.1)
    needed = 1.0 if kind == "none" else 0.99
    print(f"{label}: max |Δp| {diff:.3g}, labels agree {agree:.2%}")
    if diff > tolerance or agree < needed:
        return f"{label}: max |Δp| {diff:.3g} (tolerance {tolerance}), labels agree {agree:.2%} (need {needed:.0%})"
    return None


def read_csv(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def predict(hearth, model, data, work):
    """`hearth predict` of every row: [label, p...] or [value] per row."""
    out = os.path.join(work, os.path.basename(model) + "_predictions.csv")
    run(hearth, "predict", model, data, "--out", out)
    return read_csv(out)[1]


def ensemble_file(first, second, out):
    """A .hearth ensemble of two model files trained on the same preprocessing: weights 0.6 and
    0.4, each member's "weights" or "booster" beside its "model"."""
    models = [json.load(open(path)) for path in (first, second)]
    members = []
    for weight, m in zip((0.6, 0.4), models):
        member = {"weight": weight, "model": m["config"]["model"]}
        for key in ("weights", "booster"):
            if key in m:
                member[key] = m[key]
        members.append(member)
    blend = dict(models[0])
    blend.pop("weights", None)
    blend.pop("booster", None)
    blend["ensemble"] = members
    with open(out, "w") as f:
        json.dump(blend, f)
    return out


def check_file(hearth, model, path, data, kind, work):
    """One file made elsewhere (the page): checked against `hearth predict` of its model."""
    header, rows = read_csv(data)
    regression = json.load(open(model))["task"] == "regression"
    predicted = predict(hearth, model, data, work)
    failure = compare(f"{os.path.basename(path)} ({kind})", path, header, rows, predicted, kind, regression)
    if failure:
        print(f"FAIL {failure}")
    sys.exit(1 if failure else 0)


def main():
    if len(sys.argv) == 8 and sys.argv[1] == "--file":
        check_file(*sys.argv[2:])
    hearth, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    failures = []
    checked = 0
    for name, target, flags in DATASETS:
        data = os.path.join(ROOT, "static", name)
        stem = os.path.splitext(name)[0]
        model = os.path.join(work, f"{stem}.hearth")
        run(hearth, "train", data, "--target", target, "--model", "mlp", *flags,
            "--epochs", "40", "--seed", "7", "--device", "cpu", "--out", model)
        predicted = predict(hearth, model, data, work)
        header, rows = read_csv(data)
        for kind in KINDS:
            path = os.path.join(work, f"{stem}_{kind}.onnx")
            run(hearth, "export", model, "--quantize", kind, "--data", data, "--out", path)
            checked += 1
            failure = compare(f"{name} {kind}", path, header, rows, predicted, kind, target == "progression")
            if failure:
                failures.append(failure)
        trees = os.path.join(work, f"{stem}_gbdt.hearth")
        run(hearth, "train", data, "--target", target, "--model", "gbdt", "--epochs", "10",
            "--seed", "7", "--out", trees)
        path = os.path.join(work, f"{stem}_gbdt.onnx")
        run(hearth, "export", trees, "--data", data, "--out", path)
        checked += 1
        failure = compare(f"{name} gbdt", path, header, rows, predict(hearth, trees, data, work),
                          "none", target == "progression")
        if failure:
            failures.append(failure)
        # An ensemble of the two, composed by hand as the model file's format says: float32,
        # and dynamic int8 (its network quantized, its trees float32).
        blend = ensemble_file(model, trees, os.path.join(work, f"{stem}_ensemble.hearth"))
        blend_predicted = predict(hearth, blend, data, work)
        for kind in ("none", "dynamic"):
            path = os.path.join(work, f"{stem}_ensemble_{kind}.onnx")
            run(hearth, "export", blend, "--quantize", kind, "--data", data, "--out", path)
            checked += 1
            failure = compare(f"{name} ensemble {kind}", path, header, rows, blend_predicted,
                              kind, target == "progression")
            if failure:
                failures.append(failure)
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{checked - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
