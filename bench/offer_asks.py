"""Questions about our offers that the documents do not answer: how many does the assistant answer anyway?

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/offer_asks.py [--data-dir lotse-data] [--split dev|heldout|all]

`evaluation/data/offer_asks.jsonl`: ten questions that name the Kita or the music school and that no
demo page answers (a daycare teacher's salary, parking at the Kita, halal food, renting an instrument,
the music school's director…), each in de, en, ar, tr, uk, ru and fa; five topics are dev, five held
out. Every one should be refused. The abstention test compares the question with the documents and with
a background of other city services (assistant/abstain.py): it tells a question about the documents'
topics from one about something else, not a question the documents answer from one they only touch.
This set measures that gap; nothing was tuned on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.factory import build_assistant  # noqa: E402
from lotse.settings import Settings  # noqa: E402

SET = ROOT / "evaluation" / "data" / "offer_asks.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    args = ap.parse_args()
    assistant = build_assistant(Settings() if args.data_dir is None else Settings(data_dir=args.data_dir))
    rows = [json.loads(line) for line in SET.open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if args.split in ("all", r["split"])]
    answered: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for row in rows:
        result = assistant.ask(row["question"])
        d = result.decision
        first = result.passages[0].chunk.source.url.rsplit("/", 1)[-1] if result.passages else "-"
        asked[row["language"]] += 1
        answered[row["language"]] += result.answer.found
        reasons[d.reason if d else "no passage"] += 1
        print(f"{row['language']:<3} {row['topic']:<18} {'ANSWERED' if result.answer.found else 'refused ':<8} "
              f"margin {d.margin:+.3f} | {first}" if d else f"{row['language']} {row['topic']} no passage")
    print(f"\n| {args.split}: answered, should be refused | " + " | ".join(asked) + " | all |")
    print("|---|" + "---:|" * (len(asked) + 1))
    print("| questions the demo does not answer | " + " | ".join(f"{answered[lang]}/{asked[lang]}" for lang in asked)
          + f" | {sum(answered.values())}/{sum(asked.values())} |")
    print("\n" + "\n".join(f"- {reason}: {n}" for reason, n in reasons.most_common()))


if __name__ == "__main__":
    main()
