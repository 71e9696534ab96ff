"""Questions that name our offers: those the documents answer and those they do not, in one run.

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/offer_asks.py [--data-dir lotse-data] [--split dev|heldout|all]

`evaluation/data/offer_asks.jsonl`: ten questions that name the Kita or the music school and that no
demo page answers (a daycare teacher's salary, parking at the Kita, halal food, renting an instrument,
the music school's director…), each in de, en, ar, tr, uk, ru and fa; five topics are dev, five held
out. Every one should be refused. The abstention test compares the question with the documents and with
a background of other city services (assistant/abstain.py): it tells a question about the documents'
topics from one about something else, not a question the documents answer from one they only touch.

`evaluation/data/offer_phrasings.jsonl`: the other side, eight short everyday questions the Kita or the
music school page does answer ("Kreşe nasıl kayıt yaptırabilirim?"), in the same seven languages; four
topics dev, four held out. Each should be answered, with its page first. A change that names the offer
better for the encoder moves both sets, so both are counted in the same run.
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

DATA = ROOT / "evaluation" / "data"
SETS = {"offer_asks.jsonl": "not answered by the demo (should be refused)",
        "offer_phrasings.jsonl": "answered by the demo (should be answered, its page first)"}


def _table(title: str, languages: list[str], cells: dict[str, Counter[str]], rows: list[str]) -> None:
    print(f"\n| {title} | " + " | ".join(languages) + " | all |")
    print("|---|" + "---:|" * (len(languages) + 1))
    for row in rows:
        per = [f"{cells[row][lang]}/{cells['asked'][lang]}" for lang in languages]
        print(f"| {row} | " + " | ".join(per) + f" | {sum(cells[row].values())}/{sum(cells['asked'].values())} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    args = ap.parse_args()
    assistant = build_assistant(Settings() if args.data_dir is None else Settings(data_dir=args.data_dir))
    for name, what in SETS.items():
        rows = [json.loads(line) for line in (DATA / name).open(encoding="utf-8") if line.strip()]
        rows = [r for r in rows if args.split in ("all", r["split"])]
        cells: dict[str, Counter[str]] = {k: Counter() for k in ("asked", "answered", "its page first")}
        reasons: Counter[str] = Counter()
        print(f"\n## {name}: {what}")
        for row in rows:
            result = assistant.ask(row["question"])
            d = result.decision
            first = result.passages[0].chunk.source.url.rsplit("/", 1)[-1] if result.passages else "-"
            lang = row["language"]
            cells["asked"][lang] += 1
            cells["answered"][lang] += result.answer.found
            cells["its page first"][lang] += bool(row.get("page")) and first.startswith(row.get("page") or "-")
            reasons[d.reason if d else "no passage"] += 1
            print(f"{lang:<3} {row['topic']:<18} {'ANSWERED' if result.answer.found else 'refused ':<8} "
                  f"margin {d.margin:+.3f} | {first}" if d else f"{lang} {row['topic']} no passage")
        _table(f"{args.split}: {name}", list(cells["asked"]), cells,
               ["answered", "its page first"] if name == "offer_phrasings.jsonl" else ["answered"])
        print("\n" + "\n".join(f"- {reason}: {n}" for reason, n in reasons.most_common()))


if __name__ == "__main__":
    main()
