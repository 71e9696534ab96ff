"""Conversation routes: ``POST /v1/ask``, its streamed twin ``POST /v1/chat``, ``POST /v1/feedback``."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.schemas import AskRequest, AskResponse, ErrorResponse, FeedbackRequest, FeedbackResponse
from api.state import AppState, get_state
from assistant.language import accept_language_hint
from assistant.service import AskResult
from lotse.errors import LotseError, NotFoundError

__all__ = ["DeviceLanguage", "router", "sse"]

router = APIRouter(tags=["assistant"])
State = Annotated[AppState, Depends(get_state)]


def device_language(accept_language: Annotated[str | None, Header(
        description="The asker's languages, which browsers send by themselves; the first one we serve "
                    "decides the language of a question of one to three words when the words alone do "
                    "not (`Kita`: German or Turkish).")] = None) -> str | None:
    return accept_language_hint(accept_language)


DeviceLanguage = Annotated[str | None, Depends(device_language)]

_SSE_DOC = """Server-sent events, in this order:

- `passages`: `{"session_id", "answer_id", "language", "follow_up", "index_version", "passages": [...]}`
- `answer`: `{"found", "answer": {"text", "language", "citations", "mode"}, "ended_offer", "sources": [...]}`
- `done`: `{"answer_id", "session_id"}`

A failure after the stream started is an `error` event `{"error", "message"}` and ends the stream.
Each event is `event: <name>` and one `data: <JSON>` line, then a blank line."""


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event; JSON keeps newlines escaped, so one ``data:`` line always suffices."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _count(state: AppState, result: AskResult) -> None:
    state.metrics.answer(found=result.answer.found, mode=result.answer.mode, follow_up=result.follow_up,
                         fell_back=result.fallback_reason is not None)


@router.post("/v1/ask", response_model=AskResponse)
async def ask(req: AskRequest, state: State, hint: DeviceLanguage) -> dict[str, Any]:
    """Answer a question: a short extractive answer with [n] citations, the sources it cites, the passages
    it rests on. Send `session_id` back with the next question and a follow-up ("Und für Kinder unter
    drei?") is understood in the light of the previous one."""
    conv = state.conversation
    assert conv is not None
    result = await run_in_threadpool(conv.ask, req.question, session_id=req.session_id, top_k=req.top_k,
                                     hint=hint, answer_language=req.language)
    _count(state, result)
    return result.to_dict()


@router.post("/v1/chat", response_class=StreamingResponse, description=_SSE_DOC,
             responses={200: {"description": "An event stream.",
                              "content": {"text/event-stream": {"schema": {"type": "string"}}}}})
async def chat(req: AskRequest, state: State, hint: DeviceLanguage) -> StreamingResponse:
    """The request of `/v1/ask`, answered as a stream: passages first, then the answer, then done."""
    conv = state.conversation
    assert conv is not None
    # Retrieval runs before the stream opens, so a bad question or a missing index is a normal JSON
    # error with its status code; only the (possibly slow, generative) answer step is streamed.
    result = await run_in_threadpool(conv.retrieve, req.question, session_id=req.session_id, top_k=req.top_k,
                                     hint=hint, answer_language=req.language)

    async def events() -> AsyncIterator[str]:
        body = result.to_dict()
        yield sse("passages", {k: body[k] for k in ("session_id", "answer_id", "language", "follow_up",
                                                     "index_version", "passages")})
        try:
            final = await run_in_threadpool(conv.finish, result, req.question)
        except LotseError as exc:
            yield sse("error", {"error": "internal", "message": str(exc)})
            return
        except Exception:
            yield sse("error", {"error": "internal", "message": "Something went wrong on our side while "
                                                                "writing the answer. Please ask again."})
            return
        _count(state, final)
        body = final.to_dict()
        yield sse("answer", {"found": body["found"], "answer": body["answer"], "ended_offer": body["ended_offer"],
                             "sources": body["sources"]})
        yield sse("done", {"answer_id": final.answer_id, "session_id": final.session_id})

    # no-cache and no proxy buffering: events must reach the browser as they are written.
    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/v1/feedback", response_model=FeedbackResponse, status_code=201,
             responses={404: {"model": ErrorResponse}})
async def feedback(req: FeedbackRequest, state: State) -> dict[str, Any]:
    """Rate an answer (1 helpful, -1 not) with an optional comment; a second rating replaces the first.
    Answers rated -1 appear in the editors' content-gap queue."""
    assert state.store is not None
    ok = await run_in_threadpool(state.store.add_feedback, req.answer_id, req.rating, req.comment)
    if not ok:
        raise NotFoundError(f"No answer {req.answer_id!r} is known here: use the answer_id of a /v1/ask "
                            "response (answers are kept for a limited time).")
    state.metrics.feedback.labels(rating=str(req.rating)).inc()
    return {"answer_id": req.answer_id, "rating": req.rating, "stored": True}
