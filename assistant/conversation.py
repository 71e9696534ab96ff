"""A conversation turn: history -> follow-up context -> retrieval and answer -> (generation) -> stored.

``Conversation.ask`` is what ``POST /v1/ask`` and ``lotse chat`` call. It is two steps so that
``POST /v1/chat`` can stream the passages before a generated answer is ready:

- ``retrieve``: the session's history decides whether the question is a follow-up; retrieval,
  evidence, abstention and the extractive answer (fast, all local); a question refused on its own
  is read once more with the conversation (``ask_in_conversation``);
- ``finish``: the optional generative answer (falls back to the extractive one), then the turn
  and the answer are stored for the next follow-up, for feedback and for the content-gap queue.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from assistant.asks import asked_for
from assistant.compose import naming_ended
from assistant.followup import SHORT, FollowUp
from assistant.generate import GenerativeWriter
from assistant.retrieve import ChunkFilter
from assistant.service import AskResult, Assistant
from assistant.sessions import AnswerRecord, SessionStore, Turn
from lotse.errors import StoreUnavailableError

__all__ = ["REFUSED_ALONE", "Conversation", "ask_in_conversation"]

log = logging.getLogger(__name__)


# Why a question without a follow-up cue was read with the conversation (``QueryContext.cue``).
REFUSED_ALONE = "refused alone"


def ask_in_conversation(assistant: Assistant, followup: FollowUp, question: str, history: Sequence[Turn], *,
                        session_id: str | None = None, top_k: int | None = None, hint: str | None = None,
                        allow: ChunkFilter | None = None, answer_language: str | None = None) -> AskResult:
    """``question`` answered as the turn after ``history``: with the previous question in front when it
    reads as a follow-up (``FollowUp``), else on its own, and then, if refused, once more with it. A
    question taken for a follow-up only for its shortness stands alone when, alone, it is closer to the
    background of topics the documents do not cover than to the documents.

    "Wo ist die Sprechstunde?" after a question about the school counselling has a subject of its own,
    so no cue marks it, yet alone it is refused (the documents hold several consultation hours). A
    question that asks for a place, a date or a price (``assistant.asks``) asks it of something; when it
    is refused narrowly (at least as close to the documents as to the background of topics they do not
    cover, ``Decision.margin >= 0``), it is read again with the conversation, and that answer counts if it
    passes. A question about another topic ("Wann hat das Hallenbad geöffnet?") is closer to the
    background (margins -0.03 to -0.10 on the demo) and gets no second reading; nor does one that asks
    for no such thing ("Wie viele Eltern sind in der Gruppe?" after the school question was answered
    from the school page). Measured in docs/benchmarks.md, "A question refused alone"."""
    q = " ".join(question.split())
    # The cue words of the question's language count, and of the conversation's (detection is cached).
    language = assistant.languages.detect(q, hint) if history else None
    context = followup.run(q, history, language)
    if context.cue == SHORT:
        # Three words can still name a topic of their own: "Коли відкритий басейн?" ("when is the pool
        # open?") after the parenting question was answered from the parenting page. On its own such a
        # question is closer to the background than to the documents (margin < 0), and then it stands alone.
        alone = assistant.ask(question, session_id=session_id, top_k=top_k, hint=hint, allow=allow,
                              answer_language=answer_language)
        if alone.decision is not None and alone.decision.margin < 0:
            return alone
    result = assistant.ask(question, session_id=session_id, top_k=top_k, context=context, hint=hint, allow=allow,
                           answer_language=answer_language)
    d = result.decision
    if (not history or not followup.enabled or context.is_followup or result.answer.found or d is None
            or d.margin < 0 or asked_for(q) is None):
        return result
    again = assistant.ask(question, session_id=result.session_id, top_k=top_k, hint=hint, allow=allow,
                          answer_language=answer_language,
                          context=followup.leaning(q, history, language, REFUSED_ALONE))
    return again if again.answer.found else result


class Conversation:
    def __init__(self, assistant: Assistant, store: SessionStore, *, followup: FollowUp | None = None,
                 writer: GenerativeWriter | None = None) -> None:
        self.assistant = assistant
        self.store = store
        self.followup = followup or FollowUp()
        self.writer = writer
        self.store_problem: str | None = None  # the last store failure, until a write works again (/ready)

    def retrieve(self, question: str, *, session_id: str | None = None, top_k: int | None = None,
                 hint: str | None = None, answer_language: str | None = None) -> AskResult:
        sid = session_id or uuid.uuid4().hex
        history = []
        if session_id:
            try:
                history = self.store.history(sid)
            except StoreUnavailableError as exc:
                # Memory is a convenience: without it the question is still answered, as a first turn.
                self.store_problem = str(exc)
                log.warning("answering without conversation memory: %s", exc)
        return ask_in_conversation(self.assistant, self.followup, question, history, session_id=sid, top_k=top_k,
                                   hint=hint, answer_language=answer_language)

    def finish(self, result: AskResult, question: str) -> AskResult:
        if self.writer is not None and result.answer.found:
            generated = self.writer.run(question, result.answer.language, result.passages, previous=result.previous)
            if generated is not None:
                result.extractive = result.answer
                result.answer = generated if result.ended is None else naming_ended(generated, result.ended)
            else:
                result.fallback_reason = self.writer.last_error
                log.warning("generative answer not used, extractive instead: %s", self.writer.last_error)
        cited = {p.rank: p.chunk.id for p in result.passages}
        cited_ids = tuple(cited[n] for n in result.answer.citations if n in cited)
        try:
            self._record(result, question, cited_ids)
            self.store_problem = None
        except StoreUnavailableError as exc:
            self.store_problem = str(exc)
            log.warning("answer given but not stored: %s", exc)
        return result

    def _record(self, result: AskResult, question: str, cited_ids: tuple[str, ...]) -> None:
        self.store.record(
            result.session_id,
            Turn(question=" ".join(question.split()), language=result.language, answer_id=result.answer_id,
                 found=result.answer.found, passage_ids=tuple(p.chunk.id for p in result.passages),
                 cited_ids=cited_ids),
            AnswerRecord(answer_id=result.answer_id, session_id=result.session_id,
                         question=" ".join(question.split()), language=result.language, found=result.answer.found,
                         mode=result.answer.mode, index_version=result.index_version, cited_ids=cited_ids),
        )

    def ask(self, question: str, *, session_id: str | None = None, top_k: int | None = None,
            hint: str | None = None, answer_language: str | None = None) -> AskResult:
        return self.finish(self.retrieve(question, session_id=session_id, top_k=top_k, hint=hint,
                                         answer_language=answer_language), question)
