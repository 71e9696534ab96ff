"""LoRA for the BERT encoder of multilingual-e5-small, in a few lines of torch.

A low-rank update ``W' = W + (alpha / r) * B @ A`` on the attention projections (query, key,
value, output) and both feed-forward layers of every encoder layer. The word embeddings (96 M of
the model's 118 M parameters) and everything else stay frozen. Written here instead of pulling in
``peft``: it is 60 lines, needs no new dependency, and the merge into the shipped weights
(:mod:`lotse.model.adapter`) must be exact and deterministic, which is easier to guarantee for
code we own.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["TARGETS", "LoRALinear", "inject_lora", "lora_state_dict", "target_names"]

# Linear layers adapted in every encoder layer (BertModel names).
TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


def target_names(num_layers: int, top_layers: int | None = None) -> list[str]:
    """Full module names of the adapted Linear layers (of the top ``top_layers`` encoder layers,
    default all), in a fixed order."""
    first = 0 if top_layers is None else max(0, num_layers - top_layers)
    return [f"encoder.layer.{i}.{t}" for i in range(first, num_layers) for t in TARGETS]


class LoRALinear(nn.Module):
    """``base(x) + scale * (x @ A.T) @ B.T`` with ``base`` frozen; B starts at zero, so the
    wrapped layer is exactly the original one until training moves it."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.rank = rank
        self.scale = alpha / rank
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))  # as nn.Linear and peft do

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scale


def _parent(model: nn.Module, name: str) -> tuple[nn.Module, str]:
    *path, leaf = name.split(".")
    mod = model
    for part in path:
        mod = getattr(mod, part)
    return mod, leaf


def inject_lora(bert: nn.Module, rank: int, alpha: float, top_layers: int | None = None) -> dict[str, LoRALinear]:
    """Freeze every parameter of ``bert`` and wrap the target Linear layers; returns them by name.

    Call after seeding torch: the A matrices are drawn at random, in ``target_names`` order.
    With ``top_layers`` only the top layers are adapted: autograd then builds no graph below
    them, so a training step costs about a third less (backward stops at the first adapted layer)."""
    for p in bert.parameters():
        p.requires_grad_(False)
    wrapped: dict[str, LoRALinear] = {}
    for name in target_names(bert.config.num_hidden_layers, top_layers):
        parent, leaf = _parent(bert, name)
        base = getattr(parent, leaf)
        if not isinstance(base, nn.Linear):
            raise TypeError(f"{name} is {type(base).__name__}, not Linear")
        layer = LoRALinear(base, rank, alpha)
        setattr(parent, leaf, layer)
        wrapped[name] = layer
    return wrapped


def lora_state_dict(wrapped: dict[str, LoRALinear]) -> dict[str, torch.Tensor]:
    """``<module>.lora_A`` / ``<module>.lora_B`` tensors (float32, detached, contiguous)."""
    out: dict[str, torch.Tensor] = {}
    for name, layer in wrapped.items():
        out[f"{name}.lora_A"] = layer.lora_A.detach().float().contiguous().clone()
        out[f"{name}.lora_B"] = layer.lora_B.detach().float().contiguous().clone()
    return out
