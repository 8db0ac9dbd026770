"""The torch prototype (scripts/lab) replays the Java trainer's steps: the same initial weights, batches and
settings. Prints one JSON object with its losses, gradient norms and learning rates per step, and how far its
weights end from the Java trainer's.

    python3 torch_reference.py SCRIPTS_LAB_DIR WORK_DIR

WORK_DIR holds what TorchReferenceTest wrote: init/ and after/ (HF model directories), lora-init/ and lora-after/
(PEFT adapters), batches.json and settings.json.
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, sys.argv[1])
from lab_model import Config, Llama  # noqa: E402
from train import lr_at, delta_l2  # noqa: E402

WORK = sys.argv[2]
torch.set_num_threads(1)


def load_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        start, end = t["data_offsets"]
        raw = np.frombuffer(data[8 + n + start:8 + n + end], dtype=np.float32)
        out[name] = torch.from_numpy(raw.reshape(t["shape"]).copy())
    return out


def prototype_name(hf_name):
    """model.layers.0.self_attn.q_proj.weight -> layers.0.q_proj.weight (the prototype's module names)."""
    name = hf_name.replace("model.embed_tokens", "embed_tokens").replace("model.norm", "norm")
    return name.replace("model.layers", "layers").replace("self_attn.", "").replace("mlp.", "")


def peft_key(name):
    """layers.0.q_proj -> base_model.model.model.layers.0.self_attn.q_proj"""
    _, layer, proj = name.split(".")
    kind = "self_attn" if proj in ("q_proj", "k_proj", "v_proj", "o_proj") else "mlp"
    return f"base_model.model.model.layers.{layer}.{kind}.{proj}"


settings = json.load(open(WORK + "/settings.json"))
cfg = Config(d=settings["hidden"], layers=settings["layers"], heads=settings["heads"], kv_heads=settings["kv_heads"],
             ffn=settings["ffn"])
model = Llama(cfg)
model.load_state_dict({prototype_name(k): v for k, v in load_safetensors(WORK + "/init/model.safetensors").items()},
                      strict=True)
batches = json.load(open(WORK + "/batches.json"))
ROW = settings["row_tokens"]


def tensors(batch):
    """A batch as the prototype's make_batch lays it out: padded rows, positions, example numbers, targets."""
    rows = len(batch)
    ids = torch.zeros((rows, ROW), dtype=torch.long)
    pos = torch.zeros((rows, ROW), dtype=torch.long)
    seg = torch.full((rows, ROW), -1, dtype=torch.long)
    tgt = torch.full((rows, ROW), -100, dtype=torch.long)
    for r, row in enumerate(batch):
        n = len(row["tokens"])
        ids[r, :n] = torch.tensor(row["tokens"])
        pos[r, :n] = torch.tensor(row["positions"])
        t = torch.tensor(row["targets"])
        t[t < 0] = -100
        tgt[r, :n] = t
        example = -1
        for i, p in enumerate(row["positions"]):
            if p == 0:
                example += 1
            seg[r, i] = example
    return ids, pos, seg, tgt


def run(params, weight_decay, l2):
    """train.py's train_loop, fed the Java trainer's batches."""
    opt = torch.optim.AdamW(params, lr=settings["lr"], betas=(0.9, 0.95), weight_decay=weight_decay)
    steps = []
    for step, batch in enumerate(batches):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, len(batches), settings["lr"], settings["warmup"])
        ids, pos, seg, tgt = tensors(batch)
        logits = model(ids, pos, seg)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), tgt.view(-1), ignore_index=-100)
        if l2 > 0:
            loss = loss + l2 * delta_l2(model)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        steps.append({"loss": loss.item(), "norm": norm.item(), "lr": opt.param_groups[0]["lr"]})
    return steps


def relative_difference(mine, theirs):
    return max(((mine[k] - v).abs().max() / v.abs().max()).item() for k, v in theirs.items())


report = {"full": run(list(model.parameters()), settings["weight_decay"], 0.0)}
params = dict(model.named_parameters())
after = load_safetensors(WORK + "/after/model.safetensors")
report["full_weight_difference"] = relative_difference(
    {k: params[prototype_name(k)].detach() for k in after}, after)

model.attach_lora(settings["rank"], settings["alpha"], seed=0)
start = load_safetensors(WORK + "/lora-init/adapter_model.safetensors")
for name, m in model.projections():
    m.lora_A.data.copy_(start[peft_key(name) + ".lora_A.weight"])
    m.lora_B.data.copy_(start[peft_key(name) + ".lora_B.weight"])
report["lora"] = run([p for n, p in model.named_parameters() if "lora_" in n], 0.0, settings["l2"])
finished = load_safetensors(WORK + "/lora-after/adapter_model.safetensors")
mine = {}
for name, m in model.projections():
    mine[peft_key(name) + ".lora_A.weight"] = m.lora_A.detach()
    mine[peft_key(name) + ".lora_B.weight"] = m.lora_B.detach()
report["lora_factor_difference"] = relative_difference(mine, finished)
print(json.dumps(report))
