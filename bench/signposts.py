"""Lists of links in front: how often a start page's list of link titles stands among the passages.

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/signposts.py [--data-dir lotse-data] [--heldout]

Each question of `evaluation/data/demo_languages[_heldout].jsonl` (20 languages) goes through
``Assistant.ask``. Counted: questions with a passage of the demo's start page (`index.html`) among the
first 3 and the first 5 passages, questions with a passage that is a bare list (every line a `•`
item) there, and answers that cite such a passage. Build the index before and after a change to
compare (``git stash``, then ``lotse demo --no-serve --data-dir DIR``).
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


def bare_list(text: str) -> bool:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and all(line.startswith("•") for line in lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None, help="the demo's data dir (default: LOTSE_DATA_DIR)")
    ap.add_argument("--heldout", action="store_true")
    args = ap.parse_args()
    settings = Settings(data_dir=args.data_dir) if args.data_dir else Settings()
    assistant = build_assistant(settings)
    name = "demo_languages_heldout" if args.heldout else "demo_languages"
    questions = [json.loads(line) for line in (ROOT / "evaluation" / "data" / f"{name}.jsonl").read_text().splitlines()]
    counts = {"start page in top 3": 0, "start page in top 5": 0, "bare list in top 3": 0,
              "start-page list in top 5": 0, "answer cites the start page": 0}
    for q in questions:
        r = assistant.ask(q["question"])
        home = [p.chunk.source.url.endswith("/index.html") for p in r.passages]
        counts["start page in top 3"] += any(home[:3])
        counts["start page in top 5"] += any(home[:5])
        counts["bare list in top 3"] += any(bare_list(p.chunk.text) for p in r.passages[:3])
        counts["start-page list in top 5"] += any(h and bare_list(p.chunk.text)
                                                  for h, p in zip(home[:5], r.passages[:5], strict=True))
        counts["answer cites the start page"] += any(home[n - 1] for n in r.answer.citations or [] if n <= len(home))
    print(f"{name}: {len(questions)} questions, index {settings.data_dir}")
    for label, n in counts.items():
        print(f"  {label:28s} {n}")


if __name__ == "__main__":
    main()
