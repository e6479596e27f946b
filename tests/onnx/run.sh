#!/usr/bin/env bash
# Checks every kind of ONNX export of every bundled dataset with onnx.checker and onnxruntime
# (see check.py). Creates tests/onnx/.venv on first use (PyPI: onnx, onnxruntime, numpy).
# Usage: tests/onnx/run.sh [HEARTH_BINARY]  (default: builds it with cargo)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet onnx onnxruntime numpy
fi
hearth="${1:-}"
if [ -z "$hearth" ]; then
  (cd "$root" && cargo build --quiet --bin hearth)
  hearth="${CARGO_TARGET_DIR:-$root/target}/debug/hearth"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$here/check.py" "$hearth" "$work"
