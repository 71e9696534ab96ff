"""``lotse model tune``: adapt multilingual-e5-small to municipal German for newcomers' languages.

Reproducible end to end (fixed seeds, deterministic data order, 2 CPU threads):

1. **Passages exactly as the product indexes them.** The OMoS-QA page dumps go through the
   product's ingest pipeline with the *base* model (the same cached eval index ``lotse eval
   omos`` uses), so a training passage is a chunk's ``embed_text()`` and a training sentence is
   the ``context: sentence`` unit the sentence vectors are made of (``index.builder``).
2. **Pairs from the OMoS-QA train split only.** Each answerable train item whose page is in the
   corpus gives a question in de, en, ar and uk (the German one keeps German-German matching in
   the data). Its positive passage is the chunk of its page that holds its first answer line
   (else the page's chunk closest to the German question under the base model), its positive
   sentence the sentence unit holding that line (else the closest one). Its hard negative is the
   passage (and that passage's best sentence) that the base model ranks highest for the German
   question among *other* pages.
3. **Loss.** In-batch negatives plus the hard negatives (cross-entropy over cosine x 20, as
   MultipleNegativesRankingLoss), plus an anchor keeping every positive and negative passage
   embedding close to the base model's vector of the same text (``distill * mean(1 - cos)``), so
   the passage and sentence index barely drifts while the queries move. Half of the batches
   pair questions with passages, half with sentences: the product's hybrid retriever scores both.
4. **LoRA** (:mod:`lotse.model.lora`) of rank ``rank`` on q/k/v/attention-output and both
   feed-forward layers of the top ``top_layers`` encoder layers; everything else, the word
   embeddings above all, frozen. AdamW, linear warm-up and decay over the steps actually run.
   The CPU budget of the shipped run (2 shared cores) is one epoch cut at ``max_steps`` = 32
   (16 passage and 16 sentence batches), texts cut at 128 tokens for training.
5. **Selection on dev** (``select_on_dev``): after each epoch, dense page Recall@5 per language
   on the OMoS-QA dev split (passage vectors only, the adapted model merged from the fp16
   artefact exactly as the install step merges it); the best epoch (mean over de/en/ar/uk, German
   not below base - 0.01 if any epoch satisfies that) is written. The shipped run has a single
   epoch, so it skips this and its dev figures come from ``lotse eval omos --split dev``.

Output: ``<out>.safetensors`` (fp16 A/B, rank/alpha in the metadata) and ``<out>.json`` (the
configuration, data counts, per-epoch dev figures, sha256).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TuneConfig", "Pair", "build_pairs", "run_tune"]

Progress = Callable[[str], None]
LANGS = ("de", "en", "ar", "uk")


@dataclass(slots=True)
class TuneConfig:
    seed: int = 13
    epochs: int = 1
    batch_size: int = 32
    lr: float = 1e-3
    rank: int = 8
    top_layers: int | None = 6  # LoRA on the top N of 12 encoder layers (None: all)
    alpha: float = 16.0
    distill: float = 1.0  # weight of the anchor to the base passage embeddings; 0 disables it
    scale: float = 20.0
    warmup: float = 0.1
    max_seq_length: int = 128  # training only: passages are cut here (the index embeds them whole)
    sentences: bool = True  # also train question -> sentence-unit batches
    hard_negatives: bool = True
    max_steps: int | None = 32  # steps of the one epoch actually run (CPU budget); None: all
    limit_items: int | None = None  # only the first N train items (smoke runs)
    select_on_dev: bool = False  # the shipped run is one epoch: nothing to select; dev via `lotse eval`
    threads: int = 2


@dataclass(frozen=True, slots=True)
class Pair:
    item: str  # OMoS id: the same item in four languages shares positives
    language: str
    query: str
    kind: str  # "passage" | "sentence"
    positive: str
    negative: str | None
    positive_base: int  # row of the positive's base vector (passages: chunk row; sentences: sentence row)
    negative_base: int | None


# --------------------------------------------------------------------------- data


def _chunk_sentences(chunk, first: int, end: int) -> list[tuple[int, str, int, int]]:  # type: ignore[no-untyped-def]
    from index.builder import sentence_units

    units = sentence_units(chunk)
    if len(units) != end - first:
        raise RuntimeError(f"sentence units of {chunk.id} do not match the index ({len(units)} vs {end - first})")
    return [(first + j, t, a, b) for j, (a, b, t) in enumerate(units)]


def build_pairs(index, train, base_queries: np.ndarray, progress: Progress) -> tuple[list[Pair], dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Training pairs from the OMoS train split over the product's chunks of the same pages.

    ``base_queries``: base-model query vectors of the German questions, in the order of
    ``train.questions['de']``."""
    from evaluation.datasets import normalize_line

    chunks = index.chunks
    vecs = index.dense.vectors()[: len(chunks)]
    svecs = np.asarray(index.sentence_vectors, dtype=np.float32)
    by_url: dict[str, list[int]] = {}
    for i, c in enumerate(chunks):
        by_url.setdefault(c.source.url, []).append(i)
    norm_text = [normalize_line(c.text) for c in chunks]
    stats = {"items": 0, "answerable_in_corpus": 0, "positive_by_answer_line": 0, "positive_by_similarity": 0}
    pairs: list[Pair] = []
    questions = {lang: train.questions[lang] for lang in LANGS}
    for qi, de in enumerate(questions["de"]):
        stats["items"] += 1
        gold = [i for u in sorted(de.gold_urls) for i in by_url.get(u, [])]
        if not de.answerable or not gold:
            continue
        stats["answerable_in_corpus"] += 1
        qv = base_queries[qi]
        pos = next((i for line in de.gold_lines for i in gold if line in norm_text[i]), None)
        line = next((ln for ln in de.gold_lines if pos is not None and ln in norm_text[pos]), None)
        if pos is None:
            stats["positive_by_similarity"] += 1
            pos = max(gold, key=lambda i: (float(vecs[i] @ qv), -i))
        else:
            stats["positive_by_answer_line"] += 1
        first, end = (int(x) for x in index.chunk_sentences[pos])
        units = _chunk_sentences(chunks[pos], first, end)
        sent = None
        if line is not None:
            sent = next((u for u in units if line[:40] in " ".join(u[1].split())), None)
        if sent is None and units:
            sent = max(units, key=lambda u: (float(svecs[u[0]] @ qv), -u[0]))
        gold_set = set(gold)
        order = np.argsort(-(vecs @ qv), kind="stable")
        neg = next(int(i) for i in order if int(i) not in gold_set and chunks[int(i)].source.url not in de.gold_urls)
        nf, ne = (int(x) for x in index.chunk_sentences[neg])
        neg_units = _chunk_sentences(chunks[neg], nf, ne)
        neg_sent = max(neg_units, key=lambda u: (float(svecs[u[0]] @ qv), -u[0])) if neg_units else None
        for lang in LANGS:
            q = questions[lang][qi]
            if q.id != de.id:
                raise RuntimeError("OMoS split files are not aligned by id")
            pairs.append(Pair(de.id, lang, q.text, "passage", chunks[pos].embed_text(), chunks[neg].embed_text(),
                              pos, neg))
            if sent is not None:
                pairs.append(Pair(de.id, lang, q.text, "sentence", sent[1], neg_sent[1] if neg_sent else None,
                                  sent[0], neg_sent[0] if neg_sent else None))
    stats["pairs_passage"] = sum(1 for p in pairs if p.kind == "passage")
    stats["pairs_sentence"] = sum(1 for p in pairs if p.kind == "sentence")
    progress(f"training pairs: {stats}")
    return pairs, stats


