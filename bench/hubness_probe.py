"""Hubs and centring: do corrections of the vector space itself lift cross-lingual Recall@1?

    .venv/bin/python bench/hubness_probe.py     # ~2 min; artifacts/bench/hubness_probe.json

Dense retrieval only, over the 240 German XQuAD paragraphs (one vector each, the passage prompt),
every question encoded as served (query adapters included). Recall@1 per language for the plain
cosine and for corrections known from cross-lingual word and sentence retrieval:

- **own mean** (not servable, a ceiling): subtract b x the cosine of each paragraph with the mean
  of the *same* test questions. Removing a language's mean vector is the centring that makes
  multilingual encoders more language-neutral (Libovický et al. 2020).
- **OMoS mean**: the same with the mean of OMoS-QA *train* questions, in the question's language
  when OMoS-QA has it (de/en/ar/uk), otherwise of all four: what a server could know beforehand.
- **passages centred**: the passages' own mean subtracted, renormalised (corpus only).
- **passage density**: minus b x a paragraph's mean cosine to its k nearest paragraphs.
- **CSLS** (Conneau et al. 2018): 2 cos - r(p), r(p) a paragraph's mean cosine with its k nearest
  reference questions; the reference is the OMoS-QA train questions (servable) or the test
  questions themselves (a ceiling).
- **Rocchio feedback**: the question vector plus a times the score-weighted mean of its top k
  paragraphs, searched again; the best of a small grid per language (an optimistic figure).

Nothing here was built into the product; no setting was chosen on XQuAD.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from evaluation.datasets import load_omos, load_xquad  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.settings import Settings  # noqa: E402

LANGS = ("de", "en", "es", "ru", "tr", "ar")
OMOS_LANGS = ("de", "en", "ar", "uk")
OUT = REPO / "artifacts" / "bench" / "hubness_probe.json"


def recall_at_1(scores: np.ndarray, gold: np.ndarray) -> float:
    return float(np.mean(np.argmax(scores, axis=1) == gold))


def rocchio(queries: np.ndarray, passages: np.ndarray, k: int, a: float, temperature: float) -> np.ndarray:
    base = queries @ passages.T
    top = np.argsort(-base, axis=1)[:, :k]
    s = np.take_along_axis(base, top, axis=1)
    w = np.exp((s - s[:, :1]) / temperature)
    w /= w.sum(axis=1, keepdims=True)
    moved = queries + a * (w[:, :, None] * passages[top]).sum(axis=1)
    moved /= np.linalg.norm(moved, axis=1, keepdims=True)
    return moved @ passages.T


def main() -> None:
    settings = Settings()
    data = settings.eval_data_dir
    embedder = configured_embedder(settings)
    xquad = load_xquad(data, languages=list(LANGS))
    urls = [r.url for r in xquad.corpus]
    passages = np.asarray(embedder.embed_passages([r.text for r in xquad.corpus]), dtype=np.float32)
    reference = {lang: np.asarray(embedder.embed_queries(
        [q.text for q in load_omos(data, split="train", languages=[lang]).questions[lang]], lang),
        dtype=np.float32) for lang in OMOS_LANGS}
    every_reference = np.concatenate(list(reference.values()))
    centred = passages - passages.mean(axis=0)
    centred /= np.linalg.norm(centred, axis=1, keepdims=True)
    between = passages @ passages.T
    np.fill_diagonal(between, -1.0)
    ref_scores = every_reference @ passages.T

    rows: dict[str, dict[str, float]] = {}
    for lang in LANGS:
        questions = xquad.questions[lang]
        q = np.asarray(embedder.embed_queries([x.text for x in questions], lang), dtype=np.float32)
        gold = np.array([urls.index(next(iter(x.gold_urls))) for x in questions])
        base = q @ passages.T
        own_mean = q.mean(axis=0) @ passages.T
        omos_mean = reference.get(lang, every_reference).mean(axis=0) @ passages.T
        r: dict[str, float] = {"cosine": recall_at_1(base, gold)}
        for b in (0.5, 1.0):
            r[f"own mean, b={b}"] = recall_at_1(base - b * own_mean, gold)
            r[f"OMoS mean, b={b}"] = recall_at_1(base - b * omos_mean, gold)
        r["passages centred"] = recall_at_1(q @ centred.T, gold)
        for k in (5, 20):
            density = np.sort(between, axis=1)[:, -k:].mean(axis=1)
            for b in (0.25, 0.5):
                r[f"density k={k}, b={b}"] = recall_at_1(base - b * density, gold)
        for k in (10, 50):
            r[f"CSLS OMoS k={k}"] = recall_at_1(2 * base - np.sort(ref_scores, axis=0)[-k:].mean(axis=0), gold)
        r["CSLS own k=10"] = recall_at_1(2 * base - np.sort(base, axis=0)[-10:].mean(axis=0), gold)
        r["Rocchio, best of 12"] = max(recall_at_1(rocchio(q, passages, k, a, t), gold)
                                       for k in (1, 3, 5) for a in (0.2, 0.5) for t in (0.01, 0.05))
        rows[lang] = r
        print(lang, json.dumps({name: round(v, 3) for name, v in r.items()}), flush=True)

    names = list(rows[LANGS[0]])
    print("\n| correction | " + " | ".join(LANGS) + " |\n|---|" + "---:|" * len(LANGS))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{rows[lang][name]:.3f}" if name in rows[lang] else ""
                                         for lang in LANGS) + " |")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"passages": len(urls), "recall_at_1": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
