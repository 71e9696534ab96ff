"""The query lexicon: learned from train pages only, the same bytes every time, pinned, and ranked with."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.factory import build_lexicon
from lotse.digest import sha256_file
from lotse.model import lexicon as lexicon_mod
from lotse.model.lexicon import LEXICONS, LexiconConfig, LexiconError, load_lexicon
from lotse.model.lexicon import build_lexicon as learn
from lotse.settings import Settings
from tests.conftest import LOTSE, REPO

# German page lines and their English translations; "Hund"/"dog" recur with different neighbours,
# so EM can tell the word's translation from its company.
TRAIN = [
    ("Der Hund braucht eine Steuermarke am Halsband.", "The dog needs a tax tag on its collar."),
    ("Die Steuer für den Hund ist jedes Jahr fällig.", "The tax for the dog is due every year."),
    ("Ein Hund muss im Bürgerbüro angemeldet werden.", "A dog must be registered at the citizens' office."),
    ("Die Katze braucht keine Steuermarke.", "The cat needs no tax tag."),
    ("Das Bürgerbüro hat montags geöffnet.", "The citizens' office is open on Mondays."),
    ("Eine Katze muss nicht angemeldet werden.", "A cat does not have to be registered."),
]
DEV = ("Der Papagei wohnt im Käfig des Bürgerbüros.", "The parrot lives in the cage of the citizens' office.")


def _parallel_omos(root: Path) -> Path:
    """train/dev/test files in de and en, in OMoS-QA's layout: one page (context) per item."""
    splits = root / "omos_qa_integreat" / "splits"
    splits.mkdir(parents=True)
    items = {"train": TRAIN, "dev": [DEV], "test": [DEV]}
    for split, rows in items.items():
        for lang, side in (("de", 0), ("en", 1)):
            lines = [json.dumps({"id": f"{split}{i}", "question": "Frage?" if side == 0 else "Question?",
                                 "context": f"Seite {i}\n{pair[side]}" if side == 0 else f"Page {i}\n{pair[side]}",
                                 "answers": [1], "language": lang, "pageId": i})
                     for i, pair in enumerate(rows)]
            (splits / f"{split}_{lang}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return splits


def test_the_lexicon_learns_translations_from_train_pages_only(tmp_path: Path) -> None:
    splits = _parallel_omos(tmp_path / "data")
    cfg = LexiconConfig(languages=("en",), max_df=1.0, min_prob=0.2, min_line_chars=10)
    record = learn(splits, cfg, tmp_path / "lex.json.gz")
    assert record["data"]["pages_skipped_held_out"] == 0 and record["data"]["line_pairs"] == 6
    lexicon = load_lexicon("test", tmp_path / "lex.json.gz")
    assert lexicon.languages == frozenset({"en"})
    terms = lexicon.terms("Does my dog need a tag?", "en")
    assert max(terms, key=terms.__getitem__) == "hund"
    assert lexicon.terms("Does my dog need a tag?", "de") == {}  # German questions keep their own words
    # the dev page's words were never read
    assert "parrot" not in lexicon.entries["en"] and "cage" not in lexicon.entries["en"]
    # rare words and question words can be left out: "dog" is in 3 pairs, "question" in every question
    assert "dog" in lexicon.entries["en"] and "question" in lexicon.entries["en"]
    strict = learn(splits, LexiconConfig(languages=("en",), max_df=1.0, min_line_chars=10, min_count=4,
                                         max_question_df=0.5), tmp_path / "strict.json.gz")
    assert strict["config"]["min_count"] == 4 and strict["config"]["max_question_df"] == 0.5
    kept = load_lexicon("strict", tmp_path / "strict.json.gz").entries["en"]
    assert "dog" not in kept and "question" not in kept and kept
    # EM over the same pairs in the same order: the same bytes, so a checksum can pin the file
    learn(splits, cfg, tmp_path / "again.json.gz")
    assert sha256_file(tmp_path / "again.json.gz") == sha256_file(tmp_path / "lex.json.gz")


def test_the_shipped_lexicon_is_pinned_and_knows_municipal_words(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = load_lexicon("omos-lex-v1")
    # learned for en too, served for ar and uk only (the XQuAD guard, docs/benchmarks.md)
    assert shipped.languages == frozenset({"ar", "uk"}) == frozenset(LEXICONS["omos-lex-v1"].serve)
    assert shipped.terms("How much does the kindergarten cost?", "en") == {}
    full = load_lexicon("file", lexicon_mod.LEXICON_DIR / "omos-lex-v1.json.gz")
    assert full.languages == frozenset({"en", "ar", "uk"}) and "kost" in full.terms("What does it cost?", "en")
    ar = shipped.terms("كم تكلفة روضة الأطفال؟", "ar")  # "what does the kindergarten cost?"
    assert {"kost", "kindergart"} <= set(ar)
    uk = shipped.terms("Де я можу записатися на інтеграційний курс?", "uk")
    assert "integrationskur" in uk
    assert shipped.terms("Was kostet die Kita?", "de") == {}

    # an altered file is refused by name, saying how to restore it
    folder = tmp_path / "lexicons"
    folder.mkdir()
    data = json.loads(gzip.decompress((lexicon_mod.LEXICON_DIR / "omos-lex-v1.json.gz").read_bytes()))
    data["entries"]["ar"]["تكلفة"] = [["hund", 1.0]]
    (folder / "omos-lex-v1.json.gz").write_bytes(gzip.compress(json.dumps(data).encode()))
    monkeypatch.setattr(lexicon_mod, "LEXICON_DIR", folder)
    with pytest.raises(LexiconError, match="altered. Restore it from git"):
        load_lexicon("omos-lex-v1")
    (folder / "omos-lex-v1.json.gz").unlink()
    with pytest.raises(LexiconError, match="is missing: restore it from git, or set LOTSE_QUERY_LEXICON=none"):
        load_lexicon("omos-lex-v1")
    with pytest.raises(LexiconError, match="Unknown query lexicon 'omos-lex-v9'; shipped: omos-lex-v1"):
        load_lexicon("omos-lex-v9")
    # a file given by path is not pinned, but must still be a lexicon
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip")
    with pytest.raises(LexiconError, match="cannot be read"):
        load_lexicon("broken", broken)
    data["config"]["stemmers"] = {"ar": "klingon"}
    broken.write_bytes(gzip.compress(json.dumps(data).encode()))
    with pytest.raises(LexiconError, match="cannot be read"):  # at load, not at the first Arabic question
        load_lexicon("broken", broken)


def test_the_setting_chooses_the_lexicon_a_file_or_none(tmp_path: Path) -> None:
    assert Settings().query_lexicon == "none" and build_lexicon(Settings()) is None  # opt-in
    shipped = build_lexicon(Settings(query_lexicon="omos-lex-v1"))
    assert shipped is not None and shipped.name == "omos-lex-v1" and shipped.languages == frozenset({"ar", "uk"})
    with pytest.raises(LexiconError, match="Unknown query lexicon"):
        build_lexicon(Settings(query_lexicon="nope"))
    # a file `lotse model lexicon --out` wrote, e.g. from a city's own translated pages: not pinned
    out = tmp_path / "city.json.gz"
    learn(_parallel_omos(tmp_path / "data"), LexiconConfig(languages=("en",), max_df=1.0, min_line_chars=10), out)
    own = build_lexicon(Settings(query_lexicon=str(out)))
    assert own is not None and own.name == "city" and own.languages == frozenset({"en"})
    with pytest.raises(LexiconError, match="cannot be read"):
        build_lexicon(Settings(query_lexicon=str(tmp_path / "missing.json.gz")))


def test_a_stemmed_lexicon_keys_inflected_words_together(tmp_path: Path) -> None:
    splits = _parallel_omos(tmp_path / "data")
    cfg = LexiconConfig(languages=("en",), max_df=1.0, min_line_chars=10, stemmers={"en": "english"})
    record = learn(splits, cfg, tmp_path / "stemmed.json.gz")
    assert record["config"]["stemmers"] == {"en": "english"}
    lexicon = load_lexicon("stemmed", tmp_path / "stemmed.json.gz")
    assert lexicon.stemmers == {"en": "english"}
    # "dogs" never occurs in the pairs; stemmed like "dog", it finds the same German term
    assert "hund" in lexicon.terms("Are dogs taxed?", "en")
    unstemmed = learn(splits, LexiconConfig(languages=("en",), max_df=1.0, min_line_chars=10), tmp_path / "u.json.gz")
    assert "stemmers" not in unstemmed["config"]  # as omos-lex-v1 was written: its bytes stay reproducible
    assert load_lexicon("u", tmp_path / "u.json.gz").terms("Are dogs taxed?", "en") == {}


def test_lotse_model_lexicon_rebuilds_the_file_and_says_what_is_missing(tmp_path: Path) -> None:
    splits = _parallel_omos(tmp_path / "data")
    env = {**os.environ, "LOTSE_EVAL_DATA_DIR": str(splits.parent.parent)}
    out = tmp_path / "built.json.gz"
    proc = subprocess.run([*LOTSE, "model", "lexicon", "--out", str(out), "--languages", "en", "--max-df", "1"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert f"sha256 {sha256_file(out)}" in proc.stdout
    assert "en: 12 pairs" in proc.stderr  # 6 train questions and 6 train lines; no dev line
    assert "hund" in load_lexicon("cli", out).terms("the dog", "en")

    proc = subprocess.run([*LOTSE, "model", "lexicon", "--out", str(tmp_path / "x.json.gz"), "--languages", "en,tr"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "--languages must name some of en, ar, uk" in " ".join(proc.stderr.split())
    proc = subprocess.run([*LOTSE, "model", "lexicon", "--out", str(tmp_path / "x.json.gz"), "--stem", "en=klingon"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "No Snowball stemmer klingon; there are: arabic" in " ".join(proc.stderr.split())
    shutil.rmtree(splits)
    proc = subprocess.run([*LOTSE, "model", "lexicon", "--out", str(tmp_path / "x.json.gz")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "set LOTSE_EVAL_DATA_DIR" in " ".join(proc.stderr.split())
    assert not (tmp_path / "x.json.gz").exists()


def test_every_shipped_lexicon_matches_its_pin() -> None:
    for name, spec in LEXICONS.items():
        assert sha256_file(lexicon_mod.LEXICON_DIR / f"{name}.json.gz") == spec.sha256
