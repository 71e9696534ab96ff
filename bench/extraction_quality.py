"""Does extraction keep the text that answers questions? Measured on the 600 OMoS-QA Integreat
pages: every German answer line of the OMoS-QA items (train, dev and test; German-origin items
whose page is in the dumps) is looked for in the passages our pipeline made of its page.

    .venv/bin/python bench/extraction_quality.py --data-dir DIR

``DIR`` is a data dir holding an ingest of those pages (``bench/ingest_speed.py --keep DIR``
makes one). Side by side: the same lines looked for in trafilatura's extraction of the same
HTML (the extractor most pipelines would use alone) and in the page's whole text
(BeautifulSoup ``get_text``, the ceiling). Also counts passages that are too short to carry
meaning. Our passages count with their heading path (headings are kept there, shown as the
passage's section). Writes artifacts/bench/extraction_quality.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from evaluation.datasets import load_omos, normalize_line  # noqa: E402
from lotse.settings import Settings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    args = ap.parse_args()
    data = Settings().eval_data_dir
    index = args.data_dir / "index"
    version = (index / "CURRENT").read_text().strip()
    ours: dict[str, list[str]] = defaultdict(list)
    short = 0
    passages = 0
    for line in (index / "versions" / version / "chunks.jsonl").open(encoding="utf-8"):
        c = json.loads(line)
        # Headings are kept as each passage's heading path (shown as its section), not in its text.
        ours[c["source"]["url"]].append(normalize_line(" \n ".join([*c.get("heading_path", []),
                                                                     c["text"].replace("• ", " ")])))
        passages += 1
        short += len(c["text"].split()) < 5
    html_of: dict[str, str] = {}
    gold: dict[str, set[str]] = defaultdict(set)
    for split in ("train", "dev", "test"):
        evalset = load_omos(data, split=split, languages=["de"])
        if not html_of:
            html_of = {r.url: r.text for r in evalset.corpus}
        for q in evalset.questions["de"]:
            for url in sorted(q.gold_urls)[:1]:
                gold[url].update(q.gold_lines)
    systems = {
        "ours (pipeline passages)": lambda url: " \n ".join(ours.get(url, [])),
        "trafilatura.extract alone": lambda url: normalize_line(
            trafilatura.extract(f"<html><body>{html_of[url]}</body></html>", include_tables=True,
                                include_comments=False, favor_recall=False) or ""),
        "whole page text (ceiling)": lambda url: normalize_line(BeautifulSoup(html_of[url], "lxml").get_text(" ")),
    }
    rows = []
    total = sum(len(v) for v in gold.values())
    for name, text_of in systems.items():
        found = 0
        pages_complete = 0
        for url, lines in gold.items():
            text = text_of(url)
            hit = sum(1 for ln in lines if ln in text)
            found += hit
            pages_complete += hit == len(lines)
        rows.append({"system": name, "answer_lines_found": found, "answer_lines": total,
                     "recall": round(found / total, 4), "pages_with_every_line": pages_complete,
                     "pages": len(gold)})
    result = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "version": version,
              "pages_indexed": len(ours), "passages": passages, "passages_under_5_words": short, "systems": rows}
    out = REPO / "artifacts" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "extraction_quality.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    md = ["| extraction | answer lines kept | recall | pages with every answer line |", "|---|---|---|---|"]
    md += [f"| {r['system']} | {r['answer_lines_found']}/{r['answer_lines']} | {r['recall']:.3f} | "
           f"{r['pages_with_every_line']}/{r['pages']} |" for r in rows]
    md.append(f"\n{len(ours)} pages indexed as {passages} passages; {short} passages have fewer than 5 words.")
    (out / "extraction_quality.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
