"""Prometheus metrics of one app: requests by route, latency, answers, feedback, the live index.

Each app has its own registry (tests start several apps in one process; the global registry
would refuse the second set of names). ``GET /metrics`` renders it in the text format.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from index.live import LiveIndex

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class _IndexCollector(Collector):
    """Reads the live index at scrape time: which version answers, how many passages."""

    def __init__(self, live: Callable[[], LiveIndex | None]) -> None:
        self._live = live

    def collect(self) -> Iterator[GaugeMetricFamily | InfoMetricFamily]:
        live = self._live()
        idx = live.loaded if live is not None else None
        info = InfoMetricFamily("lotse_index", "The index version the server answers from.")
        passages = GaugeMetricFamily("lotse_index_passages", "Passages in the live index version.")
        if idx is not None:
            info.add_metric([], {"version": idx.version})
            passages.add_metric([], len(idx.chunks))
        yield info
        yield passages


class Metrics:
    def __init__(self, live: Callable[[], LiveIndex | None]) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("lotse_http_requests", "HTTP requests by method, route and status.",
                                ["method", "route", "status"], registry=r)
        self.latency = Histogram("lotse_http_request_seconds", "Time to the response head, by route.",
                                 ["route"], registry=r,
                                 buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.answers = Counter("lotse_answers", "Answers given, by whether the documents answered and how.",
                               ["found", "mode"], registry=r)
        self.followups = Counter("lotse_followups", "Questions retrieved with the previous turn in mind.",
                                 registry=r)
        self.generative_fallbacks = Counter(
            "lotse_generative_fallbacks", "Generated answers replaced by the extractive one (unverified, "
                                          "error, timeout).", registry=r)
        self.feedback = Counter("lotse_feedback", "Feedback received, by rating.", ["rating"], registry=r)
        r.register(_IndexCollector(live))

    def answer(self, *, found: bool, mode: str, follow_up: bool, fell_back: bool) -> None:
        self.answers.labels(found=str(found).lower(), mode=mode).inc()
        if follow_up:
            self.followups.inc()
        if fell_back:
            self.generative_fallbacks.inc()

    async def middleware(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            # The route template, not the raw path: /v1/admin/reindex/{job_id} is one series.
            route = getattr(request.scope.get("route"), "path", "unmatched")
            self.requests.labels(method=request.method, route=route, status=str(status)).inc()
            self.latency.labels(route=route).observe(time.perf_counter() - start)

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
