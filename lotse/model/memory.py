"""A translation memory: an en, ar or uk question borrows the German of its nearest train sentences.

The query adapters move a translated question towards where its German twin lands, but on
OMoS-QA they still miss a quarter of the pages German questions find. Same-language similarity
is what the model does best: an Arabic question finds Arabic sentences that say the same thing
far more reliably than it finds the German page. OMoS-QA's train split holds its questions and
page lines in German and, line-aligned, in en/ar/uk (the dataset's own translations; dev and test
pages are skipped by :func:`lotse.model.align.parallel_pairs`). So the question looks up its
nearest texts in its own language, and the German versions of those, weighted by similarity,
give a German query vector. `HybridRetriever` scores the passages with it beside the question's
own vector, at half weight: the question is, in effect, translated by retrieval.

Two files make a memory:

- ``memories/<name>.json.gz`` in the repo: the texts (OMoS-QA, CC BY 4.0), pinned by sha256;
  `lotse model memory` rebuilds it byte for byte from the train split;
- ``<model cache>/memory-<name>.npz``: their vectors under the original model, written by
  `lotse model build` (about 6 min on 2 cores), checked against the texts' sha256 at load.

A Wikipedia question in Arabic has no municipal neighbour and its borrowed German vector is
noise, so the weight ramps from 0 to full as the best neighbour's cosine goes from ``gate[0]`` to
``gate[1]``. Every setting was chosen on OMoS-QA dev (docs/benchmarks.md, "A translation memory").
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lotse.digest import sha256_file, write_json_gz
from lotse.errors import LotseError

if TYPE_CHECKING:
    from lotse.embedding import Embedder

__all__ = ["MEMORIES", "MEMORY_DIR", "MemoryFileError", "MemorySpec", "QueryMemory", "build_memory_texts",
           "embed_memory", "load_memory", "memory_vectors_path"]

MEMORY_DIR = Path(__file__).parent / "memories"


class MemoryFileError(LotseError):
    """The translation memory is missing, altered or unreadable."""


@dataclass(frozen=True, slots=True)
class MemorySpec:
    sha256: str  # of <name>.json.gz in MEMORY_DIR
    serve: tuple[str, ...]  # the question languages it expands
    neighbours: int = 5
    temperature: float = 0.01  # softmax over the neighbours' cosines: 0.01 lets a clearly nearer one lead
    gate: tuple[float, float] = (0.60, 0.70)  # best neighbour's cosine: no expansion below, full above


MEMORIES: dict[str, MemorySpec] = {
    "omos-tm-v1": MemorySpec("3655cbdb8b2d4b91e2b9f4e8e20fe566b9f384dbad3d9e4a97b48e2f014eaba5", ("en", "ar", "uk")),
}


def build_memory_texts(split_dir: Path, out: Path, languages: tuple[str, ...] = ("en", "ar", "uk")) -> dict:
    """Write the memory's texts from the OMoS-QA train split to ``out`` (gzip JSON, same bytes every
    time); returns the record's data card."""
    from lotse.model.align import parallel_pairs

    try:
        pairs, stats = parallel_pairs(split_dir, languages, 1)  # short lines too: "Telefon:" finds "Phone:"
    except FileNotFoundError as exc:
        raise MemoryFileError(f"The memory needs OMoS-QA's train split in German and in {', '.join(languages)}: "
                          f"{exc.filename} is missing.") from exc
    german = sorted({p.german for p in pairs})
    at = {g: i for i, g in enumerate(german)}
    texts = {lang: [[p.text, at[p.german]] for p in pairs if p.language == lang] for lang in languages}
    data = {**stats, "source": "OMoS-QA train split (CC BY 4.0): questions and page lines with their German",
            "languages": list(languages)}
    record = {"data": data, "german": german, "texts": texts}
    write_json_gz(record, out)
    return data


def _read_texts(path: Path) -> dict:
    try:
        return json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, ValueError) as exc:
        raise MemoryFileError(f"The translation memory {path} cannot be read ({exc}); restore it from git or "
                              "rebuild it with `lotse model memory`.") from exc


def memory_vectors_path(model_cache_dir: Path, name: str) -> Path:
    return Path(model_cache_dir) / f"memory-{name}.npz"


