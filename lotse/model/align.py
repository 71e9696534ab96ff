"""``lotse model tune`` (recipe ``align``): a query adapter that puts a newcomer's question where its
German translation would be.

Multilingual knowledge distillation (Reimers & Gurevych 2020) on the query side only:

- **Teacher**: the original model encoding the German text (``query: <German>``), frozen.
- **Student**: the same model with LoRA on every encoder layer, encoding the same text in en, ar
  or uk. Loss ``mean(1 - cos(student, teacher))`` plus an in-batch contrastive term (the
  student's vector must be nearest to *its own* German target among the batch's targets), so
  texts that are all about "Kita" do not collapse onto one point.
- **Data**, all from the OMoS-QA **train** split (CC BY 4.0, Digitalfabrik / KONVENS 2024): the
  train questions in en/ar/uk paired with the same question in German, and the line-aligned
  page texts of the train pages (the ar/uk/en files hold the same lines as the German file,
  translated). No train page is a dev or test page (checked here), so no test text is seen.
- **Translated UI messages** (``ui_wheels``, optional): OMoS-QA has no Turkish, Russian, Persian
  or Spanish. The gettext catalogues of pinned BSD/MIT wheels pair German with those languages
  too (``lotse.model.gettext_pairs``); they join the pairs, and a held-out 5 % of them shows how
  well each language finds its German message. Checkpoints are still chosen on OMoS-QA dev, in
  the OMoS languages among ``languages``.
- **Retrieval term** (``retrieval`` > 0): distillation caps the student at what the German
  question finds. So train questions in en/ar/uk also learn to rank the passages of their gold
  page first, by a softmax over the original model's frozen passage vectors under the product's
  fused score (``lotse.model.pool``). The pool leaves out every passage of a dev or test gold
  page, so not even a negative tells the adapter which passages answer a held-out question.
- **Selection on dev**: every ``eval_every`` steps, page Recall@5 on the OMoS-QA dev split under
  that fused score, with the original model's passage vectors (what the index holds); the best
  checkpoint by mean over the adapter's languages is written.

The adapter never touches German questions or any passage: ``lotse.model.query_adapter``
applies it to questions detected in ``languages`` only.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lotse.model.pool import PassagePool

if TYPE_CHECKING:
    from lotse.model.tune import TuneResult

__all__ = ["OMOS_LANGUAGES", "AlignConfig", "parallel_pairs", "run_align"]

OMOS_LANGUAGES = ("en", "ar", "uk")  # the question languages OMoS-QA has besides German

Progress = Callable[[str], None]


@dataclass(slots=True)
class AlignConfig:
    languages: tuple[str, ...] = ("en", "ar", "uk")
    seed: int = 13
    steps: int = 450
    batch_size: int = 64
    lr: float = 5e-4
    rank: int = 16
    alpha: float = 32.0
    contrastive: float = 1.0  # weight of the in-batch term; 0: plain cosine distillation
    scale: float = 20.0
    warmup: float = 0.1
    max_seq_length: int = 96
    min_line_chars: int = 16  # shorter page lines (headings, "Telefon:") carry too little to align
    eval_every: int = 150
    retrieval: float = 0.0  # weight of the retrieval term (train questions vs. frozen passages); 0: none
    retrieval_batch: int = 24  # train questions per step for that term
    retrieval_scale: float = 50.0  # inverse temperature of its softmax over the passage pool
    # Weight of the ranking term: each pair's text must rank the pool as its German side does under
    # the original model (KL between the two softmaxes of the fused score); 0: none.
    ranking: float = 0.0
    ranking_scale: float = 50.0
    # Train items whose page is not in the page dumps (München): their German page text, from the
    # train file itself, joins the retrieval term's pool through the normal ingest.
    unindexed_pages: bool = False
    # Where the pinned wheels with translated UI messages are (downloaded if absent); their
    # German pairs in ``languages`` join the training data (lotse.model.gettext_pairs). None: none.
    ui_wheels: str | None = None
    threads: int = 2
    limit_pairs: int | None = None  # a random subset of the pairs (smoke runs)
    # Checkpoints are compared on dev with the adapter at this strength (W + s * delta), the one
    # it will be served at (AdapterSpec.strength); training itself does not depend on it.
    select_strength: float = 1.0
    # What chooses the checkpoint: "omos" = page Recall@5 on OMoS-QA dev in the adapter's en/ar/uk;
    # "ui" = nearest-German Recall@1 on the held-out UI messages in its other languages (tr, ru, fa,
    # es), for an adapter that is served only for those, where OMoS-QA has no questions.
    select_on: str = "omos"


@dataclass(frozen=True, slots=True)
class Pair:
    text: str  # in one of the adapter's languages
    german: str  # the same text in German: the teacher's input
    kind: str  # "question" | "line"
    language: str


def _split_rows(split_dir: Path, split: str, lang: str) -> list[dict]:
    with (split_dir / f"{split}_{lang}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def parallel_pairs(split_dir: Path, languages: tuple[str, ...], min_line_chars: int) -> tuple[list[Pair], dict]:
    """Questions and page lines of the OMoS-QA train split, each paired with its German version."""

    held_out = {r["context"] for split in ("dev", "test") for r in _split_rows(split_dir, split, "de")}
    de = _split_rows(split_dir, "train", "de")
    other = {lang: _split_rows(split_dir, "train", lang) for lang in languages}
    pairs: list[Pair] = []
    pages: set[str] = set()
    stats = {"train_items": len(de), "pages": 0, "pages_skipped_held_out": 0, "pages_misaligned": 0}
    for i, item in enumerate(de):
        for lang in languages:
            if other[lang][i]["id"] != item["id"]:
                raise ValueError(f"OMoS-QA train_{lang}.jsonl is not aligned with train_de.jsonl at line {i + 1}")
            pairs.append(Pair(other[lang][i]["question"], item["question"], "question", lang))
        if item["context"] in pages:
            continue
        pages.add(item["context"])
        if item["context"] in held_out:  # never in the snapshot we have; the check keeps it that way
            stats["pages_skipped_held_out"] += 1
            continue
        stats["pages"] += 1
        lines = item["context"].split("\n")
        for lang in languages:
            translated = other[lang][i]["context"].split("\n")
            if len(translated) != len(lines):
                stats["pages_misaligned"] += 1
                continue
            pairs += [Pair(t, g, "line", lang) for g, t in zip(lines, translated, strict=True)
                      if len(g) >= min_line_chars and t.strip()]
    stats["pairs"] = len(pairs)
    stats["question_pairs"] = sum(1 for p in pairs if p.kind == "question")
    stats["line_pairs"] = stats["pairs"] - stats["question_pairs"]
    return pairs, stats


def _scored(questions, indexed: set[str]) -> list:  # type: ignore[no-untyped-def]
    return [q for q in questions if q.answerable and q.in_corpus and q.gold_urls & indexed]


def _dev_recall(bert, tok, pool: PassagePool, dev, k: int = 5) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Page Recall@k on dev under the product's fused score (without its small BM25 share)."""
    import torch

    from lotse.model.tune import _encode

    indexed = set(pool.urls)
    out: dict[str, float] = {}
    for lang, qs in dev.questions.items():
        scored = _scored(qs, indexed)
        with torch.no_grad():
            qv = np.concatenate([_encode(bert, tok, [q.text for q in scored[i:i + 64]], "query: ", 128).numpy()
                                 for i in range(0, len(scored), 64)])
        out[lang] = round(pool.recall(qv, [q.gold_urls for q in scored], k), 4)
    return out


