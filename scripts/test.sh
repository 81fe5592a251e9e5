#!/usr/bin/env bash
# The one gate, for developers and CI alike: format, lint, types, docs, and every test
# (the slow tier and the browser test included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev

# The browser test drives Debian's chromium through Playwright.
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "installing chromium (Debian package) for the browser test" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

PATHS="src tests"
[ -d benchmarks ] && PATHS="$PATHS benchmarks"
echo "== ruff format --check" >&2
.venv/bin/ruff format --check $PATHS
echo "== ruff check" >&2
.venv/bin/ruff check $PATHS
echo "== mypy --strict" >&2
.venv/bin/mypy
echo "== pytest (all tiers)" >&2
.venv/bin/pytest -m "slow or not slow" -q "$@"
