"""Real processes against the test database: races between servers (PostgreSQL only)."""

import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def database_url():
    """The test database as a DATABASE_URL, for processes started by a test."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{db['NAME']}"


def run_at_once(script, extra_env=None, count=2):
    """Run ``script`` in ``count`` Python processes that start its work at the same moment
    (it gets that moment as ``sys.argv[1]``); returns their (stdout, stderr), each having
    exited 0. They use the production settings on the test database."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "kontaktstelle.settings",
        "DJANGO_ENV_FILE": "",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url(),
        "DJANGO_DB_CONN_MAX_AGE": "0",
        "PYTHONPATH": str(BASE_DIR),
        **(extra_env or {}),
    }
    env.pop("REDIS_URL", None)
    start_at = time.time() + 3
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(start_at)],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    return outputs
