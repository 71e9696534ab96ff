"""Questions that ask what something is: *Was ist die Talentschmiede?*, *Що таке Talentschmiede?*

Every sentence is embedded with its page title in front (``index.builder.sentence_units``), so when
the thing asked about is a page's title, every sentence of that page scores alike and the short ones
win: "Was ist die Talentschmiede?" quoted "Wir unterstützen eine zukunftsweisende duale
Berufsausbildung …", a line that never says the word. The sentence that names the subject in its own
words ("… hat Bochum den Ruf als erfolgreiche Talentschmiede im Ruhrgebiet … entwickelt") is the one
that says what it is. So a question that is nothing but "what is" and a name (``subject_of``) lets the
evidence selector count it in favour of a sentence that holds the name (``Subject.named_in``), as a
date counts for a question asking when (``assistant.asks``).

Only the name's Latin words count: the sentences are German, and a newcomer names a German offer by
its German name in any language. A question whose subject has no Latin word ("Що таке школа?") gets
no bonus; its cosine decides as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.asks import cue_pattern

__all__ = ["Subject", "subject_of"]

# "what is" / "what does … mean" before the subject, in the served languages (casefolded; the
# conventions of ``assistant.asks.cue_pattern``).
_BEFORE = (
    "was ist", "was sind", "was bedeutet", "was heißt", "was versteht man unter", "wofür steht",  # de
    "what is", "what's", "what are", "what exactly is", "what is meant by",  # en
    "ما هو", "ما هي", "ما معنى", "ماذا يعني", "ماذا تعني", "ما المقصود ب",  # ar
    "що таке", "що означає", "що це таке", "что такое", "что означает", "что это такое",  # uk, ru
    "co to jest", "co to są", "czym jest", "czym są", "co oznacza",  # pl
    "qué es", "que es", "qué son", "qué significa", "qu'est-ce que", "qu'est-ce qu'", "que signifie",  # es, fr
    "qu'est ce que", "c'est quoi", "che cos'è", "che cosa è", "cos'è", "cosa significa", "cosa sono",  # fr, it
    "ce este", "ce sunt", "ce înseamnă", "τι είναι", "τι σημαίνει", "какво е", "какво означава",  # ro, el, bg
    "što je", "što su", "što znači", "šta je", "çfarë është", "çfarë janë", "çfarë do të thotë",  # hr, sq
    "什么是",  # zh
)
# … and after it: "Talentschmiede nedir?", "Talentschmiede چیست؟", "Talentschmiede là gì?"
_AFTER = (
    "nedir", "ne demek", "ne demektir", "nelerdir", "ne anlama gelir",  # tr
    "چیست", "چیه", "یعنی چه", "به چه معناست",  # fa
    "là gì", "là cái gì", "是什么", "是甚麼", "क्या है", "क्या होता है", "का मतलब क्या है",  # vi, zh, hi
    "คืออะไร", "หมายถึงอะไร",  # th
)
# "What does VHS mean?", "What does OGS stand for?": both ends or nothing ("What do the courses cost?")
_WHAT_DOES = re.compile(r"^\s*what do(?:es)? (.+?) (?:mean|stand for)\s*$")


def _cues(cues: tuple[str, ...]) -> str:
    # the longest first, so "what is meant by" is not read as "what is" and a subject "meant by …"
    return "|".join(cue_pattern(c) for c in sorted(cues, key=len, reverse=True))


_BEFORE_RE = re.compile(rf"^\s*(?:{_cues(_BEFORE)})")
_AFTER_RE = re.compile(rf"(?:{_cues(_AFTER)})\s*$")
# Articles and the like between the cue and the name; never part of it.
_SMALL = frozenset({
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einer", "eigentlich", "genau", "denn",
    "the", "a", "an", "by", "el", "la", "los", "las", "un", "una", "le", "les", "une", "il", "lo", "gli", "l",
    "un'", "i", "o", "de", "del", "es", "en", "in", "im", "und", "and", "bochum", "bochumer",
})
# Words that make the rest a question of its own rather than a name: "Was sind die Voraussetzungen für
# einen Integrationskurs?", "Was ist zu tun?", "What is the address of the VHS?"
_JOINERS = frozenset({"für", "von", "zu", "mit", "bei", "beim", "vom", "zum", "zur", "oder", "tun", "wenn",
                      "for", "of", "to", "with", "or", "do", "if", "when"})
_LATIN_WORD = re.compile(r"[a-zà-ɏ][a-zà-ɏ\d\-]*")
_WORD = re.compile(r"\w[\w\-'’]*")
MOST_WORDS = 3  # a longer rest is a question of its own ("Was ist der Unterschied zwischen …"), not a name


@dataclass(frozen=True, slots=True)
class Subject:
    """The Latin words of the thing a question asks to be told about, casefolded."""

    words: tuple[str, ...]

    def named_in(self, sentence: str) -> bool:
        """Whether a German sentence names the subject: each word starts a word of it ("Integrationskurs"
        in "Integrationskurses", "VHS" in "VHS-Kurs")."""
        text = sentence.casefold()
        return all(re.search(r"(?<!\w)" + re.escape(w), text) for w in self.words)


def subject_of(question: str) -> Subject | None:
    """The subject of a question that asks only what something is, when it has Latin words; else None.

    "Was ist die Talentschmiede?" → (talentschmiede); "What is the Bochum Strategie?" → (strategie)
    (the city's name is on every page, so it names nothing); "Was ist der Unterschied zwischen Asyl
    und Duldung?" → None (more than a name)."""
    q = question.casefold().strip().strip("¿¡?？؟;.! ").strip()
    before, after, what_does = _BEFORE_RE.search(q), _AFTER_RE.search(q), _WHAT_DOES.match(q)
    if what_does:
        rest = what_does.group(1)
    elif before:
        rest = q[before.end():]
    elif after:
        rest = q[:after.start()]
    else:
        return None
    rest = re.sub(r"[\"“”„»«‚‘’'`()\[\]]", " ", rest)
    words = [w for w in _WORD.findall(rest) if w not in _SMALL]
    if not words or len(words) > MOST_WORDS or _JOINERS.intersection(words):
        return None
    # a word of another script in the rest: the subject is said in the asker's language, which no
    # German sentence holds (only its Latin words would count, and they may be the smaller part)
    if any(not (_LATIN_WORD.fullmatch(w) or w.isdigit()) for w in words):
        return None
    named = tuple(w for w in words if len(w) >= 3)
    return Subject(named) if named else None
