"""Admin routes behind ``Authorization: Bearer $LOTSE_ADMIN_TOKEN``: reindex, feedback, content gaps.

Without a configured token the admin routes are closed (403): an operator must opt in, and a
forgotten setting never leaves them open.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.schemas import AdminFeedbackResponse, ErrorResponse, GapsResponse, ReindexJobOut
from api.state import AppState, get_state
from lotse.errors import AuthError, ConflictError

__all__ = ["router"]

_bearer = HTTPBearer(auto_error=False, description="The token in LOTSE_ADMIN_TOKEN.")


def require_admin(state: Annotated[AppState, Depends(get_state)],
                  creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> AppState:
    token = state.settings.admin_token
    if not token:
        raise AuthError("The admin endpoints are switched off: set LOTSE_ADMIN_TOKEN on the server to use them.",
                        status=403)
    if creds is None or not hmac.compare_digest(creds.credentials.encode(), token.encode()):
        raise AuthError("Send the admin token as 'Authorization: Bearer <LOTSE_ADMIN_TOKEN>'.")
    return state


Admin = Annotated[AppState, Depends(require_admin)]
_AUTH: dict[int | str, dict[str, Any]] = {401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}}
router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=_AUTH)


@router.post("/reindex", status_code=202, response_model=ReindexJobOut, responses={409: {"model": ErrorResponse}})
async def reindex(state: Admin) -> JSONResponse:
    """Run the configured ingest (LOTSE_SOURCES_FILE) in the background; the server switches to the new
    version when it is published. 202 with the job; while a job runs, 200 with that job."""
    if state.settings.sources_file is None or state.jobs is None:
        raise ConflictError("No sources file is configured: set LOTSE_SOURCES_FILE on the server to reindex "
                            "over HTTP, or run `lotse ingest --config SOURCES.toml` on the machine.")
    job, started = state.jobs.start()
    return JSONResponse(job.to_dict(), status_code=202 if started else 200)


@router.get("/reindex/{job_id}", response_model=ReindexJobOut, responses={404: {"model": ErrorResponse}})
async def reindex_status(job_id: str, state: Admin) -> dict[str, Any]:
    """A reindex job: running, succeeded (with the new version) or failed (with the reason)."""
    assert state.jobs is not None
    return state.jobs.get(job_id).to_dict()


@router.get("/feedback", response_model=AdminFeedbackResponse)
async def feedback(state: Admin,
                   limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 50,
                   offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0,
                   ) -> dict[str, Any]:
    """Feedback received, newest first, with the question it rates."""
    assert state.store is not None
    total, items = await run_in_threadpool(lambda: state.store.feedback(limit=limit, offset=offset))  # type: ignore[union-attr]
    return {"total": total, "limit": limit, "offset": offset, "feedback": items}


@router.get("/gaps", response_model=GapsResponse)
async def gaps(state: Admin, limit: Annotated[int, Query(ge=1, le=500, description="How many.")] = 50
               ) -> dict[str, Any]:
    """Content gaps for the editors: questions the documents did not answer, or whose answers were rated
    down, most frequent first."""
    assert state.store is not None
    return {"gaps": await run_in_threadpool(lambda: state.store.gaps(limit=limit))}  # type: ignore[union-attr]
