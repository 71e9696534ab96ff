"""Does the kind of answer help the abstention test? The type bonus on both sides of the margin.

    .venv/bin/lotse demo --no-serve                              # the demo index in $LOTSE_DATA_DIR
    .venv/bin/lotse eval omos --split dev --systems ours         # the cached OMoS-QA index
    .venv/bin/python bench/typed_abstention.py [--data-dir lotse-data] [--omos]

The answer prefers a sentence that gives what the question asks for (a deadline, a date, a price, a
place: ``assistant/asks.py``, ``EvidenceSelector.type_bonus``); the abstention test compares the plain
best cosine with the background's. This replays the test with the bonus b on both sides: the best
sentence of the top three passages scores cosine + b if it gives the kind, and so does each background
sentence. Per question set: how many are answered, as served (b = 0) and at each b, per kind of
question, and which questions change at b = 0.05.

Sets: on the demo index, `demo_languages.jsonl` (dev) and `_heldout`, `offer_asks.jsonl`,
`keyword_asks.jsonl`, `city_asks.jsonl`;
with ``--omos``, on the OMoS-QA index, its dev questions (answerable and not) and
`out_of_domain.jsonl` and `_heldout`. Both runs add `deadline_asks.jsonl`: 24 deadline questions about
city services outside the corpus (tax return, parking fine, car registration…), in eleven languages,
12 dev and 12 held out, written for this probe. A probe only; nothing is served from it
(docs/benchmarks.md, "The kind of answer in the abstention test").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.asks import asked_for  # noqa: E402
from assistant.evidence import EvidenceSelector  # noqa: E402
from assistant.factory import build_assistant  # noqa: E402
from assistant.filters import default_filter  # noqa: E402
from lotse.embedding import adapts  # noqa: E402
from lotse.settings import Settings  # noqa: E402

DATA = ROOT / "evaluation" / "data"
BONUS = (0.0, 0.02, 0.03, 0.05)


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).open(encoding="utf-8") if line.strip()]


def demo_sets() -> list[tuple[str, str]]:
    rows = [(f"demo dev {'answerable' if r.get('page') else 'unanswerable'}", r["question"])
            for r in _jsonl("demo_languages.jsonl")]
    rows += [(f"demo held out {'answerable' if r.get('page') else 'unanswerable'}", r["question"])
             for r in _jsonl("demo_languages_heldout.jsonl")]
    rows += [(f"offer_asks {r['split']} (unanswerable)", r["question"]) for r in _jsonl("offer_asks.jsonl")]
    rows += [(f"keyword_asks {'covered' if r['covered'] else 'not covered'}", r["query"])
             for r in _jsonl("keyword_asks.jsonl")]
    rows += [(f"city_asks {'covered' if r['covered'] else 'not covered'}", r["question"])
             for r in _jsonl("city_asks.jsonl")]
    return rows


def omos_sets(eval_data: Path) -> list[tuple[str, str]]:
    from evaluation.datasets import OUT_OF_DOMAIN_HELDOUT, load_omos, load_out_of_domain

    evalset = load_omos(eval_data, "dev", ["de", "en", "ar", "uk"])
    rows = [(f"omos dev {'answerable' if q.answerable else 'unanswerable'}", q.text)
            for qs in evalset.questions.values() for q in qs if q.in_corpus]
    rows += [("out_of_domain", q.text) for q in load_out_of_domain()]
    rows += [("out_of_domain held out", q.text) for q in load_out_of_domain(OUT_OF_DOMAIN_HELDOUT, "h")]
    return rows


def judged(assistant, index, question: str):  # type: ignore[no-untyped-def]
    """``question`` read, ranked and judged as ``Assistant.ask`` does without a conversation or a hint:
    (the question as read, its language, the ranking, the evidence, the decision); None without passages."""
    q, query, language, k = assistant._read(question, None, None, None)
    hits, ev, _ = assistant._rank(index, q, query, language, k, default_filter())
    if not hits.ids:
        return None
    return q, language, hits, ev, assistant._judge(language, hits, ev, index, q, query)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None, help="The demo's data dir (default: LOTSE_DATA_DIR).")
    ap.add_argument("--omos", action="store_true", help="The cached OMoS-QA index and its dev questions instead.")
    args = ap.parse_args()
    s = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    assistant = build_assistant(s)
    if args.omos:
        from index.live import LiveIndex
        from index.store import IndexStore

        folder = next(iter(sorted((s.data_dir / "eval").glob("omos-*"))), None)
        if folder is None:
            sys.exit("No cached OMoS index under $LOTSE_DATA_DIR/eval: run `lotse eval omos --split dev` first.")
        assistant.index = LiveIndex(IndexStore(folder))
        rows = omos_sets(s.eval_data_dir)
    else:
        rows = demo_sets()
    rows += [(f"deadline_asks {r['split']} (unanswerable)", r["question"]) for r in _jsonl("deadline_asks.jsonl")]
    policy, index = assistant.abstention, assistant.index.get()
    policy.warm_up(assistant.embedder)
    selectors = {b: EvidenceSelector(type_bonus=b) for b in BONUS}
    answered: dict[float, Counter[tuple[str, str]]] = {b: Counter() for b in BONUS}
    totals: Counter[tuple[str, str]] = Counter()
    changed = []
    for group, question in rows:
        if (seen := judged(assistant, index, question)) is None:
            continue
        q, language, hits, ev, served = seen
        kind = asked_for(q)
        totals[(group, str(kind))] += 1
        keywords = assistant.keywords.in_evidence(q, index.chunks, ev)
        background = np.asarray(policy._vectors @ hits.query_vector)  # type: ignore[operator]
        # (first row, cosines, texts) of each top passage's sentences, once for every b
        passages = []
        for ci in hits.ids[:assistant.evidence.answer_from_top]:
            first, end = index.chunk_sentences[ci]
            if end > first:
                text = index.chunks[ci].text
                passages.append((first, np.asarray(index.sentence_vectors[first:end] @ hits.query_vector),
                                 [text[int(index.sentence_map[r, 1]):int(index.sentence_map[r, 2])]
                                  for r in range(first, end)]))
        for b in BONUS:
            decision = served
            if kind is not None and b > 0:
                # the served selector's own term (``EvidenceSelector.weigh``), at bonus b, on both sides
                weigh = selectors[b].weigh
                best = max((float(weigh(index, first, sims, texts, kind).max()) for first, sims, texts in passages),
                           default=-1.0)
                bg = float(weigh(index, 0, background, policy.background_texts, kind).max())
                decision = policy.decide(best, bg, adapted=adapts(assistant.embedder, language), language=language,
                                         keywords=keywords)
            answered[b][(group, str(kind))] += decision.found
            if b == BONUS[-1] and decision.found != served.found:
                turn = "refused → answered" if decision.found else "answered → refused"
                changed.append(f"  {group:<34} {language}  {kind:<5}  {turn}  margin {served.margin:+.3f}  {question}")
    groups = sorted({g for g, _ in totals})
    print("answered / questions, per set and kind asked for; columns: b = " + ", ".join(map(str, BONUS)))
    for group in groups:
        for kind in sorted({k for g, k in totals if g == group}):
            cells = "  ".join(f"{answered[b][(group, kind)]:>3}/{totals[(group, kind)]:<3}" for b in BONUS)
            print(f"{group:<36} {kind:<6} {cells}")
    print(f"\nchanged at b = {BONUS[-1]}:")
    print("\n".join(changed) or "  none")


if __name__ == "__main__":
    main()