def make_batches(pairs: list[Pair], batch_size: int, rng: random.Random, kinds: tuple[str, ...]) -> list[list[Pair]]:
    """Shuffled batches of one kind each, never two pairs of the same item or the same positive in
    one batch (they would be each other's false negatives); batch kinds alternate."""
    per_kind: dict[str, list[list[Pair]]] = {}
    for kind in kinds:
        todo = [p for p in pairs if p.kind == kind]
        rng.shuffle(todo)
        batches: list[list[Pair]] = []
        open_: list[tuple[list[Pair], set[str]]] = []
        for p in todo:
            keys = {p.item, p.positive}
            for batch, used in open_:
                if not keys & used:
                    batch.append(p)
                    used |= keys
                    break
            else:
                open_.append(([p], set(keys)))
            full = [b for b in open_ if len(b[0]) >= batch_size]
            for b in full:
                batches.append(b[0])
                open_.remove(b)
        batches += [b for b, _ in open_ if len(b) >= 2]
        per_kind[kind] = batches
    out: list[list[Pair]] = []
    longest = max((len(b) for b in per_kind.values()), default=0)
    for i in range(longest):
        for kind in kinds:
            if i < len(per_kind[kind]):
                out.append(per_kind[kind][i])
    return out


# --------------------------------------------------------------------------- model


