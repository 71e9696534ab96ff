"""The translation memory on OMoS-QA dev (the tuning split), before it touched the product.

    .venv/bin/python bench/memory_probe.py [--split dev]

Ranks the cached `lotse eval omos` index (build it with `lotse eval omos --split dev`) with the
pool's fused score (half the passage cosine plus the best sentence cosine, no BM25) and the
per-page cap, like bench/omos_probes.py, for en/ar/uk questions encoded as served (the default
query adapter). Each row adds the fused score of the German vector the question borrows from the
shipped memory (`lotse model build` encodes it) at weight b, for 1, 3 or 5 neighbours, with and
without the similarity ramp. It also prints the best neighbour's cosine for dev questions, for the
out-of-domain questions of the abstention check, and for 45 general-knowledge questions
(evaluation/data/general_knowledge.jsonl, 15 each in en/ar/uk): where the ramp sits.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.fusion_sweep import cached_omos_index  # noqa: E402
from bench.omos_probes import LANGS, Probe  # noqa: E402
from evaluation.datasets import load_omos, load_out_of_domain  # noqa: E402
from lotse.embedding import load_embedder  # noqa: E402
from lotse.model.adapter import ADAPTERS, load_query_adapter, split_adapter_name  # noqa: E402
from lotse.model.memory import load_memory  # noqa: E402
from lotse.model.pool import PassagePool  # noqa: E402
from lotse.settings import OMOS_ADAPTER, Settings  # noqa: E402

GENERAL = REPO / "evaluation" / "data" / "general_knowledge.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--memory", default="omos-tm-v1")
    args = ap.parse_args()
    s = Settings()
    name, _ = split_adapter_name(OMOS_ADAPTER)
    served = ADAPTERS[name].strength
    index = cached_omos_index(s, None)
    pool = PassagePool.from_index(index)
    indexed = set(pool.urls)
    evalset = load_omos(s.eval_data_dir, args.split, list(LANGS))
    questions = {lang: [q for q in qs if q.answerable and q.in_corpus and q.gold_urls & indexed]
                 for lang, qs in evalset.questions.items()}
    memory = load_memory(args.memory, s.model_cache_dir)
    embedder = load_embedder(s.provisioned_model_path("none"), query_adapter=load_query_adapter(name, served))
    qv = {lang: np.asarray(embedder.embed_queries([q.text for q in questions[lang]], lang), dtype=np.float32)
          for lang in LANGS}
    p = Probe(pool, questions, served)

    general = [json.loads(line) for line in GENERAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    ood = load_out_of_domain()
    print("best neighbour's cosine (served question vector): dev p5 / p50 | out of domain p50 | general p50")
    for lang in sorted(memory.languages):
        vectors = memory.sources[lang][0]

        def best(texts: list[str], lang: str = lang, vectors: np.ndarray = vectors) -> np.ndarray:
            return (np.asarray(embedder.embed_queries(texts, lang)) @ vectors.T).max(1)

        dev = (qv[lang] @ vectors.T).max(1)
        o = best([q.text for q in ood if q.language == lang])
        g = best([x["question"] for x in general if x["language"] == lang])
        print(f"  {lang}: {np.percentile(dev, 5):.3f} / {np.median(dev):.3f} | {np.median(o):.3f} | {np.median(g):.3f}")

    sizes = ", ".join(f"{k} n={len(v)}" for k, v in questions.items())
    print(f"OMoS-QA {args.split}, page Recall@1/Recall@5 ({sizes})")
    p.row("served", lambda lang, st: p.fused(qv[lang]))
    for gate in (memory.spec.gate, (0.0, 0.0)):
        for k in (1, 3, 5):
            m = type(memory)(memory.name, replace(memory.spec, neighbours=k, gate=gate), memory.german, memory.sources)
            for beta in (0.5, 0.75, 1.0):
                def score(lang: str, _st: float, m=m, beta=beta) -> np.ndarray:  # type: ignore[no-untyped-def]
                    own = p.fused(qv[lang])
                    borrowed = [m.expand(v, lang) for v in qv[lang]]
                    if all(b is None for b in borrowed):
                        return own
                    g = np.stack([b[0] if b else v for b, v in zip(borrowed, qv[lang], strict=True)])
                    w = np.array([b[1] if b else 0.0 for b in borrowed], dtype=np.float32)
                    return own + beta * w[:, None] * p.fused(g)

                ramp = f"ramp {gate[0]:.2f}-{gate[1]:.2f}" if gate[1] > gate[0] else "no ramp"
                p.row(f"k={k} b={beta} {ramp}", score)


if __name__ == "__main__":
    main()
