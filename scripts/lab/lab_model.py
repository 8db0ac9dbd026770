"""A plain Llama-style model in torch for the lab prototype: RMSNorm, RoPE (rotate-half, as Hugging Face's Llama),
grouped-query attention, SwiGLU, tied embeddings, and LoRA on the seven projections.

The character tokenizer lives here too: 128 ids, printable ASCII and newline keep their own code as id, the control
range holds the special and skill-tag tokens.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from skills import SKILLS

PAD, BOS, EOS, UNK = 0, 1, 2, 3
TAG_BASE = 16
VOCAB = 128
TAG_IDS = {"<" + s + ">": TAG_BASE + i for i, s in enumerate(SKILLS)}
ID_TAGS = {v: k for k, v in TAG_IDS.items()}


def encode(text):
    ids = [BOS]
    i = 0
    while i < len(text):
        if text[i] == "<":
            end = text.find(">", i)
            if end > 0 and text[i:end + 1] in TAG_IDS:
                ids.append(TAG_IDS[text[i:end + 1]])
                i = end + 1
                continue
        c = ord(text[i])
        ids.append(c if (32 <= c < 127 or c == 10) else UNK)
        i += 1
    return ids


def decode(ids):
    return "".join(ID_TAGS.get(t, chr(t) if (32 <= t < 127 or t == 10) else "") for t in ids)


class Config:
    def __init__(self, d=128, layers=4, heads=4, kv_heads=4, ffn=384, vocab=VOCAB, theta=10000.0, eps=1e-5):
        self.d, self.layers, self.heads, self.kv_heads, self.ffn = d, layers, heads, kv_heads, ffn
        self.vocab, self.theta, self.eps = vocab, theta, eps
        self.head_dim = d // heads


class LoraLinear(nn.Module):
    """y = W x + (alpha / r) * B (A x); W frozen when the adapter is attached."""

    def __init__(self, fin, fout):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(fout, fin))
        nn.init.normal_(self.weight, std=0.02)
        self.lora_A = None
        self.lora_B = None
        self.scaling = 0.0
        self.merged_delta = None

    def attach(self, r, alpha, gen):
        fout, fin = self.weight.shape
        # PEFT's default: A Kaiming-uniform, B zero.
        bound = 1.0 / math.sqrt(fin)
        self.lora_A = nn.Parameter((torch.rand(r, fin, generator=gen) * 2 - 1) * bound)
        self.lora_B = nn.Parameter(torch.zeros(fout, r))
        self.scaling = alpha / r

    def detach_lora(self):
        self.lora_A = None
        self.lora_B = None

    def forward(self, x):
        y = F.linear(x, self.weight)
        if self.lora_A is not None:
            y = y + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling
        if self.merged_delta is not None:
            y = y + F.linear(x, self.merged_delta)
        return y


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(cfg, n):
    inv = 1.0 / (cfg.theta ** (torch.arange(0, cfg.head_dim, 2).float() / cfg.head_dim))
    t = torch.arange(n).float()
    freqs = torch.outer(t, inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        hd = cfg.head_dim
        self.input_layernorm = RMSNorm(cfg.d, cfg.eps)
        self.q_proj = LoraLinear(cfg.d, cfg.heads * hd)
        self.k_proj = LoraLinear(cfg.d, cfg.kv_heads * hd)
        self.v_proj = LoraLinear(cfg.d, cfg.kv_heads * hd)
        self.o_proj = LoraLinear(cfg.heads * hd, cfg.d)
        self.post_attention_layernorm = RMSNorm(cfg.d, cfg.eps)
        self.gate_proj = LoraLinear(cfg.d, cfg.ffn)
        self.up_proj = LoraLinear(cfg.d, cfg.ffn)
        self.down_proj = LoraLinear(cfg.ffn, cfg.d)

    def forward(self, x, cos, sin, mask, cache=None):
        cfg = self.cfg
        b, t, _ = x.shape
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(b, t, cfg.heads, cfg.head_dim).transpose(1, 2)
        k = self.k_proj(h).view(b, t, cfg.kv_heads, cfg.head_dim).transpose(1, 2)
        v = self.v_proj(h).view(b, t, cfg.kv_heads, cfg.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        if cfg.kv_heads != cfg.heads:
            rep = cfg.heads // cfg.kv_heads
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(cfg.head_dim)
        if mask is not None:
            att = att.masked_fill(mask, float("-inf"))
        att = att.softmax(-1)
        o = (att @ v).transpose(1, 2).reshape(b, t, cfg.heads * cfg.head_dim)
        x = x + self.o_proj(o)
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab, cfg.d)
        nn.init.normal_(self.embed_tokens.weight, std=0.02)
        self.layers = nn.ModuleList([Block(cfg) for _ in range(cfg.layers)])
        self.norm = RMSNorm(cfg.d, cfg.eps)
        self._rope = None

    def projections(self):
        for i, blk in enumerate(self.layers):
            for name in PROJECTIONS:
                yield f"layers.{i}.{name}", getattr(blk, name)

    def forward(self, ids, pos=None, seg=None, caches=None):
        """ids [B,T]. Packed rows: pos [B,T] restarts at 0 for each example, seg [B,T] numbers the examples;
        a token attends only to earlier tokens of its own example."""
        b, t = ids.shape
        if pos is None:
            pos = torch.arange(t).expand(b, t)
        n = int(pos.max()) + 1
        if self._rope is None or self._rope[0].shape[0] < n:
            self._rope = rope_tables(self.cfg, max(n, 256))
        cos = self._rope[0][pos][:, None]  # [B,1,T,hd]
        sin = self._rope[1][pos][:, None]
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)[None, None] if t > 1 else None
        if seg is not None:
            mask = mask | (seg[:, None, :, None] != seg[:, None, None, :])
        x = self.embed_tokens(ids)
        for i, blk in enumerate(self.layers):
            x = blk(x, cos, sin, mask, None if caches is None else caches[i])
        return F.linear(self.norm(x), self.embed_tokens.weight)

    # ----------------------------------------------------------------------------------------------- LoRA
    def attach_lora(self, r=8, alpha=16, seed=0):
        gen = torch.Generator().manual_seed(seed)
        for p in self.parameters():
            p.requires_grad_(False)
        for _, m in self.projections():
            m.attach(r, alpha, gen)

    def lora_state(self):
        return {name: (m.lora_A.detach().clone(), m.lora_B.detach().clone(), m.scaling)
                for name, m in self.projections()}

    def detach_lora(self):
        for _, m in self.projections():
            m.detach_lora()

    def set_deltas(self, deltas):
        """deltas: name -> dense [out, in] matrix added to the weight (None clears)."""
        for name, m in self.projections():
            m.merged_delta = None if deltas is None else deltas.get(name)

    def count(self):
        return sum(p.numel() for p in self.parameters())
