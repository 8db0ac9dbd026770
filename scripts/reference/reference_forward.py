"""An independent reference forward pass for LlamaForCausalLM, MistralForCausalLM and Qwen2ForCausalLM.

Written from the semantics of Hugging Face transformers' modeling_llama / modeling_mistral / modeling_qwen2
(eager attention, no cache, batch of one) in plain torch, computing in float32 from weights widened exactly from
their stored dtype, with PEFT LoRA adapters applied unmerged: y = W x + b + sum_a w_a * s_a * B_a (A_a x).

It reads the checkpoint and adapters back from disk (config.json, safetensors, adapter_config.json) so that the
fixtures are checked through the same files Concord reads.
"""

import json
import math
import os
import re

import torch

import st_io

PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


# ----------------------------------------------------------------------------------------------------- config
class Config:
    def __init__(self, raw):
        self.raw = raw
        arch = (raw.get("architectures") or [None])[0]
        self.architecture = arch
        self.hidden = raw["hidden_size"]
        self.heads = raw["num_attention_heads"]
        self.kv_heads = raw.get("num_key_value_heads") or self.heads
        self.head_dim = raw.get("head_dim") or self.hidden // self.heads
        self.layers = raw["num_hidden_layers"]
        self.vocab = raw["vocab_size"]
        self.eps = raw.get("rms_norm_eps", 1e-6)
        rope = raw.get("rope_parameters")
        if isinstance(rope, dict):
            self.rope_theta = rope.get("rope_theta", raw.get("rope_theta", 10000.0))
            scaling = rope
        else:
            self.rope_theta = raw.get("rope_theta", 10000.0)
            scaling = raw.get("rope_scaling")
        self.rope_scaling = scaling
        window = None
        if arch == "MistralForCausalLM":
            window = raw.get("sliding_window")
        elif arch == "Qwen2ForCausalLM" and raw.get("use_sliding_window"):
            window = raw.get("sliding_window")
        self.sliding_window = window
        self.max_window_layers = raw.get("max_window_layers", 0) if arch == "Qwen2ForCausalLM" else 0

    def layer_uses_window(self, layer):
        return self.sliding_window is not None and layer >= self.max_window_layers


