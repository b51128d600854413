"""Settings: production hardening, secrets from the environment, Argon2."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "partners.example.com",
    "EMAIL_URL": "smtp+tls://mailer:password@smtp.example.com:587",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "EMAIL_URL",
            "SECURE_HSTS_PRELOAD",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_deploy_check_is_clean_with_production_settings():
    # HSTS preload is opt-in, so its one warning (security.W021) is silenced, and only it.
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
    preload = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "1"},
    )
    assert preload.returncode == 0, preload.stdout + preload.stderr
    assert "System check identified no issues (0 silenced)." in preload.stdout


def test_hsts_preload_is_off_unless_asked_for():
    code = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_SECONDS)"
    )
    assert manage("shell", "-c", code, env=PRODUCTION_ENV).stdout.split()[-2:] == [
        "False",
        "31536000",
    ]
    opted = manage("shell", "-c", code, env={**PRODUCTION_ENV, "SECURE_HSTS_PRELOAD": "1"})
    assert opted.stdout.split()[-2:] == ["True", "31536000"]


def test_start_up_fails_naming_email_url_when_debug_is_off_and_it_is_missing():
    """The console backend would print invitation links, with their tokens, to the logs."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_URL"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "EMAIL_URL" in result.stderr


def test_start_up_fails_naming_secret_key_when_debug_is_off_and_it_is_missing():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_start_up_fails_naming_allowed_hosts_when_debug_is_off_and_it_is_missing():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "ALLOWED_HOSTS"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_passwords_are_hashed_with_argon2_in_production():
    import partnercenter.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_admin_center_url_defaults_to_this_apps_own_page():
    assert f"{settings.SITE_URL}/admincenter/" == settings.ADMIN_CENTER_URL
    assert settings.USE_TZ is True
