"""Does a question that names an income quote the row of the Kita fee table that covers it?

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/fee_rows.py [--data-dir lotse-data]

`evaluation/data/fee_rows.jsonl`: 21 questions, three incomes (20.000, 40.000 and 95.000 Euro a year)
in the seven core languages, each written the way its readers write numbers ("40,000", "40 тис.",
"٤٠ ألف", "۴۰٬۰۰۰", "40 bin", "95k"), written for this benchmark after the row choice was built. The
demo Kita page's fee table (sample data) has nine lines over two passages. Each question goes through
``Assistant.ask`` twice, with the row choice by amount (served) and without it
(``EvidenceSelector.by_amount``), and counts: answered, the Kita page first, the table's caption
quoted, the covering row quoted, and no other fee row quoted.
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

SET = ROOT / "evaluation" / "data" / "fee_rows.jsonl"
CAPTION = "Monatliche Elternbeiträge nach Jahreseinkommen"
ROW = " – Kind unter 3 Jahren: "  # what every fee row of the demo table holds
MARKS = ("answered", "Kita page first", "caption", "its row", "only its row")


def judge(assistant, question: str, row: str) -> dict[str, bool]:
    result = assistant.ask(question)
    lines = result.answer.text.splitlines()
    fees = [line.removeprefix("• ").split(" – ")[0] for line in lines if ROW in line]
    first = result.passages[0].chunk.source.url if result.passages else ""
    return {"answered": result.answer.found, "Kita page first": "kita-anmeldung" in first,
            "caption": any(CAPTION in line for line in lines), "its row": row in fees, "only its row": fees == [row]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    s = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    assistant = build_assistant(s)
    rows = [json.loads(line) for line in SET.open(encoding="utf-8") if line.strip()]
    totals = {arm: dict.fromkeys(MARKS, 0) for arm in ("by amount", "by cosine")}
    for item in rows:
        for arm, on in (("by amount", True), ("by cosine", False)):
            assistant.evidence.by_amount = on
            marks = judge(assistant, item["question"], item["row"])
            for k, v in marks.items():
                totals[arm][k] += v
            print(f"{item['id']:<9} {arm:<9} {' '.join(k if v else '-' * len(k) for k, v in marks.items())}")
    assistant.evidence.by_amount = True
    print(f"\n| {len(rows)} questions | " + " | ".join(MARKS) + " |")
    print("|---|" + "---:|" * len(MARKS))
    for arm, counts in totals.items():
        print(f"| {arm} | " + " | ".join(str(counts[k]) for k in MARKS) + " |")


if __name__ == "__main__":
    main()
