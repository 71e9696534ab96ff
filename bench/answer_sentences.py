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

``--grid`` re-runs the served ``EvidenceSelector`` with a lexical term added (``lex`` x the
IDF-weighted share of the question's German analyzer terms the sentence holds) and another rank
step (``rank`` per passage rank, 0.02 served), and prints answer@1 and answer@any per setting.
``--lex 0 --rank 0`` is the selection before the rank step. ``--max-highlights 3`` lets a passage
give three sentences instead of two (tried, not served). ``--bare`` blends in each sentence's
cosine embedded without its page title (tried, not served: docs/benchmarks.md). Every cell is the
served selector with one term changed (``Scored``). The first try of the rank step, with the margin
applied after it (``--leave-out``), is at commit 608034e. Choose on dev; quote test once.
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
from assistant.evidence import EvidenceSelector  # noqa: E402
from assistant.factory import build_retriever  # noqa: E402
from assistant.language import LanguageDetector  # noqa: E402
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


class Scored(EvidenceSelector):
    """The served selector with one of the grids' terms added to its ``weigh``, so each cell is the
    product's selection (margin, rank step, repeated notices, type bonus, restatements) with one
    term changed:

    - ``lex`` x the IDF-weighted share of the question's German analyzer terms the sentence holds;
    - ``bare``: the sentence's cosine embedded without its page title, blended into the cosine as
      ``(title+sentence + bare x sentence) / (1 + bare)``."""

    def __init__(self, *, lex: float = 0.0, bare: float = 0.0, bare_vectors: np.ndarray | None = None,
                 analyzer=None, idf: dict[str, float] | None = None,  # type: ignore[no-untyped-def]
                 sentence_terms: list[set[str]] | None = None, **served: float) -> None:
        super().__init__(**served)  # type: ignore[arg-type]
        self.lex, self.bare, self.bare_vectors = lex, bare, bare_vectors
        self.analyzer, self.idf, self.sentence_terms = analyzer, idf or {}, sentence_terms or []
        self._terms: set[str] = set()
        self._norm = 1.0
        self._query: np.ndarray | None = None

    def run(self, index, chunk_ids, query_vector, question=None):  # type: ignore[no-untyped-def, override]
        if self.lex:
            self._terms = set(self.analyzer(question or ""))
            self._norm = sum(self.idf.get(t, 0.0) for t in self._terms) or 1.0
        self._query = query_vector
        return super().run(index, chunk_ids, query_vector, question=question)

    def weigh(self, index, first, sims, sentences, kind):  # type: ignore[no-untyped-def, override]
        if self.bare and self.bare_vectors is not None:
            alone = np.asarray(self.bare_vectors[first:first + len(sims)] @ self._query)
            sims = (sims + self.bare * alone) / (1 + self.bare)
        weight = super().weigh(index, first, sims, sentences, kind)
        if self.lex:
            rows = range(first, first + len(sims))
            weight = weight + self.lex * np.array(
                [sum(self.idf.get(t, 0.0) for t in self._terms & self.sentence_terms[r]) for r in rows]) / self._norm
        return weight


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


def judged(by: EvidenceSelector, index, hits, question: str,  # type: ignore[no-untyped-def]
           gold: list[str]) -> tuple[bool, bool]:
    """(the first quoted sentence is right, one of them is) with the selector ``by``."""
    ev = by.run(index, hits.ids, hits.query_vector, question=question)
    said = [index.chunks[h.chunk].text[h.start:h.end] for h in ev.answer]
    return bool(said) and quotes_gold(said[0], gold), any(quotes_gold(x, gold) for x in said)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--grid", action="store_true", help="Also re-score with lexical and rank terms.")
    ap.add_argument("--lex", type=float, default=None, help="Only this lexical weight (with --rank).")
    ap.add_argument("--rank", type=float, default=None, help="Only this rank step (with --lex).")
    ap.add_argument("--index", type=Path, default=None, help="Cached OMoS index folder (default: the first found).")
    ap.add_argument("--asks", action="store_true",
                    help="Grid over the selector's bonus for a sentence that gives the date or price asked for.")
    ap.add_argument("--bare", action="store_true",
                    help="Grid over blending in each sentence's cosine without its title (rank step 0.02).")
    ap.add_argument("--step-by-page", action="store_true",
                    help="The rank step counts pages, not passages: a page's passages share its rank (tried).")
    ap.add_argument("--max-highlights", type=int, default=None,
                    help="Sentences a passage may give the highlights and the answer (2 served).")
    args = ap.parse_args()
    s = Settings()
    index = cached_omos_index(s, args.index)
    embedder = configured_embedder(s)
    retriever = build_retriever(s, embedder)
    served: dict = {} if args.max_highlights is None else {"max_highlights": args.max_highlights}
    if args.step_by_page:
        served["step_by_page"] = True
    selector = EvidenceSelector(**served)
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
    cell_selectors = {cell: Scored(lex=cell[0], rank_step=cell[1], bare=cell[2] if len(cell) > 2 else 0.0,
                                   bare_vectors=bare, analyzer=analyzer, idf=idf, sentence_terms=sentence_terms)
                      for cell in grid}
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
            hits = retriever.run(index, q.text, language=language, k=5, asks=asked_for(q.text))
            first, some = judged(selector, index, hits, q.text, gold)
            served.append(first)
            anyof.append(some)
            page.append(any(urls[i] in q.gold_urls for i in hits.ids))
            if args.asks:  # the served selector with each bonus; (all, typed questions only)
                for bonus, by_bonus in bonus_selectors.items():
                    asks[bonus].append((*judged(by_bonus, index, hits, q.text, gold), asked_for(q.text) is not None))
            for cell, by_cell in cell_selectors.items():
                cells[cell].append(judged(by_cell, index, hits, q.text, gold))
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
