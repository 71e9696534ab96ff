"""The foundation's promises, end to end: demo site over HTTP -> crawler -> index -> uvicorn -> answers."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from assistant.compose import SUBJECT_MARK
from assistant.messages import message
from tests.conftest import LOTSE, REPO
from tests.e2e.test_conversation import quote_of

pytestmark = pytest.mark.integration

TALENTSCHMIEDE = "https://www.bochum.de/Die-Bochum-Strategie/Die-Kompetenzen-der-Strategie/Talentschmiede-im-Ruhrgebiet"
KITA_SECTION = "Richtungsweisende frühkindliche Bildung"
KITA_QUESTIONS = {
    "de": "Was plant Bochum für die Kita-Betreuung?",
    "ar": "ماذا تخطط مدينة بوخوم لرعاية الأطفال في الحضانات؟",
    "en": "What does Bochum plan for daycare for young children?",
    "tr": "Bochum kreşlerde çocuk bakımı için ne planlıyor?",
    "uk": "Що планує Бохум щодо догляду за дітьми в дитячих садках?",
    "fa": "شهر بوخوم برای نگهداری کودکان در مهدکودک چه برنامه‌ای دارد؟",
}
# Labels of the city site's icon bar: boilerplate that must never reach a passage.
ICON_LABELS = ["Pinnwand", "Ausweis", "Reisepass", "Verlobung", "Katze", "Sportehrung", "Bürgerecho",
               "Instagram", "Flickr", "Logout", "Callcenter", "Familienzuhause", "Großvater", "Wegweiser"]


def chunks(data_dir: Path) -> list[dict]:
    current = (data_dir / "index" / "CURRENT").read_text().strip()
    path = data_dir / "index" / "versions" / current / "chunks.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def ask(server: str, question: str, **extra: object) -> dict:
    r = httpx.post(f"{server}/v1/ask", json={"question": question, **extra}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


class TestIngestedDemo:
    def test_boilerplate_never_reaches_the_index(self, demo_data_dir: Path) -> None:
        for c in chunks(demo_data_dir):
            for label in ICON_LABELS:
                assert not re.search(rf"\b{label}\b", c["text"]), (label, c["text"])
            for furniture in ("Ihre Privatsphäre ist uns wichtig", "Alle akzeptieren", "Statistik-Cookies",
                              "Willy-Brandt-Platz", "Seite teilen", "nach oben"):
                assert furniture not in c["text"], (furniture, c["text"])

    def test_the_start_pages_lists_of_links_are_not_passages(self, demo_data_dir: Path) -> None:
        # they point to pages indexed themselves; as passages they stood in the top 5 of 56 of the
        # 180 demo_languages questions (ingest/extract.py, signposts)
        home = [c["text"] for c in chunks(demo_data_dir) if c["source"]["url"].endswith("/index.html")]
        assert home and any("Demo-Bestand des Bildungslotsen" in t for t in home)
        assert not any(t.startswith("•") for t in home), home

    def test_every_page_is_indexed_with_its_source(self, demo_data_dir: Path) -> None:
        cs = chunks(demo_data_dir)
        urls = {c["source"]["url"] for c in cs}
        assert TALENTSCHMIEDE in urls  # rel=canonical: the city's real URL, not the local server
        assert sum("/angebote/" in u for u in urls) >= 5
        assert any("hundesteuer" in u for u in urls)
        kita = next(c for c in cs if "Kita-Betreuung" in c["text"])
        assert kita["source"]["section"] == KITA_SECTION
        assert kita["source"]["deep_link"].startswith(TALENTSCHMIEDE + "#")
        assert kita["source"]["as_of"]


class TestAsk:
    @pytest.mark.parametrize("lang", ["de", "ar"])
    def test_kita_question_finds_the_kita_passage_first(self, server: str, lang: str) -> None:
        body = ask(server, KITA_QUESTIONS[lang])
        top = body["passages"][0]
        assert "Kita-Betreuung" in top["text"], (lang, top["text"])
        assert top["source"]["url"] == TALENTSCHMIEDE
        assert top["source"]["section"] == KITA_SECTION
        assert body["found"] is True
        assert body["language"] == lang
        assert body["answer"]["language"] == lang

    @pytest.mark.parametrize("lang", ["en", "tr", "uk", "fa"])
    def test_kita_question_in_other_languages_finds_it_on_the_first_screen(self, server: str, lang: str) -> None:
        # The contract is rank 1 for German and Arabic; in these languages the sample Kita and
        # school-advice offers compete closely, so the strategy passage must be among the first three.
        body = ask(server, KITA_QUESTIONS[lang])
        texts = [p["text"] for p in body["passages"][:3]]
        assert any("Kita-Betreuung" in t for t in texts), (lang, texts)
        assert body["found"] is True and body["language"] == lang

    @pytest.mark.parametrize(("question", "lang"), [
        ("Where is the Musikschule?", "en"),
        ("Які послуги пропонує Volkshochschule Bochum?", "uk"),
    ])
    def test_a_question_around_german_names_is_answered_in_its_language(self, server: str, question: str,
                                                                       lang: str) -> None:
        # lingua alone reads both as German: the names outweigh the sentence (assistant/language.py)
        body = ask(server, question)
        assert body["language"] == lang and body["answer"]["language"] == lang
        assert body["answer"]["text"].splitlines()[0] == message("found", lang)

    def test_a_chosen_language_frames_the_answer(self, server: str) -> None:
        # the detector reads this as German (the frame around the names is too short to tell); the asker
        # chose English in the widget's menu
        question = "How do I get a Kita-Platz in Wattenscheid?"
        assert ask(server, question)["answer"]["language"] == "de"
        body = ask(server, question, language="en")
        assert body["language"] == "de"  # the question is still read as it is written
        assert body["answer"]["language"] == "en"
        assert body["answer"]["text"].splitlines()[0] == message("found", "en")
        assert "kita" in body["passages"][0]["source"]["url"]
        refused = ask(server, "Wann hat das Hallenbad geöffnet?", language="uk")
        assert refused["found"] is False and refused["answer"]["language"] == "uk"
        assert refused["answer"]["text"] != ask(server, "Wann hat das Hallenbad geöffnet?")["answer"]["text"]

    def test_answer_sentences_are_verbatim_and_citations_resolve(self, server: str) -> None:
        for question in KITA_QUESTIONS.values():
            body = ask(server, question)
            ranks = {p["rank"]: p for p in body["passages"]}
            assert body["answer"]["citations"]
            for n in body["answer"]["citations"]:
                assert n in ranks
            for line in body["answer"]["text"].splitlines():
                m = re.match(r"^(.*) \[(\d+)\]$", line)
                if m:  # an evidence line: verbatim in the passage it cites
                    passage = ranks[int(m.group(2))]
                    assert quote_of(m.group(1), passage) in passage["text"]
            for p in body["passages"]:
                for a, b in p["highlights"]:
                    assert 0 <= a < b <= len(p["text"])

    def test_arabic_frame_is_arabic_and_marked_rtl(self, server: str) -> None:
        body = ask(server, KITA_QUESTIONS["ar"])
        assert body["answer"]["text"].startswith("\u200f")
        assert re.search(r"[\u0600-\u06ff]", body["answer"]["text"].splitlines()[0])

    def test_a_quoted_price_says_whose_it_is(self, server: str) -> None:
        """The school counselling's and the German course's "Kosten:" lines read alike; each quoted one
        is led by the title of the passage it cites. (Not the Kita's price: that is a fee table now.)"""
        body = ask(server, "Was kostet die Beratung?")
        ranks = {p["rank"]: p for p in body["passages"]}
        prices = [m for m in (re.match(r"^(.*) \[(\d+)\]$", x) for x in body["answer"]["text"].splitlines())
                  if m and "Kosten:" in m.group(1)]
        assert prices, body["answer"]["text"]
        for m in prices:
            title = ranks[int(m.group(2))]["source"]["title"]
            assert m.group(1).startswith(f"{title}{SUBJECT_MARK}Kosten: "), m.group(0)

    def test_the_sites_notice_is_never_the_answer(self, server: str) -> None:
        """Every demo offer page opens with the same sample-data notice. Embedded with its page title in
        front, it scored like the title itself, and one word ("Schule") quoted it as the answer."""
        body = ask(server, "Schule")
        assert body["found"] is True
        assert "schulberatung" in body["passages"][0]["source"]["url"]
        assert "Beispieldaten" not in body["answer"]["text"], body["answer"]["text"]
        notice = body["passages"][0]["text"].find("Beispieldaten")
        assert notice >= 0  # the notice stays in the passage, where it is read in context
        assert all(not (a <= notice < b) for a, b in body["passages"][0]["highlights"])

    @pytest.mark.parametrize(("lang", "question", "page"), [
        ("hr", "Kako mogu prijaviti dijete za mjesto u vrtiću u Bochumu?", "kita-anmeldung"),
        ("sq", "Sa kushton kursi i gjermanishtes për fillestarë?", "vhs-deutschkurs"),
    ])
    def test_languages_outside_the_core_are_answered_in_their_own_frame(self, server: str, lang: str,
                                                                        question: str, page: str) -> None:
        """Their evidence is barely closer than the background (margin 0.013 and 0.007): refused with
        the core languages' margin of 0.02, answered with their own (LOTSE_ABSTAIN_OTHER_MARGIN)."""
        body = ask(server, question)
        assert body["language"] == lang
        assert body["found"] is True, body["answer"]["text"]
        assert page in body["passages"][0]["source"]["url"]
        assert body["answer"]["text"].startswith(message("found", lang))

    @pytest.mark.parametrize("question", ["Elterngeld beantragen", "Gibt es einen Infoabend zum Elterngeld?"])
    def test_a_refusal_names_the_offer_that_has_ended(self, server: str, question: str) -> None:
        """The only Elterngeld page is an info evening that ended on 17 September 2025: hidden from the
        answer, named in the refusal with its link; a question about something else names none. (The
        info-evening question was answered until the start page's list of links stopped being a passage:
        its first line was that list's "Infoabend Elterngeld … (abgelaufen)", the ended offer by another way.)"""
        body = ask(server, question)
        assert body["found"] is False
        ended = body["ended_offer"]
        assert ended and "Elterngeld" in ended["title"] and ended["end_date"].startswith("2025-09-17")
        assert "17.09.2025" in body["answer"]["text"] and ended["url"] in body["answer"]["text"]
        assert "elterngeld" not in " ".join(p["source"]["url"] for p in body["passages"])
        assert ask(server, "Wann hat das Hallenbad am Sonntag geöffnet?")["ended_offer"] is None

    @pytest.mark.parametrize("question", ["Чи є інформаційний вечір про батьківську допомогу?"])
    def test_an_answer_names_the_offer_that_matched_best_but_has_ended(self, server: str, question: str) -> None:
        """The one info evening on parental allowance ended in 2025. The question is still answered, from
        another group's page, and was given that group's dates as if they were the evening's; now the answer
        also names the evening that matched best, with its end date and link. A question that an ended
        offer does not match best names none."""
        body = ask(server, question)
        assert body["found"] is True, body["answer"]["text"]
        ended = body["ended_offer"]
        assert ended and "Elterngeld" in ended["title"] and ended["end_date"].startswith("2025-09-17")
        last = body["answer"]["text"].splitlines()[-1]
        assert "17.09.2025" in last and ended["url"] in last
        assert "elterngeld" not in " ".join(p["source"]["url"] for p in body["passages"])
        assert ask(server, "Wie viel kostet der Deutschkurs für Anfänger?")["ended_offer"] is None

    @pytest.mark.parametrize("question", ["Bis wann muss ich mich für einen Kita-Platz anmelden?",
                                          "До якого числа потрібно зареєструватися на місце в дитячому садку?"])
    def test_a_deadline_question_quotes_the_deadline_first(self, server: str, question: str) -> None:
        """The Kita page's sentences about registering came first by cosine ("… Zusagen ab März 2027");
        the question asks for a deadline, so the sentence that names one leads (assistant/asks.py)."""
        body = ask(server, question)
        first = body["answer"]["text"].splitlines()[0 if body["language"] == "de" else 1]
        assert "31. Januar 2027" in first, body["answer"]["text"]

    @pytest.mark.parametrize("question", ["Wie lange dauert der Deutschkurs?", "Скільки триває курс німецької?"])
    def test_a_question_how_long_quotes_the_period_first(self, server: str, question: str) -> None:
        """The course's audience ("Deutschkurs für Jugendliche ab 16 Jahren …") came first by cosine; the
        question asks how long, so the sentence with the course's dates leads (assistant/asks.py)."""
        body = ask(server, question)
        first = body["answer"]["text"].splitlines()[0 if body["language"] == "de" else 1]
        assert "1. Februar bis 25. Juni 2027" in first, body["answer"]["text"]

    @pytest.mark.parametrize("question", ["What is Bochum planning for childcare?",
                                          "Що планує Бохум щодо догляду за дітьми?"])
    def test_a_question_about_plans_quotes_the_strategy_first(self, server: str, question: str) -> None:
        """The Kita portal's registration period and the school advice's audience came first by cosine; the
        question asks what the city plans, so the strategy's own sentence leads (assistant/asks.py)."""
        body = ask(server, question)
        first = body["answer"]["text"].splitlines()[1]
        assert first.startswith("Wir "), body["answer"]["text"]

    @pytest.mark.parametrize("question", ["How do I register my child for a daycare place in Bochum?",
                                          "Как записать ребенка на место в детском саду в Бохуме?",
                                          "¿Cómo inscribo a mi hijo para una plaza de guardería en Bochum?"])
    def test_how_to_register_quotes_the_way_to_register_first(self, server: str, question: str) -> None:
        """The Kita page's place field and its price came first by cosine; the question asks how to register,
        so its "Anmeldung:" field or its "… online vormerken." sentence leads (assistant/asks.py, "apply")."""
        body = ask(server, question)
        first = body["answer"]["text"].splitlines()[1]
        assert "Anmeldung:" in first or "online vormerken" in first, body["answer"]["text"]

    @pytest.mark.parametrize("question", ["Was ist die Talentschmiede?", "What is the Talentschmiede?",
                                          "ما هي Talentschmiede؟", "Що таке Talentschmiede?"])
    def test_what_is_a_name_quotes_the_sentence_that_names_it(self, server: str, question: str) -> None:
        """Every sentence of the Talentschmiede page is embedded under its title, so the short lines won
        ("Wir unterstützen eine zukunftsweisende duale Berufsausbildung …"), which never say the word.
        The sentence that names it says what it is (assistant/defines.py)."""
        body = ask(server, question)
        lines = body["answer"]["text"].splitlines()
        first = lines[0 if body["answer"]["language"] == "de" else 1]
        assert "erfolgreiche Talentschmiede im Ruhrgebiet" in first, body["answer"]["text"]
        assert "talentschmiede" in body["passages"][0]["source"]["url"].lower()

    @pytest.mark.parametrize("question", ["Was kostet die Hundesteuer?", "How much is the dog tax?"])
    def test_a_price_in_a_table_is_quoted_with_its_table(self, server: str, question: str) -> None:
        """The dog-tax rates stand in a table. Read cell by cell, its rows were alike, and the answer
        quoted the second and third dog's rates without the first's; now every row names its column and
        the whole table is quoted, caption first, in the page's order."""
        body = ask(server, question)
        assert body["found"] is True, body["answer"]["text"]
        text = body["answer"]["text"]
        rows = ["Jährliche Hundesteuer (Beispielwerte)", "• für den ersten Hund – Steuer pro Jahr: 156,00 Euro",
                "• für den zweiten Hund – Steuer pro Jahr: 192,00 Euro je Hund",
                "• für einen gefährlichen Hund – Steuer pro Jahr: 780,00 Euro je Hund"]
        at = [text.find(row) for row in rows]
        assert all(i >= 0 for i in at) and at == sorted(at), text
        passage = next(p for p in body["passages"] if rows[1] in p["text"])
        assert "hundesteuer" in passage["source"]["url"]

    @pytest.mark.parametrize(("question", "expected"), [
        ("Wie viel kostet die Kita bei 40.000 Euro Einkommen?", ["über 37.000 bis 49.000 Euro"]),
        ("Kita Beitrag bei 120.000 Euro", ["über 110.000 Euro"]),
        ("Was kostet ein Kita-Platz?", ["bis 25.000 Euro", "über 110.000 Euro"]),
    ])
    def test_a_long_fee_table_is_quoted_by_the_rows_the_question_needs(self, server: str, question: str,
                                                                         expected: list[str]) -> None:
        """The Kita fees by income are a table of nine lines, split over two passages, whose rows differ
        only in their numbers. The income asked about picks its row; without one, the first and the last
        row say how far the fees go. The caption comes first, and no other row is quoted."""
        body = ask(server, question)
        assert body["found"] is True, body["answer"]["text"]
        lines = body["answer"]["text"].splitlines()
        assert lines[0].startswith("Monatliche Elternbeiträge nach Jahreseinkommen"), lines
        rows = [line for line in lines if " – Kind unter 3 Jahren: " in line]
        assert [r.removeprefix("• ").split(" – ")[0] for r in rows] == expected, lines
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", "\n".join(lines[: len(expected) + 1]))}
        assert all("kita-anmeldung" in body["passages"][n - 1]["source"]["url"] for n in cited)
        # the passages highlight the rows the answer quotes, and no other fee row
        marked = [p["text"][a:b] for p in body["passages"] for a, b in p["highlights"]]
        assert sorted(m.removeprefix("• ").split(" – ")[0] for m in marked if " – Kind unter 3 Jahren: " in m) \
            == sorted(expected), marked

    def test_registering_for_the_german_course_is_answered(self, server: str) -> None:
        """Refused while the background held "Deutsche Rentenversicherung" and a language certificate
        ("Sprachnachweis") for naturalisation: margin 0.014, below 0.02; now 0.031."""
        body = ask(server, "Wie kann ich mich für den Deutschkurs anmelden?")
        assert body["found"] is True, body["answer"]["text"]
        assert "vhs-deutschkurs" in body["passages"][0]["source"]["url"]
        assert "Kursnummer" in body["answer"]["text"]

    @pytest.mark.parametrize(("query", "page", "line"), [
        ("Kita Beitrag", "kita-anmeldung", "Elternbeitrag"),
        ("Kita Beitrag 50.000", "kita-anmeldung", "• über 49.000 bis 62.000 Euro – "),
    ])
    def test_a_few_words_all_in_the_passage_are_answered(self, server: str, query: str, page: str,
                                                         line: str) -> None:
        """Refused while their margin over the background was below 0.02 (0.009 and 0.012): every word
        stands in the fee passages, so they are answered."""
        body = ask(server, query)
        assert body["found"] is True, body["answer"]["text"]
        assert page in body["passages"][0]["source"]["url"]
        assert line in body["answer"]["text"]

    @pytest.mark.parametrize("query", ["Katze anmelden", "Gewerbe anmelden", "Einschulung"])
    def test_a_few_words_not_all_in_the_passage_stay_refused(self, server: str, query: str) -> None:
        """"anmelden" stands in the dog-tax passage, "Katze" and "Gewerbe" in none; one word alone
        ("Einschulung", in one Kita sentence) is no evidence."""
        assert ask(server, query)["found"] is False

    def test_out_of_domain_question_abstains_with_referral(self, server: str) -> None:
        body = ask(server, "Wann hat das Hallenbad am Sonntag geöffnet?")
        assert body["found"] is False
        assert "115" in body["answer"]["text"]
        assert body["answer"]["citations"] == []

    @pytest.mark.parametrize(("question", "quoted"), [
        ("Was plant die Stadt für Schulkinder?", "Betreuung von Schulkindern"),
        ("What does the city do for lifelong learning?", "lebenslangen selbständigen Lernen"),
    ])
    def test_what_the_city_plans_is_answered_from_the_strategy(self, server: str, question: str,
                                                               quoted: str) -> None:
        """A background sentence that named the city ("Die Stadt schreibt offene Stellen … aus") drew
        these away from the strategy page, which answers them (assistant/data/background_de.txt)."""
        body = ask(server, question)
        assert body["found"] is True, body["answer"]["text"]
        assert quoted in body["answer"]["text"]
        assert ask(server, "Wie warnt die Stadt bei Unwetter?")["found"] is False

    def test_session_and_top_k(self, server: str) -> None:
        body = ask(server, KITA_QUESTIONS["de"], session_id="abc-123", top_k=2)
        assert body["session_id"] == "abc-123"
        assert len(body["passages"]) == 2
        assert [p["rank"] for p in body["passages"]] == [1, 2]


class TestSearchAndErrors:
    def test_search(self, server: str) -> None:
        r = httpx.get(f"{server}/v1/search", params={"q": "Deutschkurs VHS", "k": 3}, timeout=30)
        assert r.status_code == 200
        body = r.json()
        assert body["language"] == "de"
        assert len(body["passages"]) == 3
        assert "vhs" in body["passages"][0]["source"]["url"]

    @pytest.mark.parametrize("question", [
        "Deri kur duhet të regjistrohem për një vend në kopsht?",  # sq: by when must I register for a Kita place?
        "我怎样在波鸿为孩子登记幼儿园名额？",  # zh: how do I register my child for a Kita place in Bochum?
    ])
    def test_a_kita_named_in_another_language_finds_the_kita_page(self, server: str, question: str) -> None:
        # "kopsht" and "幼儿园" bring the German "Kita" to BM25 (assistant/offer_names.py); without it the
        # dog-tax and the Elterngeld pages came first
        r = httpx.get(f"{server}/v1/search", params={"q": question, "k": 3}, timeout=30)
        assert r.status_code == 200
        assert "kita" in r.json()["passages"][0]["source"]["url"]

    @pytest.mark.parametrize(
        ("method", "path", "kwargs", "status"),
        [
            ("POST", "/v1/ask", {"json": {"question": ""}}, 422),
            ("POST", "/v1/ask", {"json": {"question": "   "}}, 400),
            ("POST", "/v1/ask", {"json": {"question": "Kita", "top_k": 0}}, 422),
            ("POST", "/v1/ask", {"json": {"question": "Kita", "extra": 1}}, 422),
            ("POST", "/v1/ask", {"json": {"question": "Kita", "language": "xx"}}, 422),
            ("POST", "/v1/ask", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422),
            ("POST", "/v1/ask", {"json": {"question": "x" * 5000}}, 400),
            ("GET", "/v1/search", {}, 422),
            ("GET", "/v1/nothing", {}, 404),
            ("GET", "/v1/ask", {}, 405),
        ],
    )
    def test_errors_are_json_with_a_message(self, server: str, method: str, path: str, kwargs: dict,
                                            status: int) -> None:
        r = httpx.request(method, f"{server}{path}", timeout=30, **kwargs)
        assert r.status_code == status, r.text
        body = r.json()
        assert set(body) == {"error", "message"}
        assert len(body["message"]) > 10

    def test_health_and_ready(self, server: str) -> None:
        assert httpx.get(f"{server}/health").json() == {"status": "ok"}
        ready = httpx.get(f"{server}/ready").json()
        assert ready["ready"] is True and ready["passages"] > 10


class TestCli:
    def test_ask_json(self, demo_data_dir: Path, model_path: str) -> None:
        env = {**os.environ, "LOTSE_EMBEDDING_MODEL": model_path}
        proc = subprocess.run([*LOTSE, "ask", KITA_QUESTIONS["ar"], "--data-dir", str(demo_data_dir), "--json"],
                              env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        body = json.loads(proc.stdout)
        assert body["passages"][0]["source"]["section"] == KITA_SECTION

    @pytest.mark.parametrize(("locale", "language"), [("de_DE.UTF-8", "de"), ("tr_TR.UTF-8", "tr")])
    def test_the_terminals_language_settles_one_word(self, demo_data_dir: Path, model_path: str,
                                                      locale: str, language: str) -> None:
        env = {**os.environ, "LOTSE_EMBEDDING_MODEL": model_path, "LANG": locale, "LC_ALL": "", "LC_MESSAGES": ""}
        proc = subprocess.run([*LOTSE, "ask", "Kita", "--data-dir", str(demo_data_dir), "--json"],
                              env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["language"] == language

    def test_a_chosen_language_frames_the_answer(self, demo_data_dir: Path, model_path: str) -> None:
        env = {**os.environ, "LOTSE_EMBEDDING_MODEL": model_path}
        question = "How do I get a Kita-Platz in Wattenscheid?"
        proc = subprocess.run([*LOTSE, "ask", question, "--data-dir", str(demo_data_dir), "--json", "-l", "en"],
                              env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        body = json.loads(proc.stdout)
        assert body["language"] == "de" and body["answer"]["language"] == "en"
        bad = subprocess.run([*LOTSE, "ask", question, "--data-dir", str(demo_data_dir), "--language", "xx"],
                             env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
        assert bad.returncode == 2 and "not a language we serve" in bad.stderr and "Traceback" not in bad.stderr

    def test_missing_index_is_a_clear_error(self, tmp_path: Path, model_path: str) -> None:
        env = {**os.environ, "LOTSE_EMBEDDING_MODEL": model_path}
        proc = subprocess.run([*LOTSE, "ask", "Kita?", "--data-dir", str(tmp_path)], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 1
        assert "lotse ingest" in proc.stderr and "Traceback" not in proc.stderr
