"""One environment-driven settings module for every deployment (style.md §9).

Production differs from development only by environment values. Nothing usable as a secret is
committed: with DEBUG off the process refuses to start without SECRET_KEY.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tuoyu_portal import devsecrets

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """Read a string, or the contents of the file named by NAME_FILE (docker secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Strict boolean: a typo must not silently turn a security switch off."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", False)

# No secret has a default in the code. Unset under DEBUG: the checkout's per-install
# secrets from .data/secrets.env (created with mode 0600 on first start, kept across restarts so
# that encrypted data stays readable); under TESTING: random ones for this run. They are put into
# the environment so that processes started from here (a Celery worker, gunicorn) share them.
_unset_secrets = devsecrets.missing(os.environ)
if _unset_secrets and (DEBUG or TESTING):
    _generated = devsecrets.random_secrets() if TESTING else devsecrets.install_secrets()
    for _name in _unset_secrets:
        os.environ[_name] = _generated[_name]

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

# Key for personal data at rest (ID and phone numbers). Kept apart from SECRET_KEY so either can
# rotate on its own; base64 of 32 bytes.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Links in QR codes and e-mails. Unset, it follows the serving address (make run's PORT), so a
# receipt from a second portal on 8100 points at 8100, not at the one on 8000.
SITE_URL = (os.environ.get("SITE_URL") or f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tuoyu_portal.accounts",
    "tuoyu_portal.regions",
    "tuoyu_portal.exchange",
    "tuoyu_portal.ops",
    "registry",
    "inspections",
    "subsidies",
    "tuoyu_portal.dashboard",  # statistics (reads registry, inspections, subsidies)
    "tuoyu_portal.notifications",  # in-app inbox + e-mail, sent by beat scans
]

MIDDLEWARE = [
    # First: NUL bytes and oversized bodies are refused before anything reads them (guards.py).
    "tuoyu_portal.guards.InputGuardMiddleware",
    # Outermost: repeats of anonymous public searches never reach the rest (publiccache.py).
    "tuoyu_portal.publiccache.PublicResponseCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tuoyu_portal.guards.CommonMiddleware",  # Django's, minus the POST-without-slash 500
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tuoyu_portal.accounts.middleware.RequireTwoFactorMiddleware",
    # Inside sessions and authentication (it needs the user; the session save after the view is
    # not a write of the request), around everything that reads (tuoyu_portal/db/replica.py).
    "tuoyu_portal.db.replica.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A service's NotFound is the page's 404, as Http404 would be.
    "tuoyu_portal.not_found.NotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so it sees the outcome of every sign-in attempt.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out user/address pairs first
    "tuoyu_portal.accounts.throttle.AccountThrottleBackend",  # per account, any address
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout after 5 failures for the same user from the same address (ASVS 6.3, 等保 8.1.4.1).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tuoyu_portal.accounts.two_factor.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_VERBOSE = False
# Per account from any address (accounts/throttle.py): 10 failures in 15 min hold the account
# for 1 min, doubling per consecutive hold up to 15 min; never a permanent lockout.
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 10)
LOGIN_ACCOUNT_WINDOW_SECONDS = env_int("LOGIN_ACCOUNT_WINDOW_SECONDS", 15 * 60)
LOGIN_ACCOUNT_LOCK_SECONDS = env_int("LOGIN_ACCOUNT_LOCK_SECONDS", 60)
LOGIN_ACCOUNT_LOCK_MAX_SECONDS = env_int("LOGIN_ACCOUNT_LOCK_MAX_SECONDS", 15 * 60)
# API tokens expire this many seconds after sign-in (api.md 1.1): one working day.
API_TOKEN_TTL = env_int("API_TOKEN_TTL", 8 * 3600)

# Strict CSP: nothing from elsewhere, no inline scripts (the API docs use the split Swagger view).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "tuoyu_portal.urls"
WSGI_APPLICATION = "tuoyu_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# PostgreSQL everywhere; `python -m tuoyu_portal.embedded_services` sets DATABASE_URL to an embedded
# server when none is given.
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tuoyu")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Server-side parameter binding lets psycopg prepare a statement after a few executions, so the
# hot list queries are planned once per connection instead of on every request (planning was
# half of a queue page's database time; docs/performance.md). Off behind a transaction-pooling
# PgBouncer, which cannot keep prepared statements: DB_PREPARED_STATEMENTS=0.
DATABASES["default"].setdefault("OPTIONS", {})
if env_bool("DB_PREPARED_STATEMENTS", True):
    DATABASES["default"]["OPTIONS"].update({"server_side_binding": True, "prepare_threshold": 5})
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "tuoyu_portal.db"  # see tuoyu_portal/db/base.py
DATABASES["default"].setdefault("TEST", {})
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]

