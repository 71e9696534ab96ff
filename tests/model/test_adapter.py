"""The shipped LoRA adapter: checked, merged exactly, the default model; and `lotse model tune` runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from lotse.digest import sha256_file
from lotse.errors import ModelBuildError
from lotse.model.adapter import (
    ADAPTERS,
    AdapterSpec,
    adapter_path,
    build_adapted,
    canonical_safetensors,
    load_adapter,
    merge_lora,
)
from lotse.model.build import checksum_of, verify_model
from lotse.model.lora import LoRALinear
from lotse.settings import SHIPPED_ADAPTER, Settings
from tests.conftest import LOTSE, REPO

SPEC = ADAPTERS[SHIPPED_ADAPTER]
# Cosine of the adapted model's vector to the base model's for fixed texts, measured when the
# adapter was made (docs/model.md): the adapter moves every vector a long way (0.73-0.81).
REFERENCE_COSINES = {
    ("query", "Wo kann ich einen Integrationskurs besuchen?"): 0.7347,
    ("query", "Where can I take an integration course?"): 0.77,
    ("query", "أين يمكنني حضور دورة الاندماج؟"): 0.8079,
    ("query", "Де я можу відвідати інтеграційний курс?"): 0.726,
    ("passage", "Integrationskurs\nDer Integrationskurs besteht aus Sprachkurs und Orientierungskurs."): 0.7875,
}


def _base_dir() -> Path:
    path = Path(Settings().provisioned_model_path("none"))
    if not path.exists():
        pytest.fail(f"No base model at {path}: run `lotse model build` first.")
    return path


def test_shipped_adapter_matches_its_pinned_sha256_and_is_small() -> None:
    path = adapter_path(SHIPPED_ADAPTER)
    assert sha256_file(path) == SPEC.sha256
    assert path.stat().st_size < 4 * 1024 * 1024
    record = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["sha256"] == SPEC.sha256 and record["base_checksum"] == SPEC.base_checksum


def test_the_adapter_is_one_setting_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOTSE_EMBEDDING_MODEL", raising=False)
    monkeypatch.delenv("LOTSE_EMBEDDING_ADAPTER", raising=False)
    # not the default (yet): see docs/model.md, "Decision"
    assert Settings().model_path().endswith("multilingual-e5-small")
    monkeypatch.setenv("LOTSE_EMBEDDING_ADAPTER", SHIPPED_ADAPTER)
    assert Settings().model_path().endswith(f"multilingual-e5-small-{SHIPPED_ADAPTER}")


def test_merge_equals_the_lora_forward_used_in_training() -> None:
    torch.manual_seed(0)
    base = torch.nn.Linear(16, 24)
    layer = LoRALinear(base, rank=4, alpha=8.0)
    with torch.no_grad():
        layer.lora_B.normal_()
    x = torch.randn(5, 16)
    tensors = {"m.lora_A": layer.lora_A.detach().double().numpy(), "m.lora_B": layer.lora_B.detach().double().numpy()}
    merged = merge_lora({"m.weight": base.weight.detach().numpy()}, tensors, layer.scale)["m.weight"]
    expected = layer(x).detach().numpy()
    got = x.numpy() @ merged.T + base.bias.detach().numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.integration
def test_build_applies_the_adapter_deterministically(tmp_path: Path) -> None:
    result = build_adapted(_base_dir(), tmp_path / "adapted", SHIPPED_ADAPTER, force=True)
    assert result.rebuilt and result.checksum == SPEC.folder_checksum == checksum_of(result.out_dir)
    verify_model(result.out_dir)
    info = json.loads((result.out_dir / "adapter.json").read_text(encoding="utf-8"))
    assert info["adapter_sha256"] == SPEC.sha256
    assert "CC BY 4.0" in (result.out_dir / "NOTICE").read_text(encoding="utf-8")
    # same architecture: the same files and tensor shapes as the base folder
    from safetensors import safe_open

    with safe_open(str(result.out_dir / "model.safetensors"), "numpy") as a, \
            safe_open(str(_base_dir() / "model.safetensors"), "numpy") as b:
        assert set(a.keys()) == set(b.keys())
        assert all(a.get_slice(k).get_shape() == b.get_slice(k).get_shape() for k in a.keys())  # noqa: SIM118
        changed = [k for k in a.keys() if not np.array_equal(a.get_tensor(k), b.get_tensor(k))]  # noqa: SIM118
    tensors, _ = load_adapter(adapter_path(SHIPPED_ADAPTER), SPEC.sha256)
    adapted = {k.rsplit(".", 1)[0] + ".weight" for k in tensors}
    assert set(changed) == adapted and all(k.endswith(".weight") for k in changed)
    assert not any("embeddings" in k for k in changed)


@pytest.mark.integration
def test_a_corrupt_adapter_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "omos-lora-v1.safetensors"
    shutil.copyfile(adapter_path(SHIPPED_ADAPTER), bad)
    data = bytearray(bad.read_bytes())
    data[-100] ^= 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelBuildError, match="corrupt or not the shipped one"):
        build_adapted(_base_dir(), tmp_path / "out", SHIPPED_ADAPTER, adapter_file=bad, force=True)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ModelBuildError, match="missing"):
        load_adapter(tmp_path / "nothing.safetensors", SPEC.sha256)


@pytest.mark.integration
def test_adapted_model_differs_from_base_as_recorded() -> None:
    from sentence_transformers import SentenceTransformer

    s = Settings()
    adapted_dir = Path(s.provisioned_model_path(SHIPPED_ADAPTER))
    if not adapted_dir.exists():
        pytest.fail(f"No adapted model at {adapted_dir}: run `lotse model build` first.")
    base = SentenceTransformer(str(_base_dir()), device="cpu")
    adapted = SentenceTransformer(str(adapted_dir), device="cpu")
    for (prompt, text), expected in REFERENCE_COSINES.items():
        a = base.encode([text], prompt_name=prompt, normalize_embeddings=True)[0]
        b = adapted.encode([text], prompt_name=prompt, normalize_embeddings=True)[0]
        cos = float(a @ b)
        print(f"{prompt} {text[:40]!r}: cosine to base {cos:.4f}")
        assert cos < 0.9999, "the adapter changed nothing"
        assert expected is not None and abs(cos - expected) < 2e-3, (text, cos, expected)


def test_tune_help_works() -> None:
    for command, flags in (("tune", ("--languages", "--steps", "--eval-every")),
                           ("tune-pairs", ("--distill", "--rank", "--epochs"))):
        proc = subprocess.run([*LOTSE, "model", command, "--help"], cwd=REPO, capture_output=True, text=True,
                              timeout=60, env={**os.environ, "COLUMNS": "200"})
        assert proc.returncode == 0, proc.stderr
        assert all(f in proc.stdout for f in flags), proc.stdout


def _tiny_omos(root: Path, train_only: int = 0) -> None:
    """A miniature OMoS-QA in the real file layout: 6 German pages, 6 train and 3 dev items, and
    ``train_only`` more pages (at most 2) asked about in train only. The second of those is a
    München page: like the real ones, it is in the train file but not in any page dump."""
    topics = [
        ("Kita", "Eltern melden ihr Kind über das Kita-Portal des Landkreises für einen Betreuungsplatz an.",
         "Where do I register my child for a daycare place?"),
        ("Sprachkurs", "Integrationskurse mit 700 Unterrichtsstunden bietet die Volkshochschule montags an.",
         "Who offers integration courses?"),
        ("Arzt", "Bei Krankheit gehen Sie mit der Versichertenkarte zu einer Hausarztpraxis in Ihrer Nähe.",
         "What do I need when I visit a doctor?"),
        ("Wohnung", "Eine Wohnung finden Sie über Anzeigen der Wohnungsbaugesellschaft und in Zeitungen.",
         "How can I find a flat?"),
        ("Schule", "Schulpflichtige Kinder werden vom Schulamt einer Grundschule im Wohnort zugewiesen.",
         "Which school will my child attend?"),
        ("Arbeit", "Die Agentur für Arbeit berät zu Stellen, Ausbildung und der Anerkennung von Abschlüssen.",
         "Who advises me about jobs and recognition of degrees?"),
        ("Musikschule", "Die Musikschule unterrichtet Kinder ab vier Jahren an Geige, Klavier und Flöte.",
         "Where can my child learn the violin?"),
        ("Bibliothek", "Mit dem Bibliotheksausweis leihen Sie Bücher, Filme und Spiele kostenlos aus.",
         "How do I borrow books?"),
    ][:6 + train_only]
    pages_dir = root / "omos_qa_integreat" / "integreat_pages_de"
    splits = root / "omos_qa_integreat" / "splits"
    pages_dir.mkdir(parents=True)
    splits.mkdir(parents=True)
    pages = []
    for i, (title, line, _) in enumerate(topics[:7], 1):
        content = f"<h2>{title}</h2><p>{line}</p><p>Weitere Auskunft gibt das Bürgerbüro zu {title}.</p>"
        pages.append({"id": str(i), "url": f"https://tiny.example/{i}", "title": title, "content": content,
                      "available_languages": {}})
    (pages_dir / "lkaugsburg_de_pages.json").write_text(json.dumps(pages), encoding="utf-8")
    (pages_dir / "rems-murr-kreis_de_pages.json").write_text("[]", encoding="utf-8")
    for split, ids in (("train", range(1, 7 + train_only)), ("dev", range(1, 4)), ("test", range(4, 7))):
        for lang in ("de", "en", "ar", "uk"):
            rows = []
            for i in ids:
                title, line, en = topics[i - 1]
                q = f"Frage zu {title}?" if lang == "de" else en
                rows.append({"id": i, "question": q, "context": f"{title}\n{line}\nWeitere Auskunft gibt das "
                             f"Bürgerbüro zu {title}.", "answers": [1], "language": lang, "sourceLanguage": None,
                             "city": "muenchen" if i == 8 else "lkaugsburg", "pageId": i})
            (splits / f"{split}_{lang}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows),
                                                          encoding="utf-8")


def _tune_on_tiny_omos(tmp_path: Path, command: str, *args: str, train_only: int = 0) -> None:
    """`lotse model <command> <args>` over the miniature OMoS-QA, with the provisioned base model."""
    _tiny_omos(tmp_path / "data", train_only)
    env = {**os.environ, "LOTSE_EVAL_DATA_DIR": str(tmp_path / "data"), "LOTSE_DATA_DIR": str(tmp_path / "lotse"),
           "LOTSE_MODEL_CACHE_DIR": str(_base_dir().parent)}
    env.pop("LOTSE_EMBEDDING_MODEL", None)
    proc = subprocess.run([*LOTSE, "model", command, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.integration
def test_a_short_tune_really_trains_and_writes_an_adapter(tmp_path: Path) -> None:
    out = tmp_path / "adapter" / "smoke"
    _tune_on_tiny_omos(tmp_path, "tune-pairs", "--out", str(out), "--epochs", "1", "--max-steps", "2",
                       "--batch-size", "4", "--work-dir", str(tmp_path / "work"), "--select-on-dev")
    record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["epochs"][0]["steps"] == 2 and record["data"]["pairs_passage"] == 6 * 4
    assert set(record["epochs"][0]["dev_dense_R@5"]) == {"de", "en", "ar", "uk"}
    tensors, meta = load_adapter(out.with_suffix(".safetensors"), record["sha256"])
    assert meta["rank"] == "8" and len(tensors) == 6 * 6 * 2  # top 6 layers x 6 Linear x (A, B)
    # B starts at zero: two steps of AdamW must have moved it
    assert any(np.abs(v).max() > 0 for k, v in tensors.items() if k.endswith("lora_B"))
    spec = AdapterSpec("smoke", record["sha256"], "", checksum_of(_base_dir()))
    result = build_adapted(_base_dir(), tmp_path / "merged", "smoke", adapter_file=out.with_suffix(".safetensors"),
                           spec=spec)
    verify_model(result.out_dir)


@pytest.mark.integration
def test_a_short_align_tune_writes_a_query_adapter(tmp_path: Path) -> None:
    from lotse.model.query_adapter import QueryAdapter

    out = tmp_path / "adapter" / "align-smoke"
    _tune_on_tiny_omos(tmp_path, "tune", "--out", str(out), "--steps", "2", "--eval-every", "1",
                       "--batch-size", "4", "--rank", "4", "--select-strength", "0.5", "--ranking", "1")
    record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    # checkpoints compared at the strength the adapter will be served at, full strength recorded too
    assert all(set(c["dev_R@5_at_0.5"]) == {"de", "en", "ar", "uk"} for c in record["checkpoints"])
    assert record["config"]["select_strength"] == 0.5
    chosen = next(c for c in record["checkpoints"] if c["step"] == record["selected_step"])
    assert record["dev_R@5_selected"] == chosen["dev_R@5_at_0.5"]
    # Every page of the miniature is also a dev or test page: only the questions may be used.
    assert record["data"]["pages_skipped_held_out"] == 6 and record["data"]["line_pairs"] == 0
    assert record["data"]["question_pairs"] == 6 * 3 and record["kind"] == "query"
    assert [c["step"] for c in record["checkpoints"]] == [1, 2] and record["selected_step"] in (1, 2)
    assert set(record["checkpoints"][0]["dev_R@5"]) == {"de", "en", "ar", "uk"}
    assert record["data"]["retrieval_questions"] == 0  # no --retrieval
    # --ranking alone: the pool's held-out passages are masked. Every page is held out here, so the
    # term ranks nothing (KL over no passage is 0) and must leave the weights finite.
    assert record["config"]["ranking"] == 1.0 and record["data"]["retrieval_passages"] == 0
    adapter = QueryAdapter("smoke", out.with_suffix(".safetensors"), record["sha256"], frozenset({"ar"}))
    assert adapter.rank == 4 and len(adapter.tensors) == 12 * 6 * 2  # every layer x 6 Linear x (A, B)
    assert any(np.abs(v).max() > 0 for k, v in adapter.tensors.items() if k.endswith("lora_B"))
    assert all(np.isfinite(v).all() for v in adapter.tensors.values())


@pytest.mark.integration
def test_translated_ui_messages_teach_languages_omos_lacks(tmp_path: Path) -> None:
    out = tmp_path / "adapter" / "ui-smoke"
    # the pinned wheels come from the package index, as `lotse model tune --ui-wheels` gets them
    _tune_on_tiny_omos(tmp_path, "tune", "--out", str(out), "--steps", "3", "--eval-every", "1",
                       "--batch-size", "8", "--rank", "4", "--languages", "en,ar,tr",
                       "--ui-wheels", str(tmp_path / "wheels"), "--limit-pairs", "60", "--select-on", "ui")
    record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["languages"] == ["en", "ar", "tr"]
    ui = record["data"]["ui_pairs"]
    assert ui["tr"] > 1000 and ui["ar"] > 1000 and "uk" not in ui and ui["dev"] > 0
    # OMoS-QA has no Turkish: its dev is measured in en and ar, the UI messages show tr
    checkpoints = record["checkpoints"]
    assert set(checkpoints[0]["dev_R@5"]) == {"de", "en", "ar"}
    assert set(checkpoints[0]["ui_dev_R@1"]) == {"en", "ar", "tr"}
    assert set(record["ui_dev_R@1_original"]) == {"en", "ar", "tr"}
    # --select-on ui: the held-out Turkish messages alone choose the step (ties: the earlier one)
    assert record["selected_on"].endswith("mean over tr")
    assert [c["selection_score"] for c in checkpoints] == [round(c["ui_dev_R@1"]["tr"], 4) for c in checkpoints]
    best = max(checkpoints, key=lambda c: (c["selection_score"], -c["step"]))
    assert record["selected_step"] == best["step"]

    # without UI messages there is nothing to choose on: refused before any work, saying what to add
    proc = subprocess.run([*LOTSE, "model", "tune", "--out", str(tmp_path / "x"), "--select-on", "ui"], cwd=REPO,
                          env={**os.environ, "LOTSE_EVAL_DATA_DIR": str(tmp_path / "data"),
                               "LOTSE_MODEL_CACHE_DIR": str(_base_dir().parent)}, capture_output=True, text=True)
    assert proc.returncode != 0 and "--select-on ui) needs --ui-wheels" in " ".join(proc.stderr.split())
    # a value that names nothing is refused the same way, naming the two that exist
    proc = subprocess.run([*LOTSE, "model", "tune", "--out", str(tmp_path / "x"), "--select-on", "xquad"], cwd=REPO,
                          env={**os.environ, "LOTSE_EVAL_DATA_DIR": str(tmp_path / "data"),
                               "LOTSE_MODEL_CACHE_DIR": str(_base_dir().parent)}, capture_output=True, text=True)
    assert proc.returncode != 0 and "select_on must be 'omos' or 'ui', not 'xquad'" in " ".join(proc.stderr.split())
    assert not (tmp_path / "x.json").exists()


@pytest.mark.integration
def test_the_retrieval_term_learns_from_train_only_pages(tmp_path: Path) -> None:
    out = tmp_path / "adapter" / "retrieval-smoke"
    _tune_on_tiny_omos(tmp_path, "tune", "--out", str(out), "--steps", "2", "--eval-every", "2",
                       "--batch-size", "4", "--rank", "4", "--retrieval", "1", "--retrieval-batch", "3",
                       train_only=2)
    record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    # Pages 1-6 answer dev or test questions: only the train-only page 7 teaches, in en/ar/uk, and
    # its passages are the only ones left in the softmax. Page 8 (München) is in no dump.
    assert record["data"]["retrieval_questions"] == 1 * 3
    assert 1 <= record["data"]["retrieval_passages"] <= 2
    assert record["data"]["retrieval_unindexed_pages"] == 0
    assert record["data"]["pages"] == 2 and record["data"]["line_pairs"] > 0
    assert record["config"]["retrieval"] == 1.0 and record["selected_step"] == 2

    # --unindexed-pages: page 8's text, from the train file, joins the pool through the ingest.
    _tune_on_tiny_omos(tmp_path / "more", "tune", "--out", str(out), "--steps", "1", "--eval-every", "1",
                       "--batch-size", "4", "--rank", "4", "--retrieval", "1", "--retrieval-batch", "3",
                       "--unindexed-pages", train_only=2)
    record = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert record["data"]["retrieval_unindexed_pages"] == 1
    assert record["data"]["retrieval_questions"] == 2 * 3
    assert 2 <= record["data"]["retrieval_passages"] <= 4


def test_save_adapter_writes_the_same_bytes_in_every_process(tmp_path: Path) -> None:
    # safetensors orders its metadata map by a per-process hash seed: only separate processes show it
    script = (
        "import sys, numpy as np; from pathlib import Path; from lotse.model.adapter import save_adapter\n"
        "t = {f'layer.{i}.lora_A': np.full((2, 3), i, np.float32) for i in range(3)}\n"
        "print(save_adapter(Path(sys.argv[1]), t, 16, 32.0, extra={'kind': 'query', 'languages': 'en,ar,uk'}))\n"
    )
    shas = {subprocess.run([sys.executable, "-c", script, str(tmp_path / f"a{i}.safetensors")],
                           capture_output=True, text=True, check=True).stdout.strip() for i in range(3)}
    assert len(shas) == 1
    tensors, meta = load_adapter(tmp_path / "a0.safetensors", shas.pop())
    assert meta == {"format": "pt", "rank": "16", "alpha": "32.0", "kind": "query", "languages": "en,ar,uk"}
    assert np.array_equal(tensors["layer.2.lora_A"], np.full((2, 3), 2.0))


@pytest.mark.parametrize("name", [n for n, s in ADAPTERS.items() if s.kind == "query"])
def test_shipped_query_adapters_are_written_canonically(name: str) -> None:
    raw = adapter_path(name).read_bytes()
    assert canonical_safetensors(raw) == raw
    assert sha256_file(adapter_path(name)) == ADAPTERS[name].sha256
