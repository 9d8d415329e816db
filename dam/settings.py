"""Settings for the DAM. Every deployment knob is an environment variable (see README).

With nothing set, the DAM runs embedded: SQLite and media files under
DAM_DATA_DIR, django-q2 on the ORM broker, console email, DEBUG on.
"""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from dam.env import env_bool, env_int, env_list, env_path, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env_path("DAM_DATA_DIR", BASE_DIR / "var")
TESTING = "pytest" in sys.modules

DEBUG = env_bool("DAM_DEBUG", True)
SECRET_KEY = env_str("DAM_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DAM_SECRET_KEY must be set when DAM_DEBUG is off")
    SECRET_KEY = "insecure-development-key-set-DAM_SECRET_KEY-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("DAM_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] + (["testserver"] if TESTING else []))
CSRF_TRUSTED_ORIGINS = env_list("DAM_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "dam.devserver",  # runserver decoding chunked bodies (macOS Finder's saves to the drive); above whitenoise's
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "django_q",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The apps in the order they may import each other: each imports only those above it in this list
    # (ingest and search not each other); docs/architecture.md, checked by `make lint`.
    "accounts",
    "taxonomy",
    "assets",
    "ingest",
    "search",
    "analysis",
    "workflows",
    "distribution",
    "dav",
    "archive",
    "analytics",
    # The project itself, for the commands that span every stage (seed_demo).
    "dam",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dam.middleware.UploadSizeLimitMiddleware",
    "dam.middleware.OutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dam.middleware.PublicErrorPagesMiddleware",
]

ROOT_URLCONF = "dam.urls"
WSGI_APPLICATION = "dam.wsgi.application"
ASGI_APPLICATION = "dam.asgi.application"

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
                "dam.context_processors.navigation",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
# The web server and the job worker write at once: WAL lets readers go on during a write, IMMEDIATE
# transactions take the write lock up front, and the timeout waits for it instead of "database is locked".
# For every SQLite database, the default one or one named by DATABASE_URL (the browser tests' site).
_SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
_database_url = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {}).update(_SQLITE_OPTIONS)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles the permission-filtered search and facet queries on every run: measured
        # 100 ms of compilation on a 35 ms facet query (bench/search.py). Those queries are short, so off.
        # Parallel workers likewise cost more to start than they save on a request that takes tens of ms,
        # and take the cores other requests need (bench/search.py at 200,000 assets, two alternating runs:
        # facet counts p95 211-229 -> 170-208 ms, the ranked query no worse).
        # work_mem 16 MB (default 4): a search ANDs the bitmap of the user's folders (300,000 rows at
        # 1,000,000 assets) with the text match; in 4 MB that bitmap turns lossy and every row on its pages
        # is read and tested again (at 1,000,000 assets, same data, one run each: ranked p95 111 -> 77 ms,
        # facet counts 343 -> 277 ms, list page 493 -> 397 ms; at 200,000 no worse).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c jit=off -c max_parallel_workers_per_gather=0 -c work_mem=16MB")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "dam.sqlite3"),
            # Kept open between requests and jobs, as on PostgreSQL: opening one and setting its pragmas
            # costs ~1.2 ms, which the job worker's queue reader paid before every claim of a job, and
            # the worker and the web server before every job and request.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": dict(_SQLITE_OPTIONS),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- users and permissions ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous visitors see nothing
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- files --------------------------------------------------------------------
MEDIA_ROOT = DATA_DIR / "media"
DAM_MAX_UPLOAD_MB = env_int("DAM_MAX_UPLOAD_MB", 2048)
DAM_MAX_UPLOAD_BYTES = DAM_MAX_UPLOAD_MB * 1024 * 1024
# The largest vocabulary file an import reads, after gunzip: rdflib holds the whole graph in memory.
DAM_VOCABULARY_MAX_MB = env_int("DAM_VOCABULARY_MAX_MB", 512)
# Below Pillow's own bomb limit (89.5 MP warns, 179 MP errors): a 24 MP camera
# file is normal, 250 MP panoramas are not what this DAM renders by default.
DAM_MAX_IMAGE_PIXELS = env_int("DAM_MAX_IMAGE_PIXELS", 178_956_970)
# Zip/tar uploads: limits against zip bombs (entries, total unpacked size, compression ratio per entry).
DAM_ARCHIVE_MAX_ENTRIES = env_int("DAM_ARCHIVE_MAX_ENTRIES", 10_000)
DAM_ARCHIVE_MAX_TOTAL_BYTES = env_int("DAM_ARCHIVE_MAX_TOTAL_MB", 4 * DAM_MAX_UPLOAD_MB) * 1024 * 1024
DAM_ARCHIVE_MAX_RATIO = env_int("DAM_ARCHIVE_MAX_RATIO", 200)
# An archive sent through the upload page or the batch API with more files than this is unpacked by
# background jobs (progress on the batch report) instead of while its sender waits.
DAM_ARCHIVE_INLINE_ENTRIES = env_int("DAM_ARCHIVE_INLINE_ENTRIES", 100)
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "tmp"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The CSRF refusal in the site's own words, and as JSON under /api/.
CSRF_FAILURE_VIEW = "dam.views.csrf_failure"
for _directory in (DATA_DIR, MEDIA_ROOT, FILE_UPLOAD_TEMP_DIR):
    _directory.mkdir(parents=True, exist_ok=True)