# Optional read replica: a PostgreSQL hot standby of the primary (streaming replication). Unset,
# everything runs on the one database above. tuoyu_portal/db/replica.py says which reads go there
# and when they fall back to the primary.
REPLICA_DATABASE_URL = os.environ.get("REPLICA_DATABASE_URL", "")
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["ENGINE"] = DATABASES["default"]["ENGINE"]
    # A standby that does not answer must not hold a request for long: the primary serves then.
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"]["OPTIONS"],
        "connect_timeout": env_int("REPLICA_CONNECT_TIMEOUT", 2),
    }
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["tuoyu_portal.db.replica.ReplicaRouter"]
# Seconds the replica may be behind before reads fall back to the primary; how often each process
# checks; how long a writer's own reads stay on the primary after a write.
REPLICA_MAX_LAG = float(os.environ.get("REPLICA_MAX_LAG", "5"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "2"))
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / ".data" / "static"))
STATICFILES_DIRS = [BASE_DIR / "tuoyu_portal" / "static"]
# Tests do not collect static files; WhiteNoise must not warn about the missing directory.
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".data" / "media"))
MEDIA_URL = "/media-not-public/"  # documents are served only through permission-checked views

# Documents: local disk by default; S3-compatible object storage by setting STORAGE_BACKEND=s3
# and the AWS_* variables django-storages reads.
if os.environ.get("STORAGE_BACKEND", "local") == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
MAX_DOCUMENT_BYTES = env_int("MAX_DOCUMENT_BYTES", 20 * 1024 * 1024)

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Short timeouts: a hung Redis must never hang a request; calls fail open (failopen.py).
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)  # idle expiry for staff sessions
SESSION_SAVE_EVERY_REQUEST = True  # sliding expiry: the age counts from the last request

# Celery: Redis broker; results are not needed (tasks report through the database).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection before and after every task unless this
# is set, so each outbox delivery paid for a new connection (half its time in bench/'s
# push figures). Reused instead, and checked by Django's own rules before each task
# (tuoyu_portal/celery.py: close_old_connections honours CONN_MAX_AGE and health checks).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a request must fail fast when Redis is down or hung; the outbox sweep delivers later.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 0,
    "visibility_timeout": 600,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tuoyu_portal.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "tuoyu_portal.api.IdCursorPagination",
    # JSON with a nesting limit (guards.py); forms and uploads as DRF's defaults.
    "DEFAULT_PARSER_CLASSES": [
        "tuoyu_portal.guards.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tuoyu_portal.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "tuoyu_portal.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "托育机构登记备案服务平台 API",
    "DESCRIPTION": "Registration, filing, supervision and subsidies of childcare institutions (api.md v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error answers of every operation, documented once (api.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tuoyu_portal.api.document_error_responses",
    ],
    # Several models have a `status`; name their enums so the schema has no naming collisions.
    "ENUM_NAME_OVERRIDES": {
        "FilingStatusEnum": "registry.models.filings.FilingStatus",
        "FilingChangeStatusEnum": "registry.models.changes.ChangeStatus",
        "DocumentKindEnum": "registry.models.documents.DocumentKind",
    },
}

# Two-factor sign-in for staff (api.md): on in production, off under DEBUG for the demo users.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "托育服务平台"
RECOVERY_CODE_COUNT = 10

DEMO_PASSWORD = env_str("DEMO_PASSWORD", "tuoyu-demo-2026")

