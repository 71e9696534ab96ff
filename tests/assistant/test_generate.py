"""Generative answers: the citation check, and a real OpenAI-compatible peer over HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from assistant.generate import GenerativeWriter, split_sentences, verify
from lotse.schema import Chunk, Passage, SourceRef
from tests.fakellm import FakeLLM, serve_fake_llm


def passages(n: int = 3) -> list[Passage]:
    src = SourceRef(url="https://example.org/kita", title="Kita", section="Anmeldung")
    return [Passage(r, Chunk(f"c{r}", f"Satz {r} über die Kita-Anmeldung.", src), 1.0 / r) for r in range(1, n + 1)]


class TestVerify:
    def test_split_keeps_citations_with_their_sentence(self) -> None:
        text = "Bochum fördert die Kita-Betreuung. [1] Außerdem gibt es ein Portal [2].\nDas ist gut [1][3]."
        assert split_sentences(text) == ["Bochum fördert die Kita-Betreuung. [1]", "Außerdem gibt es ein Portal [2].",
                                         "Das ist gut [1][3]."]

    def test_every_sentence_must_cite(self) -> None:
        assert verify("Eins [1]. Zwei [2].", {1, 2}).citations == [1, 2]
        assert not verify("Eins [1]. Zwei ohne Beleg.", {1, 2}).ok

    def test_citations_must_name_returned_passages(self) -> None:
        check = verify("Eins [1]. Zwei [4].", {1, 2, 3})
        assert not check.ok and "[4]" in check.reason

    def test_arabic_question_mark_and_rtl_mark(self) -> None:
        assert verify("\u200fمرحبا [1]. هل هذا صحيح؟ [2]", {1, 2}).ok
        assert not verify("", {1}).ok


@pytest.fixture
def llm() -> Iterator[FakeLLM]:
    with serve_fake_llm() as fake:
        yield fake


class TestGenerativeWriter:
    def test_invalid_settings(self) -> None:
        with pytest.raises(ValueError, match="ftp://x"):
            GenerativeWriter("ftp://x", model="m")
        with pytest.raises(ValueError, match="-1"):
            GenerativeWriter("http://127.0.0.1:1/v1", model="m", timeout=-1)

    def test_good_answer_is_used_and_sends_passages_key_and_language(self, llm: FakeLLM) -> None:
        writer = GenerativeWriter(llm.url, model="tiny", api_key="k-123", timeout=5)
        answer = writer.run("Wie melde ich mein Kind an?", "ar", passages())
        assert answer is not None and answer.mode == "generative" and answer.citations == [1]
        assert answer.text.startswith("\u200f")  # right-to-left marked for Arabic
        req = llm.requests[-1]
        assert req["authorization"] == "Bearer k-123" and req["model"] == "tiny"
        assert "[2] Kita > Anmeldung\nSatz 2" in req["messages"][-1]["content"]
        assert "'ar'" in req["messages"][0]["content"]

    @pytest.mark.parametrize("mode", ["bad", "error"])
    def test_unverifiable_or_failed_answer_falls_back(self, llm: FakeLLM, mode: str) -> None:
        llm.mode = mode
        writer = GenerativeWriter(llm.url, model="tiny", timeout=5)
        assert writer.run("Frage?", "de", passages()) is None
        assert writer.last_error and (mode != "bad" or "unverified" in writer.last_error)

    def test_timeout_falls_back_in_time(self, llm: FakeLLM) -> None:
        llm.mode, llm.delay = "slow", 5.0
        writer = GenerativeWriter(llm.url, model="tiny", timeout=0.5)
        start = time.monotonic()
        assert writer.run("Frage?", "de", passages()) is None
        assert time.monotonic() - start < 3
        assert "timeout" in (writer.last_error or "")

    def test_unreachable_endpoint_falls_back(self) -> None:
        from tests.conftest import free_port

        writer = GenerativeWriter(f"http://127.0.0.1:{free_port()}/v1", model="tiny", timeout=2)
        assert writer.run("Frage?", "de", passages()) is None
