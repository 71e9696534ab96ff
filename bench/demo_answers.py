"""Every demo answer to the questions under evaluation/data, as JSON, to compare two versions.

    .venv/bin/lotse demo --no-serve --data-dir DEMO_DIR
    .venv/bin/python bench/demo_answers.py --data-dir DEMO_DIR --out before.json   # on one commit
    .venv/bin/python bench/demo_answers.py --data-dir DEMO_DIR --out after.json --against before.json

Asks each question of the single-turn sets (`demo_languages*`, `offer_asks`, `keyword_asks`,
`city_asks`, `deadline_asks`, `names_in_questions`, …; not the conversations, the short-query sets or
the OMoS-QA out-of-domain sets) as `Assistant.ask` does, without a hint, and writes whether it was
answered and the answer's text. With ``--against``, prints the questions whose answer changed.
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

SKIP = ("short_queries", "followups", "place_followups", "general_knowledge", "out_of_domain")


def questions() -> list[str]:
    found = []
    for path in sorted((ROOT / "evaluation" / "data").glob("*.jsonl")):
        if any(path.name.startswith(prefix) for prefix in SKIP):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if text := row.get("question") or row.get("query"):
                    found.append(text)
    return list(dict.fromkeys(found))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--against", type=Path, default=None, help="An earlier --out to compare with.")
    args = ap.parse_args()
    assistant = build_assistant(Settings() if args.data_dir is None else Settings(data_dir=args.data_dir))
    answers = {}
    for q in questions():
        result = assistant.ask(q)
        answers[q] = {"found": result.answer.found, "text": result.answer.text}
    args.out.write_text(json.dumps(answers, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"{len(answers)} answers -> {args.out}")
    if args.against:
        before = json.loads(args.against.read_text(encoding="utf-8"))
        changed = [q for q in answers if before.get(q) != answers[q]]
        for q in changed:
            print(f"\n{q}\n  before: {before.get(q)}\n  after:  {answers[q]}")
        print(f"\n{len(changed)} of {len(answers)} answers changed")


if __name__ == "__main__":
    main()
