"""Merge experiments on the lab prototype: how naive merges of skill adapters behave on held-out data.

    LAB_OPENBLAS=... scripts/lab/run_merges.sh --base /tmp/lab/base.pt --adapters /tmp/lab --sets rot3+unrot3 json+add+lookup

Methods (all dense deltas added to the frozen base, evaluated with greedy decoding on each skill's test split):
  single       each skill's own adapter (the normalizer)
  sum          exact linear composition, weights 1 (what applying several adapters at once does)
  average      exact linear merge, weights 1/n ("plain averaging" of task vectors)
  peft_avg     PEFT's factor-wise linear with weights 1/n: A' = sum sqrt(w s) A_i, B' = sum sqrt(w s) B_i, delta B'A'
  peft_sum     the same with weights 1
"""

import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import load_base, exact_match  # noqa: E402
from skills import Suite  # noqa: E402

torch.set_num_threads(1)


def load_adapter(path):
    return torch.load(path)["lora"]


def exact_deltas(adapters, weights):
    out = {}
    for name in adapters[0]:
        out[name] = sum(w * s * (B @ A) for w, (A, B, s) in zip(weights, (a[name] for a in adapters)))
    return out


def peft_deltas(adapters, weights):
    out = {}
    for name in adapters[0]:
        a_sum, b_sum = 0, 0
        for w, ad in zip(weights, adapters):
            A, B, s = ad[name]
            f = math.sqrt(abs(w * s))
            a_sum = a_sum + math.copysign(f, w * s) * A
            b_sum = b_sum + f * B
        out[name] = b_sum @ a_sum
    return out


def flat_delta(adapter):
    return torch.cat([(s * (B @ A)).flatten() for (A, B, s) in adapter.values()])


def cosines(skills, adapters):
    flats = [flat_delta(a) for a in adapters]
    out = {}
    for i in range(len(skills)):
        for j in range(i + 1, len(skills)):
            c = torch.dot(flats[i], flats[j]) / (flats[i].norm() * flats[j].norm())
            out[skills[i] + "~" + skills[j]] = round(c.item(), 3)
    return out, {s: round(f.norm().item(), 3) for s, f in zip(skills, flats)}


def evaluate_set(model, suite, skills, deltas, limit):
    model.set_deltas(deltas)
    res = {s: exact_match(model, suite.items(s, "test")[:limit])[0] for s in skills}
    model.set_deltas(None)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--adapters", required=True, help="directory holding <skill>.pt")
    ap.add_argument("--sets", nargs="+", required=True, help="skill sets like rot3+unrot3")
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--suite-seed", type=int, default=1234)
    a = ap.parse_args()
    model, _ = load_base(a.base)
    suite = Suite(seed=a.suite_seed)
    results = {}
    single = {}
    for group in a.sets:
        skills = group.split("+")
        ads = [load_adapter(os.path.join(a.adapters, s + ".pt")) for s in skills]
        for s, ad in zip(skills, ads):
            if s not in single:
                single[s] = evaluate_set(model, suite, [s], exact_deltas([ad], [1.0]), a.limit)[s]
        base = evaluate_set(model, suite, skills, None, a.limit)
        n = len(skills)
        row = {"base": base}
        row["sum"] = evaluate_set(model, suite, skills, exact_deltas(ads, [1.0] * n), a.limit)
        row["average"] = evaluate_set(model, suite, skills, exact_deltas(ads, [1.0 / n] * n), a.limit)
        row["peft_avg"] = evaluate_set(model, suite, skills, peft_deltas(ads, [1.0 / n] * n), a.limit)
        row["peft_sum"] = evaluate_set(model, suite, skills, peft_deltas(ads, [1.0] * n), a.limit)
        results[group] = row
        cos, norms = cosines(skills, ads)
        row["cosine"] = cos
        row["norm"] = norms
        print(f"== {group}  (single: " + ", ".join(f"{s} {single[s]:.2f}" for s in skills) + ")")
        print(f"  delta norms {norms}  cosines {cos}")
        for method, em in row.items():
            if method in ("cosine", "norm"):
                continue
            norm = [em[s] / single[s] if single[s] > 0 else 0 for s in skills]
            print(f"  {method:9s} " + "  ".join(f"{s} {em[s]:.2f}" for s in skills)
                  + f"   mean normalized {sum(norm) / n:.2f}  worst {min(norm):.2f}", flush=True)
    print(json.dumps({"single": single, "sets": results}))


if __name__ == "__main__":
    main()
