"""The German name of an education offer, read from a question in another language.

"Kreş yeri için en geç ne zamana kadar kayıt yaptırmalıyım?" (Turkish: by when must I register for a
Kita place?) put the dog-tax page first: the encoder does not tie *kreş* to *Kita* strongly enough,
and BM25 over German text has no word to match. A parent names the offer in their own language,
and the city's pages name it in German; the names of the offers are few and fixed. So a question
in another language that names one gets that German word as a BM25 term (``OfferNames.terms``),
weighted like the query lexicon's German terms (``FusionWeights.offer_names``); its German synonyms
(*Kindergarten*, *Kindertagesstätte*: ``index.synonyms``) come with it.

The BM25 term alone did not carry short questions: "Kreşe nasıl kayıt yaptırabilirim?" (how do I
register for the Kita?) still put the dog tax first and was refused, because its vector sits as close
to "Melden Sie Ihren Hund … an" as to the Kita page. So the question is also written with the German
name in place of the word that named it ("Kita nasıl kayıt yaptırabilirim?", ``OfferNames.written``),
and the retriever takes the mean of both vectors (``FusionWeights.offer_name_vector``): the encoder
knows *Kita* well in any sentence, and the question's own words keep the rest of what it asks. Only
the Kita's name is written in (``WRITTEN``): the encoder ties "music school", مدرسة الموسيقى or
музична школа to *Musikschule* well already (those questions were answered with margins of +0.11 to
+0.16), and writing *Musikschule* in moved their quoted lines to the fields that repeat the name
("Anbieter: Musikschule Bochum") instead of the age or the course.

The cues are written by hand, one or more per served language, and kept to words that name the
offer and little else: Italian *asilo* is also asylum, a newcomer's question we must not send to the
Kita page, so only *asilo nido*, *scuola materna* and *posto all'asilo* (a place at one) count. Arabic
حضانة also means custody; it is kept, because on a city's education pages the daycare is what it asks
for (the abstention test, which BM25 does not enter, still refuses a custody question the documents do
not answer). The matching conventions are those of ``assistant.asks`` (``cue_pattern``). German
questions are left alone: they carry the German word already.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from assistant.asks import cue_pattern

__all__ = ["GROUPS", "WRITTEN", "OfferNames"]

GROUPS: dict[str, tuple[str, ...]] = {
    "Kita": (
        "daycare", "day care", "day-care", "nursery", "kindergarten", "childcare cent", "child care cent",  # en
        "crèche", "creche", "preschool", "pre-school",  # en
        "حضانة", "روضة", "رياض الأطفال", "الرعاية النهارية", "رعاية نهارية",  # ar
        "kreş", "anaokul", "çocuk yuva",  # tr
        "дитсад", "дитячий сад", "дитячого сад", "дитячому сад", "дитячих сад", "дитячі сад", "садочок",  # uk
        "садочк", "ясла", "яслі",  # uk
        "детский сад", "детского сад", "детском сад", "детскому сад", "детских сад", "детские сад",  # ru
        "детсад", "садик", "ясли",  # ru
        "مهدکودک", "مهد کودک", "کودکستان", "پیش‌دبستانی", "پیش دبستانی",  # fa
        "przedszkol", "żłob",  # pl
        "guardería", "guarderia", "jardín de infancia", "jardín infantil", "escuela infantil", "kínder",  # es
        "garderie", "jardin d'enfants", "école maternelle", "maternelle",  # fr ("crèche" above)
        "asilo nido", "scuola materna", "scuola dell'infanzia", "posto all'asilo", "posto nell'asilo",  # it
        # (not "asilo" alone, nor "all'asilo": asylum, "diritto all'asilo politico"; a place at one is a Kita's)
        "grădiniț", "grădiniţ", "gradinit", "creșă", "creşă",  # ro
        "παιδικό σταθμ", "παιδικού σταθμ", "παιδικός σταθμ", "παιδικούς σταθμ", "νηπιαγωγ",  # el
        "детска градина", "детската градина", "детски градини", "забавачк",  # bg
        "vrtić", "vrtic", "jaslic",  # hr
        "kopsht", "çerdhe",  # sq
        "nhà trẻ", "mầm non", "mẫu giáo",  # vi
        "幼儿园", "托儿所", "日托", "幼稚园",  # zh
        "डेकेयर", "नर्सरी", "किंडरगार्टन", "बालवाड़ी",  # hi
        "สถานรับเลี้ยงเด็ก", "อนุบาล", "เนอสเซอรี่", "ศูนย์เด็กเล็ก",  # th
    ),
    "Musikschule": (
        "music school", "school of music",  # en
        "مدرسة الموسيقى", "مدرسة موسيقى", "المدرسة الموسيقية", "مدرسة للموسيقى",  # ar
        "müzik okul",  # tr
        "музична школ", "музичної школ", "музичну школ", "музичній школ",  # uk
        "музыкальная школ", "музыкальной школ", "музыкальную школ",  # ru
        "آموزشگاه موسیقی", "مدرسه موسیقی",  # fa
        "szkoła muzyczn", "szkoły muzyczn", "szkole muzyczn", "szkołę muzyczn",  # pl
        "escuela de música", "escuela de musica",  # es
        "école de musique", "conservatoire",  # fr
        "scuola di musica",  # it
        "școala de muzică", "şcoala de muzică", "școală de muzică", "scoala de muzica",  # ro
        "μουσική σχολή", "μουσικής σχολής", "ωδείο",  # el
        "музикално училище", "музикалното училище",  # bg
        "glazbena škol", "glazbenu škol", "glazbenoj škol", "glazbene škol", "muzička škol", "muzičku škol",  # hr
        "shkolla e muzikës", "shkollën e muzikës", "shkolla muzikore", "shkollë muzike",  # sq
        "trường âm nhạc", "trường nhạc",  # vi
        "音乐学校",  # zh
        "संगीत विद्यालय", "संगीत स्कूल", "म्यूजिक स्कूल", "म्यूज़िक स्कूल",  # hi
        "โรงเรียนดนตรี",  # th
    ),
}

# The names ``OfferNames.written`` writes into a question (see the module's docstring).
WRITTEN = ("Kita",)
# Scripts written without spaces (Thai, Myanmar, Khmer, kana, CJK): there the cue alone is replaced, since
# the "word" around it would be the whole clause.
_UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _in_word(ch: str) -> bool:
    """A letter, mark or digit of a script that separates words by spaces (Arabic vowel signs included)."""
    return unicodedata.category(ch)[0] in "LMN" and not _UNSPACED.match(ch)


class OfferNames:
    """``run``: the German offer names a question in another language names; ``terms``: them as BM25 terms;
    ``written``: the question with the German names in place of its own words."""

    def __init__(self, groups: dict[str, tuple[str, ...]] = GROUPS, written: tuple[str, ...] = WRITTEN) -> None:
        # Cues are casefolded like the question: Greek "σταθμός" ends in a final sigma that casefold() changes.
        self._groups = {name: re.compile("|".join(cue_pattern(c.casefold()) for c in cues))
                        for name, cues in groups.items()}
        self._written = [(name, self._groups[name]) for name in written if name in self._groups]

    def run(self, question: str, language: str) -> list[str]:
        if language == "de":
            return []
        q = question.casefold()
        return [name for name, pattern in self._groups.items() if pattern.search(q)]

    def terms(self, question: str, language: str, analyzer: Callable[[str], list[str]]) -> dict[str, float]:
        """The analyzed terms of the names found, weight 1 each (``LexicalIndex.weighted_scores``)."""
        return {t: 1.0 for name in self.run(question, language) for t in analyzer(name)}

    def written(self, question: str, language: str) -> str | None:
        """The question with each word that names an offer of ``WRITTEN`` replaced by the German name, the
        whole word ("Kreşe" -> "Kita", "дитячому садку" -> "Kita"); None when it names none, or is German."""
        if language == "de" or len(question.casefold()) != len(question):  # casefolding moved the offsets
            return None
        out, changed = question, False
        for name, pattern in self._written:
            start = 0
            while m := pattern.search(out.casefold(), start):
                a, b = m.span()
                while a > 0 and _in_word(out[a - 1]):
                    a -= 1
                while b < len(out) and _in_word(out[b]):
                    b += 1
                out, changed, start = out[:a] + name + out[b:], True, a + len(name)
        return out if changed else None
