"""Follow-up questions: "Und für Kinder unter drei?" only makes sense after the Kita question.

``FollowUp.run(question, history)`` decides whether a question leans on the previous turn and
returns the ``QueryContext`` retrieval should use. A follow-up is retrieved with the previous
question in front of it ("Wie melde ich mein Kind für die Kita an? Und für Kinder unter drei?"):
the dense vectors then see the topic and the new detail together, and BM25 gets the earlier
turn's terms. A question that stands on its own is retrieved as it is, so a change of topic is
not dragged back to the last one.

The decision is a handful of multilingual cues, no model: the question starts with a
continuation word ("und", "and", "what about", "а", "і", "peki", "و", "a co", "那"…), refers back
with a pronoun or deictic word ("dort", "there", "it", "там", "bu", "آن", "它"…), or is so short
(three words or fewer; in Chinese six characters or fewer) that it cannot carry a topic. Only the
cue words of the question's language and of the conversation's count: the Polish "a" ("and") is
the Spanish "a" ("to"), and the Vietnamese "là" ("is") is the French "là" ("there"). Measured with
``lotse eval followups`` on evaluation/data/followups.jsonl and on changes of topic made from the
demo questions in 20 languages (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from assistant.asks import asks_another_kind
from assistant.sessions import Turn

__all__ = ["SHORT", "FollowUp", "QueryContext"]

SHORT = "short"  # the cue of a question too short to carry a topic of its own

# Words that open a question continuing the previous one, per language: only the question's own
# language and the conversation's count, since one language's "and" is another's "to" (pl "a", es
# "a quién") or article (it "i corsi").
_OPENERS = {
    "de": ["und", "aber", "auch", "was ist mit", "wie ist es mit", "und wenn", "gilt das", "geht das"],
    "en": ["and", "but", "also", "what about", "how about", "and if", "does that", "is that", "is it"],
    "tr": ["peki", "ve", "ya", "bir de", "o zaman", "bu"],
    "uk": ["а", "і", "й", "та", "а що", "а як", "це"],
    "ru": ["а", "и", "а что", "а как", "это", "там"],
    "pl": ["a", "i", "a co", "a jak", "czy to", "to"],
    "ar": ["و", "وماذا", "وما", "وهل", "ماذا عن", "وكم", "وأين", "ومتى"],
    "fa": ["و", "چطور", "درباره", "آیا این"],
    # The other served languages: "and", "but", "also", "what about".
    "es": ["y", "pero", "también", "qué pasa con", "qué tal"],
    "fr": ["et", "mais", "aussi", "qu'en est-il"],
    "it": ["e", "ed", "ma", "anche"],
    "ro": ["și", "şi", "iar", "dar"],
    "el": ["και", "κι", "αλλά"],
    "bg": ["ами", "а", "и"],
    "hr": ["ali", "a", "i"],
    "sq": ["dhe", "edhe"],
    "vi": ["còn", "và"],
    # Written without spaces: these open the question's first run of characters.
    "zh": ["那", "还有", "另外", "而且"],
}
# Words that point back at something named in an earlier turn.
_BACKREFS = {
    # "das" before a particle is a pronoun ("Gibt es das auch auf Türkisch?"); before a noun it is an
    # article ("das Schulsystem"), and "es auch" is the dummy of "Gibt es auch Kurse?"
    "de": {"dort", "dorthin", "dafür", "dazu", "davon", "darüber", "daran", "dabei", "dies", "diese", "dieser",
           "dieses", "denen", "er", "ihn", "ihm", "das auch", "das noch", "das denn", "das schon", "das hier",
           "das dort", "das überhaupt", "das wirklich", "das jetzt"},
    "en": {"there", "it", "its", "that", "this", "they", "them", "those", "these"},
    "tr": {"orada", "onu", "bunun", "onun", "bunlar", "orası", "burada"},
    "uk": {"там", "це", "цього", "цей", "ця", "його", "її", "туди"},
    "ru": {"там", "это", "этого", "этот", "эта", "его", "её", "туда"},
    "pl": {"tam", "tego", "tego kursu", "jego", "jej"},
    "ar": {"هناك", "هذا", "هذه", "ذلك", "فيه", "فيها", "عنه", "عنها", "له", "لها"},
    "fa": {"آنجا", "آن", "این", "اینجا", "برای آن", "آنها"},
    "es": {"eso", "esto", "allí", "ahí", "ese", "esa"},
    "fr": {"cela", "ça", "là-bas", "là"},
    "it": {"questo", "quello", "lì", "là", "ciò"},
    "ro": {"acolo", "asta", "aceasta", "acesta"},
    "el": {"αυτό", "εκεί", "αυτά"},
    "bg": {"това", "него", "нея", "там"},
    "hr": {"tamo", "ovo", "ono"},
    "sq": {"atje", "kjo", "atë"},
    "vi": {"đó"},
}
# Chinese back-references stand inside a run of characters: "it", "there", "this one", "that one".
_BACKREFS_IN_TEXT = {"zh": ("它", "那里", "那儿", "这个", "那个", "这些", "那些")}
# Words that are pronouns only at the end of a question ("Was kostet das?") count only there: German
# "das" is an article elsewhere ("das Schulsystem"), "es" a dummy ("Gibt es …"), "sie" the polite "Sie";
# the Polish particle "to". "er", "ihn" and "ihm" are pronouns wherever they stand ("Wo findet er statt?").
_FINAL_PRONOUNS = {"de": {"das", "es", "sie"}, "pl": {"to"}}
_WORD = re.compile(r"[\w\u0600-\u06ff\u200c'-]+", re.UNICODE)
# Scripts written without spaces between words: Chinese (and Japanese kana), Thai.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0e7f]")
CHARS_PER_WORD = 2  # a word of Chinese is one to three characters, mostly two
# Arabic writes "wa-" ("and") onto the next word (وكم, ومتى); Persian writes "va" apart and has many
# words that merely begin with و (وقت, وزارت), so the rule holds only for text without Persian letters.
_ARABIC_CONJ = re.compile(r"^و[\u0600-\u06ff]")
_PERSIAN_LETTERS = re.compile(r"[پچژگکی]")


def _length(words: list[str]) -> int:
    """Words in the question; a run of Chinese or Thai counts one word per two characters."""
    n = 0
    for w in words:
        unspaced = len(_UNSPACED.findall(w))
        n += -(-unspaced // CHARS_PER_WORD) + (len(w) > unspaced) if unspaced else 1
    return n


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

    def cue(self, question: str, languages: Collection[str] | None = None) -> str:
        """Why ``question`` reads as a follow-up, or ``""`` when it stands on its own.

        ``languages``: whose cue words count (the question's and the conversation's); None: all."""
        words = [w.casefold() for w in _WORD.findall(question)]
        if not words:
            return ""
        chosen = [c for c in _OPENERS if languages is None or c in languages]
        text = " ".join(words)
        for lang in chosen:
            for o in _OPENERS[lang]:
                if text == o or text.startswith(o + " ") or (_UNSPACED.match(o) and text.startswith(o)):
                    return f"opener:{lang}:{o}"
        if ((languages is None or "ar" in languages) and _ARABIC_CONJ.match(words[0]) and len(words) <= 6
                and not _PERSIAN_LETTERS.search(text)):
            return "opener:ar:wa-"
        backrefs = set().union(*(_BACKREFS.get(c, ()) for c in chosen))
        for i in range(len(words)):
            if words[i] in backrefs or (i + 1 < len(words) and f"{words[i]} {words[i + 1]}" in backrefs):
                return f"backref:{words[i]}"
        for lang in chosen:
            for ref in _BACKREFS_IN_TEXT.get(lang, ()):
                if ref in text:
                    return f"backref:{ref}"
            if words[-1] in _FINAL_PRONOUNS.get(lang, ()):
                return f"backref:{words[-1]}"
        if _length(words) <= self.max_short_words:
            return SHORT
        return ""

    def run(self, question: str, history: Sequence[Turn], language: str | None = None) -> QueryContext:
        """``language``: the question's, as detected; with the last turn's, it chooses the cue words."""
        if not self.enabled or not history:
            return QueryContext(question)
        languages = None if language is None else {language, history[-1].language}
        cue = self.cue(question, languages)
        if not cue:
            return QueryContext(question)
        return self.leaning(question, history, language, cue)

    def leaning(self, question: str, history: Sequence[Turn], language: str | None, cue: str) -> QueryContext:
        """``question`` read as a follow-up of ``history`` (not empty), for the reason ``cue``."""
        # The question the follow-up leans on: the last one that carried its own topic, so
        # "Und dort?" after "Und was kostet das?" still goes back to the Kita question. The first
        # question carries one whatever its words: "Is there a German course …?" has the cue "there".
        anchor = history[0]
        for turn in reversed(history[1:]):
            if not self.cue(turn.question, None if language is None else {turn.language}):
                anchor = turn
                break
        prev = " ".join(anchor.question.split()[: self.max_context_words])
        # "До якого числа?" after "А скільки це коштує?" asks the Kita question's deadline, not the price's:
        # with the price question in front it was answered with the fee table again.
        if anchor is not history[-1] and not asks_another_kind(question, history[-1].question):
            prev = f"{prev} {history[-1].question}"
        return QueryContext(question, prev, anchor.language, cue)

