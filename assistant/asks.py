"""What a question asks for (a date, a price, a place, how long) and whether a German sentence gives it.

"Bis wann muss ich mich für einen Kita-Platz anmelden?" wants a date. Sentence cosines rank the
Kita page's sentences about registering above the one that names the deadline, because they
share more of the question's topic; the deadline sentence is one of several near ties. When the
question asks for a date, a price or a place, the evidence selector counts it in favour of a
sentence that holds one (``EvidenceSelector.type_bonus``). "Wo ist das?" after a question about a
course quoted the course's audience again; the sentence and the field that name its place now come
first. "Where can I get advice?" asks who advises, so it is no question for a place. "How do I register for the
German course?" quoted the course fee and its language of teaching first; a how-question about
registering now prefers the sentence that says how (online, by phone, with a form). The cues are
words in the served languages, no model; the sentences are German, so what a date, a price or a
place looks like is German too.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["Asks", "asked_for", "cue_pattern", "gives"]

Asks = Literal["until", "when", "cost", "where", "duration", "plan", "apply"]

# Matched in the casefolded question. A cue in Latin, Greek or Cyrillic letters starts a word
# ("fee" is not in "coffee") and may end inside one, so a stem ("безкоштовн") covers its endings; a
# cue marked "~" may also stand inside a word, for German compounds ("Anmeldegebühr"). Arabic,
# Persian and the scripts without spaces match anywhere; one ending in "=" is a whole word ("kada",
# not Turkish "kadar"; "giá", not "giáo"). Several cues serve more than one language.
_CUES: dict[Asks, tuple[str, ...]] = {
    # A deadline: the date by which something must happen, not any date ("ab März" is no deadline).
    "until": (
        "bis wann", "frist", "deadline", "until when", "by when", "by what date", "until what date",  # de, en
        "آخر موعد", "حتى متى", "ne zamana kadar", "son gün", "son başvuru",  # ar, tr
        "до якого числа", "до якого терміну", "до какого числа", "до какого срока", "крайний срок",  # uk, ru
        "مهلت", "تا چه زمانی", "تا کی",  # fa
        "do kiedy", "hasta cuándo", "fecha límite", "jusqu'à quand", "date limite", "entro quando",  # pl, es, fr, it
        "până când", "termenul limită", "μέχρι πότε", "προθεσμία", "до кога", "краен срок",  # ro, el, bg
        "do kada", "rok za", "deri kur", "afati", "hạn chót", "截止", "अंतिम तिथि", "ภายในวันที่",  # hr, sq, vi, zh, hi, th
    ),
    "when": (
        "wann", "uhrzeit", "öffnungszeit", "wochentag", "an welchem tag", "welchen tagen",  # de
        "when", "what time", "which day", "what day", "opening hours",  # en
        "متى", "موعد", "تاريخ", "أي يوم", "ساعة",  # ar
        "ne zaman", "hangi gün", "saat kaç", "tarih",  # tr
        "коли", "з якого числа", "термін", "о котрій", "який день", "якого дня",  # uk
        "когда", "с какого числа", "срок", "во сколько", "какой день", "в какой день",  # ru
        "چه زمانی", "چه روزی", "تاریخ", "چه ساعتی", "کی باید",  # fa
        "kiedy", "termin", "o której", "który dzień", "w jaki dzień", "w którym dniu",  # pl
        "cuándo", "plazo", "qué día", "a qué hora",  # es
        "quand", "délai", "quel jour", "à quelle heure",  # fr
        "quando", "scadenza", "che giorno", "a che ora", "quale giorno",  # it
        "când", "termen", "ce zi", "la ce oră",  # ro
        "πότε", "ποια μέρα", "τι ώρα",  # el
        "кога", "срокът", "кой ден", "в колко часа",  # bg
        "kada=", "koji dan", "u koliko sati",  # hr
        "kur=", "cilën ditë", "në çfarë ore", "në cilën ditë",  # sq
        "khi nào", "ngày nào", "mấy giờ", "thứ mấy",  # vi
        "什么时候", "哪天", "几点", "星期几",  # zh
        "कब", "किस दिन", "कितने बजे",  # hi
        "เมื่อไหร่", "เมื่อไร", "วันไหน", "กี่โมง",  # th
    ),
    "cost": (
        "kostet", "kosten", "~gebühr", "~preis", "kostenlos", "gratis", "bezahlen", "wie teuer",  # de
        "wie hoch ist", "wie hoch sind", "zahle", "elternbeitr", "mitgliedsbeitr", "kursbeitr",  # de
        "cost", "price", "fee", "how much", "free of charge", "is it free", "pay for",  # en
        "تكلفة", "يكلف", "تكلف", "رسوم", "سعر", "مجاني", "مجانا", "مجانًا",  # ar
        "ücret", "fiyat", "ne kadar", "para öde", "bedava",  # tr
        "коштує", "вартість", "ціна", "безкоштовн", "платити", "платн", "оплата",  # uk (платна: is it paid)
        "стоит", "стоимость", "цена", "бесплатн", "платить", "платн", "оплата",  # ru
        "هزینه", "قیمت", "رایگان", "چقدر", "پرداخت",  # fa
        "kosztuje", "koszt", "cena", "opłat", "bezpłatn", "darmow",  # pl
        "cuesta", "precio", "coste", "costo", "gratis", "gratuit", "tarifa",  # es (and fr/it "gratuit…")
        "coûte", "coût", "prix", "frais", "tarif",  # fr
        "costa", "prezzo",  # it
        "costă", "preț", "taxa",  # ro
        "κοστίζει", "κόστος", "τιμή", "δωρεάν",  # el
        "струва", "безплатн", "такса",  # bg
        "košta", "cijena", "besplatn", "trošak",  # hr
        "kushton", "çmim", "falas",  # sq
        "bao nhiêu tiền", "giá=", "chi phí", "miễn phí", "học phí",  # vi
        "多少钱", "费用", "价格", "免费", "收费",  # zh
        "कितना खर्च", "शुल्क", "कीमत", "मुफ्त", "फीस",  # hi
        "ราคา", "ค่าใช้จ่าย", "ฟรี", "เท่าไหร่", "ค่าเรียน",  # th
    ),
    # A place: where something is or happens, its address, its district. Not "where can I get help":
    # that asks who helps, and the answer names a service, not its street (docs/benchmarks.md).
    "where": (
        "wo ist", "wo sind", "wo findet", "wo finden", "wo treffen", "wo trifft", "wo liegt", "wo liegen",  # de
        "wo befindet", "wo genau", "wohin", "adresse", "anschrift", "standort", "in welchem stadtteil",  # de
        "in welchem stadtbezirk",  # de
        "where is", "where's", "where are", "where does", "where do they", "where will", "where exactly",  # en
        "address=", "location", "which district",  # en ("addressed" is no place)
        "أين يقع", "أين تقع", "أين هو", "أين هي", "أين يعقد", "أين تعقد", "أين يقام", "أين تقام", "عنوان",  # ar
        "أين تجتمع", "أين يجتمع", "أين تلتقي", "أين يلتقي",  # ar: where does the group meet
        "nerede=", "nerededir", "nereye", "adres", "hangi semt",  # tr ("nereden alabilirim": from whom)
        "де це", "де знаходиться", "де розташован", "де проходить", "де проходять", "де відбува", "куди",  # uk
        "де збира", "де зустріча", "де він", "де вона", "де воно", "де вони",  # uk: meets; where is it
        "адрес", "в якому районі",  # uk, ru
        "где это", "где находится", "где расположен", "где проходит", "где проходят", "где будет", "куда",  # ru
        "в каком районе", "где собира", "где встреча", "где он", "где она", "где оно", "где они",  # ru
        "کجاست", "کجا برگزار", "کجا قرار", "کجا تشکیل", "کجا جمع", "آدرس", "نشانی",  # fa
        "gdzie jest", "gdzie są", "gdzie odbywa", "gdzie znajduje", "w jakiej dzielnicy",  # pl
        "dónde está", "dónde es", "dónde se", "dónde queda", "dirección",  # es
        "où est", "où se", "où a lieu", "où ont lieu",  # fr ("adresse" above)
        "dov'è", "dove è", "dove si", "dove sono", "indirizzo",  # it
        "unde este", "unde e=", "unde se", "unde are loc", "unde au loc", "adresa",  # ro, hr, sq
        "πού είναι", "πού βρίσκεται", "πού γίνεται", "πού γίνονται", "διεύθυνση",  # el
        "къде е", "къде се", "къде са",  # bg
        "gdje je", "gdje se", "gdje su", "ku është", "ku ndodhet", "ku zhvillohet",  # hr, sq
        "địa chỉ", "diễn ra ở đâu", "nằm ở đâu", "nó ở đâu",  # vi
        "地址", "在哪里举行", "在哪里上课", "哪个区",  # zh
        "कहाँ है", "कहां है", "कहाँ होगा", "कहाँ होता", "कहाँ होती",  # hi
        "อยู่ที่ไหน", "ที่อยู่", "จัดที่ไหน",  # th
    ),
    # How long something lasts: a course's weeks, a period, hours. "Wie lange dauert der Deutschkurs?"
    # quoted the course's audience first and its dates second.
    "duration": (
        "wie lange", "wie viele wochen", "wie viele monate", "wie viele jahre", "wie viele tage",  # de
        "wie viele stunden", "welche dauer", "wie ist die dauer",  # de
        "how long", "how many weeks", "how many months", "how many years", "how many days", "how many hours",  # en
        "duration",  # en
        "كم مدة", "ما مدة", "ما هي مدة", "كم من الوقت", "كم يستغرق", "كم تستغرق", "كم تدوم", "كم يدوم",  # ar
        "ne kadar sür", "kaç hafta", "kaç ay", "kaç yıl", "kaç gün", "kaç saat", "ne kadar zaman",  # tr
        "як довго", "скільки триває", "скільки часу", "тривалість", "скільки тижнів", "скільки місяців",  # uk
        "как долго", "сколько длится", "сколько времени", "продолжительность", "сколько недель",  # ru
        "сколько месяцев",  # ru
        "چه مدت", "چقدر طول", "چند هفته", "چند ماه", "چند سال", "چند روز", "مدت",  # fa
        "jak długo", "ile trwa", "ile tygodni", "ile miesięcy",  # pl
        "cuánto dura", "cuánto tiempo", "cuántas semanas", "cuántos meses", "duración",  # es
        "combien de temps", "combien de semaines", "combien de mois", "durée",  # fr
        "quanto dura", "quanto tempo", "quante settimane", "quanti mesi", "durata",  # it (ro "durata")
        "cât durează", "cât timp", "câte săptămâni", "câte luni",  # ro
        "πόσο διαρκεί", "πόσο καιρό", "πόσο χρόνο", "διάρκεια",  # el
        "колко продължава", "колко време", "продължителност",  # bg
        "koliko traje", "koliko dugo", "trajanje", "sa zgjat", "sa kohë",  # hr, sq
        "bao lâu", "kéo dài", "mấy tuần", "mấy tháng",  # vi
        "多长时间", "多久", "几周", "几个月",  # zh
        "कितने समय", "कितना समय", "कितने दिन", "कितने हफ्ते", "कितने महीने",  # hi
        "นานเท่าไร", "นานแค่ไหน", "กี่สัปดาห์", "กี่เดือน",  # th
    ),
    # What the city plans or aims for: the strategy's own sentences ("Wir fördern eine … Kita-Betreuung.").
    # "What is Bochum planning for childcare?" quoted the Kita portal's registration period. Verbs of
    # planning and nouns of goals only: "Strategie" would turn "Was ist die Bochum Strategie?" from a
    # question about a name (``assistant.defines``) into one about plans, and Italian "piano" is also
    # the instrument, English "planet…" no plan.
    "plan": (
        "plant=", "planen", "geplant", "vorhaben", "vorhat", "ziel=", "ziele=", "zielen=",  # de
        "planning", "plan=", "plans=", "planned", "goal", "aim=", "aims=",  # en ("intended for": an audience)
        "تخطط", "يخطط", "خطة", "خطط", "أهداف", "الهدف",  # ar (not "هدف" alone: يستهدف, targets, an audience)
        "planl", "plan=", "planı", "hedef",  # tr
        "планує", "плану", "план=", "плани", "планах", "мета=", "мету", "цілі",  # uk
        "планирует", "планы", "планах", "цели=", "цель",  # ru
        "چه برنامه", "برنامه‌ریزی", "برنامه ریزی", "هدف از", "هدفش", "اهداف",  # fa (Arabic script: not "هدف")
        "planuje", "plany", "cel=", "cele=", "celem",  # pl
        "planea", "planes", "prevé", "objetivo",  # es
        "prévoit", "projette", "objectif",  # fr
        "prevede", "pianifica", "obiettiv",  # it
        "planifică", "planuri", "obiectiv",  # ro
        "σχεδιάζει", "σχέδι", "στόχ",  # el
        "планира", "планове", "цел=",  # bg
        "planira", "planove", "cilj",  # hr
        "planifikon", "qëllim",  # sq
        "kế hoạch", "mục tiêu", "dự định",  # vi
        "计划", "目标", "规划",  # zh
        "योजना", "लक्ष्य",  # hi
        "แผน", "เป้าหมาย",  # th
    ),
    # How to register or apply: a word for registering, counted only beside a word for "how" (``_HOW``) and
    # only when no other kind is asked ("Bis wann muss ich mich anmelden?" wants the deadline, "Ist die
    # Anmeldung kostenlos?" the price, "Wer hilft mir bei der Anmeldung?" a person).
    "apply": (
        "anmeld", "melde ich", "melden wir", "registrier", "einschreib", "vormerk", "beantrag", "bewerb",  # de
        "register", "registration", "sign up", "sign my", "enrol", "enroll", "apply", "application",  # en
        "get a place", "get a spot",  # en
        "أسجل", "التسجيل", "تسجيل", "أقدم", "التقديم", "الاشتراك",  # ar
        "kayıt", "kayd", "kaydol", "başvur",  # tr
        "записати", "записатися", "зареєстр", "реєстрац", "подати заяв",  # uk
        "записать", "записаться", "зарегистр", "регистрац", "подать заяв",  # ru
        "ثبت نام", "ثبت‌نام", "ثبتنام",  # fa
        "zapisać", "zapisz", "zarejestr", "rejestrac", "zgłosić",  # pl
        "inscrib", "inscripci", "registr", "apunt", "solicit",  # es
        "inscri", "enregistr",  # fr
        "iscriv", "iscrizion",  # it
        "înscri", "inscri", "înregistr",  # ro
        "εγγραφ", "εγγράφ",  # el
        "запиша", "записване", "регистрир",  # bg
        "prijavi", "prijav", "upisati", "upis",  # hr
        "regjistr", "aplikoj",  # sq
        "đăng ký",  # vi
        "登记", "报名", "注册", "申请",  # zh
        "पंजीकरण", "दाखिला", "रजिस्टर", "आवेदन",  # hi
        "ลงทะเบียน", "สมัคร",  # th
    ),
}
# "How", in the served languages: an "apply" cue counts only beside one.
_HOW = ("wie", "how", "كيف", "nasıl", "як", "как", "چطور", "چگونه", "jak", "cómo", "como", "comment", "come",
        "cum", "πώς", "πως", "kako", "si=", "làm thế nào", "thế nào", "cách nào", "怎样", "怎么", "如何", "कैसे",
        "อย่างไร", "ยังไง")

_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
_DAYS = "Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag"
_DATE = rf"\d{{1,2}}\.\s?(?:{_MONTHS}|\d{{1,2}}\.)"
_GIVES: dict[Asks, re.Pattern[str]] = {
    # "bis zum 31. Januar 2027", "Anmeldung bis: 16. August 2027", "Frist: …"
    "until": re.compile(rf"\bbis\s(?:zum\s|spätestens\s)?(?::\s)?{_DATE}|\bbis:\s{_DATE}|\bFrist\b|\bspätestens\b",
                        re.IGNORECASE),
    # "31. Januar 2027", "17.09.2025", "9:00 bis 12:15 Uhr", "montags", "ab März 2027"
    "when": re.compile(rf"\d{{1,2}}\.\s?(?:{_MONTHS})|\b(?:{_MONTHS})\s\d{{4}}|\b\d{{1,2}}\.\d{{1,2}}\.(?:\d{{2,4}})?"
                       rf"|\b\d{{1,2}}(?::\d{{2}})?\s?Uhr\b|\b(?:{_DAYS})s?\b", re.IGNORECASE),
    # "145 Euro", "72,50 €", "kostenlos", "gebührenfrei"
    "cost": re.compile(r"\d(?:[\d.]*\d)?(?:,\d{1,2})?\s?(?:Euro|EUR|€)|\bkosten(?:los|frei)|gebührenfrei"
                       r"|\bunentgeltlich|\bgratis\b", re.IGNORECASE),
    # "Ort: BVZ, Gustav-Heinemann-Platz 2-6, 44787 Bochum", "Beispielweg 7", "in Bochum-Langendreer",
    # "Raum 204"
    # A district field alone ("Bezirk: Bochum-Mitte") is not counted: the place field beside it says more.
    # "vom 1. Februar bis 25. Juni 2027", "Zeitraum: …", "Dauer: 12 Wochen", "An sechs Abenden", "45 Minuten",
    # "dauert vier Jahre", "von 15:30 bis 16:15 Uhr". Years only with "dauert" or "lang": "ab 16 Jahren" is an age.
    "duration": re.compile(rf"\b(?:Zeitraum|Dauer|Laufzeit):|\bvom\s{_DATE}.{{0,40}}?\bbis\b|\bdauer[nt]\b"
                           rf"|\b(?:\d+|ein|eine|einen|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf)"
                           rf"\s(?:Minuten|Stunden|Tagen?|Wochen|Monaten?|Semestern?|Abenden?|Terminen?"
                           rf"|Sitzungen|Unterrichtseinheiten|Unterrichtsstunden|Jahre\slang)\b"
                           rf"|\bvon\s\d{{1,2}}(?:[:.]\d{{2}})?\sbis\s\d{{1,2}}(?:[:.]\d{{2}})?\sUhr", re.IGNORECASE),
    # "Wir fördern eine … Kita-Betreuung.", "Im Sinne der UniverCity Bochum stärken wir …", "Das Ziel, …":
    # what the city states it will do or aims for, in the first person of its strategy.
    "plan": re.compile(r"^(?:•\s)?Wir\s|\s[a-zäöüß]+\swir\s|\bZiel(?:e|en)?\b"),
    # "Anmeldung: online im Kursprogramm …", "… können ihr Kind im Kita-Portal Bochum online vormerken.",
    # "Einen festen Termin vereinbaren Sie telefonisch …": a way to register, not only the word ("Die
    # Vormerkung ist kostenlos." is a price).
    "apply": re.compile(r"^(?:•\s)?(?:Anmeldung|Vormerkung|Antrag):|(?=.*\b(?:[Aa]nmeld|vormerken|[Rr]egistrier"
                        r"|beantragen|Antrag|Termin\w*\svereinbaren))(?=.*\b(?:online|telefonisch|persönlich"
                        r"|per\sE-Mail|Formular|[Pp]ortal|schriftlich))", re.DOTALL),
    "where": re.compile(r"^(?!(?:•\s)?Bezirk:)(?:(?:•\s)?(?:Ort|Adresse|Anschrift|Standort|Veranstaltungsort"
                        r"|Treffpunkt):|.*(?:\b\d{5}\s[A-ZÄÖÜ]"
                        r"|[a-zäöüß](?:straße|strasse|str\.|weg|platz|allee|ring|gasse|damm)\s\d"
                        r"|\b(?:in|im)\s(?:Stadtteil|Stadtbezirk)\b|\bBochum-[A-ZÄÖÜ]|\bRaum\s\d))", re.DOTALL),
}


def cue_pattern(cue: str) -> str:
    """A cue of ``_CUES`` (the conventions above) as a regular expression over casefolded text."""
    if cue.startswith("~"):
        return re.escape(cue[1:])
    end = r"(?!\w)" if cue.endswith("=") else ""
    cue = cue.rstrip("=")
    return (r"(?<!\w)" if ord(cue[0]) < 0x0590 else "") + re.escape(cue) + end


_ASKED = {kind: re.compile("|".join(cue_pattern(c) for c in cues)) for kind, cues in _CUES.items()}
_ASKED_HOW = re.compile("|".join(cue_pattern(c.casefold()) for c in _HOW))  # Greek "πώς" casefolds to "πώσ"


def asked_for(question: str) -> Asks | None:
    """``"until"`` (a deadline), ``"when"`` (a date or time), ``"cost"`` (a price), ``"where"`` (a place),
    ``"duration"`` (how long), ``"plan"`` (what the city plans or aims for) or ``"apply"`` (how to register)
    when the question asks for one; None otherwise, or when it asks for two at once."""
    q = question.casefold()
    kinds = [kind for kind, pattern in _ASKED.items() if pattern.search(q)]
    if "apply" in kinds and (len(kinds) > 1 or not _ASKED_HOW.search(q)):
        kinds.remove("apply")
    if "until" in kinds and "when" in kinds:
        kinds.remove("when")
    # "ne kadar sürer" (tr), "چقدر طول می‌کشد" (fa): how long, though "ne kadar" and "چقدر" alone ask a price
    if "duration" in kinds and "cost" in kinds:
        kinds.remove("cost")
    return kinds[0] if len(kinds) == 1 else None


def asks_another_kind(question: str, earlier: str) -> bool:
    """Whether ``question`` and the ``earlier`` one each ask for a kind of answer, and not the same one:
    "До якого числа?" after "А скільки це коштує?", "А как записаться?" after "Сколько стоит детский сад?".
    Retrieved together, the earlier question's kind words pull against the new one's."""
    kind, before = asked_for(question), asked_for(earlier)
    return kind is not None and before is not None and kind != before


# Web and e-mail addresses name no date, price or place, though their digits and words may look like one:
# "Anmeldung: http://127.0.0.1:8001/…" held the date "0.0." and was quoted first for "Wann beginnt der Kurs?".
_ADDRESSES = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")


# A period ("Zeitraum: 3. März 2027 bis 7. April 2027", "vom 1. Februar bis 25. Juni") ends with "bis" and a
# date too, but it is when the offer runs; it is a deadline only beside a word for registering. After "Kostet
# das etwas?", "А до якого числа треба записатися?" quoted the parents' group's meeting period before its
# "Anmeldung bis: 19. Februar 2027".
_PERIOD = re.compile(rf"\b(?:Zeitraum|Dauer|Laufzeit):|\bvom\s{_DATE}.{{0,40}}?\bbis\b", re.IGNORECASE)
_REGISTERING = re.compile(r"anmeld|vormerk|bewerb|antrag|registrier|einschreib|\bfrist", re.IGNORECASE)


def gives(kind: Asks, sentence: str) -> bool:
    """Whether a German sentence states what ``kind`` asks for (outside its web and e-mail addresses)."""
    text = _ADDRESSES.sub(" ", sentence)
    if kind == "until" and _PERIOD.search(text) and not _REGISTERING.search(text):
        return False
    return bool(_GIVES[kind].search(text))
