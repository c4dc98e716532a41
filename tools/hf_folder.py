"""Helpers shared by tools/train_induction.py and tools/train_shapes.py: write a Hugging Face
model folder (safetensors, JSON) and PNG files with nothing but the Python standard library,
numpy and torch (no transformers, safetensors or PIL packages needed)."""

import json
import os
import struct
import zlib

import numpy as np

_DTYPES = {np.dtype("float32"): "F32", np.dtype("float16"): "F16"}


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: numpy array} as a .safetensors file: an 8-byte little-endian header length,
    a JSON header (padded with spaces to a multiple of 8 bytes), then the raw little-endian
    tensor bytes in the header's order (sorted by name)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        if a.dtype not in _DTYPES:
            raise ValueError(f"{name}: unsupported dtype {a.dtype}")
        data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _DTYPES[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = dict(metadata or {"format": "pt"})
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    """Reads a file written by write_safetensors back into {name: numpy array}."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    inverse = {v: k for k, v in _DTYPES.items()}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(body[b:e], dtype=inverse[info["dtype"]].newbyteorder("<")).reshape(info["shape"])
    return out


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_png(path, rgb):
    """Writes an [H, W, 3] uint8 array as an 8-bit RGB PNG."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def state_dict_to_numpy(state_dict, dtype):
    return {k: v.detach().cpu().numpy().astype(dtype) for k, v in state_dict.items()}
