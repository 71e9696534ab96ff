""""What is X?": does naming the subject help, in retrieval and in the quoted sentence? OMoS-QA, as served.

    .venv/bin/python bench/what_is.py [--splits train,dev]   # needs `lotse eval omos --split dev` first

Only questions that ``assistant.defines.subject_of`` reads as "what is <name>" are affected: the
retrieval term (``FusionWeights.subject``) and the selector's bonus apply to nothing else, so these
questions are the whole difference between the settings. Per split and language, over them:
page Recall@1 and @5 (answerable questions whose page is indexed) and answer@1 (the first quoted
sentence is a gold answer line, as in ``bench/answer_sentences.py``), for each retrieval weight, with
and without the selector's bonus. Retrieval as served (query adapters, memory, lexicon setting,
per-page cap). Choose on train/dev; the demo's own questions are in tests/e2e.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.defines import Subject, subject_of  # noqa: E402
from assistant.evidence import EvidenceSelector  # noqa: E402
from assistant.factory import build_retriever, fusion_weights  # noqa: E402
from assistant.language import LanguageDetector  # noqa: E402
from bench.answer_sentences import judged  # noqa: E402
from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos, normalize_line  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.settings import Settings  # noqa: E402

LANGS = ("de", "en", "ar", "uk")
WEIGHTS = (0.0, 0.02, 0.05, 0.1)
OUT = REPO / "artifacts" / "bench" / "what_is.json"


class WithoutSubject(EvidenceSelector):
    """The served selector without the bonus for a sentence that names the subject."""

    def weigh(self, index, first, sims, sentences, kind):  # type: ignore[no-untyped-def, override]
        return super().weigh(index, first, sims, sentences, None if isinstance(kind, Subject) else kind)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--splits", default="train,dev")
    ap.add_argument("--index", type=Path, default=None, help="Cached OMoS index folder (default: the first found).")
    args = ap.parse_args()
    s = Settings()
    index = cached_omos_index(s, args.index)
    embedder = configured_embedder(s)
    served = fusion_weights(s)
    retrievers = {w: build_retriever(s, embedder, dataclasses.replace(served, subject=w)) for w in WEIGHTS}
    selectors = {"bonus": EvidenceSelector(), "no bonus": WithoutSubject()}
    detector = LanguageDetector()
    urls = [c.source.url for c in index.chunks]
    indexed = set(urls)
    report: dict[str, dict] = {}
    for split in args.splits.split(","):
        evalset = load_omos(s.eval_data_dir, split, list(LANGS))
        for lang in LANGS:
            qs = [q for q in evalset.questions[lang] if subject_of(q.text) and q.gold_urls & indexed]
            rows: dict[str, dict[str, float]] = {}
            for w, retriever in retrievers.items():
                r1 = r5 = 0
                answer = {name: 0 for name in selectors}
                answerable = 0
                for q in qs:
                    hits = retriever.run(index, q.text, language=detector.detect(q.text), k=5)
                    pages = [urls[i] for i in hits.ids]
                    r1 += bool(pages) and pages[0] in q.gold_urls
                    r5 += any(p in q.gold_urls for p in pages)
                    gold = [g for g in (normalize_line(x) for x in q.gold_lines) if g]
                    if q.answerable and gold:
                        answerable += 1
                        for name, selector in selectors.items():
                            answer[name] += judged(selector, index, hits, q.text, gold)[0]
                n = max(1, len(qs))
                rows[str(w)] = {"R@1": r1 / n, "R@5": r5 / n,
                                **{f"answer@1 {name}": v / max(1, answerable) for name, v in answer.items()},
                                "answerable": answerable}
            report[f"{split} {lang}"] = {"n": len(qs), "weights": rows}
            print(f"{split} {lang} (n={len(qs)})", flush=True)
            for w, row in rows.items():
                print(f"  subject {w:<5} R@1 {row['R@1']:.3f}  R@5 {row['R@5']:.3f}"
                      f"  answer@1 {row['answer@1 bonus']:.3f} (without the bonus {row['answer@1 no bonus']:.3f};"
                      f" {row['answerable']} answerable)", flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"-> {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
