#!/bin/sh
# Runs a lab prototype script (train.py or merges.py) on one thread with an optimized BLAS when one is given.
# Debian's python3-torch links the reference BLAS (about 4 GFLOP/s on one core); OpenBLAS is about 6x faster and
# needs no installation: apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb DIR, then
# LAB_OPENBLAS=DIR/usr/lib/x86_64-linux-gnu/openblas-pthread scripts/lab/run.sh train.py ...
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
if [ -n "$LAB_OPENBLAS" ]; then export LD_LIBRARY_PATH="$LAB_OPENBLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
script="$1"
shift
exec /usr/bin/python3 -u "$(dirname "$0")/$script" "$@"
