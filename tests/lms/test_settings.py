"""Production mode refuses to start half-configured and passes Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.certification.certificates.keys import new_pem

ROOT = Path(__file__).resolve().parents[2]
SIGNING_KEY = new_pem()
PRODUCTION = {
    "KOMEK_ENV": "production",
    "SECRET_KEY": "a-production-secret-key-that-is-long-enough-and-random-4f9b2c7d1e8a",
    "ALLOWED_HOSTS": "komek.example.org",
    "SITE_URL": "https://komek.example.org",
    "CREDENTIAL_SIGNING_KEY": SIGNING_KEY,
    "CACHE_URL": "redis://127.0.0.1:6379/14",
}


def manage(*args, **env_overrides):
    env = {**os.environ, **env_overrides}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set while browser tests run; never in deployment
    for name, value in env_overrides.items():
        if value is None:
            env.pop(name)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "CREDENTIAL_SIGNING_KEY"]
)
def test_production_refuses_to_start_without_required_settings(missing):
    result = manage("check", **{**PRODUCTION, missing: None})

    assert result.returncode != 0
    assert f"{missing} must be set when KOMEK_ENV=production" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_settings_would_fail_the_deployment_checks():
    """Guards the test above: the checks do find something when security settings are off."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", KOMEK_ENV="development")

    assert result.returncode != 0


def test_demo_content_is_refused_in_production():
    result = manage("seed_demo", **PRODUCTION)

    assert result.returncode != 0
    assert "development only" in result.stderr


def test_production_without_a_shared_cache_is_flagged():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "CACHE_URL": None}
    )

    assert result.returncode != 0
    assert "komek.W001" in result.stderr


def test_in_development_certificates_point_at_the_port_make_run_serves_on():
    shell = "from django.conf import settings; print(settings.SITE_URL)"

    result = manage("shell", "-c", shell, KOMEK_PORT="8123", SITE_URL=None, KOMEK_ENV=None)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8123"
