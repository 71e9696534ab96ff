"""Issue 6 end to end against a real uvicorn on loopback: conversations, languages, streaming, feedback,
abstention, documents, metrics. Admin and generative answers: tests/e2e/test_admin_generative.py."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from assistant.compose import SUBJECT_MARK
from assistant.messages import message

pytestmark = pytest.mark.integration

KITA = {
    "de": "Was plant Bochum für die Kita-Betreuung?",
    "en": "What does Bochum plan for daycare for young children?",
    "ar": "ماذا تخطط مدينة بوخوم لرعاية الأطفال في الحضانات؟",
    "tr": "Bochum kreşlerde çocuk bakımı için ne planlıyor?",
    "uk": "Що планує Бохум щодо догляду за дітьми в дитячих садках?",
    "ru": "Что планирует Бохум для ухода за детьми в детских садах?",
    "fa": "شهر بوخوم برای نگهداری کودکان در مهدکودک چه برنامه‌ای دارد؟",
    "pl": "Co planuje Bochum w zakresie opieki nad dziećmi w przedszkolach?",
}
OUT_OF_DOMAIN = {
    "de": "Wann hat das Hallenbad am Sonntag geöffnet?",
    "en": "When is the indoor swimming pool open on Sundays?",
}


def ask(server: str, question: str, **extra: object) -> dict[str, Any]:
    r = httpx.post(f"{server}/v1/ask", json={"question": question, **extra}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def events(response: httpx.Response) -> list[tuple[str, dict[str, Any]]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    out = []
    for block in response.text.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((fields["event"], json.loads(fields["data"])))
    return out


def quote_of(line: str, passage: dict[str, Any]) -> str:
    """An evidence line without its subject: a field line ("Kosten: kostenlos") is led by the title of
    the passage it cites and ``SUBJECT_MARK``."""
    subject = " ".join(passage["source"]["title"].split()) + SUBJECT_MARK
    return line[len(subject):] if line.startswith(subject) else line


def assert_citations_verbatim(body: dict[str, Any]) -> None:
    """Every [n] names a returned passage, every evidence line occurs verbatim in the passage it cites
    (after the subject a field line is given), and the sources list exactly the cited passages."""
    ranks = {p["rank"]: p for p in body["passages"]}
    cited_in_text = [int(n) for n in re.findall(r"\[(\d+)\]", body["answer"]["text"])]
    assert set(cited_in_text) == set(body["answer"]["citations"])
    lines = [ln.lstrip("\u200f") for ln in body["answer"]["text"].splitlines()]
    evidence = [ln for ln in lines if re.search(r" \[\d+\]$", ln)]
    assert evidence, body["answer"]["text"]
    for line in evidence:
        m = re.match(r"^(.*) \[(\d+)\]$", line)
        assert m and int(m.group(2)) in ranks, line
        passage = ranks[int(m.group(2))]
        assert quote_of(m.group(1), passage) in passage["text"], line
    assert [s["n"] for s in body["sources"]] == body["answer"]["citations"]
    for s in body["sources"]:
        src = ranks[s["n"]]["source"]
        assert (s["title"], s["section"], s["as_of"], s["deep_link"]) == (src["title"], src["section"], src["as_of"],
                                                                          src["deep_link"])


class TestConversation:
    def test_follow_up_is_understood_within_the_session_only(self, server: str) -> None:
        first = ask(server, "Wie melde ich mein Kind für einen Kita-Platz an?", session_id="conv-kita")
        assert first["follow_up"] is False and first["found"] is True
        follow = ask(server, "Und was kostet das?", session_id="conv-kita", top_k=3)
        assert follow["follow_up"] is True
        assert "kita-anmeldung" in follow["passages"][0]["source"]["url"]
        assert "kostenlos" in follow["answer"]["text"]
        assert follow["answer_id"] != first["answer_id"]
        # The same words in a fresh session have nothing to lean on.
        alone = ask(server, "Und was kostet das?", top_k=3)
        assert alone["follow_up"] is False and alone["session_id"] not in ("conv-kita",)

    def test_und_fuer_kinder_unter_drei(self, server: str) -> None:
        ask(server, "Wie bekomme ich einen Kita-Platz in Bochum?", session_id="conv-u3")
        body = ask(server, "Und für Kinder unter drei?", session_id="conv-u3", top_k=3)
        assert body["follow_up"] is True
        assert any("kita" in p["source"]["url"].casefold() or "Kita" in p["text"] for p in body["passages"])

    def test_an_income_named_in_a_follow_up_picks_its_row_of_the_fee_table(self, server: str) -> None:
        """"Und bei 50.000 Euro Einkommen?" is retrieved with the question before it, and its amount picks
        the row of the Kita fee table that covers it, after the table's caption."""
        sid = ask(server, "Was kostet die Kita?")["session_id"]
        body = ask(server, "Und bei 50.000 Euro Einkommen?", session_id=sid)
        assert body["follow_up"] is True and body["found"] is True, body["answer"]["text"]
        lines = body["answer"]["text"].splitlines()
        rows = [line for line in lines if " – Kind unter 3 Jahren: " in line]
        assert lines[0].startswith("Monatliche Elternbeiträge nach Jahreseinkommen"), lines
        assert len(rows) == 1 and rows[0].startswith("• über 49.000 bis 62.000 Euro – "), lines

    @pytest.mark.parametrize(("turns", "wanted"), [
        # the price question in front pulled the fee table again
        (["Як записати дитину в дитячий садок?", "А скільки це коштує?", "До якого числа?"], "31. Januar 2027"),
        # "Is there …" has the back-reference "there": the price question was taken for the topic and refused
        (["Is there a German course for beginners at the VHS?", "How much is it?", "And when are the classes?"],
         "1. Februar"),
    ])
    def test_a_third_turn_that_asks_for_another_kind_is_answered_from_the_topic(self, server: str,
                                                                              turns: list[str],
                                                                              wanted: str) -> None:
        sid = ask(server, turns[0])["session_id"]
        ask(server, turns[1], session_id=sid)
        body = ask(server, turns[2], session_id=sid)
        assert body["follow_up"] is True and body["found"] is True, body["answer"]["text"]
        quoted = [line for line in body["answer"]["text"].splitlines() if re.search(r" \[\d+\]$", line)]
        assert wanted in quoted[0], quoted

    @pytest.mark.parametrize(("turns", "wanted"), [
        (["Wo ist die Schulberatung für neu zugewanderte Familien?", "Und wie melde ich mich an?"],
         ("Termin vereinbaren Sie telefonisch", "schulberatung-neu-zugewanderte.html")),
        (["أين يقع مكتب الاستشارات المدرسية للعائلات القادمة حديثاً؟", "وكيف أسجل؟"],
         ("Termin vereinbaren Sie telefonisch", "schulberatung-neu-zugewanderte.html")),
        (["هل مجموعة الآباء حول مرحلة العناد مجانية؟", "وكيف أسجل؟"],
         ("erziehungsberatung-demo@example.org", "angebote/erziehungsberatung.html")),
    ])
    def test_a_second_turn_that_asks_for_another_kind_quotes_it_first(self, server: str, turns: list[str],
                                                                     wanted: tuple[str, ...]) -> None:
        """With the place or price question in front, the place or price lines came first; the page's passage
        that says how to register now takes a front place, and the follow-up's own vector weighs the sentences
        (``cap_per_page``, ``EvidenceSelector.run(own_vector=…)``). This server runs the original model, under
        which these three failed before (evaluation/data/kind_changes.jsonl; with the query adapters, the
        default, the Kita price questions did too: docs/benchmarks.md)."""
        sid = ask(server, turns[0])["session_id"]
        body = ask(server, turns[1], session_id=sid)
        assert body["follow_up"] is True and body["found"] is True, body["answer"]["text"]
        quoted = [line for line in body["answer"]["text"].splitlines() if re.search(r" \[\d+\]$", line)]
        assert any(w in quoted[0] for w in wanted), quoted

    def test_topic_change_is_not_a_follow_up(self, server: str) -> None:
        ask(server, "Wie melde ich mein Kind für einen Kita-Platz an?", session_id="conv-switch")
        body = ask(server, "Wie hoch ist die Hundesteuer für den ersten Hund?", session_id="conv-switch", top_k=3)
        assert body["follow_up"] is False
        assert "hundesteuer" in body["passages"][0]["source"]["url"]


    @pytest.mark.parametrize(("first", "second", "page"), [
        # Chinese has no spaces: the whole question was one "word", so every one was "short"
        ("我怎样在波鸿为孩子登记幼儿园名额？", "初学者德语课多少钱？", "vhs-deutschkurs"),
        # Italian "i" is an article; it was taken for the Polish "i" ("and")
        ("Come iscrivo mio figlio all'asilo a Bochum?", "I corsi di tedesco per principianti quanto costano?",
         "vhs-deutschkurs"),
    ])
    def test_a_question_with_its_own_topic_stands_alone_in_every_language(self, server: str, first: str,
                                                                        second: str, page: str) -> None:
        sid = ask(server, first)["session_id"]
        body = ask(server, second, session_id=sid, top_k=3)
        assert body["follow_up"] is False
        assert page in body["passages"][0]["source"]["url"]

    @pytest.mark.parametrize(("first", "second", "place"), [
        # "er" was no back-reference, so this was asked alone and refused
        ("Hat die Musikschule einen Kurs für fünfjährige Kinder?", "Wo findet er statt?", "Musterstraße 12"),
        # answered with the course's audience before, the place third
        ("Is there a German course for beginners?", "Where does it take place?", "Bildungs- und Verwaltungszentrum"),
    ])
    def test_where_after_a_question_about_an_offer_quotes_its_place_first(self, server: str, first: str,
                                                                         second: str, place: str) -> None:
        sid = ask(server, first)["session_id"]
        body = ask(server, second, session_id=sid)
        assert body["follow_up"] is True and body["found"] is True
        quotes = [ln for ln in body["answer"]["text"].splitlines() if re.search(r" \[\d+\]$", ln)]
        assert place in quotes[0], body["answer"]["text"]

    @pytest.mark.parametrize(("first", "second"), [
        ("Wer hilft bei der Suche nach einem Schulplatz für mein Kind, das neu in Deutschland ist?",
         "Wo ist die Sprechstunde?"),
        ("Кто поможет найти место в школе для моего ребёнка, который недавно приехал в Германию?",
         "По какому адресу консультация?"),
    ])
    def test_a_question_refused_alone_is_read_with_the_conversation(self, server: str, first: str,
                                                                   second: str) -> None:
        """Both were refused: each has a subject of its own (the consultation, its hours), so no cue marks a
        follow-up, and alone the documents do not answer it. Each asks where something is, and alone it is
        as close to the documents as to the topics they do not cover, so it is read again with the
        question before. A question about another topic after it is still refused."""
        sid = ask(server, first)["session_id"]
        body = ask(server, second, session_id=sid)
        assert body["follow_up"] is True and body["found"] is True, body["answer"]["text"]
        quotes = [ln for ln in body["answer"]["text"].splitlines() if re.search(r" \[\d+\]$", ln)]
        assert "Beispielplatz 3" in quotes[0], body["answer"]["text"]
        pool = ask(server, OUT_OF_DOMAIN["de"], session_id=sid)
        assert pool["found"] is False and pool["follow_up"] is False

    @pytest.mark.parametrize(("first", "second"), [
        ("Де батьки можуть отримати допомогу з проблемами виховання?", "Коли відкритий басейн?"),
        ("Где родители могут получить помощь с проблемами воспитания?", "Когда открыт бассейн?"),
    ])
    def test_a_short_question_about_another_topic_stands_alone(self, server: str, first: str, second: str) -> None:
        """Three words were taken for a follow-up by their shortness alone, and "when is the pool open?"
        was answered from the parenting-advice page. Alone it is closer to the topics the documents do not
        cover than to the documents, so it stands alone, and is refused."""
        sid = ask(server, first)["session_id"]
        body = ask(server, second, session_id=sid)
        assert body["follow_up"] is False and body["found"] is False, body["answer"]["text"]

    def test_a_chinese_follow_up_leans_on_the_question_before(self, server: str) -> None:
        sid = ask(server, "我怎样在波鸿为孩子登记幼儿园名额？")["session_id"]
        body = ask(server, "那费用呢？", session_id=sid, top_k=3)  # "and the cost?"
        assert body["follow_up"] is True
        assert "kita-anmeldung" in body["passages"][0]["source"]["url"]


