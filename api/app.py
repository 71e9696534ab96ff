"""FastAPI application: ``create_app(settings)`` wires the assistant to HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.schemas import AskRequest, AskResponse, ErrorResponse, OffersResponse, SearchResponse
from assistant.abstain import AbstentionPolicy
from assistant.filters import build_filter, list_offers
from assistant.service import Assistant
from index.live import LiveIndex
from index.store import IndexStore
from lotse.embedding import Embedder, load_embedder
from lotse.errors import BadRequestError, IndexCorruptError, IndexNotFoundError, LotseError
from lotse.settings import Settings

__all__ = ["create_app"]

_ERRORS = {400: ErrorResponse, 422: ErrorResponse, 503: ErrorResponse}


def create_app(settings: Settings | None = None, *, embedder: Embedder | None = None) -> FastAPI:
    settings = settings or Settings()
    state: dict[str, Assistant] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        emb = embedder or load_embedder(settings.model_path(), batch_size=settings.embed_batch_size)
        live = LiveIndex(IndexStore(settings.data_dir))
        state["assistant"] = Assistant(live, emb, default_k=settings.top_k, max_k=settings.max_top_k,
                                       max_question_chars=settings.max_question_chars,
                                       abstention=AbstentionPolicy(margin=settings.abstain_margin))
        try:
            state["assistant"].warm_up()  # load now so the first question does not pay for it
        except LotseError:
            pass  # /ready says why; the server still starts so /health answers
        yield

    app = FastAPI(
        title="Bildungslotse API",
        version="0.1.0",
        description="Questions about the City of Bochum's education strategy and offers, answered "
                    "from its own documents with the passages and links they rest on.",
        lifespan=lifespan,
        responses={k: {"model": v} for k, v in _ERRORS.items()},
    )

    def assistant() -> Assistant:
        return state["assistant"]

    @app.exception_handler(BadRequestError)
    async def _bad_request(_: Request, exc: BadRequestError) -> JSONResponse:
        return _error(400, "bad_request", str(exc))

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
        return JSONResponse({"ready": True, "index_version": idx.version, "passages": len(idx.chunks),
                             "problem": live.last_error})

    @app.post("/v1/ask", response_model=AskResponse, tags=["assistant"])
    async def ask(req: AskRequest) -> dict:
        """Answer a question: a short extractive answer, the passages it rests on, their sources."""
        result = await run_in_threadpool(assistant().ask, req.question, session_id=req.session_id,
                                         top_k=req.top_k)
        return result.to_dict()

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
                     ) -> dict:
        """Search-first: the best passages with highlights, no composed answer. Offers that have ended
        are left out unless `include_expired`; a filter on an offer field returns offers only."""
        allow = build_filter(source=source, kind=kind, district=district, age=age, free=free, language=language,
                             include_expired=include_expired)
        result = await run_in_threadpool(assistant().search, q, k, allow=allow)
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

    return app


def _error(status: int, kind: str, message: str) -> JSONResponse:
    return JSONResponse({"error": kind, "message": message}, status_code=status)
