"""All offers on one HTML page (JSON-LD, microdata, listing selectors) as Documents."""

from __future__ import annotations

from collections.abc import Mapping

from bs4 import BeautifulSoup

from ingest.offers.jsonld import offers_from_json_ld
from ingest.offers.listing import offers_from_listing
from ingest.offers.microdata import offers_from_soup_microdata
from ingest.offers.record import Offer, offer_document, unique_offers
from lotse.schema import Document


def offers_from_html(html: str, page_url: str, listing: Mapping[str, str] | None = None) -> list[Offer]:
    """Every offer a page carries: JSON-LD, microdata and (if configured) listing selectors."""
    soup = BeautifulSoup(html, "lxml")
    texts = [s.get_text() for s in soup.find_all("script", type="application/ld+json")]
    found = offers_from_json_ld(texts, page_url)
    found += offers_from_soup_microdata(soup, page_url)
    if listing:
        found += offers_from_listing(soup, page_url, listing)
    return unique_offers(found)


def offer_documents(html: str, *, page_url: str, source_name: str, page: Document | None = None,
                    listing: Mapping[str, str] | None = None) -> list[Document]:
    """The offer Documents of one crawled page. They cite the page (``page.url``, i.e. its canonical
    URL); the offer's own ``url`` stays in its fields. When every offer of the page has an end date,
    the page's own Document gets ``meta["offers_end"]`` (the latest), so the page's prose passages
    expire with its offers."""
    offers = offers_from_html(html, page_url, listing)
    cite = page.url if page is not None else page_url
    docs: list[Document] = []
    for o in offers:
        o.source_name = source_name
        o.url = o.url or cite
        docs.append(offer_document(o, url=cite, source_name=source_name, as_of=page.as_of if page else None,
                                   meta={"fetched_url": page_url}))
    if page is not None and offers and all(o.end_date for o in offers):
        page.meta["offers_end"] = max(str(o.end_date) for o in offers)
    return docs
