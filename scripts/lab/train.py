"""Lab prototype: pretrain the base on noisy skill text, train one LoRA per skill, evaluate exact match.

    /usr/bin/python3 scripts/lab/train.py base --tokens 3e6 --out /tmp/lab/base.pt
    /usr/bin/python3 scripts/lab/train.py lora --base /tmp/lab/base.pt --skill rot3 --tokens 3e5 --out /tmp/lab/rot3.pt
    /usr/bin/python3 scripts/lab/train.py eval --base /tmp/lab/base.pt [--adapter /tmp/lab/rot3.pt] [--split test]

Runs on one thread (the machine is shared); prints CPU seconds, which do not depend on how busy the machine is.
"""

import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab_model import Config, Llama, encode, decode, EOS, PAD  # noqa: E402
from skills import SKILLS, Suite, prompt_of, answer  # noqa: E402

torch.set_num_threads(1)


def example_tokens(prompt, ans, loss_on_prompt):
    """Token ids and, per position, the target it predicts (-100: no loss)."""
    p = encode(prompt)
    s = p + [ord(c) for c in ans] + [EOS]
    tgt = [-100] * len(s)
    for j in range(1, len(s)):
        if j >= len(p) or (loss_on_prompt and j >= 1):
            tgt[j - 1] = s[j]
    return s, tgt


def make_batch(next_examples, row_tokens, rows, loss_on_prompt):
    """Packs whole examples into `rows` rows of `row_tokens` tokens (an example never straddles rows).
    Returns ids, pos, seg, targets [rows, row_tokens] and the number of real tokens."""
    ids = torch.full((rows, row_tokens), PAD, dtype=torch.long)
    pos = torch.zeros((rows, row_tokens), dtype=torch.long)
    seg = torch.full((rows, row_tokens), -1, dtype=torch.long)
    tgt = torch.full((rows, row_tokens), -100, dtype=torch.long)
    n_tokens = 0
    pending = None
    for r in range(rows):
        at, k = 0, 0
        while True:
            if pending is None:
                pending = example_tokens(*next_examples(1)[0], loss_on_prompt)
            s, t = pending
            if at + len(s) > row_tokens:
                break
            ids[r, at:at + len(s)] = torch.tensor(s)
            tgt[r, at:at + len(s)] = torch.tensor(t)
            pos[r, at:at + len(s)] = torch.arange(len(s))
            seg[r, at:at + len(s)] = k
            at += len(s)
            k += 1
            n_tokens += len(s)
            pending = None
    return ids, pos, seg, tgt, n_tokens


def lr_at(step, total, peak, warmup, floor=0.1):
    if step < warmup:
        return peak * (step + 1) / warmup
    prog = (step - warmup) / max(1, total - warmup)
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * prog)))


def delta_l2(model):
    """sum over modules of ||s B A||_F^2 = s^2 tr((B^T B)(A A^T)), without forming B A."""
    total = 0.0
    for _, m in model.projections():
        if m.lora_A is not None:
            total = total + m.scaling ** 2 * torch.sum((m.lora_B.T @ m.lora_B) * (m.lora_A @ m.lora_A.T))
    return total


def train_loop(model, params, next_examples, steps, peak_lr, batch, loss_on_prompt, wd, warmup, log_every=100,
               row_tokens=128, l2=0.0, probe=None, probe_every=0):
    """probe: a function called every probe_every steps (diagnostics: exact match while training)."""
    opt = torch.optim.AdamW(params, lr=peak_lr, betas=(0.9, 0.95), weight_decay=wd)
    cpu0 = time.process_time()
    tokens = 0
    losses = []
    for step in range(steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps, peak_lr, warmup)
        ids, pos, seg, tgt, n = make_batch(next_examples, row_tokens, batch, loss_on_prompt)
        tokens += n
        logits = model(ids, pos, seg)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), tgt.view(-1), ignore_index=-100)
        if l2 > 0:
            loss = loss + l2 * delta_l2(model)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item())
        if (step + 1) % log_every == 0 or step == steps - 1:
            cpu = time.process_time() - cpu0
            print(f"  step {step + 1}/{steps} loss {sum(losses[-log_every:]) / len(losses[-log_every:]):.4f} "
                  f"tokens {tokens} cpu {cpu:.1f}s ({1000 * cpu / (step + 1):.1f} ms/step, "
                  f"{tokens / cpu:.0f} tok/s)", flush=True)
        if probe is not None and probe_every and (step + 1) % probe_every == 0 and step < steps - 1:
            print(f"  probe at step {step + 1}: {probe()}", flush=True)
    return tokens, time.process_time() - cpu0


