"""``lotse eval``: measure retrieval quality and abstention on public QA sets.

Mounted in ``lotse/cli.py``; everything heavy (torch, the model, Haystack) is imported
inside the commands, so ``lotse --help`` stays instant.
"""

from __future__ import annotations

import json
import platform
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["eval_app"]

eval_app = typer.Typer(
    short_help="Measure retrieval quality and abstention on public QA sets (XQuAD, OMoS-QA).",
    help=(
        "Measure retrieval quality on public QA sets with German passages and questions in many languages. "
        "Each set's corpus is ingested through the normal pipeline into a cached index (reused on the next "
        "run), then every system (ours = the product's hybrid retriever, dense = passage vectors only, "
        "bm25 = German BM25 only, haystack = a stock Haystack hybrid pipeline) answers every question over "
        "that same index. Reports Recall@1/5/10 per language and system and writes artifacts/eval/<set>-"
        "<split>.md and .json. Report numbers from test splits; tune only on dev (XQuAD has no dev split: "
        "never tune on it)."
    ),
    no_args_is_help=True,
    add_completion=False,
)

out = Console()
err = Console(stderr=True, soft_wrap=True)

Systems = Annotated[str | None, typer.Option(
    "--systems", help="Comma-separated systems to compare: ours, ours-nolex (ours without the query lexicon), "
                     "ours-nomem (ours without the translation memory), dense, bm25, haystack. Default: all; "
                     "haystack is reported as unavailable without the bench extra.")]
Languages = Annotated[str | None, typer.Option(
    "--languages", help="Comma-separated question languages (ISO 639-1). Default: all the set has.")]
Limit = Annotated[int | None, typer.Option(
    "--limit", min=1, help="Only the first N questions per language: a quick smoke run, not a result.")]
OutDir = Annotated[Path, typer.Option("--out", help="Folder for the markdown and JSON reports.")]
EvalDataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Where the eval indexes are cached, keyed by corpus, model and chunking. "
                       "Default: $LOTSE_DATA_DIR/eval.")]
Model = Annotated[str | None, typer.Option(
    "--model", help="Comma-separated embedding models, reported side by side: 'base' (the original "
                    "multilingual-e5-small), 'adapted' (with the configured query adapter, else the shipped "
                    "default), a shipped adapter's name (a query adapter at another strength: "
                    "'omos-align-v2@1'), a sentence-transformers folder or name, or 'hashing' for plumbing "
                    "tests. Default: $LOTSE_EMBEDDING_MODEL if set, else base,adapted.")]

PerPage = Annotated[int | None, typer.Option(
    "--per-page", min=0, help="At most N passages of one page in front of the ranking (0: no cap). Applies "
                              "to every system alike (to the Haystack peer's top 10 afterwards). Default: the "
                              "product's (FusionWeights.per_page).")]


