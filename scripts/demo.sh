#!/usr/bin/env bash
# The main job: install ballotproof and run the 2020 demonstration.
# Writes ballotproof-demo/report.html (open it in any browser), results.json and
# election.nist.json, and prints the headline.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ballotproof demo --out "${1:-ballotproof-demo}"
