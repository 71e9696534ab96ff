"""What the query adapter costs per question: one question at a time, as the server encodes them.

    .venv/bin/python bench/adapter_latency.py [--per-language 90] [--merged] [--threads 1]

One embedder, as the server loads it: the original model with the default query adapter
wrapped around it. Each OMoS-QA dev question (en, ar, uk) is encoded twice, interleaved: with
its language (the adapter switched on) and without one (the original weights, as for German or
Turkish). The query cache keys adapted and original encodings apart, so it never answers.
A third, separately loaded embedder without any adapter ("plain") is timed in the same loop:
plain vs. original says what the wrapper layers cost a question the adapter does not move.
Also the process's peak memory, taken before the plain model is loaded: one model plus the
adapters as served, low-rank (the default) or, with ``--merged``, merged weights
(``LOTSE_QUERY_ADAPTER_MERGED``). ``--threads`` limits torch as ``LOTSE_SERVE_THREADS`` does (1).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.scale_corpus import pct  # noqa: E402
from lotse.embedding import load_embedder  # noqa: E402
from lotse.model.adapter import load_query_adapter  # noqa: E402
from lotse.settings import DEFAULT_ADAPTER, Settings  # noqa: E402
from lotse.threads import limit_threads  # noqa: E402


def questions(data: Path, lang: str, n: int) -> list[str]:
    path = data / "omos_qa_integreat" / "splits" / f"dev_{lang}.jsonl"
    seen: dict[str, None] = {}
    for line in path.open(encoding="utf-8"):
        seen.setdefault(json.loads(line)["question"].strip(), None)
    return list(seen)[:n]


def timed(embedder, texts: list[str], lang: str, plain=None) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Milliseconds per question without and with the adapter (and through the plain model),
    interleaved so drift hits every arm alike, the arms' order rotating from one question to the
    next so none is always the first to see a text."""
    arms: dict[str, list[float]] = {"original": [], "adapter": [], "plain": []}
    runs = [(embedder, None, "original"), (embedder, lang, "adapter")]
    if plain is not None:
        runs.append((plain, None, "plain"))
    for i, t in enumerate(texts):
        for model, language, arm in runs[i % len(runs):] + runs[:i % len(runs)]:
            t0 = time.perf_counter()
            model.embed_queries([t], language)
            arms[arm].append((time.perf_counter() - t0) * 1000)
    return arms


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-language", type=int, default=90)
    ap.add_argument("--adapter", default=DEFAULT_ADAPTER)
    ap.add_argument("--out", type=Path, default=REPO / "artifacts" / "bench")
    ap.add_argument("--no-plain", action="store_true", help="Skip the third arm (a model without wrapper layers).")
    ap.add_argument("--merged", action="store_true", help="Merged adapter weights instead of the low-rank update.")
    ap.add_argument("--threads", type=int, default=1, help="Threads per question, as LOTSE_SERVE_THREADS (0: leave).")
    args = ap.parse_args()
    s = Settings()
    embedder = load_embedder(s.provisioned_model_path("none"),
                             query_adapter=load_query_adapter(args.adapter, merged=args.merged))
    if args.threads:
        limit_threads(args.threads)
    warm = ["Wie melde ich mich an?", "How do I register?"]
    timed(embedder, warm, "en")
    result: dict[str, object] = {"command": " ".join([Path(sys.executable).name, *sys.argv]),
                                 "adapter": args.adapter, "merged": args.merged,
                                 "threads": __import__("torch").get_num_threads(),
                                 "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    plain = None if args.no_plain else load_embedder(s.provisioned_model_path("none"))
    if plain is not None:
        plain.embed_queries(warm)
    for lang in ("en", "ar", "uk"):
        qs = questions(s.eval_data_dir, lang, args.per_language)
        arms = timed(embedder, qs, lang, plain)
        result[lang] = {"n": len(qs), **{f"{arm}_ms": {"p50": round(statistics.median(v), 1),
                                                       "p95": round(pct(v, 0.95), 1)}
                                         for arm, v in arms.items() if v}}
    args.out.mkdir(parents=True, exist_ok=True)
    name = "adapter_latency-merged.json" if args.merged else "adapter_latency.json"
    (args.out / name).write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
