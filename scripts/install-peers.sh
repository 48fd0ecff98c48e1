#!/usr/bin/env bash
# Installs the benchmark peers and golden-value tools into .venv-peers (never needed by wxens itself, nor by CI):
# PyTorch (PyPI's wheel; CUDA build, runs on the CPU, ~5.4 GB), onnxruntime, safetensors, properscoring,
# scoringrules with numba (its fast backend), numpy, pandas, netCDF4, xarray, zarr (+ numcodecs),
# cfgrib with PyPI's eccodes (which brings its own ecCodes library, eccodeslib). Every wxens-bench finds
# .venv-peers/bin/python by default ($WXENS_PYTHON or --python override it); scripts/golden/* take it through WXENS_PYTHON:
#   bash scripts/install-peers.sh && export WXENS_PYTHON=$PWD/.venv-peers/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-peers/bin/python ]; then
    python3 -m venv .venv-peers
fi
.venv-peers/bin/pip install -q --disable-pip-version-check \
    numpy pandas netCDF4 xarray zarr numcodecs cfgrib eccodes torch onnx onnxruntime safetensors properscoring scoringrules numba matplotlib
.venv-peers/bin/python -c "import torch, onnxruntime, safetensors; print('peers: torch', torch.__version__, 'onnxruntime', onnxruntime.__version__)"
.venv-peers/bin/python -c "import numba, scoringrules, xarray; print('peers: scoringrules', scoringrules.__version__ if hasattr(scoringrules, '__version__') else '?', 'numba', numba.__version__, 'xarray', xarray.__version__)"
