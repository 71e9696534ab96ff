"""The report of one eval run: a markdown page for people and a JSON file for tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.runner import GROUPS, AbstentionRun, RetrievalRun

__all__ = ["EVIDENCE_THRESHOLDS", "MARGIN_THRESHOLDS", "render", "write"]

EVIDENCE_THRESHOLDS = np.round(np.arange(0.70, 0.951, 0.01), 3)
MARGIN_THRESHOLDS = np.round(np.arange(-0.10, 0.101, 0.01), 3)
RETRIEVAL_METRICS = {
    "xquad": ("R@1", "R@5", "R@10", "MRR@10"),
    "omos": ("R@1", "R@5", "R@10", "evidence@5", "answer@1", "answer@any"),
}
TITLES = {
    "R@1": "Recall@1", "R@5": "Recall@5", "R@10": "Recall@10", "MRR@10": "MRR@10",
    "evidence@5": "Evidence hit@5 (a gold answer line is inside one of the top-5 passages)",
    "answer@1": "Answer@1 (the extractive answer's first sentence is a gold answer line; systems that quote)",
    "answer@any": "Answer@any (one of its at most three sentences is; systems that quote)",
}


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def _metric_table(run: RetrievalRun, metric: str) -> list[str]:
    systems = list(run.table)
    langs = list(next(iter(run.table.values()))) if run.table else []
    lines = ["| language | n | " + " | ".join(systems) + " |", "|---|---:|" + "---:|" * len(systems)]
    for lang in langs:
        n_key = "n_evidence" if metric in ("evidence@5", "answer@1", "answer@any") else "n"
        n = run.table[systems[0]][lang][n_key]
        vals = [run.table[s][lang][metric] for s in systems]
        best = max((v for v in vals if v is not None), default=None)
        distinct = len({v for v in vals if v is not None}) > 1  # no bold when all systems tie
        cells = [f"**{_fmt(v)}**" if distinct and v == best else _fmt(v) for v in vals]
        lines.append(f"| {lang} | {n} | " + " | ".join(cells) + " |")
    if len(langs) > 1:
        avg = []
        for s in systems:
            vs = [run.table[s][lang][metric] for lang in langs if run.table[s][lang][metric] is not None]
            avg.append(_fmt(sum(vs) / len(vs)) if vs else "–")
        lines.append("| *mean* | | " + " | ".join(avg) + " |")
    return lines


def _abstention(ab: AbstentionRun, split: str, label: str | None = None) -> list[str]:
    out = ["## Abstention" + (f" — model {label}" if label else ""), ""]
    p = ab.policy
    by_lang = p.get("adapted_floors") or {}
    adapted = (", ".join(f"{lang} {f}" for lang, f in sorted(by_lang.items())) if len(set(by_lang.values())) > 1
               else p.get("adapted_floor", p["floor"]))
    out.append(f"What `Assistant.ask` decides (`EvidenceSelector` best sentence over the top-5 passages, then "
               f"`AbstentionPolicy`: floor {p['floor']} ({adapted} for questions the "
               f"query adapter encodes), margin {p['margin']} over the best of "
               f"{p['background_sentences']} background sentences). Groups: *answerable* and *unanswerable* "
               f"OMoS {split} questions whose page is in the corpus (all languages), *ood* = "
               "`evaluation/data/out_of_domain.jsonl` (the thresholds were chosen with these), *ood-heldout* = "
               "`evaluation/data/out_of_domain_heldout.jsonl` (written afterwards, on topics no OMoS-QA page "
               "mentions; never tuned on).")
    out += ["", "| group | n | answered (found=true) | refused |", "|---|---:|---:|---:|"]
    for g, r in ab.rates().items():
        out.append(f"| {g} | {r['n']} | {r['answered']:.3f} | {r['refused']:.3f} |")
    out += ["", "Score distribution (best evidence cosine; margin = evidence − best background):", "",
            "| group | signal | p10 | p25 | median | p75 | p90 |", "|---|---|---:|---:|---:|---:|---:|"]
    for g in GROUPS:
        for sig in ("evidence", "margin"):
            vals = np.array([r[sig] for r in ab.items if r["group"] == g])
            if len(vals):
                q = np.percentile(vals, [10, 25, 50, 75, 90])
                out.append(f"| {g} | {sig} | " + " | ".join(f"{x:.3f}" for x in q) + " |")
    for sig, grid, label in (("evidence", EVIDENCE_THRESHOLDS, "evidence floor"),
                             ("margin", MARGIN_THRESHOLDS, "margin over background")):
        rec = ab.recommend(sig, grid)
        out += ["", f"Trade-off, answer iff {label} ≥ t (on this split + OOD):", "",
                "| t | answerable refused | unanswerable answered | ood answered | ood-heldout answered |",
                "|---:|---:|---:|---:|---:|"]
        for r in ab.curve(sig, grid)[::2 if sig == "evidence" else 1]:
            out.append(f"| {r['threshold'] + 0.0:.2f} | {_fmt(r.get('answerable_refused'))} | "
                       f"{_fmt(r.get('unanswerable_answered'))} | {_fmt(r.get('ood_answered'))} | "
                       f"{_fmt(r.get('ood_heldout_answered'))} |")
        out.append("")
        out.append(f"**Recommended {label} threshold** (refuses ≤ 10 % of answerable {split} questions, "
                   f"as many OOD as possible): {_fmt(rec)}")
    return out


def render(meta: dict[str, Any], run: RetrievalRun,
           abstention: AbstentionRun | dict[str, AbstentionRun] | None) -> str:
    name, split = meta["set"], meta["split"]
    title = {"xquad": "XQuAD", "omos": "OMoS-QA"}[name]
    out = [f"# Retrieval quality: {title}" + (f" ({split})" if name == "omos" else ""), ""]
    out.append(f"- date: {meta['date']}; machine: {meta['machine']}")
    out.append(f"- command: `{meta['command']}`")
    cap = f"; at most {meta['per_page']} passages per page in front" if meta.get('per_page') else ""
    out.append(f"- model: `{meta['model']}`; chunk limit {meta['chunk_max_tokens']} tokens{cap}")
    out.append(f"- index: `{meta['index_folder']}` version {meta['index_version']} "
               f"({meta['passages']} passages, {meta['documents']} documents; "
               + ("reused from cache" if meta["index_reused"] else f"built in {meta['index_seconds']:.0f} s") + ")")
    out.append(f"- runtime: {meta['seconds']:.0f} s in all; per system: "
               + ", ".join(f"{s} {v:.0f} s" for s, v in run.seconds.items()))
    for key, val in meta.get("notes", {}).items():
        out.append(f"- {key.replace('_', ' ')}: {val}")
    for s, why in run.unavailable.items():
        out.append(f"- system **{s}** unavailable: {why}")
    out.append("")
    out.append("Recall@k: the gold " + ("paragraph" if name == "xquad" else "page")
               + " is the source of one of the top-k passages. Best per row in bold.")
    for metric in RETRIEVAL_METRICS[name]:
        out += ["", f"### {TITLES[metric]}", ""] + _metric_table(run, metric)
    out += ["", "### Query language as detected (used to weight BM25)", ""]
    for lang, counts in run.detected.items():
        out.append(f"- {lang}: " + ", ".join(f"{d} {n}" for d, n in sorted(counts.items(), key=lambda x: -x[1])))
    if isinstance(abstention, dict):
        for label, ab in abstention.items():
            out += [""] + _abstention(ab, split, label)
    elif abstention is not None:
        out += [""] + _abstention(abstention, split)
    return "\n".join(out) + "\n"


def _abstention_json(abstention: AbstentionRun) -> dict[str, Any]:
    return {
        "policy": abstention.policy, "rates": abstention.rates(), "items": abstention.items,
        "curve_evidence": abstention.curve("evidence", EVIDENCE_THRESHOLDS),
        "curve_margin": abstention.curve("margin", MARGIN_THRESHOLDS),
        "recommended_evidence_floor": abstention.recommend("evidence", EVIDENCE_THRESHOLDS),
        "recommended_margin": abstention.recommend("margin", MARGIN_THRESHOLDS),
    }


def write(out_dir: Path, meta: dict[str, Any], run: RetrievalRun,
          abstention: AbstentionRun | dict[str, AbstentionRun] | None) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{meta['set']}-{meta['split']}"
    md = out_dir / f"{stem}.md"
    js = out_dir / f"{stem}.json"
    md.write_text(render(meta, run, abstention), encoding="utf-8")
    data: dict[str, Any] = {"meta": meta, "retrieval": run.table, "unavailable": run.unavailable,
                            "seconds": run.seconds, "detected_language": run.detected, "first_gold_rank": run.ranks}
    if isinstance(abstention, dict):  # several models: one abstention run each, by label
        data["abstention"] = {label: _abstention_json(ab) for label, ab in abstention.items()}
    elif abstention is not None:
        data["abstention"] = _abstention_json(abstention)
    js.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return md, js
