"""Follow-up questions: "Und für Kinder unter drei?" only makes sense after the Kita question.

``FollowUp.run(question, history)`` decides whether a question leans on the previous turn and
returns the ``QueryContext`` retrieval should use. A follow-up is retrieved with the previous
question in front of it ("Wie melde ich mein Kind für die Kita an? Und für Kinder unter drei?"):
the dense vectors then see the topic and the new detail together, and BM25 gets the earlier
turn's terms. A question that stands on its own is retrieved as it is, so a change of topic is
not dragged back to the last one.

The decision is a handful of multilingual cues, no model: the question starts with a
continuation word ("und", "and", "what about", "а", "і", "peki", "و", "a co"…), refers back with
a pronoun or deictic word ("dort", "there", "it", "там", "bu", "آن"…), or is so short (three words
or fewer) that it cannot carry a topic. Measured on evaluation/data/followups.jsonl with
``lotse eval followups`` (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.sessions import Turn

__all__ = ["FollowUp", "QueryContext"]

# Words that open a question continuing the previous one.
_OPENERS = {
    "de": ["und", "aber", "auch", "was ist mit", "wie ist es mit", "und wenn", "gilt das", "geht das"],
    "en": ["and", "but", "also", "what about", "how about", "and if", "does that", "is that", "is it"],
    "tr": ["peki", "ve", "ya", "bir de", "o zaman", "bu"],
    "uk": ["а", "і", "й", "та", "а що", "а як", "це"],
    "ru": ["а", "и", "а что", "а как", "это", "там"],
    "pl": ["a", "i", "a co", "a jak", "czy to", "to"],
    "ar": ["و", "وماذا", "وما", "وهل", "ماذا عن", "وكم", "وأين", "ومتى"],
    "fa": ["و", "چطور", "درباره", "آیا این"],
    # The other served languages with words between spaces: "and", "but", "also", "what about".
    "es": ["y", "pero", "también", "qué pasa con", "qué tal"],
    "fr": ["et", "mais", "aussi", "qu'en est-il"],
    "it": ["e", "ed", "ma", "anche"],
    "ro": ["și", "şi", "iar", "dar"],
    "el": ["και", "κι", "αλλά"],
    "bg": ["ами"],  # "а" and "и" as in ru/uk
    "hr": ["ali"],  # "a" and "i" as in pl
    "sq": ["dhe", "edhe"],
    "vi": ["còn", "và"],
}
# Words that point back at something named in an earlier turn.
_BACKREFS = {
    "dort", "dorthin", "dafür", "dazu", "davon", "darüber", "daran", "dabei", "dies", "diese", "dieser",
    "dieses", "denen",
    "there", "it", "its", "that", "this", "they", "them", "those", "these",
    "orada", "onu", "bunun", "onun", "bunlar", "orası", "burada",
    "там", "це", "цього", "цей", "ця", "його", "її", "туди", "это", "этого", "этот", "эта", "его", "её", "туда",
    "tam", "tego", "tego kursu", "jego", "jej",
    "هناك", "هذا", "هذه", "ذلك", "فيه", "فيها", "عنه", "عنها", "له", "لها",
    "آنجا", "آن", "این", "اینجا", "برای آن", "آنها",
    "eso", "esto", "allí", "ahí", "ese", "esa",
    "cela", "ça", "là-bas",
    "questo", "quello", "lì", "là", "ciò",
    "acolo", "asta", "aceasta", "acesta",
    "αυτό", "εκεί", "αυτά",
    "това", "него", "нея",
    "tamo", "ovo", "ono",
    "atje", "kjo", "atë",
    "đó",
}
# Articles in German and a common particle in Polish: pronouns only when they end the question
# ("Was kostet das?"), articles anywhere else ("das Schulsystem").
_FINAL_PRONOUNS = {"das", "es", "sie", "ihn", "ihm", "to"}
_WORD = re.compile(r"[\w\u0600-\u06ff\u200c'-]+", re.UNICODE)
# Arabic writes "wa-" ("and") onto the next word (وكم, ومتى); Persian writes "va" apart and has many
# words that merely begin with و (وقت, وزارت), so the rule holds only for text without Persian letters.
_ARABIC_CONJ = re.compile(r"^و[\u0600-\u06ff]")
_PERSIAN_LETTERS = re.compile(r"[پچژگکی]")


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What retrieval sees: the question, and the previous one when this is a follow-up."""

    question: str
    previous: str | None = None
    previous_language: str | None = None
    cue: str = ""  # why it counts as a follow-up (for logs and the evaluation)

    @property
    def is_followup(self) -> bool:
        return self.previous is not None

    @property
    def query(self) -> str:
        return f"{self.previous} {self.question}" if self.previous else self.question


class FollowUp:
    def __init__(self, *, max_short_words: int = 3, max_context_words: int = 14, enabled: bool = True) -> None:
        if max_short_words < 0 or max_context_words < 1:
            raise ValueError(f"max_short_words must be >= 0 and max_context_words >= 1, got "
                             f"{max_short_words}, {max_context_words}")
        self.max_short_words = max_short_words
        self.max_context_words = max_context_words
        self.enabled = enabled

    def cue(self, question: str) -> str:
        """Why ``question`` reads as a follow-up, or ``""`` when it stands on its own."""
        words = [w.casefold() for w in _WORD.findall(question)]
        if not words:
            return ""
        text = " ".join(words)
        for lang, openers in _OPENERS.items():
            for o in openers:
                if text == o or text.startswith(o + " "):
                    return f"opener:{lang}:{o}"
        if _ARABIC_CONJ.match(words[0]) and len(words) <= 6 and not _PERSIAN_LETTERS.search(text):
            return "opener:ar:wa-"
        for i in range(len(words)):
            if words[i] in _BACKREFS or (i + 1 < len(words) and f"{words[i]} {words[i + 1]}" in _BACKREFS):
                return f"backref:{words[i]}"
        if words[-1] in _FINAL_PRONOUNS:
            return f"backref:{words[-1]}"
        if len(words) <= self.max_short_words:
            return "short"
        return ""

    def run(self, question: str, history: Sequence[Turn]) -> QueryContext:
        if not self.enabled or not history:
            return QueryContext(question)
        cue = self.cue(question)
        if not cue:
            return QueryContext(question)
        # The question the follow-up leans on: the last one that carried its own topic, so
        # "Und dort?" after "Und was kostet das?" still goes back to the Kita question.
        anchor = history[-1]
        for turn in reversed(history):
            if not self.cue(turn.question):
                anchor = turn
                break
        prev = " ".join(anchor.question.split()[: self.max_context_words])
        if anchor is not history[-1]:
            prev = f"{prev} {history[-1].question}"
        return QueryContext(question, prev, anchor.language, cue)
