"""Django settings for parkcredit: one module, driven by environment variables.

Defaults are safe for a laptop demo (SQLite in WAL mode, the database task backend, Chinese UI).
`PARKCREDIT_ENV=production` turns on the strict checks: it refuses to start with the default
secret, audit or encryption keys. Every variable read here is listed in `.env.example`.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from parkcredit.common.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PARKCREDIT_DATA_DIR", str(BASE_DIR / "var")))

PARKCREDIT_ENV = env_str("PARKCREDIT_ENV", "development")
if PARKCREDIT_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"PARKCREDIT_ENV 的值 {PARKCREDIT_ENV!r} 无效,应为 development 或 production")
PRODUCTION = PARKCREDIT_ENV == "production"

# Well-known development defaults. A production start refuses every one of them, because a
# published key would let anyone forge sessions, rewrite the audit chain or read personal data.
DEFAULT_SECRET_KEY = "parkcredit-development-only-secret-key-do-not-use-in-production"  # noqa: S105 - refused in production
DEFAULT_AUDIT_KEY = "parkcredit-development-only-audit-key"
DEFAULT_FIELD_ENCRYPTION_KEY = "000102030405060708090a0b0c0d0e0f"

SECRET_KEY = env_str("SECRET_KEY", DEFAULT_SECRET_KEY)
AUDIT_KEY = env_str("AUDIT_KEY", DEFAULT_AUDIT_KEY)
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", DEFAULT_FIELD_ENCRYPTION_KEY)
DEBUG = env_bool("DEBUG", False)
try:
    _field_key_ok = len(bytes.fromhex(FIELD_ENCRYPTION_KEY)) == 16
except ValueError:
    _field_key_ok = False
if not _field_key_ok:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 必须是 32 位十六进制字符(128 位 SM4 密钥)")

if PRODUCTION:
    for _name, _value, _default in (
        ("SECRET_KEY", SECRET_KEY, DEFAULT_SECRET_KEY),
        ("AUDIT_KEY", AUDIT_KEY, DEFAULT_AUDIT_KEY),
        ("FIELD_ENCRYPTION_KEY", FIELD_ENCRYPTION_KEY, DEFAULT_FIELD_ENCRYPTION_KEY),
    ):
        if _value == _default:
            raise ImproperlyConfigured(f"生产环境拒绝启动:{_name} 仍是公开的默认值,请设置为随机密钥")
    if DEBUG:
        raise ImproperlyConfigured("生产环境拒绝启动:DEBUG 必须为 false")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # "ninja" must be installed so its docs page serves Swagger UI from the wheel, not a CDN.
    "ninja",
    "django_tasks_db",
    "parkcredit.common",
    "parkcredit.accounts",
    "parkcredit.audit",
    "parkcredit.jobs",
    "parkcredit.enterprises",
    "parkcredit.records",
    "parkcredit.scoring",
    "parkcredit.dashboard",
    "parkcredit.demo",
    "parkcredit.codes",
    "parkcredit.notifications",
    "parkcredit.alerts",
    "parkcredit.portal",
    "parkcredit.repair",
    "parkcredit.objections",
    "parkcredit.supervision",
    "parkcredit.reports",
    "parkcredit.commitments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parkcredit.common.language.ChoiceLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "parkcredit.accounts.middleware.IdleSessionMiddleware",
    "parkcredit.common.access.AccessDeniedAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parkcredit.common.context_processors.navigation",
                "parkcredit.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'parkcredit.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite cannot create the folder of its file, and Django's start-up checks already open the
    # database, so a fresh data directory (e.g. a new PARKCREDIT_DATA_DIR) is made here.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the task worker writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=15000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 15,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks ------------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- Accounts and sessions (等保 level 3: CES1-01, CES1-02) --------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("PASSWORD_MIN_LENGTH", 8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "parkcredit.accounts.passwords.CharacterClassValidator"},
]
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 1800)
# 等保 expects periodic password change; 0 turns the rotation off (ASVS 5.0 advises against it).
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
SESSION_COOKIE_AGE = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- HTTP security --------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
# The reverse proxy's own address. `parkcredit serve` then takes the visitor's address from that
# proxy's X-Forwarded-For (and only from it), so lock-out and audit see visitors, not the proxy.
TRUSTED_PROXY = env_str("TRUSTED_PROXY", "")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # ECharts and Tabler set element styles; styles cannot exfiltrate data the way scripts can.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Internationalisation: Chinese first, stored in UTC, shown in Beijing time ---------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (vendored, served by WhiteNoise; no CDN on a closed government network) --------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# --- Platform -----------------------------------------------------------------------------------
PARK_NAME = env_str("PARK_NAME", "示范先进制造业开发区")
# The platform's public address (e.g. https://credit.example.gov.cn) for everything that leaves it:
# QR codes, printed reports, links in e-mails and robot messages. Empty: the requester's address.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "")
# Where full scoring runs execute: auto/duckdb (in-process DuckDB over an extract), postgres
# (the compiled SQL inside PostgreSQL), reference (the pure-Python oracle; slow, for checks).
SCORING_ENGINE = env_str("SCORING_ENGINE", "auto")
if SCORING_ENGINE not in {"auto", "duckdb", "postgres", "reference"}:
    raise ImproperlyConfigured(
        f"SCORING_ENGINE 的值 {SCORING_ENGINE!r} 无效,应为 auto、duckdb、postgres 或 reference"
    )
# Largest file accepted by the import upload page (bytes); larger files go through the CLI.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
# Enterprise codes (一企一码): the park's SM2 private key signs every code token. Outside
# production a missing key file is generated on first use; production refuses to start without
# it (checked when the codes app loads, see parkcredit/codes/keys.py).
CODE_SIGNING_KEY_FILE = Path(
    env_str("CODE_SIGNING_KEY_FILE", str(DATA_DIR / "keys" / "code-signing-sm2.pem"))
)
# Public key for `parkcredit code verify` on a machine without the private key; empty: the
# public half of CODE_SIGNING_KEY_FILE.
CODE_VERIFY_KEY_FILE = env_str("CODE_VERIFY_KEY_FILE", "")
# How long a newly issued code is valid (days); a grade change re-issues it earlier.
CODE_VALIDITY_DAYS = env_int("CODE_VALIDITY_DAYS", 365)

# --- Notifications: e-mail (SMTP) and group-robot webhooks ---------------------------------------
# Django 6.1 configures mail through MAILERS; the env var names stay the familiar EMAIL_* ones.
_mail_backend = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
_mail_options: dict[str, object] = {}
if _mail_backend == "django.core.mail.backends.smtp.EmailBackend":
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "parkcredit@localhost")
# Robot webhooks go only to these hosts, so a subscription cannot make the server call internal addresses.
NOTIFY_WEBHOOK_HOSTS = env_list("NOTIFY_WEBHOOK_HOSTS", ["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
NOTIFY_WEBHOOK_TIMEOUT = env_int("NOTIFY_WEBHOOK_TIMEOUT", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