_s3_bucket = env_str("DAM_S3_BUCKET")
# Media are never served from a public URL: there is no MEDIA_URL route, and S3
# objects are private, reached only through short-lived presigned URLs that the
# permission-checked download view hands out.
_media_storage: dict = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": MEDIA_ROOT, "base_url": None, "file_permissions_mode": 0o640},
}
if _s3_bucket:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            "endpoint_url": env_url("DAM_S3_ENDPOINT_URL", schemes=("http", "https")),
            "region_name": env_str("DAM_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("DAM_S3_URL_EXPIRE_SECONDS", 300),
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# The archive storage tier (docs/tier.md): where archiving moves an asset's originals. A folder, or a
# second bucket (with a storage class that still reads at once) on the same endpoint and credentials.
# Neither set: no tier, archiving only hides.
ARCHIVE_S3_STORAGE_CLASSES = ("STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR")


def _archive_storage() -> dict | None:
    folder, bucket = env_str("DAM_ARCHIVE_DIR"), env_str("DAM_ARCHIVE_S3_BUCKET")
    storage_class = env_str("DAM_ARCHIVE_S3_STORAGE_CLASS").upper()
    if folder and bucket:
        raise ImproperlyConfigured("Set DAM_ARCHIVE_DIR or DAM_ARCHIVE_S3_BUCKET, not both: the archive tier is "
                                   "one place.")
    if storage_class and not bucket:
        raise ImproperlyConfigured("DAM_ARCHIVE_S3_STORAGE_CLASS needs DAM_ARCHIVE_S3_BUCKET.")
    if storage_class and storage_class not in ARCHIVE_S3_STORAGE_CLASSES:
        # GLACIER and DEEP_ARCHIVE objects cannot be read without a restore request that takes hours.
        raise ImproperlyConfigured(f"DAM_ARCHIVE_S3_STORAGE_CLASS must be one of "
                                   f"{', '.join(ARCHIVE_S3_STORAGE_CLASSES)}; got {storage_class!r}")
    if folder:
        location = env_path("DAM_ARCHIVE_DIR", DATA_DIR / "archive")
        if location == MEDIA_ROOT.resolve() or MEDIA_ROOT.resolve() in location.parents:
            raise ImproperlyConfigured(f"DAM_ARCHIVE_DIR must be a folder outside the media folder; got {location}")
        return {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": location, "base_url": None, "file_permissions_mode": 0o640}}
    if bucket:
        if bucket == _s3_bucket:
            raise ImproperlyConfigured("DAM_ARCHIVE_S3_BUCKET must be another bucket than DAM_S3_BUCKET.")
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": env_url("DAM_S3_ENDPOINT_URL", schemes=("http", "https")),
            "region_name": env_str("DAM_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("DAM_S3_URL_EXPIRE_SECONDS", 300),
            # The tier keeps each original under its own key: a resumed move writes the same key again.
            "file_overwrite": True,
            "object_parameters": {"StorageClass": storage_class} if storage_class else {},
        }}
    return None


_archive = _archive_storage()
if _archive is not None:
    STORAGES["archive"] = _archive
if TESTING or DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_MANIFEST_STRICT = False  # a missing static file is a 404, never a 500
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# --- cache (failed-attempt counters) --------------------------------------------
# Shared by every process on the machine: a file cache under DAM_DATA_DIR (Redis when scaled out, #29).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"} if TESTING else {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(DATA_DIR / "cache")}}

# --- content analysis (analysis app, docs/analysis.md) ----------------------------
# The analysers run after each upload, in this order; each one is shown as off while its package
# (requirements-ai.txt) is missing. Tests switch them on where they test them: each reads every
# file a test uploads, which would slow the whole suite.
DAM_ANALYSERS = env_list("DAM_ANALYSERS", [] if TESTING else ["labels", "ocr", "faces", "barcodes", "transcript"])
# What an analyser reads at most; over it the version's record says "skipped" and why.
DAM_ANALYSIS_MAX_MEGAPIXELS = env_int("DAM_ANALYSIS_MAX_MEGAPIXELS", 80)
DAM_ANALYSIS_MAX_PAGES = env_int("DAM_ANALYSIS_MAX_PAGES", 20)
DAM_ANALYSIS_MAX_MINUTES = env_int("DAM_ANALYSIS_MAX_MINUTES", 20)
# Metadata fields holding product codes: a barcode read in a photo that equals one links the photo to that asset.
DAM_PRODUCT_CODE_FIELDS = env_list("DAM_PRODUCT_CODE_FIELDS", ["sku", "gtin", "ean", "upc"])

# --- background jobs ----------------------------------------------------------
_redis_url = env_url("DAM_REDIS_URL", schemes=("redis", "rediss"))
# Automation rules set off by other rules' actions stop after this many in a row (docs/automation.md).
DAM_AUTOMATION_MAX_CHAIN = env_int("DAM_AUTOMATION_MAX_CHAIN", 5, minimum=1)
# A rule on a schedule acts on at most this many assets each time it runs; the rest wait for its next time.
DAM_AUTOMATION_SCHEDULE_MAX_ASSETS = env_int("DAM_AUTOMATION_SCHEDULE_MAX_ASSETS", 500, minimum=1)
Q_CLUSTER: dict = {
    "name": "dam",
    "workers": env_int("DAM_WORKERS", 2),
    # Media jobs can be slow but must never run forever: a task is killed after
    # `timeout`, retried only after `retry` (> timeout, or it runs twice at once),
    # and given up after a few attempts instead of django-q2's "forever".
    "timeout": 300,
    "retry": 360,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 500,
    "label": "Background jobs",
    "sync": env_bool("DAM_SYNC_TASKS", TESTING),
}
if _redis_url:
    Q_CLUSTER["redis"] = _redis_url
else:
    Q_CLUSTER["orm"] = "default"
    # The ORM broker, woken through a local socket as soon as a job is queued (dam/jobs.py).
    Q_CLUSTER["broker_class"] = "dam.jobs.WakingORMBroker"
    # How long it sleeps when the queue is empty and no wake-up comes: only jobs queued from
    # another machine and retries wait for it. One cheap indexed query per poll.
    Q_CLUSTER["poll"] = env_int("DAM_QUEUE_POLL_MS", 250, minimum=10) / 1000

# --- retention (archive.retention) -----------------------------------------------
# A rule whose dry run would act on more assets than this needs a second confirmation to be enabled.
DAM_RETENTION_CONFIRM_OVER = env_int("DAM_RETENTION_CONFIRM_OVER", 100, minimum=0)
# Days an asset stays in the bin (restorable by an admin) before the daily job purges it for good.
DAM_BIN_GRACE_DAYS = env_int("DAM_BIN_GRACE_DAYS", 30, minimum=0)

# --- analytics -------------------------------------------------------------------
# Searches are recorded without the searcher unless this is on (the search reports then can say who).
DAM_ANALYTICS_RECORD_SEARCH_USERS = env_bool("DAM_ANALYTICS_RECORD_SEARCH_USERS", False)
# Recorded searches older than this many days are deleted by a daily job.
DAM_SEARCH_EVENTS_KEEP_DAYS = env_int("DAM_SEARCH_EVENTS_KEEP_DAYS", 730)

# --- email --------------------------------------------------------------------
_email_url = env_url("EMAIL_URL", schemes=("smtp", "smtps", "smtp+tls", "console"))
DEFAULT_FROM_EMAIL = env_str("DAM_FROM_EMAIL", "dam@localhost")
# Where people reach this DAM, for links in e-mails sent by background jobs (no request to ask).
DAM_BASE_URL = (env_url("DAM_BASE_URL", schemes=("http", "https")) or "http://127.0.0.1:8000").rstrip("/")


def env_reminder_days(name: str, default: str) -> tuple[int, ...]:
    """Days before a rights expiry to remind people, e.g. "30,7": whole numbers from 1 to 3650, largest first."""
    raw = env_str(name, default)
    try:
        days = {int(part) for part in raw.split(",") if part.strip()}
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be whole numbers of days separated by commas, e.g. 30,7; "
                                   f"got {raw!r}") from None
    if not days or not all(1 <= day <= 3650 for day in days):
        raise ImproperlyConfigured(f"{name} must list days from 1 to 3650, e.g. 30,7; got {raw!r}")
    return tuple(sorted(days, reverse=True))


