#!/usr/bin/env python3
"""Reference merges for Concord's mergekit-style and non-PEFT methods, computed independently with numpy.

Concord's own PEFT fixtures (concord-merge/src/test/resources/peft-merge) cover PEFT's linear / ties /
magnitude_prune. This script covers what PEFT does not have: mergekit's TIES variant (election on weighted task
vectors, divide by the agreeing weights or not at all), the whole-model trim scope of the TIES paper, DARE with
mergekit's L1 rescale, DAREx-q, Model Breadcrumbs (per row and per tensor), DELLA, task arithmetic with lambda.

It reads the PEFT fixture adapters, forms each task vector tau = s * B @ A in float64 (s from r, lora_alpha,
use_rslora and the patterns, PEFT's rule), runs the merge written out below with numpy, and writes
  concord-merge/src/test/resources/merge-reference/cases.jsonl
  concord-merge/src/test/resources/merge-reference/expected/<id>.safetensors  (F32, a few modules, <module>.weight)

Random masks follow the stream Concord documents (docs/merge-methods.md, "Random masks"): SplitMix64's mixer over
(seed, purpose, FNV-1a of the module name, adapter index, element index); keep an entry when the uniform draw is
below its keep probability. Ties of magnitude are broken by the lower flat index first (a stable sort).

Usage: python3 scripts/merge-reference/make_merge_fixtures.py   (from the repository root; needs numpy only)
"""
import json
import os
import re
import struct

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RES = os.path.join(ROOT, "concord-merge", "src", "test", "resources")
ADAPTERS = os.path.join(RES, "peft-merge", "adapters")
OUT = os.path.join(RES, "merge-reference")
STORED = ["model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.o_proj",
          "model.layers.1.self_attn.k_proj", "model.layers.1.mlp.down_proj"]

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
STREAM_DARE = 0xDA7E
STREAM_DELLA = 0xDE11A


# ---------------------------------------------------------------- safetensors and PEFT adapters

def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        raw = data[a:b]
        if e["dtype"] == "F32":
            v = np.frombuffer(raw, dtype="<f4").astype(np.float64)
        elif e["dtype"] == "BF16":
            v = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        elif e["dtype"] == "F16":
            v = np.frombuffer(raw, dtype="<f2").astype(np.float64)
        else:
            raise ValueError(e["dtype"])
        out[name] = v.reshape(e["shape"])
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        b = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def pattern_value(patterns, module, default):
    for key, value in patterns.items():  # first key in file order whose regex matches as a suffix
        if re.match(r"(.*\.)?(" + key + r")$", module):
            return value
    return default


def factors(name):
    """(A, B, s) per module, as PEFT's add_weighted_adapter sees them."""
    d = os.path.join(ADAPTERS, name)
    cfg = json.load(open(os.path.join(d, "adapter_config.json")))
    w = read_safetensors(os.path.join(d, "adapter_model.safetensors"))
    out = {}
    for key in w:
        if key.endswith(".lora_A.weight"):
            module = key[len("base_model.model."):-len(".lora_A.weight")]
            r = pattern_value(cfg.get("rank_pattern") or {}, module, cfg["r"])
            alpha = pattern_value(cfg.get("alpha_pattern") or {}, module, cfg["lora_alpha"])
            s = alpha / (np.sqrt(r) if cfg.get("use_rslora") else r)
            out[module] = (w[key], w[key.replace("lora_A", "lora_B")], s)
    return out


def task_vectors(name):
    d = os.path.join(ADAPTERS, name)
    cfg = json.load(open(os.path.join(d, "adapter_config.json")))
    w = read_safetensors(os.path.join(d, "adapter_model.safetensors"))
    taus = {}
    for key in w:
        if not key.endswith(".lora_A.weight"):
            continue
        module = key[len("base_model.model."):-len(".lora_A.weight")]
        a = w[key]
        b = w[key.replace("lora_A", "lora_B")]
        r = pattern_value(cfg.get("rank_pattern") or {}, module, cfg["r"])
        alpha = pattern_value(cfg.get("alpha_pattern") or {}, module, cfg["lora_alpha"])
        s = alpha / (np.sqrt(r) if cfg.get("use_rslora") else r)
        taus[module] = s * (b @ a)
    return taus


