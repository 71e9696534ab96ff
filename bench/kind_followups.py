"""A third turn that asks for another kind of answer: "Was kostet das?" and then "Und bis wann?".

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/kind_followups.py [--data-dir lotse-data] [--split dev|heldout|all] [--set kind_changes]

`evaluation/data/kind_followups.jsonl`: 35 three-turn conversations in the seven core languages,
written for this benchmark over five demo offers. The first turn asks about the offer, the second for
one kind of answer (a price, a day), the third for another (a deadline, a day, a price, a place):
*"Як записати дитину в дитячий садок?" → "А скільки це коштує?" → "До якого числа?"*. Three offers
(the Kita, the German course, the music school's course) are dev, two (the parents' group, the school
counselling) held out. All turns go through ``Conversation.ask``, as ``POST /v1/ask`` with a session.
Counted per conversation: the third turn is read as a follow-up, it asks for its kind
(``assistant.asks``), and its first quoted line, or any, holds what it asks for (the date, the day,
the price or the street of the offer).

``--set kind_changes`` (`evaluation/data/kind_changes.jsonl`): 35 two-turn conversations over the same
five offers in the same seven languages, whose first turn asks for a price or a place and the second how
to register: *"Сколько стоит место в детском саду?" → "А как записать ребёнка?"*. Counted the same way,
on the second turn: its first quoted line, or any, is the offer's way to register.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from place_questions import quoted, tally  # noqa: E402

from assistant.asks import asked_for  # noqa: E402
from assistant.conversation import Conversation  # noqa: E402
from assistant.factory import build_assistant  # noqa: E402
from assistant.sessions import SQLiteSessionStore  # noqa: E402
from lotse.settings import Settings  # noqa: E402

SETS = {name: ROOT / "evaluation" / "data" / f"{name}.jsonl" for name in ("kind_followups", "kind_changes")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    ap.add_argument("--set", choices=tuple(SETS), default="kind_followups")
    args = ap.parse_args()
    s = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    conversation = Conversation(build_assistant(s), SQLiteSessionStore(":memory:"))
    rows = [json.loads(line) for line in SETS[args.set].open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if args.split in ("all", r["split"])]
    counts = {"follow-up": 0, "asks for its kind": 0, "first line": 0, "any line": 0}
    for row in rows:
        result = conversation.ask(row["turns"][0])
        for turn in row["turns"][1:]:
            result = conversation.ask(turn, session_id=result.session_id)
        lines = quoted(result.answer.text)
        hit = [any(q in line for q in row["quote"]) for line in lines]
        marks = {"follow-up": result.follow_up, "asks for its kind": asked_for(row["turns"][-1]) is not None,
                 "first line": bool(hit) and hit[0], "any line": any(hit)}
        tally(counts, row["id"], marks, lines)
    print(f"\n{len(rows)} conversations ({args.set}, {args.split}): "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
