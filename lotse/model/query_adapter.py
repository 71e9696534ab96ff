"""A query-side adapter: LoRA weights that move the questions of some languages and nothing else.

Why only the questions: the passages are German and the original model already places German
questions next to the right German passages (OMoS-QA dev page Recall@5 about 0.87). What it does
badly is put an Arabic or Ukrainian question where its German translation would be. A query
adapter learns exactly that (``lotse model tune``, :mod:`lotse.model.align`): the index stays
the original model's, German questions are encoded by the original model, and only questions
detected in one of the adapter's languages go through the adapted layers. Nothing the product
did well can get worse, and no re-embedding is needed to switch the adapter on or off.

Loaded into the same ``SentenceTransformer`` the passages use: the adapted layers are switched on
per thread (``active()``), so one copy of the 470 MB of weights serves both encodings. By default
an adapted layer adds the low-rank update ``x·Aᵀ·Bᵀ`` to the original product (``RoutedLinear``):
about 5 MB per adapter, for two thin matrix products per layer. ``merged=True``
(``LOTSE_QUERY_ADAPTER_MERGED``) keeps ``W + s·B·A`` as a second copy of the 72 adapted weights
instead (85 MB per adapter) and spares those products (docs/benchmarks.md, "Low-rank or merged").
Several adapters with disjoint languages share the model the same way (``QueryAdapters``, ``a+b``
in the setting). The file is the same fp16 safetensors format as the merged adapters, checked by
sha256 on load.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn

from lotse.errors import ModelBuildError

__all__ = ["QueryAdapter", "QueryAdapters", "RoutedLinear"]


class QueryAdapter:
    def __init__(self, name: str, path: Path, sha256: str | None, languages: frozenset[str],
                 strength: float = 1.0, *, merged: bool = False) -> None:
        from lotse.model.adapter import load_adapter

        if not 0.0 <= strength <= 2.0:
            raise ModelBuildError(f"The strength of query adapter {name} must be between 0 and 2, got {strength}.")
        self.name = name
        self.languages = languages
        self.strength = strength
        self.merged = merged
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

    def route(self, language: str | None) -> str | None:
        """The label of the adapter that encodes questions in ``language``, or None (the original model)."""
        return self.label if self.applies_to(language) else None

    def attach(self, bert) -> None:  # type: ignore[no-untyped-def]
        """Give the adapted Linear layers of ``bert`` (a transformers BertModel) this adapter's update,
        low-rank or merged. A layer another adapter has already routed gets one update more."""
        from lotse.model.lora import _parent

        modules = sorted({k.rsplit(".", 1)[0] for k in self.tensors})
        for name in modules:
            try:
                parent, leaf = _parent(bert, name)
                layer = getattr(parent, leaf)
            except AttributeError:
                raise ModelBuildError(f"The query adapter {self.name} does not fit the model: it has no {name}.") \
                    from None
            if isinstance(layer, nn.Linear):
                layer = RoutedLinear(layer, self._switch)
                setattr(parent, leaf, layer)
            elif not isinstance(layer, RoutedLinear):
                raise ModelBuildError(f"The query adapter {self.name} adapts {name}, which is not a Linear layer.")
            base = layer.base
            a, b = self.tensors[f"{name}.lora_A"], self.tensors[f"{name}.lora_B"]
            if a.shape != (self.rank, base.in_features) or b.shape != (base.out_features, self.rank):
                raise ModelBuildError(f"The query adapter's {name} has shape A{a.shape} B{b.shape}; the model "
                                      f"needs A{(self.rank, base.in_features)} B{(base.out_features, self.rank)}.")
            # strength s serves W + s * delta: weight-space interpolation between the original (0)
            # and the trained adapter (1), see AdapterSpec.strength. Float32 A and B, as in training.
            scale = self.alpha * self.strength / self.rank
            a32, b32 = torch.from_numpy(a).to(torch.float32), torch.from_numpy(b).to(torch.float32)
            with torch.no_grad():
                if self.merged:
                    layer.weights[self.label] = (base.weight + scale * (b32 @ a32)).contiguous()
                else:
                    # transposed once here, so that forward needs no copies
                    layer.low_rank[self.label] = ((scale * a32).T.contiguous(), b32.T.contiguous())

    @contextmanager
    def active(self, language: str | None = None) -> Iterator[None]:
        """Encodings made by this thread inside the block go through the adapter."""
        self._switch.on = self.label
        try:
            yield
        finally:
            self._switch.on = None


class QueryAdapters:
    """Several query adapters on one model, each for its own languages: ``"a+b"`` in
    ``LOTSE_EMBEDDING_ADAPTER``. Every adapted layer keeps one merged weight per adapter; the thread's
    switch says which one encodes (``RoutedLinear``)."""

    def __init__(self, members: list[QueryAdapter]) -> None:
        seen: dict[str, str] = {}
        for m in members:
            for lang in sorted(m.languages):
                if lang in seen:
                    raise ModelBuildError(f"Query adapters {seen[lang]} and {m.name} both claim {lang!r}; "
                                          "combine adapters whose languages do not overlap.")
                seen[lang] = m.name
        self.members = members
        self._switch = threading.local()
        for m in members:
            m._switch = self._switch  # one switch: a layer has one weight per adapter, chosen by label
        self.name = "+".join(m.name for m in members)
        self.label = "+".join(m.label for m in members)
        self.languages = frozenset(seen)

    @property
    def merged(self) -> bool:
        return all(m.merged for m in self.members)

    def _member(self, language: str | None) -> QueryAdapter | None:
        return next((m for m in self.members if m.applies_to(language)), None)

    def applies_to(self, language: str | None) -> bool:
        return self._member(language) is not None

    def route(self, language: str | None) -> str | None:
        m = self._member(language)
        return m.label if m is not None else None

    def attach(self, bert) -> None:  # type: ignore[no-untyped-def]
        for m in self.members:
            m.attach(bert)

    @contextmanager
    def active(self, language: str | None = None) -> Iterator[None]:
        m = self._member(language)
        if m is None:
            raise ModelBuildError(f"No query adapter of {self.name} encodes {language!r} questions.")
        with m.active():
            yield


class RoutedLinear(nn.Module):
    """A Linear layer with one update per query adapter: the low-rank pair ``(s * scale * A, B)``, added
    as ``x·Aᵀ·Bᵀ`` to the original product, or the merged weight ``W + s * scale * B @ A``. The
    thread's switch names the adapter that encodes (none: the original ``W``). The pair costs two thin
    products per layer and almost no memory; a merged weight costs none, for one more copy of the
    adapted weights (85 MB for e5-small) per adapter."""

    def __init__(self, base: nn.Linear, switch: threading.local) -> None:
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.switch = switch
        self.weights: dict[str, torch.Tensor] = {}
        self.low_rank: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}  # (s * scale * A)ᵀ, Bᵀ

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # the base weights directly, not ``self.base(x)``: one module call less per layer. The
        # wrappers still cost an unadapted question 1-3 ms (bench/adapter_latency.py, "plain")
        on = getattr(self.switch, "on", None) or ""
        y = nn.functional.linear(x, self.weights.get(on, self.base.weight), self.base.bias)
        pair = self.low_rank.get(on)
        if pair is None:
            return y
        # added in place: one kernel less per layer than ``y + (x @ a) @ b``, about a third of the
        # update's cost for a question's 20-odd tokens
        flat = y.view(-1, y.shape[-1])
        flat.addmm_(x.reshape(-1, x.shape[-1]) @ pair[0], pair[1])
        return y
