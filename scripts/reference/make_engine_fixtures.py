#!/usr/bin/python3
"""Generates the inference-engine fixtures under concord-model/src/test/resources/engine.

Run with Debian's torch (apt-get install python3-torch):  /usr/bin/python3 scripts/reference/make_engine_fixtures.py

It writes tiny random Hugging Face checkpoints (Llama with GQA, llama3 RoPE scaling and tied embeddings; Mistral
with a sliding window shorter than the test sequence, MQA and a head_dim that differs from hidden/heads; Qwen2
with q/k/v biases, sharded), each in F32, F16 and BF16; PEFT LoRA adapters (F32, BF16, F16; mixed ranks through
rank_pattern/alpha_pattern, rsLoRA, an embedding adapter, lm_head); and, for every case, the reference logits
computed by reference_forward.py from the files just written. cases.json lists them all. Everything is seeded:
running it again reproduces the same bytes.
"""

import json
import os
import shutil
import sys

import torch

import reference_forward as ref
import st_io

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "concord-model", "src", "test", "resources", "engine")
DTYPES = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}
TORCH_NAMES = {"f32": "float32", "f16": "float16", "bf16": "bfloat16"}


# ------------------------------------------------------------------------------------------- model families
def llama_config(dtype):
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 64,
        "intermediate_size": 160,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "vocab_size": 272,
        "max_position_embeddings": 256,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        # head_dim 16: wavelengths 6.3 (kept), 19.9 and 62.8 (smoothed), the rest divided by factor
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 64},
        "tie_word_embeddings": True,
        "attention_bias": False,
        "mlp_bias": False,
        "hidden_act": "silu",
        "bos_token_id": 256,
        "eos_token_id": [257, 258],
        "torch_dtype": TORCH_NAMES[dtype],
    }


def mistral_config(dtype):
    return {
        "architectures": ["MistralForCausalLM"],
        "model_type": "mistral",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 1,
        "head_dim": 24,  # differs from hidden/heads = 16, as in Mistral-Nemo
        "vocab_size": 200,
        "max_position_embeddings": 512,
        "rms_norm_eps": 1e-6,
        # the newer spelling: rope_parameters instead of rope_theta/rope_scaling, dtype instead of torch_dtype
        "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0},
        "sliding_window": 5,
        "tie_word_embeddings": False,
        "hidden_act": "silu",
        "bos_token_id": 1,
        "eos_token_id": 2,
        "dtype": TORCH_NAMES[dtype],
    }


def qwen2_config(dtype):
    return {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "hidden_size": 48,
        "intermediate_size": 112,
        "num_hidden_layers": 3,
        "num_attention_heads": 6,
        "num_key_value_heads": 2,
        "vocab_size": 230,
        "max_position_embeddings": 1024,
        "rms_norm_eps": 1e-6,
        "rope_theta": 1000000.0,
        "rope_scaling": None,
        # present but switched off, as in real Qwen2 configs: it must be ignored
        "use_sliding_window": False,
        "sliding_window": 4,
        "max_window_layers": 1,
        "tie_word_embeddings": False,
        "hidden_act": "silu",
        "bos_token_id": 228,
        "eos_token_id": 229,
        "torch_dtype": TORCH_NAMES[dtype],
    }


FAMILIES = {
    "llama": (llama_config, 11, False, False),   # config, seed, q/k/v bias, sharded
    "mistral": (mistral_config, 12, False, False),
    "qwen2": (qwen2_config, 13, True, True),
}


