"""Production settings: `manage.py check --deploy` is clean, and unsafe configuration
is refused."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    for key in (
        "DEBUG",
        "SECRET_KEY",
        "SECURE_HTTPS",
        "ALLOWED_HOSTS",
        "MAP_TILE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        base.pop(key, None)
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="trygg.settings",
        SECRET_KEY="k7#Gq2v!x9RmT4pWz8sLdF3hJ6nYcB1eA5uK0oQ-iVbN_tMwXyZ",
        ALLOWED_HOSTS="trygg.upplands-bro.se",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="trygg.settings")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_oidc_settings_must_be_complete():
    result = run_manage(
        "check",
        DJANGO_SETTINGS_MODULE="trygg.settings",
        SECRET_KEY="x" * 50,
        OIDC_RP_CLIENT_ID="trygg",
    )
    assert result.returncode != 0
    assert "OIDC_RP_CLIENT_SECRET" in result.stderr
