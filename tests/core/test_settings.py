import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kontaktstelle.env import env_bool, env_int, env_list, read_env_file

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x7Q9pLm2Zr8vT4nW6yB1cD5fG0hJ3kS" * 2

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "kontaktstelle.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://kontaktstelle.example.org",
    "DJANGO_TRUST_X_FORWARDED_PROTO": "true",
    "DATABASE_URL": "sqlite:///:memory:",
}


def run_manage(*args, env):
    """Run manage.py in a clean environment: nothing from this process or a .env leaks in."""
    clean = {"PATH": os.environ["PATH"], "DJANGO_ENV_FILE": "", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_env_bool_accepts_common_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", default=False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", default=True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True


def test_env_bool_rejects_malformed_value(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='ture' is not a boolean"):
        env_bool("DJANGO_DEBUG", default=False)


def test_env_int_rejects_malformed_value(monkeypatch):
    monkeypatch.setenv("PORT", "58x")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("PORT", 1)


def test_env_list_splits_and_strips(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example , b.example,, ")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_env_file_fills_only_unset_variables(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text('# comment\nKS_A="from file"\nKS_B=from file\n\nexport KS_C=3\n')
    monkeypatch.setenv("KS_B", "from environment")
    monkeypatch.delenv("KS_A", raising=False)
    monkeypatch.delenv("KS_C", raising=False)
    read_env_file(env_file)
    assert os.environ["KS_A"] == "from file"
    assert os.environ["KS_B"] == "from environment"
    assert os.environ["KS_C"] == "3"
    for name in ("KS_A", "KS_C"):
        monkeypatch.delenv(name)


def test_env_file_rejects_malformed_line(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("JUST SOME TEXT\n")
    with pytest.raises(ImproperlyConfigured, match=r"\.env:1: expected KEY=VALUE"):
        read_env_file(env_file)


def test_without_configuration_the_app_refuses_to_start_and_says_how_to_fix_it():
    result = run_manage("check", env={})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing or too weak, and debug is off" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr


def test_the_example_development_key_is_refused_with_debug_off():
    env = {"DJANGO_SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_when_nothing_sets_it():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env={"DJANGO_SECRET_KEY": STRONG_KEY},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_deploy_check_is_clean_under_the_documented_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