# ---------------------------------------------------------------- the random stream Concord documents

def mix(z):
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def fnv1a(s):
    h = 0xCBF29CE484222325
    for byte in s.encode("utf-8"):
        h ^= byte
        h = (h * 0x100000001B3) & M64
    return h


def uniforms(seed, stream, module, task, n):
    k = int(mix(np.uint64((seed ^ int(mix(np.uint64((stream + GOLDEN) & M64)))) & M64)))
    k = int(mix(np.uint64(k ^ fnv1a(module))))
    k = int(mix(np.uint64((k + (task + 1) * GOLDEN) & M64)))
    idx = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = mix(np.uint64(k) + (idx + np.uint64(1)) * np.uint64(GOLDEN))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


# ---------------------------------------------------------------- element-wise operations

def keep_top(absflat, k):
    """Mask of the k largest magnitudes, ties to the lower index (stable sort of the negated magnitudes)."""
    mask = np.zeros(absflat.shape, dtype=bool)
    if k > 0:
        mask[np.argsort(-absflat, kind="stable")[:k]] = True
    return mask


def trim(x, density):
    if density >= 1:
        return x.copy()
    flat = x.ravel()
    return (flat * keep_top(np.abs(flat), int(density * flat.size))).reshape(x.shape)


def l1_factor(before, after):
    return 1.0 if before < 1e-7 or after < 1e-7 else before / after


def dare(x, density, rescale, seed, module, task, q=None):
    flat = x.ravel()
    keep = uniforms(seed, STREAM_DARE, module, task, flat.size) < density
    kept = flat * keep
    if q is not None:
        kept = kept / q
    elif rescale == "inverse":
        kept = kept / density
    elif rescale == "l1":
        kept = kept * l1_factor(np.abs(flat).sum(), np.abs(kept).sum())
    return kept.reshape(x.shape)


def breadcrumbs_group(flat, density, gamma):
    n = flat.size
    target, top = int(density * n), int(gamma * n)
    bottom = n - target - top
    if bottom < 0:
        top += bottom
    top = max(top, 0)
    kept = min(n - top, target)
    order = np.argsort(-np.abs(flat), kind="stable")
    mask = np.zeros(n, dtype=bool)
    mask[order[top:top + kept]] = True
    return flat * mask


def breadcrumbs(x, density, gamma, scope):
    if scope == "tensor":
        return breadcrumbs_group(x.ravel(), density, gamma).reshape(x.shape)
    return np.stack([breadcrumbs_group(row, density, gamma) for row in x])


def della(x, density, eps, scope, rescale, seed, module, task):
    rows, cols = x.shape
    u = uniforms(seed, STREAM_DELLA, module, task, x.size).reshape(x.shape)
    a = np.abs(x)
    groups = [a.ravel()] if scope == "tensor" else list(a)
    ranks = []
    for g in groups:
        s = np.sort(g)
        n = g.size
        rn = np.searchsorted(s, g, side="left") / (n - 1) if n > 1 else np.full(n, 0.5)
        ranks.append(rn)
    rn = ranks[0].reshape(x.shape) if scope == "tensor" else np.stack(ranks)
    p = density - eps + rn * 2 * eps
    keep = u < p
    if rescale == "inverse":
        return np.where(keep, x / p, 0.0)
    masked = np.where(keep, x, 0.0)
    if rescale == "l1":
        return masked * l1_factor(a.sum(), np.abs(masked).sum())
    return masked


def consensus(stack, weights, majority, weighted, disjoint):
    w = weights.reshape((-1,) + (1,) * (stack.ndim - 1))
    e = stack * w if weighted else stack
    ballot = e.sum(0) if majority == "total" else np.sign(e).sum(0)
    elected = np.where(ballot >= 0, 1.0, -1.0)
    agree = np.sign(e) == elected
    total = (stack * w * agree).sum(0)
    if disjoint == "count":
        return total / np.maximum(agree.sum(0), 1)
    if disjoint == "weight":
        d = (w * agree).sum(0)
        return total / np.where(d == 0, 1.0, d)
    return total


# ---------------------------------------------------------------- the cases

