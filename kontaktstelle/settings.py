"""Settings for Kontaktstelle, read from the environment (see .env.example and README).

With nothing set, the app is secure: debug is off, HTTPS-only cookies and HSTS are on,
and it refuses to start without a real secret key.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kontaktstelle.env import env_bool, env_int, env_list, env_str, read_env_file

BASE_DIR = Path(__file__).resolve().parent.parent

# A local .env (created by `make run` from .env.example) fills in what the real
# environment leaves unset. DJANGO_ENV_FILE="" disables it (the tests do this).
_env_file = env_str("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    read_env_file(Path(_env_file))

DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
_EXAMPLE_SECRET_KEY_PREFIX = "dev-only-"  # noqa: S105 - a refused prefix  # nosec B105
if not DEBUG and (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith(("django-insecure", _EXAMPLE_SECRET_KEY_PREFIX))
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is missing or too weak, and debug is off. Set it to a random "
        "value of at least 50 characters, for example the output of: "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))". '
        "For trying the app locally, run `make run`, which creates .env with debug on."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "kontaktstelle.apps.KontaktstelleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "kontaktstelle",
    "groups",
    "starters",
]

MIDDLEWARE = [
    "kontaktstelle.web.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kontaktstelle.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kontaktstelle.web.middleware.NoStoreForUsersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kontaktstelle.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kontaktstelle.accounts.sessions.SessionLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kontaktstelle.accounts.two_factor.TwoFactorMiddleware",
    "kontaktstelle.accounts.security_log.SecurityLogMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so that it is the first to see a view's exception (a database outage: 503).
    "kontaktstelle.web.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "kontaktstelle.urls"
WSGI_APPLICATION = "kontaktstelle.wsgi.application"

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
                "kontaktstelle.web.context_processors.navigation",
                "groups.context_processors.inbox",
            ],
        },
    },
]

(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer is reported after a few seconds (a 503 page),
    # instead of holding the worker until the operating system gives up.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DJANGO_DB_CONNECT_TIMEOUT", 5
    )
    # No just-in-time compilation: the app's queries are short, and a large table's high
    # cost estimates made PostgreSQL spend 220 ms compiling a 50 ms query (the volunteer's
    # own area at national scale). Measured in `make bench`.
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The directory's search index covers (term, group) and includes the weight on
# PostgreSQL; SQLite, the try-it-out database, builds it without the included column.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

_redis_url = env_str("REDIS_URL")
# Redis fails open (kontaktstelle/cache.py): with short timeouts, a dead or frozen Redis
# costs one timeout per process every KONTAKTSTELLE_CACHE_RETRY_SECONDS, not one per request.
CACHES = {
    "default": (
        {
            "BACKEND": "kontaktstelle.web.cache.ResilientRedisCache",
            "LOCATION": _redis_url,
            "OPTIONS": {
                "socket_connect_timeout": env_int("REDIS_CONNECT_TIMEOUT_MS", 50) / 1000,
                "socket_timeout": env_int("REDIS_SOCKET_TIMEOUT_MS", 50) / 1000,
            },
        }
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
KONTAKTSTELLE_CACHE_RETRY_SECONDS = env_int("KONTAKTSTELLE_CACHE_RETRY_SECONDS", 5)

# Seconds that anonymous visitors' directory pages are kept (kontaktstelle/public_cache.py).
# On by default only with Redis: every app process must see when the groups change.
PUBLIC_PAGE_CACHE_SECONDS = env_int(
    "KONTAKTSTELLE_PUBLIC_PAGE_CACHE_SECONDS", 300 if _redis_url else 0
)

AUTH_USER_MODEL = "kontaktstelle.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home_for_user"
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
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# Invitations of new users (starters) to set their first password.
INVITATION_VALID_DAYS = env_int("KONTAKTSTELLE_INVITATION_VALID_DAYS", 7)
# Kilometre allowance for starters' journeys, in cents per km (30 = 0.30 EUR).
KONTAKTSTELLE_TRAVEL_EURO_PER_KM = env_int("KONTAKTSTELLE_TRAVEL_CENTS_PER_KM", 30) / 100
# The yearly check of each group's entry (Datenabgleich): how often a group confirms its
# data, whether its contact person is e-mailed a link for it (a self-service page), how
# long a link works, and the days between the first e-mail and each of two reminders.
CONFIRMATION_DAYS = env_int("KONTAKTSTELLE_CONFIRMATION_DAYS", 365)
VERIFICATION_EMAILS = env_bool("KONTAKTSTELLE_VERIFICATION_EMAILS", True)
VERIFICATION_LINK_DAYS = env_int("KONTAKTSTELLE_VERIFICATION_LINK_DAYS", 14)
# The follow-up of a referral to groups: days after the consultation its one e-mail goes
# out (with the person's consent); the address is kept at most RETENTION_DAYS below.
REFERRAL_FOLLOW_UP_DAYS = env_int("KONTAKTSTELLE_REFERRAL_FOLLOW_UP_DAYS", 28)
# Links in e-mails sent without a request (reminders from `send_reminders`).
SITE_URL = env_str("KONTAKTSTELLE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many days personal data is kept (`apply_retention`; the README's data protection part).
RETENTION_DAYS = {
    # A web request's name, contact data and message: after it was answered ...
    "inquiry_answered": env_int("KONTAKTSTELLE_RETAIN_INQUIRY_DAYS", 183),
    # ... or, when nobody marked it answered, after it arrived.
    "inquiry_unanswered": env_int("KONTAKTSTELLE_RETAIN_UNANSWERED_INQUIRY_DAYS", 365),
    "process_note": env_int("KONTAKTSTELLE_RETAIN_PROCESS_NOTE_DAYS", 3 * 365),
    # Who asked for an accompaniment, after it ended.
    "accompaniment_requester": env_int("KONTAKTSTELLE_RETAIN_REQUESTER_DAYS", 3 * 365),
    "notification": env_int("KONTAKTSTELLE_RETAIN_NOTIFICATION_DAYS", 365),
    "invitation": env_int("KONTAKTSTELLE_RETAIN_INVITATION_DAYS", 90),
    # The monthly counts of searches without result, from the first day of their month.
    "missed_search": env_int("KONTAKTSTELLE_RETAIN_MISSED_SEARCH_DAYS", 396),
    # The address for a referral's follow-up, from the consultation, when not answered.
    "referral_follow_up": env_int("KONTAKTSTELLE_RETAIN_FOLLOW_UP_ADDRESS_DAYS", 56),
    # Applications as In-Gang-Setzer:in not accepted: after the refusal or their last step.
    "application": env_int("KONTAKTSTELLE_RETAIN_APPLICATION_DAYS", 183),
}

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Berlin"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", default=True)
# Seconds an SMTP server may take to answer; a slow or dead one never loses an e-mail:
# what cannot be sent stays in the outbox and is retried (kontaktstelle/outbox.py).
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 5)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "kontaktstelle@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The office shown on the public start page; the first office when unset.
PUBLIC_OFFICE_SLUG = env_str("KONTAKTSTELLE_PUBLIC_OFFICE")

# Transport security: on unless debug is on. Behind a reverse proxy that terminates
# TLS, set DJANGO_TRUST_X_FORWARDED_PROTO=true and make the proxy set that header.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# With secure cookies, the "__Host-" prefix makes browsers refuse these cookies unless
# they come over HTTPS for this host only (Secure, Path=/, no Domain), so a subdomain
# or a plain-HTTP page cannot plant a session or CSRF token.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
if env_bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every response (kontaktstelle.web.middleware; the shape of
# Django 6.0's setting). Only this site's own files: no inline scripts, styles or
# event handlers anywhere; data: images for Bootstrap's SVG icons in its CSS.
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# Login and sessions (README: "Login and sessions").
AUTHENTICATION_BACKENDS = ["kontaktstelle.accounts.login_security.LoginBackend"]
# Failed logins: 5 for one e-mail address from one IP address, or 20 from one IP
# address, within 15 minutes lock that pair or that IP for 15 minutes.
AXES_HANDLER = "kontaktstelle.accounts.login_security.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = 5
KONTAKTSTELLE_LOGIN_FAILURE_LIMIT_PER_IP = 20
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
# Attempts during a lock do not prolong it: a user retrying cannot lock themselves out.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "kontaktstelle.accounts.login_security.login_username"
AXES_CLIENT_IP_CALLABLE = "kontaktstelle.web.clients.client_ip"
AXES_LOCKOUT_CALLABLE = "kontaktstelle.accounts.login_security.lockout_response"
# Logins are logged to "kontaktstelle.security"; no table of every login and its IP.
AXES_DISABLE_ACCESS_LOG = True
# Behind a reverse proxy: the client's IP address is the last one in X-Forwarded-For.
KONTAKTSTELLE_TRUST_X_FORWARDED_FOR = env_bool("KONTAKTSTELLE_TRUST_X_FORWARDED_FOR", default=False)
# Two-factor login (authenticator app); required for staff, office admins, operators.
KONTAKTSTELLE_REQUIRE_2FA_FOR_STAFF = env_bool("KONTAKTSTELLE_REQUIRE_2FA_FOR_STAFF", default=True)
OTP_TOTP_ISSUER = "Kontaktstelle"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A login ends after this long without a request, and in any case after the maximum.
KONTAKTSTELLE_SESSION_IDLE_MINUTES = env_int("KONTAKTSTELLE_SESSION_IDLE_MINUTES", 30)
KONTAKTSTELLE_SESSION_MAX_HOURS = env_int("KONTAKTSTELLE_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = KONTAKTSTELLE_SESSION_MAX_HOURS * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
