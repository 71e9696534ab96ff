"""``lotse chat``: a conversation in the terminal, for call-centre agents who live there.

Each line is a question in the same session, so follow-ups work ("Und was kostet das?").
Commands: ``/new`` starts a new session, ``/good`` and ``/bad [comment]`` rate the last answer,
``/quit`` (or end of input) ends. Answers locally from the data dir, or from a running server
with ``--url``; both show the answer, its numbered sources with links, and the other passages.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any, Protocol, TextIO

from rich.console import Console

from assistant.language import locale_hint
from lotse.errors import LotseError

__all__ = ["ChatBackend", "LocalBackend", "RemoteBackend", "run_chat"]

HELP = "Commands: /new (new conversation), /good, /bad \\[comment] (rate the last answer), /quit"


class ChatBackend(Protocol):
    def ask(self, question: str, session_id: str, top_k: int | None) -> dict[str, Any]: ...

    def feedback(self, answer_id: str, rating: int, comment: str | None) -> bool: ...


class LocalBackend:
    """The assistant in this process, sessions in the data dir's state file."""

    def __init__(self, settings: Any, language: str | None = None) -> None:
        from assistant.factory import build_assistant, build_conversation

        self.conversation = build_conversation(settings, build_assistant(settings))
        self.conversation.assistant.warm_up()
        self.hint = locale_hint()  # the terminal's language settles "Kita" (German or Turkish)
        self.language = language  # chosen: frames every answer

    def ask(self, question: str, session_id: str, top_k: int | None) -> dict[str, Any]:
        return self.conversation.ask(question, session_id=session_id, top_k=top_k, hint=self.hint,
                                     answer_language=self.language).to_dict()

    def feedback(self, answer_id: str, rating: int, comment: str | None) -> bool:
        return self.conversation.store.add_feedback(answer_id, rating, comment)


class RemoteBackend:
    """A running Bildungslotse server (``lotse serve``)."""

    def __init__(self, url: str, timeout: float = 120.0, language: str | None = None) -> None:
        import httpx

        self.language = language
        hint = locale_hint()  # sent as a browser would send its language
        self.client = httpx.Client(base_url=url.rstrip("/"), timeout=timeout,
                                   headers={"Accept-Language": hint} if hint else None)

    def _post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        import httpx

        try:
            r = self.client.post(path, json=body)
            return r.status_code, r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise LotseError(f"The server at {self.client.base_url} did not answer ({exc}). Is `lotse serve` "
                             "running there?") from exc

    def ask(self, question: str, session_id: str, top_k: int | None) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question, "session_id": session_id}
        if top_k is not None:
            body["top_k"] = top_k
        if self.language:
            body["language"] = self.language
        status, data = self._post("/v1/ask", body)
        if status != 200:
            raise LotseError(data.get("message") or f"HTTP {status}")
        return data

    def feedback(self, answer_id: str, rating: int, comment: str | None) -> bool:
        status, _ = self._post("/v1/feedback", {"answer_id": answer_id, "rating": rating, "comment": comment})
        return status == 201


def show(out: Console, body: dict[str, Any]) -> None:
    """The answer, then its sources numbered as cited, then the other passages an agent may want."""
    out.print(body["answer"]["text"], highlight=False, soft_wrap=True)
    cited = {s["n"] for s in body.get("sources", [])}
    if body.get("sources"):
        out.print()
        for s in body["sources"]:
            section = f" > {s['section']}" if s["section"] else ""
            date = f" ({s['as_of']})" if s.get("as_of") else ""
            out.print(f"[bold][{s['n']}][/] {s['title']}{section}{date}", highlight=False, soft_wrap=True)
            out.print(f"    [link={s['deep_link']}]{s['deep_link']}[/link]", highlight=False, soft_wrap=True)
    others = [p for p in body["passages"] if p["rank"] not in cited]
    if others:
        out.print("[dim]more passages:[/]")
        for p in others:
            src = p["source"]
            section = f" > {src['section']}" if src["section"] else ""
            out.print(f"[dim]  [{p['rank']}] {src['title']}{section}  {src['deep_link']}[/]", highlight=False,
                      soft_wrap=True)


def run_chat(backend: ChatBackend, *, out: Console, err: Console, stdin: TextIO = sys.stdin,
             session_id: str | None = None, top_k: int | None = None) -> int:
    """The read-answer loop; returns how many questions were answered."""
    session = session_id or uuid.uuid4().hex
    last: str | None = None
    answered = 0
    err.print(f"[dim]Bildungslotse chat, session {session}. {HELP}[/]", highlight=False, soft_wrap=True)
    while True:
        out.print("[bold cyan]?[/] ", end="")
        line = stdin.readline()
        if not line:  # end of input
            out.print()
            return answered
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit", "/q"):
            return answered
        if text == "/help":
            err.print(HELP)
            continue
        if text == "/new":
            session, last = uuid.uuid4().hex, None
            err.print(f"[dim]new session {session}[/]", highlight=False, soft_wrap=True)
            continue
        if text.startswith(("/good", "/bad")):
            if last is None:
                err.print("Nothing to rate yet: ask a question first.")
                continue
            rating = 1 if text.startswith("/good") else -1
            comment = text.split(maxsplit=1)[1] if " " in text else None
            ok = backend.feedback(last, rating, comment)
            err.print("[dim]thank you, feedback stored[/]" if ok else "feedback not stored", highlight=False,
                      soft_wrap=True)
            continue
        try:
            body = backend.ask(text, session, top_k)
        except LotseError as exc:
            err.print(f"[bold red]Error:[/] {exc}", highlight=False, soft_wrap=True)
            continue
        last = body["answer_id"]
        answered += 1
        show(out, body)
        out.print()
