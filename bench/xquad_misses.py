"""Where the served retriever's XQuAD misses go: another paragraph of the same article, or another article.

    .venv/bin/lotse eval xquad --systems ours        # builds the cached XQuAD index first
    .venv/bin/python bench/xquad_misses.py [--languages de,en,es,ru,tr,ar] [--json F]

For each language, the questions whose gold paragraph is not first (Recall@1 misses), how many of them
put a paragraph of another article first (a topic the question was not read as), and how many have the
gold paragraph second. The 240 paragraphs come from 48 articles, five each; a paragraph's URL is
``…/<article>/<n>``. A probe; nothing in the product depends on it (docs/benchmarks.md, "Retrieval
quality: XQuAD").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.factory import build_retriever  # noqa: E402
from bench.fusion_sweep import cached_xquad_index  # noqa: E402
from evaluation.datasets import load_xquad  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.settings import Settings  # noqa: E402


def _article(url: str) -> str:
    return url.rsplit("/", 2)[-2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--languages", default="de,en,es,ru,tr,ar")
    ap.add_argument("--json", type=Path, default=None, help="write the per-language counts and pairs here")
    args = ap.parse_args()
    s = Settings()
    index = cached_xquad_index(s)
    retriever = build_retriever(s, configured_embedder(s))
    urls = [c.source.url for c in index.chunks]
    report = {}
    print("| lang | questions | missed at 1 | another article first | gold second |")
    print("|---|---:|---:|---:|---:|")
    for lang in args.languages.split(","):
        questions = load_xquad(s.eval_data_dir, [lang]).questions[lang]
        missed = other = second = 0
        pairs: Counter[str] = Counter()
        for q in questions:
            pages = list(dict.fromkeys(urls[i] for i in retriever.run(index, q.text, language=lang, k=10).ids))
            if pages and pages[0] in q.gold_urls:
                continue
            missed += 1
            gold = next(iter(q.gold_urls))
            if pages and _article(pages[0]) != _article(gold):
                other += 1
                pairs[f"{_article(gold)} -> {_article(pages[0])}"] += 1
            second += len(pages) > 1 and pages[1] in q.gold_urls
        report[lang] = {"questions": len(questions), "missed": missed, "another article": other,
                        "gold second": second, "article pairs": len(pairs), "top pairs": pairs.most_common(5)}
        print(f"| {lang} | {len(questions)} | {missed} | {other} | {second} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
