"""What the translation memory costs a question: the neighbour lookup and the second vector's scores.

    .venv/bin/python bench/memory_cost.py [--repeat 3]

Over the cached OMoS-QA index of `lotse eval omos` (build it with `lotse eval omos --split dev`),
with the default query adapters, `HybridRetriever.run` is timed for the OMoS-QA dev questions in
en, ar and uk with and without the memory, arms interleaved question by question. Each question is
encoded once before timing (the embedder's cache then holds it), so the figures are retrieval
alone: what the memory adds is one (n, 384) product with the memory's vectors of that language,
one more FAISS search and one more product with every sentence vector, all linear in the corpus.
Prints p50 / p95 in ms per language and arm, and the passage and sentence counts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.retrieve import HybridRetriever  # noqa: E402
from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.model.memory import load_memory  # noqa: E402
from lotse.settings import Settings  # noqa: E402


def pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=REPO / "artifacts" / "bench" / "memory_cost.json")
    args = ap.parse_args()
    s = Settings()
    index = cached_omos_index(s, None)
    embedder = configured_embedder(s)
    memory = load_memory(s.query_memory if s.query_memory != "none" else "omos-tm-v1", s.model_cache_dir)
    arms = {"without": HybridRetriever(embedder), "with": HybridRetriever(embedder, memory=memory)}
    evalset = load_omos(s.eval_data_dir, "dev", ["en", "ar", "uk"])
    result: dict = {"passages": len(index.chunks), "sentences": int(len(index.sentence_map)), "ms": {}}
    for lang, questions in evalset.questions.items():
        texts = [q.text for q in questions]
        embedder.embed_queries(texts, lang)  # cached from here on
        times: dict[str, list[float]] = {a: [] for a in arms}
        for r in range(args.repeat):
            for i, text in enumerate(texts):
                order = list(arms) if (i + r) % 2 == 0 else list(reversed(arms))
                for arm in order:
                    t = time.perf_counter()
                    arms[arm].run(index, text, language=lang, k=5)
                    times[arm].append((time.perf_counter() - t) * 1000)
        result["ms"][lang] = {a: {"p50": round(statistics.median(v), 2), "p95": round(pct(v, 0.95), 2)}
                              for a, v in times.items()}
        print(lang, json.dumps(result["ms"][lang]), flush=True)
    print(f"{result['passages']} passages, {result['sentences']} sentences")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
