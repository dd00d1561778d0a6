/** Languages a user-facing error message can be written in. */
export type Locale = "uz" | "ru" | "en";

type Catalogue = Record<string, Record<Locale, string>>;

/** User-facing text for every error code the API returns. */
const errorMessages: Catalogue = {
  INVALID_JSON: {
    uz: "So'rov tanasi yaroqli JSON emas.",
    ru: "Тело запроса не является корректным JSON.",
    en: "The request body is not valid JSON.",
  },
  VALIDATION_FAILED: {
    uz: "So'rov maydonlari noto'g'ri.",
    ru: "Поля запроса заполнены неверно.",
    en: "The request fields are invalid.",
  },
  ROUTE_NOT_FOUND: {
    uz: "Bunday manzil yo'q.",
    ru: "Такого адреса нет.",
    en: "No such route.",
  },
  METHOD_NOT_ALLOWED: {
    uz: "Bu manzil bunday so'rov usulini qabul qilmaydi. Qabul qilinadigan usullar Allow sarlavhasida.",
    ru: "Этот адрес не принимает такой метод запроса. Допустимые методы указаны в заголовке Allow.",
    en: "This route does not accept the request's method. The Allow header lists the ones it does.",
  },
  BAD_REQUEST: {
    uz: "So'rov noto'g'ri.",
    ru: "Некорректный запрос.",
    en: "Bad request.",
  },
  PAYLOAD_TOO_LARGE: {
    uz: "So'rov tanasi juda katta.",
    ru: "Тело запроса слишком большое.",
    en: "The request body is too large.",
  },
  LENGTH_REQUIRED: {
    uz: "So'rov tanasining hajmi Content-Length sarlavhasida ko'rsatilishi kerak.",
    ru: "Укажите размер тела запроса в заголовке Content-Length.",
    en: "Send the body's size in a Content-Length header.",
  },
  INTERNAL_ERROR: {
    uz: "Ichki xatolik. Keyinroq qayta urinib ko'ring.",
    ru: "Внутренняя ошибка. Повторите попытку позже.",
    en: "Internal error. Try again later.",
  },
  INVALID_METRICS_TOKEN: {
    uz: "Metrikalar uchun token noto'g'ri: Authorization sarlavhasida METRICS_TOKEN qiymatini Bearer sifatida yuboring.",
    ru: "Неверный токен метрик: передайте значение METRICS_TOKEN в заголовке Authorization как Bearer.",
    en: "Invalid metrics token: send the METRICS_TOKEN value as a Bearer token in the Authorization header.",
  },
  UNAUTHORIZED: {
    uz: "Kirish talab qilinadi: Authorization sarlavhasida yaroqli token yuboring.",
    ru: "Нужна авторизация: передайте действующий токен в заголовке Authorization.",
    en: "Sign-in required: send a valid token in the Authorization header.",
  },
  TOKEN_EXPIRED: {
    uz: "Token muddati tugagan. Yangilash tokeni bilan yangisini oling.",
    ru: "Срок действия токена истёк. Получите новый по refresh-токену.",
    en: "The token has expired. Get a new one with your refresh token.",
  },
  INVALID_REFRESH_TOKEN: {
    uz: "Yangilash tokeni yaroqsiz yoki ishlatilgan. Qaytadan kiring.",
    ru: "Refresh-токен недействителен или уже использован. Войдите снова.",
    en: "The refresh token is invalid or already used. Sign in again.",
  },
  INVALID_CREDENTIALS: {
    uz: "Email yoki parol noto'g'ri.",
    ru: "Неверный email или пароль.",
    en: "Wrong email or password.",
  },
  EMAIL_TAKEN: {
    uz: "Bu email bilan foydalanuvchi allaqachon mavjud.",
    ru: "Пользователь с таким email уже существует.",
    en: "A user with this email already exists.",
  },
  WEAK_PASSWORD: {
    uz: "Parol juda oddiy: kamida 10 belgidan iborat bo'lsin, keng tarqalgan parol, bitta takrorlangan belgi yoki emailingizdagi nom bo'lmasin.",
    ru: "Пароль слишком простой: нужно не менее 10 символов, и это не должен быть распространённый пароль, один повторяющийся символ или имя из вашего email.",
    en: "The password is too weak: use at least 10 characters, and not a common password, one repeated character or the name in your email.",
  },
  FORBIDDEN: {
    uz: "Bu amal uchun ruxsat yo'q.",
    ru: "Недостаточно прав для этого действия.",
    en: "You do not have permission for this action.",
  },
  ACCOUNT_SUSPENDED: {
    uz: "Hisob to'xtatilgan. Administrator bilan bog'laning.",
    ru: "Аккаунт приостановлен. Обратитесь к администратору.",
    en: "The account is suspended. Contact an administrator.",
  },
  INVALID_PRODUCT_URL: {
    uz: "Uzum mahsulot havolasi yoki raqami noto'g'ri. Misol: https://uzum.uz/uz/product/nomi-1772350",
    ru: "Неверная ссылка или номер товара Uzum. Пример: https://uzum.uz/ru/product/nazvanie-1772350",
    en: "Invalid Uzum product link or id. Example: https://uzum.uz/uz/product/name-1772350",
  },
  PRODUCT_NOT_FOUND: {
    uz: "Uzumda bunday mahsulot topilmadi.",
    ru: "Такой товар на Uzum не найден.",
    en: "Uzum has no such product.",
  },
  PRODUCT_NOT_ANALYZED: {
    uz: "Bu mahsulot hali tahlil qilinmagan. Avval tahlil qiling.",
    ru: "Этот товар ещё не анализировался. Сначала выполните анализ.",
    en: "This product has not been analysed yet. Analyse it first.",
  },
  NOT_TRACKED: {
    uz: "Bu mahsulot kuzatilmayapti.",
    ru: "Этот товар не отслеживается.",
    en: "This product is not being tracked.",
  },
  JOB_NOT_FOUND: {
    uz: "Bunday nomli rejalashtirilgan vazifa yo'q. Ro'yxatni GET /api/v1/admin/jobs orqali oling.",
    ru: "Задачи с таким именем нет. Список задач: GET /api/v1/admin/jobs.",
    en: "No scheduled job has this name. List the jobs with GET /api/v1/admin/jobs.",
  },
  JOB_ALREADY_RUNNING: {
    uz: "Bu vazifa hozir bajarilmoqda. U tugagach qayta urinib ko'ring.",
    ru: "Эта задача уже выполняется. Повторите, когда она завершится.",
    en: "This job is already running. Try again once it has finished.",
  },
  RATE_LIMITED: {
    uz: "So'rovlar juda ko'p. Retry-After sarlavhasida ko'rsatilgan soniyadan so'ng qayta urinib ko'ring.",
    ru: "Слишком много запросов. Повторите через столько секунд, сколько указано в заголовке Retry-After.",
    en: "Too many requests. Try again after the number of seconds in the Retry-After header.",
  },
  AI_BUDGET_EXCEEDED: {
    uz: "Hisobning shu oylik AI byudjeti tugadi. Keyingi oy boshlanganda yoki administrator byudjetni oshirganda qayta urinib ko'ring.",
    ru: "Месячный бюджет AI для аккаунта исчерпан. Повторите в начале следующего месяца или попросите администратора увеличить бюджет.",
    en: "The account's AI budget for this month is used up. Try again next month or ask an administrator to raise the budget.",
  },
  AI_UNAVAILABLE: {
    uz: "AI xizmati hozir javob bermadi. Birozdan so'ng qayta urinib ko'ring.",
    ru: "Сервис AI сейчас не ответил. Повторите попытку чуть позже.",
    en: "The AI service did not answer. Try again shortly.",
  },
  REGISTRATION_CLOSED: {
    uz: "Yangi hisoblarni ro'yxatdan o'tkazish hozir yopiq. Administrator bilan bog'laning.",
    ru: "Регистрация новых аккаунтов сейчас закрыта. Обратитесь к администратору.",
    en: "Sign-up of new accounts is closed. Contact an administrator.",
  },
  ACCOUNT_NOT_FOUND: {
    uz: "Bunday hisob topilmadi.",
    ru: "Аккаунт не найден.",
    en: "No such account.",
  },
  USER_NOT_FOUND: {
    uz: "Bunday foydalanuvchi topilmadi.",
    ru: "Пользователь не найден.",
    en: "No such user.",
  },
  CANNOT_MODIFY_SELF: {
    uz: "O'z foydalanuvchingiz yoki hisobingizni bu yerda o'zgartira olmaysiz. Boshqa administratordan so'rang.",
    ru: "Нельзя изменить здесь собственного пользователя или аккаунт. Попросите другого администратора.",
    en: "You cannot change your own user or account here. Ask another administrator.",
  },
  SETTING_NOT_FOUND: {
    uz: "Bunday sozlama yo'q. Ro'yxatni GET /api/v1/admin/settings orqali oling.",
    ru: "Такой настройки нет. Список: GET /api/v1/admin/settings.",
    en: "No such setting. List them with GET /api/v1/admin/settings.",
  },
  INVALID_SETTING_VALUE: {
    uz: "Sozlama qiymati noto'g'ri: details.expected da kutilgan turi va oralig'i ko'rsatilgan.",
    ru: "Неверное значение настройки: ожидаемый тип и диапазон указаны в details.expected.",
    en: "Invalid setting value: details.expected gives the type and range required.",
  },
  UZUM_UNAVAILABLE: {
    uz: "Uzum hozir javob bermayapti. Birozdan so'ng qayta urinib ko'ring.",
    ru: "Uzum сейчас не отвечает. Повторите попытку чуть позже.",
    en: "Uzum is not answering right now. Try again shortly.",
  },
  INVALID_CATEGORY: {
    uz: "Uzum toifa havolasi yoki raqami noto'g'ri. Misol: https://uzum.uz/uz/category/makiyaj--10091 yoki 10091",
    ru: "Неверная ссылка или номер категории Uzum. Пример: https://uzum.uz/ru/category/makiyazh--10091 или 10091",
    en: "Invalid Uzum category link or id. Example: https://uzum.uz/ru/category/makiyazh--10091 or 10091",
  },
  RUN_IN_PROGRESS: {
    uz: "Bu toifa allaqachon tahlil qilinmoqda. Joriy tahlil natijasini kuting.",
    ru: "Эта категория уже сканируется. Дождитесь результата текущего сканирования.",
    en: "This category is already being scanned. Wait for the current scan to end.",
  },
  RUN_NOT_FOUND: {
    uz: "Bunday toifa tahlili topilmadi.",
    ru: "Такое сканирование категории не найдено.",
    en: "No such category scan.",
  },
  RUN_ALREADY_ENDED: {
    uz: "Bu tahlil allaqachon tugagan, uni bekor qilib bo'lmaydi.",
    ru: "Это сканирование уже завершено, отменить его нельзя.",
    en: "This scan has already ended, so it cannot be cancelled.",
  },
  NO_FINISHED_RUN: {
    uz: "Bu toifa uchun tugallangan tahlil hali yo'q. Avval tahlilni boshlang.",
    ru: "Для этой категории ещё нет завершённого сканирования. Сначала запустите его.",
    en: "This category has no finished scan yet. Start one first.",
  },
  ALERT_RULE_NOT_FOUND: {
    uz: "Bunday ogohlantirish qoidasi topilmadi.",
    ru: "Такое правило уведомлений не найдено.",
    en: "No such alert rule.",
  },
  INVALID_ALERT_THRESHOLD: {
    uz: "Qoida chegarasi noto'g'ri: narx va o'sish qoidalari uchun foiz, STOCK_LOW uchun dona soni, OUT_OF_STOCK va BACK_IN_STOCK uchun chegarasiz.",
    ru: "Неверный порог правила: процент для правил цены и роста, число штук для STOCK_LOW, без порога для OUT_OF_STOCK и BACK_IN_STOCK.",
    en: "Invalid rule threshold: a percent for price and spike rules, units for STOCK_LOW, none for OUT_OF_STOCK and BACK_IN_STOCK.",
  },
  ALERT_RULE_LIMIT: {
    uz: "Hisobda ogohlantirish qoidalari juda ko'p. Keraksizlarini o'chiring.",
    ru: "У аккаунта слишком много правил уведомлений. Удалите ненужные.",
    en: "The account has too many alert rules. Delete some first.",
  },
  BOT_DISABLED: {
    uz: "Telegram bot bu serverda yoqilmagan.",
    ru: "Telegram-бот на этом сервере не включён.",
    en: "The Telegram bot is not enabled on this server.",
  },
  BOT_NOT_READY: {
    uz: "Telegram bot hali ishga tushmagan. Keyinroq qayta yuboring.",
    ru: "Telegram-бот ещё не запущен. Повторите позже.",
    en: "The Telegram bot has not started yet. Send again later.",
  },
  INVALID_WEBHOOK_SECRET: {
    uz: "X-Telegram-Bot-Api-Secret-Token sarlavhasi yo'q yoki noto'g'ri.",
    ru: "Заголовок X-Telegram-Bot-Api-Secret-Token отсутствует или неверен.",
    en: "The X-Telegram-Bot-Api-Secret-Token header is missing or wrong.",
  },
};

const supportedLocales: Locale[] = ["uz", "ru", "en"];

/**
 * Picks the best supported language from an Accept-Language header, honouring
 * q-values; Uzbek is the default because our first users are Uzbek sellers.
 */
export function pickLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return "uz";

  const ranked = acceptLanguage
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(";");
      const qParam = params.find((p) => p.trim().startsWith("q="));
      const quality = qParam ? Number(qParam.trim().slice(2)) : 1;
      return { language: tag.split("-")[0], quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);

  const match = ranked.find((entry) => supportedLocales.includes(entry.language as Locale));
  return (match?.language as Locale | undefined) ?? "uz";
}

/** Returns the user-facing message for an error code, in English when the code has no entry. */
export function errorMessage(code: string, locale: Locale): string {
  const entry = errorMessages[code];
  if (!entry) return code.toLowerCase().replaceAll("_", " ");
  return entry[locale];
}
