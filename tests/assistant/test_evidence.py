"""Which sentences become the answer and the highlights."""

from __future__ import annotations

from itertools import permutations
from pathlib import Path

import numpy as np
import pytest

from assistant.evidence import EvidenceSelector, SentenceHit, repeated_sentences, restates
from assistant.tables import highlight_quoted, quote_tables
from index.store import IndexStore
from lotse.schema import Chunk, SourceRef


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


def test_a_notice_on_every_offer_page_is_not_quoted(demo_data_dir: Path) -> None:
    index = IndexStore(demo_data_dir).load()
    repeated = repeated_sentences(index, 3)
    said = [index.chunks[ci].text[a:b] for ci, a, b in index.sentence_map]
    notice = [r for r, text in enumerate(said) if text.startswith("Beispieldaten – dieses Angebot")]
    assert len({index.chunks[index.sentence_map[r, 0]].source.url for r in notice}) >= 3
    assert all(repeated[r] for r in notice)
    # a field line two free offers share answers a price question, however often it stands
    free = [r for r, text in enumerate(said) if text == "Kosten: kostenlos"]
    assert len({index.chunks[index.sentence_map[r, 0]].source.url for r in free}) >= 3
    assert not any(repeated[r] for r in free)
    assert not repeated[[r for r, text in enumerate(said) if "31. Januar 2027 eingehen" in text]].any()
    # The worst case: the question is the notice itself. It still counts as evidence, never as the answer.
    row = notice[0]
    ci = int(index.sentence_map[row, 0])
    ev = EvidenceSelector().run(index, [ci], np.asarray(index.sentence_vectors[row], dtype=np.float32))
    assert ev.best > 0.999
    assert ev.answer and all(not said[row].startswith(index.chunks[ci].text[h.start:h.end]) for h in ev.answer)
    assert (int(index.sentence_map[row, 1]), int(index.sentence_map[row, 2])) not in ev.highlights[ci]


@pytest.mark.parametrize(("sentence", "other", "expected"), [
    # an offer record's field and the same page's list say the price alike
    ("Kosten: 32 Euro im Monat", "Kosten: 32 Euro (Unterrichtsentgelt pro Monat)", True),
    ("Kosten: 32 Euro (Unterrichtsentgelt pro Monat)", "Kosten: 32 Euro im Monat", False),
    # the field's dates are all in the page's sentence, which says more
    ("Zeitraum: 7. September 2027 bis 14. Dezember 2027",
     "Die Gruppe trifft sich vom 7. September bis 14. Dezember 2027 jeweils dienstags.", True),
    # a different number is a different fact
    ("Kosten: 145 Euro, ermäßigt 72,50 Euro", "Kosten: 145 Euro (Kursgebühr inkl. Lehrbuch)", False),
    ("Kosten: 35 Euro im Monat", "Kosten: 32 Euro im Monat", False),
    # one word of four differs: both stay
    ("Anmeldung ab 16. August", "Anmeldung bis 16. August", False),
    ("Kosten: kostenlos", "kosten: Kostenlos", True),
])
def test_what_counts_as_saying_it_again(sentence: str, other: str, expected: bool) -> None:
    assert restates(sentence, other) is expected


def test_the_answer_says_the_price_once_though_page_and_offer_both_give_it(demo_data_dir: Path,
                                                                          embedder) -> None:  # type: ignore[no-untyped-def]
    index = IndexStore(demo_data_dir).load()
    # The Musikschule page's "Auf einen Blick" list and the offer record read from its JSON-LD.
    ids = [i for i, c in enumerate(index.chunks) if "Kosten: 32 Euro" in c.text]
    assert len(ids) == 2
    query = embedder.embed_queries(["Was kostet die Musikschule?"], "de")[0]
    ev = EvidenceSelector().run(index, ids, query)
    said = [index.chunks[h.chunk].text[h.start:h.end] for h in ev.answer]
    assert sum("Kosten: 32 Euro" in s for s in said) == 1, said
    assert not any(restates(a, b) for a, b in permutations(said, 2)), said


