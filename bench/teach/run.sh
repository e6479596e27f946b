#!/usr/bin/env bash
# The Teach step against TensorFlow Playground (issue 14): builds the Playground from a checkout
# of its own repository (github.com/tensorflow/playground; its package.json's dependencies come
# from the npm registry) and runs bench/teach/browser.mjs on both in one headless Chromium.
# Writes bench/out/teach/results.json.
# Usage: bench/teach/run.sh PLAYGROUND_CHECKOUT   (Hearth's dist/ must be built: trunk build --release)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
checkout="${1:?usage: bench/teach/run.sh PLAYGROUND_CHECKOUT (a clone of github.com/tensorflow/playground)}"
out="$root/bench/out/teach"
mkdir -p "$out"
rm -rf "$out/playground"
cp -r "$checkout" "$out/playground"
rm -rf "$out/playground/.git"
(cd "$out/playground" && npm ci --no-audit --no-fund --silent && mkdir -p dist && npm run --silent build)
(cd "$root/tests/e2e" && npm ci --no-audit --no-fund --silent)
node "$here/browser.mjs" "$root/dist" "$out/playground/dist" | tee "$out/results.json"
