"""What a question asks for, in the served languages, and whether a German sentence gives it."""

from __future__ import annotations

import pytest

from assistant.asks import asked_for, asks_another_kind, gives


@pytest.mark.parametrize(("question", "kind"), [
    ("Bis wann muss ich mich für einen Kita-Platz anmelden?", "until"),
    ("What is the deadline to register for a daycare place?", "until"),
    ("ما هو آخر موعد للتسجيل للحصول على مكان في الحضانة؟", "until"),
    ("Kreş yeri için en geç ne zamana kadar kayıt yaptırmalıyım?", "until"),
    ("До якого числа потрібно зареєструватися на місце в дитячому садку?", "until"),
    ("Wann findet der Deutschkurs statt?", "when"),
    ("Когда начинается курс?", "when"),
    ("متى يبدأ الدرس؟", "when"),
    ("Wie viel kostet der Deutschkurs für Anfänger?", "cost"),
    ("Wie hoch ist die Anmeldegebühr?", "cost"),  # a German compound
    ("How much is the course fee?", "cost"),
    ("Скільки коштує курс німецької?", "cost"),
    ("Almanca kursu ne kadar?", "cost"),
    ("هزینه کلاس زبان آلمانی چقدر است؟", "cost"),
    ("Wie melde ich mein Kind für einen Kita-Platz an?", "apply"),  # not "when": Albanian "kur" is a word
    ("Hat die Musikschule einen Kurs für fünfjährige Kinder?", None),  # Albanian "kur" is a whole word
    # how long, and no deadline: "Frist" stands inside "unbefristete"
    ("Wie lange muss man für eine unbefristete Aufenthaltserlaubnis in Deutschland leben?", "duration"),
    ("Is there coffee at the parents' evening?", None),  # "fee" inside
    ("Chiến lược Bochum nói gì về giáo dục phổ thông?", None),  # Vietnamese "giá" inside "giáo"
    ("Okul danışmanlığı kaç yaşına kadar?", None),  # Turkish "kadar", not Croatian "kada"
    ("Wann ist der Kurs und was kostet er?", None),  # a date and a price at once: no preference
    ("Wo ist das?", "where"),
    ("Where does the parents' group meet?", "where"),
    ("أين يقع مركز الاستشارة؟", "where"),
    ("Де проходить курс?", "where"),
    ("Kurs nerede?", "where"),
    ("在哪里上课？", "where"),
    ("Где находится центр?", "where"),
    ("Gibt es in der Woche einen Kurs?", None),  # "wo" is a whole word, not "Woche"
    ("Where is the Kita portal?", "where"),
    ("Which target group is addressed by the music school?", None),
    ("Wo bekomme ich Beratung zur Schule für mein Kind?", None),  # who advises, not a street
    ("Де я можу отримати консультацію щодо школи?", None),
    ("Ebeveynler eğitim sorunlarında nereden yardım alabilir?", None),
    ("Wann und wo findet der Kurs statt?", None),
    ("Wie hoch ist die Hundesteuer?", "cost"),
    ("Wie hoch sind die Elternbeiträge für die Kita?", "cost"),
    ("Wie viel zahle ich für die Musikschule?", "cost"),
    ("Wie kann ich einen Beitrag zur Bildungsstrategie leisten?", None),  # a contribution, not a fee
    ("Wie lange dauert der Deutschkurs?", "duration"),
    ("How long is the German course?", "duration"),
    ("Almanca kursu ne kadar sürüyor?", "duration"),  # "ne kadar" alone asks a price
    ("Almanca kursu ne kadar?", "cost"),
    ("Скільки триває курс німецької?", "duration"),
    ("كم مدة دورة اللغة الألمانية؟", "duration"),
    ("دوره زبان آلمانی چقدر طول می کشد؟", "duration"),  # "چقدر" alone asks a price
    ("Wann und wie lange findet der Kurs statt?", None),
    ("Ist die Förderung dauerhaft?", None),
    ("أين تجتمع المجموعة؟", "where"),  # where does the group meet
    ("Де збирається група?", "where"),
    ("Где встречается группа?", "where"),
    ("Де він проходить?", "where"),
    ("گروه کجا تشکیل می‌شود؟", "where"),
    ("Was plant Bochum für die Kinderbetreuung?", "plan"),
    ("What is Bochum planning for childcare?", "plan"),
    ("What are the city's plans for childcare?", "plan"),
    ("ماذا تخطط بوخوم لرعاية الأطفال؟", "plan"),
    ("Що планує Бохум щодо догляду за дітьми?", "plan"),
    ("波鸿在儿童照料方面有什么计划？", "plan"),
    ("Welches Ziel hat die Realschule?", "plan"),
    ("Was ist die Bochum Strategie?", None),  # a name to define (assistant.defines), not plans
    ("When is the planetarium open?", "when"),  # "plan…" starts no plan here
    ("Who is the brochure intended for?", None),  # an audience
    ("لمن يستهدف كتيب العمل في ميونخ؟", None),  # "targets": an audience, though it holds هدف
    ("Può mio figlio imparare il piano alla scuola di musica?", None),  # Italian "piano": the instrument
    # how to register: a word for registering beside a word for "how", and no other kind asked
    ("Wie melde ich mein Kind in der Kita an?", "apply"),
    ("How do I register for the German course?", "apply"),
    ("Kreşe nasıl kayıt yaptırabilirim?", "apply"),
    ("كيف أسجل في دورة اللغة الألمانية؟", "apply"),
    ("Як записатися на курс німецької мови?", "apply"),
    ("چطور در کلاس زبان آلمانی ثبت نام کنم؟", "apply"),
    ("Πώς εγγράφω το παιδί μου σε παιδικό σταθμό;", "apply"),  # "πώς" casefolds to "πώσ"
    ("我怎样在波鸿为孩子登记幼儿园名额？", "apply"),
    ("Ist die Anmeldung kostenlos?", "cost"),  # a price, though it names the registration
    ("Wer hilft mir bei der Kita-Anmeldung?", None),  # a person: no "how"
    ("Where do I register?", None),  # no "how"; and "where do" asks whom, like "Wo finde ich Hilfe"
])
def test_what_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asked_for(question) == kind


