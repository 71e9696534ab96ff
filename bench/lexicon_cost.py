"""What the query lexicon costs a question: its German terms scored on a BM25 index of >= 10,000 passages.

    .venv/bin/python bench/lexicon_cost.py [--repeat 3]

The BM25 index is built from the texts of the latency benchmark's corpus (`bench/scale_corpus.py`:
the OMoS-QA pages in de/en/ar/uk, the XQuAD paragraphs in 12 languages, the MLQA de contexts), cut
into pieces of 120 words as the chunker roughly does, so the term postings are as long as the
server's. No vectors are needed: only the lexical step changes, and the two cosines it is added
to cost what they cost before. Timed per question, OMoS-QA dev in ar and uk (what the lexicon
serves) and German (the raw BM25 step, for scale): p50 / p95 of
``lexicon.terms`` + ``LexicalIndex.weighted_scores`` against ``LexicalIndex.scores``.
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

from bench.scale_corpus import _omos_pages, _reference, pct  # noqa: E402
from index.lexical import LexicalIndex  # noqa: E402
from lotse.model.lexicon import load_lexicon  # noqa: E402
from lotse.settings import Settings  # noqa: E402


def _passages(data: Path, words: int = 120) -> list[str]:
    out = []
    for rec in [*_omos_pages(data), *_reference(data)]:
        tokens = rec["text"].split()
        out += [" ".join(tokens[i:i + words]) for i in range(0, len(tokens), words)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="Timed rounds over the questions (the best round counts).")
    args = ap.parse_args()
    s = Settings()
    texts = _passages(s.eval_data_dir)
    t0 = time.perf_counter()
    index = LexicalIndex.build(texts)
    print(f"BM25 over {len(texts)} passages, built in {time.perf_counter() - t0:.1f} s")
    lexicon = load_lexicon(s.query_lexicon if s.query_lexicon != "none" else "omos-lex-v1")
    split = s.eval_data_dir / "omos_qa_integreat" / "splits"
    rows = {}
    for lang in ("de", "ar", "uk"):
        questions = [json.loads(line)["question"] for line in (split / f"dev_{lang}.jsonl").open(encoding="utf-8")]
        best: list[float] | None = None
        for _ in range(args.repeat):
            times = []
            for q in questions:
                t = time.perf_counter()
                if lang == "de":
                    index.scores(q)
                else:
                    index.weighted_scores(lexicon.terms(q, lang))
                times.append((time.perf_counter() - t) * 1000)
            if best is None or statistics.median(times) < statistics.median(best):
                best = times
        assert best is not None
        terms = statistics.mean(len(lexicon.terms(q, lang)) if lang != "de" else len(index._analyzer(q))
                                for q in questions)
        rows[lang] = (len(questions), terms, statistics.median(best), pct(best, 0.95))
    print("| questions | n | terms per question | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for lang, (n, terms, p50, p95) in rows.items():
        what = "German, own words (`scores`)" if lang == "de" else f"{lang}, lexicon terms (`weighted_scores`)"
        print(f"| {what} | {n} | {terms:.1f} | {p50:.2f} | {p95:.2f} |")


if __name__ == "__main__":
    main()
