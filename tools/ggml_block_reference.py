#!/usr/bin/python3
"""Writes tests/fixtures/ggml_blocks/blocks.json: blocks of every GGUF quantized type AttnScope
reads, with the floats ggml itself decodes them to (dequantize_row_* of llama.cpp's
libggml-base.so, as node-llama-cpp 3.21.1 ships it). The test beside the decoder compares
against these; they are ggml's numbers, not ours.

Two kinds of block per type: ggml's own quantization (quantize_row_*_ref) of a random vector,
and random bytes whose half-precision scale fields are set to finite values, so that every bit
pattern of the packed integers and scales is exercised, not only those a quantizer writes.

Usage: tools/ggml_block_reference.py LIBGGML_BASE_SO OUT_JSON
"""
import ctypes
import json
import random
import struct
import sys

# type: (block bytes, values per block, offsets of the half-precision fields)
TYPES = {
    "Q4_0": (18, 32, [0]),
    "Q4_1": (20, 32, [0, 2]),
    "Q5_0": (22, 32, [0]),
    "Q5_1": (24, 32, [0, 2]),
    "Q8_0": (34, 32, [0]),
    "Q2_K": (84, 256, [80, 82]),
    "Q3_K": (110, 256, [108]),
    "Q4_K": (144, 256, [0, 2]),
    "Q5_K": (176, 256, [0, 2]),
    "Q6_K": (210, 256, [208]),
}


def main():
    lib = ctypes.CDLL(sys.argv[1])
    lib.ggml_fp32_to_fp16.restype = ctypes.c_uint16
    lib.ggml_fp32_to_fp16.argtypes = [ctypes.c_float]
    rng = random.Random(20261206)
    out = {"source": "llama.cpp libggml-base.so from node-llama-cpp 3.21.1", "types": {}}
    for name, (block_bytes, values, half_fields) in TYPES.items():
        lower = name[:-1].lower() + name[-1] if name.endswith("K") else name.lower()
        dequantize = getattr(lib, "dequantize_row_" + lower)
        quantize = getattr(lib, "quantize_row_" + lower + "_ref")
        for f in (dequantize, quantize):
            f.restype = None
            f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
        count = 2 * 256  # two K-quant super-blocks, sixteen small blocks
        blocks = count // values
        cases = []

        # ggml's quantization of a random vector with a few outliers.
        xs = [rng.gauss(0.0, 1.0) * (8.0 if rng.random() < 0.02 else 1.0) for _ in range(count)]
        src = (ctypes.c_float * count)(*xs)
        packed = (ctypes.c_uint8 * (blocks * block_bytes))()
        quantize(ctypes.addressof(src), ctypes.addressof(packed), count)
        cases.append(bytes(packed))

        # Random bytes, with finite scales.
        raw = bytearray(rng.getrandbits(8) for _ in range(blocks * block_bytes))
        for b in range(blocks):
            for off in half_fields:
                h = lib.ggml_fp32_to_fp16(rng.uniform(-2.0, 2.0))
                struct.pack_into("<H", raw, b * block_bytes + off, h)
        cases.append(bytes(raw))

        entries = []
        for data in cases:
            buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
            dst = (ctypes.c_float * count)()
            dequantize(ctypes.addressof(buf), ctypes.addressof(dst), count)
            entries.append({"bytes": data.hex(), "floats": [float(v) for v in dst]})
        out["types"][name] = entries
    with open(sys.argv[2], "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
