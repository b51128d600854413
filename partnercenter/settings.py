"""Settings for the Partner Center dashboard.

One module, read from the environment through django-environ (docs/style.md, habit 5).
Defaults serve development: SQLite, console email, DEBUG on. With ``DEBUG=0``
every value production needs must be set, or start-up fails naming it.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file is a development convenience; production sets real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="django-insecure-development-only-key-never-use-in-production"
    )
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=0 the SECRET_KEY environment variable is "
            "required: set it to a long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`)."
        )

if DEBUG:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    # No default: a production host list must be explicit (ImproperlyConfigured names it).
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A translated page with a way back instead of Django's English "Forbidden (403)".
CSRF_FAILURE_VIEW = "partnercenter.web.views.csrf_failure"

# Public address of this app, used to build absolute links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Where invitation and agreement links send customers (docs/relationships.md). The default is
# this app's own admin-center page so the whole flow works on one machine;
# production sets https://admin.microsoft.com/AdminPortal/Home.
ADMIN_CENTER_URL = env.str("ADMIN_CENTER_URL", default=f"{SITE_URL}/admincenter/")

# benchmarks/throughput.py compares pages with a bare signed-in view that exists only
# when this is on; never set it in production.
BENCHMARK_VIEWS = env.bool("BENCHMARK_VIEWS", default=False)

INSTALLED_APPS = [
    "partnercenter",
    "customers",
    "agreements",
    "relationships",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "phonenumber_field",
    "django_otp",
    # Third-party apps under names Django admin can show (partnercenter/apps.py).
    "partnercenter.apps.OtpTotpConfig",
    "partnercenter.apps.OtpStaticConfig",
    "partnercenter.apps.AxesConfig",
    "django_tasks",
    "partnercenter.apps.TasksDatabaseConfig",
    # The API's framework; listed for the offline assets of its docs page (/v1/docs).
    "ninja",
]

MIDDLEWARE = [
    # First: /healthz, /readyz and /metrics answer before the host check, the HTTPS
    # redirect, sessions and sign-in (partnercenter/ops/health.py).
    "partnercenter.ops.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "partnercenter.audit.middleware.AuditContextMiddleware",
    "partnercenter.ops.logs.RequestTelemetryMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "partnercenter.web.middleware.BoundedQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "partnercenter.signin.middleware.SessionSecurityMiddleware",
    "partnercenter.web.middleware.UserTimeZoneMiddleware",
    "partnercenter.web.middleware.PasswordChangeRequiredMiddleware",
    "partnercenter.web.middleware.CustomerAccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the response of a sign-in that django-axes refused.
    "axes.middleware.AxesMiddleware",
]

# Widgets render with the project's templates too, so templates/ can give Django admin's
# split date/time inputs the labels they lack (templates/admin/widgets/split_datetime.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "partnercenter.urls"
WSGI_APPLICATION = "partnercenter.wsgi.application"

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
                "partnercenter.web.context_processors.navigation",
                "partnercenter.web.context_processors.submission",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A kept connection is checked before each request reuses it, so a database restart
# costs one reconnect, not one failed request per app-server worker.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool(
    "CONN_HEALTH_CHECKS", default=DATABASES["default"]["CONN_MAX_AGE"] != 0
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock at BEGIN (and wait up to 20 s) instead of failing with
    # "database is locked" when two requests write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# "pages": the Customers page's rendered listing, per process, keyed by the partner's
# customers_version (a new value on every commit that changes it). TIMEOUT
# bounds how long a listing can outlive a write whose process died before bumping.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "TIMEOUT": env.int("PAGE_CACHE_SECONDS", default=300),
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
# CACHE_URL (redis://host:6379/1) shares both caches among every app server through
# Django's RedisCache; a Redis that is away is a miss, never an error (ops/cache.py).
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    _redis = {
        "BACKEND": "partnercenter.ops.cache.ResilientRedisCache",
        "LOCATION": CACHE_URL,
        # A Redis that doesn't answer costs a request half a second at most.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": "default"},
        "pages": {**_redis, "KEY_PREFIX": "pages", "TIMEOUT": CACHES["pages"]["TIMEOUT"]},
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partnercenter.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes' backend comes first: it refuses a locked-out account or address before
# the password hasher runs (an Argon2 check costs ~1 s of CPU and 100 MiB).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "partnercenter.tenant.backends.PartnerModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One date format and one date-and-time format per language, on every screen.
FORMAT_MODULE_PATH = ["partnercenter.web.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

if not DEBUG and not env.str("EMAIL_URL", default=""):
    # The console backend would print every invitation link, with its token, to the logs.
    raise ImproperlyConfigured(
        "EMAIL_URL is not set. With DEBUG=0 the EMAIL_URL environment variable is required, "
        "for example smtp+tls://user:password@smtp.example.com:587 (consolemail:// prints "
        "emails, and the secrets in their links, to the logs)."
    )
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Partner Center <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Cookie first, then the session: a repeated submission's message doesn't rewrite (and
# so can't clobber) the session its first submission saved.
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"

# Production hardening: on whenever DEBUG is off, so `check --deploy` is clean.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Preloading is opt-in: once browsers ship the domain in their preload list, removing it
# takes months. Without it, `check --deploy` warns (security.W021); that one warning is
# silenced because leaving preload off is this project's deliberate default.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or DEBUG else ["security.W021"]
# Behind a TLS-terminating load balancer, set SECURE_SSL_REDIRECT=0 if the balancer
# redirects, and USE_X_FORWARDED_PROTO=1 so Django knows the request was HTTPS.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Sign-in security (README "Security settings") -----------------------
# Multi-factor authentication (django-otp, TOTP + recovery codes). Partner Center
# requires it of every partner user; on by default whenever DEBUG is off.
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=not DEBUG)
# The name authenticator apps show beside the code.
MFA_ISSUER = env.str("MFA_ISSUER", default="Partner Center")
OTP_TOTP_ISSUER = MFA_ISSUER
# Seconds between the password and the code before the sign-in starts over.
MFA_PENDING_SECONDS = 300

# Throttling (django-axes): after SIGNIN_FAILURE_LIMIT failed sign-ins for one user
# name, or from one address, sign-in is refused for SIGNIN_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("SIGNIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "partnercenter.signin.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "partnercenter.signin.client.client_ip"
AXES_USERNAME_CALLABLE = "partnercenter.signin.client.signin_username"
# Addresses of the reverse proxies whose X-Forwarded-For is believed; empty: none is.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS
# after sign-in whatever happens (partnercenter.signin.middleware.SessionSecurityMiddleware).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=60)
SESSION_MAX_HOURS = env.int("SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
# Temporary passwords wait, encrypted, this long for their one-time confirmation page.
SECRET_SHOWN_WITHIN_SECONDS = 600

# Partnership invitation links stop working after this many days (the sender can resend).
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=30)

# Fresh proof: setting up a new authenticator or new recovery codes needs the password
# typed within this many minutes (partnercenter.signin.views.proof_fresh).
SECURITY_PROOF_MINUTES = env.int("SECURITY_PROOF_MINUTES", default=10)

# Request bodies. Form fields (everything but files) may hold at most 2.5 MB, Django's
# default. An uploaded file is kept in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and in a
# temporary file beyond that; UPLOAD_MAX_BYTES (the largest Confirm in bulk file) stops
# reading the body as soon as a request's files pass it, so an oversized upload is
# never written out whole (partnercenter.web.uploads). The reverse proxy should refuse
# bodies a little over it too (README "Deploying").
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=30 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "partnercenter.web.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Content-Security-Policy (django-csp), enforced: no inline script or style anywhere.
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

# --- Background work (README "Background jobs") ---------------------------
# django-tasks with its database backend: a job is a row written in the same transaction
# as what caused it, run by `manage.py worker` (any number of them; SKIP LOCKED on
# PostgreSQL hands each job to exactly one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# An email (and a webhook delivery) is tried this many times, waiting RETRY_BASE_SECONDS,
# then twice as long after each failure, before it is marked failed.
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=5)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)
RETRY_BASE_SECONDS = env.int("RETRY_BASE_SECONDS", default=60)
# A mail server or webhook receiver that doesn't answer within this many seconds failed.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
WEBHOOK_TIMEOUT = env.int("WEBHOOK_TIMEOUT", default=10)
# A message a worker claimed but never finished (the worker died) is queued again after this.
DELIVERY_STUCK_MINUTES = 15
# Webhook URLs must be https:// and resolve to public addresses; development may post
# to http:// and to this machine (a local receiver).
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=DEBUG)
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=DEBUG)
# The ports webhook URLs may name: 443 only in production; "*" (the development default)
# allows any, for a local receiver.
_webhook_ports = env.list("WEBHOOK_ALLOW_PORTS", default=["*"] if DEBUG else ["443"])
try:
    WEBHOOK_ALLOW_PORTS = None if "*" in _webhook_ports else [int(p) for p in _webhook_ports]
except ValueError as exc:
    raise ImproperlyConfigured(
        f"WEBHOOK_ALLOW_PORTS must be port numbers separated by commas, or *: {_webhook_ports}"
    ) from exc
# Jobs the worker runs on a schedule (cron syntax, UTC). Each is also a management command.
SCHEDULED_JOBS = {
    "renew-subscriptions": ("customers.tasks.subscriptions_renew", "15 0 * * *"),
    "refresh-agreement-status": ("agreements.tasks.agreement_status_refresh", "5 0 * * *"),
    "expire-invitations": ("relationships.tasks.invitations_expire", "*/15 * * * *"),
    "prune": ("partnercenter.jobs.tasks.prune", "30 3 * * *"),
    "expire-api-tokens": ("partnercenter.jobs.tasks.api_tokens_expire", "45 * * * *"),
    "admin-relationships-lifecycle": (
        "relationships.tasks.admin_relationships_daily",
        "20 1 * * *",
    ),
    "requeue-stuck-deliveries": (
        "partnercenter.jobs.tasks.deliveries_requeue_stuck",
        "*/5 * * * *",
    ),
}
# How long finished records are kept before the "prune" job deletes them.
PRUNE_AFTER_DAYS = env.int("PRUNE_AFTER_DAYS", default=30)

# --- The REST API (docs/api.md) ------------------------------------------------------
# A new token lives this many days unless its maker chooses (rule T2), at most the max.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# Calls per token and per partner (ninja's rate syntax: number/s, /m, /h or /d). The
# counts live in the default cache: set CACHE_URL so every app server shares them.
API_RATE_PER_TOKEN = env.str("API_RATE_PER_TOKEN", default="1200/m")
API_RATE_PER_PARTNER = env.str("API_RATE_PER_PARTNER", default="6000/m")
# How long a write's first answer is kept for a retry with the same MS-RequestId (rule T5),
# and how long a concurrent retry waits for the first call to finish.
API_REQUEST_ID_HOURS = env.int("API_REQUEST_ID_HOURS", default=24)
API_REPLAY_WAIT_SECONDS = env.float("API_REPLAY_WAIT_SECONDS", default=30)
# The largest page a list returns (size=).
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=500)

# --- Operations (README "Operating") -------------------------------------------------
# /readyz wants a worker heartbeat younger than this (seconds); 0 skips the check.
WORKER_HEARTBEAT_MAX_SECONDS = env.int("WORKER_HEARTBEAT_MAX_SECONDS", default=180)
# /metrics answers a bearer token or these networks (comma-separated CIDRs); neither: off.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])

# Logs go to stdout: text by default, or one JSON object a line with LOG_FORMAT=json
# (each request once, with its id; partnercenter/ops/logs.py). Secrets are masked.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "partnercenter.ops.logs.RequestIdFilter"},
        "redact": {"()": "partnercenter.ops.logs.RedactingFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # One line a request in JSON; in text the server's own access log says it.
        "partnercenter.request": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}