def _split_list(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@eval_app.command("xquad")
def xquad(systems: Systems = None, languages: Languages = None, limit: Limit = None,
          out_dir: OutDir = Path("artifacts/eval"), data_dir: EvalDataDir = None, model: Model = None,
          per_page: PerPage = None) -> None:
    """XQuAD cross-lingual retrieval: the same 1,190 questions in 12 languages against the 240 German
    paragraphs. Measures Recall@1/5/10 and MRR@10 of the gold paragraph per language and system.
    XQuAD has no dev split: its numbers are for reporting only, never for tuning."""
    _run("xquad", "test", systems, languages, limit, out_dir, data_dir, model, per_page)


@eval_app.command("omos")
def omos(systems: Systems = None, languages: Languages = None,
         split: Annotated[str, typer.Option(
             "--split", help="test: the numbers you report. dev: the split to tune weights and thresholds "
                             "on. train: not used for anything here.")] = "test",
         limit: Limit = None, out_dir: OutDir = Path("artifacts/eval"), data_dir: EvalDataDir = None,
         model: Model = None, per_page: PerPage = None) -> None:
    """OMoS-QA (Integreat pages for newcomers): questions in de, en, ar, uk against the German page
    dumps of two districts. Measures page Recall@1/5/10 and evidence hit@5 (a gold answer line inside
    the top-5 passages) per language and system, and abstention: how often the assistant refuses
    unanswerable and out-of-domain questions and wrongly refuses answerable ones, with a threshold
    trade-off curve (choose thresholds from the dev run)."""
    _run("omos", split, systems, languages, limit, out_dir, data_dir, model, per_page)


def _models(model: str | None, s) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    """(label, model folder or name, query adapter or None) for every model to evaluate, in report order.

    'base' is the original model; 'adapted' the configured adapter (LOTSE_EMBEDDING_ADAPTER), or the
    shipped default when that is 'none'; any other name is a folder or a shipped adapter's name."""
    from lotse.model.adapter import ADAPTERS, is_query_adapter, split_adapter_name
    from lotse.settings import SHIPPED_ADAPTER

    def resolve(name: str) -> tuple[str, str | None]:
        if name in ("base", "original"):
            return s.provisioned_model_path("none"), None
        if name == "adapted":
            name = s.embedding_adapter if s.embedding_adapter != "none" else SHIPPED_ADAPTER
        if is_query_adapter(name):  # "omos-align-v2@1": at another strength; "a+b": both, by language
            return s.provisioned_model_path("none"), name
        spec = ADAPTERS.get(split_adapter_name(name)[0])
        if spec is None:
            return name, None
        return s.provisioned_model_path(name), None

    if model:
        names = _split_list(model) or []
    elif s.embedding_model:
        return [(s.embedding_model, s.embedding_model, None)]
    else:
        names = ["base", "adapted"] if ADAPTERS else ["base"]
    return [(n, *resolve(n)) for n in names]


def _embedder(model_name: str, adapter: str | None, batch_size: int):  # type: ignore[no-untyped-def]
    from lotse.embedding import load_embedder

    query_adapter = None
    if adapter:
        from lotse.model.adapter import load_query_adapter

        query_adapter = load_query_adapter(adapter)
    return load_embedder(model_name, batch_size=batch_size, query_adapter=query_adapter)


def _run(name: str, split: str, systems: str | None, languages: str | None, limit: int | None,
         out_dir: Path, data_dir: Path | None, model: str | None, per_page: int | None = None) -> None:
    from dataclasses import replace

    from assistant.factory import fusion_weights
    from evaluation.datasets import OUT_OF_DOMAIN_HELDOUT, load_omos, load_out_of_domain, load_xquad
    from evaluation.report import write
    from evaluation.runner import RetrievalRun, prepare_index, run_abstention, run_retrieval
    from evaluation.systems import ALL_SYSTEMS, build_systems
    from lotse.errors import LotseError
    from lotse.settings import Settings

    started = time.perf_counter()
    s = Settings()
    weights = fusion_weights(s) if per_page is None else replace(fusion_weights(s), per_page=per_page)
    models = _models(model, s)
    cache_root = data_dir or (s.data_dir / "eval")
    names = _split_list(systems) or list(ALL_SYSTEMS)
    progress = lambda m: err.print(f"[dim]{m}[/]", highlight=False)  # noqa: E731
    run = RetrievalRun()
    abstentions = {}
    prepared_all = []
    peer_notes: dict[str, str] = {}
    try:
        from assistant.factory import build_lexicon, build_memory

        lexicon = build_lexicon(s)  # as the product ranks: LOTSE_QUERY_LEXICON
        if name == "xquad":
            evalset = load_xquad(s.eval_data_dir, _split_list(languages), limit)
        else:
            evalset = load_omos(s.eval_data_dir, split, _split_list(languages), limit)
        for label, model_name, adapter in models:
            # One model: the plain system names; several: "ours[base]", "ours[adapted]", …
            tag = (lambda n, lb=label: f"{n}[{lb}]") if len(models) > 1 else (lambda n: n)  # noqa: E731
            progress(f"model {label}: {model_name}" + (f" + query adapter {adapter}" if adapter else ""))
            embedder = _embedder(model_name, adapter, s.embed_batch_size)
            prepared = prepare_index(evalset, embedder, cache_root=cache_root, model=model_name,
                                     chunk_max_tokens=s.chunk_max_tokens, user_agent=s.user_agent,
                                     progress=progress)
            prepared_all.append((label, model_name + (f"+{adapter}" if adapter else ""), embedder, prepared))
            index = prepared.index
            memory = build_memory(s, model_name)  # LOTSE_QUERY_MEMORY, for the original model's vectors only
            slots = build_systems(names, index, embedder, model_name, weights, lexicon, memory)
            for slot in slots:
                slot.name = tag(slot.name)
            if adapter and "haystack" in names:
                peer_notes[tag("haystack")] = ("questions encoded by the product's embedder with the query adapter "
                                               f"{adapter} (the same vectors as ours; no folder holds the adapter)")
            part = run_retrieval(evalset, slots, index, embedder, progress)
            run.table.update(part.table)
            run.unavailable.update(part.unavailable)
            run.seconds.update(part.seconds)
            run.ranks.update(part.ranks)
            run.detected = part.detected
            if name == "omos":
                from assistant.factory import build_abstention
                from assistant.retrieve import HybridRetriever

                groups = [("answerable" if q.answerable else "unanswerable", q)
                          for qs in evalset.questions.values() for q in qs if q.in_corpus]
                ood = load_out_of_domain()
                groups += [("ood", q) for q in (ood[:limit] if limit else ood)]
                held = load_out_of_domain(OUT_OF_DOMAIN_HELDOUT, "ood-heldout")
                groups += [("ood-heldout", q) for q in (held[:limit] if limit else held)]
                retriever = HybridRetriever(embedder, weights, lexicon=lexicon, memory=memory)
                abstentions[label] = run_abstention(groups, index, embedder, retriever,
                                                    build_abstention(s, adapter), progress)
    except (LotseError, ValueError) as exc:
        err.print(f"[bold red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(code=1) from exc
    notes = dict(evalset.notes) | peer_notes
    if name == "omos":
        notes["excluded_from_recall"] = (f"{notes['gold_page_missing']} questions per language whose gold page is "
                                         "not in the corpus (München has no page dump) and the "
                                         f"{notes['unanswerable_in_corpus']} unanswerable ones (see Abstention)")
    last = prepared_all[-1][3]
    meta = {
        "set": name, "split": split, "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {_cores()} cores, CPU only, Python {platform.python_version()}",
        "command": ("lotse eval " + " ".join(shlex.quote(a) for a in sys.argv[sys.argv.index(name):])
                    if name in sys.argv else f"lotse eval {name}"),
        "model": ", ".join(f"{lb}={m}" if len(models) > 1 else m for lb, m, _, _ in prepared_all),
        "models": {lb: m for lb, m, _, _ in prepared_all},
        "embedder": ", ".join(e.name for _, _, e, _ in prepared_all), "chunk_max_tokens": s.chunk_max_tokens,
        "per_page": weights.per_page, "query_lexicon": s.query_lexicon, "query_memory": s.query_memory,
        "offer_names": weights.offer_names,
        "index_folder": ", ".join(str(p.folder) for *_, p in prepared_all),
        "index_version": ", ".join(p.index.version for *_, p in prepared_all),
        "passages": len(last.index.chunks), "documents": last.index.manifest.get("counts", {}).get("documents"),
        "index_reused": all(p.reused for *_, p in prepared_all),
        "index_seconds": sum(p.build_seconds for *_, p in prepared_all),
        "seconds": time.perf_counter() - started, "limit": limit, "notes": notes,
    }
    abstention = (abstentions or None) if len(models) > 1 else next(iter(abstentions.values()), None)
    md, js = write(out_dir, meta, run, abstention)
    out.print(md.read_text(encoding="utf-8"), highlight=False, markup=False)
    err.print(f"wrote {md} and {js}", highlight=False)


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@eval_app.command("followups")
def followups(
    data_dir: EvalDataDir = None,
    out_dir: OutDir = Path("artifacts/eval"),
    model: Model = None,
    dataset: Annotated[Path | None, typer.Option(
        "--set", help="Dialogues (JSONL). Default: evaluation/data/followups.jsonl.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=10, help="hit@k besides hit@1.")] = 3,
    changes: Annotated[bool, typer.Option(
        "--topic-changes/--no-topic-changes",
        help="Also make changes of topic from the demo questions (--questions): per language, each question "
             "followed by the next one about another page.")] = True,
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="Demo questions (JSONL) for the changes of topic. Default: "
                            "evaluation/data/demo_languages.jsonl (dev); demo_languages_heldout.jsonl is held out.")
    ] = None,
) -> None:
    """Follow-up questions over the demo corpus: the second turn of each dialogue retrieved alone, with the
    product's follow-up detection, and always with the previous question. Reports hit@1 and hit@k of the
    page that answers it, for follow-ups and for changes of topic (where context must not hurt), and how
    often a second question the documents do not answer is still refused."""
    from assistant.factory import build_abstention, build_lexicon, build_memory, fusion_weights
    from assistant.retrieve import HybridRetriever
    from assistant.service import Assistant
    from evaluation.followups import (
        DEFAULT_SET,
        DEMO_QUESTIONS,
        load_dialogues,
        prepare_demo_index,
        run_followups,
        to_markdown,
        topic_changes,
    )
    from index.live import LiveIndex
    from index.store import IndexStore
    from lotse.embedding import configured_embedder, load_embedder
    from lotse.errors import LotseError
    from lotse.settings import Settings

    s = Settings()
    model_name = model or s.model_path()
    path = dataset or DEFAULT_SET
    try:
        embedder = load_embedder(model_name, batch_size=s.embed_batch_size) if model else configured_embedder(s)
        folder = prepare_demo_index(data_dir or (s.data_dir / "eval"), embedder,
                                    repo=Path(__file__).resolve().parent.parent, user_agent=s.user_agent,
                                    chunk_max_tokens=s.chunk_max_tokens,
                                    progress=lambda m: err.print(f"[dim]{m}[/]", highlight=False))
        assistant = Assistant(LiveIndex(IndexStore(folder)), embedder, abstention=build_abstention(s),
                              retriever=HybridRetriever(embedder, fusion_weights(s), lexicon=build_lexicon(s),
                                                        memory=build_memory(s, model_name)))
        dialogues = load_dialogues(path) + (topic_changes(questions or DEMO_QUESTIONS) if changes else [])
        result = run_followups(assistant, dialogues, k=k)
    except (LotseError, ValueError, OSError) as exc:
        err.print(f"[bold red]Error:[/] {exc}", highlight=False)
        raise typer.Exit(code=1) from exc
    sets = path.name + (f" + changes of topic from {(questions or DEMO_QUESTIONS).name}" if changes else "")
    meta = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "set": sets,
            "index": assistant.index.get().version,
            "command": "lotse eval " + " ".join(shlex.quote(a) for a in sys.argv[sys.argv.index("followups"):])
            if "followups" in sys.argv else "lotse eval followups"}
    md = to_markdown(result, meta)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "followups.md").write_text(md, encoding="utf-8")
    (out_dir / "followups.json").write_text(json.dumps({"meta": meta, **result}, ensure_ascii=False, indent=1),
                                            encoding="utf-8")
    out.print(md, highlight=False, markup=False, soft_wrap=True)
