#!/bin/sh
# The whole lab recipe on one thread: base, one adapter per skill (per-skill budgets), merge table.
#   LAB_OPENBLAS=... scripts/lab/pipeline.sh OUTDIR
# Recipe knobs are read from the environment by skills.py (LAB_LOOKUP_*, LAB_ADD_DIGITS, LAB_MIXTURE).
set -e
out="$1"
here="$(dirname "$0")"
mkdir -p "$out"
"$here/run.sh" train.py base --tokens "${BASE_TOKENS:-3e6}" --lr "${BASE_LR:-3e-3}" --out "$out/base.pt" > "$out/base.log" 2>&1
for spec in ${LORA_BUDGETS:-add=4e5 json=1.5e5 rot3=1.5e5 unrot3=1.5e5 sort=1.5e5 reverse=1.5e5 dedup=3e5 lookup=3e5}; do
  skill="${spec%%=*}"
  "$here/run.sh" train.py lora --base "$out/base.pt" --skill "$skill" --tokens "${spec#*=}" --out "$out/$skill.pt" \
    > "$out/lora-$skill.log" 2>&1
done
"$here/run.sh" merges.py --base "$out/base.pt" --adapters "$out" \
  --sets rot3+unrot3 json+sort+reverse sort+dedup add+lookup json+rot3+sort+reverse+unrot3 > "$out/merges.log" 2>&1
