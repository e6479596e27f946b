#!/usr/bin/env bash
# Search benchmarks (BENCHMARKS.md, "Hyperparameter search"): samplers against Optuna's
# TPESampler on test functions, and ASHA against no pruning on the bundled datasets.
# Creates bench/search/.venv (gitignored) with Optuna from PyPI.
# Usage: bench/search/run.sh [TRIALS=50] [SEEDS=10]
set -euo pipefail
cd "$(dirname "$0")/../.."
trials=${1:-50}
seeds=${2:-10}
if [ ! -x bench/search/.venv/bin/python ]; then
  python3 -m venv bench/search/.venv
  bench/search/.venv/bin/pip install --quiet optuna
fi
date
nproc
echo "== Hearth samplers"
cargo run --quiet --release --no-default-features --example search_bench -- "$trials" "$seeds"
echo "== Optuna samplers"
bench/search/.venv/bin/python bench/search/optuna_bench.py "$trials" "$seeds"
echo "== ASHA vs no pruning (hearth search, random sampler, 20 trials, up to 60 epochs, 3 seeds)"
cargo build --quiet --bin hearth
python3 bench/search/asha.py "${CARGO_TARGET_DIR:-target}/debug/hearth" 20 60 3
