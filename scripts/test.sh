#!/usr/bin/env bash
# Install everything (incl. test tools) into .venv and run lint, the test suite and the eval gate.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh "all,dev"
scripts/install_browser.sh
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
# policies/ (and the shared set) are ingested once and the stores kept here: the tests, the
# UI tests and the eval gate each get a copy, confirmed current by an incremental ingest
# (eval/corpus.py). Delete the folder to start cold.
export PA_STORE_CACHE="${PA_STORE_CACHE:-$PWD/.cache/stores}"
ruff check .
ruff format --check .
lint-imports  # the layer and no-cycle contracts in pyproject.toml
pytest -q "$@"
# The evaluation gate: golden questions through the same code path as the API (eval/README.md).
python -m eval --check
