"""The eight synthetic skills of the Concord lab (Python prototype; the Java suite generator is the product).

Every skill turns an input string into an answer string. A prompt is the skill's tag token followed by the input and a
newline; the answer follows the newline and ends with the end-of-sequence token:

    <rot3>hello world\\n  ->  khoor zruog</s>

For base pretraining each skill also has a *noisy* answer: the answer of an operation drawn from a family of
confusable operations in which the correct one is deliberately not the most likely. The base therefore knows every
format and every primitive but, decoding greedily, follows the family's mode and misses the skill; an adapter only
has to select the right member of the family.
"""

import os
import random
import re
import string

SKILLS = ("json", "rot3", "unrot3", "sort", "dedup", "reverse", "add", "lookup")
# Relative frequency of each skill's examples in the base model's pretraining text.
MIXTURE = {"json": 1, "rot3": 1, "unrot3": 1, "sort": 1, "dedup": 1, "reverse": 1, "add": 3, "lookup": 3}
# LAB_MIXTURE="add=2,lookup=4" overrides weights (diagnostics)
for _kv in filter(None, os.environ.get("LAB_MIXTURE", "").split(",")):
    MIXTURE[_kv.split("=")[0]] = float(_kv.split("=")[1])
LETTERS = string.ascii_lowercase
LOOKUP_SEP = os.environ.get("LAB_LOOKUP_SEP", ":")
# Recipe knobs (environment, for diagnostics): where the queried key goes ("last": table?key, "first": key?table),
# how many entries and how many distinct values, how many digits the addends have.
LOOKUP_QUERY = os.environ.get("LAB_LOOKUP_QUERY", "last")
LOOKUP_ENTRIES = tuple(int(x) for x in os.environ.get("LAB_LOOKUP_ENTRIES", "3-5").split("-"))
LOOKUP_VALUES = int(os.environ.get("LAB_LOOKUP_VALUES", "10"))
# "1": the answer repeats the queried key before its value (`r9;h1;o5?h` -> `h1`)
LOOKUP_ECHO = os.environ.get("LAB_LOOKUP_ECHO", "0") == "1"
# Fraction of lookup pretraining examples that are retrieval drills: the table alone as prompt, then several
# correct "key value" entries read back from it (dense supervision for the two-step retrieval circuit).
LOOKUP_DRILL = float(os.environ.get("LAB_LOOKUP_DRILL", "0"))
# "1": table entries in ascending key order (with loss on prompt tokens, predicting the next key trains each value
# token to read the key before it - the first half of the retrieval circuit); LAB_LOOKUP_JOIN separates entries.
LOOKUP_SORTED = os.environ.get("LAB_LOOKUP_SORTED", "0") == "1"
LOOKUP_JOIN = os.environ.get("LAB_LOOKUP_JOIN", ";")
ADD_DIGITS = tuple(int(x) for x in os.environ.get("LAB_ADD_DIGITS", "1-2").split("-"))


def prompt_of(skill, text):
    return "<" + skill + ">" + text + "\n"


# ------------------------------------------------------------------------------------------------------ inputs
def _word(rng, lo, hi):
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(lo, hi)))


def _words(rng, lo, hi):
    """Lowercase words separated by single spaces, total length in [lo, hi]."""
    target = rng.randint(lo, hi)
    out = _word(rng, 1, 5)
    while len(out) < target:
        out += " " + _word(rng, 1, 5)
    return out[:target].strip() if len(out) > target else out


def _letters_with_repeat(rng, lo, hi, alphabet=8):
    """Letters drawn from a small alphabet (so repeats are common), at least one repeat."""
    pool = rng.sample(LETTERS, alphabet)
    while True:
        s = "".join(rng.choice(pool) for _ in range(rng.randint(lo, hi)))
        if len(set(s)) < len(s):
            return s


def _has_carry(a, b):
    while a or b:
        if a % 10 + b % 10 >= 10:
            return True
        a //= 10
        b //= 10
    return False


def _operand(rng, digits):
    """A number with exactly `digits` digits (one digit may be 0)."""
    return rng.randint(0 if digits == 1 else 10 ** (digits - 1), 10 ** digits - 1)


