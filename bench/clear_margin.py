"""How far may the evidence floor give way when the margin over the background is clear? A grid.

    .venv/bin/lotse eval omos --split dev --systems ours --out artifacts/eval/clear-margin/dev
    .venv/bin/lotse demo            # once: builds the demo index in $LOTSE_DATA_DIR (then Ctrl-C)
    .venv/bin/python bench/clear_margin.py artifacts/eval/clear-margin/dev/omos-dev.json [--data-dir lotse-data]

Reads the evidence and the margin of every OMoS-QA dev item the eval judged with the adapted model
(answerable, unanswerable, out of domain), asks the demo's 45 general-knowledge questions
(`evaluation/data/general_knowledge.jsonl`, en/ar/uk: far from the documents and from the background
alike) and its dev questions in 20 languages (`demo_languages.jsonl`), and counts for each clear margin
and slack what the served policy answers (``AbstentionPolicy.decide`` on the recorded scores). The
margin of 0.02 and the floors stay as served.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.factory import build_assistant  # noqa: E402
from assistant.filters import default_filter  # noqa: E402
from lotse.embedding import adapts  # noqa: E402
from lotse.settings import Settings  # noqa: E402

DATA = ROOT / "evaluation" / "data"
GRID = [(None, 0.0)] + [(c, d) for c in (0.04, 0.05, 0.06, 0.08) for d in (0.02, 0.04, 0.06, 1.0)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("omos_json", type=Path, help="the JSON report of `lotse eval omos --split dev`")
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    s = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    assistant = build_assistant(s)
    policy = assistant.abstention
    report = json.loads(args.omos_json.read_text(encoding="utf-8"))["abstention"]["adapted"]
    emb = assistant.embedder
    # (group, evidence, background, adapted, language, keywords); the OMoS report does not record the
    # keyword test, which no dev item needed (the "none" row equals the eval's own counts)
    rows = [(f"omos {it['group']}", it["evidence"], it["background"], adapts(emb, it["language"]),
             it["language"], False) for it in report["items"]]
    for name, group in (("general_knowledge", "general knowledge"), ("demo_languages", "demo")):
        for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            language, index, hits, ev, _ = assistant._retrieve(q["question"], None, default_filter())
            d = assistant._judge(language, hits, ev, index, q["question"])
            label = group if group != "demo" else ("demo answerable" if q.get("page") else "demo not covered")
            rows.append((label, d.evidence, d.background, adapts(emb, language), language,
                         assistant.keywords.in_evidence(q["question"], index.chunks, ev)))
    groups = sorted({r[0] for r in rows})
    print("| clear margin | slack | " + " | ".join(f"{g} answered (of {sum(r[0] == g for r in rows)})"
                                                for g in groups) + " |")
    print("|---|---|" + "---:|" * len(groups))
    for policy.clear_margin, policy.floor_slack in GRID:  # the served policy, one cell at a time
        counts = [sum(policy.decide(ev, bg, adapted=ad, language=lang, keywords=kw).found
                      for g2, ev, bg, ad, lang, kw in rows if g2 == g) for g in groups]
        cell = "none" if policy.clear_margin is None else policy.clear_margin
        print(f"| {cell} | {policy.floor_slack} | " + " | ".join(map(str, counts)) + " |")

if __name__ == "__main__":
    main()
