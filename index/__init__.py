"""Indexes: a dense FAISS index and a German lexical index, published as atomic versions."""