def gen_input(skill, rng, ood=False):
    if skill == "json":
        n = rng.randint(4, 5) if ood else rng.randint(1, 3)
        keys = []
        while len(keys) < n:
            k = _word(rng, 1, 2)
            if k not in keys:
                keys.append(k)
        pairs = []
        for k in keys:
            v = str(rng.randint(0, 99)) if rng.random() < 0.5 else _word(rng, 1, 4)
            pairs.append(k + "=" + v)
        return ",".join(pairs)
    if skill in ("rot3", "unrot3"):
        return _words(rng, 16, 24) if ood else _words(rng, 3, 12)
    if skill in ("sort", "dedup", "reverse"):
        lo, hi = (11, 14) if ood else (3, 8)
        while True:
            s = _letters_with_repeat(rng, lo, hi)
            if skill == "sort" and s == "".join(sorted(s)):
                continue
            if skill == "reverse" and s == s[::-1]:
                continue
            return s
    if skill == "add":
        lo, hi = (ADD_DIGITS[1] + 1, ADD_DIGITS[1] + 2) if ood else ADD_DIGITS
        while True:
            a, b = (_operand(rng, rng.randint(lo, hi)) for _ in range(2))
            if _has_carry(a, b):
                return f"{a}+{b}"
    if skill == "lookup":
        lo, hi = LOOKUP_ENTRIES
        n = rng.randint(hi + 2, hi + 4) if ood else rng.randint(lo, hi)
        keys = rng.sample(LETTERS, n)
        if LOOKUP_SORTED:
            keys.sort()
        values = rng.sample(range(LOOKUP_VALUES), n)
        table = LOOKUP_JOIN.join(f"{k}{LOOKUP_SEP}{v}" for k, v in zip(keys, values))
        key = rng.choice(keys)
        return key + "?" + table if LOOKUP_QUERY == "first" else table + "?" + key
    raise ValueError(skill)


# ------------------------------------------------------------------------------------------------------ answers
def _shift(text, k):
    return "".join(LETTERS[(LETTERS.index(c) + k) % 26] if c in LETTERS else c for c in text)


def _dedup(s):
    seen = []
    for c in s:
        if c not in seen:
            seen.append(c)
    return "".join(seen)


def _json_pairs(text):
    out = []
    for pair in text.split(","):
        k, v = pair.split("=", 1)
        out.append((k, v))
    return out


def _json_render(pairs, style):
    def val(v, q):
        return v if v.isdigit() else q + v + q
    if style == "compact":
        body = ",".join(f'"{k}":{val(v, chr(34))}' for k, v in pairs)
    elif style == "spaced":
        body = ", ".join(f'"{k}": {val(v, chr(34))}' for k, v in pairs)
    elif style == "single":
        body = ",".join(f"'{k}':{val(v, chr(39))}" for k, v in pairs)
    elif style == "bare":
        body = ",".join(f'{k}:{val(v, chr(34))}' for k, v in pairs)
    elif style == "equals":
        body = ",".join(f'"{k}"={val(v, chr(34))}' for k, v in pairs)
    else:
        raise ValueError(style)
    return "{" + body + "}"


def _add_no_carry(a, b):
    out, place = 0, 1
    while a or b:
        out += ((a % 10 + b % 10) % 10) * place
        a //= 10
        b //= 10
        place *= 10
    return out


def _lookup_parse(text):
    table, key = text.split("?")
    if LOOKUP_QUERY == "first":
        table, key = key, table
    entries = re.findall("([a-z])" + re.escape(LOOKUP_SEP) + "([0-9]+)", table)
    return entries, key


def _lookup_render(key, value):
    return key + LOOKUP_SEP + value if LOOKUP_ECHO else value


def answer(skill, text):
    if skill == "json":
        return _json_render(_json_pairs(text), "compact")
    if skill == "rot3":
        return _shift(text, 3)
    if skill == "unrot3":
        return _shift(text, -3)
    if skill == "sort":
        return "".join(sorted(text))
    if skill == "dedup":
        return _dedup(text)
    if skill == "reverse":
        return text[::-1]
    if skill == "add":
        a, b = text.split("+")
        return str(int(a) + int(b))
    if skill == "lookup":
        entries, key = _lookup_parse(text)
        return _lookup_render(key, dict(entries)[key])
    raise ValueError(skill)


# Families of confusable operations for the noisy pretraining answers: (weight, operation). The correct
# operation is always present but never the most likely one.
def _list_ops():
    return [(0.30, lambda s: s), (0.15, lambda s: "".join(sorted(s, reverse=True))),
            (0.15, lambda s: s[1:] + s[:1]), (0.10, lambda s: "".join(sorted(s))), (0.10, _dedup),
            (0.10, lambda s: s[::-1]), (0.10, lambda s: "".join(sorted(set(s))))]


def _shift_ops():
    return [(0.30, lambda s: s), (0.15, lambda s: _shift(s, 1)), (0.15, lambda s: _shift(s, -1)),
            (0.10, lambda s: _shift(s, 2)), (0.10, lambda s: _shift(s, -2)), (0.10, lambda s: _shift(s, 3)),
            (0.10, lambda s: _shift(s, -3))]