class TestLanguages:
    @pytest.mark.parametrize("lang", list(KITA))
    def test_frame_in_the_users_language_and_citations_verbatim(self, server: str, lang: str) -> None:
        body = ask(server, KITA[lang])
        assert body["language"] == lang and body["answer"]["language"] == lang
        assert body["found"] is True and body["answer"]["mode"] == "extractive"
        first = body["answer"]["text"].splitlines()[0]
        if lang == "de":
            assert re.search(r" \[\d+\]$", first)  # German needs no frame: straight to the evidence
        else:
            rtl = "\u200f" if lang in ("ar", "fa") else ""
            assert first == rtl + message("found", lang)
        assert_citations_verbatim(body)

    @pytest.mark.parametrize("lang", list(OUT_OF_DOMAIN))
    def test_abstention_is_localised_with_the_referral(self, server: str, lang: str) -> None:
        body = ask(server, OUT_OF_DOMAIN[lang])
        assert body["found"] is False
        assert body["answer"]["citations"] == [] and body["sources"] == []
        assert body["answer"]["text"].startswith(message("not_found", lang))
        assert "115" in body["answer"]["text"]
        assert body["passages"]  # the nearest passages still come, for an agent to judge


    def test_the_browsers_language_settles_one_word(self, server: str) -> None:
        """`Kita` alone is as much Turkish as German to the detector: the Accept-Language a browser
        sends decides, on every route; a whole question keeps its own language whatever the browser."""
        def search(q: str, header: str) -> str:
            r = httpx.get(f"{server}/v1/search", params={"q": q, "k": 3}, headers={"Accept-Language": header},
                          timeout=60)
            assert r.status_code == 200, r.text
            return r.json()["language"]

        assert search("Kita", "de-DE,de;q=0.9,en;q=0.8") == "de"
        assert search("Kita", "tr-TR,tr;q=0.9") == "tr"
        assert search("Kita", "uk-UA,uk;q=0.9,de;q=0.5") == "uk"  # a German term typed on a Ukrainian phone
        assert search(KITA["ru"], "de-DE") == "ru"
        r = httpx.post(f"{server}/v1/ask", json={"question": "Kita"}, headers={"Accept-Language": "de"}, timeout=60)
        assert r.json()["language"] == "de" and r.json()["answer"]["language"] == "de"
        # школа is Ukrainian, Russian or Bulgarian; a Russian phone settles it
        r = httpx.post(f"{server}/v1/chat", json={"question": "школа"}, headers={"Accept-Language": "ru-RU, de;q=0.5"},
                       timeout=60)
        assert events(r)[0][1]["language"] == "ru"


