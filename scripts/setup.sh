#!/usr/bin/env bash
# Create .venv and install the project. Usage: scripts/setup.sh [extras]   (default: ui)
# Needs only Python 3.11 and access to PyPI. Safe to re-run: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS="${1:-ui}"
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
fi
# CPU PyTorch first (only the extras that use sentence-transformers need it); a plain
# 'torch' requirement would otherwise pull several GB of CUDA packages.
case "$EXTRAS" in
  *all*|*st*) .venv/bin/pip install -q "torch==2.13.0" ;;
esac
# llama-cpp-python (test extra: a real OpenAI-compatible server) compiles from source; a
# portable build avoids CPU paths (AMX, AVX-512) that crash in some virtual machines.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
.venv/bin/pip install -q -e ".[$EXTRAS]"