# Exchange with the health department (architecture.md "push").
HEALTH_DEPT_PUSH_BACKEND = os.environ.get("HEALTH_DEPT_PUSH_BACKEND", "local")  # local | http
HEALTH_DEPT_PUSH_URL = os.environ.get("HEALTH_DEPT_PUSH_URL", "")
# Unset in production, every push is refused (signing.verify); development and tests get their
# own random one above.
HEALTH_DEPT_PUSH_SECRET = env_str("HEALTH_DEPT_PUSH_SECRET")
HEALTH_DEPT_PUSH_TIMEOUT = float(os.environ.get("HEALTH_DEPT_PUSH_TIMEOUT", "5"))
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
# Retry backoff: base * 2**(attempt-1) seconds, capped; a `sending` row older than the stale
# timeout belongs to a worker that died mid-delivery and is put back to `pending` by the sweep.
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 30)
OUTBOX_BACKOFF_CAP_SECONDS = env_int("OUTBOX_BACKOFF_CAP_SECONDS", 3600)
OUTBOX_STALE_SECONDS = env_int("OUTBOX_STALE_SECONDS", 120)
OUTBOX_SWEEP_BATCH = env_int("OUTBOX_SWEEP_BATCH", 500)
# The local backend's receiver (exchange is platform code; only this dotted path knows registry).
HEALTH_DEPT_LOCAL_RECEIVER = os.environ.get(
    "HEALTH_DEPT_LOCAL_RECEIVER", "registry.services.inbox.receive_event"
)
# Receiver side: a signed request older (or newer) than this is refused (replay protection).
HEALTH_DEPT_SIGNATURE_MAX_AGE = env_int("HEALTH_DEPT_SIGNATURE_MAX_AGE", 300)

# Sections other apps add to the public facility page, by dotted path (registry imports neither
# inspections nor subsidies; this keeps the dependency direction of architecture.md).
PUBLIC_FACILITY_SECTIONS = [
    "inspections.public.facility_sections",
    "registry.views.parents.facility_sections",  # free places, watch form
]
# who, besides e-mail watchers, hears of a facility's public-record changes
# (registry never imports subsidies; each provider returns user ids).
WATCH_OFFICE_PROVIDERS = ["subsidies.watches.paying_office_watchers"]
# Each app's part of the statistics (tuoyu_portal/dashboard/figures.py): a FigureSource each.
DASHBOARD_FIGURE_SOURCES = [
    "registry.figures.SOURCE",
    "inspections.figures.SOURCE",
    "subsidies.figures.SOURCE",
]
# Sections of the region rule files other than the rules, each applied by an app's
# (directory, *, dry_run) -> change lines (tuoyu_portal/regions/rule_files.py).
RULE_FILE_SECTIONS = ["subsidies.rule_files.apply_schemes"]
# What moves an app's open working-day clocks when the calendar changes
# (tuoyu_portal/regions/recompute.py): name -> dotted path, run in this order.
CLOCK_RECOMPUTERS = {
    "filings": "registry.recompute.recompute_filings",
    "complaints": "inspections.recompute.recompute_complaints",
    "changes": "registry.recompute.recompute_changes",
}
# The notification beat scans each app contributes (tuoyu_portal/notifications/services/scans.py):
# name (run by the task notifications.tasks.notify_<name>) -> dotted path of a () -> int callable.
NOTIFICATION_SCANS = {
    "filing_events": "registry.scans.scan_filing_events",
    "findings": "inspections.scans.scan_findings",
    "expiries": "registry.scans.scan_expiries",
    "claim_decisions": "subsidies.scans.scan_claim_decisions",
    "overdue_clocks": "registry.scans.scan_overdue_clocks",
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@tuoyu.invalid")
# Messages to parents (attendance links): a class with send(ParentMessage), see
# subsidies/senders.py. Console in development, memory under tests; production names its gateway.
PARENT_MESSAGE_BACKEND = env_str(
    "PARENT_MESSAGE_BACKEND",
    "subsidies.senders.MemorySender" if TESTING else "subsidies.senders.EmailOrConsoleSender",
)
PARENT_MESSAGE_FILE = env_str(
    "PARENT_MESSAGE_FILE", str(BASE_DIR / ".data" / "parent-messages.jsonl")
)

# Security headers; production values come on automatically when DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One clock in every line: Beijing time with its offset (tuoyu_portal/logformat.py).
    "formatters": {
        "plain": {
            "class": "tuoyu_portal.logformat.BeijingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {"redact": {"()": "tuoyu_portal.logfilters.RedactPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One INFO line per trigger on every migrate (18 of them) said nothing worth reading.
        "pgtrigger": {"level": "WARNING"},
    },
}

# Admin changelists (inspections/admin/base.py): up to this many rows the count is an exact
# COUNT, given up after the timeout; otherwise the planner's estimate is shown as "约 N 条" (a
# COUNT over millions of rows would be most of the page's time).
ADMIN_EXACT_COUNT_LIMIT = env_int("ADMIN_EXACT_COUNT_LIMIT", 10_000)
ADMIN_EXACT_COUNT_TIMEOUT_MS = env_int("ADMIN_EXACT_COUNT_TIMEOUT_MS", 50)

# Inspections: name the choice sets that share a field name ("kind", "status") in the schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "InspectionKindEnum": "inspections.models.InspectionKind",
        "EnforcementKindEnum": "inspections.models.EnforcementKind",
        "FindingStatusEnum": "inspections.models.FindingStatus",
        "ComplaintStatusEnum": "inspections.models.ComplaintStatus",
        "SchemeKindEnum": "subsidies.models.SchemeKind",
        "ClaimStatusEnum": "subsidies.models.ClaimStatus",
        "PaymentBatchStatusEnum": "subsidies.models.BatchStatus",
    }
)

