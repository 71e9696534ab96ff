"""Language identification of short queries: lingua alone (before) against the served detector.

    .venv/bin/python bench/language_id.py [--split dev|test] [--grid] [--names] [--eval-data ../shared/data]

Short queries are `evaluation/data/short_queries_{dev,test}.jsonl`: one to three words in German
(what a call-centre agent types) and in 13 other served languages, written for this benchmark;
`uk|ru` marks a word both languages write alike. Each is detected three ways:

- *no hint*: the API without an ``Accept-Language`` header, ``lotse eval``;
- *own hint*: the asker's device is set to the query's language (a newcomer's phone);
- *German hint*: the device is set to German, whatever language is typed (the call centre; a
  newcomer on a German laptop).

From a device set to a language not written in Latin letters (uk, ar, …), the Latin words lingua
is unsure of take the device's language; the German queries that do are listed.

``--grid`` prints the weight grid the served weights were chosen from (dev only: the highest sum
of the three columns, ties to the smaller weights). Then, with no hint as ``lotse eval`` runs it,
every OMoS-QA dev/test and XQuAD question is detected both ways and the changes counted: the
long questions the retrieval figures rest on must keep their language.

``--names`` prints the grid ``FOREIGN_FRAME`` and ``FOREIGN_OVER_GERMAN`` were chosen from: questions
of four words or more that lingua calls German are asked again without their German names (*What is
the Talentschmiede?*), on the OMoS-QA **train** questions (de/en/ar/uk), on
`evaluation/data/names_in_questions.jsonl` (30 questions in ten languages around German names, written
for this) and on 1,166 German questions (MLQA dev, OMoS-QA train and dev) that must stay German. A
second grid, for ``GERMAN_FRAME`` and ``GERMAN_OVER_FOREIGN``, takes the mirror case: German questions
around English names (*Was ist die UniverCity?*; the same German questions and
`evaluation/data/german_around_names.jsonl`), with the OMoS-QA train/dev English questions and the
foreign names_in_questions that must not turn German.

``--letters`` compares the detector with and without its letter rules (a Russian or Bulgarian verdict on
і, ї, є, ґ or що/чи/таке/якщо is Ukrainian; a Latin-script verdict on ¿ or ¡ is Spanish; an Albanian
verdict without ë or ç goes to the other languages) over every
OMoS-QA split, XQuAD and the question sets under `evaluation/data`: right before → after per language,
and the questions that changed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.language import SERVED_LANGUAGES, LanguageDetector  # noqa: E402
from evaluation.datasets import OMOS_LANGUAGES, XQUAD_LANGUAGES, load_omos, load_xquad  # noqa: E402

DATA = REPO / "evaluation" / "data"
SCENARIOS = ("no hint", "own hint", "German hint")


class Before:
    """The detector as it was until 2026-11-28: lingua's pick, Persian letters first."""

    def __init__(self) -> None:
        self._lingua = LanguageDetector()._get()

    def detect(self, text: str, hint: str | None = None) -> str:
        text = text.strip()[:500]
        if re.search(r"[\u0600-\u06ff]", text):
            return "fa" if re.search(r"[پچژگکی]", text) else "ar"
        lang = self._lingua.detect_language_of(text)
        return lang.iso_code_639_1.name.lower() if lang else "de"


def load(split: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / f"short_queries_{split}.jsonl").read_text().splitlines()]


def score(detector, items: list[dict]) -> dict[str, tuple[int, list[str]]]:  # type: ignore[no-untyped-def]
    out: dict[str, tuple[int, list[str]]] = {}
    for scenario in SCENARIOS:
        ok, misses = 0, []
        for item in items:
            labels = item["language"].split("|")
            hint = {"no hint": None, "own hint": labels[0], "German hint": "de"}[scenario]
            got = detector.detect(item["query"], hint)
            ok += got in labels
            if got not in labels:
                misses.append(f"{item['query']} → {got}")
        out[scenario] = (ok, misses)
    return out


