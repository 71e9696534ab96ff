"""Multi-vector passages, token by token: does late interaction (MaxSim) re-rank the served top 20?

    .venv/bin/python bench/token_maxsim_probe.py [--layers 12,8,5] [--split dev]   # ~2 min a layer

The product's ``HybridRetriever`` as served (query adapters, translation memory, per-page cap)
ranks the cached `lotse eval omos` index (build it with `lotse eval omos --split dev`). Its top 20
passages per question are then re-scored: served score + w * MaxSim, where MaxSim is the mean,
over the question's tokens, of each token's best cosine with a token of the passage
(ColBERT-style late interaction, without training: e5-small's own hidden states of one layer,
prompt and special tokens left out, the question encoded through its adapter as served).
MaxSim is centred per question, so w only moves passages against each other. Page Recall@1 /
Recall@5 per language, the mean over en/ar/uk.

The idea: multilingual encoders align words across languages in their hidden states (SimAlign,
Jalili Sabet et al. 2020, found middle layers best), so token matches could add a cross-lingual
"lexical" signal that German BM25 cannot give an Arabic question.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.retrieve import FusionWeights, HybridRetriever, cap_per_page  # noqa: E402
from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos  # noqa: E402
from lotse.embedding import load_embedder  # noqa: E402
from lotse.model.adapter import load_query_adapter  # noqa: E402
from lotse.model.memory import load_memory  # noqa: E402
from lotse.settings import DEFAULT_ADAPTER, Settings  # noqa: E402

LANGS = ("de", "en", "ar", "uk")
WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)


def token_vectors(embedder, texts: list[str], prompt: str, layers: list[int]) -> dict[int, list[np.ndarray]]:  # type: ignore[no-untyped-def]
    """Per layer, per text: the unit vectors of its tokens, without prompt and special tokens."""
    tok, bert = embedder._model.tokenizer, embedder._model[0].auto_model
    skip = len(tok(prompt, add_special_tokens=False)["input_ids"]) + 1  # <s> and the prompt
    out: dict[int, list[np.ndarray]] = {layer: [] for layer in layers}
    for start in range(0, len(texts), 16):
        batch = [prompt + t for t in texts[start:start + 16]]
        enc = tok(batch, padding=True, truncation=True, max_length=512, return_tensors="pt")
        with torch.no_grad():
            hidden = bert(**enc, output_hidden_states=True).hidden_states
        for j in range(len(batch)):
            n = int(enc["attention_mask"][j].sum())
            for layer in layers:
                v = torch.nn.functional.normalize(hidden[layer][j, skip:n - 1], dim=-1)
                out[layer].append(v.numpy())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--layers", default="12,8,5", help="Hidden-state layers (12 = the last of e5-small).")
    args = ap.parse_args()
    layers = [int(x) for x in args.layers.split(",")]
    s = Settings()
    index = cached_omos_index(s, None)
    urls = [c.source.url for c in index.chunks]
    evalset = load_omos(s.eval_data_dir, args.split, list(LANGS))
    questions = {lang: [q for q in evalset.questions[lang] if q.answerable and q.in_corpus and q.gold_urls & set(urls)]
                 for lang in LANGS}
    embedder = load_embedder(s.provisioned_model_path("none"), query_adapter=load_query_adapter(DEFAULT_ADAPTER))
    retriever = HybridRetriever(embedder, memory=load_memory("omos-tm-v1", s.model_cache_dir))
    t0 = time.time()
    served = {lang: [retriever.run(index, q.text, language=lang, k=20) for q in qs] for lang, qs in questions.items()}
    cand = sorted({i for hits in served.values() for r in hits for i in r.ids})
    passages = token_vectors(embedder, [index.chunks[i].embed_text() for i in cand], "passage: ", layers)
    asked: dict[str, dict[int, list[np.ndarray]]] = {}
    for lang, qs in questions.items():
        texts = [q.text for q in qs]
        adapter = embedder.query_adapter
        if adapter is not None and adapter.applies_to(lang):
            with adapter.active(lang):
                asked[lang] = token_vectors(embedder, texts, "query: ", layers)
        else:
            asked[lang] = token_vectors(embedder, texts, "query: ", layers)
    print(f"OMoS-QA {args.split}: served top 20 of {sum(map(len, questions.values()))} questions, "
          f"{len(cand)} passages tokenised, {time.time() - t0:.0f} s. Page Recall@1/Recall@5:")
    per_page = FusionWeights().per_page
    for layer in layers:
        tokens = dict(zip(cand, passages[layer], strict=True))
        print(f"layer {layer}")
        for w in WEIGHTS:
            cells, means = [], []
            for lang, qs in questions.items():
                h1 = h5 = 0
                for q, r, qt in zip(qs, served[lang], asked[lang][layer], strict=True):
                    maxsim = np.array([float((qt @ tokens[i].T).max(1).mean()) for i in r.ids])
                    score = np.asarray(r.scores) + w * (maxsim - maxsim.mean())
                    order = [r.ids[j] for j in np.argsort(-score, kind="stable")]
                    got = [urls[i] for i in cap_per_page(order, [urls[i] for i in order], per_page)[:5]]
                    h1 += got[0] in q.gold_urls
                    h5 += any(u in q.gold_urls for u in got)
                cells.append(f"{lang} {h1 / len(qs):.3f}/{h5 / len(qs):.3f}")
                if lang != "de":
                    means.append((h1 / len(qs), h5 / len(qs)))
            m1, m5 = np.mean(means, axis=0)
            print(f"  w={w:<4} " + "  ".join(cells) + f"  | en/ar/uk {m1:.3f}/{m5:.3f}", flush=True)


if __name__ == "__main__":
    main()