def _ui_accuracy(bert, tok, held_out: list[Pair], teacher, row: dict[str, int]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Per language, the share of held-out UI messages whose nearest German message (among all
    held-out ones, original model) is their own translation."""
    import torch

    from lotse.model.tune import _encode

    german = sorted({p.german for p in held_out})
    index = {g: i for i, g in enumerate(german)}
    targets = teacher[torch.tensor([row[g] for g in german])]
    out = {}
    with torch.no_grad():
        for lang in sorted({p.language for p in held_out}):
            rows = [p for p in held_out if p.language == lang]
            vecs = torch.cat([_encode(bert, tok, [p.text for p in rows[i:i + 64]], "query: ", 96)
                              for i in range(0, len(rows), 64)])
            hits = (vecs @ targets.T).argmax(-1).numpy() == np.array([index[p.german] for p in rows])
            out[lang] = round(float(hits.mean()), 3)
    return out


def _ranking_loss(pool: PassagePool, student, teacher, masked, scale: float):  # type: ignore[no-untyped-def]
    """KL(teacher's ranking || student's) over the pool, under the product's fused score.

    Distillation matches whole vectors; what the product uses of a question vector is only its
    fused score against passages and their sentences. This term asks for that directly, for every
    pair (page lines too, not only the few train questions with a gold page)."""
    import torch
    import torch.nn.functional as F

    with torch.no_grad():
        target = (scale * pool.scores(teacher)).masked_fill(masked, float("-inf")).log_softmax(-1)
    logp = (scale * pool.scores(student)).masked_fill(masked, float("-inf")).log_softmax(-1)
    keep = ~masked
    return F.kl_div(logp[:, keep], target[:, keep], log_target=True, reduction="batchmean")


@contextmanager
def _at_strength(layers, strength: float) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The LoRA layers scaled to ``strength`` of their update inside the block."""
    layers = list(layers)
    scales = [layer.scale for layer in layers]
    for layer, scale in zip(layers, scales, strict=True):
        layer.scale = scale * strength
    try:
        yield
    finally:
        for layer, scale in zip(layers, scales, strict=True):
            layer.scale = scale


def _unindexed_train_pages(eval_data_dir: Path, languages: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """An EvalSet whose corpus is the German page text of answerable train items with no page in
    the dumps, and those items' questions in ``languages`` with that page as gold."""
    from evaluation.datasets import CorpusRecord, EvalSet, Question, load_omos

    split_dir = eval_data_dir / "omos_qa_integreat" / "splits"
    held = {r["context"] for split in ("dev", "test") for r in _split_rows(split_dir, split, "de")}
    indexed = load_omos(eval_data_dir, "train", ["de"]).questions["de"]
    de = _split_rows(split_dir, "train", "de")
    url_of: dict[str, str] = {}
    corpus: list[CorpusRecord] = []
    wanted: list[int] = []
    for i, (item, q) in enumerate(zip(de, indexed, strict=True)):
        if q.in_corpus or not item["answers"] or item["context"] in held:
            continue
        wanted.append(i)
        if item["context"] not in url_of:
            url = f"omos-train://{item['city']}/{item['pageId']}/{len(url_of)}"
            url_of[item["context"]] = url
            title = item["context"].split("\n", 1)[0][:120]
            corpus.append(CorpusRecord(url, title, item["context"], f"train-{item['id']}"))
    questions = {}
    for lang in languages:
        other = _split_rows(split_dir, "train", lang)
        questions[lang] = [Question(str(other[i]["id"]), lang, other[i]["question"],
                                    frozenset({url_of[de[i]["context"]]})) for i in wanted]
    return EvalSet("omos-train-pages", "train", corpus, False, questions)


def _retrieval_items(eval_data_dir: Path, languages: tuple[str, ...], pool: PassagePool, extra=None):  # type: ignore[no-untyped-def]
    """Train questions with their gold passage rows, and the rows allowed as negatives.

    Passages of dev and test gold pages are left out of the softmax: the adapter never sees
    which passages answer a held-out question, not even as a negative."""
    from evaluation.datasets import load_omos

    indexed = set(pool.urls)
    held = set()
    for split in ("dev", "test"):
        for qs in load_omos(eval_data_dir, split, ["de"]).questions.values():
            held.update(u for q in qs for u in q.gold_urls)
    train = load_omos(eval_data_dir, "train", list(languages))
    items = [(q.text, pool.rows_of(q.gold_urls)) for qs in train.questions.values() for q in _scored(qs, indexed)]
    if extra is not None:
        items += [(q.text, pool.rows_of(q.gold_urls)) for qs in extra.questions.values() for q in qs]
    allowed = np.ones(len(pool.urls), dtype=bool)
    allowed[pool.rows_of(held)] = False
    items = [(text, rows[allowed[rows]]) for text, rows in items]
    return [(t, r) for t, r in items if len(r)], allowed


def run_align(cfg: AlignConfig, *, base_dir: Path, out: Path, eval_data_dir: Path, cache_root: Path,
              chunk_max_tokens: int, user_agent: str, progress: Progress) -> TuneResult:
    import torch
    from sentence_transformers import SentenceTransformer

    from evaluation.datasets import load_omos
    from evaluation.runner import prepare_index
    from lotse.embedding import SentenceTransformerEmbedder
    from lotse.model.adapter import save_adapter
    from lotse.model.build import checksum_of, verify_model
    from lotse.model.lora import inject_lora, lora_state_dict
    from lotse.model.tune import TuneResult, _encode

    ui_langs = tuple(lang for lang in cfg.languages if lang not in OMOS_LANGUAGES)
    if cfg.select_on not in ("omos", "ui"):
        raise ValueError(f"select_on must be 'omos' or 'ui', not {cfg.select_on!r}.")
    if cfg.select_on == "ui" and not (cfg.ui_wheels and ui_langs):
        raise ValueError("Choosing the checkpoint on the held-out UI messages (--select-on ui) needs --ui-wheels "
                         f"and at least one language besides {', '.join(OMOS_LANGUAGES)} in --languages.")
    t_start = time.perf_counter()
    torch.set_num_threads(cfg.threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    verify_model(base_dir)
    base_checksum = checksum_of(base_dir)

    omos = tuple(lang for lang in cfg.languages if lang in OMOS_LANGUAGES)
    if not omos:
        raise ValueError(f"--languages must include at least one of {', '.join(OMOS_LANGUAGES)}: OMoS-QA dev in "
                         "those languages chooses the checkpoint.")
    pairs, stats = parallel_pairs(eval_data_dir / "omos_qa_integreat" / "splits", omos, cfg.min_line_chars)
    progress(f"{stats['pairs']} pairs ({stats['question_pairs']} questions, {stats['line_pairs']} page lines "
             f"of {stats['pages']} train pages)")
    ui_dev: list[Pair] = []
    if cfg.ui_wheels:
        from lotse.model.gettext_pairs import fetch_wheels, gettext_pairs

        ui = gettext_pairs(fetch_wheels(Path(cfg.ui_wheels)), cfg.languages)
        pairs += ui.train
        ui_dev = ui.dev
        stats["ui_pairs"] = ui.counts
        progress(f"{len(ui.train)} translated UI messages join them ({len(ui_dev)} held out): {ui.counts}")
    if cfg.limit_pairs:
        pairs = random.Random(cfg.seed).sample(pairs, min(cfg.limit_pairs, len(pairs)))
        ui_dev = random.Random(cfg.seed).sample(ui_dev, min(cfg.limit_pairs, len(ui_dev)))

    dev = load_omos(eval_data_dir, "dev", ["de", *omos])
    base_emb = SentenceTransformerEmbedder(str(base_dir), batch_size=32)
    prepared = prepare_index(dev, base_emb, cache_root=cache_root, model=str(base_dir),
                             chunk_max_tokens=chunk_max_tokens, user_agent=user_agent, progress=progress)
    pool = PassagePool.from_index(prepared.index)
    train_pool, extra = pool, None
    if cfg.retrieval and cfg.unindexed_pages:
        extra = _unindexed_train_pages(eval_data_dir, omos)
        more = prepare_index(extra, base_emb, cache_root=cache_root, model=str(base_dir),
                             chunk_max_tokens=chunk_max_tokens, user_agent=user_agent, progress=progress)
        train_pool = pool.concat(PassagePool.from_index(more.index))
        progress(f"{len(extra.corpus)} train pages outside the dumps add {len(train_pool.urls) - len(pool.urls)} "
                 "passages to the retrieval term's pool")
    del base_emb, prepared
    retrieval, allowed = (_retrieval_items(eval_data_dir, omos, train_pool, extra)
                          if cfg.retrieval or cfg.ranking else ([], None))
    if not cfg.retrieval:
        retrieval = []  # the ranking term alone needs only the mask of held-out passages
    stats["retrieval_questions"] = len(retrieval)
    stats["retrieval_passages"] = int(allowed.sum()) if allowed is not None else 0
    stats["retrieval_unindexed_pages"] = len(extra.corpus) if extra is not None else 0
    if cfg.retrieval:
        progress(f"retrieval term: {len(retrieval)} train questions against {int(allowed.sum())} of "
                 f"{len(train_pool.urls)} passages (dev/test gold pages left out)")

    st = SentenceTransformer(str(base_dir), device="cpu")
    bert, tok = st[0].auto_model, st.tokenizer
    bert.eval()  # no dropout: the teacher and the student see the same network
    targets = sorted({p.german for p in pairs} | {p.german for p in ui_dev})
    t0 = time.perf_counter()
    teacher = st.encode(targets, prompt_name="query", batch_size=64, normalize_embeddings=True,
                        convert_to_tensor=True, show_progress_bar=False)
    row = {t: i for i, t in enumerate(targets)}
    progress(f"teacher vectors of {len(targets)} German texts ({time.perf_counter() - t0:.0f} s)")
    dev_base = _dev_recall(bert, tok, pool, dev)
    progress(f"dev R@5, original model: {dev_base}")
    ui_base = _ui_accuracy(bert, tok, ui_dev, teacher, row) if ui_dev else {}
    if ui_dev:
        progress(f"held-out UI messages, German found first, original model: {ui_base}")

    wrapped = inject_lora(bert, cfg.rank, cfg.alpha, None)
    params = [p for layer in wrapped.values() for p in (layer.lora_A, layer.lora_B)]
    progress(f"LoRA rank {cfg.rank} on all layers: {sum(p.numel() for p in params):,} trainable parameters")
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    warm = max(1, int(cfg.warmup * cfg.steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (cfg.steps - s) / max(1, cfg.steps - warm)))
    rng = random.Random(cfg.seed)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    pos, losses, history = 0, [], []
    r_order, r_pos = list(range(len(retrieval))), len(retrieval)
    masked = torch.from_numpy(~allowed) if allowed is not None else None
    best: tuple[float, int, dict[str, np.ndarray], dict[str, float]] | None = None
    t0 = time.perf_counter()
    for step in range(1, cfg.steps + 1):
        if pos + cfg.batch_size > len(order):
            rng.shuffle(order)
            pos = 0
        batch = [pairs[j] for j in order[pos:pos + cfg.batch_size]]
        pos += cfg.batch_size
        student = _encode(bert, tok, [p.text for p in batch], "query: ", cfg.max_seq_length)
        target = teacher[torch.tensor([row[p.german] for p in batch])]
        loss = (1.0 - (student * target).sum(-1)).mean()
        if cfg.contrastive:
            # Two batch rows may share a German target (the same line in en and ar): mask the twin.
            same = torch.tensor([[a.german == b.german and i != j for j, b in enumerate(batch)]
                                 for i, a in enumerate(batch)])
            logits = (cfg.scale * student @ target.T).masked_fill(same, float("-inf"))
            loss = loss + cfg.contrastive * torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
        if cfg.ranking:
            loss = loss + cfg.ranking * _ranking_loss(train_pool, student, target, masked, cfg.ranking_scale)
        if cfg.retrieval and retrieval:
            if r_pos + cfg.retrieval_batch > len(r_order):
                rng.shuffle(r_order)
                r_pos = 0
            items = [retrieval[j] for j in r_order[r_pos:r_pos + cfg.retrieval_batch]]
            r_pos += cfg.retrieval_batch
            q = _encode(bert, tok, [t for t, _ in items], "query: ", cfg.max_seq_length)
            logits = (cfg.retrieval_scale * train_pool.scores(q)).masked_fill(masked, float("-inf"))
            gold = torch.zeros_like(logits, dtype=torch.bool)
            for i, (_, rows) in enumerate(items):
                gold[i, torch.from_numpy(rows)] = True
            # Any passage of the gold page is a hit: -log of the gold passages' share of the softmax.
            nll = torch.logsumexp(logits, -1) - torch.logsumexp(logits.masked_fill(~gold, float("-inf")), -1)
            loss = loss + cfg.retrieval * nll.mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(float(loss.detach()))
        if step % 25 == 0:
            progress(f"step {step}/{cfg.steps} loss {np.mean(losses[-25:]):.4f} "
                     f"({(time.perf_counter() - t0) / step:.1f} s/step)")
        if step % cfg.eval_every == 0 or step == cfg.steps:
            r = _dev_recall(bert, tok, pool, dev)
            entry = {"step": step, "loss": round(float(np.mean(losses[-25:])), 4), "dev_R@5": r}
            if cfg.select_strength != 1.0:
                with _at_strength(wrapped.values(), cfg.select_strength):
                    r = _dev_recall(bert, tok, pool, dev)
                entry[f"dev_R@5_at_{cfg.select_strength:g}"] = r
            if ui_dev:
                entry["ui_dev_R@1"] = _ui_accuracy(bert, tok, ui_dev, teacher, row)
                if cfg.select_strength != 1.0:
                    with _at_strength(wrapped.values(), cfg.select_strength):
                        entry[f"ui_dev_R@1_at_{cfg.select_strength:g}"] = _ui_accuracy(bert, tok, ui_dev, teacher, row)
                progress(f"step {step}: held-out UI messages {entry['ui_dev_R@1']}")
            if cfg.select_on == "ui":
                ui_r: dict[str, float] = entry.get(  # type: ignore[assignment]
                    f"ui_dev_R@1_at_{cfg.select_strength:g}", entry["ui_dev_R@1"])
                score = float(np.mean([ui_r[lang] for lang in ui_langs if lang in ui_r] or [0.0]))
            else:
                score = float(np.mean([r[lang] for lang in omos]))
            entry["selection_score"] = round(score, 4)
            history.append({**entry, "seconds": round(time.perf_counter() - t0)})
            progress(f"step {step}: dev R@5 {r}")
            if best is None or score > best[0]:
                best = (score, step, {k: v.numpy() for k, v in lora_state_dict(wrapped).items()}, r)

    assert best is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    adapter = out.with_suffix(".safetensors")
    sha = save_adapter(adapter, best[2], cfg.rank, cfg.alpha,
                       extra={"kind": "query", "languages": ",".join(cfg.languages)})
    record = out.with_suffix(".json")
    doc = {
        "adapter": adapter.name, "sha256": sha, "kind": "query", "languages": list(cfg.languages),
        "selected_step": best[1], "base_checksum": base_checksum, "config": asdict(cfg),
        "data": {"source": "OMoS-QA train split: questions, line-aligned page translations and the questions' "
                           "gold pages (CC BY 4.0, "
                           "https://github.com/digitalfabrik/integreat-qa-dataset)"
                           + ("; translated UI messages of the wheels in lotse.model.gettext_pairs.WHEELS "
                              "(BSD/MIT)" if cfg.ui_wheels else ""), **stats},
        "dev_R@5_original": dev_base, "ui_dev_R@1_original": ui_base, "dev_R@5_selected": best[3],
        "selected_on": ("held-out UI messages, nearest-German Recall@1, mean over " + ",".join(ui_langs)
                        if cfg.select_on == "ui" else "OMoS-QA dev page Recall@5, mean over " + ",".join(omos)),
        "dev_metric": "page Recall@5, fused dense + best-sentence score (no BM25), original passage vectors",
        "checkpoints": history,
        "seconds": round(time.perf_counter() - t_start),
    }
    record.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    progress(f"wrote {adapter} (sha256 {sha}, step {best[1]}) and {record}")
    return TuneResult(adapter, record, sha, {"original": dev_base, "checkpoints": history})
