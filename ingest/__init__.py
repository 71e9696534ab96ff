"""Ingestion: fetch sources, extract the main text, chunk it by document structure."""
