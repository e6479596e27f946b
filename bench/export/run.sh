#!/usr/bin/env bash
# Export benchmark: int8/fp32 file size for an MLP of >= 10k parameters, the test-metric drop of
# every export kind on the bundled datasets, and skl2onnx + onnxruntime quantize_dynamic on the
# same data beside it. Creates bench/export/.venv (PyPI: numpy, pandas, scikit-learn, skl2onnx, onnx,
# onnxruntime). Prints a Markdown section for BENCHMARKS.md.
# Usage: bench/export/run.sh [HEARTH_BINARY]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet numpy pandas scikit-learn skl2onnx onnx onnxruntime
fi
hearth="${1:-}"
if [ -z "$hearth" ]; then
  (cd "$root" && cargo build --quiet --release --bin hearth)
  hearth="${CARGO_TARGET_DIR:-$root/target}/release/hearth"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$here/compare.py" "$hearth" "$work"
