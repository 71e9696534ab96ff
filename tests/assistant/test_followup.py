"""Follow-up detection: multilingual cues, topic changes stand alone, the anchor question."""

from __future__ import annotations

import pytest

from assistant.followup import FollowUp
from assistant.sessions import Turn


def turns(*questions: str) -> list[Turn]:
    return [Turn(q, "de", f"a{i}", True) for i, q in enumerate(questions)]


@pytest.mark.parametrize("question", [
    "Und für Kinder unter drei?", "Und was kostet das?", "Wie komme ich dorthin?", "What about the cost?",
    "And how do I deregister it?", "وكم التكلفة؟", "Peki ücreti ne kadar?", "А скільки це коштує?",
    "А сколько он стоит?", "A ile to kosztuje?", "و به چه زبانی؟", "Kosten?", "Wo findet er statt?",
    "Wie melde ich ihn ab?", "Gibt es das auch auf Türkisch?", "Geht das auch online?", "Kostet das denn etwas?",
])
def test_follow_ups_are_recognised(question: str) -> None:
    assert FollowUp().cue(question)


@pytest.mark.parametrize("question", [
    "¿Y para niños menores de tres años?", "¿Cuánto cuesta eso al mes?", "Et pour les enfants de moins de trois ans ?",
    "Combien coûte cela par mois ?", "E per i bambini sotto i tre anni?", "Și pentru copiii sub trei ani?",
    "Και για παιδιά κάτω των τριών ετών;", "Ами за деца под три години?", "Koliko to košta tamo mjesečno?",
    "Dhe për fëmijët nën tre vjeç?", "Còn trẻ dưới ba tuổi thì sao?",
])
def test_follow_ups_in_the_other_served_languages(question: str) -> None:
    assert FollowUp().cue(question)


@pytest.mark.parametrize("question", [
    "Wie hoch ist die Hundesteuer für den ersten Hund?", "Was plant Bochum für das Schulsystem?",
    "What does the music school offer for preschool children?", "Çocuğumu kreşe nasıl kaydettirebilirim?",
    "Чи є курс німецької мови для початківців?", "هل توجد استشارة مدرسية للعائلات القادمة حديثا؟",
    "وقت ثبت نام مهدکودک در بوخوم کی است؟",  # Persian: a word that merely begins with و
    "Gibt es auch Kurse am Abend für Berufstätige?",  # the dummy "es" before "auch"
    "Wie funktioniert das Schulsystem in Nordrhein-Westfalen?",  # "das" before a noun: an article
])
def test_questions_with_their_own_topic_stand_alone(question: str) -> None:
    assert FollowUp().cue(question) == ""


@pytest.mark.parametrize("question", [
    "¿Cómo inscribo a mi hijo en una guardería en Bochum?", "Comment inscrire mon enfant à la crèche à Bochum ?",
    "Come iscrivo mio figlio all'asilo a Bochum?", "Cum îmi înscriu copilul la grădiniță în Bochum?",
    "Kako mogu prijaviti dijete za vrtić u Bochumu?", "Si mund ta regjistroj fëmijën në kopsht në Bochum?",
    "How to register my child for daycare in Bochum?",  # "to" is no back-reference
])
def test_other_languages_questions_with_their_own_topic_stand_alone(question: str) -> None:
    assert FollowUp().cue(question) == ""


@pytest.mark.parametrize(("question", "language"), [
    ("¿A quién aviso de una farola rota?", "es"),  # "a" is "to", not the Polish "and"
    ("I corsi di tedesco per principianti quanto costano?", "it"),  # an article, not the Polish "i"
    ("A ka shkolla e muzikës kurs për fëmijë pesë vjeç?", "sq"),  # the particle of a yes/no question
    ("Thuế chó ở Bochum là bao nhiêu?", "vi"),  # "là" is "is", not the French "there"
    ("初学者德语课多少钱？", "zh"),  # seven characters, three or four words
    ("游泳池什么时候开放？", "zh"),
])
def test_one_languages_cue_word_is_an_ordinary_word_in_another(question: str, language: str) -> None:
    assert FollowUp().cue(question, {language}) == ""


