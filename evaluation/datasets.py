"""Loaders: public QA sets -> a German corpus of records plus questions with their gold page.

XQuAD: the 240 German paragraphs are the corpus (one record per paragraph); every language
asks the same 1,190 questions, gold = the paragraph that holds the same qa id.

OMoS-QA: the German Integreat page dumps of two districts are the corpus (``content`` is
HTML); the split files give questions in de, en, ar, uk with the page they were asked about
and the indices of the answer lines. München items have no page dump and English-origin
items point at the English page, which is mapped back to its German page through the dump's
``available_languages``; questions whose page is still missing are counted, not scored.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lotse.errors import LotseError
from lotse.text import slugify

__all__ = [
    "CorpusRecord", "EvalDataError", "EvalSet", "Question", "XQUAD_LANGUAGES", "OMOS_LANGUAGES",
    "OMOS_SPLITS", "OUT_OF_DOMAIN_HELDOUT", "load_omos", "load_out_of_domain", "load_xquad", "normalize_line",
]

XQUAD_LANGUAGES = ("de", "en", "es", "ru", "tr", "ar", "el", "hi", "vi", "th", "zh", "ro")
OMOS_LANGUAGES = ("de", "en", "ar", "uk")
OMOS_SPLITS = ("train", "dev", "test")
OMOS_CITIES = ("lkaugsburg", "rems-murr-kreis")
OUT_OF_DOMAIN = Path(__file__).parent / "data" / "out_of_domain.jsonl"
# Written after the abstention margin was chosen, on topics no OMoS-QA page mentions (fishing licence,
# street lights, cemeteries, tree felling, the planetarium, parking tickets); never used to choose anything.
OUT_OF_DOMAIN_HELDOUT = Path(__file__).parent / "data" / "out_of_domain_heldout.jsonl"
# Answer lines shorter than this ("Klasse.", "hier.") occur on many pages; containing them
# says nothing about whether the answer was retrieved.
MIN_EVIDENCE_CHARS = 12


class EvalDataError(LotseError):
    """The evaluation data is missing or not in the expected shape."""


@dataclass(frozen=True, slots=True)
class CorpusRecord:
    url: str
    title: str
    text: str
    id: str

    def to_json(self) -> str:
        return json.dumps({"url": self.url, "title": self.title, "text": self.text, "id": self.id},
                          ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    language: str
    text: str
    gold_urls: frozenset[str]  # empty: the gold page is not in the corpus
    gold_lines: tuple[str, ...] = ()  # German answer lines (normalised); empty: not scored for evidence
    answerable: bool = True

    @property
    def in_corpus(self) -> bool:
        return bool(self.gold_urls)


@dataclass(slots=True)
class EvalSet:
    name: str  # "xquad" | "omos"
    split: str  # "test" for XQuAD (it has no other)
    corpus: list[CorpusRecord]
    html: bool
    questions: dict[str, list[Question]]  # language -> questions
    notes: dict[str, object] = field(default_factory=dict)

    def corpus_digest(self) -> str:
        h = hashlib.sha256()
        h.update(f"html={self.html}\n".encode())
        for r in self.corpus:
            h.update(r.to_json().encode())
            h.update(b"\n")
        return h.hexdigest()


def normalize_line(text: str) -> str:
    """Whitespace-insensitive form used to look for a gold line inside a passage."""
    return " ".join(unicodedata.normalize("NFC", text).replace("\u00ad", "").split())


def _require(path: Path, what: str) -> Path:
    if not path.exists():
        raise EvalDataError(
            f"{what} not found at {path}. Point LOTSE_EVAL_DATA_DIR at the folder holding the evaluation "
            "sets (xquad/, omos_qa_integreat/), e.g. LOTSE_EVAL_DATA_DIR=/work/shared/data."
        )
    return path


def _check_languages(languages: list[str] | None, known: tuple[str, ...], name: str) -> list[str]:
    langs = list(languages) if languages else list(known)
    unknown = [lang for lang in langs if lang not in known]
    if unknown:
        raise EvalDataError(f"{name} has no language(s) {', '.join(unknown)}; it has {', '.join(known)}.")
    return langs


# ---- XQuAD ---------------------------------------------------------------------------------

def load_xquad(data_dir: Path, languages: list[str] | None = None, limit: int | None = None) -> EvalSet:
    """German paragraphs as corpus; questions per language, gold = their paragraph's URL.

    ``limit`` keeps the first N questions per language (the same ids in every language)."""
    root = _require(Path(data_dir) / "xquad", "XQuAD (xquad/xquad.de.json)")
    langs = _check_languages(languages, XQUAD_LANGUAGES, "XQuAD")

    def read(lang: str) -> list[dict]:
        path = _require(root / f"xquad.{lang}.json", f"XQuAD {lang} file")
        return json.loads(path.read_text(encoding="utf-8"))["data"]

    corpus: list[CorpusRecord] = []
    qa_url: dict[str, str] = {}
    for article in read("de"):
        slug = slugify(article["title"].replace("_", " "))
        for p_no, para in enumerate(article["paragraphs"], 1):
            url = f"https://xquad.example/{slug}/{p_no}"
            corpus.append(CorpusRecord(url, article["title"].replace("_", " "), para["context"], f"{slug}-{p_no}"))
            for qa in para["qas"]:
                qa_url[qa["id"]] = url
    questions: dict[str, list[Question]] = {}
    for lang in langs:
        qs = []
        for article in read(lang):
            for para in article["paragraphs"]:
                for qa in para["qas"]:
                    qs.append(Question(qa["id"], lang, qa["question"], frozenset({qa_url[qa["id"]]})))
        questions[lang] = qs[:limit] if limit else qs
    return EvalSet("xquad", "test", corpus, False, questions,
                   {"paragraphs": len(corpus), "languages": langs})


# ---- OMoS-QA -------------------------------------------------------------------------------

def _page_url(city: str, page: dict) -> str:
    url = page.get("url")
    return url if isinstance(url, str) and url.startswith("http") else f"https://integreat.example/{city}/{page['id']}"


def _alternates(page: dict) -> list[str]:
    """Ids of the page's translations (the English page an English-origin item points at)."""
    al = page.get("available_languages")
    if isinstance(al, dict):
        return [str(v["id"]) for v in al.values() if isinstance(v, dict) and "id" in v]
    if isinstance(al, str):  # some dumps hold the Python repr of the dict
        return re.findall(r"'id': (\d+)", al)
    return []