def embed_memory(texts_path: Path, embedder: Embedder, out: Path,
                 progress: Callable[[str], None] = lambda _m: None) -> Path:
    """Encode the memory's texts with ``embedder`` (the original model: no query adapter) into ``out``.

    Both sides are encoded as queries: a neighbour is matched question to question, and its German
    version stands in for the German question."""
    record = _read_texts(texts_path)
    arrays: dict[str, np.ndarray] = {"texts_sha256": np.array(sha256_file(texts_path))}
    progress(f"German: {len(record['german'])} texts")
    arrays["german"] = embedder.embed_queries(record["german"]).astype(np.float16)
    for lang, rows in record["texts"].items():
        progress(f"{lang}: {len(rows)} texts")
        arrays[f"src_{lang}"] = embedder.embed_queries([t for t, _ in rows]).astype(np.float16)
        arrays[f"ger_{lang}"] = np.asarray([g for _, g in rows], dtype=np.int32)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(out)
    return out


class QueryMemory:
    """The German query vector an en/ar/uk question borrows from its nearest memory texts."""

    def __init__(self, name: str, spec: MemorySpec, german: np.ndarray,
                 sources: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        self.name = name
        self.spec = spec
        self.german = german  # (g, dim) float32
        self.sources = sources  # language -> ((n, dim) float32 vectors, (n,) index into german)
        self.languages = frozenset(spec.serve) & frozenset(sources)

    def expand(self, qv: np.ndarray, language: str) -> tuple[np.ndarray, float] | None:
        """(German query vector, its weight in [0, 1]) for a question vector, or None when the
        language is not served or no neighbour is close enough."""
        if language not in self.languages:
            return None
        vectors, to_german = self.sources[language]
        sims = vectors @ qv.astype(np.float32)
        k = min(self.spec.neighbours, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        lo, hi = self.spec.gate
        gate = float(np.clip((sims[top[0]] - lo) / (hi - lo), 0.0, 1.0)) if hi > lo else float(sims[top[0]] >= lo)
        if gate <= 0.0:
            return None
        w = np.exp((sims[top] - sims[top[0]]) / self.spec.temperature)
        g = (w[:, None] * self.german[to_german[top]]).sum(0)
        return (g / np.linalg.norm(g)).astype(np.float32), gate


def load_memory(name: str, model_cache_dir: Path) -> QueryMemory:
    """A shipped memory by name: its texts checked against the pinned sha256, its vectors against the texts."""
    if name not in MEMORIES:
        raise MemoryFileError(f"Unknown translation memory {name!r}; shipped: {', '.join(MEMORIES)} (or 'none').")
    spec = MEMORIES[name]
    texts = MEMORY_DIR / f"{name}.json.gz"
    if not texts.is_file():
        raise MemoryFileError(f"The translation memory {texts} is missing: restore it from git, or set "
                              "LOTSE_QUERY_MEMORY=none to rank without it.")
    digest = sha256_file(texts)
    if digest != spec.sha256:
        raise MemoryFileError(f"The translation memory {texts} has sha256 {digest}, expected {spec.sha256}: it was "
                              "altered. Restore it from git or rebuild it with `lotse model memory`.")
    path = memory_vectors_path(model_cache_dir, name)
    if not path.is_file():
        raise MemoryFileError(f"No vectors for the translation memory {name!r} at {path}: run `lotse model build` "
                              "(it encodes them once, about 6 min), or set LOTSE_QUERY_MEMORY=none.")
    try:
        with np.load(path) as z:
            if str(z["texts_sha256"]) != digest:
                raise MemoryFileError(f"The vectors at {path} belong to other texts than {texts}: run "
                                      "`lotse model build --force` to encode them again.")
            german = z["german"].astype(np.float32)
            sources = {lang: (z[f"src_{lang}"].astype(np.float32), z[f"ger_{lang}"].astype(np.int64))
                       for lang in spec.serve if f"src_{lang}" in z}
    except (OSError, EOFError, ValueError, KeyError) as exc:
        raise MemoryFileError(f"The vectors at {path} cannot be read ({exc}): "
                              "run `lotse model build --force`.") from exc
    return QueryMemory(name, spec, german, sources)
