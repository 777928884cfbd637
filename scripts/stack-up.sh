#!/usr/bin/env bash
# Bring the real lab stack up natively (no Docker): install missing system packages (as root),
# then `cdc-tutor lab up --native` (re-runnable). Arguments go to `lab up`, e.g. --json or
# --postgres-port 5433. Stop it with `python3 -m cdc_tutor lab down` (--purge deletes its data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/stack-deps.sh
exec python3 -m cdc_tutor lab up --native "$@"
