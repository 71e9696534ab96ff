"""The words around the German evidence, in the user's language.

The evidence itself stays verbatim German (no offline translation model exists); the frame
tells the user what it is and, when nothing was found, where to ask instead.
"""

from __future__ import annotations

__all__ = ["RTL_LANGUAGES", "message"]

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
        "de": "Bitte wenden Sie sich an die Behördennummer 115 (Mo–Fr 8–18 Uhr) oder an das Bürgerbüro der Stadt Bochum.",
        "en": "Please call the public service number 115 (Mon–Fri 8 am–6 pm) or contact the City of Bochum's citizens' office.",
        "ar": "يرجى الاتصال برقم الخدمة العامة 115 (من الاثنين إلى الجمعة 8–18) أو التوجه إلى مكتب خدمة المواطنين في مدينة بوخوم.",
        "tr": "Lütfen 115 kamu hizmet numarasını (Pzt–Cum 8–18) arayın veya Bochum Belediyesi vatandaş bürosuna başvurun.",
        "uk": "Будь ласка, зателефонуйте на номер державних послуг 115 (пн–пт 8–18) або зверніться до бюро громадян міста Бохум.",
        "ru": "Пожалуйста, позвоните по номеру госуслуг 115 (пн–пт 8–18) или обратитесь в бюро по делам граждан города Бохум.",
        "fa": "لطفاً با شماره خدمات عمومی 115 (دوشنبه تا جمعه 8 تا 18) تماس بگیرید یا به دفتر خدمات شهروندی شهر بوخوم مراجعه کنید.",
        "pl": "Prosimy zadzwonić pod numer usług publicznych 115 (pn–pt 8–18) lub zwrócić się do biura obsługi obywateli miasta Bochum.",
    },
}


def message(key: str, language: str) -> str:
    """The message in ``language``; English for languages we have no strings for, German for German."""
    table = _MESSAGES[key]
    return table.get(language) or table["en"]
