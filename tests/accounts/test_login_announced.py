"""A wrong password is announced: an alert, both fields marked invalid, the title prefixed with « Erreur : »."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_wrong_password_is_announced(client, professional_a):
    response = client.post(reverse("accounts:login"), {"email": "pro.a@exemple.fr", "password": "pas le bon"})

    body = response.content.decode()
    assert re.search(r'role="alert"[^>]*>\s*Adresse électronique ou mot de passe incorrect\.', body) or re.search(
        r'role="alert">.*?Adresse électronique ou mot de passe incorrect\.', body, re.S
    )
    for name in ("email", "password"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', body).group(0)
        assert 'aria-invalid="true"' in field
    assert re.search(r"<title>\s*Erreur : Connexion", body)
    assert 'id="erreurs-du-formulaire"' in body and "autofocus" in body


def test_the_login_page_before_any_attempt_announces_nothing(client):
    body = client.get(reverse("accounts:login")).content.decode()

    assert "aria-invalid" not in body
    assert 'role="alert"' not in body
    assert re.search(r"<title>\s*Connexion", body)