class TestStreaming:
    def test_chat_streams_passages_then_answer_then_done(self, server: str) -> None:
        r = httpx.post(f"{server}/v1/chat", json={"question": KITA["ar"], "session_id": "sse-1", "top_k": 3},
                       timeout=60)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        evs = events(r)
        assert [e for e, _ in evs] == ["passages", "answer", "done"]
        (_, passages), (_, answer), (_, done) = evs
        assert len(passages["passages"]) == 3 and passages["language"] == "ar"
        assert done["answer_id"] == passages["answer_id"] and done["session_id"] == "sse-1"
        assert_citations_verbatim({**answer, "passages": passages["passages"]})

    def test_chat_keeps_the_session_like_ask(self, server: str) -> None:
        ask(server, "Gibt es bei der VHS einen Deutschkurs für Anfänger?", session_id="sse-2")
        with httpx.stream("POST", f"{server}/v1/chat", json={"question": "Und was kostet der?",
                                                             "session_id": "sse-2"}, timeout=60) as r:
            r.read()
        (_, passages), (_, answer), _ = events(r)
        assert passages["follow_up"] is True
        assert "vhs" in passages["passages"][0]["source"]["url"]
        assert answer["found"] is True

    def test_bad_question_is_a_json_error_not_a_stream(self, server: str) -> None:
        r = httpx.post(f"{server}/v1/chat", json={"question": "   "}, timeout=30)
        assert r.status_code == 400 and set(r.json()) == {"error", "message"}


