#!/bin/sh
# Runs a lab prototype script with an optimized BLAS when one is available. Debian's torch links the reference
# BLAS (about 4 GFLOP/s); OpenBLAS unpacked anywhere (no install needed: apt-get download libopenblas0-pthread;
# dpkg -x it DIR) and named by LAB_OPENBLAS is about 6x faster on one thread.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
if [ -n "$LAB_OPENBLAS" ]; then export LD_LIBRARY_PATH="$LAB_OPENBLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
exec /usr/bin/python3 -u "$(dirname "$0")/train.py" "$@"
