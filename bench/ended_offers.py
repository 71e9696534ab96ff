"""Which demo questions name an offer that has ended, answered or refused.

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/ended_offers.py [--data-dir lotse-data]

Every question of `evaluation/data/demo_languages.jsonl` and `demo_languages_heldout.jsonl` (20
languages) is asked as `POST /v1/ask` asks it (``Assistant.ask``). The demo's info evening on
parental allowance and Kita registration ended in 2025, so a question it matches better than every
current passage names it (``ended_offer``). Prints those questions and the counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.factory import build_assistant  # noqa: E402
from lotse.settings import Settings  # noqa: E402

SETS = ("demo_languages.jsonl", "demo_languages_heldout.jsonl")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    s = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    assistant = build_assistant(s)
    rows = [json.loads(line) for name in SETS
            for line in (ROOT / "evaluation" / "data" / name).open(encoding="utf-8") if line.strip()]
    named = {True: 0, False: 0}
    asked = {True: 0, False: 0}
    for row in rows:
        result = assistant.ask(row["question"])
        asked[result.answer.found] += 1
        if result.ended is not None:
            named[result.answer.found] += 1
            print(f"{row['language']} {row['topic']} {'answered' if result.answer.found else 'refused'}: "
                  f"{result.ended.title} (until {result.ended.end_date}) | {row['question']}")
    print(f"\n{len(rows)} questions: an ended offer named in {named[True]} of {asked[True]} answered "
          f"and {named[False]} of {asked[False]} refused")


if __name__ == "__main__":
    main()
