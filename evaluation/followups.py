"""Follow-up retrieval with and without the conversation's context, on the bundled demo corpus.

``evaluation/data/followups.jsonl``: two-turn dialogues in de, en, ar, tr, uk, ru, fa and pl
written for this project over ``demo/site`` (the questions are ours, not from a public set).
Each names the page that answers the second turn (``gold``, a part of its URL) and whether
the second turn is a follow-up (``"Und was kostet das?"``) or a change of topic, where context
must not hurt. The second turn is retrieved three ways:

- ``alone``: the question on its own (what the assistant did before sessions);
- ``product``: as the assistant answers a turn (``ask_in_conversation``): ``FollowUp`` decides, a
  follow-up gets the previous question in front, and a question refused on its own is read once
  more with it;
- ``always``: the previous question is always put in front (no decision).

Reported: hit@1 and hit@3 (a passage of the gold page among the first 1 / 3), per group, and
how often the product's reading (follow-up or not, after the second reading and the check of short
questions) matches the label.

Changes of topic are also made from the demo questions (``topic_changes``): in each of the 20
languages of ``evaluation/data/demo_languages.jsonl``, each question followed by the next one
about another page, the last by the first. Where the second question is one the documents do not
answer (the pool's hours, a passport), the dialogue has no gold page and what counts is that the
answer is still refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.conversation import ask_in_conversation
from assistant.filters import default_filter
from assistant.followup import FollowUp, QueryContext
from assistant.service import Assistant
from assistant.sessions import Turn

__all__ = ["Dialogue", "load_dialogues", "prepare_demo_index", "run_followups", "to_markdown", "topic_changes"]

DEFAULT_SET = Path(__file__).parent / "data" / "followups.jsonl"
DEMO_QUESTIONS = Path(__file__).parent / "data" / "demo_languages.jsonl"
MODES = ("alone", "product", "always")


@dataclass(frozen=True, slots=True)
class Dialogue:
    id: str
    language: str
    followup: bool
    turns: tuple[str, str]
    gold: str  # a part of the URL of the page that answers the second turn; "" when no page does
    origin: str = "written"  # or "demo questions" (``topic_changes``)

    @property
    def group(self) -> str:
        kind = "follow-ups" if self.followup else "topic changes" if self.gold else "to an unanswerable question"
        return kind if self.origin == "written" else f"{kind} ({self.origin})"


def load_dialogues(path: Path = DEFAULT_SET) -> list[Dialogue]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        d = json.loads(line)
        if len(d["turns"]) != 2:
            raise ValueError(f"{path}:{n}: a dialogue has exactly two turns, got {len(d['turns'])}")
        out.append(Dialogue(d["id"], d["language"], bool(d["followup"]), (d["turns"][0], d["turns"][1]), d["gold"]))
    return out


def topic_changes(path: Path = DEMO_QUESTIONS) -> list[Dialogue]:
    """Per language, each question followed by the next one about another page (the last by the first)."""
    by_language: dict[str, list[dict[str, Any]]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            missing = [key for key in ("language", "topic", "question", "page") if key not in row]
            if missing:
                raise ValueError(f"{path}:{n}: a demo question needs language, topic, question and page "
                                 f"(null when no page answers it); missing {', '.join(missing)}")
            by_language.setdefault(row["language"], []).append(row)
    out = []
    for language, rows in by_language.items():
        for a, b in zip(rows, rows[1:] + rows[:1], strict=True):
            if a["page"] is not None and a["page"] == b["page"]:
                continue  # the same page asked about again is neither a follow-up nor a change of topic
            out.append(Dialogue(f"{language}-{a['topic']}>{b['topic']}", language, False,
                                (a["question"], b["question"]), b["page"] or "", "demo questions"))
    return out


def prepare_demo_index(cache_root: Path, embedder: Any, *, repo: Path, user_agent: str, chunk_max_tokens: int,
                       progress: Callable[[str], None]) -> Path:
    """The demo site crawled from a local server into ``cache_root/followups-<hash>``, built once."""
    from index.store import IndexStore
    from ingest.pipeline import IngestPipeline
    from ingest.sources import load_sources
    from lotse.sitesrv import serve_directory

    site = repo / "demo" / "site"
    h = hashlib.sha256(f"{getattr(embedder, 'name', '')}|{chunk_max_tokens}".encode())
    for f in sorted(site.rglob("*")):
        if f.is_file():
            h.update(f.relative_to(site).as_posix().encode() + f.read_bytes())
    folder = cache_root / f"followups-{h.hexdigest()[:12]}"
    store = IndexStore(folder)
    if store.current():
        progress(f"reusing the demo index in {folder}")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    with serve_directory(site) as base:
        cfg = folder / "sources.toml"
        cfg.write_text(f'[[source]]\nname = "demo-site"\nkind = "web"\nstart_urls = ["{base}/index.html"]\n'
                       f'allow = ["{base}/"]\nmax_pages = 50\nrequests_per_second = 50\n', encoding="utf-8")
        IngestPipeline(embedder, store, user_agent=user_agent, chunk_max_tokens=chunk_max_tokens,
                       progress=progress).run(load_sources(cfg), publish=True)
    return folder


def run_followups(assistant: Assistant, dialogues: list[Dialogue], *, k: int = 3,
                  followup: FollowUp | None = None) -> dict[str, Any]:
    followup = followup or FollowUp()
    rows = []
    for d in dialogues:
        first = d.turns[0]
        history = [Turn(first, assistant.languages.detect(first), "eval", True)]
        # "product" is ``Conversation.retrieve`` (the cues, the check of short questions, the second reading
        # of a question refused alone); "always" puts the first turn in front regardless.
        product = ask_in_conversation(assistant, followup, d.turns[1], history, top_k=k, allow=default_filter())
        contexts = {"alone": None, "always": QueryContext(d.turns[1], first, history[0].language, "always")}
        row: dict[str, Any] = {"id": d.id, "language": d.language, "followup": d.followup, "group": d.group,
                               "origin": d.origin, "answerable": bool(d.gold), "detected": product.follow_up,
                               "cue": product.cue}
        for mode in MODES:
            res = product if mode == "product" else assistant.ask(d.turns[1], top_k=k, context=contexts[mode],
                                                                  allow=default_filter())
            urls = [p.chunk.source.url for p in res.passages]
            row[mode] = {"hit1": bool(d.gold) and bool(urls[:1]) and d.gold in urls[0],
                         "hitk": bool(d.gold) and any(d.gold in u for u in urls[:k]), "top": urls[:1],
                         "found": res.answer.found}
        rows.append(row)
    return {"k": k, "rows": rows, "summary": _summary(rows)}


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["group"], []).append(r)
    written = [r for r in rows if r["origin"] == "written"]
    if written:
        groups["all" if len(written) == len(rows) else "all written"] = written
    out: dict[str, Any] = {}
    for name, rs in groups.items():
        n = len(rs)
        out[name] = {"n": n, **{f"{m}_hit1": sum(r[m]["hit1"] for r in rs) / n for m in MODES},
                     **{f"{m}_hitk": sum(r[m]["hitk"] for r in rs) / n for m in MODES},
                     **{f"{m}_refused": sum(not r[m]["found"] for r in rs) / n for m in MODES},
                     "detector_agrees": sum(r["detected"] == r["followup"] for r in rs) / n}
    return out


def to_markdown(result: dict[str, Any], meta: dict[str, str]) -> str:
    k = result["k"]
    summary = result["summary"]
    lines = [f"# Follow-up retrieval ({meta.get('date', '')})", "",
             f"`{meta.get('command', 'lotse eval followups')}` — {meta.get('set', '')}, index {meta.get('index', '')}",
             "", f"| dialogues | n | alone hit@1 | product hit@1 | always hit@1 | alone hit@{k} | product hit@{k} "
                 f"| always hit@{k} | detector agrees |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in summary.items():
        if "unanswerable" in name:
            continue
        lines.append(f"| {name} | {s['n']} | {s['alone_hit1']:.2f} | **{s['product_hit1']:.2f}** | "
                     f"{s['always_hit1']:.2f} | {s['alone_hitk']:.2f} | **{s['product_hitk']:.2f}** | "
                     f"{s['always_hitk']:.2f} | {s['detector_agrees']:.2f} |")
    refusals = {name: s for name, s in summary.items() if "unanswerable" in name}
    if refusals:
        lines += ["", "The second question is one the documents do not answer: how often it is refused.", "",
                  "| dialogues | n | alone refused | product refused | always refused | detector agrees |",
                  "|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {name} | {s['n']} | {s['alone_refused']:.2f} | **{s['product_refused']:.2f}** | "
                  f"{s['always_refused']:.2f} | {s['detector_agrees']:.2f} |" for name, s in refusals.items()]
    lines += ["", "Per dialogue: ✓ the gold page first, or for an unanswerable second question, refused.", "",
              "| id | follow-up | detected | alone | product | always |", "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        ok = [r[m]["hit1"] if r.get("answerable", True) else not r[m]["found"] for m in MODES]
        lines.append(f"| {r['id']} | {'yes' if r['followup'] else 'no'} | {'yes' if r['detected'] else 'no'} | "
                     + " | ".join("✓" if o else "·" for o in ok) + " |")
    return "\n".join(lines) + "\n"
