"""The German offer name written into the question, for the abstention test only: what it answers.

    .venv/bin/lotse demo --no-serve                              # the demo index in $LOTSE_DATA_DIR
    .venv/bin/python bench/offer_name_abstention.py [--data-dir lotse-data]

"Do kada se moram prijaviti za mjesto u vrtiću?" (Croatian: by when must I register for a Kita place?) is
refused: it comes closer to the background's "Einen Wohnsitz melden Sie innerhalb von zwei Wochen … an"
than to the Kita page, because the encoder ties *vrtić* to *Kita* weakly. The question names the offer
(``assistant.offer_names``), so this probe encodes it a second time with the German name in place of the
word that matched ("… za mjesto u Kita?") and replays the abstention test with that vector (the same top
passages). Every question under `evaluation/data` in another language than German that names an offer
is listed where the decision changes, with a count per set. A probe only (docs/benchmarks.md). Since
2026-12-08 the served vector of a question naming the Kita is already the mean of its own and the written
one's (``OfferNames.written``); this probe still replaces it whole, for both names, as it was first run.
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
sys.path.insert(0, str(ROOT / "bench"))

from typed_abstention import judged  # noqa: E402

from assistant.factory import build_assistant  # noqa: E402
from assistant.offer_names import GROUPS, OfferNames  # noqa: E402
from lotse.embedding import adapts  # noqa: E402
from lotse.settings import Settings  # noqa: E402

DATA = ROOT / "evaluation" / "data"
with_german_names = OfferNames(written=tuple(GROUPS)).written  # both names, as first probed


def _label(row: dict) -> str:
    """What the set says of the question: answerable by the demo, not answerable, or not labelled (a
    language-ID set's words)."""
    if "page" in row:
        return "answerable" if row["page"] else "unanswerable"
    if "covered" in row:
        return "answerable" if row["covered"] else "unanswerable"
    return "answerable" if "row" in row else "not labelled"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None, help="The demo's data dir (default: LOTSE_DATA_DIR).")
    args = ap.parse_args()
    a = build_assistant(Settings() if args.data_dir is None else Settings(data_dir=args.data_dir))
    index, policy = a.index.get(), a.abstention
    policy.warm_up(a.embedder)
    counts: Counter[tuple[str, str]] = Counter()
    lines = []
    for path in sorted(DATA.glob("*.jsonl")):
        for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
            question = row.get("question") or row.get("query")
            if not isinstance(question, str):
                continue
            q, _, language, _ = a._read(question, None, None, None)
            named = with_german_names(q, language)
            if named is None or (seen := judged(a, index, question)) is None:
                continue
            _, _, hits, _, served = seen
            vector = a.embedder.embed_queries([named], language)[0]
            best = max((float((index.sentence_vectors[x:y] @ vector).max())
                        for x, y in (index.chunk_sentences[ci] for ci in hits.ids[:a.evidence.answer_from_top])
                        if y > x), default=-1.0)
            named_decision = policy.decide(best, float(np.max(policy._vectors @ vector)),  # type: ignore[operator]
                                           adapted=adapts(a.embedder, language), language=language)
            answerable = _label(row)
            turn = {(False, True): "refused → answered", (True, False): "answered → refused"}.get(
                (served.found, named_decision.found), "same")
            counts[(f"{path.name} ({answerable})", turn)] += 1
            if turn != "same":
                lines.append(f"  {path.name:<30} {language} {turn}  margin {served.margin:+.3f} → "
                             f"{named_decision.margin:+.3f}  {named}")
    for (name, turn), n in sorted(counts.items()):
        print(f"{name:<48} {turn:<20} {n}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
