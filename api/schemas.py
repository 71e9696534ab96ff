"""Request and response models of the HTTP API; they are the OpenAPI documentation too."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.language import served_language

__all__ = ["AskRequest", "AskResponse", "DocumentsResponse", "ErrorResponse", "FeedbackRequest", "FeedbackResponse",
           "GapsResponse", "AdminFeedbackResponse", "OfferOut", "OffersResponse", "ReindexJobOut", "SearchResponse"]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, description="The question, in any language we serve.",
                          examples=["Was plant Bochum für die Kita-Betreuung?"])
    session_id: str | None = Field(default=None, max_length=128, pattern=r"^[A-Za-z0-9_-]+$",
                                   description="Continue a conversation; omitted, a new one starts.")
    top_k: int | None = Field(default=None, ge=1, le=50, description="How many passages to return.")
    language: str | None = Field(
        default=None, description="The language the asker chose to be answered in (ISO 639-1, one we serve; "
                                  "the widget's language menu). It frames the answer and its messages; the "
                                  "question is still read in the language it is written in, which the "
                                  "response's `language` gives. Omitted: the answer takes the question's.",
        examples=["en"])

    @field_validator("language")
    @classmethod
    def _served(cls, value: str | None) -> str | None:
        return served_language(value)


class SourceOut(BaseModel):
    url: str
    title: str
    section: str
    deep_link: str = Field(description="Link to the section anchor on the original page.")
    as_of: str | None = Field(description="The page's own date or its Last-Modified, ISO 8601.")
    fragment_link: str = Field(description="Link that highlights the passage itself (text fragment).")
    source_name: str


class OfferOut(BaseModel):
    """An offer's fields; ``null`` where the source does not say."""

    title: str
    provider: str | None = None
    description: str | None = None
    audience: str | None = None
    min_age: int | None = Field(default=None, description="Youngest age the offer is for.")
    max_age: int | None = Field(default=None, description="Oldest age the offer is for.")
    location: str | None = None
    district: str | None = Field(default=None, description="Stadtbezirk or Stadtteil, e.g. Wattenscheid.")
    start_date: str | None = Field(default=None, description="ISO date.")
    end_date: str | None = Field(default=None, description="ISO date; after it the offer is expired.")
    cost_text: str | None = None
    price: float | None = Field(default=None, description="In euros; 0 when free.")
    free: bool | None = None
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes of the languages offered.")
    registration_url: str | None = None
    registration_until: str | None = Field(default=None, description="Registration deadline, ISO date.")
    url: str | None = None
    source_name: str | None = None


class PassageOut(BaseModel):
    rank: int
    id: str
    text: str
    score: float
    highlights: list[tuple[int, int]] = Field(description="Character spans [start, end) in `text`.")
    kind: str
    source: SourceOut
    offer: OfferOut | None = Field(default=None, description="The offer's fields, for passages of kind offer.")


class AnswerOut(BaseModel):
    text: str
    language: str
    citations: list[int] = Field(description="Ranks of the passages the answer cites ([n] markers).")
    mode: Literal["extractive", "generative"] = Field(
        description="extractive: verbatim sentences of the passages; generative: written by the configured "
                    "model from the passages, every sentence citing one (off by default).")


class CitedSourceOut(BaseModel):
    n: int = Field(description="The citation marker [n]: the rank of the passage in `passages`.")
    title: str
    section: str
    as_of: str | None = Field(description="The page's own date, ISO 8601.")
    deep_link: str = Field(description="The page at the passage's section.")
    url: str


class EndedOfferOut(BaseModel):
    title: str
    end_date: str = Field(description="ISO date the offer ended.")
    url: str


class AskResponse(BaseModel):
    session_id: str = Field(description="Send it back with the next question to continue the conversation.")
    answer_id: str = Field(description="Names this answer for POST /v1/feedback.")
    language: str
    found: bool
    follow_up: bool = Field(description="The question was read as a follow-up and retrieved with the previous "
                                        "question in mind.")
    answer: AnswerOut
    ended_offer: EndedOfferOut | None = Field(
        default=None, description="An offer that has ended and matches the question better than every current "
                                  "passage; with `found` false, one that would have answered. The answer text "
                                  "names it with its end date and link. Null otherwise.")
    sources: list[CitedSourceOut] = Field(description="The sources the answer cites, in citation order.")
    passages: list[PassageOut]
    index_version: str


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                           description="The `answer_id` of a /v1/ask (or /v1/chat) response.")
    rating: Literal[1, -1] = Field(description="1: helpful; -1: not helpful.")
    comment: str | None = Field(default=None, max_length=2000, description="What was wrong or missing.")


class FeedbackResponse(BaseModel):
    answer_id: str
    rating: int
    stored: bool


class DocumentOut(BaseModel):
    url: str
    title: str
    kind: str = Field(description="page or offer")
    source_name: str
    as_of: str | None
    passages: int
    expired: bool = Field(default=False, description="An offer whose end date has passed: still indexed, but "
                                                     "left out of answers, search and /v1/offers.")


class DocumentsResponse(BaseModel):
    index_version: str
    total: int
    limit: int
    offset: int
    documents: list[DocumentOut]


class FeedbackItemOut(BaseModel):
    answer_id: str
    rating: int
    comment: str | None
    at: str
    question: str
    language: str
    found: bool
    mode: str
    index_version: str


class AdminFeedbackResponse(BaseModel):
    total: int
    limit: int
    offset: int
    feedback: list[FeedbackItemOut]


class GapOut(BaseModel):
    question: str = Field(description="The question as first asked (questions are grouped ignoring case).")
    language: str
    asked: int
    unanswered: int = Field(description="How often the documents did not answer it (found: false).")
    rated_down: int = Field(description="How often its answer was rated -1.")
    last_asked: str
    comments: list[str]


class GapsResponse(BaseModel):
    gaps: list[GapOut]


class ReindexJobOut(BaseModel):
    job_id: str
    status: Literal["running", "succeeded", "failed"]
    started: str
    finished: str | None
    result: dict[str, Any] | None = Field(description="Version, whether published, passages, per-source report.")
    error: str | None


class SearchResponse(BaseModel):
    language: str
    passages: list[PassageOut]


class OfferItemOut(BaseModel):
    id: str = Field(description="The offer's passage id.")
    offer: OfferOut
    source: SourceOut


class OffersResponse(BaseModel):
    total: int = Field(description="How many offers match, before paging.")
    limit: int
    offset: int
    offers: list[OfferItemOut]


class ErrorResponse(BaseModel):
    error: str = Field(description="A machine-readable error kind.")
    message: str = Field(description="What went wrong and what to do, for a person.")
