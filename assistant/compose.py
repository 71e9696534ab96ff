"""Extractive answers: the best evidence sentences, verbatim, each with its citation marker."""

from __future__ import annotations

from assistant.evidence import Evidence
from assistant.messages import RTL_LANGUAGES, Referral, message, referral_text
from lotse.schema import Answer, Chunk

__all__ = ["AnswerComposer"]

_RLM = "\u200f"


class AnswerComposer:
    def __init__(self, referral: Referral | None = None) -> None:
        self.referral = referral or Referral()

    def run(self, *, evidence: Evidence, found: bool, chunks: list[Chunk], ranks: dict[int, int],
            language: str) -> Answer:
        """``ranks`` maps a chunk index to its 1-based rank among the returned passages."""
        rtl = _RLM if language in RTL_LANGUAGES else ""
        if not found:
            text = f"{rtl}{message('not_found', language)} {referral_text(language, self.referral)}"
            return Answer(text=text, language=language, citations=[], found=False)
        lines: list[str] = []
        citations: list[int] = []
        for hit in evidence.answer:
            n = ranks.get(hit.chunk)
            if n is None:
                continue
            # Sentences that restate another were left out by the evidence selector (``restates``).
            sentence = chunks[hit.chunk].text[hit.start : hit.end]
            lines.append(f"{sentence} [{n}]")
            if n not in citations:
                citations.append(n)
        frame = "" if language == "de" else f"{rtl}{message('found', language)}\n"
        return Answer(text=frame + "\n".join(lines), language=language, citations=citations, found=True)
