"""A real OpenAI-compatible chat-completions server on loopback, for the generative mode's tests.

It is a peer over HTTP, not a mock of our code: ``GenerativeWriter`` talks to it exactly as it would
to llama.cpp or a hosted endpoint. ``mode`` decides the reply and can be switched while it runs::

    with serve_fake_llm() as llm:
        llm.mode = "good"     # cites the first passage of the prompt in every sentence
        llm.mode = "bad"      # cites a passage that does not exist, and leaves a sentence uncited
        llm.mode = "slow"     # answers well, but only after ``llm.delay`` seconds
        llm.mode = "error"    # HTTP 500
        llm.requests          # the JSON bodies received, with their Authorization header
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeLLM", "serve_fake_llm"]


@dataclass
class FakeLLM:
    url: str = ""
    mode: str = "good"
    delay: float = 3.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def reply(self, body: dict[str, Any]) -> str:
        system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
        lang = re.search(r"ISO code '(\w+)'", system)
        ranks = [int(n) for n in re.findall(r"^\[(\d+)\]", user, flags=re.M)]
        first = ranks[0] if ranks else 1
        if self.mode == "bad":
            return f"Bochum hat dazu einen Plan [{max(ranks, default=1) + 7}]. Dieser Satz zitiert nichts."
        return (f"({lang.group(1) if lang else '?'}) Die Stadt Bochum sagt dazu etwas in Abschnitt {first}. [{first}]\n"
                f"Weitere Einzelheiten stehen dort ebenfalls [{first}].")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        fake = self.server.fake
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        fake.requests.append({"path": self.path, "authorization": self.headers.get("authorization"), **body})
        if self.path != "/v1/chat/completions":
            return self._send(404, {"error": {"message": "not found"}})
        if fake.mode == "error":
            return self._send(500, {"error": {"message": "model crashed"}})
        if fake.mode == "slow" and fake.stop.wait(fake.delay):
            return
        content = fake.reply(body)
        self._send(200, {"id": "chatcmpl-test", "object": "chat.completion", "model": body.get("model"),
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": content}}]})

    def _send(self, status: int, data: dict[str, Any]) -> None:
        raw = json.dumps(data).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except OSError:
            pass  # the client timed out and left


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLLM


@contextmanager
def serve_fake_llm() -> Iterator[FakeLLM]:
    server = _Server(("127.0.0.1", 0), _Handler)
    fake = FakeLLM(url=f"http://127.0.0.1:{server.server_address[1]}/v1")
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
