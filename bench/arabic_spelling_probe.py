"""Does normalising Arabic spelling help? XQuAD Arabic questions as served, raw and normalised.

    .venv/bin/lotse eval xquad --languages ar --systems ours     # builds the cached XQuAD index first
    .venv/bin/python bench/arabic_spelling_probe.py

Recall@1 of the served retriever (query adapter, memory, lexicon setting) over the 1,190 Arabic
questions: raw; without short vowels, tanwīn, shadda and tatweel; and with every alef form written
as bare alef too. A probe; nothing is normalised in the product (docs/benchmarks.md).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.factory import build_retriever  # noqa: E402
from bench.fusion_sweep import cached_xquad_index  # noqa: E402
from evaluation.datasets import load_xquad  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.settings import Settings  # noqa: E402

HARAKAT = re.compile("[\u064b-\u065f\u0670\u0640]")
ALEF = re.compile("[\u0622\u0623\u0625]")


def main() -> None:
    s = Settings()
    index = cached_xquad_index(s)
    embedder = configured_embedder(s)
    retriever = build_retriever(s, embedder)
    urls = [c.source.url for c in index.chunks]
    questions = load_xquad(s.eval_data_dir, ["ar"]).questions["ar"]
    for name, form in (("raw", lambda q: q), ("without diacritics and tatweel", lambda q: HARAKAT.sub("", q)),
                       ("and alef folded", lambda q: ALEF.sub("\u0627", HARAKAT.sub("", q)))):
        first = changed = 0
        for q in questions:
            text = form(q.text)
            changed += text != q.text
            hits = retriever.run(index, text, language="ar", k=5)
            first += bool(hits.ids) and urls[hits.ids[0]] in q.gold_urls
        print(f"{name:<32} changed {changed:>4}  Recall@1 {first / len(questions):.3f}", flush=True)


if __name__ == "__main__":
    main()