@pytest.mark.parametrize(("question", "language"), [
    ("A ile to kosztuje?", "pl"), ("E per i bambini più piccoli quanto costa?", "it"),
    ("那费用呢？", "zh"),  # "and the cost?"
    ("多少钱？", "zh"),  # "how much?": short
    ("它在哪里？", "zh"),  # "where is it?"
])
def test_follow_ups_in_the_questions_own_language(question: str, language: str) -> None:
    assert FollowUp().cue(question, {language})


def test_the_conversations_language_counts_as_well_as_the_questions() -> None:
    question = "A ile kosztuje miesięcznie opieka nad dzieckiem?"
    assert FollowUp().cue(question, {"es"}) == ""
    # A detector that takes the Polish question for Spanish: the Polish conversation still decides.
    history = [Turn("Jak zapisać dziecko do przedszkola?", "pl", "a0", True)]
    assert FollowUp().run(question, history, language="es").cue == "opener:pl:a"
    history = [Turn("¿Cómo inscribo a mi hijo en una guardería?", "es", "a0", True)]
    assert not FollowUp().run("¿A qué edad pueden empezar en la escuela de música?", history,
                              language="es").is_followup


def test_no_history_no_context() -> None:
    ctx = FollowUp().run("Und was kostet das?", [])
    assert not ctx.is_followup and ctx.query == "Und was kostet das?"


def test_follow_up_is_retrieved_with_the_previous_question() -> None:
    ctx = FollowUp().run("Und was kostet das?", turns("Wie melde ich mein Kind für die Kita an?"))
    assert ctx.is_followup
    assert ctx.query == "Wie melde ich mein Kind für die Kita an? Und was kostet das?"


def test_a_chain_of_follow_ups_goes_back_to_the_question_with_the_topic() -> None:
    ctx = FollowUp().run("Und für Kinder unter drei?", turns("Wie melde ich mein Kind für die Kita an?",
                                                             "Und was kostet das?"))
    assert ctx.previous == "Wie melde ich mein Kind für die Kita an? Und was kostet das?"


def test_a_follow_up_that_asks_for_another_kind_leans_on_the_topic_alone() -> None:
    """A deadline after a price: the price question in front pulled the fee table again."""
    history = [Turn("Як записати дитину в дитячий садок?", "uk", "a0", True),
               Turn("А скільки це коштує?", "uk", "a1", True)]
    assert FollowUp().run("До якого числа?", history, "uk").previous == "Як записати дитину в дитячий садок?"
    ctx = FollowUp().run("Und bis wann?", turns("Wie melde ich mein Kind für die Kita an?", "Und was kostet das?"))
    assert ctx.previous == "Wie melde ich mein Kind für die Kita an?"
    # the same kind, or none, keeps the last follow-up in front
    ctx = FollowUp().run("Und wie viel für Kinder unter drei?", turns("Wie melde ich mein Kind für die Kita an?",
                                                                       "Und was kostet das?"))
    assert ctx.previous == "Wie melde ich mein Kind für die Kita an? Und was kostet das?"


def test_the_first_question_carries_the_topic_whatever_its_words() -> None:
    """ "there" is a back-reference, but "Is there …?" opens the conversation: it is what the rest lean on."""
    history = [Turn("Is there a German course for beginners at the VHS?", "en", "a0", True),
               Turn("How much is it?", "en", "a1", True)]
    ctx = FollowUp().run("And when are the classes?", history, "en")
    assert ctx.previous == "Is there a German course for beginners at the VHS?"


def test_topic_change_is_not_dragged_back() -> None:
    ctx = FollowUp().run("Wie hoch ist die Hundesteuer?", turns("Wie melde ich mein Kind für die Kita an?"))
    assert not ctx.is_followup


def test_disabled_and_invalid_settings() -> None:
    assert not FollowUp(enabled=False).run("Und dann?", turns("Kita Anmeldung Bochum")).is_followup
    with pytest.raises(ValueError, match="-1"):
        FollowUp(max_short_words=-1)