CASES = [
    dict(id="ties_weighted_weight", method="ties", adapters=["r8_f32:1", "r16_pattern:-0.6", "r6_qv:1.3"],
         params=dict(density=0.4, sign_election="weighted", disjoint="weight")),
    dict(id="ties_frequency_weighted_sum_lambda", method="ties", adapters=["r4_rslora:0.7", "r8_bf16:1.1", "r8_f32:0.5"],
         params=dict(density=0.3, majority_sign="frequency", sign_election="weighted", disjoint="sum", **{"lambda": 0.8})),
    dict(id="ties_model_scope", method="ties", adapters=["r8_f32:1", "r16_pattern:0.9", "r6_qv:1"],
         params=dict(density=0.25, trim_scope="model")),
    dict(id="magnitude_prune_model_scope", method="magnitude_prune", adapters=["r8_f32:1", "r4_rslora:-1"],
         params=dict(density=0.3, trim_scope="model")),
    dict(id="dare_linear_l1", method="dare_linear", adapters=["r8_f32:1", "r8_bf16:0.5"], seed=5,
         params=dict(density=0.3, dare_rescale="l1")),
    dict(id="dare_ties_mergekit", method="dare_ties", adapters=["r16_pattern:1", "r6_qv:0.8", "r4_rslora:1.2"], seed=11,
         params=dict(density=0.5, dare_rescale="l1", sign_election="weighted", disjoint="sum")),
    dict(id="dare_ties_inverse", method="dare_ties", adapters=["r8_f32:1", "r8_bf16:-0.7"], seed=1,
         params=dict(density=0.2)),
    dict(id="darex_q", method="darex", adapters=["r8_f32:1", "r4_rslora:-0.5"], seed=3,
         params=dict(density=0.4, q=0.6)),
    dict(id="darex_ties_q", method="darex_ties", adapters=["r8_f32:1", "r6_qv:0.9", "r8_bf16:1"], seed=4,
         params=dict(density=0.3, q=0.5)),
    dict(id="breadcrumbs_row", method="breadcrumbs", adapters=["r8_f32:1", "r16_pattern:0.7"],
         params=dict(density=0.3, gamma=0.05)),
    dict(id="breadcrumbs_ties_tensor", method="breadcrumbs_ties", adapters=["r8_f32:1", "r8_bf16:1", "r6_qv:1"],
         params=dict(density=0.2, gamma=0.02, scope="tensor")),
    dict(id="breadcrumbs_gamma_rounds_to_zero", method="breadcrumbs", adapters=["r8_f32:1", "r4_rslora:1"],
         params=dict(density=0.3, gamma=0.001)),
    dict(id="della_ties", method="della", adapters=["r8_f32:1", "r16_pattern:0.6", "r6_qv:1"], seed=2,
         params=dict(density=0.4, epsilon=0.15)),
    dict(id="della_linear_l1_tensor", method="della_linear", adapters=["r4_rslora:1", "r8_bf16:1"], seed=9,
         params=dict(density=0.5, epsilon=0.2, scope="tensor", dare_rescale="l1", **{"lambda": 1.5})),
    dict(id="peft_linear_factorwise", method="peft_linear", adapters=["r8_f32:1", "r8_bf16:-0.5"], params={}),
    dict(id="peft_ties_factorwise", method="peft_ties", adapters=["r8_f32:0.8", "r8_bf16:1.2"],
         params=dict(density=0.5, majority_sign="frequency")),
    dict(id="task_arithmetic_lambda", method="task_arithmetic", adapters=["r8_f32:1", "r6_qv:2"],
         params={"lambda": 0.4}),
]

DEFAULT_DENSITY = {"ties": 0.2, "magnitude_prune": 0.2, "breadcrumbs": 0.2, "breadcrumbs_ties": 0.2, "della": 0.2,
                   "della_linear": 0.2, "dare_linear": 0.1, "dare_ties": 0.1, "darex": 0.1, "darex_ties": 0.1}


