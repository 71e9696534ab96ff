"""How many threads one question may use inside the server.

A question is small work: one short text through the model, one vector search, one product with
the sentence vectors. Each library brings its own thread pool (torch's, FAISS's OpenMP, numpy's
BLAS), sized to every core, and with requests answered side by side in a thread pool they
spin-wait against each other on two cores. With one thread per question the server answered
faster at one client and more per second at eight (docs/benchmarks.md, "Threads per question").
Ingest, which embeds passages in batches, keeps every core: the limit is the server's.
"""

from __future__ import annotations

__all__ = ["limit_threads", "thread_limits"]


def limit_threads(n: int) -> None:
    """At most ``n`` threads for torch, FAISS and the BLAS/OpenMP pools numpy uses; 0 leaves the
    libraries' own defaults. Process-wide: call it once, at the server's start."""
    if n <= 0:
        return
    import faiss
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n)
    faiss.omp_set_num_threads(n)
    threadpool_limits(n)


def thread_limits() -> dict[str, int]:
    """The threads each library may use now (what /ready reports)."""
    import faiss
    import torch
    from threadpoolctl import threadpool_info

    blas = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return {"torch": torch.get_num_threads(), "faiss": faiss.omp_get_max_threads(), "blas": max(blas, default=0)}
