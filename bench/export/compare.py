"""Hearth's ONNX export next to skl2onnx + onnxruntime.quantization.quantize_dynamic.

Hearth: `hearth train` (MLP), then `hearth export --data ... --report` for every kind; the
report gives file sizes and test metrics of each variant (computed as the ONNX graph does).
sklearn: the same CSV with an equivalent preprocessing (median imputation + standard scaling,
one-hot with unknown ignored) and MLPClassifier / MLPRegressor of the same hidden sizes, on a
70/15/15 split, converted with skl2onnx and quantized with quantize_dynamic (QInt8 weights,
per tensor, and per channel); metrics from onnxruntime on the test rows.
Metric: accuracy (classification) or R² (regression), in points (×100).
"""

import json
import os
import subprocess
import sys

import numpy as np
import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic
from skl2onnx import to_onnx
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNS = [
    # (dataset, target, hidden, regression)
    ("penguins.csv", "species", "128,64", False),
    ("iris.csv", "species", "128,64", False),
    ("diabetes.csv", "progression", "128,64", True),
    ("penguins.csv", "species", "256,128", False),
    ("iris.csv", "species", "256,128", False),
    ("diabetes.csv", "progression", "256,128", True),
]
KINDS = ["none", "fp16", "dynamic", "static"]


def run(*args):
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(args)}:\n{out.stderr}")
    return out.stdout


def headline(metrics):
    if metrics is None:
        return float("nan")
    return 100 * (metrics["accuracy"] if metrics["type"] == "classification" else metrics["r2"])


def hearth_rows(hearth, work, name, target, hidden):
    data = os.path.join(ROOT, "static", name)
    stem = f"{os.path.splitext(name)[0]}_{hidden.replace(',', 'x')}"
    model = os.path.join(work, f"{stem}.hearth")
    run(hearth, "train", data, "--target", target, "--hidden", hidden, "--epochs", "60",
        "--seed", "1", "--device", "cpu", "--out", model)
    report_path = os.path.join(work, f"{stem}.json")
    run(hearth, "export", model, "--data", data, "--quantize", "dynamic",
        "--out", os.path.join(work, f"{stem}.onnx"), "--report", report_path)
    report = json.load(open(report_path))
    return report


def sklearn_rows(work, name, target, hidden, regression):
    import csv
    with open(os.path.join(ROOT, "static", name), newline="") as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0] if c != target]
    numeric, text = [], []
    for c in columns:
        try:
            [float(r[c]) for r in rows if r[c] not in ("", "NA")]
            numeric.append(c)
        except ValueError:
            text.append(c)
    X = {c: np.array([float(r[c]) if r[c] not in ("", "NA") else np.nan for r in rows],
                     dtype=np.float32).reshape(-1, 1) for c in numeric}
    X.update({c: np.array([r[c] if r[c] != "NA" else "" for r in rows], dtype=object).reshape(-1, 1)
              for c in text})
    y = np.array([float(r[target]) if regression else r[target] for r in rows])
    import pandas as pd  # skl2onnx needs a DataFrame for mixed columns
    frame = pd.DataFrame({c: X[c][:, 0] for c in columns})
    train_x, rest_x, train_y, rest_y = train_test_split(frame, y, test_size=0.3, random_state=42)
    _, test_x, _, test_y = train_test_split(rest_x, rest_y, test_size=0.5, random_state=42)
    prep = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), text),
    ])
    sizes = tuple(int(h) for h in hidden.split(","))
    net = (MLPRegressor if regression else MLPClassifier)(hidden_layer_sizes=sizes, max_iter=500,
                                                          random_state=1)
    model = Pipeline([("prep", prep), ("mlp", net)]).fit(train_x, train_y)
    onx = to_onnx(model, train_x[:1], target_opset={"": 13, "ai.onnx.ml": 1},
                  options={id(net): {"zipmap": False}} if not regression else None)
    path = os.path.join(work, "sk.onnx")
    open(path, "wb").write(onx.SerializeToString())
    out = {}
    feeds = {c: (test_x[c].to_numpy().astype(np.float32) if c in numeric
                 else test_x[c].to_numpy().astype(object)).reshape(-1, 1) for c in columns}
    for kind, per_channel in [("fp32", None), ("dynamic", False), ("dynamic-per-channel", True)]:
        file = path
        if per_channel is not None:
            file = os.path.join(work, f"sk_{kind}.onnx")
            quantize_dynamic(path, file, weight_type=QuantType.QInt8, per_channel=per_channel)
        session = ort.InferenceSession(file, providers=["CPUExecutionProvider"])
        predicted = session.run(None, feeds)[0]
        metric = (r2_score(test_y, predicted.reshape(-1)) if regression
                  else accuracy_score(test_y, predicted.reshape(-1)))
        out[kind] = (os.path.getsize(file), 100 * metric)
    return out, sum(c.size for c in net.coefs_) + sum(b.size for b in net.intercepts_)


def main():
    hearth, work = sys.argv[1], sys.argv[2]
    print("| dataset | MLP | params | tool | variant | bytes | ratio | test metric | Δ points |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, target, hidden, regression in RUNS:
        report = hearth_rows(hearth, work, name, target, hidden)
        reference = None
        for v in report["variants"]:
            metric = headline(v["test_metrics"])
            if v["quantization"]["kind"] == "none":
                reference = metric
            kind = v["quantization"]["kind"]
            print(f"| {name} | {hidden} | {report['parameters']} | hearth | {kind} | "
                  f"{v['onnx_bytes']} | {v['size_ratio']:.3f} | {metric:.2f} | {metric - reference:+.2f} |")
        sk, params = sklearn_rows(work, name, target, hidden, regression)
        fp32_bytes, fp32_metric = sk["fp32"]
        for kind, (size, metric) in sk.items():
            print(f"| {name} | {hidden} | {params} | skl2onnx+ort | {kind} | {size} | "
                  f"{size / fp32_bytes:.3f} | {metric:.2f} | {metric - fp32_metric:+.2f} |")


if __name__ == "__main__":
    main()
