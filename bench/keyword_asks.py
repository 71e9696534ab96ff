"""Queries of a few words, as an agent or a citizen types them: answered when the demo covers them?

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/keyword_asks.py [--data-dir lotse-data] [--split heldout]

`evaluation/data/keyword_asks.jsonl`: German queries of one to three words, written before the keyword
test was built, each marked whether the demo corpus covers it ("Kita Beitrag", "Hund anmelden") or not
("Katze anmelden", "Schwimmbad Öffnungszeiten"); a dev half the test was chosen with and a held-out
half. Each query goes through ``Assistant.ask`` with a German device language (the call centre) and
without one, with the keyword test (served) and without it (``KeywordMatch.most_words = 0``), and
counts the answered ones.
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

SET = ROOT / "evaluation" / "data" / "keyword_asks.jsonl"
HINTS = {"de": "de", "no hint": None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--split", choices=("dev", "heldout"), default="dev")
    args = ap.parse_args()
    s = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    assistant = build_assistant(s)
    words = assistant.keywords.most_words
    rows = [r for line in SET.open(encoding="utf-8") if line.strip()
            if (r := json.loads(line))["split"] == args.split]
    answered: dict[tuple[str, bool, bool], int] = {}
    for row in rows:
        marks = []
        for hint_name, hint in HINTS.items():
            for on in (True, False):
                assistant.keywords.most_words = words if on else 0
                result = assistant.ask(row["query"], hint=hint)
                key = (hint_name, on, row["covered"])
                answered[key] = answered.get(key, 0) + result.answer.found
                d = result.decision
                first = result.passages[0].chunk.source.url.rsplit("/", 1)[-1] if result.passages else "-"
                if on and hint == "de":
                    marks.append(f"{result.language} margin {d.margin:+.3f} {d.reason} | {first}" if d else "-")
                marks.append("A" if result.answer.found else ".")
        assistant.keywords.most_words = words
        print(f"{'covered' if row['covered'] else 'not':<8} {row['query']:<34} {' '.join(marks)}")
    n = {c: sum(r["covered"] == c for r in rows) for c in (True, False)}
    print(f"\n| {args.split}: answered | covered (of {n[True]}) | not covered (of {n[False]}) |")
    print("|---|---:|---:|")
    for hint_name in HINTS:
        for on in (True, False):
            arm = f"{hint_name}, {'with' if on else 'without'} the keyword test"
            print(f"| {arm} | {answered.get((hint_name, on, True), 0)} | {answered.get((hint_name, on, False), 0)} |")


if __name__ == "__main__":
    main()
