"""File digests shared by the model build and the index store, and the reproducible files they pin."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

__all__ = ["sha256_file", "write_json_gz"]


def write_json_gz(record: object, out: Path) -> None:
    """``record`` as gzip JSON at ``out``, the same bytes for the same record (sorted keys, no file
    name or time in the gzip header), so a checksum can pin the file; written atomically."""
    raw = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
        gz.write(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(out)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
