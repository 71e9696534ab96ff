"""Which sentences become the answer and the highlights."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.evidence import EvidenceSelector
from index.store import IndexStore


def test_a_one_word_sentence_never_answers_but_still_counts_as_evidence(demo_data_dir: Path) -> None:
    index = IndexStore(demo_data_dir).load()
    rows = [(r, int(ci), int(a), int(b)) for r, (ci, a, b) in enumerate(index.sentence_map)
            if len(index.chunks[ci].text[a:b].split()) == 1]
    assert rows, "the demo corpus has one-word sentences (e.g. 'Beispieldaten.')"
    row, ci, a, b = rows[0]
    # The worst case: the question vector is that sentence's own vector, so it scores 1.0.
    query = np.asarray(index.sentence_vectors[row], dtype=np.float32)
    ev = EvidenceSelector().run(index, [ci], query)
    assert ev.best > 0.999  # the abstention signal is unchanged
    assert ev.answer and all((h.start, h.end) != (a, b) for h in ev.answer)
    assert all(len(index.chunks[ci].text[h.start:h.end].split()) >= 2 for h in ev.answer)
    assert (a, b) not in ev.highlights[ci]
