"""Offers as structured records: courses, events and services with their dates, place and cost.

An ``Offer`` (``record``) is read from schema.org JSON-LD (``jsonld``), schema.org microdata
(``microdata``), HTML listings by CSS selectors (``listing``) and CSV/JSON feeds (``feeds``);
``fields`` maps named fields onto the record, ``values`` parses what offers write (German
dates, prices, ages, languages), ``page`` gathers every offer on one HTML page. Every offer
becomes one passage: a compact German "auf einen Blick" list plus the description, with the
fields in ``Document.meta["offer"]`` for filtering.
"""

from ingest.offers.feeds import offers_from_csv, offers_from_json, read_feed
from ingest.offers.fields import FIELD_NAMES, FeedProblem, offer_from_fields
from ingest.offers.jsonld import offers_from_json_ld
from ingest.offers.listing import offers_from_listing
from ingest.offers.microdata import offers_from_microdata
from ingest.offers.page import offer_documents, offers_from_html
from ingest.offers.record import OFFER_FIELDS, Offer, offer_document, offer_key
from ingest.offers.values import (
    language_code,
    languages_from,
    parse_age_range,
    parse_date,
    parse_date_range,
    parse_price,
)

__all__ = [
    "FIELD_NAMES", "OFFER_FIELDS", "FeedProblem", "Offer", "language_code", "languages_from", "offer_document",
    "offer_documents", "offer_from_fields", "offer_key", "offers_from_csv", "offers_from_html", "offers_from_json",
    "offers_from_json_ld", "offers_from_listing", "offers_from_microdata", "parse_age_range", "parse_date",
    "parse_date_range", "parse_price", "read_feed",
]
