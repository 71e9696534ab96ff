"""The Haystack peer with the product's query encoder: it must rank with exactly ours' question vectors.

Needs the optional ``bench`` extra (``pip install -e '.[bench]'``); skipped without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.retrieve import FusionWeights, HybridRetriever
from index.store import IndexStore
from lotse.embedding import load_embedder
from lotse.model.adapter import load_query_adapter
from lotse.settings import OMOS_ADAPTER

pytest.importorskip("haystack", reason="the Haystack peer is in the optional bench extra")


def test_the_peer_ranks_an_arabic_question_by_the_adapted_vector(demo_data_dir: Path, model_path: str) -> None:
    from evaluation.peer_haystack import HaystackPeer

    index = IndexStore(demo_data_dir).load()
    adapted = load_embedder(model_path, query_adapter=load_query_adapter(OMOS_ADAPTER))
    question = "ماذا تخطط مدينة بوخوم لرعاية الأطفال في الحضانات؟"
    peer = HaystackPeer(index, model_path, query_encoder=adapted)
    # An Arabic question shares no word with the German passages: BM25 returns nothing and the
    # peer's fused list is its embedding retriever's, which must be the dense ranking of ours.
    served = HybridRetriever(adapted, FusionWeights(per_page=0), mode="dense").run(
        index, question, language="ar", k=3).ids
    original = HybridRetriever(load_embedder(model_path), FusionWeights(per_page=0), mode="dense").run(
        index, question, language="ar", k=3).ids
    assert served != original  # else this test could not tell which vector the peer used
    assert peer.search(question, "ar", 3) == served
    stock = HaystackPeer(index, model_path)
    stock.prepare([question])
    assert stock.search(question, "ar", 3) == original