def test_the_retrievers_order_breaks_near_ties_between_sentences_not_clear_wins(demo_data_dir: Path) -> None:
    index = IndexStore(demo_data_dir).load()
    first = next(i for i, (a, b) in enumerate(index.chunk_sentences) if b - a >= 2)
    second = next(i for i, (a, b) in enumerate(index.chunk_sentences)
                  if b - a >= 2 and index.chunks[i].source.url != index.chunks[first].source.url)

    notice = repeated_sentences(index, 3)

    def sentence(ci: int) -> int:  # a sentence of two words or more, not the site's notice
        return next(r for r in range(*index.chunk_sentences[ci]) if not notice[r]
                    and len(index.chunks[ci].text[index.sentence_map[r, 1]:index.sentence_map[r, 2]].split()) >= 2)

    def best(ci: int, query: np.ndarray) -> float:  # of the sentences that may be quoted
        a, b = index.chunk_sentences[ci]
        return float(np.max((index.sentence_vectors[a:b] @ query)[~notice[a:b]]))

    s1, s2 = (np.asarray(index.sentence_vectors[sentence(ci)], dtype=np.float32) for ci in (first, second))

    # A clear win: the question is a sentence of the second passage, word for word. It stays first
    # however the passages rank, and the first passage's sentences stay out (beyond the margin).
    assert best(first, s2) < 1.0 - 0.03
    for step in (0.0, 0.02, 1.0):
        ev = EvidenceSelector(rank_step=step).run(index, [first, second], s2)
        assert ev.answer[0].chunk == second and all(h.chunk == second for h in ev.answer)

    # A near tie: a question between the two sentences, a little closer to the second passage's.
    for tilt in np.linspace(0.99, 0.5, 50):
        query = tilt * s1 + s2
        query /= np.linalg.norm(query)
        if 0.0 < best(second, query) - best(first, query) < 0.02:
            break
    else:
        raise AssertionError("no question between the two sentences is a near tie")
    plain = EvidenceSelector(rank_step=0.0).run(index, [first, second], query)
    ordered = EvidenceSelector().run(index, [first, second], query)
    assert plain.answer[0].chunk == second  # by cosine alone
    assert ordered.answer[0].chunk == first  # the retriever's order breaks the tie
    # Only the order changes: the same sentences are quoted, and the abstention signal is the same.
    assert sorted((h.chunk, h.start) for h in plain.answer) == sorted((h.chunk, h.start) for h in ordered.answer)
    assert plain.best == ordered.best


def test_a_term_added_in_weigh_reorders_the_answer_and_the_served_rules_still_hold(demo_data_dir: Path) -> None:
    """``weigh`` is where a scoring term goes (the bench's grids subclass it): what it adds orders the
    answer, and a repeated notice stays unquoted however much it adds."""
    index = IndexStore(demo_data_dir).load()
    notice = repeated_sentences(index, 3)
    ci = next(i for i, (a, b) in enumerate(index.chunk_sentences)
              if notice[a:b].any() and (b - a) - int(notice[a:b].sum()) >= 3)
    a, b = (int(x) for x in index.chunk_sentences[ci])
    query = np.asarray(index.sentence_vectors[a:b].mean(axis=0), dtype=np.float32)
    served = EvidenceSelector().run(index, [ci], query)
    candidates = [r for r in range(a, b) if not notice[r] and len(
        index.chunks[ci].text[index.sentence_map[r, 1]:index.sentence_map[r, 2]].split()) >= 2]
    last = max(candidates, key=lambda r: -float(index.sentence_vectors[r] @ query))  # the served order's last
    assert served.answer[0].start != int(index.sentence_map[last, 1])

    class Favouring(EvidenceSelector):
        def weigh(self, index, first, sims, sentences, kind):  # type: ignore[no-untyped-def, override]
            weight = super().weigh(index, first, sims, sentences, kind)
            rows = np.arange(first, first + len(sims))
            return weight + 1.0 * ((rows == last) | notice[rows])

    ev = Favouring().run(index, [ci], query)
    assert ev.answer[0].start == int(index.sentence_map[last, 1])
    assert not any(notice[r] and int(index.sentence_map[r, 1]) == h.start for h in ev.answer for r in range(a, b))
    assert ev.best == served.best  # the abstention signal is the plain cosine