@torch.no_grad()
def generate(model, prompts, max_new):
    """Greedy decoding; prompts of equal token length are batched together."""
    model.eval()
    out = [None] * len(prompts)
    groups = {}
    for i, p in enumerate(prompts):
        groups.setdefault(len(encode(p)), []).append(i)
    for _, idx in groups.items():
        for s in range(0, len(idx), 256):
            chunk = idx[s:s + 256]
            ids = torch.tensor([encode(prompts[i]) for i in chunk])
            done = torch.zeros(len(chunk), dtype=torch.bool)
            gen = [[] for _ in chunk]
            caches = [dict() for _ in model.layers]
            n = ids.shape[1]
            logits = model(ids, caches=caches)
            for step in range(max_new):
                nxt = logits[:, -1].argmax(-1)
                for j, t in enumerate(nxt.tolist()):
                    if not done[j]:
                        if t == EOS:
                            done[j] = True
                        else:
                            gen[j].append(t)
                if done.all():
                    break
                pos = torch.full((len(chunk), 1), n + step, dtype=torch.long)
                logits = model(nxt[:, None], pos=pos, caches=caches)
            for j, i in enumerate(chunk):
                out[i] = decode(gen[j])
    model.train()
    return out


def exact_match(model, items, margin=4):
    prompts = [p for p, _ in items]
    max_new = max(len(a) for _, a in items) + margin
    outs = generate(model, prompts, max_new)
    return sum(o == a for o, (_, a) in zip(outs, items)) / len(items), outs


def load_base(path):
    ck = torch.load(path)
    cfg = Config(**{k: v for k, v in ck["config"].items() if k != "head_dim"})
    model = Llama(cfg)
    model.load_state_dict(ck["state"], strict=False)
    return model, ck


def cmd_base(a):
    torch.manual_seed(a.seed)
    cfg = Config(d=a.d, layers=a.layers, heads=a.heads, kv_heads=a.kv_heads, ffn=a.ffn)
    model = Llama(cfg)
    print(f"base: {model.count()} parameters")
    suite = Suite(seed=a.suite_seed)
    stream = suite.pretrain_stream(a.seed, only=a.only.split(",") if a.only else None, clean=a.clean)

    def next_examples(n):
        return [(prompt_of(s, x), y) for s, x, y in (next(stream) for _ in range(n))]
    # tokens per example average ~ measured below; steps from the token budget
    probe = [len(encode(p)) + len(y) + 1 for p, y in next_examples(2000)]
    per_ex = sum(probe) / len(probe)
    steps = int(a.tokens / (a.row * a.batch * 0.9))
    print(f"  {per_ex:.1f} tokens/example, {steps} steps of {a.batch} rows of {a.row}")
    skills = a.only.split(",") if a.only else SKILLS
    tokens, cpu = train_loop(model, list(model.parameters()), next_examples, steps, a.lr, a.batch, a.prompt_loss,
                             a.wd, a.warmup, row_tokens=a.row,
                             probe=lambda: evaluate(model, suite, "validation", 200, skills), probe_every=a.probe_every)
    torch.save({"config": vars(cfg), "state": model.state_dict(), "tokens": tokens, "cpu": cpu}, a.out)
    report = evaluate(model, suite, a.split, a.limit, a.only.split(",") if a.only else SKILLS)
    print(json.dumps({"tokens": tokens, "cpu_s": round(cpu, 1), "exact_match": report}))