class TestFeedback:
    def test_rate_an_answer(self, server: str) -> None:
        body = ask(server, KITA["de"])
        r = httpx.post(f"{server}/v1/feedback", json={"answer_id": body["answer_id"], "rating": -1,
                                                      "comment": "Mir fehlen die Öffnungszeiten."}, timeout=30)
        assert r.status_code == 201 and r.json() == {"answer_id": body["answer_id"], "rating": -1, "stored": True}
        r = httpx.post(f"{server}/v1/feedback", json={"answer_id": body["answer_id"], "rating": 1}, timeout=30)
        assert r.status_code == 201

    @pytest.mark.parametrize(("payload", "status"), [
        ({"answer_id": "0123abcd", "rating": 1}, 404),
        ({"answer_id": "x", "rating": 2}, 422),
        ({"answer_id": "x", "rating": 0}, 422),
        ({"rating": 1}, 422),
        ({"answer_id": "x", "rating": 1, "extra": True}, 422),
    ])
    def test_bad_feedback(self, server: str, payload: dict[str, Any], status: int) -> None:
        r = httpx.post(f"{server}/v1/feedback", json=payload, timeout=30)
        assert r.status_code == status and set(r.json()) == {"error", "message"}


class TestOperations:
    def test_documents_lists_what_is_indexed(self, server: str) -> None:
        body = httpx.get(f"{server}/v1/documents", timeout=30).json()
        ready = httpx.get(f"{server}/ready", timeout=30).json()
        assert body["index_version"] == ready["index_version"]
        assert sum(d["passages"] for d in body["documents"]) == ready["passages"]
        kinds = {d["kind"] for d in body["documents"]}
        assert kinds == {"page", "offer"}
        talent = [d for d in body["documents"] if "Talentschmiede" in d["url"]]
        assert talent and talent[0]["as_of"] and talent[0]["passages"] >= 5
        offers = httpx.get(f"{server}/v1/documents", params={"kind": "offer", "limit": 2}, timeout=30).json()
        assert offers["total"] == 6 and len(offers["documents"]) == 2  # expired offers are still indexed

    def test_ready_names_the_versions(self, server: str) -> None:
        ready = httpx.get(f"{server}/ready", timeout=30).json()
        assert ready["ready"] is True and ready["index_version"] and ready["version"]
        assert ready["query_memory"] is None  # the original model, no query adapter: the memory is not used
        assert ready["adapter_weights"] is None

    def test_metrics_count_requests_and_answers(self, server: str) -> None:
        ask(server, KITA["de"])
        ask(server, OUT_OF_DOMAIN["de"])
        r = httpx.get(f"{server}/metrics", timeout=30)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        text = r.text
        assert re.search(r'lotse_http_requests_total\{method="POST",route="/v1/ask",status="200"\} [1-9]', text)
        assert re.search(r'lotse_answers_total\{found="true",mode="extractive"\} [1-9]', text)
        assert re.search(r'lotse_answers_total\{found="false",mode="extractive"\} [1-9]', text)
        assert 'lotse_index_info{version="' in text
        assert re.search(r"lotse_http_request_seconds_bucket\{", text)

    def test_admin_is_closed_without_a_token(self, server: str) -> None:
        for method, path in (("POST", "/v1/admin/reindex"), ("GET", "/v1/admin/feedback"),
                             ("GET", "/v1/admin/gaps")):
            r = httpx.request(method, f"{server}{path}", headers={"Authorization": "Bearer guess"}, timeout=30)
            assert r.status_code == 403, (path, r.text)
            assert r.json()["error"] == "admin_disabled" and "LOTSE_ADMIN_TOKEN" in r.json()["message"]
