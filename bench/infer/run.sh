#!/usr/bin/env bash
# Batch prediction benchmark (issue 13): `hearth predict model.onnx` (tract, pure Rust) against
# onnxruntime (Python) on the same ONNX files and the same rows, side by side in one run.
# Creates bench/infer/.venv (PyPI: numpy, onnx, onnxruntime). Prints a Markdown section for
# BENCHMARKS.md.
# With a built page (DIST, from `trunk build --release`), the same files then answer the same
# rows in the page's Use step (tract in the worker, in Debian's Chromium): bench/browser-use.mjs.
# Usage: bench/infer/run.sh [HEARTH_BINARY] [ROWS] [DIST]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet numpy==2.4.6 onnx==1.23.2 onnxruntime==1.32.0
fi
hearth="${1:-}"
if [ -z "$hearth" ]; then
  (cd "$root" && cargo build --quiet --release --bin hearth)
  hearth="${CARGO_TARGET_DIR:-$root/target}/release/hearth"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$here/bench.py" "$hearth" "$work" "${2:-100000}"
if [ -n "${3:-}" ]; then
  node "$root/bench/browser-use.mjs" "$3" "$work/results.json"
fi