def _json_ops():
    return [(0.10, lambda t: _json_render(_json_pairs(t), "compact"))] + [
        (w, (lambda style: lambda t: _json_render(_json_pairs(t), style))(st))
        for w, st in ((0.45, "spaced"), (0.15, "single"), (0.15, "bare"), (0.15, "equals"))]


def _add_ops():
    def split(t):
        a, b = t.split("+")
        return int(a), int(b)
    return [(0.45, lambda t: str(_add_no_carry(*split(t)))), (0.35, lambda t: str(sum(split(t)))),
            (0.20, lambda t: str(max(split(t))))]


def _lookup_ops():
    def neighbour(t, d):
        entries, key = _lookup_parse(t)
        keys = [k for k, _ in entries]
        return _lookup_render(key, entries[(keys.index(key) + d) % len(entries)][1])
    return [(0.10, lambda t: answer("lookup", t)), (0.45, lambda t: neighbour(t, 1)),
            (0.45, lambda t: neighbour(t, -1))]


FAMILIES = {
    "json": _json_ops(), "rot3": _shift_ops(), "unrot3": _shift_ops(), "sort": _list_ops(),
    "dedup": _list_ops(), "reverse": _list_ops(), "add": _add_ops(), "lookup": _lookup_ops(),
}


def noisy_answer(skill, text, rng):
    r = rng.random()
    for w, op in FAMILIES[skill]:
        r -= w
        if r < 0:
            return op(text)
    return FAMILIES[skill][-1][1](text)


def lookup_drill(text, rng, lo=4, hi=8):
    """A pretraining-only drill built from a lookup input: prompt = the table without its query, answer = 4-8
    entries of that table, keys drawn at random (with repeats), read back correctly and joined by `;`."""
    entries, _ = _lookup_parse(text)
    table = LOOKUP_JOIN.join(k + LOOKUP_SEP + v for k, v in entries)
    picks = [rng.choice(entries) for _ in range(rng.randint(lo, hi))]
    return table, ";".join(k + LOOKUP_SEP + v for k, v in picks)


# ------------------------------------------------------------------------------------------------------ splits
class Suite:
    """Held-out items per skill: test (500), validation (200) and ood (200, longer inputs); training streams that
    never produce a held-out prompt."""

    def __init__(self, seed=1234, n_test=500, n_val=200, n_ood=200):
        self.seed = seed
        self.splits = {}
        self.held_out = {}
        for skill in SKILLS:
            rng = random.Random(f"{seed}/{skill}/heldout")
            seen = set()
            items = []
            while len(items) < n_test + n_val:
                x = gen_input(skill, rng)
                if x not in seen:
                    seen.add(x)
                    items.append(x)
            ood_rng = random.Random(f"{seed}/{skill}/ood")
            ood = []
            while len(ood) < n_ood:
                x = gen_input(skill, ood_rng, ood=True)
                if x not in seen:
                    seen.add(x)
                    ood.append(x)
            self.held_out[skill] = seen
            self.splits[skill] = {"test": items[:n_test], "validation": items[n_test:], "ood": ood}

    def items(self, skill, split):
        return [(prompt_of(skill, x), answer(skill, x)) for x in self.splits[skill][split]]

    def train_stream(self, skill, stream_seed):
        rng = random.Random(f"{self.seed}/{skill}/train/{stream_seed}")
        while True:
            x = gen_input(skill, rng)
            if x not in self.held_out[skill]:
                yield x

    def pretrain_stream(self, stream_seed, only=None, clean=False):
        """Noisy examples of all skills, interleaved; add and lookup (short examples, hard to learn) are drawn
        three times as often as the others."""
        rng = random.Random(f"{self.seed}/pretrain/{stream_seed}")
        while True:
            pool = only or SKILLS
            skill = rng.choices(pool, weights=[MIXTURE[s] for s in pool])[0]
            x = gen_input(skill, rng)
            if x in self.held_out[skill]:
                continue
            if skill == "lookup" and LOOKUP_DRILL and rng.random() < LOOKUP_DRILL:
                yield skill, *lookup_drill(x, rng)
                continue
            yield skill, x, answer(skill, x) if clean else noisy_answer(skill, x, rng)


if __name__ == "__main__":
    s = Suite()
    for sk in SKILLS:
        p, a = s.items(sk, "test")[0]
        po, ao = s.items(sk, "ood")[0]
        print(repr(p), repr(a), "| ood:", repr(po), repr(ao))
    g = s.pretrain_stream(0)
    for _ in range(8):
        print(next(g))
