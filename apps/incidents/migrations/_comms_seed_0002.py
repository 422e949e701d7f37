"""The status update templates migration 0002 seeds (frozen: later edits happen in the portal).

From the runbooks: the announcement template of the launch-day runbook (status page /
pinned post / announcement template, §11.7 "Template pengumuman incident"), and the
launch plan's communications (§9: first status, updates, closure, in RU/EN; webhooks
degraded — a notice with replay instructions). Each kind exists for each audience and in
English, Russian and Indonesian; "webhooks degraded" is for partners (their integrations).
Placeholders: apps.incidents.services.comms_render.PLACEHOLDERS.
"""

# (key, audience, language) -> (name, subject, body)
TEMPLATES: dict[tuple[str, str, str], tuple[str, str, str]] = {
    # --- first notice ------------------------------------------------------------------------
    ("first_notice", "internal", "en"): (
        "First status (internal)",
        "[{severity}] {number}: {title} — {status}",
        "Incident {number} declared at {declared_at}: {title}.\n"
        "Severity: {severity} ({severity_name}). Status: {status}. Commander: {commander}.\n"
        "Customer impact: {impact}\n"
        "Started: {started_at}. Next update by {next_update_at}.",
    ),
    ("first_notice", "internal", "ru"): (
        "Первый статус (внутренний)",
        "[{severity}] {number}: {title} — {status}",
        "Инцидент {number} объявлен {declared_at}: {title}.\n"
        "Уровень: {severity} ({severity_name}). Статус: {status}. IC: {commander}.\n"
        "Влияние на клиентов: {impact}\n"
        "Начало: {started_at}. Следующий апдейт — до {next_update_at}.",
    ),
    ("first_notice", "internal", "id"): (
        "Status pertama (internal)",
        "[{severity}] {number}: {title} — {status}",
        "Incident {number} dideklarasikan pada {declared_at}: {title}.\n"
        "Severity: {severity} ({severity_name}). Status: {status}. Komandan: {commander}.\n"
        "Dampak ke pengguna: {impact}\n"
        "Mulai: {started_at}. Update berikutnya paling lambat {next_update_at}.",
    ),
    ("first_notice", "partners", "en"): (
        "First status (partners)",
        "{number}: {title}",
        "Dear partners,\n\n"
        "We are investigating an incident: {title}.\n"
        "Impact: {impact}\n"
        "Started: {started_at}. Current status: {status}.\n\n"
        "We will send the next update by {next_update_at}.",
    ),
    ("first_notice", "partners", "ru"): (
        "Первый статус (партнёрам)",
        "{number}: {title}",
        "Уважаемые партнёры,\n\n"
        "Мы расследуем инцидент: {title}.\n"
        "Влияние: {impact}\n"
        "Начало: {started_at}. Текущий статус: {status}.\n\n"
        "Следующий апдейт отправим до {next_update_at}.",
    ),
    ("first_notice", "partners", "id"): (
        "Status pertama (mitra)",
        "{number}: {title}",
        "Mitra yang terhormat,\n\n"
        "Kami sedang menyelidiki sebuah incident: {title}.\n"
        "Dampak: {impact}\n"
        "Mulai: {started_at}. Status saat ini: {status}.\n\n"
        "Update berikutnya kami kirim paling lambat {next_update_at}.",
    ),
    ("first_notice", "public", "en"): (
        "First status (status page / pinned post)",
        "{title}",
        "We are aware of a problem: {title}.\n"
        "Impact: {impact}\n"
        "Our team is working on it. Current status: {status}.\n"
        "Next update by {next_update_at}.",
    ),
    ("first_notice", "public", "ru"): (
        "Первый статус (статус-страница / закреплённый пост)",
        "{title}",
        "Нам известно о проблеме: {title}.\n"
        "Влияние: {impact}\n"
        "Команда уже работает над ней. Текущий статус: {status}.\n"
        "Следующий апдейт — до {next_update_at}.",
    ),
    ("first_notice", "public", "id"): (
        "Pengumuman incident (status page / pinned post)",
        "{title}",
        "Kami mengetahui adanya masalah: {title}.\n"
        "Dampak: {impact}\n"
        "Tim kami sedang menanganinya. Status saat ini: {status}.\n"
        "Update berikutnya paling lambat {next_update_at}.",
    ),
    # --- update ------------------------------------------------------------------------------
    ("update", "internal", "en"): (
        "Update (internal)",
        "[{severity}] {number}: {title} — {status}",
        "Status: {status}.\n{message}\n\nCustomer impact: {impact}\n"
        "Next update by {next_update_at}.",
    ),
    ("update", "internal", "ru"): (
        "Апдейт (внутренний)",
        "[{severity}] {number}: {title} — {status}",
        "Статус: {status}.\n{message}\n\nВлияние на клиентов: {impact}\n"
        "Следующий апдейт — до {next_update_at}.",
    ),
    ("update", "internal", "id"): (
        "Update (internal)",
        "[{severity}] {number}: {title} — {status}",
        "Status: {status}.\n{message}\n\nDampak ke pengguna: {impact}\n"
        "Update berikutnya paling lambat {next_update_at}.",
    ),
    ("update", "partners", "en"): (
        "Update (partners)",
        "{number}: {title} — update",
        "Dear partners,\n\nStatus: {status}.\n{message}\n\nImpact: {impact}\n"
        "We will send the next update by {next_update_at}.",
    ),
    ("update", "partners", "ru"): (
        "Апдейт (партнёрам)",
        "{number}: {title} — апдейт",
        "Уважаемые партнёры,\n\nСтатус: {status}.\n{message}\n\nВлияние: {impact}\n"
        "Следующий апдейт отправим до {next_update_at}.",
    ),
    ("update", "partners", "id"): (
        "Update (mitra)",
        "{number}: {title} — update",
        "Mitra yang terhormat,\n\nStatus: {status}.\n{message}\n\nDampak: {impact}\n"
        "Update berikutnya kami kirim paling lambat {next_update_at}.",
    ),
    ("update", "public", "en"): (
        "Update (status page / pinned post)",
        "{title} — update",
        "Status: {status}.\n{message}\n\nNext update by {next_update_at}.",
    ),
    ("update", "public", "ru"): (
        "Апдейт (статус-страница / закреплённый пост)",
        "{title} — апдейт",
        "Статус: {status}.\n{message}\n\nСледующий апдейт — до {next_update_at}.",
    ),
    ("update", "public", "id"): (
        "Update (status page / pinned post)",
        "{title} — update",
        "Status: {status}.\n{message}\n\nUpdate berikutnya paling lambat {next_update_at}.",
    ),
    # --- resolved (closure) ------------------------------------------------------------------
    ("resolved", "internal", "en"): (
        "Resolved (internal)",
        "[{severity}] {number}: {title} — resolved",
        "{number} was resolved at {resolved_at} (started {started_at}).\n"
        "Customer impact: {impact}\n"
        "Commander: {commander}. The post-mortem follows if the severity requires one.",
    ),
    ("resolved", "internal", "ru"): (
        "Закрытие (внутреннее)",
        "[{severity}] {number}: {title} — решён",
        "{number} решён {resolved_at} (начало {started_at}).\n"
        "Влияние на клиентов: {impact}\n"
        "IC: {commander}. Постмортем — если его требует уровень инцидента.",
    ),
    ("resolved", "internal", "id"): (
        "Selesai (internal)",
        "[{severity}] {number}: {title} — selesai",
        "{number} selesai pada {resolved_at} (mulai {started_at}).\n"
        "Dampak ke pengguna: {impact}\n"
        "Komandan: {commander}. Post-mortem menyusul bila severity-nya mewajibkan.",
    ),
    ("resolved", "partners", "en"): (
        "Resolved (partners)",
        "{number}: {title} — resolved",
        "Dear partners,\n\nThe incident that started at {started_at} was resolved at "
        "{resolved_at}.\nImpact: {impact}\n\nThank you for your patience.",
    ),
    ("resolved", "partners", "ru"): (
        "Закрытие (партнёрам)",
        "{number}: {title} — решён",
        "Уважаемые партнёры,\n\nИнцидент, начавшийся {started_at}, решён {resolved_at}.\n"
        "Влияние: {impact}\n\nСпасибо за терпение.",
    ),
    ("resolved", "partners", "id"): (
        "Selesai (mitra)",
        "{number}: {title} — selesai",
        "Mitra yang terhormat,\n\nIncident yang dimulai pada {started_at} telah selesai pada "
        "{resolved_at}.\nDampak: {impact}\n\nTerima kasih atas kesabaran Anda.",
    ),
    ("resolved", "public", "en"): (
        "Resolved (status page / pinned post)",
        "{title} — resolved",
        "The problem was resolved at {resolved_at}. Everything works as usual again.\n"
        "Thank you for your patience.",
    ),
    ("resolved", "public", "ru"): (
        "Закрытие (статус-страница / закреплённый пост)",
        "{title} — решено",
        "Проблема решена {resolved_at}. Всё снова работает в обычном режиме.\n"
        "Спасибо за терпение.",
    ),
    ("resolved", "public", "id"): (
        "Selesai (status page / pinned post)",
        "{title} — selesai",
        "Masalah telah selesai pada {resolved_at}. Semua kembali berjalan normal.\n"
        "Terima kasih atas kesabaran Anda.",
    ),
    # --- webhooks degraded, with replay instructions (partners) ------------------------------
    ("webhooks_degraded", "partners", "en"): (
        "Webhooks degraded (replay instructions)",
        "{number}: webhook deliveries degraded",
        "Dear partners,\n\n"
        "Since {started_at} webhook deliveries to your endpoints are degraded: events may "
        "arrive late, or fail and go to the dead-letter queue. Current status: {status}.\n\n"
        "What to do:\n"
        "1. Keep your webhook endpoint answering 2xx; failed deliveries are retried.\n"
        "2. When we announce recovery, press the replay button in your partner console for "
        "the period from {started_at} until now, or replay the dead letters through the API.\n"
        "3. Replayed events may repeat events you already received: process them by event "
        "id, idempotently.\n\n"
        "Next update by {next_update_at}.",
    ),
    ("webhooks_degraded", "partners", "ru"): (
        "Вебхуки degraded (инструкция по replay)",
        "{number}: доставка вебхуков деградирована",
        "Уважаемые партнёры,\n\n"
        "С {started_at} доставка вебхуков на ваши endpoint'ы деградирована: события могут "
        "приходить с задержкой или не доставляться и попадать в dead-letter. Текущий статус: "
        "{status}.\n\n"
        "Что делать:\n"
        "1. Endpoint должен по-прежнему отвечать 2xx; неудачные доставки повторяются.\n"
        "2. Когда мы сообщим о восстановлении, нажмите кнопку replay в партнёрской консоли "
        "за период с {started_at} до текущего момента или выполните replay dead-letter "
        "через API.\n"
        "3. Повторно доставленные события могут совпадать с уже полученными: обрабатывайте "
        "их идемпотентно по id события.\n\n"
        "Следующий апдейт — до {next_update_at}.",
    ),
    ("webhooks_degraded", "partners", "id"): (
        "Webhook terganggu (instruksi replay)",
        "{number}: pengiriman webhook terganggu",
        "Mitra yang terhormat,\n\n"
        "Sejak {started_at} pengiriman webhook ke endpoint Anda terganggu: event bisa datang "
        "terlambat, atau gagal dan masuk ke dead-letter. Status saat ini: {status}.\n\n"
        "Yang perlu dilakukan:\n"
        "1. Pastikan endpoint webhook Anda tetap menjawab 2xx; pengiriman yang gagal akan "
        "dicoba ulang.\n"
        "2. Setelah kami mengumumkan pemulihan, tekan tombol replay di konsol mitra untuk "
        "periode sejak {started_at} sampai sekarang, atau lakukan replay dead-letter lewat "
        "API.\n"
        "3. Event yang di-replay bisa sama dengan event yang sudah Anda terima: proseskan "
        "secara idempoten berdasarkan id event.\n\n"
        "Update berikutnya paling lambat {next_update_at}.",
    ),
}
