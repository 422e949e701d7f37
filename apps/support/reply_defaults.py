"""The canned replies the portal starts with (support playbook §12.6), in EN, ID and RU.

Created after every ``migrate`` (and a test's flush) when missing; a reply a support lead
edited or deactivated is left as it is. Keys are ``case`` (the case's general answer) or
``case.verdict`` (the answer to one diagnostic outcome).
"""

from __future__ import annotations

# key -> {language: (title, body)}
DEFAULT_REPLIES: dict[str, dict[str, tuple[str, str]]] = {
    "refund_failed": {
        "en": (
            "Refund: we are looking into it",
            "Hi {handle}, thank you for reaching out about your refund for round {round_id}. "
            "Its current status is: {refund_status}. Our team is checking it and will "
            "update you within 24 hours. You do not need to do anything else.",
        ),
        "id": (
            "Refund: sedang kami periksa",
            "Halo {handle}, terima kasih telah menghubungi kami tentang refund untuk round "
            "{round_id}. Status saat ini: {refund_status}. Tim kami sedang memeriksanya dan "
            "akan memberi kabar dalam 24 jam. Anda tidak perlu melakukan apa pun.",
        ),
        "ru": (
            "Возврат: мы проверяем",
            "Здравствуйте, {handle}! Спасибо за обращение по возврату за раунд {round_id}. "
            "Текущий статус: {refund_status}. Команда проверяет его и сообщит вам в течение "
            "24 часов. Больше ничего делать не нужно.",
        ),
    },
    "refund_failed.completed": {
        "en": (
            "Refund: paid",
            "Hi {handle}, your refund for round {round_id} was sent on {tx_network}. "
            "Transaction: {tx_hash}. It can take a few minutes to show in your wallet "
            "{primary_wallet}.",
        ),
        "id": (
            "Refund: sudah dibayar",
            "Halo {handle}, refund Anda untuk round {round_id} sudah dikirim di jaringan "
            "{tx_network}. Transaksi: {tx_hash}. Mungkin perlu beberapa menit hingga "
            "terlihat di wallet {primary_wallet}.",
        ),
        "ru": (
            "Возврат: выплачен",
            "Здравствуйте, {handle}! Возврат за раунд {round_id} отправлен в сети "
            "{tx_network}. Транзакция: {tx_hash}. Он может появиться в кошельке "
            "{primary_wallet} через несколько минут.",
        ),
    },
    "refund_failed.no_primary_wallet": {
        "en": (
            "Refund: set a primary wallet",
            "Hi {handle}, we cannot send your refund for round {round_id} yet because your "
            "account has no primary wallet on {network}. Please open Settings > Wallets, "
            "link a wallet on {network} and mark it as primary. The refund is sent "
            "automatically afterwards.",
        ),
        "id": (
            "Refund: atur wallet utama",
            "Halo {handle}, refund Anda untuk round {round_id} belum bisa dikirim karena akun "
            "Anda belum memiliki wallet utama di jaringan {network}. Buka Pengaturan > Wallet, "
            "hubungkan wallet di {network} dan jadikan wallet utama. Refund akan dikirim "
            "otomatis setelahnya.",
        ),
        "ru": (
            "Возврат: укажите основной кошелёк",
            "Здравствуйте, {handle}! Мы пока не можем отправить возврат за раунд {round_id}: в "
            "аккаунте нет основного кошелька в сети {network}. Откройте Настройки > "
            "Кошельки, привяжите кошелёк в сети {network} и отметьте его как основной. "
            "Возврат будет отправлен автоматически.",
        ),
    },
    "refund_failed.paused": {
        "en": (
            "Refund: temporarily paused",
            "Hi {handle}, refunds on {network} are paused for a short check on our side. "
            "Your refund for round {round_id} is safe and will be sent as soon as they "
            "resume. We will let you know.",
        ),
        "id": (
            "Refund: dijeda sementara",
            "Halo {handle}, refund di jaringan {network} sedang dijeda sementara untuk "
            "pemeriksaan. Refund Anda untuk round {round_id} aman dan akan dikirim segera "
            "setelah dilanjutkan. Kami akan mengabari Anda.",
        ),
        "ru": (
            "Возврат: временно приостановлен",
            "Здравствуйте, {handle}! Возвраты в сети {network} ненадолго приостановлены для "
            "проверки. Ваш возврат за раунд {round_id} в безопасности и будет отправлен, как "
            "только их возобновят. Мы сообщим вам.",
        ),
    },
    "vesting_claim_failed": {
        "en": (
            "Vesting claim: we are looking into it",
            "Hi {handle}, thank you for reporting the problem with your vesting claim. "
            "Its status is: {claim_status}. We are checking it and will get back to you "
            "within 24 hours.",
        ),
        "id": (
            "Klaim vesting: sedang kami periksa",
            "Halo {handle}, terima kasih telah melaporkan masalah klaim vesting Anda. "
            "Statusnya: {claim_status}. Kami sedang memeriksanya dan akan menghubungi Anda "
            "dalam 24 jam.",
        ),
        "ru": (
            "Вестинг: мы проверяем",
            "Здравствуйте, {handle}! Спасибо, что сообщили о проблеме с клеймом вестинга. "
            "Статус: {claim_status}. Мы проверяем и ответим в течение 24 часов.",
        ),
    },
    "vesting_claim_failed.pending_tx": {
        "en": (
            "Vesting claim: transaction pending",
            "Hi {handle}, your claim transaction {tx_hash} is still being processed on "
            "{tx_network} (pending for {pending_minutes} minutes). Please do not claim again "
            "until it completes; a second claim would fail.",
        ),
        "id": (
            "Klaim vesting: transaksi diproses",
            "Halo {handle}, transaksi klaim Anda {tx_hash} masih diproses di {tx_network} "
            "(menunggu {pending_minutes} menit). Mohon jangan klaim ulang sampai selesai; "
            "klaim kedua akan gagal.",
        ),
        "ru": (
            "Вестинг: транзакция в обработке",
            "Здравствуйте, {handle}! Ваша транзакция клейма {tx_hash} ещё обрабатывается в "
            "сети {tx_network} (ожидает {pending_minutes} мин.). Пожалуйста, не повторяйте "
            "клейм до её завершения: второй клейм не пройдёт.",
        ),
    },
    "vesting_claim_failed.no_primary_wallet": {
        "en": (
            "Vesting claim: set a primary wallet",
            "Hi {handle}, your vesting is claimable but your account has no primary wallet "
            "on {network}. Please link a wallet on {network}, mark it as primary and claim "
            "again.",
        ),
        "id": (
            "Klaim vesting: atur wallet utama",
            "Halo {handle}, vesting Anda sudah bisa diklaim tetapi akun Anda belum memiliki "
            "wallet utama di {network}. Hubungkan wallet di {network}, jadikan wallet utama, "
            "lalu klaim kembali.",
        ),
        "ru": (
            "Вестинг: укажите основной кошелёк",
            "Здравствуйте, {handle}! Вестинг доступен для клейма, но в аккаунте нет основного "
            "кошелька в сети {network}. Привяжите кошелёк в сети {network}, отметьте его как "
            "основной и повторите клейм.",
        ),
    },
    "vesting_claim_failed.locked": {
        "en": (
            "Vesting claim: not unlocked yet",
            "Hi {handle}, nothing from round {round_id} is unlocked for claiming yet. You "
            "can claim as soon as the next vesting step unlocks; the app shows the date.",
        ),
        "id": (
            "Klaim vesting: belum terbuka",
            "Halo {handle}, belum ada bagian dari round {round_id} yang terbuka untuk diklaim. "
            "Anda bisa klaim segera setelah tahap vesting berikutnya terbuka; tanggalnya ada "
            "di aplikasi.",
        ),
        "ru": (
            "Вестинг: ещё не разблокирован",
            "Здравствуйте, {handle}! По раунду {round_id} пока ничего не разблокировано. "
            "Клейм станет доступен после следующего этапа вестинга; дата указана в "
            "приложении.",
        ),
    },
    "cannot_post": {
        "en": (
            "Posting: we are looking into it",
            "Hi {handle}, thank you for letting us know you cannot post. We are checking "
            "your account and will get back to you shortly. A screenshot of the error helps.",
        ),
        "id": (
            "Posting: sedang kami periksa",
            "Halo {handle}, terima kasih telah memberi tahu bahwa Anda tidak bisa memposting. "
            "Kami sedang memeriksa akun Anda dan akan segera mengabari. Tangkapan layar "
            "errornya akan membantu.",
        ),
        "ru": (
            "Публикации: мы проверяем",
            "Здравствуйте, {handle}! Спасибо, что сообщили, что не получается публиковать. "
            "Мы проверяем аккаунт и скоро ответим. Скриншот ошибки поможет.",
        ),
    },
    "cannot_post.no_bluecheck": {
        "en": (
            "Posting needs a blue check",
            "Hi {handle}, posting in the feed needs an active blue check, and yours is "
            "{bluecheck_status}. You can get or renew it under Profile > Blue check; posting "
            "works right after.",
        ),
        "id": (
            "Posting memerlukan centang biru",
            "Halo {handle}, posting di feed memerlukan centang biru yang aktif, dan status "
            "Anda: {bluecheck_status}. Anda bisa membeli atau memperpanjangnya di Profil > "
            "Centang biru; posting langsung bisa setelahnya.",
        ),
        "ru": (
            "Для публикаций нужна синяя галочка",
            "Здравствуйте, {handle}! Для публикаций в ленте нужна активная синяя галочка, а "
            "её статус у вас: {bluecheck_status}. Оформить или продлить её можно в Профиль > "
            "Синяя галочка; сразу после этого публикации заработают.",
        ),
    },
    "cannot_post.posting_blocked": {
        "en": (
            "Posting: temporarily restricted",
            "Hi {handle}, posting is temporarily restricted on your account while we review "
            "recent activity. We will let you know as soon as the review is done.",
        ),
        "id": (
            "Posting: dibatasi sementara",
            "Halo {handle}, posting di akun Anda dibatasi sementara selama kami meninjau "
            "aktivitas terbaru. Kami akan mengabari Anda segera setelah peninjauan selesai.",
        ),
        "ru": (
            "Публикации: временно ограничены",
            "Здравствуйте, {handle}! Публикации в вашем аккаунте временно ограничены, пока мы "
            "проверяем недавнюю активность. Мы сообщим, как только проверка завершится.",
        ),
    },
    "cannot_claim_referral": {
        "en": (
            "Referral claim: how it works",
            "Hi {handle}, referral rewards can be claimed with an active blue check and at "
            "least one active referral. You have {referral_count} active referrals. We are "
            "checking your account and will get back to you.",
        ),
        "id": (
            "Klaim referral: cara kerjanya",
            "Halo {handle}, reward referral bisa diklaim jika centang biru aktif dan minimal "
            "ada satu referral aktif. Anda memiliki {referral_count} referral aktif. Kami "
            "sedang memeriksa akun Anda dan akan mengabari.",
        ),
        "ru": (
            "Реферальный клейм: как это работает",
            "Здравствуйте, {handle}! Реферальные награды доступны при активной синей галочке "
            "и хотя бы одном активном реферале. У вас активных рефералов: {referral_count}. "
            "Мы проверяем аккаунт и ответим вам.",
        ),
    },
    "cannot_claim_referral.no_bluecheck": {
        "en": (
            "Referral claim needs a blue check",
            "Hi {handle}, claiming referral rewards needs an active blue check; yours is "
            "{bluecheck_status}. Once it is active you can claim under Rewards.",
        ),
        "id": (
            "Klaim referral memerlukan centang biru",
            "Halo {handle}, klaim reward referral memerlukan centang biru yang aktif; status "
            "Anda: {bluecheck_status}. Setelah aktif, Anda bisa klaim di menu Reward.",
        ),
        "ru": (
            "Для реферального клейма нужна синяя галочка",
            "Здравствуйте, {handle}! Для клейма реферальных наград нужна активная синяя "
            "галочка; её статус у вас: {bluecheck_status}. Когда она станет активной, "
            "клейм доступен в разделе Награды.",
        ),
    },
    "cannot_claim_referral.no_active_referrals": {
        "en": (
            "Referral claim needs an active referral",
            "Hi {handle}, referral rewards unlock once at least one person you invited is "
            "active on the platform. You have {referral_count} active referrals right now.",
        ),
        "id": (
            "Klaim referral memerlukan referral aktif",
            "Halo {handle}, reward referral terbuka setelah minimal satu orang yang Anda "
            "undang aktif di platform. Saat ini Anda memiliki {referral_count} referral aktif.",
        ),
        "ru": (
            "Для реферального клейма нужен активный реферал",
            "Здравствуйте, {handle}! Реферальные награды открываются, когда хотя бы один "
            "приглашённый вами человек активен на платформе. Сейчас активных рефералов: "
            "{referral_count}.",
        ),
    },
    "cannot_claim_referral.frozen": {
        "en": (
            "Referral claim: under review",
            "Hi {handle}, claims on your account are on hold while we complete a routine "
            "review of referral activity. Your rewards are safe; we will tell you when the "
            "review is done.",
        ),
        "id": (
            "Klaim referral: sedang ditinjau",
            "Halo {handle}, klaim di akun Anda ditahan sementara kami menyelesaikan "
            "peninjauan rutin aktivitas referral. Reward Anda aman; kami akan mengabari "
            "setelah peninjauan selesai.",
        ),
        "ru": (
            "Реферальный клейм: на проверке",
            "Здравствуйте, {handle}! Клеймы в вашем аккаунте приостановлены на время обычной "
            "проверки реферальной активности. Ваши награды в безопасности; мы сообщим, когда "
            "проверка завершится.",
        ),
    },
    "kyc_rejected": {
        "en": (
            "KYC: status",
            "Hi {handle}, thank you for asking about your verification. We are checking its "
            "status and will get back to you shortly.",
        ),
        "id": (
            "KYC: status",
            "Halo {handle}, terima kasih telah menanyakan verifikasi Anda. Kami sedang "
            "memeriksa statusnya dan akan segera mengabari.",
        ),
        "ru": (
            "KYC: статус",
            "Здравствуйте, {handle}! Спасибо за вопрос о верификации. Мы проверяем её статус "
            "и скоро ответим.",
        ),
    },
    "kyc_rejected.rejected": {
        "en": (
            "KYC rejected: how to resubmit",
            "Hi {handle}, your verification was not approved for this reason: {kyc_reason}. "
            "You can submit again under Profile > Verification: use a clear photo of a valid "
            "document, all four corners visible, and a selfie in good light.",
        ),
        "id": (
            "KYC ditolak: cara mengajukan ulang",
            "Halo {handle}, verifikasi Anda belum disetujui dengan alasan: {kyc_reason}. Anda "
            "bisa mengajukan ulang di Profil > Verifikasi: gunakan foto dokumen yang masih "
            "berlaku dan jelas, keempat sudut terlihat, serta selfie dengan cahaya cukup.",
        ),
        "ru": (
            "KYC отклонён: как подать снова",
            "Здравствуйте, {handle}! Верификация не одобрена по причине: {kyc_reason}. Подать "
            "заново можно в Профиль > Верификация: нужна чёткая фотография действующего "
            "документа, видны все четыре угла, и селфи при хорошем освещении.",
        ),
    },
    "kyc_rejected.pending": {
        "en": (
            "KYC: under review",
            "Hi {handle}, your verification is still being reviewed. This usually takes up "
            "to 48 hours; you will get a notification as soon as it is done.",
        ),
        "id": (
            "KYC: sedang ditinjau",
            "Halo {handle}, verifikasi Anda masih ditinjau. Biasanya memakan waktu hingga 48 "
            "jam; Anda akan menerima notifikasi begitu selesai.",
        ),
        "ru": (
            "KYC: на проверке",
            "Здравствуйте, {handle}! Верификация ещё на проверке. Обычно это занимает до 48 "
            "часов; вы получите уведомление, как только она завершится.",
        ),
    },
    "wrong_wallet": {
        "en": (
            "Wallet: we are looking into it",
            "Hi {handle}, thank you for letting us know about your wallet. We are checking "
            "your account and will send you the next steps shortly.",
        ),
        "id": (
            "Wallet: sedang kami periksa",
            "Halo {handle}, terima kasih telah memberi tahu tentang wallet Anda. Kami sedang "
            "memeriksa akun Anda dan akan segera mengirim langkah selanjutnya.",
        ),
        "ru": (
            "Кошелёк: мы проверяем",
            "Здравствуйте, {handle}! Спасибо, что сообщили о кошельке. Мы проверяем аккаунт "
            "и скоро пришлём дальнейшие шаги.",
        ),
    },
    "wrong_wallet.can_change": {
        "en": (
            "Changing your primary wallet",
            "Hi {handle}, you can change your primary wallet yourself: Settings > Wallets, "
            "link the right wallet, confirm with a signature, then mark it as primary. "
            "Please note: future claims, refunds and payouts go to the new primary wallet; "
            "anything already sent to {primary_wallet} cannot be moved by us.",
        ),
        "id": (
            "Mengganti wallet utama",
            "Halo {handle}, Anda bisa mengganti wallet utama sendiri: Pengaturan > Wallet, "
            "hubungkan wallet yang benar, konfirmasi dengan tanda tangan, lalu jadikan wallet "
            "utama. Perhatikan: klaim, refund dan pembayaran berikutnya masuk ke wallet utama "
            "yang baru; dana yang sudah terkirim ke {primary_wallet} tidak bisa kami pindahkan.",
        ),
        "ru": (
            "Смена основного кошелька",
            "Здравствуйте, {handle}! Сменить основной кошелёк можно самостоятельно: "
            "Настройки > Кошельки, привяжите нужный кошелёк, подтвердите подписью и "
            "отметьте его как основной. Учтите: будущие клеймы, возвраты и выплаты придут на "
            "новый основной кошелёк; то, что уже отправлено на {primary_wallet}, мы "
            "перенести не можем.",
        ),
    },
    "wrong_wallet.wait_pending": {
        "en": (
            "Changing your wallet: please wait",
            "Hi {handle}, a payment to your current primary wallet {primary_wallet} is still "
            "on its way. Please wait until it arrives before changing your primary wallet, "
            "so nothing is sent to an address you no longer use.",
        ),
        "id": (
            "Mengganti wallet: mohon tunggu",
            "Halo {handle}, ada pembayaran ke wallet utama Anda saat ini {primary_wallet} yang "
            "masih dalam proses. Mohon tunggu sampai diterima sebelum mengganti wallet utama, "
            "agar tidak ada dana yang terkirim ke alamat yang tidak Anda gunakan lagi.",
        ),
        "ru": (
            "Смена кошелька: пожалуйста, подождите",
            "Здравствуйте, {handle}! На ваш текущий основной кошелёк {primary_wallet} ещё "
            "идёт платёж. Пожалуйста, дождитесь его, прежде чем менять основной кошелёк, "
            "чтобы ничего не ушло на адрес, которым вы больше не пользуетесь.",
        ),
    },
}


def ensure_default_replies(model=None) -> int:
    """Create the default replies that are missing; returns how many were created."""
    if model is None:
        from apps.support.models import CannedReply as model
    existing = set(model.objects.values_list("key", "language"))
    rows = [
        model(key=key, language=language, title=title, body=body)
        for key, texts in DEFAULT_REPLIES.items()
        for language, (title, body) in texts.items()
        if (key, language) not in existing
    ]
    model.objects.bulk_create(rows)
    return len(rows)
