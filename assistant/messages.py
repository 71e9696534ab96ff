"""The words around the German evidence, in the user's language.

The evidence itself stays verbatim German (no offline translation model exists); the frame
tells the user what it is and, when nothing was found, where to ask instead.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RTL_LANGUAGES", "Referral", "message", "referral_text"]

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})

_MESSAGES: dict[str, dict[str, str]] = {
    "found": {
        "de": "Das steht in den Dokumenten der Stadt Bochum:",
        "en": "This is what the City of Bochum's documents say (quoted in German):",
        "ar": "هذا ما تقوله وثائق مدينة بوخوم (مقتبس باللغة الألمانية):",
        "tr": "Bochum Belediyesi'nin belgelerinde şöyle yazıyor (Almanca alıntı):",
        "uk": "Ось що сказано в документах міста Бохум (цитата німецькою мовою):",
        "ru": "Вот что говорится в документах города Бохум (цитата на немецком языке):",
        "fa": "این چیزی است که در اسناد شهر بوخوم آمده است (نقل به زبان آلمانی):",
        "pl": "Oto co mówią dokumenty miasta Bochum (cytat w języku niemieckim):",
    },
    "not_found": {
        "de": "Dazu habe ich in unseren Dokumenten keine verlässliche Antwort gefunden.",
        "en": "I could not find a reliable answer to this in our documents.",
        "ar": "لم أجد إجابة موثوقة على هذا السؤال في وثائقنا.",
        "tr": "Belgelerimizde bu konuda güvenilir bir yanıt bulamadım.",
        "uk": "Я не знайшов надійної відповіді на це питання в наших документах.",
        "ru": "Я не нашёл надёжного ответа на этот вопрос в наших документах.",
        "fa": "پاسخ قابل اعتمادی برای این پرسش در اسناد ما پیدا نکردم.",
        "pl": "Nie znalazłem w naszych dokumentach wiarygodnej odpowiedzi na to pytanie.",
    },
    "referral": {
        "de": "Bitte wenden Sie sich an die Behördennummer {phone} (Mo–Fr 8–18 Uhr) oder an das Bürgerbüro der Stadt Bochum.",
        "en": "Please call the public service number {phone} (Mon–Fri 8 am–6 pm) or contact the City of Bochum's citizens' office.",
        "ar": "يرجى الاتصال برقم الخدمة العامة {phone} (من الاثنين إلى الجمعة 8–18) أو التوجه إلى مكتب خدمة المواطنين في مدينة بوخوم.",
        "tr": "Lütfen {phone} kamu hizmet numarasını (Pzt–Cum 8–18) arayın veya Bochum Belediyesi vatandaş bürosuna başvurun.",
        "uk": "Будь ласка, зателефонуйте на номер державних послуг {phone} (пн–пт 8–18) або зверніться до бюро громадян міста Бохум.",
        "ru": "Пожалуйста, позвоните по номеру госуслуг {phone} (пн–пт 8–18) или обратитесь в бюро по делам граждан города Бохум.",
        "fa": "لطفاً با شماره خدمات عمومی {phone} (دوشنبه تا جمعه 8 تا 18) تماس بگیرید یا به دفتر خدمات شهروندی شهر بوخوم مراجعه کنید.",
        "pl": "Prosimy zadzwonić pod numer usług publicznych {phone} (pn–pt 8–18) lub zwrócić się do biura obsługi obywateli miasta Bochum.",
    },
    "referral_office": {
        "de": "Beratung: {office}.",
        "en": "Advice: {office}.",
        "ar": "للاستشارة: {office}.",
        "tr": "Danışma: {office}.",
        "uk": "Консультація: {office}.",
        "ru": "Консультация: {office}.",
        "fa": "مشاوره: {office}.",
        "pl": "Doradztwo: {office}.",
    },
    "referral_url": {
        "de": "Kontaktformular: {url}",
        "en": "Contact form: {url}",
        "ar": "نموذج الاتصال: {url}",
        "tr": "İletişim formu: {url}",
        "uk": "Контактна форма: {url}",
        "ru": "Контактная форма: {url}",
        "fa": "فرم تماس: {url}",
        "pl": "Formularz kontaktowy: {url}",
    },
    "sources": {
        "de": "Quellen",
        "en": "Sources",
        "ar": "المصادر",
        "tr": "Kaynaklar",
        "uk": "Джерела",
        "ru": "Источники",
        "fa": "منابع",
        "pl": "Źródła",
    },
}


@dataclass(frozen=True, slots=True)
class Referral:
    """Where a deployment sends people the documents cannot help (settings ``LOTSE_REFERRAL_*``)."""

    phone: str = "115"
    office: str | None = None  # e.g. "Bildungsberatung der Stadt Bochum, Tel. 0234 910-0000"
    url: str | None = None  # a contact form


def referral_text(language: str, referral: Referral | None = None) -> str:
    """The localised referral: the service number, then the configured office and contact form."""
    r = referral or Referral()
    parts = [message("referral", language).format(phone=r.phone)]
    if r.office:
        parts.append(message("referral_office", language).format(office=r.office))
    if r.url:
        parts.append(message("referral_url", language).format(url=r.url))
    return " ".join(parts)


def message(key: str, language: str) -> str:
    """The message in ``language``; English for languages we have no strings for, German for German."""
    table = _MESSAGES[key]
    return table.get(language) or table["en"]
