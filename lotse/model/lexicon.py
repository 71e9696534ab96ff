"""A query lexicon: German BM25 terms for the words of en, ar and uk questions (`lotse model lexicon`).

The German BM25 index helps German questions and, through shared names, other Latin-script
ones; an Arabic or Ukrainian question shares no word with the German pages, so its lexical
signal was switched off. No offline machine translation exists for these languages, but
OMoS-QA's train split holds every page line-aligned in German and in en/ar/uk (the
dataset's own translations). IBM Model 1 (Brown et al. 1993), a few rounds of EM over those
line pairs, learns for each source word the German analyzer terms it is translated by: كم →
``viel``, تكلفة → ``kost``, садок → ``kindertagesstatt``/``kindergart``/``kita``.
At query time a question's words become weighted German terms and score the BM25 index
(`HybridRetriever`), so a translated question gets the exact-term signal its German twin gets.
It is opt-in (``LOTSE_QUERY_LEXICON=omos-lex-v1``): it helps on OMoS-QA's pages and breaks the
demo corpus's Arabic Kita question (docs/benchmarks.md, "Decision: opt-in").

What keeps it small and safe: words in more than ``max_df`` of the pairs (articles, "where",
"can I") are dropped, and each word keeps at most ``top`` translations of probability
``min_prob`` or more. The defaults were chosen on OMoS-QA dev (docs/benchmarks.md); only train
pairs are read (:func:`lotse.model.align.parallel_pairs` skips dev and test pages). EM over the
same pairs in the same order gives the same file, which is pinned by sha256 below.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from lotse.digest import sha256_file, write_json_gz
from lotse.errors import LotseError

__all__ = ["LEXICONS", "LEXICON_DIR", "LexiconConfig", "LexiconError", "LexiconSpec", "QueryLexicon",
           "build_lexicon", "load_lexicon", "source_words"]

LEXICON_DIR = Path(__file__).parent / "lexicons"


@dataclass(frozen=True, slots=True)
class LexiconSpec:
    sha256: str  # of <name>.json.gz in LEXICON_DIR (`lotse model lexicon` with the defaults writes it)
    serve: tuple[str, ...]  # the languages whose questions it translates; the file may hold more


LEXICONS: dict[str, LexiconSpec] = {
    # The file holds en too, but English is not served: with it, XQuAD en Recall@1 fell from 0.903 to
    # 0.900 (the rule set before that run: XQuAD only guards; docs/benchmarks.md). Wikipedia questions
    # lean on names, which the municipal lexicon drops in favour of the raw words' small BM25 share.
    "omos-lex-v1": LexiconSpec("f4188b07a99c2de6ef5b6f7eeb6202e33fd3e6eca221ad86af0dd5a4023af7bd", ("ar", "uk")),
}

_WORD = re.compile(r"\w+", re.UNICODE)
# Arabic short vowels, shadda, sukun, dagger alif and tatweel: optional in writing, so not part of a word
_MARKS = re.compile(r"[\u064B-\u065F\u0670\u0640]")


class LexiconError(LotseError):
    """The query lexicon is missing, altered or unreadable."""


def source_words(text: str, stemmer: str | None = None) -> list[str]:
    """The words of a question or line in a source language, as the lexicon keys them: lower case,
    Arabic vowel marks dropped, and Snowball-stemmed when the lexicon was built with a stemmer
    (Arabic ``الأطفال`` and ``أطفال`` are one word to it, ``التكلفة`` and ``تكلفة`` another)."""
    text = _MARKS.sub("", unicodedata.normalize("NFKC", text.lower()))
    words = [w for w in _WORD.findall(text) if len(w) > 1 and not w.isdigit()]
    return _stemmer(stemmer).stemWords(words) if stemmer and words else words


@lru_cache(maxsize=8)
def _stemmer(name: str):  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer(name)


@dataclass(frozen=True, slots=True)
class LexiconConfig:
    languages: tuple[str, ...] = ("en", "ar", "uk")
    iterations: int = 6
    min_prob: float = 0.2
    top: int = 2
    max_df: float = 0.05  # words in more of the pairs than this carry no topic
    min_line_chars: int = 16  # as the adapters' page-line pairs
    # Snowball stemmer per source language (none for a language not named)
    stemmers: dict[str, str] = field(default_factory=dict)
    # A word seen in fewer pairs than this gets no entry: EM aligns a word seen once to whatever
    # shared its line (تخطط "plans" -> "lernt").
    min_count: int = 1
    # Words in more than this share of the questions are question words ("what", "how"): no entry.
    max_question_df: float = 1.0


class QueryLexicon:
    """Weighted German analyzer terms for a question in one of ``languages``."""

    def __init__(self, name: str, entries: dict[str, dict[str, list[tuple[str, float]]]],
                 stemmers: dict[str, str] | None = None) -> None:
        self.name = name
        self.entries = entries
        self.languages = frozenset(entries)
        self.stemmers = stemmers or {}

    def only(self, languages: tuple[str, ...]) -> QueryLexicon:
        """The same lexicon translating questions in ``languages`` only."""
        return QueryLexicon(self.name, {lang: t for lang, t in self.entries.items() if lang in languages},
                            self.stemmers)

    def terms(self, text: str, language: str) -> dict[str, float]:
        table = self.entries.get(language)
        if not table:
            return {}
        out: dict[str, float] = {}
        for word in source_words(text, self.stemmers.get(language)):
            for term, p in table.get(word, ()):
                out[term] = out.get(term, 0.0) + p
        return out


def _ibm1(pairs: list[tuple[list[str], list[str]]], iterations: int) -> dict[str, dict[str, float]]:
    """t(german term | source word) by EM; a NULL word takes the German terms nothing translates."""
    t: dict[str, dict[str, float]] = defaultdict(dict)
    for src, de in pairs:
        for w in [*src, None]:
            row = t[w]
            for g in de:
                row[g] = 1.0
    for row in t.values():
        for g in row:
            row[g] = 1.0 / len(row)
    for _ in range(iterations):
        counts: dict[str | None, Counter[str]] = defaultdict(Counter)
        for src, de in pairs:
            words = [*src, None]
            for g in de:
                z = sum(t[w][g] for w in words)
                for w in words:
                    counts[w][g] += t[w][g] / z
        t = defaultdict(dict)
        for w, c in counts.items():
            total = sum(c.values())
            t[w] = {g: v / total for g, v in c.items()}
    return t


def build_lexicon(split_dir: Path, cfg: LexiconConfig, out: Path,
                  progress: Callable[[str], None] = lambda _m: None) -> dict:
    """Learn the lexicon from OMoS-QA train pairs and write it to ``out`` (gzip JSON); returns its record."""
    from index.analyzer import GermanAnalyzer
    from lotse.model.align import parallel_pairs

    analyzer = GermanAnalyzer()
    pairs, stats = parallel_pairs(split_dir, cfg.languages, cfg.min_line_chars)
    entries: dict[str, dict[str, list[list[str | float]]]] = {}
    for lang in cfg.languages:
        stem = cfg.stemmers.get(lang)
        tokenized = [(source_words(p.text, stem), analyzer(p.german)) for p in pairs if p.language == lang]
        tokenized = [(s, g) for s, g in tokenized if s and g]
        df = Counter(w for s, _ in tokenized for w in set(s))
        questions = [source_words(p.text, stem) for p in pairs if p.language == lang and p.kind == "question"]
        question_df = Counter(w for q in questions for w in set(q))
        too_common = {w for w, n in question_df.items() if n > cfg.max_question_df * max(1, len(questions))}
        table = _ibm1(tokenized, cfg.iterations)
        kept: dict[str, list[list[str | float]]] = {}
        for word in sorted(w for w in table if w is not None and df[w] <= cfg.max_df * len(tokenized)
                           and df[w] >= cfg.min_count and w not in too_common):
            best = sorted(table[word].items(), key=lambda kv: (-kv[1], kv[0]))[:cfg.top]
            chosen = [[g, round(p, 4)] for g, p in best if p >= cfg.min_prob]
            if chosen:
                kept[word] = chosen
        entries[lang] = kept
        progress(f"{lang}: {len(tokenized)} pairs, {len(kept)} words kept of {len(table) - 1}")
    config = asdict(cfg)
    # omos-lex-v1 was written before these options existed: at their defaults they stay out of the
    # record, so its bytes stay reproducible
    for key, default in (("stemmers", {}), ("min_count", 1), ("max_question_df", 1.0)):
        if config[key] == default:
            del config[key]
    record = {"config": config, "data": {**stats, "source": "OMoS-QA train split (CC BY 4.0), "
                                                         "questions and page lines paired with German"},
              "entries": entries}
    write_json_gz(record, out)
    return record


def load_lexicon(name: str, path: Path | None = None) -> QueryLexicon:
    """A shipped lexicon by name, checked against its pinned sha256 and limited to the languages it
    serves; or any file at ``path``, with every language it holds."""
    spec = None
    if path is None:
        if name not in LEXICONS:
            raise LexiconError(f"Unknown query lexicon {name!r}; shipped: {', '.join(LEXICONS)} (or 'none').")
        path = LEXICON_DIR / f"{name}.json.gz"
        if not path.is_file():
            raise LexiconError(f"The query lexicon {path} is missing: restore it from git, or set "
                               "LOTSE_QUERY_LEXICON=none to rank without it.")
        spec = LEXICONS[name]
        digest = sha256_file(path)
        if digest != spec.sha256:
            raise LexiconError(f"The query lexicon {path} has sha256 {digest}, expected {spec.sha256}: it was "
                               "altered. Restore it from git or rebuild it with `lotse model lexicon`.")
    try:
        record = json.loads(gzip.decompress(path.read_bytes()))
        entries = {lang: {w: [(str(g), float(p)) for g, p in pairs] for w, pairs in table.items()}
                   for lang, table in record["entries"].items()}
        stemmers = {str(k): str(v) for k, v in record["config"].get("stemmers", {}).items()}
        for stemmer in stemmers.values():
            _stemmer(stemmer)  # an unknown name fails here (KeyError), not at the first question
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise LexiconError(f"The query lexicon {path} cannot be read ({exc}); rebuild it with "
                           "`lotse model lexicon`.") from exc
    lexicon = QueryLexicon(name, entries, stemmers)
    return lexicon.only(spec.serve) if spec else lexicon