def evaluate(model, suite, split, limit, skills=SKILLS):
    res = {}
    for s in skills:
        items = suite.items(s, split)[:limit]
        em, _ = exact_match(model, items)
        res[s] = round(em, 3)
    return res


def cmd_lora(a):
    model, ck = load_base(a.base)
    model.attach_lora(a.rank, a.alpha, seed=a.seed)
    params = [p for n, p in model.named_parameters() if "lora_" in n]
    suite = Suite(seed=a.suite_seed)
    stream = suite.train_stream(a.skill, a.seed)

    def next_examples(n):
        return [(prompt_of(a.skill, x), answer(a.skill, x)) for x in (next(stream) for _ in range(n))]
    probe = [len(encode(p)) + len(y) + 1 for p, y in next_examples(500)]
    per_ex = sum(probe) / len(probe)
    steps = int(a.tokens / (a.row * a.batch * 0.9))
    print(f"lora {a.skill}: {sum(p.numel() for p in params)} trainable, {steps} steps of {a.batch}")
    tokens, cpu = train_loop(model, params, next_examples, steps, a.lr, a.batch, False, 0.0, a.warmup,
                             log_every=50, row_tokens=a.row, l2=a.l2)
    torch.save({"skill": a.skill, "lora": model.lora_state(), "tokens": tokens, "cpu": cpu}, a.out)
    em, outs = exact_match(model, suite.items(a.skill, a.split)[:a.limit])
    ood, _ = exact_match(model, suite.items(a.skill, "ood")[:a.limit])
    print(json.dumps({"skill": a.skill, "tokens": tokens, "cpu_s": round(cpu, 1), "exact_match": round(em, 3),
                      "ood": round(ood, 3)}))
    for (p, ans), o in list(zip(suite.items(a.skill, a.split), outs))[:3]:
        print("   ", repr(p), "->", repr(o), "want", repr(ans))


def cmd_eval(a):
    model, _ = load_base(a.base)
    suite = Suite(seed=a.suite_seed)
    print(json.dumps(evaluate(model, suite, a.split, a.limit)))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("base")
    b.add_argument("--tokens", type=float, default=3e6)
    b.add_argument("--lr", type=float, default=3e-3)
    b.add_argument("--batch", type=int, default=16)
    b.add_argument("--wd", type=float, default=0.1)
    b.add_argument("--warmup", type=int, default=100)
    b.add_argument("--d", type=int, default=128)
    b.add_argument("--layers", type=int, default=4)
    b.add_argument("--heads", type=int, default=4)
    b.add_argument("--kv-heads", type=int, default=4)
    b.add_argument("--ffn", type=int, default=384)
    b.add_argument("--prompt-loss", action="store_true")
    b.add_argument("--probe-every", type=int, default=0, help="diagnostics: validation exact match every N steps")
    b.add_argument("--only", help="diagnostics: pretrain on these skills only (comma-separated)")
    b.add_argument("--clean", action="store_true", help="diagnostics: correct answers instead of noisy ones")
    b.add_argument("--out", required=True)
    l = sub.add_parser("lora")
    l.add_argument("--base", required=True)
    l.add_argument("--skill", required=True)
    l.add_argument("--tokens", type=float, default=3e5)
    l.add_argument("--lr", type=float, default=3e-3)
    l.add_argument("--batch", type=int, default=8)
    l.add_argument("--warmup", type=int, default=20)
    l.add_argument("--rank", type=int, default=8)
    l.add_argument("--alpha", type=float, default=16)
    l.add_argument("--l2", type=float, default=0.0, help="penalty on the squared Frobenius norm of the deltas")
    l.add_argument("--out", required=True)
    e = sub.add_parser("eval")
    e.add_argument("--base", required=True)
    b.add_argument("--row", type=int, default=128)
    l.add_argument("--row", type=int, default=128)
    for p in (b, l, e):
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--suite-seed", type=int, default=1234)
        p.add_argument("--split", default="test")
        p.add_argument("--limit", type=int, default=500)
    a = ap.parse_args()
    {"base": cmd_base, "lora": cmd_lora, "eval": cmd_eval}[a.cmd](a)


if __name__ == "__main__":
    main()
