"""HTML -> ``Document``: main content only, as headings, paragraphs, whole lists and tables.

Boilerplate goes first: navigation, headers, footers, cookie banners, share bars and
anything a source's ``remove`` selectors name. The main container is the source's
``content`` selector, else ``<main>``/``<article>``/``role=main``. A page with no such
container is handed to trafilatura, whose boilerplate detection then picks the text.

Inside the content, a list whose every item is only a link to the same site is a signpost (a start
page's teasers, an overview of sub-pages, a table of contents): the pages it points to are crawled
and indexed themselves, and its link titles would otherwise win passages for every question about
them. It is dropped, unless the page has no other text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from ingest.tables import lines_of, table_lines
from lotse.errors import ExtractError
from lotse.schema import Block, Document
from lotse.text import normalize_space

__all__ = ["HtmlExtractor", "PageMeta"]

_DROP_TAGS = ["script", "style", "noscript", "template", "svg", "iframe", "form", "button",
              "nav", "header", "footer", "aside", "dialog", "select", "input", "textarea"]
_DROP_ROLES = ["navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "complementary"]
# ids/classes of the usual CMS furniture; matched as whole words inside the attribute.
_DROP_HINTS = re.compile(
    r"(^|[-_ ])(cookie|cookies|consent|gdpr|share|sharing|social|socialbar|breadcrumbs?|"
    r"skip|skiplink|iconbar|toolbar|newsletter|banner|popup|modal|print|pagination|"
    r"related|sidebar|back-?to-?top|nach-oben)($|[-_ ])",
    re.I,
)
_CONTAINERS = ["main article", "article", "main", "[role=main]", "#content", ".content"]
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_PARAGRAPHS = {"p", "blockquote", "pre", "address", "figcaption", "dt", "dd", "caption", "summary"}
_LISTS = {"ul", "ol"}
_BLOCKISH = _HEADINGS | _PARAGRAPHS | _LISTS | {
    "div", "section", "article", "main", "table", "tr", "dl", "figure", "details", "li", "br", "hr",
}


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str = ""
    canonical: str | None = None
    as_of: str | None = None
    lang: str | None = None
    json_ld: list[str] = field(default_factory=list)


class HtmlExtractor:
    """One page of HTML in, one ``Document`` out (or ``ExtractError`` saying why not)."""

    def __init__(self, *, content_selector: str | None = None, remove_selectors: list[str] | None = None,
                 min_chars: int = 20) -> None:
        self.content_selector = content_selector
        self.remove_selectors = remove_selectors or []
        self.min_chars = min_chars

    def run(self, html: str, *, url: str, source_name: str, last_modified: str | None = None) -> Document:
        soup = BeautifulSoup(html, "lxml")
        meta = read_meta(soup)
        self._strip(soup)
        container = self._container(soup)
        if container is None:
            blocks = _trafilatura_blocks(html)
        else:
            blocks = blocks_from(container, site=url)
            if sum(len(b.text) for b in blocks) < self.min_chars:  # a page of links only: keep them
                blocks = blocks_from(container)
        blocks = [b for b in blocks if b.text]
        if sum(len(b.text) for b in blocks) < self.min_chars:
            raise ExtractError(url, "no main text found (empty page, or everything was boilerplate)")
        # The h1 names the page; the <title> adds where it sits ("… | Bochum Strategie | Stadt Bochum").
        short_title = re.split(r"\s+[|–-]\s+", meta.title)[0] if meta.title else ""
        title = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "") or short_title
        return Document(
            url=meta.canonical or url,
            title=title,
            blocks=blocks,
            source_name=source_name,
            as_of=meta.as_of or _http_date(last_modified),
            meta={"fetched_url": url, "lang": meta.lang, "json_ld": meta.json_ld,
                  "page_title": meta.title or title},
        )

    def _strip(self, soup: BeautifulSoup) -> None:
        for sel in self.remove_selectors:
            for el in soup.select(sel):
                el.decompose()
        for el in soup.find_all(_DROP_TAGS):
            el.decompose()
        for el in soup.find_all(attrs={"role": _DROP_ROLES}):
            el.decompose()
        for el in soup.find_all(attrs={"aria-hidden": "true"}):
            el.decompose()
        for el in soup.find_all(True):
            if el.decomposed or el.name in ("html", "body", "main", "article"):
                continue
            hint = " ".join([el.get("id") or "", *(el.get("class") or [])])
            if hint.strip() and _DROP_HINTS.search(hint):
                el.decompose()

    def _container(self, soup: BeautifulSoup) -> Tag | None:
        for sel in ([self.content_selector] if self.content_selector else []) + _CONTAINERS:
            found = soup.select_one(sel)
            if found is not None and found.get_text(strip=True):
                return found
        # Fragments (feed records, CMS content fields) carry no page chrome to strip.
        if soup.body is not None and soup.find("title") is None:
            return soup.body
        return None


def read_meta(soup: BeautifulSoup) -> PageMeta:
    def content(*selectors: str) -> str | None:
        for sel in selectors:
            el = soup.select_one(sel)
            if el is not None:
                val = el.get("content") or el.get("href") or el.get("datetime")
                if val:
                    return str(val).strip()
        return None

    title_el = soup.find("title")
    title = normalize_space(title_el.get_text()).replace("\n", " ") if title_el else ""
    date = content('meta[property="article:modified_time"]', 'meta[name="last-modified"]',
                   'meta[name="date"]', 'meta[property="article:published_time"]', "time[datetime]")
    html_el = soup.find("html")
    return PageMeta(
        title=title,
        canonical=content('link[rel="canonical"]'),
        as_of=_iso_date(date),
        lang=(html_el.get("lang") if isinstance(html_el, Tag) else None),
        json_ld=[s.get_text() for s in soup.find_all("script", type="application/ld+json")],
    )


def blocks_from(root: Tag, *, site: str | None = None) -> list[Block]:
    """Walk the container in document order; lists stay whole, loose text becomes paragraphs.
    With ``site`` (the page's URL), lists of links to that site and nothing else are left out."""
    out: list[Block] = []
    inline: list[str] = []

    def flush() -> None:
        text = normalize_space("".join(inline)).replace("\n", " ")
        inline.clear()
        if text:
            out.append(Block("paragraph", text))

    def walk(el: Tag) -> None:
        for child in el.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # skips comments, CDATA, doctype
                    inline.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in _HEADINGS:
                flush()
                text = _inline_text(child)
                if text:
                    out.append(Block("heading", text, level=int(name[1]), anchor=_anchor(child)))
            elif name in _LISTS:
                flush()
                if site and _signpost(child, site):
                    continue
                items = _list_items(child)
                if items:
                    out.append(Block("list", "\n".join(items)))
            elif name in _PARAGRAPHS:
                flush()
                text = _inline_text(child)
                if text:
                    out.append(Block("paragraph", text))
            elif name == "table" and (rows := table_lines(child, _inline_text)) is not None:
                flush()
                out.append(Block("table", "\n".join(rows)))
            elif name == "dl":
                flush()
                pairs = _definition_lines(child)
                if pairs:
                    out.append(Block("list", "\n".join(pairs)))
            elif name in ("td", "th"):
                inline.append(" ")  # cells of one row stay one line, apart
                walk(child)
                inline.append(" ")
            elif name in ("br", "hr"):
                flush()
            elif name in _BLOCKISH:
                flush()
                walk(child)
                flush()
            else:
                walk(child)  # inline element: its text joins the current run

    walk(root)
    flush()
    return _drop_kicker(out)


def _drop_kicker(blocks: list[Block]) -> list[Block]:
    """Short lines before the page's h1 are eyebrows and category labels ("Bildungsangebote in
    Bochum"), not content; alone they would become passages that answer nothing."""
    first_h1 = next((i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == 1), None)
    if first_h1 and all(b.kind == "paragraph" and len(b.text) < 100 for b in blocks[:first_h1]):
        return blocks[first_h1:]
    return blocks


def _definition_lines(dl: Tag) -> list[str]:
    """``<dt>Ort</dt><dd>Bochum-Mitte</dd>`` -> ``• Ort: Bochum-Mitte``."""
    lines: list[str] = []
    term = ""
    for el in dl.find_all(["dt", "dd"]):
        text = _inline_text(el)
        if el.name == "dt":
            if term:
                lines.append(f"• {term}")
            term = text
        elif text:
            lines.append(f"• {term}: {text}" if term else f"• {text}")
            term = ""
    if term:
        lines.append(f"• {term}")
    return lines


def _inline_text(el: Tag) -> str:
    # Inline markup joins without spaces ("<b>Kita</b>-Betreuung."); block elements and <br> separate.
    parts: list[str] = []
    for d in el.descendants:
        if type(d) is NavigableString:
            parts.append(str(d))
        elif isinstance(d, Tag) and (d.name in _BLOCKISH or d.name == "br"):
            parts.append(" ")
    return normalize_space("".join(parts)).replace("\n", " ")


def _signpost(lst: Tag, page_url: str) -> bool:
    """Every item is one or more links to the page's own site and nothing else but a remark in
    brackets ("(abgelaufen)"); a link elsewhere or a word of its own makes it content."""
    items = lst.find_all("li")
    host = urlsplit(page_url).netloc
    if not items:
        return False
    for li in items:
        links = li.find_all("a", href=True)
        if not links or any(urlsplit(urljoin(page_url, str(a["href"]))).netloc != host for a in links):
            return False
        rest = _inline_text(li)
        for a in links:
            rest = rest.replace(_inline_text(a), " ", 1)
        if re.search(r"\w", re.sub(r"\([^)]*\)", " ", rest)):
            return False
    return True


def _list_items(lst: Tag, depth: int = 0) -> list[str]:
    items: list[str] = []
    for li in lst.find_all("li", recursive=False):
        nested = li.find_all(list(_LISTS), recursive=False)
        for n in nested:
            n.extract()
        text = _inline_text(li)
        if text:
            items.append("  " * depth + "• " + text)
        for n in nested:
            items.extend(_list_items(n, depth + 1))
    return items


def _anchor(h: Tag) -> str:
    if h.get("id"):
        return str(h["id"])
    inner = h.find(attrs={"id": True}) or h.find("a", attrs={"name": True})
    if isinstance(inner, Tag):
        return str(inner.get("id") or inner.get("name") or "")
    parent = h.parent
    if isinstance(parent, Tag) and parent.name == "section" and parent.get("id"):
        return str(parent["id"])
    return ""


def _trafilatura_blocks(html: str) -> list[Block]:
    import trafilatura
    from lxml import etree

    xml = trafilatura.extract(html, output_format="xml", include_formatting=True, include_links=False,
                              include_comments=False, include_tables=True, favor_recall=True)
    if not xml:
        return []
    root = etree.fromstring(xml.encode())
    out: list[Block] = []
    main = root.find("main")

    def flat(el: etree._Element) -> str:
        return normalize_space(" ".join(el.itertext())).replace("\n", " ")

    tables: set[etree._Element] = set()  # read whole, so their rows are not read again
    for el in (main if main is not None else root).iter("head", "p", "list", "quote", "table", "row"):
        if el.tag == "table":
            rows = [([(flat(c), c.get("role") == "head") for c in row.iter("cell")], False) for row in el.iter("row")]
            lines = lines_of(rows) if el.find(".//table") is None else None
            if lines is not None:
                out.append(Block("table", "\n".join(lines)))
                tables.add(el)
            continue
        if any(a in tables for a in el.iterancestors("table")):
            continue
        text = flat(el)
        if el.tag == "head":
            rend = el.get("rend") or "h2"
            level = int(rend[1]) if len(rend) == 2 and rend[1].isdigit() else 2
            out.append(Block("heading", text, level=level))
        elif el.tag == "list":
            items = ["• " + flat(i) for i in el.iter("item")]
            out.append(Block("list", "\n".join(i for i in items if len(i) > 2)))
        elif el.getparent() is not None and el.getparent().tag in ("list", "item"):
            continue
        else:
            out.append(Block("paragraph", text))
    return out


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(\d{4}-\d{2}-\d{2})", value)
    if m:
        return m.group(1)
    m = re.match(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    if m:
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return _http_date(value)


def _http_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        dt: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return dt.date().isoformat()
