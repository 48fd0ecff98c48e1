#!/usr/bin/env bash
# Installs what wxens needs on Debian 12: the netCDF/HDF5/ecCodes (GRIB)/c-blosc, zstd and ISA-L crc32c (Zarr)/OpenBLAS C libraries
# and tools, and a Python venv (.venv) used only by tests' xarray round-trip checks (zarr: the Zarr stores tests write),
# the CF checker run on the outputs (compliance-checker; the cf-units wheel it pulls in bundles udunits2, nothing from
# apt) and by golden-value scripts.
# gdb unwinds crashes inside libhdf5/libnetcdf for the mutation run (scripts/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    libnetcdf-dev libhdf5-dev netcdf-bin hdf5-tools libeccodes-dev libeccodes-tools libblosc-dev libzstd-dev libisal-dev libopenblas-dev libdeflate0 zlib1g-dev pkg-config python3-venv gdb >/dev/null
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check numpy netCDF4 xarray zarr numcodecs compliance-checker