# Rights expiry reminders (archive.rights): owners and collection managers hear this many days before.
DAM_RIGHTS_REMINDER_DAYS = env_reminder_days("DAM_RIGHTS_REMINDER_DAYS", "30,7")
if _email_url and not _email_url.startswith("console"):
    _e = urlparse(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _e.hostname or "localhost"
    EMAIL_PORT = _e.port or (465 if _e.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_e.username or "")
    EMAIL_HOST_PASSWORD = unquote(_e.password or "")
    EMAIL_USE_SSL = _e.scheme == "smtps"
    EMAIL_USE_TLS = _e.scheme == "smtp+tls"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- API ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.authentication.TokenScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "dam.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dam.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/min"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Outbound calls (webhooks, connections) refuse loopback, private and link-local addresses and the DAM itself,
# unless the host is listed here (host names or addresses), e.g. a receiver on the same machine in development.
DAM_WEBHOOK_ALLOW_HOSTS = env_list("DAM_WEBHOOK_ALLOW_HOSTS", [])
# The API's schema and browsable docs are for signed-in people (and tokens) unless opened to everyone.
DAM_API_DOCS_PUBLIC = env_bool("DAM_API_DOCS_PUBLIC", False)
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": ["dam.api.ApiDocsPermission"],
    "TITLE": "DAM API",
    "DESCRIPTION": "Digital asset management: ingest, describe, approve, distribute.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind`: each choice set gets a name of its own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ReleaseKindEnum": "archive.models.rights.ReleaseDocument.Kind",
        "FixityProblemKindEnum": "archive.models.fixity.FixityProblem.Kind",
    },
}

# --- security -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Behind TLS (the production setting): redirect to https, secure cookies, HSTS.
# Off by default so a plain-http loopback start (DAM_DEBUG=0 included) works.
if env_bool("DAM_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DAM_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("DAM_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DAM_LOG_LEVEL", "INFO")},
    # libvips reports every pipeline step (thread pools, resize kernels) at INFO through pyvips.
    "loggers": {"django.db.backends": {"level": "INFO"}, "pyvips": {"level": "WARNING"}},
}
