"""Extractive answers: the best evidence sentences, verbatim, each with its citation marker."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.evidence import Evidence, is_field
from assistant.messages import RTL_LANGUAGES, Referral, message, referral_text
from lotse.schema import Answer, Chunk

__all__ = ["SUBJECT_MARK", "AnswerComposer", "EndedOffer", "ended_line", "naming_ended", "quoted_line"]

_RLM = "\u200f"
SUBJECT_MARK = " › "


def quoted_line(sentence: str, chunk: Chunk) -> str:
    """The sentence as the answer quotes it: a field line gets its passage's title in front.

    Quoted alone, two offers' fields read alike ("Kosten: 32 Euro …" and "Kosten: kostenlos"), and a
    Ukrainian question about the Kita's price was answered with the Musikschule's; the title says
    which offer a price belongs to. The sentence itself stays verbatim after ``SUBJECT_MARK``."""
    title = " ".join(chunk.source.title.split())
    if title and is_field(sentence) and title.casefold() not in sentence.casefold():
        return f"{title}{SUBJECT_MARK}{sentence}"
    return sentence


@dataclass(frozen=True, slots=True)
class EndedOffer:
    """An offer that has ended and matches the question better than every current passage (``Assistant.ask``
    looks whenever the index holds one); with a refusal, the offer that would have answered."""

    title: str
    end_date: str  # ISO date
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "end_date": self.end_date, "url": self.url}


def _date(iso: str) -> str:
    """17.09.2025: the day first, as read in Bochum; unambiguous beside the German title."""
    y, m, d = (iso[:10].split("-") + ["", "", ""])[:3]
    return f"{d}.{m}.{y}" if y and m and d else iso


def ended_line(ended: EndedOffer, language: str) -> str:
    """The sentence that names an ended offer, its end date and link, in the user's language."""
    return message("ended", language).format(title=ended.title, date=_date(ended.end_date), url=ended.url)


def naming_ended(answer: Answer, ended: EndedOffer) -> Answer:
    """``answer`` (found) with a last line naming the ended offer that matched best: extractive or generated,
    the person learns that the offer existed and where to look for its next date."""
    rtl = _RLM if answer.language in RTL_LANGUAGES else ""
    return replace(answer, text=f"{answer.text}\n{rtl}{ended_line(ended, answer.language)}")


class AnswerComposer:
    def __init__(self, referral: Referral | None = None) -> None:
        self.referral = referral or Referral()

    def run(self, *, evidence: Evidence, found: bool, chunks: list[Chunk], ranks: dict[int, int],
            language: str, ended: EndedOffer | None = None) -> Answer:
        """``ranks`` maps a chunk index to its 1-based rank among the returned passages; ``ended``: an offer
        that matches best but has ended, so the person can look for its next date instead of hearing only
        "not found", or another offer's details as if they were the ones asked about. It follows the
        refusal, or the quoted sentences."""
        rtl = _RLM if language in RTL_LANGUAGES else ""
        if not found:
            parts = [message("not_found", language)]
            if ended is not None:
                parts.append(ended_line(ended, language))
            parts.append(referral_text(language, self.referral))
            return Answer(text=rtl + " ".join(parts), language=language, citations=[], found=False)
        lines: list[str] = []
        citations: list[int] = []
        for hit in evidence.answer:
            n = ranks.get(hit.chunk)
            if n is None:
                continue
            # Sentences that restate another were left out by the evidence selector (``restates``).
            chunk = chunks[hit.chunk]
            lines.append(f"{quoted_line(chunk.text[hit.start : hit.end], chunk)} [{n}]")
            if n not in citations:
                citations.append(n)
        frame = "" if language == "de" else f"{rtl}{message('found', language)}\n"
        answer = Answer(text=frame + "\n".join(lines), language=language, citations=citations, found=True)
        return answer if ended is None else naming_ended(answer, ended)
