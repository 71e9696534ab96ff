"""Does the extractive answer quote the right sentence? OMoS-QA gold answer lines, as served.

    .venv/bin/python bench/answer_sentences.py [--split dev] [--grid]   # needs `lotse eval omos --split dev` first

Retrieval exactly as served (query adapters, translation memory, lexicon setting, per-page cap;
``assistant.factory``), the top 5 passages, then the answer sentences. OMoS-QA marks the lines of a
page that answer each question; a quoted sentence is *right* when it lies inside a gold line or
holds one (after whitespace normalisation: a line can be several sentences, a sentence can span a
line break). Per language over the answerable questions with gold lines:

- ``answer@1``: the first quoted sentence is right; ``answer@any``: one of the (at most three) is;
- ``page@5``: the gold page is among the five passages (the ceiling of both);
- ``given page``: answer@1 over the questions whose page was found.

``--grid`` re-scores the candidate sentences (those of the top three passages, as the
``EvidenceSelector`` takes them) with sentence cosine + ``lex`` x the IDF-weighted share of the
question's German analyzer terms the sentence holds, minus ``rank`` x its passage's rank (0, 1, 2),
and prints answer@1 and answer@any for each setting. The margin admits sentences by their cosine and
the score orders them, as served; ``--leave-out`` applies the margin to the score instead, which
leaves the lower passages' sentences out (tried first, not served). ``--lex 0 --rank 0`` is the
selection before the rank step. ``--bare`` blends in each sentence's cosine embedded without its
page title (tried, not served: docs/benchmarks.md). Choose on dev; quote test once.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.asks import asked_for  # noqa: E402
from assistant.evidence import EvidenceSelector, _says_something, without_restatements  # noqa: E402
from assistant.factory import build_lexicon, build_memory  # noqa: E402
from assistant.language import LanguageDetector  # noqa: E402
from assistant.retrieve import HybridRetriever  # noqa: E402
from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos, normalize_line  # noqa: E402
from evaluation.metrics import quotes_gold  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.settings import Settings  # noqa: E402

LANGS = ("de", "en", "ar", "uk")
LEX = (0.0, 0.02, 0.05, 0.1, 0.2)
RANK = (0.0, 0.01, 0.02, 0.03, 0.05)
BARE = (0.0, 0.25, 0.5, 1.0, 2.0)
TYPE_BONUS = (0.0, 0.01, 0.02, 0.03, 0.05)
OUT = REPO / "artifacts" / "bench" / "answer_sentences.json"


def rescored(index, ids: list[int], qv: np.ndarray, terms: set[str], idf: dict[str, float],  # type: ignore[no-untyped-def]
             sentence_terms: list[set[str]], lex: float, rank_step: float, top: int = 3,
             margin: float = 0.03, most: int = 3, leave_out: bool = False,
             bare: np.ndarray | None = None, bare_weight: float = 0.0) -> list[str]:
    """The selector's answer with the extra terms: per passage its two best sentences within the
    margin, then those within the margin of the best score before the rank step, in the order of
    the score, restatements left out. ``leave_out``: the margin applies to the score."""
    norm = sum(idf.get(t, 0.0) for t in terms) or 1.0
    pool: list[tuple[float, float, str]] = []  # (score, score before the rank step, sentence)
    for rank, ci in enumerate(ids[:top]):
        a, b = index.chunk_sentences[ci]
        if b <= a:
            continue
        text = index.chunks[ci].text
        rows = [a + j for j in range(b - a)
                if _says_something(text[int(index.sentence_map[a + j, 1]):int(index.sentence_map[a + j, 2])])]
        if not rows:
            continue
        sims = np.asarray(index.sentence_vectors[rows] @ qv)
        if bare is not None and bare_weight:
            # The sentence's own words, without its page title in front, blended in.
            sims = (sims + bare_weight * np.asarray(bare[rows] @ qv)) / (1 + bare_weight)
        extra = np.array([lex * sum(idf.get(t, 0.0) for t in terms & sentence_terms[r]) / norm for r in rows])
        score = sims + extra - rank_step * rank
        order = np.argsort(-score, kind="stable")[:2]
        best = float(score[order[0]])
        pool.extend((float(score[j]), float(score[j]) + rank_step * rank,
                     text[int(index.sentence_map[rows[j], 1]):int(index.sentence_map[rows[j], 2])])
                    for j in order if score[j] >= best - margin)
    if not leave_out:
        top_raw = max((p[1] for p in pool), default=0.0)
        pool = [p for p in pool if p[1] >= top_raw - margin]
    pool.sort(key=lambda p: -p[0])
    if leave_out and pool:
        pool = [p for p in pool if p[0] >= pool[0][0] - margin]
    said = [p[2] for p in pool]
    return [said[i] for i in without_restatements(said, most)]


def _key(cell: tuple[float, ...]) -> str:
    return " ".join(f"{name}={v}" for name, v in zip(("lex", "rank", "bare"), cell, strict=False))


def bare_vectors(index, embedder) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Every sentence embedded alone, without the page title and heading ``sentence_units`` puts in
    front; cached beside the bench output by the index's version."""
    cache = OUT.with_name(f"bare_sentences.{index.version}.npy")
    if cache.exists():
        return np.load(cache)
    texts = [index.chunks[int(ci)].text[int(a):int(b)].lstrip("• ").strip() for ci, a, b in index.sentence_map]
    vectors = np.asarray(embedder.embed_passages(texts), dtype=np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--grid", action="store_true", help="Also re-score with lexical and rank terms.")
    ap.add_argument("--lex", type=float, default=None, help="Only this lexical weight (with --rank).")
    ap.add_argument("--rank", type=float, default=None, help="Only this rank step (with --lex).")
    ap.add_argument("--leave-out", action="store_true",
                    help="The margin applies to the score with the rank step (lower passages' sentences drop out).")
    ap.add_argument("--index", type=Path, default=None, help="Cached OMoS index folder (default: the first found).")
    ap.add_argument("--asks", action="store_true",
                    help="Grid over the selector's bonus for a sentence that gives the date or price asked for.")
    ap.add_argument("--bare", action="store_true",
                    help="Grid over blending in each sentence's cosine without its title (rank step 0.02).")
    args = ap.parse_args()
    s = Settings()
    index = cached_omos_index(s, args.index)
    embedder = configured_embedder(s)
    memory = build_memory(s) if getattr(embedder, "query_adapter", None) is not None else None
    retriever = HybridRetriever(embedder, lexicon=build_lexicon(s), memory=memory)
    selector = EvidenceSelector()
    detector = LanguageDetector()
    analyzer = index.lexical.analyzer
    sentence_terms = [set(analyzer(index.chunks[int(ci)].text[int(a):int(b)])) for ci, a, b in index.sentence_map]
    df = Counter(t for terms in sentence_terms for t in terms)
    idf = {t: math.log(1 + len(sentence_terms) / n) for t, n in df.items()}
    urls = [c.source.url for c in index.chunks]
    indexed = set(urls)
    evalset = load_omos(s.eval_data_dir, args.split, list(LANGS))
    grid = [(lex, rank) for lex in LEX for rank in RANK] if args.grid else []
    if args.lex is not None or args.rank is not None:
        grid = [(args.lex or 0.0, args.rank or 0.0)]
    bare = bare_vectors(index, embedder) if args.bare else None
    if args.bare:
        grid = [(0.0, 0.02, w) for w in BARE]
    # One selector per bonus for the whole run: each keeps its repeated-sentence mask of the index.
    bonus_selectors = {b: EvidenceSelector(type_bonus=b) for b in TYPE_BONUS}
    report: dict[str, dict] = {}
    for lang in LANGS:
        qs = [q for q in evalset.questions[lang]
              if q.answerable and q.gold_lines and q.gold_urls & indexed]
        served, anyof, page, cells = [], [], [], {g: [] for g in grid}
        asks: dict[float, list[tuple[bool, bool, bool]]] = {b: [] for b in TYPE_BONUS}
        for q in qs:
            gold = [g for g in (normalize_line(x) for x in q.gold_lines) if g]
            language = detector.detect(q.text)
            hits = retriever.run(index, q.text, language=language, k=5)
            ev = selector.run(index, hits.ids, hits.query_vector, question=q.text)
            said = [index.chunks[h.chunk].text[h.start:h.end] for h in ev.answer]
            served.append(bool(said) and quotes_gold(said[0], gold))
            anyof.append(any(quotes_gold(x, gold) for x in said))
            page.append(any(urls[i] in q.gold_urls for i in hits.ids))
            if args.asks:  # the served selector with each bonus; (all, typed questions only)
                for bonus, by_bonus in bonus_selectors.items():
                    alt_ev = by_bonus.run(index, hits.ids, hits.query_vector, question=q.text)
                    alt = [index.chunks[h.chunk].text[h.start:h.end] for h in alt_ev.answer]
                    asks[bonus].append((bool(alt) and quotes_gold(alt[0], gold), any(quotes_gold(x, gold) for x in alt),
                                        asked_for(q.text) is not None))
            terms = set(analyzer(q.text))
            for cell in grid:
                lex, rank = cell[:2]
                alt = rescored(index, hits.ids, hits.query_vector, terms, idf, sentence_terms, lex, rank,
                               leave_out=args.leave_out, bare=bare, bare_weight=cell[2] if len(cell) > 2 else 0.0)
                cells[cell].append((bool(alt) and quotes_gold(alt[0], gold),
                                           any(quotes_gold(x, gold) for x in alt)))
        n = len(qs)
        found = [a for a, p in zip(served, page, strict=True) if p]
        row = {"n": n, "answer@1": sum(served) / n, "answer@any": sum(anyof) / n, "page@5": sum(page) / n,
               "answer@1 given page": sum(found) / max(1, len(found)),
               "grid": {_key(cell): [sum(a for a, _ in v) / n, sum(b for _, b in v) / n]
                        for cell, v in cells.items()}}
        if args.asks:
            row["asks"] = {str(b): {"answer@1": sum(x for x, _, _ in v) / n, "answer@any": sum(y for _, y, _ in v) / n,
                                    "typed": sum(t for _, _, t in v),
                                    "typed answer@1": sum(x for x, _, t in v if t)} for b, v in asks.items()}
        report[lang] = row
        print(f"{lang} (n={n}): answer@1 {row['answer@1']:.3f}  answer@any {row['answer@any']:.3f}  "
              f"page@5 {row['page@5']:.3f}  answer@1 given page {row['answer@1 given page']:.3f}", flush=True)
    if grid:
        print("\nanswer@1 / answer@any, mean over de/en/ar/uk (answer@1 per language)")
        for cell in grid:
            key = _key(cell)
            first = [report[lang]["grid"][key][0] for lang in LANGS]
            anyof = [report[lang]["grid"][key][1] for lang in LANGS]
            print(f"  {key:<22} {sum(first) / len(first):.3f} / {sum(anyof) / len(anyof):.3f}"
                  f"  ({' '.join(f'{v:.3f}' for v in first)})")
    if args.asks:
        print("\ntype bonus: answer@1 / answer@any, mean over de/en/ar/uk; typed questions' answer@1 per language")
        for b in TYPE_BONUS:
            cell = [report[lang]["asks"][str(b)] for lang in LANGS]
            print(f"  bonus={b:<5} {sum(c['answer@1'] for c in cell) / len(cell):.3f} / "
                  f"{sum(c['answer@any'] for c in cell) / len(cell):.3f}  typed: "
                  + " ".join(f"{c['typed answer@1']}/{c['typed']}" for c in cell))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out = OUT.with_name(f"answer_sentences.{args.split}.json")
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
