"""Build the assistant and a conversation from the settings: one place for the API and the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.abstain import AbstentionPolicy
from assistant.conversation import Conversation
from assistant.generate import GenerativeWriter
from assistant.language import CORE_LANGUAGES
from assistant.messages import Referral
from assistant.retrieve import FusionWeights, HybridRetriever
from assistant.scrubbing import ScrubbingStore
from assistant.service import Assistant
from assistant.sessions import SessionStore, SQLiteSessionStore
from assistant.storeguard import GuardedStore
from index.live import LiveIndex
from index.store import IndexStore
from lotse.embedding import Embedder, configured_embedder
from lotse.settings import Settings

if TYPE_CHECKING:
    from lotse.model.lexicon import QueryLexicon
    from lotse.model.memory import QueryMemory

__all__ = ["build_assistant", "build_conversation", "build_lexicon", "build_memory", "build_store"]


def build_abstention(s: Settings, query_adapter: str | None = None) -> AbstentionPolicy:
    """The policy for questions encoded with ``query_adapter`` (default: the configured one)."""
    floor = s.abstain_adapted_floor
    by_language: dict[str, float] = {}
    name = query_adapter or s.query_adapter_name()
    if floor is None and name:
        from lotse.model.adapter import query_floor, query_floors

        # "omos-align-v2@1": the adapter at another strength; "a+b": each adapter's own floor for
        # the languages it encodes, the lower one for anything else
        floor, by_language = query_floor(name), query_floors(name)
    # The margin was chosen on OMoS-QA (de/en/ar/uk) and out-of-domain questions in the seven core languages.
    return AbstentionPolicy(margin=s.abstain_margin, adapted_floor=floor, adapted_floors=by_language,
                            calibrated=CORE_LANGUAGES, other_margin=s.abstain_other_margin,
                            clear_margin=s.abstain_clear_margin, floor_slack=s.abstain_floor_slack)


def build_lexicon(s: Settings) -> QueryLexicon | None:
    """The configured query lexicon: a shipped one by name (checked against its pinned sha256), a
    file `lotse model lexicon --out` wrote (every language it holds), or None for 'none'."""
    if s.query_lexicon == "none":
        return None
    from pathlib import Path

    from lotse.model.lexicon import load_lexicon

    if s.query_lexicon.endswith(".json.gz"):
        path = Path(s.query_lexicon)
        return load_lexicon(path.name.removesuffix(".json.gz"), path)
    return load_lexicon(s.query_lexicon)


def build_memory(s: Settings, model: str | None = None) -> QueryMemory | None:
    """The configured translation memory for ``model`` (default: the configured one), or None for
    'none' or a model other than the provisioned original: the memory's vectors are that model's,
    and a query adapter moves only questions."""
    if s.query_memory == "none":
        return None
    from pathlib import Path

    if Path(model or s.model_path()).resolve() != Path(s.provisioned_model_path("none")).resolve():
        return None
    from lotse.model.memory import load_memory

    return load_memory(s.query_memory, s.model_cache_dir)


def fusion_weights(s: Settings) -> FusionWeights:
    """The served fusion weights, with the offer names off when LOTSE_OFFER_NAMES is false."""
    return FusionWeights() if s.offer_names else FusionWeights(offer_names=0.0, offer_name_vector=0.0)


def build_retriever(s: Settings, embedder: Embedder, weights: FusionWeights | None = None,
                    cls: type[HybridRetriever] = HybridRetriever) -> HybridRetriever:
    """The served retriever over ``embedder``: the fusion weights (``weights`` instead, for a grid), the
    query lexicon and the translation memory. ``cls``: a subclass a probe changes one signal in."""
    # the memory serves only questions a query adapter encodes (HybridRetriever checks it per question);
    # without one it would never be used, and /ready should not name it
    memory = build_memory(s) if getattr(embedder, "query_adapter", None) is not None else None
    return cls(embedder, weights or fusion_weights(s), lexicon=build_lexicon(s), memory=memory)


def build_assistant(s: Settings, embedder: Embedder | None = None) -> Assistant:
    emb = embedder or configured_embedder(s)
    return Assistant(LiveIndex(IndexStore(s.data_dir)), emb, default_k=s.top_k, max_k=s.max_top_k,
                     max_question_chars=s.max_question_chars, abstention=build_abstention(s),
                     retriever=build_retriever(s, emb),
                     referral=Referral(phone=s.referral_phone, office=s.referral_office, url=s.referral_url))


def build_store(s: Settings) -> SessionStore:
    """PostgreSQL when LOTSE_DATABASE_URL is set (replicas share it), else the SQLite file in the data dir."""
    if s.database_url:
        from assistant.sessions_pg import PostgresSessionStore

        return PostgresSessionStore(s.database_url, ttl=s.session_ttl, max_turns=s.session_max_turns,
                                    max_sessions=s.max_sessions, answer_retention_days=s.answer_retention_days,
                                    pool_size=s.database_pool_size)
    return SQLiteSessionStore(s.state_file(), ttl=s.session_ttl, max_turns=s.session_max_turns,
                              max_sessions=s.max_sessions, answer_retention_days=s.answer_retention_days)


def build_conversation(s: Settings, assistant: Assistant) -> Conversation:
    # Personal data is scrubbed before the backend sees it; its failures become one known error.
    store = ScrubbingStore(GuardedStore(build_store(s), cooldown=s.store_retry_seconds))
    writer = None
    if s.generative_base_url:  # the only way anything is sent off the machine (docs/operations.md)
        writer = GenerativeWriter(s.generative_base_url, model=s.generative_model, api_key=s.generative_api_key,
                                  timeout=s.generative_timeout)
    return Conversation(assistant, store, writer=writer)
