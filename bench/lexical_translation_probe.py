"""How much can German BM25 terms still add to en/ar/uk questions? Two probes on OMoS-QA dev.

    .venv/bin/python bench/lexical_translation_probe.py [--split dev]

Both run the product's ``HybridRetriever`` as served (query adapter, translation memory, per-page
cap) over the cached `lotse eval omos` index (build it with `lotse eval omos --split dev`), and
feed it German terms through its query-lexicon hook at weight ``lexical_translated`` (the
lexicon's 0.04, and 0.01-0.08 around it). Page Recall@1 / Recall@5 per language.

1. **The memory's German words.** The translation memory already finds, for each question, its
   nearest train texts in its own language and their German versions; it uses their vectors.
   Here their German *words* score the BM25 index instead: 1 or 5 neighbours (softmax weights at
   temperature 0.01 or 0.05, times the memory's ramp), all neighbours or the train questions only,
   for ar/uk or for en/ar/uk.
2. **A perfect translation (ceiling).** Each question's German twin in the dataset (the same item
   of ``dev_de``) gives its words as the terms: what any word-by-word query translation, a
   dictionary or a lexicon, could add at best.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.retrieve import FusionWeights, HybridRetriever  # noqa: E402
from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos  # noqa: E402
from lotse.embedding import load_embedder  # noqa: E402
from lotse.model.adapter import load_query_adapter  # noqa: E402
from lotse.model.memory import MEMORY_DIR, load_memory  # noqa: E402
from lotse.settings import OMOS_ADAPTER, Settings  # noqa: E402

LANGS = ("en", "ar", "uk")


class _Vectors:
    """The served question vectors, encoded once (the retriever asks for one question at a time)."""

    def __init__(self, embedder, vectors: dict[tuple[str, str], np.ndarray]) -> None:  # type: ignore[no-untyped-def]
        self.query_adapter = embedder.query_adapter
        self.vectors = vectors

    def embed_queries(self, texts: list[str], language: str | None = None) -> np.ndarray:
        return np.stack([self.vectors[(language or "", t)] for t in texts])


class _Terms:
    """A query lexicon whose German terms come from ``terms(text, language)``."""

    def __init__(self, languages: tuple[str, ...], terms: Callable[[str, str], dict[str, float]]) -> None:
        self.languages = frozenset(languages)
        self._terms = terms

    def terms(self, text: str, language: str) -> dict[str, float]:
        return self._terms(text, language)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev")
    args = ap.parse_args()
    s = Settings()
    index = cached_omos_index(s, None)
    urls = [c.source.url for c in index.chunks]
    evalset = load_omos(s.eval_data_dir, args.split, [*LANGS, "de"])
    twin = {(lang, q.text): d.text for lang in LANGS
            for q, d in zip(evalset.questions[lang], evalset.questions["de"], strict=True)}
    questions = {lang: [q for q in evalset.questions[lang] if q.answerable and q.in_corpus and q.gold_urls & set(urls)]
                 for lang in LANGS}
    memory = load_memory("omos-tm-v1", s.model_cache_dir)
    record = json.loads(gzip.decompress((MEMORY_DIR / "omos-tm-v1.json.gz").read_bytes()))
    train_questions = {json.loads(line)["question"] for line in
                       (s.eval_data_dir / "omos_qa_integreat" / "splits" / "train_de.jsonl").open(encoding="utf-8")}
    is_question = np.array([g in train_questions for g in record["german"]])
    embedder = load_embedder(s.provisioned_model_path("none"), query_adapter=load_query_adapter(OMOS_ADAPTER))
    vectors = {(lang, q.text): v for lang in LANGS for q, v in
               zip(questions[lang], embedder.embed_queries([q.text for q in questions[lang]], lang), strict=True)}
    cached = _Vectors(embedder, vectors)
    analyze = index.lexical.analyzer

    def neighbours(k: int, temperature: float, questions_only: bool) -> Callable[[str, str], dict[str, float]]:
        def terms(text: str, language: str) -> dict[str, float]:
            src, to_german = memory.sources[language]
            sims = src @ vectors[(language, text)]
            if questions_only:
                sims = np.where(is_question[to_german], sims, -1.0)
            top = np.argsort(-sims)[:k]
            lo, hi = memory.spec.gate
            gate = float(np.clip((sims[top[0]] - lo) / (hi - lo), 0.0, 1.0))
            w = np.exp((sims[top] - sims[top[0]]) / temperature)
            out: dict[str, float] = {}
            for j, wj in zip(top, w / w.sum(), strict=True):
                for term in set(analyze(record["german"][to_german[j]])):
                    out[term] = out.get(term, 0.0) + gate * float(wj)
            return out
        return terms

    def row(label: str, lexicon: _Terms | None, weight: float) -> None:
        retriever = HybridRetriever(cached, replace(FusionWeights(), lexical_translated=weight),
                                    lexicon=lexicon, memory=memory)
        cells, means = [], []
        for lang in LANGS:
            ranked = [[urls[i] for i in retriever.run(index, q.text, language=lang, k=5).ids] for q in questions[lang]]
            r1 = np.mean([got[0] in q.gold_urls for got, q in zip(ranked, questions[lang], strict=True)])
            r5 = np.mean([any(u in q.gold_urls for u in got) for got, q in zip(ranked, questions[lang], strict=True)])
            cells.append(f"{lang} {r1:.3f}/{r5:.3f}")
            means.append((r1, r5))
        m1, m5 = np.mean(means, axis=0)
        print(f"  {label:36s} " + "  ".join(cells) + f"  | mean {m1:.3f}/{m5:.3f}", flush=True)

    sizes = ", ".join(f"{lang} n={len(qs)}" for lang, qs in questions.items())
    print(f"OMoS-QA {args.split}, page Recall@1/Recall@5, as served ({sizes})")
    row("served", None, 0.0)
    print("1. the memory's German words as BM25 terms")
    for langs in (("ar", "uk"), LANGS):
        for questions_only in (False, True):
            for k, temperature in ((1, 0.01), (5, 0.01), (5, 0.05)):
                for weight in (0.01, 0.02, 0.04):
                    which = "questions" if questions_only else "all"
                    label = f"{'+'.join(langs)} {which} k{k} T{temperature} w{weight}"
                    row(label, _Terms(langs, neighbours(k, temperature, questions_only)), weight)
    print("2. ceiling: the German twin question's own words")
    for weight in (0.01, 0.02, 0.04, 0.08):
        row(f"German twin w{weight}", _Terms(LANGS, lambda text, lang: dict.fromkeys(analyze(twin[(lang, text)]), 1.0)),
            weight)


if __name__ == "__main__":
    main()
