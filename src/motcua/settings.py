"""Settings for Một Cửa Số: the one module that reads the environment.

Every variable the installation can set is read here, typed, with its default (django-environ), and
every app reads ``django.conf.settings``, never ``os.environ``. The variables are listed in README.md
(Configuration) and docs/operations.md.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ

env = environ.Env()

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(env.str("MOTCUA_DATA_DIR", default=str(REPO_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("MOTCUA_DEBUG", default=False)
# The demo key only serves demos and tests (MOTCUA_DEMO=1): a production start refuses it (motcua.accounts.checks).
DEMO_SECRET_KEY = "insecure-demo-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("MOTCUA_SECRET_KEY", default=DEMO_SECRET_KEY)
ALLOWED_HOSTS = env.list("MOTCUA_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("MOTCUA_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "motcua.api.errors.csrf_failure"  # the admin's look under /admin/, the portal's elsewhere

INSTALLED_APPS = [
    "motcua.audit.apps.AdminConfig",  # django.contrib.admin with the project's site (audit.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "motcua.core",
    "motcua.outbox",
    "motcua.units",
    "motcua.accounts",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.documents",
    "motcua.payments",
    "motcua.engagement",
    "motcua.integrations",
    "motcua.reporting",
    "motcua.transformation",
    "motcua.papers",
    "motcua.audit",
    "motcua.web",
    "motcua.portal",
    "motcua.backoffice",
    "motcua.api",
    "motcua.demo",
]

# "motcua.api.lean.X" is Django's (or the library's) X, skipped by bearer calls to /api/ (api/lean.py):
# an integrator's call needs no session, CSRF, messages, htmx, static files or admin second factor.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "motcua.db.middleware.NulCharacterMiddleware",
    "motcua.api.lean.WhiteNoise",
    "django.middleware.gzip.GZipMiddleware",
    "motcua.api.lean.Session",
    "django.middleware.common.CommonMiddleware",
    "motcua.api.lean.Csrf",
    "motcua.api.lean.Authentication",
    "motcua.api.lean.Messages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "motcua.api.lean.Htmx",
    "motcua.core.input.NfcInputMiddleware",  # form fields and query parameters in NFC (core/input.py)
    "motcua.api.errors.MethodNotAllowedPage",
]
# Django's deployment check looks for CsrfViewMiddleware by its dotted path; motcua.api.lean.Csrf is that class
# for every page and session call (tests/api/test_lean_path.py).
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # unlocalize in every template: an id written into a page (a hidden field, a link, an element id) must not
            # get the thousands separator USE_THOUSAND_SEPARATOR gives displayed numbers ("1.234" is not id 1234)
            "builtins": ["django.templatetags.l10n"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'motcua.sqlite3'}"),
        conn_max_age=env.int("MOTCUA_CONN_MAX_AGE", default=60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "motcua.accounts.backends.RoleBackend",  # Django permissions from our roles (the audit trail's admin)
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/tai-khoan/dang-nhap/"

LANGUAGE_CODE = "vi"
# Vietnamese only for now: a browser asking for English must not get English number formats
# around Vietnamese text.
LANGUAGES = [("vi", "Tiếng Việt")]
FORMAT_MODULE_PATH = ["motcua.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MOTCUA_MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Static files under names carrying a hash of their content (collectstatic writes them and staticfiles.json; pages
# cannot render without it): WhiteNoise serves those for a year, immutable, so a phone on 3G asks for nothing again
# until a release changes the file; without the hash it could keep them a minute (WhiteNoise's default).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One cache shared by every worker process of the host (the tracking page's attempt limit counts
# across workers); a Redis URL replaces it on a multi-host installation.
REDIS_URL = env.str("MOTCUA_REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache")}}

TASKS = {
    "default": {
        "BACKEND": env.str("MOTCUA_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# ---- Một Cửa Số ------------------------------------------------------------------------------------

# Province this installation serves; its identity-code prefix is used in dossier codes.
MOTCUA_PROVINCE_CODE = env.str("MOTCUA_PROVINCE_CODE", default="51")  # Quảng Ngãi (2025 code)
MOTCUA_PROVINCE_NAME = env.str("MOTCUA_PROVINCE_NAME", default="Quảng Ngãi")
# Identity-code prefix of the province's agencies (Circular 01/2018 art. 19); the real prefix for
# Quảng Ngãi is not published in our sources, so this is a configurable default.
MOTCUA_AGENCY_CODE_PREFIX = env.str("MOTCUA_AGENCY_CODE_PREFIX", default="H51")

# How statistics print a percentage: decimals, and a space before "%" ("99,77 %", the default) or none
# ("99,77%", as the seeds' reports write it; seed 000 also writes "75,1%" with one decimal).
MOTCUA_PERCENT_DECIMALS = env.int("MOTCUA_PERCENT_DECIMALS", default=2)
MOTCUA_PERCENT_SPACE = env.bool("MOTCUA_PERCENT_SPACE", default=True)
# Officers confirm a second factor (TOTP) before the back office; the demo turns it off.
MOTCUA_OFFICER_2FA = env.bool("MOTCUA_OFFICER_2FA", default=True)

# Working sessions of a counter day, ((start, end), ...) as datetime.time; None: the typical office
# hours in motcua.core.calendar.DEFAULT_SESSIONS (LEGAL.md §9).
MOTCUA_WORKING_SESSIONS = None
# Overrides of the legal defaults, per rule version (motcua.dossiers.rules) and per feedback
# classification (motcua.engagement.rules), as JSON objects.
MOTCUA_RULES = env.json("MOTCUA_RULES", default={})
MOTCUA_FEEDBACK_DEADLINES = env.json("MOTCUA_FEEDBACK_DEADLINES", default={})
# Tests only: {"step": "dossiers.in_flight", "after": N, "file": path} makes applying a reorganization plan
# wait inside the item after N items of that step, so that a test can kill it there (units.reorganization.run).
MOTCUA_REORGANIZATION_PAUSE = env.json("MOTCUA_REORGANIZATION_PAUSE", default={})

# National systems and third parties: {"dvcqg": {"url": …, "secret": …}, "payment": {…}, …} (JSON);
# a target without a url is off (motcua.integrations.config). MOTCUA_DISPATCH tunes the dispatcher.
MOTCUA_INTEGRATIONS = env.json("MOTCUA_INTEGRATIONS", default={})
MOTCUA_DISPATCH = env.json("MOTCUA_DISPATCH", default={})

# Uploads (motcua.documents.validation).
MOTCUA_MAX_UPLOAD_BYTES = env.int("MOTCUA_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
MOTCUA_MAX_IMAGE_PIXELS = env.int("MOTCUA_MAX_IMAGE_PIXELS", default=60_000_000)  # about A4 at 800 dpi
MOTCUA_MAX_PDF_PAGES = env.int("MOTCUA_MAX_PDF_PAGES", default=300)
# Citizen data repository (motcua.documents.consent): the longest a consent to read it lasts, in days.
MOTCUA_VAULT_CONSENT_DAYS = env.int("MOTCUA_VAULT_CONSENT_DAYS", default=30)
# OCR (motcua.documents.ocr): Tesseract language, and our own Otsu binarization before Tesseract's.
MOTCUA_OCR_LANG = env.str("MOTCUA_OCR_LANG", default="vie")
MOTCUA_OCR_BINARIZE = env.bool("MOTCUA_OCR_BINARIZE", default=False)

# Signatures (motcua.documents.signing): the signer backend ("file" or "pkcs11"), the folder of keys
# and certificates, whether a demo installation issues missing agency certificates from its demo CA,
# the PKCS#11 token ({"lib", "token_label", "pin_env", "agencies", "default"}), a timestamp server,
# and the trusted roots (files) for verification, plus the demo root while it is trusted.
MOTCUA_SIGNER_BACKEND = env.str("MOTCUA_SIGNER_BACKEND", default="file")
MOTCUA_PKI_DIR = Path(env.str("MOTCUA_PKI_DIR", default=str(DATA_DIR / "pki")))
MOTCUA_PKI_AUTO_ISSUE = env.bool("MOTCUA_PKI_AUTO_ISSUE", default=True)
MOTCUA_PKCS11 = env.json("MOTCUA_PKCS11", default={})
# The token's PIN, read from the variable MOTCUA_PKCS11["pin_env"] names (default MOTCUA_PKCS11_PIN).
MOTCUA_PKCS11_PIN = env.str(MOTCUA_PKCS11.get("pin_env", "MOTCUA_PKCS11_PIN"), default="") or None
MOTCUA_TSA_URL = env.str("MOTCUA_TSA_URL", default="")
MOTCUA_TRUST_ROOTS = env.list("MOTCUA_TRUST_ROOTS", default=[])
MOTCUA_TRUST_DEMO_ROOT = env.bool("MOTCUA_TRUST_DEMO_ROOT", default=True)

# --- Security hardening ---------------------------------------------------------------------------------
# Production is the default. Demo mode is explicit: MOTCUA_DEMO=1 (set by `make demo`, scripts/demo.sh and
# tests/settings.py) allows the demo keys and plain HTTP. Outside demo and debug mode the site wants HTTPS
# (redirect, HSTS, Secure cookies) and refuses to start with the demo SECRET_KEY or without a TOTP key.
# Every switch is an environment variable listed in README's configuration table; docs/operations.md
# ("Security settings") explains them.
MOTCUA_DEMO = env.bool("MOTCUA_DEMO", default=False)
_PRODUCTION = not (MOTCUA_DEMO or DEBUG)
SECURE_SSL_REDIRECT = env.bool("MOTCUA_SSL_REDIRECT", default=_PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^api/v1/health$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env.int("MOTCUA_HSTS_SECONDS", default=31_536_000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("MOTCUA_HSTS_INCLUDE_SUBDOMAINS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("MOTCUA_SECURE_COOKIES", default=_PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("MOTCUA_SESSION_SECONDS", default=8 * 3600)  # one working day
X_FRAME_OPTIONS = "DENY"
# Reverse proxies in front of gunicorn (nginx…): they terminate TLS and append the client to X-Forwarded-For.
MOTCUA_PROXY_COUNT = env.int("MOTCUA_PROXY_COUNT", default=0)
if MOTCUA_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (Django's own middleware): scripts only from this site or with the page's nonce;
# style attributes stay allowed (the templates use them); no plug-ins, no framing, forms post here only.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
MIDDLEWARE += [
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "motcua.api.lean.SecondFactor",  # Django admin needs the officer's second factor (accounts/middleware.py)
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("django.template.context_processors.csp")

# Key that encrypts officers' TOTP secrets (not SECRET_KEY). Empty: the file MOTCUA_KEYS_DIR/totp.key;
# in demo mode, failing both, a key derived from SECRET_KEY as before (accounts/keys.py).
MOTCUA_KEYS_DIR = Path(env.str("MOTCUA_KEYS_DIR", default=str(DATA_DIR / "keys")))
MOTCUA_TOTP_KEY = env.str("MOTCUA_TOTP_KEY", default="")
# Seals each backup's manifest (HMAC-SHA256, core/backup_seal.py); a restore then refuses one not sealed with it.
# Kept in the host's secret store, never in MOTCUA_KEYS_DIR (which every backup carries). Empty: not sealed.
MOTCUA_BACKUP_KEY = env.str("MOTCUA_BACKUP_KEY", default="")

# Password guessing (django-axes): an account locks after MOTCUA_LOGIN_FAILURE_LIMIT failures, a client
# address after MOTCUA_LOGIN_ADDRESS_FAILURE_LIMIT (a commune office shares one address), for
# MOTCUA_LOGIN_LOCKOUT_MINUTES; administrators unlock early (accounts/lockout.py). Bearer tokens: an address
# sending MOTCUA_TOKEN_FAILURE_LIMIT unknown tokens is refused for the same time.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS.insert(0, "motcua.accounts.lockout.LockoutBackend")  # refuses before the password check
MOTCUA_LOGIN_FAILURE_LIMIT = env.int("MOTCUA_LOGIN_FAILURE_LIMIT", default=5)
MOTCUA_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("MOTCUA_LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
MOTCUA_LOGIN_LOCKOUT_MINUTES = env.int("MOTCUA_LOGIN_LOCKOUT_MINUTES", default=15)
MOTCUA_TOKEN_FAILURE_LIMIT = env.int("MOTCUA_TOKEN_FAILURE_LIMIT", default=20)
# Look-ups in the National Population Database per account per day (integrations.population).
MOTCUA_POPULATION_DAILY_LIMIT = env.int("MOTCUA_POPULATION_DAILY_LIMIT", default=300)
# A valid bearer token, its account and roles are kept this many seconds per worker process (api/tokencache.py):
# a revocation or role change applies at once in the process that makes it, within this delay in the others.
MOTCUA_API_AUTH_CACHE_SECONDS = env.float("MOTCUA_API_AUTH_CACHE_SECONDS", default=5.0)
AXES_HANDLER = "motcua.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = "motcua.accounts.lockout.failure_limit"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=MOTCUA_LOGIN_LOCKOUT_MINUTES)
AXES_CLIENT_IP_CALLABLE = "motcua.accounts.lockout.client_address"
AXES_USERNAME_CALLABLE = "motcua.accounts.lockout.client_username"
AXES_LOCKOUT_CALLABLE = "motcua.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # accounts/admin.py shows attempts with an audited unlock action
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the audit trail already

# Audit anchors: signed checkpoints of the audit chain's head, kept outside the database (audit/anchors.py).
MOTCUA_AUDIT_ANCHOR_DIR = Path(env.str("MOTCUA_AUDIT_ANCHOR_DIR", default=str(DATA_DIR / "audit-anchors")))
# The audit chainer (audit/chainer.py, manage.py chain_audit; docs/operations.md "Audit chaining"): verify_audit
# fails when an entry has waited longer than this to be chained. Inline chaining (SQLite only; default on).
MOTCUA_AUDIT_CHAIN_WINDOW_S = env.int("MOTCUA_AUDIT_CHAIN_WINDOW_S", default=60)
MOTCUA_AUDIT_CHAIN_INLINE = env.bool("MOTCUA_AUDIT_CHAIN_INLINE", default=None)

# No ID or phone number in full in a log line (motcua.core.logs): on every line the console writes, and on Django's
# request log (the path of every refused request) before any other handler sees it. django.server: the request line
# `manage.py runserver` writes for every answer, as Django's default logging writes it (INFO, its own handler), with
# the mask gunicorn's access log has (motcua.core.access_log); naming the logger here took Django's handler away.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_numbers": {"()": "motcua.core.logs.MaskPersonalNumbers"}},
    "formatters": {"django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}",
                                     "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["personal_numbers"]},
                 "django.server": {"class": "logging.StreamHandler", "formatter": "django.server",
                                   "filters": ["personal_numbers"]}},
    "loggers": {"django.request": {"filters": ["personal_numbers"]},
                "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False,
                                  "filters": ["personal_numbers"]}},
    "root": {"handlers": ["console"], "level": env.str("MOTCUA_LOG_LEVEL", default="WARNING")},
}

# ---- Database cluster: leader address, read replica, pooling (issue 14; docs/operations.md "Cluster") ----
# DATABASE_URL may name the address that follows the leader (scripts/ha/cluster.py: pgbouncer → haproxy →
# the Patroni leader). Without the variables below the system runs as on one database server.
# MOTCUA_DB_TRANSACTION_POOLING: the URL is a pgbouncer in transaction pooling. Django then keeps no
#   server-side cursor across statements; it already sends no prepared statements (psycopg's
#   prepare_threshold stays None), takes only transaction-scoped advisory locks (pg_advisory_xact_lock)
#   and issues no session SET (the cluster's time zone is UTC).
# MOTCUA_REPLICA_URL: a streaming replica; statistics, transparency pages, report builds, the statistics
#   consumer and a citizen's own dossier pages read there while it lags at most MOTCUA_REPLICA_MAX_LAG_S;
#   a browser that wrote keeps reading the leader for MOTCUA_READ_YOUR_WRITES_S (motcua.db.router).
MOTCUA_DB_TRANSACTION_POOLING = env.bool("MOTCUA_DB_TRANSACTION_POOLING", default=False)
MOTCUA_DB_HEALTH_CHECKS = env.bool("MOTCUA_DB_HEALTH_CHECKS", default=False)
MOTCUA_DB_CONNECT_TIMEOUT = env.int("MOTCUA_DB_CONNECT_TIMEOUT", default=5)
MOTCUA_REPLICA_URL = env.str("MOTCUA_REPLICA_URL", default="")
MOTCUA_REPLICA_MAX_LAG_S = env.float("MOTCUA_REPLICA_MAX_LAG_S", default=10.0)
MOTCUA_REPLICA_CHECK_S = env.float("MOTCUA_REPLICA_CHECK_S", default=2.0)
# The window must outlast the largest lag allowed, or a reader could reach a replica without its write.
MOTCUA_READ_YOUR_WRITES_S = max(env.float("MOTCUA_READ_YOUR_WRITES_S", default=15.0), MOTCUA_REPLICA_MAX_LAG_S + 1)
MOTCUA_REPLICA_VIEWS = frozenset({
    "reporting:index", "reporting:unit", "reporting:index766", "reporting:drill_down",
    "api:get_indicators", "api:get_index766", "api:get_drilldown", "api:get_costly", "api:get_report",
    "portal:my_dossiers", "portal:dossier",
})
INSTALLED_APPS.insert(INSTALLED_APPS.index("motcua.core") + 1, "motcua.db")
# A lost database connection (failover) answers 503 + Retry-After instead of 500.
MIDDLEWARE.insert(1, "motcua.db.middleware.DatabaseUnavailableMiddleware")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
        MOTCUA_DB_TRANSACTION_POOLING or MOTCUA_REPLICA_URL or MOTCUA_DB_HEALTH_CHECKS):
    # A connection broken by a failover is noticed before a request uses it, and replaced.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", MOTCUA_DB_CONNECT_TIMEOUT)
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = MOTCUA_DB_TRANSACTION_POOLING
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not MOTCUA_DB_TRANSACTION_POOLING:
    # psycopg prepares a statement on its second run on a connection: only statements sent through a server-side
    # binding cursor (the lifecycle's commit statement, dossiers/lifecycle/store.py; Django's own cursors bind
    # client-side and never prepare). Not behind pgbouncer in transaction pooling (see above).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2)
if MOTCUA_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(MOTCUA_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
                                                 conn_health_checks=True)
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = MOTCUA_DB_TRANSACTION_POOLING
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["motcua.db.router.ReplicaRouter"]
    # before django-axes' middleware, which must stay last
    MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "motcua.db.middleware.ReplicaReadsMiddleware")
