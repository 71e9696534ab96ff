"""FastAPI application: ``create_app(settings)`` wires the assistant to HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import admin, chat
from api.chat import DeviceLanguage
from api.metrics import CONTENT_TYPE_LATEST, Metrics
from api.protection import Protection, ProtectionConfig
from api.reindex import ReindexJobs
from api.schemas import DocumentsResponse, ErrorResponse, OffersResponse, SearchResponse
from api.state import AppState
from api.web import install_web
from assistant.factory import build_assistant, build_conversation
from assistant.filters import build_filter, is_expired, list_offers, today
from assistant.service import Assistant
from index.store import IndexStore
from lotse.embedding import Embedder
from lotse.errors import (
    AuthError,
    BadRequestError,
    ConflictError,
    IndexCorruptError,
    IndexNotFoundError,
    LotseError,
    NotFoundError,
    StoreUnavailableError,
)
from lotse.privacy import install_private_access_log
from lotse.settings import Settings
from lotse.threads import limit_threads, thread_limits

__all__ = ["create_app"]

VERSION = "0.2.0"
_ERRORS = {400: ErrorResponse, 422: ErrorResponse, 503: ErrorResponse}


def _ingest_runner(settings: Settings, embedder: Embedder):  # type: ignore[no-untyped-def]
    """The job behind POST /v1/admin/reindex: the same pipeline as `lotse ingest`."""

    def run() -> dict[str, Any]:
        from ingest.pipeline import IngestPipeline
        from ingest.sources import load_sources

        assert settings.sources_file is not None
        pipeline = IngestPipeline(embedder, IndexStore(settings.data_dir), user_agent=settings.user_agent,
                                  fetch_timeout=settings.fetch_timeout, chunk_max_tokens=settings.chunk_max_tokens,
                                  max_document_loss=settings.max_document_loss)
        result = pipeline.run(load_sources(settings.sources_file), publish=True)
        return {"version": result.version, "published": result.published, "passages": result.chunks,
                "reports": [r.to_dict() for r in result.reports]}

    return run


def build_state(settings: Settings, state: AppState, embedder: Embedder | None = None) -> None:
    """Everything a request needs, built once at start-up."""
    state.assistant = build_assistant(settings, embedder)
    state.conversation = build_conversation(settings, state.assistant)
    state.store = state.conversation.store
    state.jobs = ReindexJobs(_ingest_runner(settings, state.assistant.embedder))


def _adapter_weights(embedder: object) -> str | None:
    """How the query adapters are served: 'low-rank' (the default), 'merged', or None without one."""
    adapter = getattr(embedder, "query_adapter", None)
    if adapter is None:
        return None
    return "merged" if adapter.merged else "low-rank"


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or Settings()
    state = AppState(settings, Metrics(lambda: state.assistant.index if state.assistant else None))
    threads: dict[str, int] = {}  # what each library may use, once limited (reported by /ready)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_private_access_log()  # after uvicorn configured its loggers
        build_state(settings, state, embedder)
        limit_threads(settings.serve_threads)  # after the libraries' pools exist: threadpoolctl limits loaded ones
        threads.update(thread_limits())
        assert state.assistant is not None
        try:
            state.assistant.warm_up()  # load now so the first question does not pay for it
        except LotseError:
            pass  # /ready says why; the server still starts so /health answers
        yield
        if state.conversation is not None and state.conversation.writer is not None:
            state.conversation.writer.close()
        close = getattr(state.store, "close", None)
        if close is not None:
            close()  # checkpoints the WAL into state.sqlite3

    app = FastAPI(
        title="Bildungslotse API",
        version=VERSION,
        description="Questions about the City of Bochum's education strategy and offers, answered "
                    "from its own documents with the passages and links they rest on. Conversations "
                    "keep their context by `session_id`; errors are always `{\"error\", \"message\"}`.",
        lifespan=lifespan,
        responses={k: {"model": v} for k, v in _ERRORS.items()},
    )
    app.state.lotse = state
    app.add_middleware(Protection, config=ProtectionConfig(
        rate_per_minute=settings.rate_limit_per_minute, burst=settings.rate_limit_burst,
        max_inflight=settings.max_inflight, queue_timeout=settings.queue_timeout,
        max_body_bytes=settings.max_body_bytes, trust_proxy=settings.trust_proxy))
    app.middleware("http")(state.metrics.middleware)  # outermost: counts the 429s too
    app.include_router(chat.router)
    app.include_router(admin.router)
    install_web(app, settings)

    def assistant() -> Assistant:
        assert state.assistant is not None
        return state.assistant

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return _error(404, "not_found", str(exc))

    @app.exception_handler(AuthError)
    async def _auth(_: Request, exc: AuthError) -> JSONResponse:
        if exc.status == 401:
            response = _error(401, "unauthorized", str(exc))
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        return _error(403, "admin_disabled", str(exc))

    @app.exception_handler(ConflictError)
    async def _conflict(_: Request, exc: ConflictError) -> JSONResponse:
        return _error(409, "conflict", str(exc))

    @app.exception_handler(BadRequestError)
    async def _bad_request(_: Request, exc: BadRequestError) -> JSONResponse:
        return _error(400, "bad_request", str(exc))

    @app.exception_handler(StoreUnavailableError)
    async def _store(_: Request, exc: StoreUnavailableError) -> JSONResponse:
        return _error(503, "store_unavailable", str(exc))

    @app.exception_handler(IndexNotFoundError)
    @app.exception_handler(IndexCorruptError)
    async def _no_index(_: Request, exc: LotseError) -> JSONResponse:
        return _error(503, "index_unavailable", str(exc))

    @app.exception_handler(LotseError)
    async def _lotse(_: Request, exc: LotseError) -> JSONResponse:
        return _error(500, "internal", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for e in exc.errors():
            loc = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query"))
            parts.append(f"{loc or 'request'}: {e.get('msg')}")
        return _error(422, "invalid_request", "The request is not valid: " + "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind, message = {
            404: ("not_found", "There is nothing at this address. The API is described at /docs."),
            405: ("method_not_allowed", f"This address does not take that method ({exc.detail}); see /docs."),
        }.get(exc.status_code, ("http_error", str(exc.detail)))
        return _error(exc.status_code, kind, message)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        return _error(500, "internal", "Something went wrong on our side. Please try again; if it "
                                       "keeps happening, tell the operators the time of your request.")

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/ready", tags=["operations"])
    async def ready() -> JSONResponse:
        """Readiness: an index version is loaded, and which."""
        live = assistant().index
        try:
            idx = await run_in_threadpool(live.get)
        except LotseError as exc:
            return JSONResponse({"ready": False, "reason": str(exc)}, status_code=503)
        conversation = state.conversation
        store_problem = conversation.store_problem if conversation is not None else None
        return JSONResponse({"ready": True, "index_version": idx.version, "passages": len(idx.chunks),
                             "problem": live.last_error, "store_problem": store_problem, "version": VERSION,
                             "model": Path(assistant().embedder.name).name,
                             "query_memory": getattr(getattr(assistant().retriever, "memory", None), "name", None),
                             "adapter_weights": _adapter_weights(assistant().embedder),
                             "threads": threads})

    @app.get("/metrics", tags=["operations"], response_class=Response,
             responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}},
                              "description": "Prometheus text format."}})
    async def metrics() -> Response:
        """Prometheus metrics: requests and latency by route, answers found or not, feedback, index version."""
        return state.metrics.render()

    @app.get("/v1/search", response_model=SearchResponse, tags=["assistant"])
    async def search(q: Annotated[str, Query(min_length=1, description="Search words or a question.")],
                     k: Annotated[int | None, Query(ge=1, le=50, description="How many passages.")] = None,
                     source: Annotated[str | None, Query(description="Only this source (its name).")] = None,
                     kind: Annotated[Literal["page", "offer"] | None,
                                     Query(description="Only page passages or only offers.")] = None,
                     district: Annotated[str | None, Query(description="Offers in this district.")] = None,
                     age: Annotated[int | None, Query(ge=0, le=130, description="Offers for this age.")] = None,
                     free: Annotated[bool | None, Query(description="Only free (or only paid) offers.")] = None,
                     language: Annotated[str | None, Query(description="Offers in this language (ISO code).")] = None,
                     include_expired: Annotated[bool, Query(description="Include offers that have ended.")] = False,
                     *, hint: DeviceLanguage) -> dict:
        """Search-first: the best passages with highlights, no composed answer. Offers that have ended
        are left out unless `include_expired`; a filter on an offer field returns offers only."""
        allow = build_filter(source=source, kind=kind, district=district, age=age, free=free, language=language,
                             include_expired=include_expired)
        result = await run_in_threadpool(assistant().search, q, k, allow=allow, hint=hint)
        return result.to_dict()

    @app.get("/v1/offers", response_model=OffersResponse, tags=["assistant"])
    async def offers(source: Annotated[str | None, Query(description="Only this source (its name).")] = None,
                     district: Annotated[str | None, Query(description="Offers in this district.")] = None,
                     age: Annotated[int | None, Query(ge=0, le=130, description="Offers for this age.")] = None,
                     free: Annotated[bool | None, Query(description="Only free (or only paid) offers.")] = None,
                     language: Annotated[str | None, Query(description="Offers in this language (ISO code).")] = None,
                     include_expired: Annotated[bool, Query(description="Include offers that have ended.")] = False,
                     limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 20,
                     offset: Annotated[int, Query(ge=0, description="Offers to skip.")] = 0,
                     ) -> dict:
        """The current offers with their fields, soonest first; same filters as `/v1/search`."""
        allow = build_filter(source=source, kind="offer", district=district, age=age, free=free,
                             language=language, include_expired=include_expired)
        idx = await run_in_threadpool(assistant().index.get)
        total, page = list_offers(idx.chunks, allow, limit=limit, offset=offset)
        return {"total": total, "limit": limit, "offset": offset, "offers": page}

    @app.get("/v1/documents", response_model=DocumentsResponse, tags=["assistant"])
    async def documents(source: Annotated[str | None, Query(description="Only this source (its name).")] = None,
                        kind: Annotated[Literal["page", "offer"] | None, Query(description="page or offer")] = None,
                        limit: Annotated[int, Query(ge=1, le=1000, description="Page size.")] = 100,
                        offset: Annotated[int, Query(ge=0, le=10_000_000, description="Documents to skip.")] = 0,
                        ) -> dict[str, Any]:
        """What is indexed in the live version: each document (page or offer) with its date and passages."""
        idx = await run_in_threadpool(assistant().index.get)
        day = today()
        docs: dict[tuple[str, str, str], dict[str, Any]] = {}
        for c in idx.chunks:
            if (source and c.source.source_name != source) or (kind and c.kind != kind):
                continue
            title = c.meta.get("page_title") or c.source.title
            key = (c.kind, c.source.url, title if c.kind == "offer" else "")
            d = docs.setdefault(key, {"url": c.source.url, "title": title, "kind": c.kind,
                                      "source_name": c.source.source_name, "as_of": c.source.as_of, "passages": 0,
                                      "expired": c.kind == "offer" and is_expired(c, day)})
            d["passages"] += 1
        items = sorted(docs.values(), key=lambda d: (d["kind"], d["url"], d["title"]))
        return {"index_version": idx.version, "total": len(items), "limit": limit, "offset": offset,
                "documents": items[offset: offset + limit]}

    return app


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": kind, "message": message}, status_code=status)
