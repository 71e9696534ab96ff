"""Local files by glob: HTML, Markdown, plain text and PDF (one document per PDF page).

PDF pages keep their number: a passage from page 7 of a programme booklet links to
``booklet.pdf#page=7`` and names "Seite 7" as its section, so a citizen lands on the page.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ingest.extract import HtmlExtractor
from ingest.fetch import decode_body
from ingest.records import text_blocks
from lotse.errors import ExtractError
from lotse.schema import Block, Document
from lotse.text import normalize_space

__all__ = ["file_documents", "markdown_blocks", "pdf_documents"]

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(.*)$")


def file_documents(path: Path, *, url: str, source_name: str, extractor: HtmlExtractor) -> list[Document]:
    """The documents of one file; raises ExtractError with the reason when it has none."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_documents(path, url=url, source_name=source_name)
    raw = path.read_bytes()
    text = decode_body(raw, None)  # the crawler's rules: BOM, <meta charset>, UTF-8, then a guess
    if suffix in (".html", ".htm"):
        return [extractor.run(text, url=url, source_name=source_name)]
    blocks = markdown_blocks(text) if suffix in (".md", ".markdown") else text_blocks(text)
    if not blocks:
        raise ExtractError(url, "the file holds no text")
    title = next((b.text for b in blocks if b.kind == "heading"), path.stem.replace("-", " ").replace("_", " "))
    return [Document(url=url, title=title, blocks=blocks, source_name=source_name)]


def markdown_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("paragraph", normalize_space(" ".join(para))))
            para.clear()
        if items:
            blocks.append(Block("list", "\n".join(f"• {i}" for i in items)))
            items.clear()

    for line in text.splitlines():
        h = _MD_HEADING.match(line)
        item = _MD_ITEM.match(line)
        if h:
            flush()
            blocks.append(Block("heading", _strip_md(h.group(2)), level=len(h.group(1))))
        elif item:
            if para:
                flush()
            items.append(_strip_md(item.group(1)))
        elif not line.strip():
            flush()
        elif items and line.startswith(("  ", "\t")):
            items[-1] += " " + _strip_md(line.strip())
        else:
            if items:
                flush()
            para.append(_strip_md(line.strip()))
    flush()
    return blocks


def pdf_documents(path: Path | bytes, *, url: str, source_name: str) -> list[Document]:
    """One document per PDF page with text, from a file or (crawled) bytes."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(path) if isinstance(path, bytes) else str(path))
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError, KeyError) as exc:
        raise ExtractError(url, f"not a readable PDF ({exc})") from exc
    stem = Path(unquote(urlsplit(url).path)).stem if isinstance(path, bytes) else path.stem
    title = normalize_space(meta_title) or stem.replace("-", " ").replace("_", " ")
    docs = []
    for n, text in enumerate(pages, 1):
        blocks = text_blocks(_join_pdf_lines(text))
        if not blocks:
            continue
        docs.append(Document(
            url=f"{url}#page={n}", title=title, source_name=source_name,
            blocks=[Block("heading", f"Seite {n}", level=2), *blocks],
            meta={"page": n, "file_url": url},
        ))
    if not docs:
        raise ExtractError(url, "the PDF has no extractable text (a scan without OCR?)")
    return docs


def file_url(path: Path, root: Path, base_url: str | None) -> str:
    """The public URL of a file: ``base_url`` + its path below ``root``, else a file:// URI."""
    if base_url:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        return base_url.rstrip("/") + "/" + quote(rel)
    return path.resolve().as_uri()


def _join_pdf_lines(text: str) -> str:
    # PDF text comes as layout lines; hyphenated breaks are rejoined, single breaks become spaces,
    # blank lines stay paragraph breaks.
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


def _strip_md(s: str) -> str:
    s = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", s)
    return re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", s).strip()