def load_omos(data_dir: Path, split: str = "test", languages: list[str] | None = None,
              limit: int | None = None) -> EvalSet:
    """Integreat page dumps as corpus; split questions per language with gold page and lines."""
    if split not in OMOS_SPLITS:
        raise EvalDataError(f"OMoS-QA has splits {', '.join(OMOS_SPLITS)}, not {split!r}.")
    root = _require(Path(data_dir) / "omos_qa_integreat", "OMoS-QA (omos_qa_integreat/)")
    langs = _check_languages(languages, OMOS_LANGUAGES, "OMoS-QA")

    corpus: list[CorpusRecord] = []
    by_id: dict[tuple[str, str], str] = {}  # (city, page id or translation id) -> corpus URL
    content_of: dict[str, str] = {}
    empty = 0
    for city in OMOS_CITIES:
        path = _require(root / "integreat_pages_de" / f"{city}_de_pages.json", f"OMoS-QA page dump {city}")
        for page in json.loads(path.read_text(encoding="utf-8")):
            content = page.get("content") or ""
            if not content.strip():
                empty += 1  # section index pages: a title and no text
                continue
            url = _page_url(city, page)
            corpus.append(CorpusRecord(url, page.get("title") or url, content, f"{city}-{page['id']}"))
            content_of[url] = content
            by_id[(city, str(page["id"]))] = url
            for alt in _alternates(page):
                by_id.setdefault((city, alt), url)
    # The pipeline indexes identical pages once under the first URL; any copy is a gold hit.
    same: dict[str, set[str]] = {}
    for url, content in content_of.items():
        same.setdefault(hashlib.sha256(content.encode()).hexdigest(), set()).add(url)
    twins = {url: frozenset(group) for group in same.values() for url in group}

    def rows(lang: str) -> list[dict]:
        path = _require(root / "splits" / f"{split}_{lang}.jsonl", f"OMoS-QA split {split}_{lang}")
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    german = {str(r["id"]): r for r in rows("de")}
    questions: dict[str, list[Question]] = {}
    missing: Counter[str] = Counter()
    for lang in langs:
        qs = []
        for r in rows(lang):
            de = german[str(r["id"])]
            url = by_id.get((de["city"], str(de["pageId"])))
            answerable = bool(de["answers"])
            lines: tuple[str, ...] = ()
            # Answer lines are German page text only for German-origin items; the German file's
            # lines of English-origin items are machine translations that no page contains.
            if url and answerable and de.get("sourceLanguage") is None:
                ctx = de["context"].split("\n")
                lines = tuple(line for i in de["answers"] if i < len(ctx)
                              and len(line := normalize_line(ctx[i])) >= MIN_EVIDENCE_CHARS)
            if url is None and lang == langs[0]:
                missing[de["city"]] += 1
            qs.append(Question(str(r["id"]), lang, r["question"], twins.get(url, frozenset()) if url else frozenset(),
                               lines, answerable))
        questions[lang] = qs[:limit] if limit else qs
    first = questions[langs[0]]
    return EvalSet("omos", split, corpus, True, questions, {
        "pages": len(corpus),
        "empty_pages_skipped": empty,
        "questions_per_language": len(first),
        "gold_page_missing": sum(1 for q in first if not q.in_corpus),
        "gold_page_missing_by_city": dict(missing),
        "unanswerable": sum(1 for q in first if not q.answerable),
        "unanswerable_in_corpus": sum(1 for q in first if not q.answerable and q.in_corpus),
        "evidence_scored": sum(1 for q in first if q.gold_lines),
        "languages": langs,
    })


def load_out_of_domain(path: Path = OUT_OF_DOMAIN, prefix: str = "ood") -> list[Question]:
    """Questions about city services no education corpus answers (dog tax, car registration…)."""
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            rec = json.loads(line)
            out.append(Question(f"{prefix}-{i}", rec["language"], rec["question"], frozenset(), (), False))
    return out
