"""Configuration fails closed: without ``DJANGO_ENV=development``, Relais starts only with real secrets.

Each case starts Django in a fresh process with a crafted environment, as a server or a command would.
"""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = "k3Y-de-signature-de-production_9f2c1a7e4b6d8f0a2c4e6b8d0f1a3c5e7"
FIELD_KEY = "hEQvpC5N-57TO4QYnxf3RP9APmASg94hRxRgt8cOMKQ="  # 32 random bytes, url-safe base64
SECRETS = {
    "SECRET_KEY": SECRET_KEY,
    "ALLOWED_HOSTS": "relais.exemple.fr",
    "FIELD_ENCRYPTION_KEY": FIELD_KEY,
}
SHOW = "import django; django.setup(); from django.conf import settings as s; print(s.ENV, s.DEBUG, s.SECRET_KEY)"


def start(tmp_path, **env):
    """Start Django with only ``env`` (and what a shell always has); the output it prints, or its error."""
    inherited = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=BASE_DIR,
        env={
            **inherited,
            "DJANGO_SETTINGS_MODULE": "relais.settings",
            "RELAIS_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'relais.sqlite3'}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def refused(result, message):
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    return True


@pytest.mark.parametrize("declared", [None, "", "staging", "prod", "Development", "test", "dev"])
def test_anything_but_development_needs_the_production_secrets(tmp_path, declared):
    env = {} if declared is None else {"DJANGO_ENV": declared}

    result = start(tmp_path, **env)

    assert refused(result, "La variable d'environnement SECRET_KEY est obligatoire en production.")
    # The message tells a developer what to do.
    assert "DJANGO_ENV=development" in result.stderr


@pytest.mark.parametrize("declared", [None, "staging"])
def test_anything_but_development_starts_as_production_with_its_secrets(tmp_path, declared):
    env = {**SECRETS} if declared is None else {**SECRETS, "DJANGO_ENV": declared}

    result = start(tmp_path, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["production", "False"]


def test_development_defaults_apply_only_when_asked_for(tmp_path):
    result = start(tmp_path, DJANGO_ENV="development")

    assert result.returncode == 0, result.stderr
    env, debug, key = result.stdout.split()
    # A newcomer sees the French error pages; the debug pages are a developer's choice (DEBUG=1).
    assert (env, debug) == ("development", "False")
    assert key == "relais-development-only-not-secret"
    assert start(tmp_path, DJANGO_ENV="development", DEBUG="1").stdout.split()[1] == "True"


def test_debug_cannot_be_turned_on_in_production(tmp_path):
    result = start(tmp_path, DJANGO_ENV="production", DEBUG="true", **SECRETS)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["production", "False"]


@pytest.mark.parametrize(
    "key",
    [
        SECRET_KEY[:49],  # too short
        "a" * 60,  # not random
        "abcd" * 20,  # four different characters: not random either
        "django-insecure-" + SECRET_KEY,  # Django's own placeholder for development keys
        "relais-development-only-not-secret" + SECRET_KEY,  # the development key, lengthened
        SECRET_KEY[:30] + " " + SECRET_KEY[30:],  # a space: cut by a shell or a configuration file
        SECRET_KEY[:30] + "é" + SECRET_KEY[30:],  # outside printable ASCII
    ],
)
def test_production_refuses_a_short_or_malformed_secret_key(tmp_path, key):
    result = start(tmp_path, DJANGO_ENV="production", **{**SECRETS, "SECRET_KEY": key})

    assert refused(result, "La variable d'environnement SECRET_KEY n'est pas une clé acceptable")
    assert key not in result.stderr  # a secret is never printed, even a bad one


@pytest.mark.parametrize(
    "key",
    [
        "une-autre-cle-pour-chiffrer-les-donnees-au-repos",  # a phrase, not a key
        FIELD_KEY[:-2],  # truncated when copied
        base64.urlsafe_b64encode(b"0123456789abcdef").decode(),  # 16 bytes: too short a key
        base64.urlsafe_b64encode(bytes(32)).decode(),  # 32 zero bytes: not random
        FIELD_KEY.replace("-", "+"),  # standard base64, not the url-safe alphabet Fernet uses
    ],
)
def test_production_refuses_a_field_encryption_key_that_is_not_a_valid_key(tmp_path, key):
    result = start(tmp_path, DJANGO_ENV="production", **{**SECRETS, "FIELD_ENCRYPTION_KEY": key})

    assert refused(result, "La variable d'environnement FIELD_ENCRYPTION_KEY n'est pas une clé de chiffrement valide")
    assert key not in result.stderr


def test_the_refusal_says_how_to_make_a_valid_key(tmp_path):
    result = start(tmp_path, DJANGO_ENV="production", **{**SECRETS, "FIELD_ENCRYPTION_KEY": "trop-courte"})

    assert "Fernet.generate_key()" in result.stderr


def test_tests_run_in_their_own_environment():
    from django.conf import settings

    assert settings.ENV == "test"
    assert settings.DEBUG is False
