"""JSONL sources: one ``{"url", "title", "text", "id"?}`` record per line becomes one Document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

from ingest.changes import ChangeTracker
from ingest.extract import blocks_from
from ingest.sources import JsonlSource
from lotse.schema import Block, Document
from lotse.text import normalize_space

__all__ = ["JsonlReader", "RecordProblem", "text_blocks"]


@dataclass(frozen=True, slots=True)
class RecordProblem:
    where: str
    reason: str


class JsonlReader:
    def __init__(self, source: JsonlSource, tracker: ChangeTracker | None = None) -> None:
        self.source = source
        self.tracker = tracker or ChangeTracker()

    def run(self) -> tuple[list[Document], list[RecordProblem]]:
        docs: list[Document] = []
        problems: list[RecordProblem] = []
        path = self.source.path
        if not path.is_file():
            return [], [RecordProblem(str(path), "file not found")]
        for lineno, line in self._lines(path):
            where = f"{path.name}:{lineno}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(RecordProblem(where, f"not valid JSON ({exc.msg})"))
                continue
            if not isinstance(rec, dict):
                problems.append(RecordProblem(where, "a record must be a JSON object"))
                continue
            missing = [k for k in ("url", "title", "text") if not isinstance(rec.get(k), str) or not rec.get(k)]
            if missing:
                problems.append(RecordProblem(where, f"missing or empty field(s): {', '.join(missing)}"))
                continue
            digest = self.tracker.digest(line)
            if self.tracker.is_unchanged(rec["url"], digest):
                continue  # published as it is
            if self.source.html:
                blocks = blocks_from(BeautifulSoup(rec["text"], "lxml").body or BeautifulSoup("", "lxml"))
            else:
                blocks = text_blocks(rec["text"])
            if not blocks:
                problems.append(RecordProblem(where, "no text after cleaning"))
                continue
            docs.append(Document(
                url=rec["url"], title=normalize_space(rec["title"]), blocks=blocks,
                source_name=self.source.name, as_of=rec.get("as_of"),
                meta={"record_id": str(rec.get("id", "")) or None, "raw_key": rec["url"], "raw_digest": digest},
            ))
        return docs, problems

    @staticmethod
    def _lines(path: Path) -> Iterator[tuple[int, str]]:
        with path.open(encoding="utf-8", errors="replace") as f:
            for i, line in enumerate(f, 1):
                if line.strip():
                    yield i, line


def text_blocks(text: str) -> list[Block]:
    """Plain text: blank lines separate paragraphs; lines starting with a bullet form lists;
    a short line without final punctuation before a paragraph reads as a heading."""
    blocks: list[Block] = []
    for para in [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]:
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        bullets = [ln for ln in lines if ln[:1] in "•*-–"]
        if bullets and len(bullets) == len(lines):
            blocks.append(Block("list", "\n".join("• " + ln[1:].strip() for ln in lines)))
        else:
            blocks.append(Block("paragraph", normalize_space("\n".join(lines))))
    return blocks
