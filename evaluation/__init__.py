"""``lotse eval``: retrieval quality and abstention measured on public QA sets.

The sets are ingested through the normal pipeline into cached index versions, so what is
measured is what the product serves: the same chunker, the same passage and sentence
vectors, the same BM25. Nothing in the product imports this package.
"""
