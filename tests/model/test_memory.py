"""The translation memory: built from train pages only, the same bytes every time, pinned, checked
against its vectors, and ranked with."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.factory import build_memory
from lotse.digest import sha256_file
from lotse.model import memory as memory_mod
from lotse.model.memory import (
    MEMORIES,
    MemoryFileError,
    MemorySpec,
    QueryMemory,
    build_memory_texts,
    embed_memory,
    load_memory,
    memory_vectors_path,
)
from lotse.settings import Settings
from tests.conftest import LOTSE, REPO
from tests.model.test_lexicon import _parallel_omos

SHIPPED = "omos-tm-v1"


def _unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    return a / np.linalg.norm(a)


def test_the_texts_come_from_train_pages_only_and_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    splits = _parallel_omos(tmp_path / "data")
    data = build_memory_texts(splits, tmp_path / "m.json.gz", ("en",))
    assert data["line_pairs"] == 12 and data["question_pairs"] == 6  # "Seite i" headings count too
    record = json.loads(gzip.decompress((tmp_path / "m.json.gz").read_bytes()))
    english = [t for t, _ in record["texts"]["en"]]
    assert "The dog needs a tax tag on its collar." in english
    assert not any("parrot" in t for t in english)  # the dev and test page never enter
    german = record["german"]
    pairs = dict((t, german[g]) for t, g in record["texts"]["en"])
    assert pairs["The cat needs no tax tag."] == "Die Katze braucht keine Steuermarke."
    build_memory_texts(splits, tmp_path / "again.json.gz", ("en",))
    assert sha256_file(tmp_path / "again.json.gz") == sha256_file(tmp_path / "m.json.gz")


def test_a_question_borrows_the_german_of_its_nearest_neighbours_above_the_ramp() -> None:
    german = np.stack([_unit([1, 0, 0, 0]), _unit([0, 1, 0, 0]), _unit([0, 0, 1, 0])])
    sources = np.stack([_unit([1, 0.1, 0, 0]), _unit([0, 1, 0.1, 0]), _unit([0.1, 0, 1, 0])])
    spec = MemorySpec("x", ("ar",), neighbours=2, temperature=0.01, gate=(0.6, 0.7))
    memory = QueryMemory("t", spec, german, {"ar": (sources, np.array([0, 1, 2]))})
    q = _unit([0.99, 0.12, 0.0, 0.0])  # nearest to the first source, far from the others
    gv, weight = memory.expand(q, "ar")  # type: ignore[misc]
    assert weight == 1.0 and gv @ german[0] > 0.99  # a clearly nearer neighbour leads at temperature 0.01
    assert memory.expand(q, "uk") is None and memory.expand(q, "de") is None  # languages it does not serve
    # the ramp: no expansion when the best neighbour is far, part of it in between
    assert memory.expand(_unit([0, 0, 0, 1]), "ar") is None
    between = _unit([0.65, 0, 0, np.sqrt(1 - 0.65**2)])
    _, w = memory.expand(between, "ar")  # type: ignore[misc]
    assert 0.0 < w < 1.0
    # two equally near neighbours share the German vector
    tie = QueryMemory("t", replace(spec, temperature=1.0), german, {"ar": (sources, np.array([0, 1, 2]))})
    gv, _ = tie.expand(_unit([1, 1, 0.1, 0]), "ar")  # type: ignore[misc]
    assert abs(float(gv @ german[0]) - float(gv @ german[1])) < 0.05


def test_the_shipped_memory_is_pinned_and_its_vectors_are_checked(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings()
    memory = load_memory(SHIPPED, s.model_cache_dir)  # `make test` ran `lotse model build`, which encodes it
    assert memory.languages == frozenset({"en", "ar", "uk"})
    assert sha256_file(memory_mod.MEMORY_DIR / f"{SHIPPED}.json.gz") == MEMORIES[SHIPPED].sha256
    # an Arabic question about Kita fees borrows German that speaks of Kita fees
    from lotse.embedding import load_embedder

    embedder = load_embedder(s.provisioned_model_path("none"))
    q = embedder.embed_queries(["كم تكلفة مكان في روضة الأطفال؟"], "ar")[0]
    gv, weight = memory.expand(q, "ar")  # type: ignore[misc]
    assert weight > 0.5
    record = json.loads(gzip.decompress((memory_mod.MEMORY_DIR / f"{SHIPPED}.json.gz").read_bytes()))
    nearest = [record["german"][i] for i in np.argsort(-(memory.german @ gv))[:5]]
    assert any("Kita" in t or "Kinder" in t for t in nearest), nearest

    # altered texts, missing texts, missing vectors, vectors of other texts: each refused, saying what to do
    folder = tmp_path / "memories"
    folder.mkdir()
    record["german"][0] = "verändert"
    (folder / f"{SHIPPED}.json.gz").write_bytes(gzip.compress(json.dumps(record).encode()))
    monkeypatch.setattr(memory_mod, "MEMORY_DIR", folder)
    with pytest.raises(MemoryFileError, match="altered. Restore it from git"):
        load_memory(SHIPPED, s.model_cache_dir)
    (folder / f"{SHIPPED}.json.gz").unlink()
    with pytest.raises(MemoryFileError, match="is missing: restore it from git, or set LOTSE_QUERY_MEMORY=none"):
        load_memory(SHIPPED, s.model_cache_dir)
    with pytest.raises(MemoryFileError, match="Unknown translation memory 'omos-tm-v9'; shipped: omos-tm-v1"):
        load_memory("omos-tm-v9", s.model_cache_dir)
    monkeypatch.undo()
    with pytest.raises(MemoryFileError, match="run `lotse model build`"):
        load_memory(SHIPPED, tmp_path / "empty-cache")
    other = memory_vectors_path(tmp_path, SHIPPED)
    with np.load(memory_vectors_path(s.model_cache_dir, SHIPPED)) as z:
        arrays = dict(z)
    arrays["texts_sha256"] = np.array("0" * 64)
    np.savez(other, **arrays)
    with pytest.raises(MemoryFileError, match="belong to other texts"):
        load_memory(SHIPPED, tmp_path)
    other.write_bytes(b"not an npz")
    with pytest.raises(MemoryFileError, match="cannot be read"):
        load_memory(SHIPPED, tmp_path)


def test_embed_memory_encodes_both_sides_with_the_model(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    splits = _parallel_omos(tmp_path / "data")
    texts = tmp_path / "m.json.gz"
    build_memory_texts(splits, texts, ("en",))
    out = embed_memory(texts, embedder, tmp_path / "v.npz")
    with np.load(out) as z:
        assert str(z["texts_sha256"]) == sha256_file(texts)
        assert z["src_en"].shape == (18, embedder.dim) and z["german"].shape[1] == embedder.dim
        record = json.loads(gzip.decompress(texts.read_bytes()))
        i = [t for t, _ in record["texts"]["en"]].index("The dog needs a tax tag on its collar.")
        own = z["german"][z["ger_en"][i]].astype(np.float32)
        # an English line sits nearer its own German version than the other German lines do
        sims = z["german"].astype(np.float32) @ z["src_en"][i].astype(np.float32)
        assert np.argmax(sims) == z["ger_en"][i] and float(own @ own) > 0.99


def test_the_setting_and_the_model_decide_whether_the_memory_is_used(tmp_path: Path) -> None:
    s = Settings()
    assert s.query_memory == SHIPPED
    default = build_memory(s)
    assert default is not None and default.name == SHIPPED
    # the original model named by its path (as the tests and the eval harness do) still gets it
    assert build_memory(Settings(embedding_model=s.provisioned_model_path("none"))) is not None
    assert build_memory(Settings(query_memory="none")) is None
    # another model's vectors live in another space: no memory for it
    assert build_memory(Settings(embedding_model=str(tmp_path / "other-model"))) is None
    assert build_memory(Settings(embedding_adapter="omos-lora-v1")) is None
    with pytest.raises(MemoryFileError, match="Unknown translation memory"):
        build_memory(Settings(query_memory="nope"))


def test_lotse_model_memory_rebuilds_the_file_and_says_what_is_missing(tmp_path: Path) -> None:
    splits = _parallel_omos(tmp_path / "data")
    env = {**os.environ, "LOTSE_EVAL_DATA_DIR": str(splits.parent.parent)}
    out = tmp_path / "built.json.gz"
    proc = subprocess.run([*LOTSE, "model", "memory", "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "train_ar.jsonl" in " ".join((proc.stdout + proc.stderr).split())
    for lang in ("ar", "uk"):  # the fixture has en only; the command builds en, ar and uk
        for split in ("train", "dev", "test"):
            shutil.copy(splits / f"{split}_en.jsonl", splits / f"{split}_{lang}.jsonl")
    proc = subprocess.run([*LOTSE, "model", "memory", "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stdout.split())  # rich wraps long lines
    assert f"sha256 {sha256_file(out)}" in said and "54 texts (18 questions)" in said
    shutil.rmtree(splits)
    proc = subprocess.run([*LOTSE, "model", "memory", "--out", str(tmp_path / "x.json.gz")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "set LOTSE_EVAL_DATA_DIR" in " ".join(proc.stderr.split())
    assert not (tmp_path / "x.json.gz").exists()


def test_model_build_encodes_the_memory_once_and_again_when_its_vectors_do_not_verify(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model_path: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    from lotse.commands.model import encode_memories

    folder = tmp_path / "memories"
    build_memory_texts(_parallel_omos(tmp_path / "data"), folder / "tiny.json.gz", ("en",))
    monkeypatch.setattr(memory_mod, "MEMORY_DIR", folder)
    monkeypatch.setattr(memory_mod, "MEMORIES", {"tiny": MemorySpec(sha256_file(folder / "tiny.json.gz"), ("en",))})
    cache = tmp_path / "cache"
    encode_memories(Path(model_path), cache, force=False)
    vectors = memory_vectors_path(cache, "tiny")
    assert load_memory("tiny", cache).languages == frozenset({"en"})
    stamp = vectors.stat().st_mtime_ns
    encode_memories(Path(model_path), cache, force=False)  # verified, not encoded again
    assert vectors.stat().st_mtime_ns == stamp and "(verified)" in capsys.readouterr().out
    vectors.write_bytes(b"damaged")
    encode_memories(Path(model_path), cache, force=False)
    assert "Encoding it again" in " ".join(capsys.readouterr().err.split())
    assert load_memory("tiny", cache).languages == frozenset({"en"})
