#!/usr/bin/env bash
# `hearth serve` against the usual DIY deployment, FastAPI + uvicorn + onnxruntime (issue 16):
# the same exported ONNX file (penguins, float32), the same one-row TF-Serving `predict`
# request, the same bounded load generator (examples/load_test.rs: keep-alive clients on
# 127.0.0.1, a fixed request count) at concurrency 1, 16 and 64, one server at a time, each
# given both cores (hearth: --workers 2; uvicorn: --workers 2). Also the resident memory of
# `hearth serve` after each level, to see that it stays flat. Prints a Markdown table.
# Creates bench/serve/.venv (PyPI: fastapi, uvicorn, onnxruntime, onnx, numpy).
# Usage: bench/serve/run.sh [REQUESTS_AT_16_AND_64]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/uvicorn" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet numpy==2.4.6 onnx==1.23.2 onnxruntime==1.32.0 \
    fastapi==0.165.0 uvicorn==0.55.0
fi
requests="${1:-20000}"
target="${CARGO_TARGET_DIR:-$root/target}"
# No wgpu: serving runs on the CPU, and the release build is minutes shorter without it.
(cd "$root" && cargo build --quiet --release --no-default-features --features cpu,onnx \
  --bin hearth --example load_test)
hearth="$target/release/hearth"
load="$target/release/examples/load_test"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$hearth" train "$root/static/penguins.csv" --target species --epochs 30 --seed 1 --device cpu \
  --out "$work/penguins.hearth" > /dev/null
"$hearth" export "$work/penguins.hearth" --out "$work/penguins.onnx" > /dev/null
# One row, as a client sends one prediction.
"$venv/bin/python" - "$root/static/penguins.csv" > "$work/body.json" <<'PY'
import csv, json, sys
row = next(csv.DictReader(open(sys.argv[1])))
del row["species"]
numbers = {"bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"}
print(json.dumps({"instances": [{k: (float(v) if k in numbers else v) for k, v in row.items()}]}))
PY

wait_ready() {
  for _ in $(seq 1 100); do
    if "$load" "$1" "$work/body.json" 1 1 2>/dev/null | grep -q '"failed": 0'; then return 0; fi
    sleep 0.2
  done
  echo "the server at $1 did not answer" >&2; return 1
}

measure() { # NAME URL PID
  local name="$1" url="$2" pid="$3"
  wait_ready "$url"
  "$load" "$url" "$work/body.json" 4 500 > /dev/null # warm-up
  for c in 1 16 64; do
    local n="$requests"
    if [ "$c" = 1 ]; then n=$((requests / 4)); fi
    local result rss
    result="$("$load" "$url" "$work/body.json" "$c" "$n")"
    rss="$(ps -o rss= -p "$pid" | tr -d ' ')"
    echo "$name $c $rss $result" >> "$work/results.txt"
  done
}

"$hearth" serve "$work/penguins.onnx" --name penguins --port 18481 --workers 2 \
  2> /dev/null > /dev/null &
pids+=($!)
measure hearth "http://127.0.0.1:18481/v1/models/penguins:predict" "${pids[-1]}"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

(cd "$here" && MODEL_ONNX="$work/penguins.onnx" exec "$venv/bin/uvicorn" fastapi_server:app \
  --host 127.0.0.1 --port 18482 --workers 2 --log-level warning) &
pids+=($!)
measure fastapi "http://127.0.0.1:18482/v1/models/penguins:predict" "${pids[-1]}"

"$venv/bin/python" - "$work/results.txt" "$requests" <<'PY'
import json, platform, subprocess, sys, datetime
rows = {}
for line in open(sys.argv[1]):
    name, c, rss, result = line.split(" ", 3)
    rows[(name, int(c))] = (int(rss), json.loads(result))
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; {datetime.date.today()}; "
      f"{sys.argv[2]} one-row requests at concurrency 16 and 64 ({int(sys.argv[2]) // 4} at 1), after 500 warm-up requests.\n")
print("| concurrency | hearth serve req/s | p50 ms | p99 ms | FastAPI+onnxruntime req/s | p50 ms | p99 ms | throughput ratio | hearth RSS MB | failed (hearth / FastAPI) |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for c in (1, 16, 64):
    (hr, h), (_, f) = rows[("hearth", c)], rows[("fastapi", c)]
    print(f"| {c} | {h['per_second']:,.0f} | {h['p50_ms']:.2f} | {h['p99_ms']:.2f} | {f['per_second']:,.0f} | "
          f"{f['p50_ms']:.2f} | {f['p99_ms']:.2f} | {h['per_second'] / f['per_second']:.2f}× | {hr / 1024:.1f} | {h['failed']} / {f['failed']} |")
PY
