"""The fully configured server: admin behind its token (reindex, feedback, content gaps), the configured
referral, and generative answers from a real OpenAI-compatible peer that fall back when they must."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN
from tests.e2e.test_conversation import KITA, ask, assert_citations_verbatim, events
from tests.fakellm import FakeLLM

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def admin(server: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{server}/v1/admin{path}", headers=AUTH, timeout=60, **kwargs)


class TestAdminAuth:
    @pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ADMIN_TOKEN},
                                         {"Authorization": f"Basic {ADMIN_TOKEN}"}])
    @pytest.mark.parametrize(("method", "path"), [("POST", "/reindex"), ("GET", "/feedback"), ("GET", "/gaps"),
                                                  ("GET", "/reindex/abc")])
    def test_without_the_token_401(self, full_server: str, headers: dict[str, str], method: str, path: str) -> None:
        r = httpx.request(method, f"{full_server}/v1/admin{path}", headers=headers, timeout=30)
        assert r.status_code == 401, r.text
        assert r.json()["error"] == "unauthorized" and r.headers["www-authenticate"] == "Bearer"

    def test_with_the_token(self, full_server: str) -> None:
        assert admin(full_server, "GET", "/feedback").status_code == 200
        assert admin(full_server, "GET", "/gaps").status_code == 200
        r = admin(full_server, "GET", "/reindex/no-such-job")
        assert r.status_code == 404 and r.json()["error"] == "not_found"


class TestContentGaps:
    def test_unanswered_and_badly_rated_questions_reach_the_editors(self, full_server: str, fake_llm: FakeLLM) -> None:
        fake_llm.mode = "good"
        miss = ask(full_server, "Wann hat das Hallenbad am Sonntag geöffnet?")
        assert miss["found"] is False
        # The deployment's own referral: the office and the contact form follow the 115 line.
        assert "115" in miss["answer"]["text"] and "Bildungsberatung der Stadt Bochum" in miss["answer"]["text"]
        assert "https://example.org/kontakt" in miss["answer"]["text"]
        hit = ask(full_server, KITA["de"])
        r = httpx.post(f"{full_server}/v1/feedback", json={"answer_id": hit["answer_id"], "rating": -1,
                                                           "comment": "Zu allgemein"}, timeout=30)
        assert r.status_code == 201
        gaps = admin(full_server, "GET", "/gaps").json()["gaps"]
        by_q = {g["question"]: g for g in gaps}
        assert by_q["Wann hat das Hallenbad am Sonntag geöffnet?"]["unanswered"] >= 1
        assert by_q[KITA["de"]]["rated_down"] >= 1 and "Zu allgemein" in by_q[KITA["de"]]["comments"]
        fb = admin(full_server, "GET", "/feedback", params={"limit": 5}).json()
        assert fb["total"] >= 1 and fb["feedback"][0]["answer_id"] == hit["answer_id"]
        assert fb["feedback"][0]["mode"] == "generative"


class TestGenerative:
    def test_verified_generated_answer_in_the_users_language(self, full_server: str, fake_llm: FakeLLM) -> None:
        fake_llm.mode = "good"
        body = ask(full_server, KITA["uk"], top_k=3)
        assert body["answer"]["mode"] == "generative" and body["found"] is True
        assert body["answer"]["text"].startswith("(uk) ")  # the model was asked for Ukrainian
        assert body["answer"]["citations"] == [1] and [s["n"] for s in body["sources"]] == [1]
        req = fake_llm.requests[-1]
        assert req["authorization"] == "Bearer sk-test" and req["model"] == "fake-tiny"
        assert body["passages"][0]["text"][:200] in req["messages"][-1]["content"]

    def test_a_generated_answer_names_the_offer_that_has_ended(self, full_server: str, fake_llm: FakeLLM) -> None:
        """The one info evening on parental allowance ended in 2025; the model writes from the current
        passages, and the answer still names the evening, as the extractive one does."""
        fake_llm.mode = "good"
        # Ukrainian: "is there an info evening on parental allowance?" (the German one is refused)
        body = ask(full_server, "Чи є інформаційний вечір про батьківську допомогу?")
        assert body["answer"]["mode"] == "generative" and body["found"] is True
        ended = body["ended_offer"]
        assert ended and "Elterngeld" in ended["title"]
        last = body["answer"]["text"].splitlines()[-1]
        assert "17.09.2025" in last and ended["url"] in last
        assert body["answer"]["text"].count(ended["url"]) == 1

    @pytest.mark.parametrize("mode", ["bad", "slow", "error"])
    def test_falls_back_to_the_extractive_answer(self, full_server: str, fake_llm: FakeLLM, mode: str) -> None:
        fake_llm.mode, fake_llm.delay = mode, 6.0  # the server's timeout is 2 s
        start = time.monotonic()
        body = ask(full_server, KITA["de"])
        assert time.monotonic() - start < 30
        assert body["answer"]["mode"] == "extractive" and body["found"] is True
        assert_citations_verbatim(body)
        fake_llm.mode = "good"

    def test_not_found_is_never_generated(self, full_server: str, fake_llm: FakeLLM) -> None:
        fake_llm.mode = "good"
        n = len(fake_llm.requests)
        body = ask(full_server, "Wann hat das Hallenbad am Sonntag geöffnet?")
        assert body["found"] is False and body["answer"]["mode"] == "extractive"
        assert len(fake_llm.requests) == n  # nothing was sent for a question the documents do not answer

    def test_a_follow_up_reaches_the_model_with_its_earlier_question(self, full_server: str,
                                                                       fake_llm: FakeLLM) -> None:
        fake_llm.mode = "good"
        ask(full_server, "Wie melde ich mein Kind für einen Kita-Platz an?", session_id="gen-follow")
        body = ask(full_server, "Und was kostet das?", session_id="gen-follow")
        assert body["follow_up"] is True and body["answer"]["mode"] == "generative"
        prompt = fake_llm.requests[-1]["messages"][-1]["content"]
        assert "Earlier question in this conversation: Wie melde ich mein Kind für einen Kita-Platz an?" in prompt
        assert prompt.endswith("Question: Und was kostet das?")

    def test_chat_streams_the_generated_answer(self, full_server: str, fake_llm: FakeLLM) -> None:
        fake_llm.mode = "good"
        r = httpx.post(f"{full_server}/v1/chat", json={"question": KITA["en"]}, timeout=60)
        names = [e for e, _ in events(r)]
        assert names == ["passages", "answer", "done"]
        assert events(r)[1][1]["answer"]["mode"] == "generative"

    def test_fallbacks_are_counted(self, full_server: str) -> None:
        text = httpx.get(f"{full_server}/metrics", timeout=30).text
        assert 'lotse_answers_total{found="true",mode="generative"}' in text
        assert "lotse_generative_fallbacks_total" in text


class TestReindex:
    def test_reindex_runs_in_the_background_and_goes_live(self, full_server: str) -> None:
        before = httpx.get(f"{full_server}/ready", timeout=30).json()["index_version"]
        r = admin(full_server, "POST", "/reindex")
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["status"] == "running"
        again = admin(full_server, "POST", "/reindex")  # one at a time: the running job comes back
        assert again.status_code in (200, 202)
        if again.status_code == 200:
            assert again.json()["job_id"] == job["job_id"]
        deadline = time.monotonic() + 300
        while job["status"] == "running":
            assert time.monotonic() < deadline, "reindex did not finish within 300 s"
            time.sleep(1)
            job = admin(full_server, "GET", f"/reindex/{job['job_id']}").json()
        assert job["status"] == "succeeded", job
        new = job["result"]["version"]
        assert new != before and job["result"]["published"] is True and job["result"]["passages"] > 10
        deadline = time.monotonic() + 30
        while httpx.get(f"{full_server}/ready", timeout=30).json()["index_version"] != new:
            assert time.monotonic() < deadline, "the server did not switch to the new version"
            time.sleep(0.5)
        assert ask(full_server, KITA["de"])["index_version"] == new


class TestPersonalData:
    def test_neither_state_nor_log_keeps_what_identifies_a_citizen(
            self, full_server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
        question = ("Meine Tochter ist am 03.02.2023 geboren, Kita-Platz? Antwort an lena.k@example.org "
                    "oder 0176 5556667")
        body = ask(full_server, question)
        assert admin(full_server, "GET", "/gaps").status_code == 200
        r = httpx.post(f"{full_server}/v1/feedback", timeout=30, json={
            "answer_id": body["answer_id"], "rating": -1, "comment": "Rufen Sie an: 0234 / 910 4455, Hauptstraße 5"})
        assert r.status_code == 201, r.text
        httpx.get(f"{full_server}/v1/search", params={"q": "lena.k@example.org Kita"}, timeout=30)
        feedback = admin(full_server, "GET", "/feedback").text
        gaps = admin(full_server, "GET", "/gaps").text
        port = full_server.rsplit(":", 1)[1]
        log = max(tmp_path_factory.getbasetemp().glob(f"full-data*/server-{port}.log"),
                  key=lambda p: p.stat().st_mtime)
        time.sleep(0.5)  # the access log line of the last request
        stored_and_logged = feedback + gaps + log.read_text(encoding="utf-8")
        for secret in ("03.02.2023", "lena.k@example.org", "lena.k%40example.org", "0176 5556667", "910 4455",
                       "Hauptstraße 5"):
            assert secret not in stored_and_logged, secret
        assert not re.search(r"127\.0\.0\.1:\d+ - \"", stored_and_logged)  # no client address in the access log
        assert "[E-Mail]" in feedback and "[Telefon]" in feedback and "[Adresse]" in feedback
        assert "GET /v1/search?… HTTP/1.1" in stored_and_logged
