"""Trygg settings: one module, every knob from the environment (12-factor).

The table below is the complete list of environment variables Trygg reads, with their
defaults. The defaults are the safe production ones: DEBUG off, HTTPS-only cookies,
HSTS, a strict Content-Security-Policy. `make demo` and the test settings relax exactly
the ones that need relaxing on a developer's machine, and say so.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --------------------------------------------------------------------------------------
# Environment table
# --------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Behind TLS (the production case). Turn off only for plain-http local use (make demo).
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG)
# Set when a reverse proxy terminates TLS and sends X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER_ENABLED = env_bool("SECURE_PROXY_SSL_HEADER", False)
# The reverse proxies (addresses or networks) whose X-Forwarded-For names the client;
# from any other peer the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Where the embedded database, uploaded files and collected static files live unless set
# one by one below: var/ in a source checkout, else var/ in the working directory (an
# installed package never writes into site-packages).
DATA_DIR = Path(
    env_str(
        "DATA_DIR",
        str((BASE_DIR if (BASE_DIR / "manage.py").exists() else Path.cwd()) / "var"),
    )
)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'trygg.sqlite3'}")
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
TIME_ZONE = env_str("TIME_ZONE", "Europe/Stockholm")
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "sv")
# Background map tiles. Empty: no background layer (areas still draw). The URL's host is
# added to the Content-Security-Policy's img-src.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
# E-mail
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "trygg@localhost")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Login throttling (django-axes): lock a username+IP pair after this many failures.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
# Optional single sign-on (OpenID Connect). Enabled when OIDC_RP_CLIENT_ID is set.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "Single sign-on")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# Background work (imports, documents, reminders): Django's task framework (the
# django-tasks backport) with its database backend — no extra server. Run the worker with
# `python manage.py db_worker`; `make demo` starts one beside the web server.
TASKS_BACKEND = env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
# Upper bound for an uploaded import file.
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 200)
# Photos (public reports, walk findings): upper bound of an upload, longest side kept.
PHOTO_MAX_MB = env_int("PHOTO_MAX_MB", 15)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 2048)
# A photo's pixel count is checked from its header before decoding (decompression bombs).
PHOTO_MAX_MEGAPIXELS = env_int("PHOTO_MAX_MEGAPIXELS", 40)
# A background job still "running" after this long was left by a worker that died with its
# supervisor: another worker's supervisor queues it again (trygg.core.jobs.reclaim_expired).
# Longer than the longest job; minutes, fractions allowed.
JOB_LEASE_MINUTES = env_float("JOB_LEASE_MINUTES", 120)
# Cases: a resident's e-mail is erased this many days after the case closed (PRIVACY §2).
CASE_EMAIL_RETENTION_DAYS = env_int("CASE_EMAIL_RETENTION_DAYS", 90)
# Invitations by e-mail: how many days the one-time link works.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7)
# Possible duplicates: same category within this many metres and days.
CASE_DUPLICATE_RADIUS_M = env_int("CASE_DUPLICATE_RADIUS_M", 50)
CASE_DUPLICATE_DAYS = env_int("CASE_DUPLICATE_DAYS", 60)
# Public reports per client address and hour; Open311 requests per key and minute.
PUBLIC_REPORTS_PER_HOUR = env_int("PUBLIC_REPORTS_PER_HOUR", 10)
# Password-reset e-mails per account and hour (three times as many per client address).
PASSWORD_RESETS_PER_HOUR = env_int("PASSWORD_RESETS_PER_HOUR", 3)
OPEN311_REQUESTS_PER_MINUTE = env_int("OPEN311_REQUESTS_PER_MINUTE", 60)
# The municipality the public pages and Open311 serve by default (its SCB code); empty:
# the only municipality of the installation.
PUBLIC_MUNICIPALITY = env_str("PUBLIC_MUNICIPALITY")
# The public site's address, for links in e-mails and Open311 (e.g. https://trygg.kommun.se).
# Unset: this machine on the port the app serves (PORT, as make demo sets it).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}")
# The police's public events feed, followed by the municipalities that turn it on: its
# address (https://, or a file:// recording for a demo), how often it is polled (minutes)
# and how long one request may take (seconds). Never two requests within 10 s.
POLICE_FEED_URL = env_str("POLICE_FEED_URL", "https://polisen.se/api/events")
POLICE_FEED_INTERVAL_MINUTES = env_int("POLICE_FEED_INTERVAL_MINUTES", 10)
POLICE_FEED_TIMEOUT = env_int("POLICE_FEED_TIMEOUT", 30)
# Serious-event alerts: events older than this (hours) when they arrive are not alerted;
# at most this many alert e-mails per organisation and hour (the rest wait for the next
# poll); an update to an alert is sent at most this often (minutes).
ALERT_MAX_AGE_HOURS = env_int("ALERT_MAX_AGE_HOURS", 48)
ALERTS_PER_ORGANISATION_PER_HOUR = env_int("ALERTS_PER_ORGANISATION_PER_HOUR", 6)
ALERT_UPDATE_MINUTES = env_int("ALERT_UPDATE_MINUTES", 30)
# --------------------------------------------------------------------------------------

if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-used-with-DEBUG=1"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (for example: python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'). Only DEBUG=1 runs without one."
        )

OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
        )
        if not globals()[name]
    ]
    if OIDC_RP_SIGN_ALGO.startswith("RS") and not OIDC_OP_JWKS_ENDPOINT:
        missing.append("OIDC_OP_JWKS_ENDPOINT")
    if missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set but {', '.join(missing)} is not")

INSTALLED_APPS = [
    # First, so that its templates (registration/*.html) win over django.contrib.admin's.
    "trygg.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "trygg.core",
    "trygg.incidents",
    "trygg.assessment",
    "trygg.surveys",
    "trygg.documents",
    "trygg.cases",
    "trygg.walks",
    "trygg.plan",
    "trygg.est",
    "trygg.live",
    "trygg.setup",
    "trygg.regions",
    # Django's form widget templates, found by the project's engine (FORM_RENDERER below).
    "django.forms",
]
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")

MIDDLEWARE = [
    # First: every later step (audit, login lockout, rate limits) sees the client.
    "trygg.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the session is read: a read-only request reads it from a replica too.
    "trygg.core.dbrouter.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "trygg.web.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trygg.core.middleware.RequestSizeMiddleware",
    "trygg.core.middleware.ActiveMembershipMiddleware",
    "trygg.core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trygg.urls"
WSGI_APPLICATION = "trygg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trygg.web.context_processors.shell",
            ],
        },
    },
]

# Widgets render through the project's templates, so that trygg/web can override one: the
# empty choice of a select says "Välj …", not Django's "---------".
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# Read replicas (PostgreSQL streaming replicas): read-only requests go to one of them
# (trygg.core.dbrouter); a client that wrote reads from the primary for a short while.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
READ_YOUR_WRITES_SECONDS = env_float("READ_YOUR_WRITES_SECONDS", 10.0)
REPLICA_READ_PATHS = env_list(
    "REPLICA_READ_PATHS", ["/lagesbild/", "/region/", "/api/v1/", "/trygghet/"]
)
# "pgbouncer": the connections go through PgBouncer in transaction mode — no server-side
# cursors and no prepared statements (a transaction may land on another server connection).
DATABASE_POOLER = env_str("DATABASE_POOLER")
for _k, _url in enumerate(DATABASE_REPLICA_URLS):
    DATABASES[f"replica_{_k}"] = dj_database_url.parse(_url, conn_max_age=60) | {
        # Tests run against the primary's test database; the live tests start real replicas.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["trygg.core.dbrouter.ReplicaRouter"] if DATABASE_REPLICA_URLS else []
for _alias, _db in DATABASES.items():
    if _db["ENGINE"] != "django.db.backends.postgresql":
        continue
    _db.setdefault("OPTIONS", {})["application_name"] = env_str(
        "DATABASE_APPLICATION_NAME", "trygg"
    ) + ("" if _alias == "default" else f" ({_alias})")
    if DATABASE_POOLER == "pgbouncer":
        _db["DISABLE_SERVER_SIDE_CURSORS"] = True
        _db["OPTIONS"]["prepare_threshold"] = None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL + a busy timeout keeps the embedded default usable by the web server
        # and the task worker at the same time.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses authentication while a username/IP pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("trygg.web.oidc.TryggOIDCBackend")
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = LOGIN_COOLOFF_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Login records (user name, address, browser) are purged after this many days.
LOGIN_RECORDS_RETENTION_DAYS = env_int("LOGIN_RECORDS_RETENTION_DAYS", 30)

LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "trygg" / "locale"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
# Uploaded files (photos, imports, documents): the local folder MEDIA_ROOT — on several app
# servers a shared one (NFS) — or S3-compatible object storage through django-storages
# (MEDIA_STORAGE=s3; pip install 'trygg[s3]'; AWS_* variables below; docs/deployment.md).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif MEDIA_STORAGE == "filesystem":
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("MEDIA_STORAGE is 'filesystem' or 's3'.")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
LANGUAGE_COOKIE_SECURE = SECURE_HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_PROXY_SSL_HEADER_ENABLED:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


def _tile_origin(url: str) -> list[str]:
    if not url.startswith("https://"):
        return []
    host = url.split("/")[2].replace("{s}.", "*.")
    return [f"https://{host}"]


# No inline scripts, no inline styles, nothing from other origins except map tiles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origin(MAP_TILE_URL)],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if OIDC_ENABLED:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        "/".join(OIDC_OP_AUTHORIZATION_ENDPOINT.split("/")[:3])
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}

# The municipality-wide defaults of Trygg itself.
TRYGG = {
    # Counts below this are shown as "<5" in every public output (docs/privacy.md §3).
    "PUBLIC_MIN_COUNT": 5,
}