def per_language(detector, items: list[dict]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows: dict[str, list[int]] = {}
    for item in items:
        labels = item["language"].split("|")
        rows.setdefault(item["language"], []).append(detector.detect(item["query"]) in labels)
    return {lang: f"{sum(v)}/{len(v)}" for lang, v in rows.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev", choices=("dev", "test"))
    ap.add_argument("--grid", action="store_true", help="print the dev grid of weights")
    ap.add_argument("--eval-data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--no-eval", action="store_true", help="skip the OMoS-QA/XQuAD check")
    ap.add_argument("--names", action="store_true", help="the FOREIGN_FRAME grid on OMoS-QA train")
    ap.add_argument("--letters", action="store_true", help="the letter rules on and off, every question set")
    args = ap.parse_args()
    if args.names:
        names_grid(args.eval_data)
        return
    if args.letters:
        letters_report(args.eval_data)
        return

    items = load(args.split)
    print(f"## Short queries, {args.split} ({len(items)})\n")
    print("| detector | " + " | ".join(SCENARIOS) + " |\n|---|---|---|---|")
    results = {"before (lingua alone)": score(Before(), items), "served": score(LanguageDetector(), items)}
    for name, res in results.items():
        print(f"| {name} | " + " | ".join(f"{res[s][0]}/{len(items)}" for s in SCENARIOS) + " |")
    for name, res in results.items():
        for s in SCENARIOS:
            print(f"\n{name}, {s}, missed: " + "; ".join(res[s][1]))
    print("\nper language, no hint: before", per_language(Before(), items))
    print("per language, no hint: served", per_language(LanguageDetector(), items))

    german = [x["query"] for x in items if x["language"] == "de"]
    served = LanguageDetector()
    for hint in ("uk", "ar"):
        moved = [q for q in german if served.detect(q, hint) == hint]
        print(f"\nGerman queries from a device set to {hint}: {len(moved)} of {len(german)} take {hint} "
              f"(Latin words lingua is unsure of): " + "; ".join(moved))

    if args.grid:
        print("\n## Grid (hint weight, other-language weight): sum over the three scenarios\n")
        for hint_w, other_w in itertools.product((1.0, 2.0, 3.0, 4.0), (1.0, 0.5)):
            res = score(LanguageDetector(SERVED_LANGUAGES, hint_weight=hint_w, other_weight=other_w), items)
            print(f"hint ×{hint_w:g}, others ×{other_w:g}: " + ", ".join(f"{s} {res[s][0]}" for s in SCENARIOS)
                  + f"; sum {sum(r[0] for r in res.values())}")

    if args.no_eval:
        return
    print("\n## Long questions, no hint: before → served (changed / total; accuracy against the set's language)\n")
    before, served = Before(), LanguageDetector()
    sets = [(f"OMoS-QA {split}", load_omos(args.eval_data, split=split), OMOS_LANGUAGES) for split in ("dev", "test")]
    sets.append(("XQuAD", load_xquad(args.eval_data), XQUAD_LANGUAGES))
    for name, evalset, langs in sets:
        cells = []
        for lang in langs:
            qs = evalset.questions.get(lang, [])
            a = [before.detect(q.text) for q in qs]
            b = [served.detect(q.text) for q in qs]
            changed = sum(x != y for x, y in zip(a, b, strict=True))
            cells.append(f"{lang} {changed}/{len(qs)} ({sum(x == lang for x in a) / len(qs):.3f} → "
                         f"{sum(y == lang for y in b) / len(qs):.3f})")
        print(f"- {name}: " + "; ".join(cells))


def letters_report(eval_data: Path) -> None:
    """Right without → with the letter rules, per set and language, and every question that changed."""
    off, on = LanguageDetector(by_letters=False), LanguageDetector()
    sets: list[tuple[str, dict[str, list[str]]]] = [
        (f"OMoS-QA {split}", {lang: [q.text for q in qs]
                              for lang, qs in load_omos(eval_data, split=split).questions.items()})
        for split in ("train", "dev", "test")]
    sets.append(("XQuAD", {lang: [q.text for q in qs] for lang, qs in load_xquad(eval_data).questions.items()}))
    for path in sorted(DATA.glob("*.jsonl")):
        by_lang: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            text = row.get("question") or row.get("query")
            if isinstance(text, str) and isinstance(row.get("language"), str):
                by_lang.setdefault(row["language"].split("|")[0], []).append(text)
        if by_lang:
            sets.append((path.name, by_lang))
    print("| set | questions | changed | right, without → with the letter rules |\n|---|---:|---:|---|")
    changes: list[str] = []
    for name, by_lang in sets:
        cells, total, changed = [], 0, 0
        for lang, qs in sorted(by_lang.items()):
            a, b = [off.detect(q) for q in qs], [on.detect(q) for q in qs]
            moved = [f"{q} ({x} → {y})" for q, x, y in zip(qs, a, b, strict=True) if x != y]
            total, changed = total + len(qs), changed + len(moved)
            changes += [f"{name}, {lang}: {m}" for m in moved]
            if moved:
                cells.append(f"{lang} {sum(x == lang for x in a)} → {sum(y == lang for y in b)} of {len(qs)}")
        print(f"| {name} | {total} | {changed} | {'; '.join(cells) or 'unchanged'} |")
    print("\nchanged:\n" + "\n".join(f"- {c}" for c in changes))


def names_grid(eval_data: Path) -> None:
    """The rule for German names in a foreign question, setting by setting (frame 2.0 and an infinite
    ratio: off): the OMoS-QA train questions, our names_in_questions set, and how many German questions
    (MLQA dev, OMoS-QA train and dev) it turns."""
    train = load_omos(eval_data, split="train")
    names = [json.loads(line) for line in (DATA / "names_in_questions.jsonl").read_text().splitlines()]
    german = [json.loads(line)["question"] for line in
              (eval_data / "mlqa_de_dev" / "mlqa_dev_context-de_question-de.jsonl").read_text().splitlines()]
    german += [q.text for split in ("train", "dev") for q in load_omos(eval_data, split=split).questions["de"]]
    off = LanguageDetector(foreign_frame=2.0, foreign_over_german=math.inf)
    german_before = {q for q in german if off.detect(q) == "de"}
    print("## German names in a foreign question, no hint\n")
    print("| FOREIGN_FRAME | FOREIGN_OVER_GERMAN | OMoS-QA train " + "/".join(OMOS_LANGUAGES)
          + f" | names_in_questions ({len(names)}) | German questions turned (of {len(german_before)}) |")
    print("|---|---|---|---|---|")
    inf = math.inf
    for frame, ratio in ((2.0, inf), (0.6, inf), (0.5, inf), (0.4, inf), (0.3, inf), (0.2, inf),
                         (0.4, 3.0), (0.4, 2.0), (0.4, 1.5)):
        detector = LanguageDetector(foreign_frame=frame, foreign_over_german=ratio)
        train_ok = [sum(detector.detect(q.text) == lang for q in train.questions.get(lang, []))
                    for lang in OMOS_LANGUAGES]
        names_ok = sum(detector.detect(x["question"]) == x["language"] for x in names)
        turned = [q for q in german_before if detector.detect(q) != "de"]
        label = ("off", "off") if frame > 1 else (f"{frame:g}", "off" if ratio == inf else f"{ratio:g}")
        print(f"| {label[0]} | {label[1]} | " + "/".join(map(str, train_ok)) + f" | {names_ok} | {len(turned)} "
              + ("(" + "; ".join(turned[:3]) + ")" if turned else "") + " |")
    german_names_grid(eval_data, german, names)
    served = LanguageDetector()
    print("\nnames_in_questions, served, missed: " + "; ".join(
        f"{x['question']} → {served.detect(x['question'])}" for x in names
        if served.detect(x["question"]) != x["language"]))


def german_names_grid(eval_data: Path, german: list[str], names: list[dict]) -> None:
    """The mirror rule, English names in a German question (*Was ist die UniverCity?*), setting by setting
    (frame 2.0 and an infinite ratio: off): German questions (MLQA dev, OMoS-QA train and dev) and our
    german_around_names set detected as German, and English questions (OMoS-QA train and dev) and the
    foreign names_in_questions that the rule would turn German."""
    own = [json.loads(line)["question"] for line in (DATA / "german_around_names.jsonl").read_text().splitlines()]
    foreign = [(q.text, "en") for split in ("train", "dev") for q in load_omos(eval_data, split=split).questions["en"]]
    foreign += [(x["question"], x["language"]) for x in names if x["language"] != "de"]
    inf = math.inf
    off = LanguageDetector(german_frame=2.0, german_over_foreign=inf)
    foreign = [(q, lang) for q, lang in foreign if off.detect(q) != "de"]  # not German before the rule
    print("\n## English names in a German question, no hint\n")
    print(f"| GERMAN_FRAME | GERMAN_OVER_FOREIGN | German questions (of {len(german)}) "
          f"| german_around_names (of {len(own)}) | other questions turned German (of {len(foreign)}) |")
    print("|---|---|---|---|---|")
    for frame, ratio in ((2.0, inf), (0.5, inf), (0.4, inf), (0.3, inf), (0.4, 3.0), (0.4, 2.0), (0.3, 2.0),
                         (0.3, 1.5), (0.25, 1.5)):
        detector = LanguageDetector(german_frame=frame, german_over_foreign=ratio)
        turned = [q for q, _ in foreign if detector.detect(q) == "de"]
        label = ("off", "off") if frame > 1 else (f"{frame:g}", "off" if ratio == inf else f"{ratio:g}")
        print(f"| {label[0]} | {label[1]} | {sum(detector.detect(q) == 'de' for q in german)} "
              f"| {sum(detector.detect(q) == 'de' for q in own)} | {len(turned)} "
              + ("(" + "; ".join(turned[:3]) + ")" if turned else "") + " |")


if __name__ == "__main__":
    main()
