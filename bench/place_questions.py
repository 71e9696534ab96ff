"""Does "Where is it?" after a question about an offer quote the offer's place first?

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/place_questions.py [--data-dir lotse-data] [--heldout]

`evaluation/data/place_followups.jsonl`: 21 two-turn conversations in the seven core languages,
written for this benchmark over three demo offers (the German course, the music school's course,
the parents' group). The first turn asks about the offer, the second where it is ("Wo findet er
statt?", "Where does the group meet?", "أين تعقد؟"). Both turns go through ``Conversation.ask``, as
``POST /v1/ask`` with a session. Counted per conversation: the second turn is read as a follow-up,
it asks for a place (``assistant.asks``), its first quoted line names the offer's place (street or
building), and any quoted line does.

`--heldout` runs `evaluation/data/place_followups_heldout.jsonl` instead: 14 conversations written
before the place cues were extended on the first set (2026-12-07), over the school counselling and
the parents' group, with other ways of asking ("Where do I have to go for that?", "Bu hangi semtte?").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.asks import asked_for  # noqa: E402
from assistant.conversation import Conversation  # noqa: E402
from assistant.factory import build_assistant  # noqa: E402
from assistant.sessions import SQLiteSessionStore  # noqa: E402
from lotse.settings import Settings  # noqa: E402

SET = ROOT / "evaluation" / "data" / "place_followups.jsonl"
HELDOUT = ROOT / "evaluation" / "data" / "place_followups_heldout.jsonl"


def quoted(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.rstrip().endswith("]")]


def tally(counts: dict[str, int], conversation_id: str, marks: dict[str, bool], lines: list[str]) -> None:
    """Adds one conversation's marks to ``counts`` and prints its row: the marks it has, its first quoted line."""
    for k, v in marks.items():
        counts[k] += bool(v)
    print(f"{conversation_id:<12} {' '.join(k if v else '-' * len(k) for k, v in marks.items())} | "
          f"{(lines[0][:90] if lines else 'refused')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--heldout", action="store_true", help="the held-out conversations (not tuned on)")
    args = ap.parse_args()
    s = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    conversation = Conversation(build_assistant(s), SQLiteSessionStore(":memory:"))
    rows = [json.loads(line) for line in (HELDOUT if args.heldout else SET).open(encoding="utf-8") if line.strip()]
    counts = {"follow-up": 0, "asks for a place": 0, "place first": 0, "place quoted": 0}
    for row in rows:
        first = conversation.ask(row["turns"][0])
        result = conversation.ask(row["turns"][1], session_id=first.session_id)
        lines = quoted(result.answer.text)
        hit = [any(p in line for p in row["place"]) for line in lines]
        marks = {"follow-up": result.follow_up, "asks for a place": asked_for(row["turns"][1]) == "where",
                 "place first": bool(hit) and hit[0], "place quoted": any(hit)}
        tally(counts, row["id"], marks, lines)
    print(f"\n{len(rows)} conversations: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
