"""A query-side adapter: LoRA weights that move the questions of some languages and nothing else.

Why only the questions: the passages are German and the original model already places German
questions next to the right German passages (OMoS-QA dev page Recall@5 about 0.87). What it does
badly is put an Arabic or Ukrainian question where its German translation would be. A query
adapter learns exactly that (``lotse model tune``, :mod:`lotse.model.align`): the index stays
the original model's, German questions are encoded by the original model, and only questions
detected in one of the adapter's languages go through the adapted layers. Nothing the product
did well can get worse, and no re-embedding is needed to switch the adapter on or off.

Loaded into the same ``SentenceTransformer`` the passages use: the LoRA layers are switched on
per thread (``active()``), so one copy of the 470 MB of weights serves both encodings; only the
72 adapted Linear weights are kept a second time, merged (85 MB), so an adapted question costs
what an original one does. The file is the same fp16 safetensors format as the merged adapters,
checked by sha256 on load.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lotse.errors import ModelBuildError

__all__ = ["QueryAdapter"]


class QueryAdapter:
    def __init__(self, name: str, path: Path, sha256: str | None, languages: frozenset[str],
                 strength: float = 1.0) -> None:
        from lotse.model.adapter import load_adapter

        if not 0.0 <= strength <= 2.0:
            raise ModelBuildError(f"The strength of query adapter {name} must be between 0 and 2, got {strength}.")
        self.name = name
        self.languages = languages
        self.strength = strength
        self.tensors, self.meta = load_adapter(path, sha256)
        try:
            self.rank, self.alpha = int(self.meta["rank"]), float(self.meta["alpha"])
        except (KeyError, ValueError):
            raise ModelBuildError(f"The adapter file {path} has no rank/alpha metadata; rebuild it with "
                                  "`lotse model tune`.") from None
        self._switch = threading.local()

    @property
    def label(self) -> str:
        """The adapter's name, with its strength when that is not the trained one (1)."""
        return self.name if self.strength == 1.0 else f"{self.name}@{self.strength:g}"

    def applies_to(self, language: str | None) -> bool:
        return language is not None and language in self.languages

    def attach(self, bert) -> None:  # type: ignore[no-untyped-def]
        """Wrap the adapted Linear layers of ``bert`` (a transformers BertModel/XLMRobertaModel)."""
        import torch
        from torch import nn

        from lotse.model.lora import LoRALinear, _parent

        modules = sorted({k.rsplit(".", 1)[0] for k in self.tensors})
        for name in modules:
            try:
                parent, leaf = _parent(bert, name)
                base = getattr(parent, leaf)
            except AttributeError:
                raise ModelBuildError(f"The query adapter {self.name} does not fit the model: it has no {name}.") \
                    from None
            if not isinstance(base, nn.Linear):
                raise ModelBuildError(f"The query adapter {self.name} adapts {name}, which is not a Linear layer.")
            # strength s serves W + s * delta: weight-space interpolation between the original (0)
            # and the trained adapter (1), see AdapterSpec.strength
            layer = LoRALinear(base, self.rank, self.alpha * self.strength, switch=self._switch)
            a, b = self.tensors[f"{name}.lora_A"], self.tensors[f"{name}.lora_B"]
            if tuple(a.shape) != tuple(layer.lora_A.shape) or tuple(b.shape) != tuple(layer.lora_B.shape):
                raise ModelBuildError(f"The query adapter's {name} has shape A{a.shape} B{b.shape}; the model "
                                      f"needs A{tuple(layer.lora_A.shape)} B{tuple(layer.lora_B.shape)}.")
            with torch.no_grad():
                layer.lora_A.copy_(torch.from_numpy(a))
                layer.lora_B.copy_(torch.from_numpy(b))
            layer.requires_grad_(False)
            layer.merge_for_inference()
            setattr(parent, leaf, layer)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Encodings made by this thread inside the block go through the adapter."""
        self._switch.on = True
        try:
            yield
        finally:
            self._switch.on = False
