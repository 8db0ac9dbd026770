#!/usr/bin/env bash
# Every pair of the kit's adapters (lookup left out: its own adapter is at chance): the weight analysis
# (`concord analyze`) and the held-out outcome of linear averaging (`concord eval --merge linear`, 100 validation
# items per skill), then one line per pair: worst normalized accuracy, cosine, subspace alignment, TSV
# interference relative to the singular-value mass, and the analyzer's risk. Data of docs/lab.md, "Which pairs merge".
# Usage: scripts/lab/pair-sweep.sh [OUT_DIR]   (default /tmp/concord-pair-sweep; existing results are reused)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-/tmp/concord-pair-sweep}"
mkdir -p "$out"
kit="$root/lab-kit"
skills=(json rot3 unrot3 sort dedup reverse add)
for a in "${skills[@]}"; do
  for b in "${skills[@]}"; do
    [[ "$a" < "$b" ]] || continue
    [[ -f "$out/$a-$b.eval.json" ]] && continue
    "$root/bin/concord" analyze "$kit/adapters/$a" "$kit/adapters/$b" --base "$kit/base" --json "$out/$a-$b.an.json" >/dev/null
    "$root/bin/concord" eval --model "$kit/base" --adapter "$kit/adapters/$a:0.5" --adapter "$kit/adapters/$b:0.5" \
      --merge linear --suite "$kit/suite" --split validation --skills "$a,$b" --limit 100 --quiet \
      --json "$out/$a-$b.eval.json" >/dev/null
    echo "$a + $b done" >&2
  done
done
python3 - "$out" <<'PY'
import glob, json, sys
rows = []
for f in glob.glob(sys.argv[1] + "/*.eval.json"):
    ev = json.load(open(f))
    pair = json.load(open(f.replace(".eval.json", ".an.json")))["pairs"][0]
    rows.append((f.split("/")[-1][:-len(".eval.json")], ev["worst_skill"]["normalized"], pair["cosine"],
                 pair["subspace_alignment"], pair["tsv_interference_relative"] * (1 - abs(pair["cosine"])), pair["risk"]))
print(f"{'pair':16s} {'worst':>6s} {'cosine':>7s} {'align':>6s} {'tsv_rel':>7s} {'risk':>6s}")
for r in sorted(rows, key=lambda r: -r[1]):
    print(f"{r[0]:16s} {r[1]:6.2f} {r[2]:+7.3f} {r[3]:6.3f} {r[4]:7.3f} {r[5]:6.3f}")
PY
