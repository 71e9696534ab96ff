"""The demo corpus asked in all 20 served languages: answered, refused, and with which page first.

    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/demo_languages.py [--heldout] [--data-dir lotse-data]

`evaluation/data/demo_languages.jsonl`: the same nine questions in each served language, written for
this benchmark: seven the demo pages answer (Kita registration and its deadline, the music school's
course for five-year-olds, school advice for newly arrived children, the German course's price,
the strategy's childcare plans, parenting advice) and two they do not (swimming-pool hours,
passport renewal). `--heldout` reads `evaluation/data/demo_languages_heldout.jsonl`, written after
the other-languages margin was chosen: seven other answerable questions and three whose topics no
background sentence names. Each question is retrieved and judged as ``Assistant.ask`` does, without a
language hint.

The abstention margin was chosen with questions in the core languages; ``LOTSE_ABSTAIN_OTHER_MARGIN``
is chosen on the dev set by the grid printed last (the served languages outside the core): the
largest margin that refuses at most 10 % of answerable questions, the rule the OMoS-QA margin
was chosen with (docs/benchmarks.md, "The languages the margin was not chosen in").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evidence import EvidenceSelector  # noqa: E402
from assistant.factory import build_assistant  # noqa: E402
from assistant.language import CORE_LANGUAGES, SERVED_LANGUAGES  # noqa: E402
from assistant.service import default_filter  # noqa: E402
from lotse.embedding import adapts  # noqa: E402
from lotse.settings import Settings  # noqa: E402

DATA = ROOT / "evaluation" / "data"
GRID = (0.02, 0.015, 0.01, 0.005, 0.0)
# The questions that ask for a date, a price, the city's plans or how to register, and what the first quoted
# line must hold (on the topic's page) to give it, one of several: the strategy states its plans as "Wir
# fördern …", the Kita page says how to register in "… online vormerken." and its "Anmeldung:" field.
QUOTES: dict[str, tuple[str, ...]] = {
    "kita-deadline": ("31. Januar 2027",), "german-course-cost": ("145 Euro",), "childcare-plan": ("Wir ",),  # dev
    "kita-register": ("online vormerken", "Anmeldung:"),  # dev
    "kita-free": ("kostenlos",), "music-weekday": ("dienstags",), "dog-tax": ("Euro",)}  # held out
TYPE_GRID = (0.0, 0.01, 0.02, 0.03, 0.05)


def _split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(answerable, out of scope): a question with a gold page, or without one."""
    return [r for r in rows if r["page"]], [r for r in rows if not r["page"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="the demo's data dir (default: LOTSE_DATA_DIR)")
    ap.add_argument("--heldout", action="store_true", help="the held-out questions (report them once)")
    ap.add_argument("--json", type=Path, default=None,
                    help="default: artifacts/bench/demo_languages[_heldout].json")
    args = ap.parse_args()
    name = "demo_languages_heldout" if args.heldout else "demo_languages"
    questions = DATA / f"{name}.jsonl"
    out = args.json or ROOT / "artifacts" / "bench" / f"{name}.json"
    s = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    assistant = build_assistant(s)
    rows = []
    policy = assistant.abstention
    selectors = {b: EvidenceSelector(type_bonus=b) for b in TYPE_GRID}  # each keeps its mask of the index
    for line in questions.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        language, index, hits, ev, passages = assistant._retrieve(q["question"], None, default_filter())
        d = assistant._judge(language, hits, ev, index, q["question"])
        first = passages[0].chunk.source.url if passages else ""
        quoted = {}
        if q["topic"] in QUOTES:  # is the first quoted line the one that gives the date, the price, the plan?
            for bonus, selector in selectors.items():
                answer = selector.run(index, hits.ids, hits.query_vector, question=q["question"]).answer
                chunk = index.chunks[answer[0].chunk] if answer else None
                quoted[str(bonus)] = bool(chunk) and q["page"] in chunk.source.url and \
                    any(cue in chunk.text[answer[0].start:answer[0].end] for cue in QUOTES[q["topic"]])
        rows.append({**q, "detected": language, "found": d.found, "evidence": round(d.evidence, 4),
                     "margin": round(d.margin, 4), "first_url": first,
                     "right_first": bool(q["page"]) and q["page"] in first, "quote_right": quoted})
    by = defaultdict(list)
    for r in rows:
        by[r["language"]].append(r)
    print(f"{questions.relative_to(ROOT)}: margin {policy.margin} for the core languages, "
          f"{policy.margin_for('xx')} for the others\n")
    print("| lang | adapter | detected right | answerable answered | right page first | "
          "out of scope refused | median margin, answerable |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for lang in SERVED_LANGUAGES:
        rs = by.get(lang, [])
        if not rs:
            continue
        ans, ood = _split(rs)
        margins = sorted(r["margin"] for r in ans)
        adapter = "yes" if adapts(assistant.embedder, lang) else ""
        core = "" if lang in CORE_LANGUAGES else " ¹"
        print(f"| {lang}{core} | {adapter} | {sum(r['detected'] == lang for r in rs)}/{len(rs)} | "
              f"{sum(r['found'] for r in ans)}/{len(ans)} | {sum(r['right_first'] for r in ans)}/{len(ans)} | "
              f"{sum(not r['found'] for r in ood)}/{len(ood)} | {margins[len(margins) // 2]:+.3f} |")
    print("\n¹ outside the core languages\n")
    others = [r for r in rows if r["language"] not in CORE_LANGUAGES]
    for group, members in (("core", [r for r in rows if r["language"] in CORE_LANGUAGES]), ("other", others)):
        ans, ood = _split(members)
        print(f"{group}: answerable refused {sum(not r['found'] for r in ans)}/{len(ans)}, "
              f"out of scope answered {sum(r['found'] for r in ood)}/{len(ood)}")
    ans, ood = _split(others)
    print("\nthe other languages by margin (the floor aside):\n")
    print("| margin | answerable refused | out of scope answered |\n|---:|---:|---:|")
    for t in GRID:
        refused = sum(r["margin"] < t for r in ans)
        answered = sum(r["margin"] >= t for r in ood)
        print(f"| {t} | {refused} / {len(ans)} | {answered} / {len(ood)} |")
    typed = [r for r in rows if r["quote_right"]]
    topics = sorted({r["topic"] for r in typed})
    groups = [[r for r in typed if r["language"] in CORE_LANGUAGES],
              [r for r in typed if r["language"] not in CORE_LANGUAGES],
              *([r for r in typed if r["topic"] == t] for t in topics)]
    print("\nthe first quoted line gives the date, the price or the plan asked for, by type bonus "
          "(assistant/asks.py; core / other languages):\n")
    print("| bonus | core | other | " + " | ".join(topics) + " |")
    print("|---:|---:|---:|" + "---:|" * len(topics))
    for bonus in TYPE_GRID:
        right = [f"{sum(r['quote_right'][str(bonus)] for r in g)}/{len(g)}" for g in groups]
        print(f"| {bonus} | " + " | ".join(right) + " |")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
