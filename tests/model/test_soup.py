"""Adapter soups: the mean of two LoRA updates written as one adapter file, exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.adapter_soup import soup
from lotse.errors import ModelBuildError
from lotse.model.adapter import ADAPTERS, adapter_path, load_adapter, save_adapter

LAYERS = ("encoder.layer.0.attention.self.query", "encoder.layer.0.output.dense")


def _adapter(path: Path, seed: int, rank: int = 4, alpha: float = 8.0, layers: tuple[str, ...] = LAYERS) -> Path:
    rng = np.random.default_rng(seed)
    tensors = {}
    for layer in layers:
        tensors[f"{layer}.lora_A"] = rng.normal(size=(rank, 6))
        tensors[f"{layer}.lora_B"] = rng.normal(size=(5, rank))
    save_adapter(path, tensors, rank, alpha)
    return path


def _update(path: Path, layer: str) -> np.ndarray:
    tensors, meta = load_adapter(path, None)
    scale = float(meta["alpha"]) / int(meta["rank"])
    return scale * tensors[f"{layer}.lora_B"] @ tensors[f"{layer}.lora_A"]


def test_the_soup_is_the_mean_of_the_updates(tmp_path: Path) -> None:
    a, b = _adapter(tmp_path / "a.safetensors", 1), _adapter(tmp_path / "b.safetensors", 2)
    out = tmp_path / "soup.safetensors"
    soup([a, b], out)
    _, meta = load_adapter(out, None)
    assert (int(meta["rank"]), float(meta["alpha"])) == (8, 16.0)
    assert meta["soup_of"] == "a.safetensors,b.safetensors"
    for layer in LAYERS:
        want = (_update(a, layer) + _update(b, layer)) / 2
        np.testing.assert_allclose(_update(out, layer), want, rtol=0, atol=1e-12)
        # and not just one of them
        assert np.abs(_update(out, layer) - _update(a, layer)).max() > 0.1


def test_a_soup_is_written_the_same_way_twice(tmp_path: Path) -> None:
    a, b = _adapter(tmp_path / "a.safetensors", 1), _adapter(tmp_path / "b.safetensors", 2)
    assert soup([a, b], tmp_path / "x.safetensors") == soup([a, b], tmp_path / "y.safetensors")


def test_the_shipped_adapter_with_itself_is_itself(tmp_path: Path) -> None:
    """A soup of one adapter twice has the same update: the stacking is exact, and so is the halving
    in fp16 but for the tiniest (subnormal) entries, whence the tolerance."""
    path = adapter_path("omos-align-v2")
    out = tmp_path / "twice.safetensors"
    soup([path, path], out)
    tensors, _ = load_adapter(path, ADAPTERS["omos-align-v2"].sha256)
    layer = sorted(k.rsplit(".", 1)[0] for k in tensors)[0]
    np.testing.assert_allclose(_update(out, layer), _update(path, layer), rtol=0, atol=1e-7)


def test_adapters_that_do_not_mix_are_refused(tmp_path: Path) -> None:
    a = _adapter(tmp_path / "a.safetensors", 1)
    with pytest.raises(ModelBuildError, match="at least two"):
        soup([a], tmp_path / "s.safetensors")
    other_scale = _adapter(tmp_path / "c.safetensors", 3, alpha=4.0)
    with pytest.raises(ModelBuildError, match="different scales"):
        soup([a, other_scale], tmp_path / "s.safetensors")
    other_layers = _adapter(tmp_path / "d.safetensors", 4, layers=LAYERS[:1])
    with pytest.raises(ModelBuildError, match="other layers"):
        soup([a, other_layers], tmp_path / "s.safetensors")
    assert not (tmp_path / "s.safetensors").exists()