@pytest.mark.parametrize(("kind", "sentence", "expected"), [
    ("until", "Für das Kita-Jahr 2027/2028 zählen alle Vormerkungen, die bis zum 31. Januar 2027 eingehen.", True),
    ("until", "Anmeldung bis: 16. August 2027", True),
    ("until", "Frist: Vormerkung bis 31. Januar 2027 für das Kita-Jahr ab 1. August 2027", True),
    ("until", "Die Kitas melden sich anschließend; Zusagen werden voraussichtlich ab März 2027 verschickt.", False),
    # a period is when the offer runs, a deadline only beside a word for registering
    ("until", "Zeitraum: 3. März 2027 bis 7. April 2027", False),
    ("until", "Die Gruppe trifft sich vom 3. März bis 7. April 2027 jeweils mittwochs.", False),
    ("until", "Die Vormerkung ist vom 2. November 2026 bis 31. Januar 2027 möglich.", True),
    ("when", "Die Kitas melden sich anschließend; Zusagen werden voraussichtlich ab März 2027 verschickt.", True),
    ("when", "Der Unterricht findet montags von 9:00 bis 12:15 Uhr statt.", True),
    ("when", "Das Portal ist auf Deutsch und Englisch verfügbar.", False),
    ("cost", "Die Kursgebühr beträgt 145 Euro einschließlich Lehrbuch.", True),
    ("cost", "Kosten: 72,50 €", True),
    ("cost", "Die Vormerkung ist kostenlos.", True),
    ("cost", "Die Gruppe hat höchstens 16 Teilnehmende.", False),
    ("where", "• Ort: Bildungs- und Verwaltungszentrum (BVZ), Gustav-Heinemann-Platz 2-6, 44787 Bochum", True),
    ("where", "Bezirk: Bochum-Mitte", False),  # the place field says more
    ("where", "• Ort: Beispielweg 7, 44894 Bochum", True),
    ("where", "Die Treffen finden mittwochs in Bochum-Langendreer statt, Beispielweg 7.", True),
    ("where", "Die Beratung ist im Rathaus, Marktstraße 12, Raum 204.", True),
    ("where", "Der Kurs richtet sich an Jugendliche ab 16 Jahren und Erwachsene.", False),
    ("where", "Die Gruppe trifft sich vom 3. März bis 7. April 2027 jeweils mittwochs.", False),
    ("duration", "Die Gruppe trifft sich vom 3. März bis 7. April 2027 jeweils mittwochs.", True),
    ("duration", "Zeitraum: 1. Februar 2027 bis 25. Juni 2027", True),
    ("duration", "An sechs Abenden tauschen sich bis zu zwölf Eltern aus.", True),
    ("duration", "Der Unterricht findet montags von 9:00 bis 12:15 Uhr statt.", True),
    ("duration", "Die Grundschule dauert vier Jahre.", True),
    ("duration", "Der Kurs richtet sich an Jugendliche ab 16 Jahren und Erwachsene.", False),  # an age
    ("duration", "Für Kinder von 4 bis 6 Jahren.", False),
    ("duration", "Die Kursgebühr beträgt 145 Euro einschließlich Lehrbuch.", False),
    ("plan", "Wir fördern eine zeitlich umfassende, flexible und verlässliche Kita-Betreuung.", True),
    ("plan", "• Wir unterstützen eine hohe Durchlässigkeit des Bildungssystems.", True),
    ("plan", "Im Sinne der UniverCity Bochum stärken wir den Status Bochums als Hochschulstandort.", True),
    ("plan", "Das Ziel, die Fähigkeiten und Talente jeder und jedes Einzelnen zu entdecken, steht im Mittelpunkt.",
     True),
    ("plan", "Eltern können ihr Kind im Kita-Portal Bochum online vormerken.", False),
    ("plan", "Zeitraum: 2. November 2026 bis 31. Januar 2027", False),
    # an address's digits and words are no date, price or place
    ("when", "Anmeldung: http://127.0.0.1:8001/angebote/vhs-deutschkurs-a1.html", False),
    ("when", "Infos: www.bochum.de/termine-17.09.2025", False),
    ("where", "Kontakt: https://www.bochum.de/Bochum-Mitte/Beratung", False),
    ("cost", "Anmeldung per E-Mail an kostenlos-beraten@example.org", False),
    ("when", "Anmeldung per E-Mail an vhs@example.org bis 12.03.2027", True),
    # a way to register: the registration field, or a word for registering with a channel
    ("apply", "Anmeldung: online im Kursprogramm der VHS Bochum oder telefonisch unter 0234 910-0000.", True),
    ("apply", "Eltern können ihr Kind im Kita-Portal Bochum online vormerken.", True),
    ("apply", "Einen festen Termin vereinbaren Sie telefonisch unter 0234 910-0000.", True),
    ("apply", "Die Vormerkung ist kostenlos; die späteren Elternbeiträge richten sich nach dem Einkommen.", False),
    ("apply", "Hilfe beim Ausfüllen bietet das Familienbüro – persönlich oder telefonisch.", False),
    ("apply", "Die Kursgebühr beträgt 145 Euro einschließlich Lehrbuch.", False),
])
def test_whether_a_sentence_gives_it(kind: str, sentence: str, expected: bool) -> None:
    assert gives(kind, sentence) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("question", "earlier", "expected"), [
    # the price question in front pulls against the registration question
    ("А как записаться?", "Сколько стоит детский сад?", True),
    ("До якого числа?", "А скільки це коштує?", True),
    # a topic question in front asks for no kind: the whole query orders the sentences
    ("А до какого числа нужно записаться?", "Есть ли группа для родителей маленьких детей с истериками?", False),
    ("Und was kostet das?", "Was kostet die Kita?", False),  # the same kind
    ("Und für Kinder unter drei?", "Was kostet die Kita?", False),  # no kind asked
])
def test_a_question_that_asks_another_kind_than_the_one_before(question: str, earlier: str, expected: bool) -> None:
    assert asks_another_kind(question, earlier) is expected