def test_during_a_switch_the_old_and_the_new_versions_masks_are_both_kept(demo_data_dir: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The new version's repeated sentences are found before it goes live while requests still run on
    the old one; neither may push the other's mask out, or each request would scan again."""
    import dataclasses

    import assistant.evidence as evidence

    old = IndexStore(demo_data_dir).load()
    new, newer = (dataclasses.replace(old, version=old.version + suffix) for suffix in ("-b", "-c"))
    scans: list[str] = []
    real = evidence.repeated_sentences

    def scanned(index, pages):  # type: ignore[no-untyped-def]
        scans.append(index.version)
        return real(index, pages)

    monkeypatch.setattr(evidence, "repeated_sentences", scanned)
    selector = EvidenceSelector()
    query = np.asarray(old.sentence_vectors[0], dtype=np.float32)
    selector.run(old, [0], query)
    selector.prepare(new)  # the switch: the old version still answers meanwhile
    selector.run(old, [0], query)
    selector.run(new, [0], query)
    assert scans == [old.version, new.version]
    selector.prepare(newer)  # the next switch lets the oldest go
    selector.run(newer, [0], query)
    selector.run(new, [0], query)
    selector.run(old, [0], query)
    assert scans == [old.version, new.version, newer.version, old.version]


def test_a_row_of_a_small_table_is_quoted_with_its_table_once() -> None:
    rows = ["Jährliche Hundesteuer"] + [f"• für den {n} Hund – Steuer pro Jahr: {p} Euro"
                                        for n, p in (("ersten", 156), ("zweiten", 192), ("dritten", 216))]
    text = "Wer einen Hund hält, zahlt Steuer.\n" + "\n".join(rows) + "\nAbmeldung binnen zwei Wochen."
    a = text.index("Jährliche")
    b = text.index("216 Euro") + len("216 Euro")
    src = SourceRef(url="https://x.test/hund", title="Hundesteuer")
    chunks = [Chunk("t", text, src, meta={"tables": [[a, b]]}), Chunk("p", text, src)]

    def hit(chunk: int, sentence: str, score: float) -> SentenceHit:
        start = text.index(sentence)
        return SentenceHit(chunk, start, start + len(sentence), score)

    second, third, prose = hit(0, rows[2], 0.9), hit(0, rows[3], 0.89), hit(0, "Abmeldung binnen zwei Wochen.", 0.8)
    quoted = quote_tables(chunks, [second, third, prose], most_lines=8)
    assert quoted == [SentenceHit(0, a, b, 0.9), prose]  # both rows become the one table, in the first's place
    # a table longer than the limit keeps the row, after the caption; a chunk without tables, the row alone
    assert quote_tables(chunks, [second], most_lines=3) == [SentenceHit(0, a, a + len(rows[0]), 0.9), second]
    assert quote_tables(chunks, [hit(1, rows[2], 0.9)], most_lines=8) == [hit(1, rows[2], 0.9)]


def test_a_long_tables_row_is_chosen_by_the_amount_asked_about() -> None:
    caption = "Monatliche Elternbeiträge nach Jahreseinkommen"
    rows = [f"• {label} – Kind unter 3 Jahren: {fee}" for label, fee in (
        ("bis 25.000 Euro", "beitragsfrei"), ("über 25.000 bis 37.000 Euro", "45 Euro"),
        ("über 37.000 bis 49.000 Euro", "110 Euro"), ("über 49.000 bis 62.000 Euro", "180 Euro"),
        ("über 62.000 Euro", "250 Euro"))]
    src = SourceRef(url="https://x.test/kita", title="Kita")
    parts = ["\n".join([caption, *rows[:3]]), "\n".join([caption, *rows[3:]])]  # a long table, split
    texts = ["Die Beiträge richten sich nach dem Einkommen.\n" + parts[0], parts[1]]
    starts = [texts[0].index(caption), 0]
    chunks = [Chunk(str(i), t, src, meta={"tables": [[s, len(t), 6]]})
              for i, (t, s) in enumerate(zip(texts, starts, strict=True))]

    def hit(chunk: int, line: str) -> SentenceHit:
        start = texts[chunk].index(line)
        return SentenceHit(chunk, start, start + len(line), 0.9)

    def quoted(hits: list[SentenceHit], wanted: list[float], among: list[int]) -> list[str]:
        return [texts[h.chunk][h.start:h.end]
                for h in quote_tables(chunks, hits, 4, wanted=wanted, among=among)]

    # the rows the cosine chose (the first two) give way to the caption and the row that covers 55.000,
    # from the other part of the table
    assert quoted([hit(0, rows[0]), hit(0, rows[1])], [55000], [0, 1]) == [caption, rows[3]]
    assert quoted([hit(1, rows[4])], [37000], [0, 1]) == [caption, rows[1]]  # "über 25.000 bis 37.000"
    assert quoted([hit(0, rows[2])], [200000], [0, 1]) == [caption, rows[4]]  # "über 62.000"
    # no amount, or one the table is not about ("2 Kinder"): the first and the last row say how far it goes
    assert quoted([hit(0, rows[2]), hit(1, rows[3])], [], [0, 1]) == [caption, rows[0], rows[4]]
    assert quoted([hit(0, rows[2])], [2], [0, 1]) == [caption, rows[0], rows[4]]
    # the covering row, or the table's end, not among the returned passages: the rows the answer chose
    assert quoted([hit(0, rows[0]), hit(0, rows[2])], [55000], [0]) == [caption, rows[0], rows[2]]
    assert quoted([hit(0, rows[1])], [], [0]) == [caption, rows[1]]
    prose = "Die Beiträge richten sich nach dem Einkommen."
    assert quoted([hit(0, prose)], [55000], [0, 1]) == [prose]  # only a table row is replaced


def test_a_quoted_tables_highlights_are_the_rows_the_answer_quotes() -> None:
    caption = "Monatliche Elternbeiträge"
    rows = [f"• {label} – Beitrag: {fee}" for label, fee in (
        ("bis 25.000 Euro", "0 Euro"), ("über 25.000 bis 50.000 Euro", "100 Euro"), ("über 50.000 Euro", "200 Euro"))]
    src = SourceRef(url="https://x.test/kita", title="Kita")
    text = "Die Beiträge richten sich nach dem Einkommen.\n" + "\n".join([caption, *rows])
    a = text.index(caption)
    chunks = [Chunk("0", text, src, meta={"tables": [[a, len(text), 9]]}), Chunk("1", "Anderes.", src)]

    def span(line: str) -> tuple[int, int]:
        return text.index(line), text.index(line) + len(line)

    prose = span("Die Beiträge richten sich nach dem Einkommen.")
    by_cosine = {0: sorted([prose, span(rows[0]), span(rows[2])]), 1: [(0, 8)]}
    answer = quote_tables(chunks, [SentenceHit(0, *span(rows[0]), 0.9)], 4, wanted=[30000], among=[0, 1])
    marked = highlight_quoted(chunks, by_cosine, answer)
    assert marked[0] == sorted([prose, span(caption), span(rows[1])])  # the prose stays, the rows follow the answer
    assert marked[1] == [(0, 8)]
    assert highlight_quoted(chunks, by_cosine, [SentenceHit(1, 0, 8, 0.9)]) == by_cosine  # no table quoted


def test_a_follow_up_s_own_vector_orders_the_sentences_and_leaves_the_evidence_score(demo_data_dir: Path,
                                                                                     embedder) -> None:  # type: ignore[no-untyped-def]
    """"А как записаться?" after "Сколько стоит детский сад?": retrieved with the price question in front, the
    fee lines outweighed the registration field of the same page; with the follow-up's own vector they do not.
    The abstention signal is still the cosine with the whole query."""
    index = IndexStore(demo_data_dir).load()
    ids = [i for i, c in enumerate(index.chunks) if "kita-anmeldung-kita-portal" in c.source.url]
    whole, own = embedder.embed_queries(["Сколько стоит детский сад? А как записаться?", "А как записаться?"], "ru")
    question = "А как записаться?"
    alone = EvidenceSelector().run(index, ids, whole, question=question)
    both = EvidenceSelector().run(index, ids, whole, question=question, own_vector=own)
    said = [index.chunks[h.chunk].text[h.start:h.end] for h in both.answer]
    assert "Anmeldung:" in said[0] or "online vormerken" in said[0], said
    assert "Anmeldung:" not in index.chunks[alone.answer[0].chunk].text[alone.answer[0].start:alone.answer[0].end]
    assert both.best == alone.best
    same = EvidenceSelector().run(index, ids, whole, question=question, own_vector=whole)
    assert [(h.chunk, h.start, h.end) for h in same.answer] == [(h.chunk, h.start, h.end) for h in alone.answer]
