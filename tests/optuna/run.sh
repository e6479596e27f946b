#!/usr/bin/env bash
# The Optuna bridge (python/hearth_optuna) against real Optuna storages: two worker processes on
# one journal file, then on a local PostgreSQL when Debian's package is installed, the page's
# study as a seed, the best trial back as a .hearth model, and optuna-dashboard's API.
# Creates tests/optuna/.venv on first use (PyPI: optuna, optuna-dashboard, psycopg).
# Usage: tests/optuna/run.sh [HEARTH_BINARY]  (default: builds it with cargo)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import hearth_optuna, optuna_dashboard, psycopg' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet "optuna>=4" optuna-dashboard "psycopg[binary]"
  "$venv/bin/pip" install --quiet --no-deps -e "$root/python/hearth_optuna"
fi
hearth="${1:-}"
if [ -z "$hearth" ]; then
  (cd "$root" && cargo build --quiet --bin hearth)
  hearth="${CARGO_TARGET_DIR:-$root/target}/debug/hearth"
fi
cd "$root"
"$venv/bin/python" "$here/test_bridge.py" "$hearth"