def _encode(bert, tokenizer, texts: list[str], prefix: str, max_len: int):  # type: ignore[no-untyped-def]
    import torch

    enc = tokenizer([prefix + t for t in texts], padding=True, truncation=True, max_length=max_len,
                    return_tensors="pt")
    out = bert(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(out.dtype)
    pooled = (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=-1)


def _dense_dev_recall(model_dir: Path, index, dev, progress: Progress) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Dense page Recall@5 per language on OMoS dev: passage vectors of the product's chunks."""
    from lotse.embedding import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(str(model_dir), batch_size=32)
    return dense_recall(emb, index, dev)


def dense_recall(emb, index, evalset, k: int = 5) -> dict[str, float]:  # type: ignore[no-untyped-def]
    chunks = index.chunks
    urls = [c.source.url for c in chunks]
    vecs = emb.embed_passages([c.embed_text() for c in chunks])
    indexed = set(urls)
    out: dict[str, float] = {}
    for lang, qs in evalset.questions.items():
        scored = [q for q in qs if q.answerable and q.in_corpus and q.gold_urls & indexed]
        qv = emb.embed_queries([q.text for q in scored])
        sims = qv @ vecs.T
        hits = 0
        for q, row in zip(scored, sims, strict=True):
            top = np.argsort(-row, kind="stable")[:k]
            hits += any(urls[i] in q.gold_urls for i in top)
        out[lang] = round(hits / max(1, len(scored)), 4)
    return out


# --------------------------------------------------------------------------- run


@dataclass(slots=True)
class TuneResult:
    adapter: Path
    record: Path
    sha256: str
    dev: dict[str, Any] = field(default_factory=dict)


def run_tune(cfg: TuneConfig, *, base_dir: Path, out: Path, eval_data_dir: Path, cache_root: Path,
             chunk_max_tokens: int, user_agent: str, work_dir: Path, progress: Progress) -> TuneResult:
    import torch
    from sentence_transformers import SentenceTransformer

    from evaluation.datasets import load_omos
    from evaluation.runner import prepare_index
    from lotse.embedding import SentenceTransformerEmbedder
    from lotse.model.adapter import AdapterSpec, build_adapted, save_adapter
    from lotse.model.build import checksum_of, verify_model
    from lotse.model.lora import inject_lora, lora_state_dict

    t_start = time.perf_counter()
    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    verify_model(base_dir)
    base_checksum = checksum_of(base_dir)

    train = load_omos(eval_data_dir, "train")
    base_emb = SentenceTransformerEmbedder(str(base_dir), batch_size=32)
    prepared = prepare_index(train, base_emb, cache_root=cache_root, model=str(base_dir),
                             chunk_max_tokens=chunk_max_tokens, user_agent=user_agent, progress=progress)
    index = prepared.index
    if cfg.limit_items:
        train.questions = {lang: qs[: cfg.limit_items] for lang, qs in train.questions.items()}
    base_q = base_emb.embed_queries([q.text for q in train.questions["de"]])
    pairs, stats = build_pairs(index, train, base_q, progress)
    vecs = torch.from_numpy(index.dense.vectors()[: len(index.chunks)])
    svecs = torch.from_numpy(np.array(index.sentence_vectors, dtype=np.float32))

    dev = load_omos(eval_data_dir, "dev") if cfg.select_on_dev else None
    dev_base = dense_recall(base_emb, index, dev) if dev is not None else {}
    if dev is not None:
        progress(f"dev dense R@5, base: {dev_base}")
    del base_emb

    st = SentenceTransformer(str(base_dir), device="cpu")
    bert, tok = st[0].auto_model, st.tokenizer
    bert.eval()  # no dropout: fewer random draws, and LoRA's few steps need no extra noise
    wrapped = inject_lora(bert, cfg.rank, cfg.alpha, cfg.top_layers)
    params = [p for layer in wrapped.values() for p in (layer.lora_A, layer.lora_B)]
    progress(f"LoRA rank {cfg.rank}: {sum(p.numel() for p in params):,} trainable parameters "
             f"of {sum(p.numel() for p in bert.parameters()):,}")
    kinds = ("passage", "sentence") if cfg.sentences else ("passage",)
    rng = random.Random(cfg.seed)
    epoch_batches = [make_batches(pairs, cfg.batch_size, rng, kinds) for _ in range(cfg.epochs)]
    total = sum(len(b) for b in epoch_batches)
    if cfg.max_steps:
        total = min(total, cfg.max_steps)
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    warm = max(1, int(cfg.warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))

    history: list[dict[str, Any]] = []
    best: tuple[float, int, dict[str, np.ndarray]] | None = None
    step = 0
    work_dir.mkdir(parents=True, exist_ok=True)
    for epoch, batches in enumerate(epoch_batches, 1):
        losses: list[float] = []
        t0 = time.perf_counter()
        for batch in batches:
            if step >= total:
                break
            q = _encode(bert, tok, [p.query for p in batch], "query: ", cfg.max_seq_length)
            docs = [p.positive for p in batch]
            base_rows = [p.positive_base for p in batch]
            kind = batch[0].kind
            if cfg.hard_negatives:
                negs = [p for p in batch if p.negative is not None]
                docs += [p.negative for p in negs]  # type: ignore[misc]
                base_rows += [p.negative_base for p in negs]  # type: ignore[misc]
            d = _encode(bert, tok, docs, "passage: ", cfg.max_seq_length)
            logits = cfg.scale * (q @ d.T)
            labels = torch.arange(len(batch))
            loss = torch.nn.functional.cross_entropy(logits, labels)
            if cfg.distill > 0:
                ref = (vecs if kind == "passage" else svecs)[torch.tensor(base_rows)]
                anchor = (1.0 - (d * ref).sum(-1)).mean()
                loss = loss + cfg.distill * anchor
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            losses.append(float(loss.detach()))
            if step % 10 == 0 or step == 1:
                progress(f"epoch {epoch} step {step}/{total} loss {np.mean(losses[-10:]):.4f} "
                         f"({(time.perf_counter() - t0) / len(losses):.1f} s/step)")
        state = {k: v.numpy() for k, v in lora_state_dict(wrapped).items()}
        entry: dict[str, Any] = {"epoch": epoch, "steps": step, "seconds": round(time.perf_counter() - t0),
                                 "loss": round(float(np.mean(losses)), 4) if losses else None}
        if dev is not None:
            cand = work_dir / f"epoch{epoch}.safetensors"
            sha = save_adapter(cand, state, cfg.rank, cfg.alpha)
            folder = work_dir / f"model-epoch{epoch}"
            build_adapted(base_dir, folder, "candidate", force=True, adapter_file=cand,
                          spec=AdapterSpec("candidate", sha, "", base_checksum))
            entry["dev_dense_R@5"] = _dense_dev_recall(folder, index, dev, progress)
            progress(f"epoch {epoch}: dev dense R@5 {entry['dev_dense_R@5']}")
            r = entry["dev_dense_R@5"]
            ok = r["de"] >= dev_base["de"] - 0.01
            score = (1.0 if ok else 0.0) + float(np.mean([r[lang] for lang in LANGS]))
            if best is None or score > best[0]:
                best = (score, epoch, state)
        else:
            best = (0.0, epoch, state)
        history.append(entry)
        if step >= total:
            break

    assert best is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    adapter = out.with_suffix(".safetensors")
    sha = save_adapter(adapter, best[2], cfg.rank, cfg.alpha)
    record = out.with_suffix(".json")
    doc = {
        "adapter": adapter.name, "sha256": sha, "selected_epoch": best[1], "base_checksum": base_checksum,
        "config": asdict(cfg), "data": {"source": "OMoS-QA train split (CC BY 4.0)", **stats,
                                        "passages": len(index.chunks), "sentences": int(len(index.sentence_map))},
        "dev_dense_R@5_base": dev_base, "epochs": history,
        "seconds": round(time.perf_counter() - t_start),
    }
    record.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    progress(f"wrote {adapter} (sha256 {sha}, epoch {best[1]}) and {record}")
    return TuneResult(adapter, record, sha, {"base": dev_base, "epochs": history})
