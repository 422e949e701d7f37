"""OpsPortal settings, read from the environment.

With nothing set the portal runs as the embedded demo: SQLite, a local-memory cache and
Celery on a filesystem broker, so it needs no server. ``OPSPORTAL_ENV=production`` turns
on the production defaults and makes the secrets mandatory. See README.md for every
variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from opsportal.env import env_bool, env_int, env_list, env_str, require_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OPSPORTAL_VAR_DIR", str(BASE_DIR / "var")))

OPSPORTAL_ENV = env_str("OPSPORTAL_ENV", "development")
if OPSPORTAL_ENV not in {"development", "production"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("OPSPORTAL_ENV must be 'development' or 'production'.")
PRODUCTION = OPSPORTAL_ENV == "production"

if PRODUCTION:
    SECRET_KEY = require_secret("SECRET_KEY", min_length=50)
    FIELD_ENCRYPTION_KEY = require_secret("FIELD_ENCRYPTION_KEY", min_length=32)
    AUDIT_CHAIN_KEY = require_secret("AUDIT_CHAIN_KEY", min_length=32)
    DEBUG = False
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("ALLOWED_HOSTS is not set; production needs the host names.")
else:
    # Development only: a fixed key so the demo's sessions survive restarts.
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-key-not-for-production-" + "x" * 32)
    FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "dev-only-field-key-" + "y" * 32)
    AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY", "dev-only-audit-chain-key-" + "z" * 32)
    DEBUG = env_bool("DEBUG", True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

# Earlier field-encryption keys, still accepted for reading while stored secrets are
# re-encrypted under FIELD_ENCRYPTION_KEY (key rotation).
FIELD_ENCRYPTION_OLD_KEYS = env_list("FIELD_ENCRYPTION_OLD_KEYS")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "guardian",
    "auditlog",
    "axes",
    "csp",
    "apps.core",
    "apps.accounts",
    "apps.audit",
    "apps.notify",
    "apps.approvals",
    "apps.seedconfig",
    "apps.oncall",
    "apps.warroom",
    "apps.flags",
    "apps.incidents",
    "apps.support",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.MetricsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Upload size limits of the views that take files, before anything reads the body.
    "apps.core.uploads.UploadLimitMiddleware",
    # Refuses NUL characters in the path, query, cookies and bodies before any view runs
    # (after the language is chosen, before the session is read by authentication).
    "apps.core.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "apps.accounts.middleware.SessionLifetimeMiddleware",
    "apps.accounts.middleware.MFARequiredMiddleware",
    "apps.accounts.middleware.UserPreferencesMiddleware",
    # Every portal page's declared rule, before its view runs; undeclared pages get 403.
    "apps.accounts.pages.PageRuleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]
if DEBUG:
    # Unknown /v1/ paths answer JSON even while Django's debug 404 page is on.
    MIDDLEWARE.insert(1, "apps.core.middleware.DebugApiNotFoundMiddleware")

ROOT_URLCONF = "opsportal.urls"
WSGI_APPLICATION = "opsportal.wsgi.application"
ASGI_APPLICATION = "opsportal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.core.context_processors.portal",
            ],
            # Every template has the portal's helpers without {% load %}; their date and
            # time filters replace Django's so that a stored far-future moment never fails
            # a page (see apps/core/templatetags/portal.py).
            "builtins": ["apps.core.templatetags.portal"],
        },
    },
]

# Every form shows its errors next to each field and a summary at the top.
FORM_RENDERER = "apps.core.web.renderer.PortalFormRenderer"

# --- Database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "opsportal.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "opsportal"),
            # Bounded waits: a dead Redis must make a request fail fast, not hang it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, MFA, sessions ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.accounts.backends.HumanModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Idle timeout and absolute lifetime of a portal session, in seconds.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A step-up check accepts a code typed within this many seconds.
MFA_STEP_UP_WINDOW = env_int("MFA_STEP_UP_WINDOW", 5 * 60)
MFA_BACKUP_CODE_COUNT = 10
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "OpsPortal")

# Lockout: failed passwords and failed OTP codes both count (django-axes), per username
# and client address together: LOCKOUT_FAILURE_LIMIT failures lock that account at that
# address for LOCKOUT_SECONDS; the owner elsewhere is not locked, so nobody can lock an
# account for everyone by guessing its username.
AXES_FAILURE_LIMIT = env_int("LOCKOUT_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("LOCKOUT_SECONDS", 15 * 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client address as apps.core.client_ip reads it behind TRUSTED_PROXY_COUNT proxies.
AXES_CLIENT_IP_CALLABLE = "apps.core.client_ip.client_ip"
# This many failures on one username within LOCKOUT_SECONDS, from any addresses, and its
# login asks for the second factor together with the password (never locks the owner).
LOCKOUT_FLOOD_THRESHOLD = env_int("LOCKOUT_FLOOD_THRESHOLD", 10)
# A correct password alone must not clear the count (it would let wrong OTP codes go on
# forever); apps.accounts clears it once both factors pass.
AXES_RESET_ON_SUCCESS = False
# Never store typed codes in axes's attempt rows.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# Seconds a process keeps an API token it read from the database (0: read every request);
# a revoked token stops working everywhere within this bound.
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 1)
# Reverse proxies whose X-Forwarded-For entries are trusted (apps.core.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Indonesian")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves STATIC_ROOT in production; in development it reads the app folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Incident evidence --------------------------------------------------------------
# Evidence files and row snapshots go through the "evidence" storage, never MEDIA_ROOT
# (nothing serves them but the download view, which checks the hash and logs the access).
# The default is a folder under var/; several web hosts share an S3-compatible bucket.
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 25 * 1024 * 1024)
EVIDENCE_STORAGE = (env_str("EVIDENCE_STORAGE", "filesystem") or "filesystem").lower()
if EVIDENCE_MAX_BYTES < 1:
    raise ImproperlyConfigured("EVIDENCE_MAX_BYTES must be at least 1.")
if EVIDENCE_STORAGE == "filesystem":
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(env_str("EVIDENCE_ROOT", str(VAR_DIR / "evidence")))),
            "base_url": None,
            # Stored once, read many times: the files are not writable after the upload.
            "file_permissions_mode": 0o440,
            "directory_permissions_mode": 0o750,
        },
    }
elif EVIDENCE_STORAGE == "s3":
    _evidence_bucket = env_str("EVIDENCE_S3_BUCKET")
    if not _evidence_bucket:
        raise ImproperlyConfigured("EVIDENCE_STORAGE=s3 needs EVIDENCE_S3_BUCKET.")
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    # in the environment, or an instance role); they are never settings here.
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _evidence_bucket,
            "endpoint_url": env_str("EVIDENCE_S3_ENDPOINT_URL"),
            "region_name": env_str("EVIDENCE_S3_REGION"),
            "location": env_str("EVIDENCE_S3_PREFIX", "evidence"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    raise ImproperlyConfigured(
        f"EVIDENCE_STORAGE must be filesystem or s3, not {EVIDENCE_STORAGE!r}."
    )

# --- API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.TokenAuthentication",
        "apps.accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.api.permissions.ActionPermission"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # The API takes JSON bodies only: nested inputs (policy steps, payloads) have no form
    # encoding, and one media type is what the OpenAPI document promises.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # OPTIONS answers for every view, also those with no serializer of their own.
    "DEFAULT_METADATA_CLASS": "apps.core.api.metadata.ApiMetadata",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The OpenAPI document and the Swagger UI are public in development; in production only
# signed-in, MFA-verified people read them unless this is set to true.
API_SCHEMA_PUBLIC = env_bool("API_SCHEMA_PUBLIC", not PRODUCTION)
SPECTACULAR_SETTINGS = {
    "TITLE": "OpsPortal API",
    "DESCRIPTION": (
        "Automation and people reach OpsPortal through /v1/. Service accounts send "
        "`Authorization: Bearer <token>`; people use their MFA-verified portal session. "
        'Errors are JSON: {"error": {"code", "message", "fields", "request_id"}}.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # /v1/schema/ and /v1/docs/: MFA-verified people only, unless API_SCHEMA_PUBLIC.
    "SERVE_PERMISSIONS": ["apps.accounts.api.permissions.SchemaAccess"],
    "SCHEMA_PATH_PREFIX": "/v1/",
    # Answers every operation can give are documented in one place (apps.core.api.schema):
    # 400 for any input, the page parameters and 404 past the last page of every list.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.postprocess_common_answers",
    ],
    # Choice sets whose field names ("kind", "status") other apps use too.
    "ENUM_NAME_OVERRIDES": {
        "NotifyKindEnum": "apps.notify.models.Kind",
        "ActionItemStatusEnum": "apps.incidents.models.postmortems.ActionItemStatus",
        "PostMortemStateEnum": "apps.incidents.models.postmortems.PostMortemState",
        "AlertStatusEnum": "apps.incidents.models.alerts.Alert.Status",
        "OutboxStatusEnum": "apps.notify.models.OutboxStatus",
        "ChangeRequestStatusEnum": "apps.approvals.models.ChangeRequest.Status",
        "FreezeWindowKindEnum": "apps.approvals.models.FreezeWindow.Kind",
        "EscalationStepKindEnum": "apps.oncall.models.escalation.EscalationStep.Kind",
        "PageStatusEnum": "apps.oncall.models.escalation.Page.Status",
        "PageEventKindEnum": "apps.oncall.models.escalation.PageEvent.Kind",
        "ScheduleKindEnum": "apps.oncall.models.schedules.Schedule.Kind",
        "CalendarFeedKindEnum": "apps.oncall.models.feeds.CalendarFeed.Kind",
        "ChecklistTemplateKindEnum": "apps.warroom.models.checklists.ChecklistTemplate.Kind",
        "ChecklistRunStatusEnum": "apps.warroom.models.checklists.ChecklistRun.Status",
        "ChecklistRunResultEnum": "apps.warroom.models.checklists.ChecklistRun.Result",
        "ChecklistItemResultEnum": "apps.warroom.models.checklists.ChecklistRunItem.Result",
        "ChecklistMarkResultEnum": "apps.warroom.models.checklists.MARK_RESULTS",
        "FlagKindEnum": "apps.flags.models.FlagKind",
        "FlagScopeKindEnum": "apps.flags.scopes.ScopeKind",
        "ApiTokenScopeEnum": "apps.accounts.scopes.SCOPE_KEYS",
        "FlagStateValueEnum": "apps.flags.models.StateValue",
        "ScheduledFlagChangeStatusEnum": "apps.flags.models.ScheduledStatus",
        "LaunchPlanStatusEnum": "apps.warroom.models.launch.LaunchPlan.Status",
        "LaunchTaskStatusEnum": "apps.warroom.models.launch.LaunchTask.Status",
        "LaunchPhaseKindEnum": "apps.warroom.models.launch.LaunchPhase.Kind",
        "LaunchLogKindEnum": "apps.warroom.models.launch.LaunchLogEntry.Kind",
        "SupportTxKindEnum": "apps.support.models.choices.TxKind",
        "IncidentStatusEnum": "apps.incidents.models.Status",
        "IncidentLadderStatusEnum": "apps.incidents.models.STATUS_LADDER",
        "IncidentStatusFilterEnum": "apps.incidents.api.core_serializers.STATUS_FILTERS",
        "IncidentRoleEnum": "apps.incidents.models.IncidentRole",
        "TimelineEntryKindEnum": "apps.incidents.models.EntryKind",
        "TimelinePeopleKindEnum": "apps.incidents.models.PEOPLE_KINDS",
        "SupportTxStatusEnum": "apps.support.models.choices.TxStatus",
        "SupportClaimStatusEnum": "apps.support.models.choices.ClaimStatus",
        "SupportRefundStatusEnum": "apps.support.models.choices.RefundStatus",
        "SupportRoundStatusEnum": "apps.support.models.choices.RoundStatus",
        "SupportLanguageEnum": "apps.support.models.choices.Language",
    },
}
# How long an Idempotency-Key answer (and a used one-time form token) is kept, in hours.
IDEMPOTENCY_KEY_TTL_HOURS = env_int("IDEMPOTENCY_KEY_TTL_HOURS", 24)

# --- Approvals ----------------------------------------------------------------------
# How long a change request waits for its second person before it expires, in hours.
APPROVAL_TTL_HOURS = env_int("APPROVAL_TTL_HOURS", 24)
# The approve call of /v1/approvals/ must send back the payload SHA-256 the approver was
# shown (the portal's form always does). Off: the field is optional, checked when sent.
APPROVAL_REQUIRE_PAYLOAD_SHA256 = env_bool("APPROVAL_REQUIRE_PAYLOAD_SHA256", False)

# --- Audit --------------------------------------------------------------------------
AUDITLOG_LOGENTRY_MODEL = "audit.LogEntry"
# auditlog's migrations create its own log table even though audit.LogEntry replaces it;
# that unused table's foreign keys stop PostgreSQL from TRUNCATE-ing users between tests.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_CID_GETTER = "apps.core.context.get_request_id"
AUDITLOG_DISABLE_REMOTE_ADDR = False
# The audit hash chain is keyed with AUDIT_CHAIN_KEY (above). Earlier chain keys, oldest
# first, still accepted for rows written before a rotation (apps.audit.chain).
AUDIT_CHAIN_OLD_KEYS = env_list("AUDIT_CHAIN_OLD_KEYS")
# The notification channel (its name) that receives the chain-head anchors; unset: the
# anchors go to the log only.
AUDIT_ANCHOR_CHANNEL = env_str("AUDIT_ANCHOR_CHANNEL")

# --- Celery ------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
# The filesystem broker's folders (the embedded demo): all under var/, none in the cwd.
CELERY_QUEUE_DIR = VAR_DIR / "celery" / "queue"
CELERY_PROCESSED_DIR = VAR_DIR / "celery" / "processed"
CELERY_CONTROL_DIR = VAR_DIR / "celery" / "control"
# Redis broker: a task a worker took but never acknowledged (acks_late: the worker died
# mid-task) goes back to the queue after the visibility timeout, checked every
# `unacked_restore_interval` seconds. A task waiting for its eta/countdown is held
# unacknowledged too, so none is queued further ahead than CELERY_MAX_ETA_SECONDS (half
# the timeout): a longer escalation wait or retry arrives early and queues itself again.
# Lost triggers are also re-sent by the outbox and page sweepers, so the timeout is a
# backstop, not the only way back. CELERY_BROKER_KEY_PREFIX lets several deployments (or
# test runs) share one Redis database.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_MAX_ETA_SECONDS = max(1, CELERY_VISIBILITY_TIMEOUT // 2)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 4)),
    "unacked_restore_throttle": 1,
    "global_keyprefix": env_str("CELERY_BROKER_KEY_PREFIX", ""),
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# Every periodic job, with why it runs. Apps add theirs here.
CELERY_BEAT_SCHEDULE = {
    # Picks up outbox messages whose retry time has come, including any a crashed
    # worker left behind; delivery itself is idempotent per message.
    "notify-outbox-sweep": {"task": "notify.outbox_sweep_task", "schedule": 15.0},
    # Drops stored Idempotency-Key answers and used one-time form tokens older than
    # IDEMPOTENCY_KEY_TTL_HOURS.
    "core-idempotency-purge": {"task": "core.idempotency_purge_task", "schedule": 3600.0},
    # Marks pending change requests past their expiry as expired (approval re-checks too),
    # so the inbox and the one-pending-per-target rule do not keep stale requests alive.
    "approvals-expire": {"task": "approvals.expire_task", "schedule": 300.0},
    # Audit: writes every chain head (chain, last id, last hash) to the log and to the
    # AUDIT_ANCHOR_CHANNEL channel, outside the database, so `audit_verify --anchor` can
    # later prove the trail was not cut or rebuilt. One message per new head position.
    "audit-anchor": {
        "task": "audit.anchor_task",
        "schedule": float(env_int("AUDIT_ANCHOR_INTERVAL_SECONDS", 3600)),
    },
    # War room: tells each team lead about on-call coverage gaps in the next 14 days
    # (once a day; the notice is de-duplicated per schedule and day).
    "warroom-coverage-gaps": {
        "task": "warroom.coverage_gaps_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # War room: tells the incoming on-call person of a handoff in the next few minutes
    # (WARROOM_SHIFT_NOTICE_MINUTES); one notice per shift, de-duplicated by key.
    "warroom-shift-notices": {"task": "warroom.shift_change_notices_task", "schedule": 60.0},
    # War room: re-queues page steps whose time has come but whose task was lost (a
    # worker killed hard); a duplicate step task does nothing, so this is always safe.
    "warroom-page-sweep": {"task": "warroom.page_sweep_task", "schedule": 30.0},
    # Flags: applies scheduled flag changes whose time has come (open fundraising 24 h after
    # launch) and announces temporary blocks that ended (flag.block_lifted, once each). The
    # evaluation already honours `until` by itself; a short interval keeps scheduled changes
    # within seconds of their time. Idempotent: rows are locked and applied once.
    # Incidents: reminds owners of post-mortems due soon or overdue, and of overdue action
    # items (also after the incident closed). One message per reminder period, so running
    # often only makes reminders punctual; periods are the settings below.
    "incidents-postmortem-reminders": {
        "task": "incidents.postmortem_reminders_task",
        "schedule": float(env_int("POSTMORTEM_REMINDER_INTERVAL_SECONDS", 300)),
    },
    "incidents-action-item-reminders": {
        "task": "incidents.action_item_reminders_task",
        "schedule": float(env_int("POSTMORTEM_REMINDER_INTERVAL_SECONDS", 300)),
    },
    # Incidents: queues again alert deliveries stored but left unprocessed (a worker
    # killed mid-delivery, a lost message); processing a delivery twice changes nothing.
    "incidents-alert-delivery-sweep": {
        "task": "incidents.sweep_alert_deliveries",
        "schedule": 30.0,
    },
    "flags-apply-due": {
        "task": "flags.apply_due_task",
        "schedule": float(env_int("FLAGS_SCHEDULE_INTERVAL_SECONDS", 5)),
    },
    # Incidents: reminds the communications lead (else the commander) of an open incident
    # whose next status update is overdue; one reminder per due time, then one every
    # INCIDENT_UPDATE_REMINDER_REPEAT_MINUTES while it stays late (rows make it idempotent).
    "incidents-update-reminders": {
        "task": "incidents.update_reminders_task",
        "schedule": 60.0,
    },
}

# --- Incidents: post-mortem reminders ------------------------------------------------
# Hours before a post-mortem's due time that its owner is first reminded.
POSTMORTEM_REMINDER_BEFORE_HOURS = float(env_str("POSTMORTEM_REMINDER_BEFORE_HOURS", "12"))
# After the due time: one reminder at once, then one every this many hours until published.
POSTMORTEM_REMINDER_REPEAT_HOURS = float(env_str("POSTMORTEM_REMINDER_REPEAT_HOURS", "24"))
# Overdue action items: one reminder the day after the due date, then every this many hours.
ACTION_ITEM_REMINDER_REPEAT_HOURS = float(env_str("ACTION_ITEM_REMINDER_REPEAT_HOURS", "24"))

# --- Flags -------------------------------------------------------------------------
# Where each evaluation reads the flags version: "cache" (the shared cache, one GET),
# "db" (one small query) or "auto" (the database when the cache is process-local, as with
# the LocMemCache default, so another process's change is still seen at once).
FLAGS_VERSION_SOURCE = env_str("FLAGS_VERSION_SOURCE", "auto")
# Lifetime of the cached version: bounds how long two writers racing could leave an older
# version in the cache (a change is otherwise seen within milliseconds).
FLAGS_VERSION_CACHE_SECONDS = float(env_str("FLAGS_VERSION_CACHE_SECONDS", "1.0"))
# How long a process reuses the flags version it last read from the cache (ms; 0: every call).
FLAGS_VERSION_CHECK_INTERVAL_MS = env_int("FLAGS_VERSION_CHECK_INTERVAL_MS", 50)
# GET /v1/flags/{key}/evaluate with a Bearer token is answered by a WSGI wrapper in front of
# Django (apps/flags/fastpath.py) with the same answer, skipping the middleware stack.
FLAGS_FAST_PATH = env_bool("FLAGS_FAST_PATH", True)

# --- Support -----------------------------------------------------------------------
# A pending transaction older than this many minutes is flagged stuck on support pages.
SUPPORT_STUCK_AFTER_MINUTES = env_int("SUPPORT_STUCK_AFTER_MINUTES", 15)
# How long a reveal of a customer's email and names lasts in that person's session.
SUPPORT_REVEAL_MINUTES = env_int("SUPPORT_REVEAL_MINUTES", 10)
# Commit each lookup's access-log row with a WAL flush (true), or without waiting for it
# (false, the default): a database crash may then lose the rows of the last moment (see
# apps/support/services/access.py); reveals of personal data always wait for the flush.
SUPPORT_ACCESS_LOG_SYNC_COMMIT = env_bool("SUPPORT_ACCESS_LOG_SYNC_COMMIT", False)
# Results per page of the support search (each kind of match is capped at this many).
SUPPORT_SEARCH_LIMIT = env_int("SUPPORT_SEARCH_LIMIT", 20)

# --- War room ----------------------------------------------------------------------
# Seconds in one escalation "minute": 60 in real life; tests make waits take seconds.
WARROOM_ESCALATION_MINUTE_SECONDS = env_int("WARROOM_ESCALATION_MINUTE_SECONDS", 60)
# How many minutes before a handoff the incoming person is told.
WARROOM_SHIFT_NOTICE_MINUTES = env_int("WARROOM_SHIFT_NOTICE_MINUTES", 15)
# The portal's address as people reach it, for links in notifications (acknowledge a page).
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://localhost:8000").rstrip("/")

# --- Incidents: status updates ----------------------------------------------------
# While an incident's status update stays late, its communications lead is reminded again
# after this many minutes.
INCIDENT_UPDATE_REMINDER_REPEAT_MINUTES = env_int("INCIDENT_UPDATE_REMINDER_REPEAT_MINUTES", 15)

# --- Notifications -------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "opsportal@localhost")
# Outbox delivery: attempts and the first backoff delay in seconds (doubling each time).
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_BACKOFF_SECONDS = env_int("NOTIFY_BACKOFF_SECONDS", 30)
# A worker claims an outbox message for this long; a crashed worker's claim expires.
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300)
NOTIFY_HTTP_TIMEOUT = env_int("NOTIFY_HTTP_TIMEOUT", 10)
# Webhooks, Slack and Telegram go only to public internet addresses. These host names and
# addresses/CIDR networks are allowed besides (e.g. "hooks.internal,10.20.0.0/16" or a
# loopback receiver for the demo); empty in production unless set.
NOTIFY_ALLOWED_HOSTS = env_list("NOTIFY_ALLOWED_HOSTS")
TELEGRAM_API_BASE = env_str("TELEGRAM_API_BASE", "https://api.telegram.org")

# --- Security ---------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The header only makes the site eligible for browsers' preload lists; submitting
    # the domain is a separate, deliberate step. SECURE_HSTS_PRELOAD=false drops it.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_REDIRECT_EXEMPT = [r"^health$", r"^health/readiness$", r"^metrics$"]
    if env_bool("BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Who may scrape /metrics: a bearer token from the environment; unset means loopback only.
METRICS_TOKEN = env_str("METRICS_TOKEN")

# --- Logging ---------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_JSON = env_bool("LOG_JSON", PRODUCTION)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": "apps.core.logging.StructuredFormatter",
            "json": LOG_JSON,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # urllib3 logs request lines at DEBUG; Telegram bot and Slack webhook URLs are secrets.
        "urllib3": {"level": "WARNING"},
    },
}
