"""Adapter soups: the mean of several LoRA adapters' updates, as one adapter file.

    .venv/bin/python bench/adapter_soup.py lotse/model/adapters/omos-align-v2.safetensors \
        /tmp/exp/seed14.safetensors --out /tmp/exp/soup.safetensors

Tried on 2026-12-06 with omos-align-v2 and a second run of `lotse model tune` (``--seed 14``); on
OMoS-QA dev the soup ranked no better than v2, so it is not shipped (docs/model.md, "Tried, not
shipped: a seed soup").

Fine-tuning runs that differ only in their seed end in different places; the mean of their weight
updates (a "model soup", Wortsman et al. 2022) is often more robust than any one of them. For LoRA
the mean of the updates ``s·B_i·A_i`` is itself a LoRA update, exactly: stack the ``A_i`` row-wise,
the ``B_i`` column-wise, and divide the ``B_i`` by their number. The soup of two rank-16 adapters
is one rank-32 adapter with twice the alpha (the same scale ``alpha / rank``), so it is served by
the same code as any query adapter.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lotse.errors import ModelBuildError  # noqa: E402
from lotse.model.adapter import load_adapter, save_adapter  # noqa: E402

__all__ = ["soup"]


def soup(paths: list[Path], out: Path, *, extra: dict[str, str] | None = None) -> str:
    """Write the mean of the adapters at ``paths`` to ``out`` (``.safetensors``); returns its sha256.

    Halving B is exact in fp16 (a power of two) except for subnormal entries, so the soup's update is
    the mean of the files' updates to within about 1e-8."""
    if len(paths) < 2:
        raise ModelBuildError("A soup needs at least two adapter files.")
    loaded = [load_adapter(p, None) for p in paths]
    scales = set()
    for (tensors, meta), path in zip(loaded, paths, strict=True):
        try:
            scales.add(float(meta["alpha"]) / int(meta["rank"]))
        except (KeyError, ValueError):
            raise ModelBuildError(f"{path} has no rank/alpha metadata; `lotse model tune` did not write it.") \
                from None
        if set(tensors) != set(loaded[0][0]):
            raise ModelBuildError(f"{path} adapts other layers than {paths[0]}; only adapters of the same layers mix.")
    if len(scales) != 1:
        raise ModelBuildError(f"The adapters have different scales (alpha/rank: {sorted(scales)}); they do not mix.")
    n = len(paths)
    out_tensors: dict[str, np.ndarray] = {}
    for key in loaded[0][0]:
        parts = [t[key] for t, _ in loaded]
        if key.endswith("lora_A"):
            out_tensors[key] = np.concatenate(parts, axis=0)
        elif key.endswith("lora_B"):
            out_tensors[key] = np.concatenate(parts, axis=1) / n
        else:
            raise ModelBuildError(f"Unexpected tensor {key} in {paths[0]}: an adapter holds lora_A/lora_B only.")
    rank = sum(int(m["rank"]) for _, m in loaded)
    alpha = scales.pop() * rank
    return save_adapter(out, out_tensors, rank, alpha,
                        {"soup_of": ",".join(p.name for p in paths), **(extra or {})})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("adapters", nargs="+", type=Path, help="adapter .safetensors files of `lotse model tune`")
    ap.add_argument("--out", type=Path, required=True, help="the soup's .safetensors file")
    args = ap.parse_args()
    print(soup(args.adapters, args.out))


if __name__ == "__main__":
    main()
