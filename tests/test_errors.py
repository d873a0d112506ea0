"""What a user sees when something goes wrong, and the refusal to start without production secrets."""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse

from tests.pages import text

BASE_DIR = Path(__file__).resolve().parent.parent
UNAVAILABLE = "Service momentanément indisponible"


@contextmanager
def database_down():
    """Every attempt to reach the database fails, as when the server is stopped or unreachable."""
    with mock.patch.object(
        connections["default"], "ensure_connection", side_effect=OperationalError("connexion refusée")
    ):
        yield


@pytest.fixture
def browser(db):
    """A client that gets the error pages a browser gets, rather than the exception."""
    return Client(raise_request_exception=False)


def test_tests_run_without_debug():
    assert settings.DEBUG is False


def test_database_down_mid_request_shows_the_french_unavailable_page(browser, professional_a):
    browser.force_login(professional_a)
    assert browser.get(reverse("home")).status_code == 200

    with database_down():
        response = browser.get(reverse("accounts:structure_list"))

    assert response.status_code == 503
    page = text(response)
    assert UNAVAILABLE in page
    assert "Relais ne parvient pas à joindre sa base de données." in page
    for leak in ("Traceback", "OperationalError", "connexion refusée", "pro.a@exemple.fr", "sqlite", "postgres"):
        assert leak not in response.content.decode()

    # The database is back: the next request works, and the user is still logged in.
    response = browser.get(reverse("accounts:structure_list"))
    assert response.status_code == 200
    assert "Partenaires du SPIE" in text(response)


def test_database_down_for_an_anonymous_visitor_of_a_page_that_needs_it(browser):
    with database_down():
        response = browser.post(reverse("accounts:login"), {"email": "pro.a@exemple.fr", "password": "x"})

    assert response.status_code == 503
    assert UNAVAILABLE in text(response)


def test_health_endpoint_reports_the_database(browser):
    response = browser.get(reverse("health"))
    assert (response.status_code, response.content.decode()) == (200, "ok")

    with database_down():
        response = browser.get(reverse("health"))

    assert response.status_code == 503
    assert response.content.decode() == "base de données indisponible"
    assert browser.get(reverse("health")).status_code == 200


def test_unknown_page_is_a_french_404(browser, professional_a):
    browser.force_login(professional_a)

    response = browser.get("/cette-page-n-existe-pas/")

    assert response.status_code == 404
    assert "Page introuvable" in text(response)


def test_forbidden_page_is_a_french_403(browser, professional_a):
    browser.force_login(professional_a)

    response = browser.get(reverse("audit:access_log"))

    assert response.status_code == 403
    assert "Accès refusé" in text(response)


def test_expired_form_is_explained_in_french(professional_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(professional_a)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 403
    assert "Le formulaire a expiré" in text(response)


# Production mode refuses to start without its secrets.

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "relais.exemple.fr",
    # 32 random bytes in url-safe base64, as Fernet.generate_key() makes them.
    "FIELD_ENCRYPTION_KEY": "TbF3q2S0p8tBvZ8Hc1mXkq7wJ6o9YyN4rLh5dEaUiGs=",
}


def manage(env, *args):
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV", "TMPDIR"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production_env(tmp_path):
    return {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'relais.sqlite3'}"}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "FIELD_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_a_secret(production_env, missing):
    env = {**production_env, missing: ""}

    result = manage(env, "check")

    assert result.returncode != 0
    assert f"La variable d'environnement {missing} est obligatoire en production." in result.stderr


def test_production_starts_with_every_secret(production_env):
    result = manage(production_env, "check")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_a_list_of_hosts_with_no_host(production_env):
    result = manage({**production_env, "ALLOWED_HOSTS": " , "}, "check")

    assert result.returncode != 0
    assert "La variable d'environnement ALLOWED_HOSTS est obligatoire en production." in result.stderr


def test_bad_request_is_explained_in_french(browser):
    """A request for a host this deployment does not serve is refused with the French 400 page."""
    response = browser.get(reverse("accessibility"), HTTP_HOST="relais.ailleurs.example")

    assert response.status_code == 400
    assert "Requête invalide" in text(response)


def test_pages_carry_a_strict_content_security_policy(browser):
    """Scripts come from Relais itself (a nonce is added only for a page that uses one); no inline script."""
    response = browser.get(reverse("accounts:login"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'nonce'" not in policy  # the placeholder browsers reject as an invalid source
    assert "frame-ancestors 'none'" in policy
