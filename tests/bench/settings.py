"""Settings of the benchmark: the project's own settings as in production, debug off.

What differs, and why:
- the database is one of the benchmark's own (``DATABASE_URL`` is set by
  ``python -m tests.bench`` for each scale; any other is refused);
- a developer's ``.env`` is not read (it turns debug on and points to SQLite), so only
  the real environment counts, e.g. ``REDIS_URL`` for the Redis cache;
- plain HTTP on loopback, as behind a proxy that terminates TLS: no redirect to HTTPS,
  cookies without "Secure";
- the test client's host "testserver" is allowed, and the URLconf adds the baseline view;
- the cache keys carry the database's name, so that a shared Redis never mixes two
  databases (two scales, or two copies under another ``BENCH_DATABASE_URL``);
- the client's address is the last one in X-Forwarded-For, as behind a proxy: the load
  run's API clients come from many addresses, each under the API's hourly limit;
- the public page cache is on even without Redis (``make bench`` passes a Redis on
  127.0.0.1 by default): the data does not change while it is measured.
"""

import os
import secrets

from django.core.exceptions import ImproperlyConfigured

os.environ["DJANGO_ENV_FILE"] = ""
os.environ["DJANGO_DEBUG"] = "false"
# Set in the environment, so that gunicorn's workers started from here share it.
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
os.environ["DJANGO_SECURE_COOKIES"] = "false"
if "bench" not in os.environ.get("DATABASE_URL", ""):
    raise ImproperlyConfigured(
        "The benchmark runs on its own databases only; start it with `make bench`."
    )

from kontaktstelle.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
CACHES["default"]["KEY_PREFIX"] = DATABASES["default"]["NAME"]  # noqa: F405
KONTAKTSTELLE_TRUST_X_FORWARDED_FOR = True
PUBLIC_PAGE_CACHE_SECONDS = 300
# Login events at INFO would print a line per persona; warnings and errors still show.
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
