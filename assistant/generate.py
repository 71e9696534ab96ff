"""Optional generative answers: an OpenAI-compatible endpoint writes the answer in the user's language.

Off unless ``LOTSE_GENERATIVE_BASE_URL`` is set; then, and only then, the question and the
retrieved passages are sent to that endpoint (a local llama.cpp/vLLM server or a hosted one —
the operator decides). Nothing else ever leaves the machine.

The model may use the returned passages only, and every sentence must end with a citation
``[n]`` of a returned passage. ``verify`` checks exactly that; an answer that fails it, an HTTP
error, a malformed reply or a timeout gives ``None`` and the caller keeps the extractive
answer. The check is structural (each sentence cites a passage that exists); it cannot prove a
paraphrase is faithful, which is why the extractive answer is the default.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import httpx

from assistant.messages import RTL_LANGUAGES
from lotse.schema import Answer, Passage

__all__ = ["GenerativeWriter", "Verified", "split_sentences", "verify"]

_CITE = re.compile(r"\[(\d+)\]")
# Sentence ends: terminal punctuation (Latin, Arabic question mark, Urdu/Persian full stop) or a
# citation, followed by space and not by another citation; or a line break. So the citation after a
# full stop stays with its sentence ("… Kita-Betreuung. [1] Außerdem …" is two cited sentences).
_SPLIT = re.compile(r"(?<=[.!?؟۔])\s+(?!\[)|(?<=\])\s+(?!\[)|\n+")
_SYSTEM = (
    "You answer questions of citizens of the City of Bochum, Germany, using ONLY the numbered German "
    "passages given. Write the answer in the language with ISO code '{language}'. Every sentence must "
    "end with the number of the passage it rests on in square brackets, like [1] or [2][3]. Do not add "
    "anything the passages do not say. If they do not answer the question, say so in one sentence and "
    "cite the passage you looked at. At most five sentences."
)


@dataclass(frozen=True, slots=True)
class Verified:
    ok: bool
    citations: list[int]
    reason: str = ""


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing citations kept on them."""
    return [p.strip() for p in _SPLIT.split(text) if p and p.strip()]


def verify(text: str, ranks: set[int]) -> Verified:
    """Every sentence cites at least one passage, and every cited ``n`` is a returned passage."""
    sentences = split_sentences(text.replace("\u200f", ""))
    if not sentences:
        return Verified(False, [], "empty answer")
    citations: list[int] = []
    for s in sentences:
        cited = [int(n) for n in _CITE.findall(s)]
        if not cited:
            return Verified(False, [], f"sentence without citation: {s[:80]!r}")
        for n in cited:
            if n not in ranks:
                return Verified(False, [], f"citation [{n}] names no returned passage")
            if n not in citations:
                citations.append(n)
    return Verified(True, citations)


class GenerativeWriter:
    """One chat-completions call per answer (``POST {base_url}/chat/completions``)."""

    def __init__(self, base_url: str, *, model: str, api_key: str | None = None, timeout: float = 20.0,
                 max_passage_chars: int = 1500, transport: httpx.BaseTransport | None = None) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"generative_base_url must be an http(s) URL, got {base_url!r}")
        if timeout <= 0:
            raise ValueError(f"generative_timeout must be positive, got {timeout}")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout
        self.max_passage_chars = max_passage_chars
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), headers=headers, transport=transport)
        self._local = threading.local()  # requests run in a thread pool: each keeps its own last error

    @property
    def last_error(self) -> str | None:
        """Why the last ``run`` in this thread gave ``None``."""
        return getattr(self._local, "error", None)

    @last_error.setter
    def last_error(self, value: str | None) -> None:
        self._local.error = value

    def close(self) -> None:
        self._client.close()

    def messages(self, question: str, language: str, passages: list[Passage], previous: str | None = None
                 ) -> list[dict[str, str]]:
        blocks = []
        for p in passages:
            src = p.chunk.source
            title = " > ".join(x for x in (src.title, src.section) if x)
            blocks.append(f"[{p.rank}] {title}\n{p.chunk.text[: self.max_passage_chars]}")
        return [
            {"role": "system", "content": _SYSTEM.format(language=language)},
            {"role": "user", "content": "Passages:\n\n" + "\n\n".join(blocks)
             + (f"\n\nEarlier question in this conversation: {previous}" if previous else "")
             + f"\n\nQuestion: {question}"},
        ]

    def run(self, question: str, language: str, passages: list[Passage], *, previous: str | None = None
            ) -> Answer | None:
        """A verified answer, or ``None`` (and ``last_error`` says why) to keep the extractive one.
        ``previous``: the earlier question a follow-up leans on ("Und was kostet das?" needs it)."""
        self.last_error = None
        if not passages:
            self.last_error = "no passages"
            return None
        body = {"model": self.model, "messages": self.messages(question, language, passages, previous),
                "temperature": 0}
        try:
            r = self._client.post(self.url, json=body)
            r.raise_for_status()
            text = str(r.json()["choices"][0]["message"]["content"]).strip()
        except httpx.TimeoutException:
            self.last_error = f"timeout after {self.timeout} s"
            return None
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"
            return None
        check = verify(text, {p.rank for p in passages})
        if not check.ok:
            self.last_error = f"unverified: {check.reason}"
            return None
        if language in RTL_LANGUAGES and not text.startswith("\u200f"):
            text = "\u200f" + text
        return Answer(text=text, language=language, citations=check.citations, found=True, mode="generative")
