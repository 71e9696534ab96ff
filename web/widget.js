/*!
 * Bildungslotse chat widget. One script tag embeds it in any page:
 *
 *   <script src="https://lotse.example/widget.js" data-lotse-api="https://lotse.example" defer></script>
 *
 * It builds its own Shadow DOM (styles from widget.css beside this file), streams answers from
 * POST /v1/chat (server-sent events read with fetch, since EventSource cannot POST), and puts every
 * piece of text it receives into the page as text nodes: scraped text is never parsed as HTML.
 * Plain JavaScript, no dependencies, no build step. Options and accessibility notes: docs/web.md.
 */
(function () {
  "use strict";

  var script = document.currentScript;

  // ---- localised strings --------------------------------------------------------------------
  var LANGS = ["de", "en", "ar", "tr", "uk", "ru", "fa", "pl", "ro", "bg", "hr", "sq", "es", "fr", "it", "el", "vi",
               "zh", "hi", "th"];
  var RTL = { ar: true, fa: true };
  var NATIVE = {
    de: "Deutsch", en: "English", ar: "العربية", tr: "Türkçe",
    uk: "Українська", ru: "Русский", fa: "فارسی", pl: "Polski",
    ro: "Română", bg: "Български", hr: "Hrvatski", sq: "Shqip", es: "Español", fr: "Français",
    it: "Italiano", el: "Ελληνικά", vi: "Tiếng Việt", zh: "中文", hi: "हिन्दी", th: "ไทย"
  };
  var STRINGS = {
    de: {
      launcher: "Fragen zu Bildung in Bochum", title: "Bildungslotse",
      subtitle: "Antworten aus den Dokumenten der Stadt Bochum",
      intro: "Fragen Sie in Ihrer Sprache. Die Antwort zitiert die Seiten der Stadt wörtlich (auf Deutsch) und nennt die Quellen.",
      close: "Schließen", language: "Sprache", auto: "Automatisch (wie die Frage)",
      question: "Ihre Frage", placeholder: "z. B. Was plant Bochum für die Kita-Betreuung?",
      send: "Fragen", you: "Sie", answer: "Antwort", searching: "Ich suche in den Dokumenten …",
      writing: "Die Antwort wird geschrieben …", newAnswer: "Neue Antwort", passages: "Fundstellen",
      sources: "Quellen", asOf: "Stand", open: "Auf der Originalseite lesen", newWindow: "öffnet in neuem Fenster",
      cite: "Quelle", offer: "Angebot", helpful: "War diese Antwort hilfreich?", yes: "Ja, hilfreich",
      no: "Nein, nicht hilfreich", comment: "Kommentar (freiwillig)", sendComment: "Kommentar senden",
      thanks: "Danke für Ihre Rückmeldung.", feedbackFailed: "Die Rückmeldung konnte nicht gesendet werden.",
      error: "Das hat nicht geklappt.", offline: "Der Bildungslotse ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal.",
      empty: "Bitte geben Sie eine Frage ein.", busy: "Bitte warten Sie, bis die Antwort da ist.",
      german: "Zitat auf Deutsch", noAnswer: "Keine passende Antwort gefunden."
    },
    en: {
      launcher: "Questions about education in Bochum", title: "Education guide",
      subtitle: "Answers from the City of Bochum's documents",
      intro: "Ask in your language. The answer quotes the city's pages word for word (in German) and names its sources.",
      close: "Close", language: "Language", auto: "Automatic (as the question)",
      question: "Your question", placeholder: "e.g. What does Bochum plan for daycare?",
      send: "Ask", you: "You", answer: "Answer", searching: "Searching the documents …",
      writing: "Writing the answer …", newAnswer: "New answer", passages: "Passages",
      sources: "Sources", asOf: "As of", open: "Read on the original page", newWindow: "opens in a new window",
      cite: "Source", offer: "Offer", helpful: "Was this answer helpful?", yes: "Yes, helpful",
      no: "No, not helpful", comment: "Comment (optional)", sendComment: "Send comment",
      thanks: "Thank you for your feedback.", feedbackFailed: "The feedback could not be sent.",
      error: "That did not work.", offline: "The education guide cannot be reached right now. Please try again later.",
      empty: "Please enter a question.", busy: "Please wait until the answer is there.",
      german: "Quoted in German", noAnswer: "No matching answer found."
    },
    ar: {
      launcher: "أسئلة عن التعليم في بوخوم", title: "دليل التعليم",
      subtitle: "إجابات من وثائق مدينة بوخوم",
      intro: "اسأل بلغتك. تقتبس الإجابة صفحات المدينة حرفيًا (بالألمانية) وتذكر مصادرها.",
      close: "إغلاق", language: "اللغة", auto: "تلقائي (حسب لغة السؤال)",
      question: "سؤالك", placeholder: "مثلًا: ماذا تخطط بوخوم لرعاية الأطفال؟",
      send: "اسأل", you: "أنت", answer: "الإجابة", searching: "جارٍ البحث في الوثائق …",
      writing: "جارٍ كتابة الإجابة …", newAnswer: "إجابة جديدة", passages: "المقاطع",
      sources: "المصادر", asOf: "بتاريخ", open: "اقرأ في الصفحة الأصلية", newWindow: "يفتح في نافذة جديدة",
      cite: "المصدر", offer: "عرض", helpful: "هل كانت هذه الإجابة مفيدة؟", yes: "نعم، مفيدة",
      no: "لا، غير مفيدة", comment: "تعليق (اختياري)", sendComment: "إرسال التعليق",
      thanks: "شكرًا على ملاحظاتك.", feedbackFailed: "تعذّر إرسال الملاحظات.",
      error: "لم ينجح ذلك.", offline: "لا يمكن الوصول إلى دليل التعليم حاليًا. يرجى المحاولة لاحقًا.",
      empty: "يرجى كتابة سؤال.", busy: "يرجى الانتظار حتى تصل الإجابة.",
      german: "اقتباس بالألمانية", noAnswer: "لم يتم العثور على إجابة مناسبة."
    },
    tr: {
      launcher: "Bochum'da eğitimle ilgili sorular", title: "Eğitim rehberi",
      subtitle: "Bochum Belediyesi belgelerinden yanıtlar",
      intro: "Kendi dilinizde sorun. Yanıt, belediyenin sayfalarından kelimesi kelimesine (Almanca) alıntı yapar ve kaynaklarını gösterir.",
      close: "Kapat", language: "Dil", auto: "Otomatik (sorunun dili)",
      question: "Sorunuz", placeholder: "örn. Bochum kreş bakımı için ne planlıyor?",
      send: "Sor", you: "Siz", answer: "Yanıt", searching: "Belgelerde aranıyor …",
      writing: "Yanıt yazılıyor …", newAnswer: "Yeni yanıt", passages: "Bulunan bölümler",
      sources: "Kaynaklar", asOf: "Tarih", open: "Orijinal sayfada oku", newWindow: "yeni pencerede açılır",
      cite: "Kaynak", offer: "Teklif", helpful: "Bu yanıt yardımcı oldu mu?", yes: "Evet, yardımcı oldu",
      no: "Hayır, yardımcı olmadı", comment: "Yorum (isteğe bağlı)", sendComment: "Yorumu gönder",
      thanks: "Geri bildiriminiz için teşekkürler.", feedbackFailed: "Geri bildirim gönderilemedi.",
      error: "Bu işe yaramadı.", offline: "Eğitim rehberine şu anda ulaşılamıyor. Lütfen daha sonra tekrar deneyin.",
      empty: "Lütfen bir soru yazın.", busy: "Lütfen yanıt gelene kadar bekleyin.",
      german: "Almanca alıntı", noAnswer: "Uygun bir yanıt bulunamadı."
    },
    uk: {
      launcher: "Питання про освіту в Бохумі", title: "Освітній порадник",
      subtitle: "Відповіді з документів міста Бохум",
      intro: "Запитуйте своєю мовою. Відповідь дослівно цитує сторінки міста (німецькою) і називає джерела.",
      close: "Закрити", language: "Мова", auto: "Автоматично (як у запитанні)",
      question: "Ваше запитання", placeholder: "напр. Що планує Бохум щодо догляду в дитсадках?",
      send: "Запитати", you: "Ви", answer: "Відповідь", searching: "Шукаю в документах …",
      writing: "Відповідь пишеться …", newAnswer: "Нова відповідь", passages: "Знайдені уривки",
      sources: "Джерела", asOf: "Станом на", open: "Читати на оригінальній сторінці", newWindow: "відкривається в новому вікні",
      cite: "Джерело", offer: "Пропозиція", helpful: "Чи була ця відповідь корисною?", yes: "Так, корисна",
      no: "Ні, не корисна", comment: "Коментар (необов'язково)", sendComment: "Надіслати коментар",
      thanks: "Дякуємо за ваш відгук.", feedbackFailed: "Не вдалося надіслати відгук.",
      error: "Не вдалося.", offline: "Освітній порадник зараз недоступний. Спробуйте, будь ласка, пізніше.",
      empty: "Будь ласка, введіть запитання.", busy: "Будь ласка, зачекайте на відповідь.",
      german: "Цитата німецькою", noAnswer: "Відповідної відповіді не знайдено."
    },
    ru: {
      launcher: "Вопросы об образовании в Бохуме", title: "Образовательный навигатор",
      subtitle: "Ответы из документов города Бохум",
      intro: "Спрашивайте на своём языке. Ответ дословно цитирует страницы города (на немецком) и называет источники.",
      close: "Закрыть", language: "Язык", auto: "Автоматически (как в вопросе)",
      question: "Ваш вопрос", placeholder: "напр. Что планирует Бохум для детских садов?",
      send: "Спросить", you: "Вы", answer: "Ответ", searching: "Ищу в документах …",
      writing: "Ответ пишется …", newAnswer: "Новый ответ", passages: "Найденные фрагменты",
      sources: "Источники", asOf: "По состоянию на", open: "Читать на исходной странице", newWindow: "открывается в новом окне",
      cite: "Источник", offer: "Предложение", helpful: "Был ли этот ответ полезен?", yes: "Да, полезен",
      no: "Нет, не полезен", comment: "Комментарий (по желанию)", sendComment: "Отправить комментарий",
      thanks: "Спасибо за ваш отзыв.", feedbackFailed: "Не удалось отправить отзыв.",
      error: "Не получилось.", offline: "Образовательный навигатор сейчас недоступен. Пожалуйста, попробуйте позже.",
      empty: "Пожалуйста, введите вопрос.", busy: "Пожалуйста, дождитесь ответа.",
      german: "Цитата на немецком", noAnswer: "Подходящий ответ не найден."
    },
    fa: {
      launcher: "پرسش درباره آموزش در بوخوم", title: "راهنمای آموزش",
      subtitle: "پاسخ‌ها از اسناد شهر بوخوم",
      intro: "به زبان خودتان بپرسید. پاسخ، صفحات شهر را کلمه به کلمه (به آلمانی) نقل می‌کند و منابع را نام می‌برد.",
      close: "بستن", language: "زبان", auto: "خودکار (مانند پرسش)",
      question: "پرسش شما", placeholder: "مثلاً: بوخوم برای مهدکودک‌ها چه برنامه‌ای دارد؟",
      send: "بپرسید", you: "شما", answer: "پاسخ", searching: "در حال جستجو در اسناد …",
      writing: "پاسخ در حال نوشته شدن است …", newAnswer: "پاسخ جدید", passages: "بخش‌های یافته‌شده",
      sources: "منابع", asOf: "تاریخ", open: "در صفحه اصلی بخوانید", newWindow: "در پنجره جدید باز می‌شود",
      cite: "منبع", offer: "پیشنهاد", helpful: "آیا این پاسخ مفید بود؟", yes: "بله، مفید بود",
      no: "نه، مفید نبود", comment: "نظر (اختیاری)", sendComment: "ارسال نظر",
      thanks: "از بازخورد شما سپاسگزاریم.", feedbackFailed: "بازخورد ارسال نشد.",
      error: "انجام نشد.", offline: "راهنمای آموزش در حال حاضر در دسترس نیست. لطفاً بعداً دوباره امتحان کنید.",
      empty: "لطفاً یک پرسش بنویسید.", busy: "لطفاً تا رسیدن پاسخ صبر کنید.",
      german: "نقل قول به آلمانی", noAnswer: "پاسخ مناسبی پیدا نشد."
    },
    pl: {
      launcher: "Pytania o edukację w Bochum", title: "Przewodnik edukacyjny",
      subtitle: "Odpowiedzi z dokumentów miasta Bochum",
      intro: "Pytaj w swoim języku. Odpowiedź cytuje dosłownie strony miasta (po niemiecku) i podaje źródła.",
      close: "Zamknij", language: "Język", auto: "Automatycznie (jak pytanie)",
      question: "Twoje pytanie", placeholder: "np. Co Bochum planuje w sprawie przedszkoli?",
      send: "Zapytaj", you: "Ty", answer: "Odpowiedź", searching: "Szukam w dokumentach …",
      writing: "Odpowiedź jest pisana …", newAnswer: "Nowa odpowiedź", passages: "Znalezione fragmenty",
      sources: "Źródła", asOf: "Stan na", open: "Czytaj na oryginalnej stronie", newWindow: "otwiera się w nowym oknie",
      cite: "Źródło", offer: "Oferta", helpful: "Czy ta odpowiedź była pomocna?", yes: "Tak, pomocna",
      no: "Nie, niepomocna", comment: "Komentarz (opcjonalnie)", sendComment: "Wyślij komentarz",
      thanks: "Dziękujemy za opinię.", feedbackFailed: "Nie udało się wysłać opinii.",
      error: "To się nie udało.", offline: "Przewodnik edukacyjny jest teraz niedostępny. Spróbuj ponownie później.",
      empty: "Wpisz pytanie.", busy: "Poczekaj, aż pojawi się odpowiedź.",
      german: "Cytat po niemiecku", noAnswer: "Nie znaleziono pasującej odpowiedzi."
    },
    ro: {
      launcher: "Întrebări despre educație în Bochum", title: "Ghidul educațional",
      subtitle: "Răspunsuri din documentele orașului Bochum",
      intro: "Întrebați în limba dumneavoastră. Răspunsul citează cuvânt cu cuvânt paginile orașului (în germană) și numește sursele.",
      close: "Închide", language: "Limba", auto: "Automat (ca întrebarea)",
      question: "Întrebarea dumneavoastră", placeholder: "de ex. Ce planifică Bochum pentru grădinițe?",
      send: "Întreabă", you: "Dumneavoastră", answer: "Răspuns", searching: "Caut în documente …",
      writing: "Răspunsul se scrie …", newAnswer: "Răspuns nou", passages: "Pasaje găsite",
      sources: "Surse", asOf: "Valabil la", open: "Citiți pe pagina originală", newWindow: "se deschide într-o fereastră nouă",
      cite: "Sursa", offer: "Ofertă", helpful: "V-a fost de folos acest răspuns?", yes: "Da, util",
      no: "Nu, nu a fost util", comment: "Comentariu (opțional)", sendComment: "Trimite comentariul",
      thanks: "Vă mulțumim pentru feedback.", feedbackFailed: "Feedbackul nu a putut fi trimis.",
      error: "Nu a funcționat.", offline: "Ghidul educațional nu este disponibil momentan. Încercați din nou mai târziu.",
      empty: "Vă rugăm să introduceți o întrebare.", busy: "Vă rugăm să așteptați până apare răspunsul.",
      german: "Citat în germană", noAnswer: "Nu s-a găsit niciun răspuns potrivit."
    },
    bg: {
      launcher: "Въпроси за образованието в Бохум", title: "Образователен пътеводител",
      subtitle: "Отговори от документите на град Бохум",
      intro: "Питайте на своя език. Отговорът цитира дословно страниците на града (на немски) и посочва източниците.",
      close: "Затвори", language: "Език", auto: "Автоматично (като въпроса)",
      question: "Вашият въпрос", placeholder: "напр. Какво планира Бохум за детските градини?",
      send: "Попитай", you: "Вие", answer: "Отговор", searching: "Търся в документите …",
      writing: "Отговорът се пише …", newAnswer: "Нов отговор", passages: "Намерени откъси",
      sources: "Източници", asOf: "Към", open: "Прочетете на оригиналната страница", newWindow: "отваря се в нов прозорец",
      cite: "Източник", offer: "Оферта", helpful: "Полезен ли беше този отговор?", yes: "Да, полезен",
      no: "Не, не беше полезен", comment: "Коментар (по желание)", sendComment: "Изпрати коментара",
      thanks: "Благодарим за обратната връзка.", feedbackFailed: "Обратната връзка не можа да бъде изпратена.",
      error: "Не се получи.", offline: "Образователният пътеводител в момента не е достъпен. Опитайте отново по-късно.",
      empty: "Моля, въведете въпрос.", busy: "Моля, изчакайте отговора.",
      german: "Цитат на немски", noAnswer: "Не е намерен подходящ отговор."
    },
    hr: {
      launcher: "Pitanja o obrazovanju u Bochumu", title: "Obrazovni vodič",
      subtitle: "Odgovori iz dokumenata grada Bochuma",
      intro: "Pitajte na svom jeziku. Odgovor doslovno citira stranice grada (na njemačkom) i navodi izvore.",
      close: "Zatvori", language: "Jezik", auto: "Automatski (kao pitanje)",
      question: "Vaše pitanje", placeholder: "npr. Što Bochum planira za vrtiće?",
      send: "Pitaj", you: "Vi", answer: "Odgovor", searching: "Pretražujem dokumente …",
      writing: "Odgovor se piše …", newAnswer: "Novi odgovor", passages: "Pronađeni odlomci",
      sources: "Izvori", asOf: "Stanje", open: "Pročitajte na izvornoj stranici", newWindow: "otvara se u novom prozoru",
      cite: "Izvor", offer: "Ponuda", helpful: "Je li vam ovaj odgovor pomogao?", yes: "Da, pomogao je",
      no: "Ne, nije pomogao", comment: "Komentar (neobavezno)", sendComment: "Pošalji komentar",
      thanks: "Hvala na povratnoj informaciji.", feedbackFailed: "Povratnu informaciju nije bilo moguće poslati.",
      error: "Nije uspjelo.", offline: "Obrazovni vodič trenutačno nije dostupan. Pokušajte ponovno kasnije.",
      empty: "Upišite pitanje.", busy: "Pričekajte da stigne odgovor.",
      german: "Citat na njemačkom", noAnswer: "Nije pronađen odgovarajući odgovor."
    },
    sq: {
      launcher: "Pyetje për arsimin në Bochum", title: "Udhërrëfyesi arsimor",
      subtitle: "Përgjigje nga dokumentet e qytetit të Bochumit",
      intro: "Pyesni në gjuhën tuaj. Përgjigjja citon fjalë për fjalë faqet e qytetit (në gjermanisht) dhe përmend burimet.",
      close: "Mbyll", language: "Gjuha", auto: "Automatikisht (si pyetja)",
      question: "Pyetja juaj", placeholder: "p.sh. Çfarë planifikon Bochum për kopshtet?",
      send: "Pyet", you: "Ju", answer: "Përgjigje", searching: "Po kërkoj në dokumente …",
      writing: "Përgjigjja po shkruhet …", newAnswer: "Përgjigje e re", passages: "Pjesët e gjetura",
      sources: "Burimet", asOf: "Gjendja më", open: "Lexoni në faqen origjinale", newWindow: "hapet në një dritare të re",
      cite: "Burimi", offer: "Ofertë", helpful: "A ju ndihmoi kjo përgjigje?", yes: "Po, më ndihmoi",
      no: "Jo, nuk më ndihmoi", comment: "Koment (sipas dëshirës)", sendComment: "Dërgo komentin",
      thanks: "Faleminderit për komentin tuaj.", feedbackFailed: "Komenti nuk mund të dërgohej.",
      error: "Nuk funksionoi.", offline: "Udhërrëfyesi arsimor nuk është i arritshëm tani. Provoni përsëri më vonë.",
      empty: "Ju lutemi shkruani një pyetje.", busy: "Ju lutemi prisni derisa të vijë përgjigjja.",
      german: "Cituar në gjermanisht", noAnswer: "Nuk u gjet asnjë përgjigje e përshtatshme."
    },
    es: {
      launcher: "Preguntas sobre educación en Bochum", title: "Guía educativa",
      subtitle: "Respuestas de los documentos de la ciudad de Bochum",
      intro: "Pregunte en su idioma. La respuesta cita textualmente las páginas de la ciudad (en alemán) e indica las fuentes.",
      close: "Cerrar", language: "Idioma", auto: "Automático (como la pregunta)",
      question: "Su pregunta", placeholder: "p. ej., ¿Qué planea Bochum para las guarderías?",
      send: "Preguntar", you: "Usted", answer: "Respuesta", searching: "Buscando en los documentos …",
      writing: "Se está escribiendo la respuesta …", newAnswer: "Nueva respuesta", passages: "Fragmentos encontrados",
      sources: "Fuentes", asOf: "Actualizado", open: "Leer en la página original", newWindow: "se abre en una ventana nueva",
      cite: "Fuente", offer: "Oferta", helpful: "¿Le ha resultado útil esta respuesta?", yes: "Sí, útil",
      no: "No, no es útil", comment: "Comentario (opcional)", sendComment: "Enviar comentario",
      thanks: "Gracias por su opinión.", feedbackFailed: "No se ha podido enviar la opinión.",
      error: "No ha funcionado.", offline: "La guía educativa no está disponible en este momento. Inténtelo de nuevo más tarde.",
      empty: "Escriba una pregunta.", busy: "Espere a que llegue la respuesta.",
      german: "Cita en alemán", noAnswer: "No se ha encontrado una respuesta adecuada."
    },
    fr: {
      launcher: "Questions sur l’éducation à Bochum", title: "Guide de l’éducation",
      subtitle: "Réponses tirées des documents de la ville de Bochum",
      intro: "Posez votre question dans votre langue. La réponse cite mot pour mot les pages de la ville (en allemand) et indique ses sources.",
      close: "Fermer", language: "Langue", auto: "Automatique (comme la question)",
      question: "Votre question", placeholder: "p. ex. Que prévoit Bochum pour les crèches ?",
      send: "Demander", you: "Vous", answer: "Réponse", searching: "Recherche dans les documents …",
      writing: "La réponse est en cours de rédaction …", newAnswer: "Nouvelle réponse", passages: "Passages trouvés",
      sources: "Sources", asOf: "Mis à jour le", open: "Lire sur la page d’origine", newWindow: "s’ouvre dans une nouvelle fenêtre",
      cite: "Source", offer: "Offre", helpful: "Cette réponse vous a-t-elle aidé ?", yes: "Oui, utile",
      no: "Non, pas utile", comment: "Commentaire (facultatif)", sendComment: "Envoyer le commentaire",
      thanks: "Merci pour votre avis.", feedbackFailed: "L’avis n’a pas pu être envoyé.",
      error: "Cela n’a pas fonctionné.", offline: "Le guide de l’éducation est momentanément indisponible. Veuillez réessayer plus tard.",
      empty: "Veuillez saisir une question.", busy: "Veuillez attendre la réponse.",
      german: "Cité en allemand", noAnswer: "Aucune réponse adaptée n’a été trouvée."
    },
    it: {
      launcher: "Domande sull’istruzione a Bochum", title: "Guida all’istruzione",
      subtitle: "Risposte dai documenti della città di Bochum",
      intro: "Chieda nella sua lingua. La risposta cita alla lettera le pagine della città (in tedesco) e indica le fonti.",
      close: "Chiudi", language: "Lingua", auto: "Automatica (come la domanda)",
      question: "La sua domanda", placeholder: "ad es. Che cosa prevede Bochum per gli asili?",
      send: "Chiedi", you: "Lei", answer: "Risposta", searching: "Cerco nei documenti …",
      writing: "La risposta è in scrittura …", newAnswer: "Nuova risposta", passages: "Passaggi trovati",
      sources: "Fonti", asOf: "Aggiornato al", open: "Leggi sulla pagina originale", newWindow: "si apre in una nuova finestra",
      cite: "Fonte", offer: "Offerta", helpful: "Questa risposta le è stata utile?", yes: "Sì, utile",
      no: "No, non utile", comment: "Commento (facoltativo)", sendComment: "Invia commento",
      thanks: "Grazie per il suo riscontro.", feedbackFailed: "Non è stato possibile inviare il riscontro.",
      error: "Non ha funzionato.", offline: "La guida all’istruzione non è raggiungibile al momento. Riprovi più tardi.",
      empty: "Inserisca una domanda.", busy: "Attenda che arrivi la risposta.",
      german: "Citazione in tedesco", noAnswer: "Nessuna risposta adatta trovata."
    },
    el: {
      launcher: "Ερωτήσεις για την εκπαίδευση στο Μπόχουμ", title: "Οδηγός εκπαίδευσης",
      subtitle: "Απαντήσεις από τα έγγραφα της πόλης του Μπόχουμ",
      intro: "Ρωτήστε στη γλώσσα σας. Η απάντηση παραθέτει αυτολεξεί τις σελίδες της πόλης (στα γερμανικά) και αναφέρει τις πηγές.",
      close: "Κλείσιμο", language: "Γλώσσα", auto: "Αυτόματα (όπως η ερώτηση)",
      question: "Η ερώτησή σας", placeholder: "π.χ. Τι σχεδιάζει το Μπόχουμ για τους παιδικούς σταθμούς;",
      send: "Ρωτήστε", you: "Εσείς", answer: "Απάντηση", searching: "Αναζήτηση στα έγγραφα …",
      writing: "Η απάντηση γράφεται …", newAnswer: "Νέα απάντηση", passages: "Αποσπάσματα που βρέθηκαν",
      sources: "Πηγές", asOf: "Ενημέρωση", open: "Διαβάστε στην αρχική σελίδα", newWindow: "ανοίγει σε νέο παράθυρο",
      cite: "Πηγή", offer: "Προσφορά", helpful: "Σας βοήθησε αυτή η απάντηση;", yes: "Ναι, βοήθησε",
      no: "Όχι, δεν βοήθησε", comment: "Σχόλιο (προαιρετικό)", sendComment: "Αποστολή σχολίου",
      thanks: "Ευχαριστούμε για τα σχόλιά σας.", feedbackFailed: "Τα σχόλια δεν ήταν δυνατό να σταλούν.",
      error: "Δεν λειτούργησε.", offline: "Ο οδηγός εκπαίδευσης δεν είναι διαθέσιμος αυτή τη στιγμή. Δοκιμάστε ξανά αργότερα.",
      empty: "Πληκτρολογήστε μια ερώτηση.", busy: "Περιμένετε μέχρι να έρθει η απάντηση.",
      german: "Παράθεση στα γερμανικά", noAnswer: "Δεν βρέθηκε κατάλληλη απάντηση."
    },
    vi: {
      launcher: "Câu hỏi về giáo dục ở Bochum", title: "Hướng dẫn giáo dục",
      subtitle: "Câu trả lời từ tài liệu của thành phố Bochum",
      intro: "Hãy hỏi bằng ngôn ngữ của bạn. Câu trả lời trích dẫn nguyên văn các trang của thành phố (bằng tiếng Đức) và nêu nguồn.",
      close: "Đóng", language: "Ngôn ngữ", auto: "Tự động (theo câu hỏi)",
      question: "Câu hỏi của bạn", placeholder: "ví dụ: Bochum có kế hoạch gì cho nhà trẻ?",
      send: "Hỏi", you: "Bạn", answer: "Câu trả lời", searching: "Đang tìm trong tài liệu …",
      writing: "Đang viết câu trả lời …", newAnswer: "Câu trả lời mới", passages: "Đoạn văn tìm thấy",
      sources: "Nguồn", asOf: "Cập nhật", open: "Đọc trên trang gốc", newWindow: "mở trong cửa sổ mới",
      cite: "Nguồn", offer: "Chương trình", helpful: "Câu trả lời này có hữu ích không?", yes: "Có, hữu ích",
      no: "Không, không hữu ích", comment: "Nhận xét (không bắt buộc)", sendComment: "Gửi nhận xét",
      thanks: "Cảm ơn phản hồi của bạn.", feedbackFailed: "Không thể gửi phản hồi.",
      error: "Đã xảy ra lỗi.", offline: "Hiện không thể kết nối với hướng dẫn giáo dục. Vui lòng thử lại sau.",
      empty: "Vui lòng nhập câu hỏi.", busy: "Vui lòng đợi câu trả lời.",
      german: "Trích dẫn bằng tiếng Đức", noAnswer: "Không tìm thấy câu trả lời phù hợp."
    },
    zh: {
      launcher: "关于波鸿教育的问题", title: "教育向导",
      subtitle: "来自波鸿市文件的回答",
      intro: "请用您的语言提问。回答逐字引用市政府网页（德语原文）并注明来源。",
      close: "关闭", language: "语言", auto: "自动（与问题相同）",
      question: "您的问题", placeholder: "例如：波鸿对幼儿园有什么计划？",
      send: "提问", you: "您", answer: "回答", searching: "正在搜索文件 …",
      writing: "正在撰写回答 …", newAnswer: "新回答", passages: "找到的段落",
      sources: "来源", asOf: "更新于", open: "在原网页阅读", newWindow: "在新窗口中打开",
      cite: "来源", offer: "项目", helpful: "这个回答对您有帮助吗？", yes: "是，有帮助",
      no: "否，没有帮助", comment: "评论（可选）", sendComment: "发送评论",
      thanks: "感谢您的反馈。", feedbackFailed: "反馈无法发送。",
      error: "操作失败。", offline: "教育向导暂时无法访问，请稍后再试。",
      empty: "请输入问题。", busy: "请等待回答。",
      german: "德语原文引用", noAnswer: "未找到合适的回答。"
    },
    hi: {
      launcher: "बोखुम में शिक्षा के बारे में प्रश्न", title: "शिक्षा मार्गदर्शक",
      subtitle: "बोखुम शहर के दस्तावेज़ों से उत्तर",
      intro: "अपनी भाषा में पूछें। उत्तर शहर के पृष्ठों को शब्दशः (जर्मन में) उद्धृत करता है और स्रोत बताता है।",
      close: "बंद करें", language: "भाषा", auto: "स्वचालित (प्रश्न के अनुसार)",
      question: "आपका प्रश्न", placeholder: "जैसे: बोखुम डेकेयर के लिए क्या योजना बना रहा है?",
      send: "पूछें", you: "आप", answer: "उत्तर", searching: "दस्तावेज़ों में खोज रहे हैं …",
      writing: "उत्तर लिखा जा रहा है …", newAnswer: "नया उत्तर", passages: "मिले हुए अंश",
      sources: "स्रोत", asOf: "अद्यतन", open: "मूल पृष्ठ पर पढ़ें", newWindow: "नई विंडो में खुलता है",
      cite: "स्रोत", offer: "कार्यक्रम", helpful: "क्या यह उत्तर उपयोगी था?", yes: "हाँ, उपयोगी",
      no: "नहीं, उपयोगी नहीं", comment: "टिप्पणी (वैकल्पिक)", sendComment: "टिप्पणी भेजें",
      thanks: "आपकी प्रतिक्रिया के लिए धन्यवाद।", feedbackFailed: "प्रतिक्रिया भेजी नहीं जा सकी।",
      error: "यह काम नहीं किया।", offline: "शिक्षा मार्गदर्शक अभी उपलब्ध नहीं है। कृपया बाद में फिर से प्रयास करें।",
      empty: "कृपया एक प्रश्न लिखें।", busy: "कृपया उत्तर आने तक प्रतीक्षा करें।",
      german: "जर्मन में उद्धृत", noAnswer: "कोई उपयुक्त उत्तर नहीं मिला।"
    },
    th: {
      launcher: "คำถามเกี่ยวกับการศึกษาในโบคุม", title: "คู่มือการศึกษา",
      subtitle: "คำตอบจากเอกสารของเมืองโบคุม",
      intro: "ถามเป็นภาษาของคุณได้ คำตอบจะอ้างอิงหน้าเว็บของเมืองแบบคำต่อคำ (ภาษาเยอรมัน) และระบุแหล่งที่มา",
      close: "ปิด", language: "ภาษา", auto: "อัตโนมัติ (ตามคำถาม)",
      question: "คำถามของคุณ", placeholder: "เช่น โบคุมมีแผนอะไรสำหรับสถานรับเลี้ยงเด็ก",
      send: "ถาม", you: "คุณ", answer: "คำตอบ", searching: "กำลังค้นหาในเอกสาร …",
      writing: "กำลังเขียนคำตอบ …", newAnswer: "คำตอบใหม่", passages: "ข้อความที่พบ",
      sources: "แหล่งที่มา", asOf: "ข้อมูล ณ", open: "อ่านบนหน้าต้นฉบับ", newWindow: "เปิดในหน้าต่างใหม่",
      cite: "แหล่งที่มา", offer: "กิจกรรม", helpful: "คำตอบนี้มีประโยชน์หรือไม่", yes: "มีประโยชน์",
      no: "ไม่มีประโยชน์", comment: "ความคิดเห็น (ไม่บังคับ)", sendComment: "ส่งความคิดเห็น",
      thanks: "ขอบคุณสำหรับความคิดเห็นของคุณ", feedbackFailed: "ไม่สามารถส่งความคิดเห็นได้",
      error: "ไม่สำเร็จ", offline: "ขณะนี้ไม่สามารถเชื่อมต่อคู่มือการศึกษาได้ โปรดลองอีกครั้งภายหลัง",
      empty: "โปรดพิมพ์คำถาม", busy: "โปรดรอจนกว่าคำตอบจะมา",
      german: "อ้างอิงเป็นภาษาเยอรมัน", noAnswer: "ไม่พบคำตอบที่เหมาะสม"
    }
  };

  function supported(code) {
    var c = String(code || "").toLowerCase().split(/[-_]/)[0];
    return STRINGS[c] ? c : null;
  }

  function t(lang, key) {
    return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.de[key] || key;
  }

  function dirOf(lang) { return RTL[lang] ? "rtl" : "ltr"; }

  // ---- DOM helpers: text only ------------------------------------------------------------------
  var SVG = "http://www.w3.org/2000/svg";

  /** el("p", {class: "x", "aria-label": "…"}, "text", child…): strings become text nodes, never HTML. */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        node.setAttribute(k, v === true ? "" : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /** Only http(s) links are made clickable: a scraped "javascript:" URL stays text. */
  function safeUrl(u) {
    try {
      var url = new URL(String(u), document.baseURI);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }

  /** The passage text as text nodes with <mark> around the highlight spans. Spans count code points
   *  (the API is Python), so the text is split into code points, not UTF-16 units. */
  function highlighted(text, spans) {
    var frag = document.createDocumentFragment();
    var cps = Array.from(String(text || ""));
    var pos = 0;
    (spans || []).slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
      var start = Math.max(pos, s[0] | 0), end = Math.min(cps.length, s[1] | 0);
      if (end <= start) return;
      if (start > pos) frag.appendChild(document.createTextNode(cps.slice(pos, start).join("")));
      frag.appendChild(el("mark", null, cps.slice(start, end).join("")));
      pos = end;
    });
    if (pos < cps.length) frag.appendChild(document.createTextNode(cps.slice(pos).join("")));
    return frag;
  }

  function formatDate(iso, lang) {
    if (!iso) return "";
    var d = new Date(String(iso).length === 10 ? iso + "T00:00:00Z" : iso);
    if (isNaN(d.getTime())) return String(iso);
    try {
      return d.toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
    } catch (e) { return String(iso); }
  }

  function thumbIcon(down) {
    // Material Design "thumb up" outline path (Apache-2.0); the "down" icon is the same, turned.
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    if (down) svg.setAttribute("class", "down");
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z");
    svg.appendChild(path);
    return svg;
  }

  // ---- the API ---------------------------------------------------------------------------------
  function ApiError(message, status) {
    this.name = "ApiError";
    this.message = message;
    this.status = status;
  }
  ApiError.prototype = Object.create(Error.prototype);

  async function failure(res) {
    var message = res.status + " " + res.statusText;
    try {
      var body = await res.json();
      if (body && body.message) message = body.message;
    } catch (e) { /* not JSON */ }
    return new ApiError(message, res.status);
  }

  /** One server-sent event block ("event: x\ndata: {...}") as {event, data}. */
  function parseEvent(block) {
    var event = "message", data = [];
    block.split("\n").forEach(function (line) {
      if (!line || line.charAt(0) === ":") return;
      var i = line.indexOf(":");
      var field = i < 0 ? line : line.slice(0, i);
      var value = i < 0 ? "" : line.slice(i + 1);
      if (value.charAt(0) === " ") value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    });
    return { event: event, data: data.join("\n") };
  }

  /** POST /v1/chat and call onEvent(name, json) for each event as it arrives. ``lang``, the language
   *  the asker chose in the widget, goes as Accept-Language: it settles one to three words ("Kita");
   *  without a choice the browser sends its own. */
  async function streamChat(api, body, onEvent, signal, lang) {
    var headers = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    if (lang) headers["Accept-Language"] = lang;
    var res = await fetch(api + "/v1/chat", {
      method: "POST", credentials: "omit", signal: signal, headers: headers,
      body: JSON.stringify(body)
    });
    if (!res.ok) throw await failure(res);
    var reader = res.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function flush(final) {
      buffer = buffer.replace(/\r\n?/g, "\n");
      var cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0 || (final && buffer.trim())) {
        var block = cut >= 0 ? buffer.slice(0, cut) : buffer;
        buffer = cut >= 0 ? buffer.slice(cut + 2) : "";
        var ev = parseEvent(block);
        if (ev.data) onEvent(ev.event, JSON.parse(ev.data));
      }
    }
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      flush(false);
    }
    buffer += decoder.decode();
    flush(true);
  }

  async function postJSON(api, path, body) {
    var res = await fetch(api + path, {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    });
    if (!res.ok) throw await failure(res);
    return res.json();
  }

  async function getJSON(api, path, signal, lang) {
    var res = await fetch(api + path, { credentials: "omit", signal: signal,
                                        headers: lang ? { "Accept-Language": lang } : {} });
    if (!res.ok) throw await failure(res);
    return res.json();
  }

  // ---- the widget ------------------------------------------------------------------------------
  var counter = 0;

  function Widget(target, options) {
    var opts = options || {};
    this.api = String(opts.api || "").replace(/\/+$/, "");
    this.inline = !!opts.inline;
    this.override = supported(opts.lang && opts.lang !== "auto" ? opts.lang : null);
    this.lang = this.override || supported(opts.initialLang) || supported(document.documentElement.lang) ||
      supported(navigator.language) || "de";
    this.sessionKey = "bildungslotse.session." + this.api;
    this.sessionId = null;
    try { this.sessionId = window.sessionStorage.getItem(this.sessionKey); } catch (e) { /* storage blocked */ }
    this.busy = false;
    this.uid = "lotse" + (++counter);
    this.labels = []; // [node, attribute or null, key]

    this.host = el("div", { "class": "bildungslotse-host", "data-lotse-widget": this.inline ? "inline" : "floating" });
    target.appendChild(this.host);
    this.root = this.host.attachShadow({ mode: "open" });
    var css = el("link", { rel: "stylesheet", href: (opts.css || this.api + "/widget.css") });
    var hostRtl = (document.documentElement.getAttribute("dir") || "").toLowerCase() === "rtl";
    this.frame = el("div", { "class": "lotse" + (this.inline ? " inline" : " floating") + (hostRtl ? " at-left" : ""), hidden: true });
    var frame = this.frame;
    // Shown once the style sheet is in (or failed), so it never flashes unstyled.
    css.addEventListener("load", function () { frame.hidden = false; });
    css.addEventListener("error", function () { frame.hidden = false; });
    this.root.appendChild(css);
    this.root.appendChild(this.frame);
    this.build();
    this.applyLanguage();
  }

  Widget.prototype.label = function (node, attr, key) {
    this.labels.push([node, attr, key]);
    return node;
  };

  Widget.prototype.build = function () {
    var self = this, id = this.uid;
    var panelAttrs = this.inline
      ? { "class": "panel", role: "region", "aria-labelledby": id + "-title" }
      : { "class": "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": id + "-title", id: id + "-panel", hidden: true };
    this.panel = el("div", panelAttrs);

    if (!this.inline) {
      this.launcher = el("button", { type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": id + "-panel" },
        this.label(el("span"), null, "launcher"));
      this.launcher.addEventListener("click", function () { self.panel.hidden ? self.open() : self.close(); });
      this.frame.appendChild(this.launcher);
    }

    // header: title, language, close
    this.title = this.label(el("h2", { id: id + "-title", "class": "title" }), null, "title");
    this.subtitle = this.label(el("p", { "class": "subtitle" }), null, "subtitle");
    this.select = el("select", { id: id + "-lang", "class": "lang" });
    this.autoOption = this.label(el("option", { value: "auto" }), null, "auto");
    this.select.appendChild(this.autoOption);
    LANGS.forEach(function (code) {
      self.select.appendChild(el("option", { value: code, lang: code, dir: dirOf(code) }, NATIVE[code]));
    });
    this.select.value = this.override || "auto";
    this.select.addEventListener("change", function () {
      self.override = self.select.value === "auto" ? null : self.select.value;
      if (self.override) self.lang = self.override;
      self.applyLanguage();
    });
    var langBox = el("div", { "class": "langbox" },
      this.label(el("label", { "for": id + "-lang" }), null, "language"), this.select);
    var header = el("div", { "class": "header" }, el("div", { "class": "heading" }, this.title, this.subtitle), langBox);
    if (!this.inline) {
      this.closeButton = el("button", { type: "button", "class": "close" }, el("span", { "aria-hidden": "true" }, "×"));
      this.label(this.closeButton, "aria-label", "close");
      this.closeButton.addEventListener("click", function () { self.close(); });
      header.appendChild(this.closeButton);
    }

    // transcript and announcer
    this.transcript = el("div", { "class": "transcript" },
      this.label(el("p", { "class": "intro" }), null, "intro"));
    this.announcer = el("div", { "class": "sr-only", role: "log", "aria-live": "polite", "aria-relevant": "additions" });

    // the question form
    this.input = el("input", { type: "text", id: id + "-q", "class": "q", maxlength: 1000, autocomplete: "off", dir: "auto", enterkeyhint: "send" });
    this.label(this.input, "placeholder", "placeholder");
    this.status = el("p", { "class": "status", id: id + "-status" });
    this.input.setAttribute("aria-describedby", id + "-status");
    this.sendButton = this.label(el("button", { type: "submit", "class": "send" }), null, "send");
    this.form = el("form", { "class": "ask", novalidate: true },
      this.label(el("label", { "for": id + "-q", "class": "qlabel" }), null, "question"),
      el("div", { "class": "row" }, this.input, this.sendButton), this.status);
    this.form.addEventListener("submit", function (e) {
      e.preventDefault();
      self.ask(self.input.value);
    });

    this.panel.appendChild(header);
    this.panel.appendChild(this.transcript);
    this.panel.appendChild(this.form);
    this.panel.appendChild(this.announcer);
    this.panel.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !self.inline) { e.stopPropagation(); self.close(); }
    });
    this.frame.appendChild(this.panel);
  };

  Widget.prototype.applyLanguage = function () {
    var lang = this.lang;
    this.frame.setAttribute("lang", lang);
    this.frame.setAttribute("dir", dirOf(lang));
    this.labels.forEach(function (l) {
      var text = t(lang, l[2]);
      if (l[1]) l[0].setAttribute(l[1], text); else l[0].textContent = text;
    });
  };

  Widget.prototype.open = function () {
    if (this.inline) { this.input.focus(); return; }
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.frame.classList.add("is-open");
    this.input.focus();
  };

  Widget.prototype.close = function () {
    if (this.inline) return;
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.frame.classList.remove("is-open");
    this.launcher.focus();
  };

  Widget.prototype.announce = function (text) {
    this.announcer.appendChild(el("p", null, text));
    while (this.announcer.childNodes.length > 4) this.announcer.removeChild(this.announcer.firstChild);
  };

  Widget.prototype.setStatus = function (text) { this.status.textContent = text || ""; };

  Widget.prototype.scrollTo = function (node) {
    var box = this.transcript;
    box.scrollTop = Math.max(0, node.offsetTop - box.offsetTop - 8);
  };

  /** Ask a question; the answer streams into a new turn of the transcript. Focus stays where it is. */
  Widget.prototype.ask = async function (question) {
    var self = this, q = String(question || "").trim();
    if (!q) { this.setStatus(t(this.lang, "empty")); return; }
    if (this.busy) { this.setStatus(t(this.lang, "busy")); return; }
    if (!this.inline && this.panel.hidden) this.open();
    this.busy = true;
    this.input.value = "";
    this.setStatus("");
    var turn = new Turn(this, q);
    this.transcript.appendChild(turn.node);
    this.scrollTo(turn.node);
    this.announce(t(this.lang, "searching"));
    var body = { question: q };
    if (this.sessionId) body.session_id = this.sessionId;
    // A language chosen in the menu frames the answer too, not only the widget's own words:
    // "How do I get a Kita-Platz?" reads as German to the detector, but the asker chose English.
    if (this.override) body.language = this.override;
    try {
      await streamChat(this.api, body, function (name, data) { turn.on(name, data); }, undefined, this.override);
      if (!turn.finished) turn.fail(t(this.lang, "error"));
    } catch (e) {
      if (e && e.status === 422 && body.session_id) this.forgetSession();
      turn.fail(e instanceof ApiError ? e.message : t(this.lang, "offline"));
    } finally {
      this.busy = false;
    }
  };

  Widget.prototype.rememberSession = function (id) {
    this.sessionId = id;
    try { window.sessionStorage.setItem(this.sessionKey, id); } catch (e) { /* storage blocked */ }
  };

  Widget.prototype.forgetSession = function () {
    this.sessionId = null;
    try { window.sessionStorage.removeItem(this.sessionKey); } catch (e) { /* storage blocked */ }
  };

  // ---- one question and its answer ------------------------------------------------------------
  function Turn(widget, question) {
    this.w = widget;
    this.n = ++counter;
    this.lang = widget.lang;
    this.finished = false;
    this.passages = {};
    this.node = el("article", { "class": "turn", "aria-busy": "true" });
    this.node.appendChild(el("p", { "class": "question", dir: "auto" },
      el("span", { "class": "sr-only" }, t(this.lang, "you") + ": "), question));
    this.pending = el("p", { "class": "pending" }, el("span", { "class": "dots", "aria-hidden": "true" }), t(this.lang, "searching"));
    this.node.appendChild(this.pending);
  }

  Turn.prototype.on = function (name, data) {
    if (name === "passages") this.showPassages(data);
    else if (name === "answer") this.showAnswer(data);
    else if (name === "done") this.done(data);
    else if (name === "error") this.fail(data.message || t(this.lang, "error"));
  };

  Turn.prototype.showPassages = function (data) {
    var w = this.w;
    if (data.session_id) w.rememberSession(data.session_id);
    var lang = supported(data.language);
    if (!w.override && lang && lang !== w.lang) { w.lang = lang; w.applyLanguage(); }
    if (!w.override && !lang && data.language) { w.lang = "en"; w.applyLanguage(); }
    this.lang = w.lang;
    this.node.setAttribute("lang", this.lang);
    this.node.setAttribute("dir", dirOf(this.lang));
    this.answerId = data.answer_id;
    this.pending.lastChild.textContent = t(this.lang, "writing");
    var list = el("div", { "class": "passages" });
    var self = this;
    (data.passages || []).forEach(function (p) {
      self.passages[p.rank] = p;
      list.appendChild(self.passage(p));
    });
    this.passageList = el("section", { "class": "passage-list", "aria-label": t(this.lang, "passages") },
      el("h3", { "class": "small" }, t(this.lang, "passages")), list);
    this.node.appendChild(this.passageList);
  };

  Turn.prototype.passage = function (p) {
    var src = p.source || {};
    var link = safeUrl(src.fragment_link || src.deep_link || src.url);
    var heading = [src.title, src.section].filter(Boolean).join(" – ");
    var details = el("details", { "class": "passage", id: "p" + this.n + "-" + p.rank, "data-rank": p.rank });
    details.appendChild(el("summary", null,
      el("span", { "class": "n" }, "[" + p.rank + "]"), " ",
      p.kind === "offer" ? el("span", { "class": "badge" }, t(this.lang, "offer")) : null,
      el("span", { "class": "ptitle", lang: "de", dir: "ltr" }, heading || src.url || "")));
    var text = el("p", { "class": "ptext", lang: "de", dir: "ltr" });
    text.appendChild(highlighted(p.text, p.highlights));
    details.appendChild(text);
    var meta = el("p", { "class": "meta" });
    if (src.as_of) {
      meta.appendChild(el("span", null, t(this.lang, "asOf") + ": ",
        el("time", { datetime: src.as_of }, formatDate(src.as_of, this.lang))));
      meta.appendChild(document.createTextNode(" · "));
    }
    if (link) meta.appendChild(this.sourceLink(link, t(this.lang, "open")));
    details.appendChild(meta);
    return details;
  };

  Turn.prototype.sourceLink = function (href, text) {
    return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", "class": "source-link" },
      text, el("span", { "class": "sr-only" }, " (" + t(this.lang, "newWindow") + ")"));
  };

  /** The answer's lines; "[n]" becomes a button that opens passage n. Evidence lines (ending in a
   *  marker) are verbatim German, a field line after the subject it is given. */
  Turn.prototype.answerText = function (text) {
    var self = this, box = el("div", { "class": "answer-text" });
    String(text || "").split("\n").forEach(function (line) {
      if (!line.trim()) return;
      var evidence = /\[\d+\]\s*$/.test(line);
      var p = el("p", { dir: "auto", lang: evidence ? "de" : self.lang });
      // A field line ("Kosten: kostenlos") is led by its passage's title and " › " (assistant/compose.py).
      var cut = evidence ? line.indexOf(" \u203a ") : -1;
      if (cut > 0) {
        p.appendChild(el("span", { "class": "subject" }, line.slice(0, cut)));
        p.appendChild(document.createTextNode(" \u203a "));
        line = line.slice(cut + 3);
      }
      var re = /\[(\d+)\]/g, last = 0, m;
      while ((m = re.exec(line)) !== null) {
        if (m.index > last) self.linkedText(p, line.slice(last, m.index));
        p.appendChild(self.citeButton(parseInt(m[1], 10)));
        last = re.lastIndex;
      }
      if (last < line.length) self.linkedText(p, line.slice(last));
      box.appendChild(p);
    });
    return box;
  };

  /** Text with its http(s) addresses as links: a refusal names an ended offer's page and the city's
   *  contact form, a field line its registration page. Trailing punctuation stays text. */
  Turn.prototype.linkedText = function (parent, text) {
    var re = /https?:\/\/[^\s<>"\u201c\u201d\u201e\u00ab\u00bb]*[^\s<>"\u201c\u201d\u201e\u00ab\u00bb.,;:!?)\]\u060c]/g;
    var last = 0, m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = this.sourceLink(m[0], m[0]);
      a.setAttribute("dir", "ltr");
      parent.appendChild(a);
      last = re.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  };

  Turn.prototype.citeButton = function (n) {
    var self = this, p = this.passages[n];
    var title = p && p.source ? p.source.title : "";
    var b = el("button", { type: "button", "class": "cite", "data-cite": n, "aria-label": t(this.lang, "cite") + " " + n + (title ? ": " + title : "") }, "[" + n + "]");
    b.addEventListener("click", function () {
      var d = self.node.querySelector("details[data-rank='" + n + "']");
      if (!d) return;
      d.open = true;
      var summary = d.querySelector("summary");
      summary.focus();
      self.w.scrollTo(d);
    });
    return b;
  };

  Turn.prototype.showAnswer = function (data) {
    var a = data.answer || {};
    var block = el("div", { "class": "answer" + (data.found ? "" : " not-found"), lang: this.lang, dir: dirOf(this.lang) },
      el("h3", { "class": "sr-only" }, t(this.lang, "answer")), this.answerText(a.text));
    var sources = data.sources || [];
    if (sources.length) {
      var self = this, list = el("ol", { "class": "sources" });
      sources.forEach(function (s) {
        var p = self.passages[s.n] || {};
        var src = p.source || {};
        var href = safeUrl(src.fragment_link || s.deep_link || s.url);
        var name = [s.title, s.section].filter(Boolean).join(" – ");
        var li = el("li", { "data-n": s.n }, el("span", { "class": "n" }, "[" + s.n + "] "));
        // A page and its offer record share title and link; the badge tells the two sources apart.
        if (p.kind === "offer") li.appendChild(el("span", { "class": "badge" }, t(self.lang, "offer")));
        if (href) {
          var a = el("a", { href: href, target: "_blank", rel: "noopener noreferrer", "class": "source-link", lang: "de", dir: "ltr" },
            name, el("span", { "class": "sr-only" }, " (" + t(self.lang, "newWindow") + ")"));
          li.appendChild(a);
        } else {
          li.appendChild(el("span", { lang: "de", dir: "ltr" }, name));
        }
        if (s.as_of) li.appendChild(el("span", { "class": "asof" }, " · " + t(self.lang, "asOf") + ": ",
          el("time", { datetime: s.as_of }, formatDate(s.as_of, self.lang))));
        list.appendChild(li);
      });
      block.appendChild(el("section", { "class": "cited", "aria-label": t(this.lang, "sources") },
        el("h3", { "class": "small" }, t(this.lang, "sources")), list));
    }
    this.node.insertBefore(block, this.passageList || null);
    if (this.pending.parentNode) this.pending.parentNode.removeChild(this.pending);
    this.answerBlock = block;
    this.w.scrollTo(this.node); // the question at the top, its answer below it
    var plain = String(a.text || "").replace(/\s*\[\d+\]/g, "").replace(/\u200f/g, "").replace(/\s+/g, " ").trim();
    this.w.announce(t(this.lang, "newAnswer") + ": " + (plain || t(this.lang, "noAnswer")));
  };

  Turn.prototype.done = function (data) {
    this.finished = true;
    this.node.removeAttribute("aria-busy");
    if (data && data.answer_id) this.answerId = data.answer_id;
    if (this.answerId && this.answerBlock) this.node.insertBefore(this.feedback(), this.passageList || null);
  };

  Turn.prototype.fail = function (message) {
    this.finished = true;
    this.node.removeAttribute("aria-busy");
    if (this.pending.parentNode) this.pending.parentNode.removeChild(this.pending);
    this.node.appendChild(el("p", { "class": "error" }, message));
    this.w.announce(t(this.lang, "error") + " " + message);
  };

  Turn.prototype.feedback = function () {
    var self = this, lang = this.lang, api = this.w.api, rating = 0;
    var up = el("button", { type: "button", "class": "thumb up", "aria-pressed": "false", "aria-label": t(lang, "yes") }, thumbIcon(false));
    var down = el("button", { type: "button", "class": "thumb down", "aria-pressed": "false", "aria-label": t(lang, "no") }, thumbIcon(true));
    var note = el("p", { "class": "fb-status" });
    var cid = "c" + this.n;
    var comment = el("textarea", { id: cid, rows: 2, maxlength: 2000, dir: "auto" });
    var form = el("form", { "class": "comment", hidden: true },
      el("label", { "for": cid }, t(lang, "comment")), comment,
      el("button", { type: "submit", "class": "send-comment" }, t(lang, "sendComment")));
    async function send(withComment) {
      var body = { answer_id: self.answerId, rating: rating };
      if (withComment && comment.value.trim()) body.comment = comment.value.trim();
      try {
        await postJSON(api, "/v1/feedback", body);
        note.textContent = t(lang, "thanks");
        self.w.announce(t(lang, "thanks"));
        return true;
      } catch (e) {
        note.textContent = t(lang, "feedbackFailed");
        self.w.announce(t(lang, "feedbackFailed"));
        return false;
      }
    }
    function rate(value) {
      rating = value;
      up.setAttribute("aria-pressed", String(value === 1));
      down.setAttribute("aria-pressed", String(value === -1));
      form.hidden = false;
      send(false);
    }
    up.addEventListener("click", function () { rate(1); });
    down.addEventListener("click", function () { rate(-1); });
    form.addEventListener("submit", async function (e) {
      e.preventDefault();
      if (await send(true)) {
        form.hidden = true;
        up.focus();
      }
    });
    var gid = "g" + this.n;
    return el("div", { "class": "feedback", role: "group", "aria-labelledby": gid },
      el("p", { id: gid, "class": "fb-question" }, t(lang, "helpful")),
      el("div", { "class": "thumbs" }, up, down), form, note);
  };

  // ---- public surface ------------------------------------------------------------------------
  function apiFrom(node) {
    if (!node) return window.location.origin;
    var configured = node.getAttribute("data-lotse-api");
    if (configured) return configured;
    try { return new URL(node.src, document.baseURI).origin; } catch (e) { return window.location.origin; }
  }

  var defaults = {
    api: apiFrom(script),
    lang: script && script.getAttribute("data-lotse-lang"),
    initialLang: null,
    css: null
  };

  var instances = [];

  /** Mount a widget into target (default: document.body, as a floating launcher). Options: api, lang
   *  ("auto" or a code: fixes the language), inline (always open, no launcher: for the console). */
  function mount(target, options) {
    var o = {};
    Object.keys(defaults).forEach(function (k) { o[k] = defaults[k]; });
    Object.keys(options || {}).forEach(function (k) { o[k] = options[k]; });
    var w = new Widget(target || document.body, o);
    instances.push(w);
    return w;
  }

  window.Bildungslotse = {
    version: "0.1.0",
    mount: mount,
    instances: instances,
    core: {
      LANGS: LANGS, NATIVE: NATIVE, STRINGS: STRINGS, t: t, dirOf: dirOf, supported: supported, el: el,
      clear: clear, safeUrl: safeUrl, highlighted: highlighted, formatDate: formatDate, parseEvent: parseEvent,
      streamChat: streamChat, getJSON: getJSON, postJSON: postJSON, ApiError: ApiError
    }
  };

  if (script && script.getAttribute("data-lotse-auto") !== "off") {
    var start = function () {
      var w = mount(document.body, {});
      if (script.getAttribute("data-lotse-open") === "true") w.open();
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})();