def random_weights(cfg, seed, qkv_bias):
    """Master float32 weights, scaled so that activations and logits stay O(1) (a real signal to compare)."""
    g = torch.Generator().manual_seed(seed)
    hidden = cfg["hidden_size"]
    inter = cfg["intermediate_size"]
    heads = cfg["num_attention_heads"]
    kv = cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or hidden // heads
    vocab = cfg["vocab_size"]

    def mat(rows, cols, gain=1.0):
        return torch.randn(rows, cols, generator=g) * (gain / cols ** 0.5)

    def norm(n):
        return 1.0 + 0.2 * torch.randn(n, generator=g)

    w = {"model.embed_tokens.weight": 0.4 * torch.randn(vocab, hidden, generator=g)}
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        w[p + "input_layernorm.weight"] = norm(hidden)
        w[p + "self_attn.q_proj.weight"] = mat(heads * hd, hidden, 2.0)
        w[p + "self_attn.k_proj.weight"] = mat(kv * hd, hidden, 2.0)
        w[p + "self_attn.v_proj.weight"] = mat(kv * hd, hidden)
        if qkv_bias:
            w[p + "self_attn.q_proj.bias"] = 0.5 * torch.randn(heads * hd, generator=g)
            w[p + "self_attn.k_proj.bias"] = 0.5 * torch.randn(kv * hd, generator=g)
            w[p + "self_attn.v_proj.bias"] = 0.5 * torch.randn(kv * hd, generator=g)
        w[p + "self_attn.o_proj.weight"] = mat(hidden, heads * hd)
        w[p + "post_attention_layernorm.weight"] = norm(hidden)
        w[p + "mlp.gate_proj.weight"] = mat(inter, hidden, 2.0)
        w[p + "mlp.up_proj.weight"] = mat(inter, hidden)
        w[p + "mlp.down_proj.weight"] = mat(hidden, inter)
    w["model.norm.weight"] = norm(hidden)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = mat(vocab, hidden, 3.0)
    return w


def write_checkpoint(model_dir, cfg, master, dtype, sharded):
    os.makedirs(model_dir)
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    cast = {k: v.to(DTYPES[dtype]) for k, v in master.items()}
    if not sharded:
        st_io.write(os.path.join(model_dir, "model.safetensors"), cast, {"format": "pt"})
        return
    names = list(cast)
    half = len(names) // 2
    parts = [names[:half], names[half:]]
    weight_map = {}
    total = 0
    for i, part in enumerate(parts):
        shard = "model-%05d-of-%05d.safetensors" % (i + 1, len(parts))
        st_io.write(os.path.join(model_dir, shard), {n: cast[n] for n in part}, {"format": "pt"})
        for n in part:
            weight_map[n] = shard
            total += cast[n].numel() * cast[n].element_size()
    with open(os.path.join(model_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)


# ------------------------------------------------------------------------------------------- tokenizer
def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character table (byte-level BPE alphabet)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    n = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(printable, chars)}


