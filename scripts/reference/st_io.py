"""Minimal safetensors reading and writing for the reference fixtures.

Debian's python3-torch ships without the `safetensors` package, so this module implements the format directly:
an 8-byte little-endian header length, a JSON header (name -> dtype, shape, data_offsets), then the raw
little-endian tensor bytes. Reading goes back through torch so that 16-bit weights are widened exactly.
"""

import json
import struct

import torch

_DTYPES = {
    torch.float32: ("F32", 4),
    torch.float16: ("F16", 2),
    torch.bfloat16: ("BF16", 2),
}
_BY_NAME = {name: (dt, width) for dt, (name, width) in _DTYPES.items()}


def _raw_bytes(t):
    t = t.contiguous().cpu()
    if t.dtype == torch.float32:
        return t.numpy().tobytes()
    # numpy has no bfloat16: reinterpret 16-bit floats as int16 (same bytes, host order = little-endian on x86)
    return t.view(torch.int16).numpy().tobytes()


def write(path, tensors, metadata=None):
    """Writes an ordered dict name -> tensor (F32, F16 or BF16) as one safetensors file."""
    header = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    blobs = []
    offset = 0
    for name, t in tensors.items():
        dtype_name, _ = _DTYPES[t.dtype]
        raw = _raw_bytes(t)
        header[name] = {"dtype": dtype_name, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


def read(path):
    """Reads every tensor of a safetensors file, keeping its stored dtype."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    body = data[8 + n :]
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dt, width = _BY_NAME[spec["dtype"]]
        begin, end = spec["data_offsets"]
        raw = bytearray(body[begin:end])
        if dt == torch.float32:
            t = torch.frombuffer(raw, dtype=torch.float32)
        else:
            t = torch.frombuffer(raw, dtype=torch.int16).view(dt)
        out[name] = t.reshape(spec["shape"]).clone()
    return out
