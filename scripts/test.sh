#!/usr/bin/env bash
# Install cdc-tutor with its test tools, then run every check: import contracts, lesson lint, tests.
# README.md's test command and .ci/run both call this script.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

lint-imports                       # only cdc_tutor.ui imports Textual (pyproject.toml contracts)
python3 -m cdc_tutor lint lessons  # every bundled lesson is valid
python3 -m pytest "$@"             # exits non-zero when no test ran; tests/conftest.py fails skips in CI