def load_model(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = Config(json.load(f))
    index = os.path.join(model_dir, "model.safetensors.index.json")
    weights = {}
    if os.path.exists(index):
        with open(index) as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
        for s in shards:
            weights.update(st_io.read(os.path.join(model_dir, s)))
    else:
        weights = st_io.read(os.path.join(model_dir, "model.safetensors"))
    # widen exactly: bf16 and f16 values are all representable in float32
    return cfg, {k: v.to(torch.float32) for k, v in weights.items()}


# ----------------------------------------------------------------------------------------------------- rope
def inverse_frequencies(cfg):
    dim = cfg.head_dim
    base = float(cfg.rope_theta)
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    scaling = cfg.rope_scaling
    kind = None
    if scaling:
        kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind in (None, "default"):
        return inv_freq
    if kind == "linear":
        return inv_freq / float(scaling["factor"])
    if kind == "llama3":
        factor = float(scaling["factor"])
        low = float(scaling["low_freq_factor"])
        high = float(scaling["high_freq_factor"])
        old_len = float(scaling["original_max_position_embeddings"])
        low_wavelen = old_len / low
        high_wavelen = old_len / high
        wavelen = 2 * math.pi / inv_freq
        scaled = torch.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
        smooth = (old_len / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        return torch.where(medium, smoothed, scaled)
    raise ValueError("unsupported rope type " + str(kind))


def rotary_tables(cfg, positions):
    inv_freq = inverse_frequencies(cfg)
    freqs = positions.float()[:, None] * inv_freq[None, :]  # one float32 product per entry, as HF's K=1 matmul
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


# ----------------------------------------------------------------------------------------------------- adapters
def _pattern_value(patterns, key, default):
    for pattern, value in (patterns or {}).items():
        if re.match(r"(.*\.)?(" + pattern + r")$", key):
            return value
    return default


class Adapter:
    """A PEFT LoRA adapter: per module name (e.g. model.layers.0.self_attn.q_proj) the factors and the scaling."""

    def __init__(self, adapter_dir):
        with open(os.path.join(adapter_dir, "adapter_config.json")) as f:
            self.config = json.load(f)
        tensors = st_io.read(os.path.join(adapter_dir, "adapter_model.safetensors"))
        self.modules = {}
        prefix = "base_model.model."
        for name, t in tensors.items():
            assert name.startswith(prefix), name
            rest = name[len(prefix):]
            for suffix, slot in ((".lora_A.weight", "A"), (".lora_B.weight", "B"),
                                 (".lora_embedding_A", "EA"), (".lora_embedding_B", "EB")):
                if rest.endswith(suffix):
                    module = rest[: -len(suffix)]
                    self.modules.setdefault(module, {})[slot] = t.to(torch.float32)
                    break
            else:
                raise ValueError("unexpected adapter tensor " + name)
        for module, parts in self.modules.items():
            a = parts.get("A", parts.get("EA"))
            rank = _pattern_value(self.config.get("rank_pattern"), module, self.config["r"])
            alpha = _pattern_value(self.config.get("alpha_pattern"), module, self.config["lora_alpha"])
            assert a.shape[0] == rank, (module, a.shape, rank)
            if self.config.get("use_rslora"):
                parts["scaling"] = alpha / math.sqrt(rank)
            else:
                parts["scaling"] = alpha / rank


def lora_delta(x, module, adapters):
    """sum_a w_a * s_a * B_a (A_a x) for one linear module, or None when no adapter targets it."""
    out = None
    for adapter, weight in adapters:
        parts = adapter.modules.get(module)
        if parts is None or "A" not in parts:
            continue
        d = (x @ parts["A"].T) @ parts["B"].T * parts["scaling"] * weight
        out = d if out is None else out + d
    return out


def linear(x, weights, module, adapters):
    y = x @ weights[module + ".weight"].T
    bias = weights.get(module + ".bias")
    if bias is not None:
        y = y + bias
    d = lora_delta(x, module, adapters)
    return y if d is None else y + d


# ----------------------------------------------------------------------------------------------------- model
def rms_norm(x, weight, eps):
    x32 = x.to(torch.float32)
    variance = x32.pow(2).mean(-1, keepdim=True)
    return weight * (x32 * torch.rsqrt(variance + eps))


def attention(cfg, layer, x, weights, adapters, cos, sin):
    t = x.shape[0]
    p = "model.layers.%d.self_attn." % layer
    q = linear(x, weights, p + "q_proj", adapters).view(t, cfg.heads, cfg.head_dim).transpose(0, 1)
    k = linear(x, weights, p + "k_proj", adapters).view(t, cfg.kv_heads, cfg.head_dim).transpose(0, 1)
    v = linear(x, weights, p + "v_proj", adapters).view(t, cfg.kv_heads, cfg.head_dim).transpose(0, 1)
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    group = cfg.heads // cfg.kv_heads
    k = k.repeat_interleave(group, dim=0)  # query head h reads kv head h // group
    v = v.repeat_interleave(group, dim=0)
    scores = torch.matmul(q, k.transpose(1, 2)) * (cfg.head_dim ** -0.5)
    qi = torch.arange(t)[:, None]
    ki = torch.arange(t)[None, :]
    allowed = ki <= qi
    if cfg.layer_uses_window(layer):
        allowed = allowed & (ki > qi - cfg.sliding_window)
    scores = scores + torch.where(allowed, 0.0, torch.finfo(torch.float32).min)
    probs = torch.softmax(scores, dim=-1, dtype=torch.float32)
    out = torch.matmul(probs, v).transpose(0, 1).reshape(t, cfg.heads * cfg.head_dim)
    return linear(out, weights, p + "o_proj", adapters)


def mlp(layer, x, weights, adapters):
    p = "model.layers.%d.mlp." % layer
    gate = linear(x, weights, p + "gate_proj", adapters)
    up = linear(x, weights, p + "up_proj", adapters)
    return linear(torch.nn.functional.silu(gate) * up, weights, p + "down_proj", adapters)


def embed(tokens, weights, adapters):
    h = weights["model.embed_tokens.weight"][tokens]
    for adapter, weight in adapters:
        parts = adapter.modules.get("model.embed_tokens")
        if parts is not None and "EA" in parts:
            h = h + (parts["EA"].T[tokens] @ parts["EB"].T) * parts["scaling"] * weight
    return h


def forward(cfg, weights, tokens, adapters=()):
    """Logits [T, vocab] (float32) at every position of one sequence."""
    tokens = torch.tensor(tokens, dtype=torch.long)
    positions = torch.arange(len(tokens))
    cos, sin = rotary_tables(cfg, positions)
    h = embed(tokens, weights, adapters)
    for layer in range(cfg.layers):
        p = "model.layers.%d." % layer
        h = h + attention(cfg, layer, rms_norm(h, weights[p + "input_layernorm.weight"], cfg.eps), weights,
                          adapters, cos, sin)
        h = h + mlp(layer, rms_norm(h, weights[p + "post_attention_layernorm.weight"], cfg.eps), weights, adapters)
    h = rms_norm(h, weights["model.norm.weight"], cfg.eps)
    head = "lm_head" if "lm_head.weight" in weights else "model.embed_tokens"
    logits = h @ weights[head + ".weight"].T
    d = lora_delta(h, "lm_head", adapters)
    return logits if d is None else logits + d
