#!/usr/bin/env bash
# Install cdc-tutor with its test tools, then run every check: static checks, import contracts,
# lesson lint, tests. README.md's test command and .ci/run both call this script.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

python3 -m ruff check cdc_tutor tests bench scripts            # lint
python3 -m ruff format --check cdc_tutor tests bench scripts   # one format
# Strict types where the logic lives that the TUI and verify share (pyproject.toml [tool.mypy]).
python3 -m mypy cdc_tutor/practice cdc_tutor/lab cdc_tutor/course
lint-imports                       # layer contracts (pyproject.toml): only cdc_tutor.ui imports Textual...
python3 -m cdc_tutor lint lessons  # every bundled lesson is valid
python3 -m pytest "$@"             # exits non-zero when no test ran; tests/conftest.py fails skips in CI