def peft_factorwise(case, names, weights, p):
    """PEFT's add_weighted_adapter: merge the A stack and the B stack separately, then B' @ A'."""
    fs = [factors(n) for n in names]
    out = {}
    for m in sorted(fs[0]):
        ws = np.array([w * f[m][2] for w, f in zip(weights, fs)])
        wa = np.sign(ws) * np.sqrt(np.abs(ws))
        wa[ws == 0] = 0.0
        wb = np.sqrt(np.abs(ws))
        A = np.stack([f[m][0] for f in fs])
        B = np.stack([f[m][1] for f in fs])
        if case["method"] == "peft_linear":
            a = (A * wa[:, None, None]).sum(0)
            b = (B * wb[:, None, None]).sum(0)
        else:
            d = p.get("density", 0.2)
            a = consensus(np.stack([trim(x, d) for x in A]), wa, p.get("majority_sign", "total"), False, "count")
            b = consensus(np.stack([trim(x, d) for x in B]), wb, p.get("majority_sign", "total"), False, "count")
        out[m + ".weight"] = b @ a
    return {k: v for k, v in out.items() if k[:-len(".weight")] in STORED}


def merge(case):
    names = [a.split(":")[0] for a in case["adapters"]]
    weights = np.array([float(a.split(":")[1]) for a in case["adapters"]])
    p = dict(case["params"])
    method, seed = case["method"], case.get("seed", 0)
    if method.startswith("peft_"):
        return peft_factorwise(case, names, weights, p)
    density = p.get("density", DEFAULT_DENSITY.get(method, 1.0))
    lam = p.get("lambda", 1.0)
    taus = [task_vectors(n) for n in names]
    modules = sorted(set().union(*[t.keys() for t in taus]))
    shape = {m: next(t[m].shape for t in taus if m in t) for m in modules}

    model_masks = None
    if p.get("trim_scope") == "model":
        model_masks = []
        for t in taus:  # each adapter's own modules, in name order, flattened row-major
            present = [m for m in modules if m in t]
            flat = np.concatenate([t[m].ravel() for m in present])
            mask = keep_top(np.abs(flat), int(density * flat.size))
            masks, at = {}, 0
            for m in present:
                masks[m] = mask[at:at + t[m].size].reshape(t[m].shape)
                at += t[m].size
            model_masks.append(masks)

    out = {}
    for m in modules:
        stack, ws = [], []
        for i, t in enumerate(taus):
            if m not in t:
                continue  # an absent adapter is a zero tensor: it never votes and adds nothing
            x = t[m]
            if method in ("ties", "magnitude_prune"):
                y = x * model_masks[i][m] if model_masks else trim(x, density)
            elif method in ("dare_linear", "dare_ties"):
                y = dare(x, density, p.get("dare_rescale", "inverse"), seed, m, i)
            elif method in ("darex", "darex_ties"):
                y = dare(x, density, None, seed, m, i, q=p["q"])
            elif method in ("breadcrumbs", "breadcrumbs_ties"):
                y = breadcrumbs(x, density, p.get("gamma", 0.01), p.get("scope", "row"))
            elif method in ("della", "della_linear"):
                y = della(x, density, p.get("epsilon", 0.1), p.get("scope", "row"), p.get("dare_rescale", "inverse"),
                          seed, m, i)
            elif method == "task_arithmetic":
                y = x
            else:
                raise ValueError(method)
            stack.append(y)
            ws.append(weights[i])
        stack, ws = np.stack(stack), np.array(ws)
        if method in ("ties", "dare_ties", "darex_ties", "breadcrumbs_ties", "della"):
            merged = consensus(stack, ws, p.get("majority_sign", "total"), p.get("sign_election") == "weighted",
                               p.get("disjoint", "count"))
        else:
            merged = (stack * ws.reshape((-1, 1, 1))).sum(0)
        out[m + ".weight"] = lam * merged
    return {k: v for k, v in out.items() if k[:-len(".weight")] in STORED}


def main():
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    with open(os.path.join(OUT, "cases.jsonl"), "w") as f:
        for case in CASES:
            write_safetensors(os.path.join(OUT, "expected", case["id"] + ".safetensors"), merge(case))
            row = dict(case, seed=case.get("seed", 0), expected="expected/" + case["id"] + ".safetensors")
            f.write(json.dumps(row) + "\n")
    print("wrote", len(CASES), "cases to", OUT)


if __name__ == "__main__":
    main()