# --- Rate limits on public forms and search (tuoyu_portal/ratelimit.py) ------------------------
# "<url name>:<METHOD>": "<count>/<s|m|h|d>" per client address. Env overrides the defaults with
# RATE_LIMIT_COMPLAINT / RATE_LIMIT_SEARCH; RATE_LIMIT_PROXY_COUNT trusts X-Forwarded-For hops.
RATE_LIMIT_PROXY_COUNT = env_int("RATE_LIMIT_PROXY_COUNT", 0)
# Under TESTING the other suites must not trip over a shared counter; tests/security sets its own.
_complaint_rate = env_str("RATE_LIMIT_COMPLAINT", "100000/m" if TESTING else "5/h")
_search_rate = env_str("RATE_LIMIT_SEARCH", "100000/m" if TESTING else "60/m")
# Anonymous answers of the public register kept this many seconds (0 = off; off under TESTING,
# where suites create rows without signals; tests of the cache switch it on).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 0 if TESTING else 60)
PUBLIC_CACHE_PATHS = {"/api/v1/public/facilities/": "public-facilities-api:GET"}
PUBLIC_RATE_LIMITS: dict[str, str] = {
    "api-public-complaint-create:POST": _complaint_rate,
    "public-complaint-new:POST": _complaint_rate,
    "public-complaint-track:GET": _search_rate,
    "public-facilities-api:GET": _search_rate,
    "public-search:GET": _search_rate,
    "api-public-complaint-status:GET": _search_rate,
    "public-filing-api:GET": _search_rate,
    "verify:GET": _search_rate,
    "calendar-deadline:GET": _search_rate,  # the anonymous working-day calculator
    # the parent's one-time link and the watch form (guessing codes is pointless at
    # 192 bits; the limit keeps scanners and mail-bombing away).
    "public-attendance:GET": _search_rate,
    "public-attendance:POST": _complaint_rate,
    "api-public-watch-create:POST": _complaint_rate,
    "public-watch-new:POST": _complaint_rate,
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("csp.middleware.CSPMiddleware"),
    "tuoyu_portal.ratelimit.PublicRateLimitMiddleware",
)

# --- Audit trail (tuoyu_portal/audit) ----------------------------------------------------------
# Trigger-written change events (django-pghistory on django-pgtrigger). The triggers sit on other
# apps' tables, so they are installed after every migrate rather than through those apps'
# migrations (PGTRIGGER_MIGRATIONS off, INSTALL_ON_MIGRATE on).
INSTALLED_APPS += ["pgtrigger", "pghistory", "tuoyu_portal.audit"]
# The audit-event models each app declares (tuoyu_portal/audit/events.py). The order is part of
# the hash chain's canonical form: append new event models at the end only.
AUDIT_EVENT_MODELS = [
    "audit.RegistrationEvent",
    "audit.FilingEvent",
    "audit.StaffMemberEvent",
    "audit.BanEvent",
    "audit.FindingEvent",
    "audit.ClaimEvent",
]
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True
# The context (actor, path, method, address) is recorded for every method, reads excluded.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "tuoyu_portal.audit.middleware.AuditContextMiddleware",
)
# 网络安全法 §21: at least six months; a system check refuses less than 184 days.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 400)

# --- OpenAPI enum names after the feature merges (check --deploy must stay warning-free) -------
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "DocumentKindEnum": "registry.models.DocumentKind",
        "SchemeKindEnum": "subsidies.models.SchemeKind",
        "FilingStatusEnum": "registry.models.FilingStatus",
        "RegistrationStatusEnum": "registry.models.RegistrationStatus",
        "ClaimStatusEnum": "subsidies.models.ClaimStatus",
    }
)
