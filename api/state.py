"""What the routes of one app share: settings and the objects built at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.metrics import Metrics
from api.reindex import ReindexJobs
from assistant.conversation import Conversation
from assistant.service import Assistant
from assistant.sessions import SessionStore
from lotse.settings import Settings

__all__ = ["AppState", "get_state"]


@dataclass(slots=True)
class AppState:
    settings: Settings
    metrics: Metrics
    assistant: Assistant | None = None
    conversation: Conversation | None = None
    store: SessionStore | None = None
    jobs: ReindexJobs | None = None


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.lotse
    return state
