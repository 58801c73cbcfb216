"""Test settings: the real settings with fast, local, deterministic overrides."""

import os

# Tests never read a developer's .env; only the real environment (DATABASE_URL in CI).
os.environ["DJANGO_ENV_FILE"] = ""
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-secret-key-not-used-anywhere-else-0123456789-abcdefghij"
)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
# The live server speaks plain HTTP: cookies without Secure, so without "__Host-".
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")

from kontaktstelle.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Static files come from the finders; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Persistent connections would keep the live server's session open at teardown.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Tests log staff in without an authenticator; tests of two-factor login switch it on.
KONTAKTSTELLE_REQUIRE_2FA_FOR_STAFF = False
# The console shows warnings and errors only: login events at INFO would fill the CI log.
# Loggers keep their levels, so caplog still sees every record.
LOGGING["handlers"]["console"]["level"] = "WARNING"  # noqa: F405
# The public page cache is off in tests (each test's database is new, the local memory
# cache is not); tests/core/test_public_cache.py turns it on where it is the subject.
PUBLIC_PAGE_CACHE_SECONDS = 0
