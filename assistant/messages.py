"""The words around the German evidence, in the user's language.

The evidence itself stays verbatim German (no offline translation model exists); the frame
tells the user what it is and, when nothing was found, where to ask instead. Every language the
detector serves (``assistant.language.SERVED_LANGUAGES``) has its own strings
(tests/assistant/test_messages.py checks it).
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
        "es": "Esto es lo que dicen los documentos de la ciudad de Bochum (cita en alemán):",
        "fr": "Voici ce que disent les documents de la ville de Bochum (citation en allemand)\xa0:",
        "it": "Ecco cosa dicono i documenti della città di Bochum (citazione in tedesco):",
        "ro": "Iată ce spun documentele orașului Bochum (citat în limba germană):",
        "el": "Αυτό αναφέρουν τα έγγραφα της πόλης του Μπόχουμ (παράθεση στα γερμανικά):",
        "bg": "Ето какво пише в документите на град Бохум (цитат на немски език):",
        "hr": "Ovo piše u dokumentima grada Bochuma (citat na njemačkom):",
        "sq": "Ja çfarë thonë dokumentet e qytetit të Bochumit (cituar në gjermanisht):",
        "vi": "Đây là nội dung trong các tài liệu của thành phố Bochum (trích dẫn bằng tiếng Đức):",
        "zh": "波鸿市的文件中是这样写的（德语原文引用）：",
        "hi": "बोखुम शहर के दस्तावेज़ों में यह लिखा है (जर्मन में उद्धृत):",
        "th": "นี่คือสิ่งที่เอกสารของเมืองโบคุมระบุไว้ (อ้างอิงเป็นภาษาเยอรมัน):",
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
        "es": "No he encontrado una respuesta fiable a esta pregunta en nuestros documentos.",
        "fr": "Je n’ai pas trouvé de réponse fiable à cette question dans nos documents.",
        "it": "Non ho trovato una risposta affidabile a questa domanda nei nostri documenti.",
        "ro": "Nu am găsit un răspuns de încredere la această întrebare în documentele noastre.",
        "el": "Δεν βρήκα αξιόπιστη απάντηση σε αυτή την ερώτηση στα έγγραφά μας.",
        "bg": "Не намерих надежден отговор на този въпрос в нашите документи.",
        "hr": "U našim dokumentima nisam pronašao pouzdan odgovor na ovo pitanje.",
        "sq": "Nuk gjeta një përgjigje të besueshme për këtë pyetje në dokumentet tona.",
        "vi": "Tôi không tìm thấy câu trả lời đáng tin cậy cho câu hỏi này trong tài liệu của chúng tôi.",
        "zh": "在我们的文件中没有找到这个问题的可靠答案。",
        "hi": "हमारे दस्तावेज़ों में मुझे इस प्रश्न का कोई विश्वसनीय उत्तर नहीं मिला।",
        "th": "ไม่พบคำตอบที่เชื่อถือได้สำหรับคำถามนี้ในเอกสารของเรา",
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
        "es": "Llame al número de servicios públicos {phone} (lun–vie, 8–18 h) o diríjase a la oficina de atención ciudadana de la ciudad de Bochum.",
        "fr": "Veuillez appeler le numéro de service public {phone} (lun–ven, 8 h–18 h) ou vous adresser au bureau des citoyens de la ville de Bochum.",
        "it": "Chiami il numero dei servizi pubblici {phone} (lun–ven, 8–18) oppure si rivolga all’ufficio per i cittadini della città di Bochum.",
        "ro": "Vă rugăm să sunați la numărul serviciilor publice {phone} (lun–vin, 8–18) sau să vă adresați biroului pentru cetățeni al orașului Bochum.",
        "el": "Καλέστε τον αριθμό δημόσιων υπηρεσιών {phone} (Δευ–Παρ, 8–18) ή απευθυνθείτε στο γραφείο εξυπηρέτησης πολιτών της πόλης του Μπόχουμ.",
        "bg": "Моля, обадете се на телефона за обществени услуги {phone} (пон–пет, 8–18 ч.) или се обърнете към гражданското бюро на град Бохум.",
        "hr": "Nazovite broj javnih službi {phone} (pon–pet, 8–18 h) ili se obratite uredu za građane grada Bochuma.",
        "sq": "Ju lutemi telefononi numrin e shërbimeve publike {phone} (e hënë–e premte, 8–18) ose drejtohuni zyrës së qytetarëve të qytetit të Bochumit.",
        "vi": "Vui lòng gọi số dịch vụ công {phone} (thứ Hai–thứ Sáu, 8–18 giờ) hoặc liên hệ văn phòng công dân của thành phố Bochum.",
        "zh": "请拨打公共服务电话 {phone}（周一至周五 8–18 点），或联系波鸿市市民服务办公室。",
        "hi": "कृपया सार्वजनिक सेवा नंबर {phone} (सोम–शुक्र, 8–18 बजे) पर कॉल करें या बोखुम शहर के नागरिक कार्यालय से संपर्क करें।",
        "th": "โปรดโทรหมายเลขบริการสาธารณะ {phone} (จันทร์–ศุกร์ 8–18 น.) หรือติดต่อสำนักงานบริการประชาชนของเมืองโบคุม",
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
        "es": "Asesoramiento: {office}.",
        "fr": "Conseil\xa0: {office}.",
        "it": "Consulenza: {office}.",
        "ro": "Consiliere: {office}.",
        "el": "Συμβουλευτική: {office}.",
        "bg": "Консултация: {office}.",
        "hr": "Savjetovanje: {office}.",
        "sq": "Këshillim: {office}.",
        "vi": "Tư vấn: {office}.",
        "zh": "咨询：{office}。",
        "hi": "परामर्श: {office}।",
        "th": "ขอคำปรึกษา: {office}",
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
        "es": "Formulario de contacto: {url}",
        "fr": "Formulaire de contact\xa0: {url}",
        "it": "Modulo di contatto: {url}",
        "ro": "Formular de contact: {url}",
        "el": "Φόρμα επικοινωνίας: {url}",
        "bg": "Форма за контакт: {url}",
        "hr": "Kontaktni obrazac: {url}",
        "sq": "Formulari i kontaktit: {url}",
        "vi": "Biểu mẫu liên hệ: {url}",
        "zh": "联系表单：{url}",
        "hi": "संपर्क फ़ॉर्म: {url}",
        "th": "แบบฟอร์มติดต่อ: {url}",
    },
    # When nothing answers but an offer that has ended would have: its title, end date and link.
    "ended": {
        "de": "Passend wäre ein Angebot, das schon beendet ist: „{title}“ (bis {date}), {url}",
        "en": "A matching offer has already ended: “{title}” (until {date}), {url}",
        "ar": "يوجد عرض مناسب لكنه انتهى: „{title}“ (حتى {date})، {url}",
        "tr": "Uygun bir teklif vardı ama sona erdi: „{title}“ ({date} tarihine kadar), {url}",
        "uk": "Відповідна пропозиція вже завершилася: „{title}“ (до {date}), {url}",
        "ru": "Подходящее предложение уже закончилось: „{title}“ (до {date}), {url}",
        "fa": "یک پیشنهاد مرتبط وجود داشت که به پایان رسیده است: „{title}“ (تا {date})، {url}",
        "pl": "Pasująca oferta już się zakończyła: „{title}” (do {date}), {url}",
        "es": "Había una oferta adecuada, pero ya ha terminado: «{title}» (hasta el {date}), {url}",
        "fr": "Une offre correspondante est déjà terminée\xa0: «\xa0{title}\xa0» (jusqu’au {date}), {url}",
        "it": "Un’offerta adatta è già terminata: «{title}» (fino al {date}), {url}",
        "ro": "O ofertă potrivită s-a încheiat deja: „{title}” (până la {date}), {url}",
        "el": "Μια σχετική προσφορά έχει ήδη λήξει: «{title}» (έως {date}), {url}",
        "bg": "Подходящо предложение вече е приключило: „{title}“ (до {date}), {url}",
        "hr": "Odgovarajuća ponuda već je završila: „{title}” (do {date}), {url}",
        "sq": "Një ofertë e përshtatshme ka përfunduar tashmë: „{title}” (deri më {date}), {url}",
        "vi": "Có một chương trình phù hợp nhưng đã kết thúc: “{title}” (đến {date}), {url}",
        "zh": "有一个相关项目已经结束：“{title}”（截至 {date}），{url}",
        "hi": "एक उपयुक्त कार्यक्रम पहले ही समाप्त हो चुका है: “{title}” ({date} तक), {url}",
        "th": "มีกิจกรรมที่ตรงกันแต่สิ้นสุดไปแล้ว: “{title}” (ถึง {date}) {url}",
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
        "es": "Fuentes",
        "fr": "Sources",
        "it": "Fonti",
        "ro": "Surse",
        "el": "Πηγές",
        "bg": "Източници",
        "hr": "Izvori",
        "sq": "Burimet",
        "vi": "Nguồn",
        "zh": "来源",
        "hi": "स्रोत",
        "th": "แหล่งที่มา",
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
    """The message in ``language``; English for a language outside the served ones."""
    table = _MESSAGES[key]
    return table.get(language) or table["en"]
