"""``lotse``: the command line, front door to everything Bildungslotse does.

Start with ``make demo``, or step by step::

    lotse model build                       # provision the embedding model (offline)
    lotse ingest --config demo/sources.toml # crawl, clean, chunk, index, publish
    lotse ask "Was plant Bochum für die Kita-Betreuung?"
    lotse serve                             # the HTTP API on http://127.0.0.1:8000
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from evaluation.cli import eval_app
from lotse.commands.common import AnswerLanguage, DataDir, err, fail, load_settings, out, served
from lotse.commands.model import model_app
from lotse.errors import LotseError
from lotse.settings import Settings

app = typer.Typer(
    help="Bildungslotse: answers about Bochum's education strategy and offers, from the city's own documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="List, inspect and roll back published index versions.", no_args_is_help=True)
app.add_typer(model_app, name="model")
app.add_typer(index_app, name="index")
app.add_typer(eval_app, name="eval")


@app.command()
def ingest(
    config: Annotated[Path, typer.Option("--config", "-c", help="Sources file (TOML) naming what to crawl.")],
    data_dir: DataDir = None,
    publish: Annotated[bool, typer.Option(help="Publish the new version when it is built.")] = True,
) -> None:
    """Crawl the sources, extract and chunk the text, build and publish a new index version."""
    from index.store import IndexStore
    from ingest.pipeline import IngestPipeline
    from ingest.sources import load_sources
    from lotse.embedding import configured_embedder
    from lotse.richprogress import RichProgress

    s = load_settings(data_dir)
    try:
        sources = load_sources(config)
        embedder = configured_embedder(s)
        with RichProgress(err) as progress:
            pipeline = IngestPipeline(embedder, IndexStore(s.data_dir), user_agent=s.user_agent,
                                      fetch_timeout=s.fetch_timeout, chunk_max_tokens=s.chunk_max_tokens,
                                      max_document_loss=s.max_document_loss, progress=progress)
            result = pipeline.run(sources, publish=publish)
    except LotseError as exc:
        raise fail(exc) from exc
    table = Table(title=f"Index version {result.version}" + (" (published)" if result.published else ""))
    for col in ("source", "fetched", "304", "documents", "new", "updated", "unchanged", "removed", "duplicates",
                "passages", "failed", "skipped"):
        table.add_column(col, justify="right" if col != "source" else "left")
    for r in result.reports:
        table.add_row(r.name, str(r.fetched), str(r.not_modified), str(r.documents), str(r.new), str(r.updated),
                      str(r.unchanged),
                      str(len(r.removed)), str(r.duplicates), str(r.chunks), str(len(r.failed)), str(len(r.skipped)))
    out.print(table)
    for r in result.reports:
        for f in r.failed:
            err.print(f"[yellow]failed[/] {r.name}: {f['url']}: {f['reason']}", highlight=False)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in any language we serve.")],
    data_dir: DataDir = None,
    top_k: Annotated[int | None, typer.Option("--top-k", "-k", help="Passages to return.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON response.")] = False,
    language: AnswerLanguage = None,
) -> None:
    """Ask one question and print the answer with its sources. One to three words whose language is
    unclear ("Kita") are read in the terminal's language (LANG)."""
    from assistant.language import locale_hint

    s = load_settings(data_dir)
    try:
        assistant = _assistant(s)
        result = assistant.ask(question, top_k=top_k, hint=locale_hint(), answer_language=served(language))
    except LotseError as exc:
        raise fail(exc) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    out.print(result.answer.text, highlight=False)
    out.print()
    for p in result.passages:
        src = p.chunk.source
        section = f" > {src.section}" if src.section else ""
        out.print(f"[bold][{p.rank}][/] {src.title}{section}  [dim]({p.score:.3f})[/]", highlight=False)
        out.print(f"    [link={src.deep_link}]{src.deep_link}[/link]", highlight=False)


