"""Versioned index: atomic publish, verification, rollback, live switching (hashing embedder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.live import LiveIndex
from index.store import IndexStore, LoadedIndex
from ingest.pipeline import IngestPipeline
from ingest.sources import JsonlSource
from lotse.embedding import HashingEmbedder
from lotse.errors import IndexCorruptError, IndexNotFoundError


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


RECORDS = [
    {"url": "https://x.test/kita", "title": "Kita",
     "text": "Die Kita-Anmeldung erfolgt online.\n\nPlätze für Kinder unter drei Jahren."},
    {"url": "https://x.test/vhs", "title": "VHS", "text": "Die Volkshochschule bietet Deutschkurse an."},
    {"url": "https://x.test/hund", "title": "Hundesteuer", "text": "Hunde müssen angemeldet werden."},
]


def ingest(tmp_path: Path, records: list[dict]) -> tuple[IndexStore, str]:
    src = JsonlSource(name="t", kind="jsonl", path=write_jsonl(tmp_path / "r.jsonl", records))
    store = IndexStore(tmp_path / "data")
    result = IngestPipeline(HashingEmbedder(), store, user_agent="test").run([src])
    return store, result.version


class TestIndexStore:
    def test_publish_and_load(self, tmp_path: Path) -> None:
        store, version = ingest(tmp_path, RECORDS)
        assert store.current() == version
        idx = store.load()
        assert {c.source.url for c in idx.chunks} == {r["url"] for r in RECORDS}
        assert idx.manifest["counts"]["documents"] == 3
        assert idx.dense.size == len(idx.chunks)
        assert set(idx.manifest["checksums"]) >= {"chunks.jsonl", "dense.faiss", "sentences.npy"}

    def test_no_index_is_a_clear_error(self, tmp_path: Path) -> None:
        with pytest.raises(IndexNotFoundError, match="lotse ingest"):
            IndexStore(tmp_path).load()

    def test_tampered_file_is_detected(self, tmp_path: Path) -> None:
        store, version = ingest(tmp_path, RECORDS)
        f = store.versions_dir / version / "chunks.jsonl"
        f.write_text(f.read_text(encoding="utf-8").replace("Kita", "Kiez"), encoding="utf-8")
        with pytest.raises(IndexCorruptError, match="chunks.jsonl"):
            store.load()

    def test_rollback_to_previous(self, tmp_path: Path) -> None:
        store, v1 = ingest(tmp_path, RECORDS)
        _, v2 = ingest(tmp_path, RECORDS[:2])
        assert store.current() == v2 and store.previous() == v1
        store.publish(store.previous() or "")
        assert store.current() == v1

    def test_leftover_temporary_build_is_ignored_and_cleaned(self, tmp_path: Path) -> None:
        store, v1 = ingest(tmp_path, RECORDS)
        (store.versions_dir / ".tmp-killed").mkdir()
        assert [m["version"] for m in store.versions()] == [v1]
        assert store.clean_temporary() == 1


class TestLiveIndex:
    def test_switches_to_new_version_and_keeps_last_good(self, tmp_path: Path) -> None:
        store, v1 = ingest(tmp_path, RECORDS)
        live = LiveIndex(store, check_interval=0)
        assert live.get().version == v1
        _, v2 = ingest(tmp_path, RECORDS[:2])
        assert live.get().version == v2
        # a damaged new version must not go live: the server keeps answering from v2
        _, v3 = ingest(tmp_path, RECORDS)
        (store.versions_dir / v3 / "dense.faiss").write_bytes(b"broken")
        assert live.get().version == v2
        assert live.last_error and "damaged" in live.last_error

    def test_what_is_derived_from_a_version_is_derived_before_it_goes_live(self, tmp_path: Path) -> None:
        store, v1 = ingest(tmp_path, RECORDS)
        live = LiveIndex(store, check_interval=0)
        seen: list[tuple[str, str | None]] = []  # (version prepared, version live meanwhile)

        def prepare(index: LoadedIndex) -> None:
            live_now = live.loaded
            seen.append((index.version, live_now.version if live_now else None))

        live.on_load(prepare)
        assert live.get().version == v1
        _, v2 = ingest(tmp_path, RECORDS[:2])
        assert live.get().version == v2
        assert live.get().version == v2  # not prepared again while it stays
        assert seen == [(v1, None), (v2, v1)]

    def test_starts_on_the_newest_good_version_when_the_published_one_is_damaged(self, tmp_path: Path) -> None:
        store, v1 = ingest(tmp_path, RECORDS)
        _, v2 = ingest(tmp_path, RECORDS[:2])
        _, v3 = ingest(tmp_path, RECORDS)
        (store.versions_dir / v3 / "chunks.jsonl").write_text("tampered", encoding="utf-8")
        live = LiveIndex(store, check_interval=0)  # a server starting now
        assert live.get().version == v2
        assert live.last_error and v3 in live.last_error and v2 in live.last_error
        # a good publish afterwards goes live as usual
        _, v4 = ingest(tmp_path, RECORDS)
        assert live.get().version == v4 and live.last_error is None

    def test_missing_published_version_at_start_falls_back_too(self, tmp_path: Path) -> None:
        store, v1 = ingest(tmp_path, RECORDS)
        store.pointer.write_text("20990101T000000-gone", encoding="utf-8")
        live = LiveIndex(store, check_interval=0)
        assert live.get().version == v1
        assert "20990101T000000-gone" in str(live.last_error)

    def test_no_good_version_at_all_is_an_error(self, tmp_path: Path) -> None:
        store, v1 = ingest(tmp_path, RECORDS)
        (store.versions_dir / v1 / "dense.faiss").write_bytes(b"broken")
        with pytest.raises(IndexCorruptError):
            LiveIndex(store, check_interval=0).get()


def test_jsonl_problems_are_reported_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [json.dumps(RECORDS[0]), "{not json", json.dumps({"url": "u", "title": "t"}), json.dumps(RECORDS[1])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    src = JsonlSource(name="t", kind="jsonl", path=path)
    result = IngestPipeline(HashingEmbedder(), IndexStore(tmp_path / "d"), user_agent="t").run([src])
    report = result.reports[0]
    assert report.documents == 2
    reasons = [f["reason"] for f in report.failed]
    assert any("not valid JSON" in r for r in reasons) and any("text" in r for r in reasons)
    assert [f["url"] for f in report.failed] == ["r.jsonl:2", "r.jsonl:3"]


def test_second_ingest_reuses_cached_embeddings(tmp_path: Path) -> None:
    class CountingEmbedder(HashingEmbedder):
        calls = 0

        def embed_passages(self, texts):  # type: ignore[no-untyped-def]
            type(self).calls += len(texts)
            return super().embed_passages(texts)

    src = JsonlSource(name="t", kind="jsonl", path=write_jsonl(tmp_path / "r.jsonl", RECORDS))
    store = IndexStore(tmp_path / "data")
    emb = CountingEmbedder()
    IngestPipeline(emb, store, user_agent="t").run([src])
    first = CountingEmbedder.calls
    assert first > 0
    changed = [*RECORDS[:2], {**RECORDS[2], "text": "Hunde müssen neu angemeldet werden."}]
    write_jsonl(tmp_path / "r.jsonl", changed)
    IngestPipeline(emb, store, user_agent="t").run([src])
    # only the changed passage and its sentence were embedded again
    assert CountingEmbedder.calls - first == 2
    a, b = (store.load(v["version"]) for v in store.versions())
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]


def test_report_says_what_changed(tmp_path: Path) -> None:
    src = JsonlSource(name="t", kind="jsonl", path=write_jsonl(tmp_path / "r.jsonl", RECORDS))
    store = IndexStore(tmp_path / "data")
    first = IngestPipeline(HashingEmbedder(), store, user_agent="t").run([src]).reports[0]
    assert (first.new, first.updated, first.unchanged, first.removed) == (3, 0, 0, [])
    write_jsonl(tmp_path / "r.jsonl", [RECORDS[0], {**RECORDS[1], "text": "Neuer Text zur VHS."},
                                       {"url": "https://x.test/neu", "title": "Neu", "text": "Ganz neu hier."}])
    second = IngestPipeline(HashingEmbedder(), store, user_agent="t", max_document_loss=1.0).run([src]).reports[0]
    assert (second.new, second.updated, second.unchanged) == (1, 1, 1)
    assert second.removed == ["https://x.test/hund"]
    assert "https://x.test/hund" not in {c.source.url for c in store.load().chunks}


def test_dense_vectors_come_back_as_stored_also_memory_mapped(tmp_path: Path) -> None:
    import numpy as np

    from index.dense import DenseIndex

    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(7, 16)).astype(np.float32)
    DenseIndex.build(vecs).save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss")  # the server's way: memory-mapped, read-only
    np.testing.assert_array_equal(loaded.vectors(), vecs)
    np.testing.assert_array_equal(loaded.vectors(np.array([5, 0, 5])), vecs[[5, 0, 5]])
    np.testing.assert_array_equal(loaded.vectors(np.array([5])), loaded.reconstruct(5)[None, :])
    assert loaded.vectors(np.array([], dtype=np.int64)).shape == (0, 16)
    assert DenseIndex.build(np.zeros((0, 16), np.float32)).vectors().shape == (0, 16)
