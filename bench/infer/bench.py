"""Batch prediction: `hearth predict model.onnx` (tract) against onnxruntime on the same files.

A seeded table (ROWS rows: six numbers with missing values, two categories, a binary target) is
written as CSV; Hearth trains three models on it (an MLP 64x64, gradient-boosted trees, a linear
model) and exports them (float32; the MLP also as static int8). Each ONNX file then answers
every row of the CSV:
  * Hearth: `hearth predict model.onnx data.csv --out p.csv`, wall clock of the whole process
    (reading the CSV, the model, writing the predictions) and the model time it prints (from the
    parsed rows to the answers, the rows' conversion to tensors included);
  * onnxruntime 1.32 (CPU, one thread, as tract uses one): the same CSV read with Python's csv
    module into the contract's inputs, `session.run`, and the predictions written as CSV; the
    model time is building the inputs plus `session.run`.
Best of three runs each (wall and model time separately). The ratio is Hearth's rows/s over
onnxruntime's. Prints a Markdown table.

Usage: bench.py HEARTH WORKDIR ROWS
"""
import csv
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

hearth, work, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(0)
data = os.path.join(work, "data.csv")
with open(data, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["a", "b", "c", "d", "e", "f", "colour", "size", "target"])
    colours = ["red", "green", "blue", "amber"]
    sizes = ["S", "M", "L"]
    for _ in range(rows):
        x = rng.normal(size=6)
        colour, size = colours[rng.integers(4)], sizes[rng.integers(3)]
        score = x[0] - 0.5 * x[1] + x[2] * x[3] + (colour == "red") - 0.3 * (size == "L")
        cells = [("" if rng.random() < 0.03 else f"{v:.4f}") for v in x]
        w.writerow(cells + [colour, size, "yes" if score + rng.normal(0, 0.5) > 0 else "no"])


def run(args):
    subprocess.run([hearth, *args], check=True, capture_output=True)


models = {}
for name, flags in [("mlp", ["--model", "mlp", "--hidden", "64,64", "--epochs", "2"]),
                    ("gbdt", ["--model", "gbdt", "--epochs", "5"]),
                    ("linear", ["--model", "linear", "--epochs", "2"])]:
    path = os.path.join(work, f"{name}.hearth")
    run(["train", data, "--target", "target", "--device", "cpu", "--seed", "1", "--out", path, *flags])
    models[f"{name} float32"] = os.path.join(work, f"{name}.onnx")
    run(["export", path, "--out", models[f"{name} float32"]])
    if name == "mlp":
        models["mlp int8 (static)"] = os.path.join(work, "mlp-int8.onnx")
        run(["export", path, "--quantize", "static", "--data", data, "--out", models["mlp int8 (static)"]])


def hearth_predict(path):
    out = os.path.join(work, "p.csv")
    start = time.perf_counter()
    done = subprocess.run([hearth, "predict", path, data, "--out", out], check=True,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    model_ms = float(done.stdout.split("answered in ")[1].split(" ms")[0])
    return wall, model_ms / 1000


def ort_predict(path):
    start = time.perf_counter()
    meta = {p.key: p.value for p in onnx.load(path).metadata_props}
    inputs = json.loads(meta["inputs"])
    classes = json.loads(meta["class_names"])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    with open(data, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        table = list(reader)
    model_start = time.perf_counter()
    feeds = {}
    for spec in inputs:
        column = header.index(spec["name"])
        values = [row[column] for row in table]
        if spec["kind"] == "float":
            feeds[spec["name"]] = np.array([float(v) if v else np.nan for v in values],
                                           dtype=np.float32).reshape(-1, 1)
        else:
            feeds[spec["name"]] = np.array(values, dtype=object).reshape(-1, 1)
    labels, probabilities = session.run(None, feeds)
    model_s = time.perf_counter() - model_start
    with open(os.path.join(work, "o.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["predicted_target", *[f"p_{c}" for c in classes]])
        for label, p in zip(np.ravel(labels), probabilities):
            w.writerow([label, *p.tolist()])
    return time.perf_counter() - start, model_s


print(f"{rows:,} rows × 8 columns; {platform.processor() or platform.machine()}, "
      f"{os.cpu_count()} cores; onnxruntime {ort.__version__}, one thread\n")
print("| model | file | Hearth rows/s (model) | onnxruntime rows/s (model) | ratio | "
      "Hearth rows/s (CSV to CSV) | onnxruntime rows/s (CSV to CSV) | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
results = {}
for name, path in models.items():
    h = [hearth_predict(path) for _ in range(3)]
    o = [ort_predict(path) for _ in range(3)]
    h_wall, h_model = min(t[0] for t in h), min(t[1] for t in h)
    o_wall, o_model = min(t[0] for t in o), min(t[1] for t in o)
    size = os.path.getsize(path) / 1024
    print(f"| {name} | {size:.0f} kB | {rows / h_model:,.0f} | {rows / o_model:,.0f} | "
          f"{o_model / h_model:.2f}× | {rows / h_wall:,.0f} | {rows / o_wall:,.0f} | "
          f"{o_wall / h_wall:.2f}× |")
    results[name] = {"file": path, "kb": size, "ort_model_rps": rows / o_model,
                     "ort_wall_rps": rows / o_wall, "hearth_model_rps": rows / h_model}
# For the page's half (bench/browser-use.mjs): the same files, rows and onnxruntime numbers.
with open(os.path.join(work, "results.json"), "w") as f:
    json.dump({"rows": rows, "data": data, "models": results}, f)