@app.command()
def chat(
    data_dir: DataDir = None,
    url: Annotated[str | None, typer.Option("--url", help="Ask a running server (e.g. http://127.0.0.1:8000) "
                                                          "instead of the local index.")] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", "-k", help="Passages per answer.")] = None,
    session: Annotated[str | None, typer.Option("--session", help="Continue this session id.")] = None,
    language: AnswerLanguage = None,
) -> None:
    """An interactive conversation with sources: one question per line, follow-ups understood.
    /new starts over, /good and /bad [comment] rate the last answer, /quit ends."""
    from lotse.chat import LocalBackend, RemoteBackend, run_chat

    try:
        chosen = served(language)
        backend = (RemoteBackend(url, language=chosen) if url
                   else LocalBackend(load_settings(data_dir), language=chosen))
        run_chat(backend, out=out, err=err, session_id=session, top_k=top_k)
    except LotseError as exc:
        raise fail(exc) from exc
    except KeyboardInterrupt:
        out.print()


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Worker processes. They share the index version's memory-mapped files and the "
                            "state file; each loads the model (about 0.5 GB).")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from api.app import create_app

    s = load_settings(data_dir, host=host, port=port)
    if s.database_url:  # an unreachable database is a message here, not a traceback from the app's start-up
        from assistant.factory import build_store

        try:
            build_store(s).close()  # type: ignore[attr-defined]
        except LotseError as exc:
            raise fail(exc) from None
    out.print(f"Bildungslotse API on http://{s.host}:{s.port}  (docs: /docs, widget demo: /demo, "
              f"console: /console, data: {s.data_dir}, workers: {workers})")
    if workers == 1:
        uvicorn.run(create_app(s), host=s.host, port=s.port, log_level="info")
        return
    # Worker processes build their app from the environment: pass on what the options set.
    os.environ["LOTSE_DATA_DIR"] = str(Path(s.data_dir).resolve())
    # A worker loading the model or busy with a question can miss uvicorn's 5 s health ping on two
    # loaded cores; being killed for it would only restart the same work.
    uvicorn.run("api.app:create_app", factory=True, workers=workers, host=s.host, port=s.port, log_level="info",
                timeout_worker_healthcheck=300)


@app.command()
def demo(
    data_dir: DataDir = None,
    port: Annotated[int, typer.Option(help="Port of the assistant.")] = 8000,
    site_port: Annotated[int, typer.Option(help="Port of the demo website the crawler reads.")] = 8001,
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve the API after ingesting.")] = True,
) -> None:
    """Serve the bundled demo site, crawl it into an index, and serve the assistant."""
    from lotse.sitesrv import serve_directory

    root = _repo_file("demo")
    s = load_settings(data_dir, port=port)
    with serve_directory(root / "site", port=site_port) as site, tempfile.TemporaryDirectory() as tmp:
        out.print(f"Demo website on {site}/index.html")
        # demo/sources.toml names port 8001; point it at the port actually served.
        config = Path(tmp) / "sources.toml"
        config.write_text((root / "sources.toml").read_text(encoding="utf-8").replace("http://127.0.0.1:8001", site),
                          encoding="utf-8")
        ingest(config=config, data_dir=s.data_dir, publish=True)
        if not serve_api:
            return
        out.print(f"\n[bold green]Open http://127.0.0.1:{port}/demo[/]     a city page with the chat widget\n"
                  f"     [bold green]http://127.0.0.1:{port}/console[/]  the call-centre console\n"
                  f"     [bold green]http://127.0.0.1:{port}/docs[/]     the API; try POST /v1/ask, or run:\n"
                  f'  curl -s -X POST http://127.0.0.1:{port}/v1/ask -H "content-type: application/json" '
                  "-d '{\"question\": \"Was plant Bochum für die Kita-Betreuung?\"}'\n", highlight=False)
        serve(data_dir=s.data_dir, host="127.0.0.1", port=port)


@index_app.command("list")
def index_list(data_dir: DataDir = None) -> None:
    """List index versions; the published one is marked."""
    from index.store import IndexStore

    store = IndexStore(load_settings(data_dir).data_dir)
    current = store.current()
    table = Table()
    for col in ("", "version", "created", "documents", "passages", "model"):
        table.add_column(col)
    for m in store.versions():
        c = m.get("counts", {})
        table.add_row("*" if m["version"] == current else "", m["version"], m.get("created", "?"),
                      str(c.get("documents", "?")), str(c.get("chunks", "?")), m.get("model", {}).get("name", "?"))
    out.print(table)


@index_app.command("rollback")
def index_rollback(
    data_dir: DataDir = None,
    to: Annotated[str | None, typer.Option("--to", help="Version to publish; default: the previous one.")] = None,
) -> None:
    """Publish an earlier index version again (a running server switches within a second)."""
    from index.store import IndexStore

    store = IndexStore(load_settings(data_dir).data_dir)
    try:
        target = to or store.previous()
        if target is None:
            raise LotseError("There is no earlier index version to roll back to.")
        store.load(target)  # verify before publishing
        store.publish(target)
    except LotseError as exc:
        raise fail(exc) from exc
    out.print(f"Published {target}.")


def _assistant(s: Settings):  # type: ignore[no-untyped-def]
    from assistant.factory import build_assistant

    return build_assistant(s)


def _repo_file(name: str) -> Path:
    """Files shipped beside the packages (demo corpus); the working copy is the install."""
    here = Path(__file__).resolve().parent.parent / name
    if not here.exists():
        raise typer.BadParameter(f"{name}/ not found next to the installed packages ({here}).")
    return here


def main() -> None:
    app()