def write_tokenizer(model_dir):
    """A tiny byte-level BPE tokenizer.json in the Llama-3 style: ids 0-255 are the bytes, 256-258 specials, 259+
    merges; the post-processor prepends <|begin_of_text|>."""
    table = bytes_to_unicode()
    vocab = {table[b]: b for b in range(256)}
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"]
    for i, s in enumerate(specials):
        vocab[s] = 256 + i
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("e", "r"), ("a", "n"), ("o", "n"), ("r", "e"),
              ("Ġ", "a"), ("a", "t"), ("e", "n"), ("o", "r"), ("e", "s")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    assert len(vocab) == 272
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": 256 + i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, s in enumerate(specials)],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 1}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [256],
                                                     "tokens": ["<|begin_of_text|>"]}},
        },
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }
    with open(os.path.join(model_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=1)


# ------------------------------------------------------------------------------------------- adapters
def write_adapter(adapter_dir, base_cfg, spec, seed):
    """A PEFT LoRA adapter. spec: r, alpha, targets, dtype, and optional rank_pattern / alpha_pattern / rslora."""
    g = torch.Generator().manual_seed(seed)
    hidden = base_cfg["hidden_size"]
    heads = base_cfg["num_attention_heads"]
    hd = base_cfg.get("head_dim") or hidden // heads
    kv = base_cfg["num_key_value_heads"]
    inter = base_cfg["intermediate_size"]
    vocab = base_cfg["vocab_size"]
    shapes = {"q_proj": (heads * hd, hidden), "k_proj": (kv * hd, hidden), "v_proj": (kv * hd, hidden),
              "o_proj": (hidden, heads * hd), "gate_proj": (inter, hidden), "up_proj": (inter, hidden),
              "down_proj": (hidden, inter)}
    config = {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "base_model_name_or_path": "concord/tiny-" + base_cfg["model_type"],
        "r": spec["r"],
        "lora_alpha": spec["alpha"],
        "lora_dropout": 0.0,
        "bias": "none",
        "fan_in_fan_out": False,
        "use_rslora": spec.get("rslora", False),
        "use_dora": False,
        "target_modules": spec["targets"],
        "rank_pattern": spec.get("rank_pattern", {}),
        "alpha_pattern": spec.get("alpha_pattern", {}),
        "modules_to_save": None,
        "inference_mode": True,
    }
    tensors = {}
    dt = DTYPES[spec["dtype"]]

    def rank_of(module):
        return ref._pattern_value(config["rank_pattern"], module, config["r"])

    for layer in range(base_cfg["num_hidden_layers"]):
        for proj in ref.PROJECTIONS:
            if proj not in spec["targets"]:
                continue
            part = "self_attn" if proj in ("q_proj", "k_proj", "v_proj", "o_proj") else "mlp"
            module = "model.layers.%d.%s.%s" % (layer, part, proj)
            out_f, in_f = shapes[proj]
            r = rank_of(module)
            key = "base_model.model." + module
            tensors[key + ".lora_A.weight"] = (torch.randn(r, in_f, generator=g) / in_f ** 0.5).to(dt)
            tensors[key + ".lora_B.weight"] = (torch.randn(out_f, r, generator=g) * (0.6 / r ** 0.5)).to(dt)
    if "lm_head" in spec["targets"]:
        r = rank_of("lm_head")
        tensors["base_model.model.lm_head.lora_A.weight"] = (torch.randn(r, hidden, generator=g) / hidden ** 0.5).to(dt)
        tensors["base_model.model.lm_head.lora_B.weight"] = (0.3 * torch.randn(vocab, r, generator=g)).to(dt)
    if "embed_tokens" in spec["targets"]:
        r = rank_of("model.embed_tokens")
        # PEFT stores embedding factors without a ".weight" suffix: A is [r, vocab], B is [hidden, r]
        tensors["base_model.model.model.embed_tokens.lora_embedding_A"] = torch.randn(r, vocab, generator=g).to(dt)
        tensors["base_model.model.model.embed_tokens.lora_embedding_B"] = (
                torch.randn(hidden, r, generator=g) * 0.5).to(dt)
    os.makedirs(adapter_dir)
    with open(os.path.join(adapter_dir, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    st_io.write(os.path.join(adapter_dir, "adapter_model.safetensors"), tensors, {"format": "pt"})


ALL_PROJ = list(ref.PROJECTIONS)
ADAPTERS = {
    # name: (base family, spec, seed)
    "llama-a-f32": ("llama", {"r": 4, "alpha": 8, "targets": ALL_PROJ, "dtype": "f32"}, 101),
    "llama-b-bf16": ("llama", {"r": 8, "alpha": 16, "targets": ["q_proj", "v_proj", "down_proj", "lm_head"],
                               "dtype": "bf16", "rslora": True,
                               "rank_pattern": {"layers.1.self_attn.v_proj": 2, "down_proj": 5},
                               "alpha_pattern": {"down_proj": 3}}, 102),
    "llama-c-f16": ("llama", {"r": 3, "alpha": 6, "targets": ["embed_tokens", "o_proj", "gate_proj"],
                              "dtype": "f16"}, 103),
    "mistral-f16": ("mistral", {"r": 4, "alpha": 4, "targets": ["q_proj", "k_proj", "v_proj", "o_proj"],
                                "dtype": "f16", "rank_pattern": {"k_proj": 2, "layers.0.self_attn.o_proj": 6}}, 104),
    "qwen2-bf16": ("qwen2", {"r": 4, "alpha": 16, "targets": ALL_PROJ, "dtype": "bf16"}, 105),
    "qwen2-f32": ("qwen2", {"r": 2, "alpha": 2, "targets": ["q_proj", "k_proj", "v_proj", "up_proj"],
                            "dtype": "f32", "rank_pattern": {"up_proj": 7}}, 106),
}

# name: (model dir, [(adapter, weight)], token count)
CASES = [("base-%s-%s" % (fam, dt), "%s-%s" % (fam, dt), [], 12) for fam in FAMILIES for dt in DTYPES]
CASES += [
    ("llama-f32+a", "llama-f32", [("llama-a-f32", 1.0)], 10),
    ("llama-f32+b", "llama-f32", [("llama-b-bf16", 1.0)], 10),
    ("llama-f32+a0.7+b0.5", "llama-f32", [("llama-a-f32", 0.7), ("llama-b-bf16", 0.5)], 10),
    ("llama-bf16+a", "llama-bf16", [("llama-a-f32", 1.0)], 10),
    ("llama-f16+c", "llama-f16", [("llama-c-f16", 1.0)], 10),
    ("llama-f16+c-0.5+b", "llama-f16", [("llama-c-f16", -0.5), ("llama-b-bf16", 1.0)], 10),
    ("mistral-f16+lora", "mistral-f16", [("mistral-f16", 1.0)], 12),
    ("mistral-bf16+lora", "mistral-bf16", [("mistral-f16", 1.0)], 12),
    ("qwen2-bf16+lora", "qwen2-bf16", [("qwen2-bf16", 1.0)], 12),
    ("qwen2-f32+both", "qwen2-f32", [("qwen2-bf16", 1.0), ("qwen2-f32", 1.5)], 12),
]


def tokens_for(name, vocab, count):
    g = torch.Generator().manual_seed(sum(map(ord, name)))
    return torch.randint(0, vocab, (count,), generator=g).tolist()


def greedy(cfg, weights, prompt, steps, adapters=()):
    """Greedy continuation by repeated full forward passes, with the top-1 margin of each step (ties are unsafe)."""
    ids = list(prompt)
    out, margins = [], []
    for _ in range(steps):
        logits = ref.forward(cfg, weights, ids, adapters)[-1]
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        nxt = int(torch.argmax(logits))
        out.append(nxt)
        ids.append(nxt)
    return out, margins


def main():
    torch.set_num_threads(1)
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "logits"))
    for fam, (make_cfg, seed, bias, sharded) in FAMILIES.items():
        master = random_weights(make_cfg("f32"), seed, bias)
        for dt in DTYPES:
            d = os.path.join(OUT, "models", "%s-%s" % (fam, dt))
            write_checkpoint(d, make_cfg(dt), master, dt, sharded and dt == "bf16")
            if fam == "llama":
                write_tokenizer(d)
    for i, (name, (fam, spec, seed)) in enumerate(ADAPTERS.items()):
        write_adapter(os.path.join(OUT, "adapters", name), FAMILIES[fam][0]("f32"), spec, seed)

    cases = []
    models = {}
    for name, model, adapter_list, count in CASES:
        if model not in models:
            models[model] = ref.load_model(os.path.join(OUT, "models", model))
        cfg, weights = models[model]
        adapters = [(ref.Adapter(os.path.join(OUT, "adapters", a)), w) for a, w in adapter_list]
        tokens = tokens_for(name, cfg.vocab, count)
        logits = ref.forward(cfg, weights, tokens, adapters)
        file = "logits/%s.safetensors" % name
        st_io.write(os.path.join(OUT, file), {"logits": logits.contiguous()}, {"tokens": json.dumps(tokens)})
        cases.append({"name": name, "model": "models/" + model,
                      "adapters": [{"path": "adapters/" + a, "weight": w} for a, w in adapter_list],
                      "tokens": tokens, "logits": file,
                      "max_abs_logit": float(logits.abs().max())})
        print("%-24s T=%2d max|logit|=%.3f" % (name, count, float(logits.abs().max())), file=sys.stderr)

    generations = []
    for model, adapter_list in (("llama-f32", []), ("llama-bf16", [("llama-a-f32", 1.0)])):
        cfg, weights = models[model]
        adapters = [(ref.Adapter(os.path.join(OUT, "adapters", a)), w) for a, w in adapter_list]
        # <|begin_of_text|> and a short byte string; the first whose greedy path has no near-tie (a margin a
        # float32 rounding difference could flip) is kept
        for text in (b"The cat", b"A dog", b"Hello", b"Once upon", b"In the", b"We"):
            prompt = [256] + list(text)
            ids, margins = greedy(cfg, weights, prompt, 8, adapters)
            if min(margins) > 0.05:
                break
        else:
            raise SystemExit("no greedy prompt without near-ties for " + model)
        generations.append({"model": "models/" + model,
                            "adapters": [{"path": "adapters/" + a, "weight": w} for a, w in adapter_list],
                            "prompt": prompt, "greedy": ids, "min_margin": min(margins)})
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"generator": "scripts/reference/make_engine_fixtures.py", "torch": torch.__version__,
                   "cases": cases, "greedy": generations}, f, indent=1)


if __name__ == "__main__":
    main()
