"""The score a query adapter is trained and selected on is the score the retriever serves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from assistant.retrieve import FusionWeights, HybridRetriever
from index.store import IndexStore
from lotse.model.pool import PassagePool


def test_the_training_score_ranks_like_the_retriever(demo_data_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = IndexStore(demo_data_dir).load()
    pool = PassagePool.from_index(index)
    assert len(pool.urls) == len(index.chunks) and len(pool.sentence_chunk) == len(index.sentence_map)
    # BM25 and the per-page cap are what the pool leaves out: switch them off in the retriever too.
    retriever = HybridRetriever(embedder, FusionWeights(lexical_german=0.0, lexical_latin=0.0, per_page=0))
    for question, language in [("Wie melde ich mein Kind für einen Kita-Platz an?", "de"),
                               ("Where can my child learn an instrument?", "en"),
                               ("أين يمكنني تعلم اللغة الألمانية؟", "ar")]:
        served = retriever.run(index, question, language=language, k=5)
        scores = pool.scores(torch.from_numpy(served.query_vector[None, :].astype(np.float32)))[0].numpy()
        assert list(np.argsort(-scores, kind="stable")[:5]) == served.ids, question
        np.testing.assert_allclose(scores[served.ids], served.scores, atol=1e-5)
        gold = frozenset({pool.urls[served.ids[0]]})
        assert pool.recall(served.query_vector[None, :].astype(np.float32), [gold], k=1) == 1.0
        assert pool.recall(served.query_vector[None, :].astype(np.float32), [frozenset({"https://elsewhere"})]) == 0.0


def test_at_strength_scales_the_lora_update_and_restores_it() -> None:
    from lotse.model.align import _at_strength
    from lotse.model.lora import LoRALinear

    layers = [LoRALinear(torch.nn.Linear(8, 8), rank=2, alpha=4.0) for _ in range(3)]
    with _at_strength(layers, 0.5):
        assert [layer.scale for layer in layers] == [1.0, 1.0, 1.0]
    assert [layer.scale for layer in layers] == [2.0, 2.0, 2.0]
    with _at_strength(layers, 0.0):  # the original model
        assert [layer.scale for layer in layers] == [0.0, 0.0, 0.0]
    assert [layer.scale for layer in layers] == [2.0, 2.0, 2.0]


def test_ranking_loss_is_zero_for_the_teachers_own_ranking_and_pulls_towards_it() -> None:
    from lotse.model.align import _ranking_loss

    rng = np.random.default_rng(0)

    def unit(*shape: int) -> np.ndarray:
        x = rng.standard_normal(shape).astype(np.float32)
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    pool = PassagePool(unit(12, 16), unit(30, 16), rng.integers(0, 12, 30), [f"u{i}" for i in range(12)])
    masked = torch.zeros(12, dtype=torch.bool)
    masked[[3, 7]] = True  # held-out rows never enter the softmax
    teacher = torch.from_numpy(unit(4, 16))
    assert float(_ranking_loss(pool, teacher, teacher, masked, 50.0)) < 1e-5

    student = torch.from_numpy(unit(4, 16)).requires_grad_(True)
    loss = _ranking_loss(pool, student, teacher, masked, 50.0)
    before = float(loss.detach())
    assert before > 0.1
    loss.backward()
    with torch.no_grad():  # a small step against the gradient lowers it: the term trains the student
        moved = student - 1e-3 * student.grad / student.grad.norm()
    assert float(_ranking_loss(pool, moved, teacher, masked, 50.0)) < before
    # Changing a masked passage's vector changes nothing.
    pool.passages[3] = -pool.passages[3]
    assert abs(float(_ranking_loss(pool, student.detach(), teacher, masked, 50.0)) - before) < 1e-5
