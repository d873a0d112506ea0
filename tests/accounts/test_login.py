from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Throttle
from tests.pages import field_error, input_value, text

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
HOME_URL = reverse("home")
WRONG = "Adresse électronique ou mot de passe incorrect."
LOCKED = "Trop de tentatives de connexion ont échoué pour ce compte."


def post_login(client, email, password, next_url=None):
    url = LOGIN_URL + (f"?next={next_url}" if next_url else "")
    data = {"email": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


def is_logged_in(client):
    return client.get(HOME_URL).status_code == 200


def test_right_password_logs_in_and_lands_on_home(client, professional_a, password):
    response = post_login(client, "pro.a@exemple.fr", password)

    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    page = client.get(HOME_URL)
    assert "Vous agissez pour France Travail Évry-Courcouronnes" in text(page)


def test_email_is_not_case_sensitive(client, professional_a, password):
    response = post_login(client, "Pro.A@Exemple.fr", password)

    assert response.status_code == 302
    assert is_logged_in(client)


def test_wrong_password_says_so_in_french_and_keeps_the_email(client, professional_a):
    response = post_login(client, "pro.a@exemple.fr", "pas-le-bon-mot-de-passe")

    assert response.status_code == 200
    assert WRONG in text(response)
    assert input_value(response, "email") == "pro.a@exemple.fr"
    # The password is never sent back to the browser.
    assert input_value(response, "password") == ""
    assert not is_logged_in(client)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, professional_a):
    known = post_login(client, "pro.a@exemple.fr", "pas-le-bon-mot-de-passe")
    unknown = post_login(client, "personne@exemple.fr", "pas-le-bon-mot-de-passe")

    assert unknown.status_code == known.status_code == 200
    assert WRONG in text(unknown)
    assert input_value(unknown, "email") == "personne@exemple.fr"
    # Nothing on the page tells whether the account exists.
    assert text(unknown).replace("personne@exemple.fr", "X") == text(known).replace("pro.a@exemple.fr", "X")


def test_invalid_email_is_explained_next_to_the_field(client):
    response = post_login(client, "pas-une-adresse", "peu-importe")

    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in field_error(response, "email")
    assert input_value(response, "email") == "pas-une-adresse"


@override_settings(RELAIS_LOGIN_MAX_FAILURES=3)
def test_account_is_locked_after_too_many_failures_even_with_the_right_password(client, professional_a, password):
    for _ in range(3):
        response = post_login(client, "pro.a@exemple.fr", "pas-le-bon-mot-de-passe")
        assert WRONG in text(response)

    response = post_login(client, "pro.a@exemple.fr", password)

    assert response.status_code == 200
    page = text(response)
    assert LOCKED in page
    minutes = int(settings.RELAIS_LOGIN_LOCKOUT.total_seconds() // 60)
    assert f"Réessayez dans {minutes} minutes" in page
    assert not is_logged_in(client)


@override_settings(RELAIS_LOGIN_MAX_FAILURES=3)
def test_lockout_is_per_account_and_applies_to_unknown_emails_alike(client, professional_a, professional_b, password):
    for _ in range(3):
        post_login(client, "inconnu@exemple.fr", "nimporte-quoi")
        post_login(client, "pro.a@exemple.fr", "nimporte-quoi")

    # Locked accounts look the same whether they exist or not.
    assert LOCKED in text(post_login(client, "inconnu@exemple.fr", "nimporte-quoi"))
    assert LOCKED in text(post_login(client, "pro.a@exemple.fr", password))
    # Another account is not affected.
    assert post_login(client, "pro.b@exemple.fr", password).status_code == 302


@override_settings(RELAIS_LOGIN_MAX_FAILURES=3)
def test_lockout_ends_after_the_lockout_period(client, professional_a, password):
    for _ in range(3):
        post_login(client, "pro.a@exemple.fr", "pas-le-bon-mot-de-passe")
    assert LOCKED in text(post_login(client, "pro.a@exemple.fr", password))

    Throttle.objects.update(since=timezone.now() - settings.RELAIS_LOGIN_LOCKOUT - timedelta(seconds=1))

    assert post_login(client, "pro.a@exemple.fr", password).status_code == 302


@override_settings(RELAIS_LOGIN_MAX_FAILURES=3)
def test_success_clears_previous_failures(client, professional_a, password):
    for _ in range(2):
        post_login(client, "pro.a@exemple.fr", "pas-le-bon-mot-de-passe")
    assert post_login(client, "pro.a@exemple.fr", password).status_code == 302
    client.post(reverse("accounts:logout"))

    # Two more failures would have locked the account had the earlier ones been kept.
    for _ in range(2):
        post_login(client, "pro.a@exemple.fr", "pas-le-bon-mot-de-passe")

    assert post_login(client, "pro.a@exemple.fr", password).status_code == 302


def test_next_sends_back_to_the_page_asked_for(client, professional_a, password):
    structures = reverse("accounts:structure_list")
    # An anonymous visitor is sent to the login page, which remembers where they were going.
    redirect = client.get(structures)
    assert redirect.status_code == 302
    assert redirect["Location"] == f"{LOGIN_URL}?next={structures}"

    response = post_login(client, "pro.a@exemple.fr", password, next_url=structures)

    assert response["Location"] == structures


@pytest.mark.parametrize(
    "next_url", ["https://pirate.example/vol", "//pirate.example/vol", "http://testserver.pirate.example/"]
)
def test_next_never_leaves_the_site(client, professional_a, password, next_url):
    response = post_login(client, "pro.a@exemple.fr", password, next_url=next_url)

    assert response.status_code == 302
    assert response["Location"] == HOME_URL


def test_login_page_sends_a_logged_in_user_home(client, professional_a, password):
    post_login(client, "pro.a@exemple.fr", password)

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response["Location"] == HOME_URL


def _session(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_session_cookie_ends_with_the_browser_and_the_session_after_idle_time(client, professional_a, password):
    response = post_login(client, "pro.a@exemple.fr", password)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"]
    remaining = _session(client).expire_date - timezone.now()
    assert (
        timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
        < remaining
        <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )


def test_activity_extends_the_session(client, professional_a, password):
    post_login(client, "pro.a@exemple.fr", password)
    session = _session(client)
    # Last activity nearly an idle period ago: the session still holds, one minute from its end.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))

    assert client.get(HOME_URL).status_code == 200

    remaining = _session(client).expire_date - timezone.now()
    assert remaining > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_session_idle_for_longer_than_the_idle_time_is_logged_out(client, professional_a, password):
    post_login(client, "pro.a@exemple.fr", password)
    session = _session(client)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(HOME_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_logout_needs_a_post(client, professional_a, password):
    post_login(client, "pro.a@exemple.fr", password)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert is_logged_in(client)

    response = client.post(reverse("accounts:logout"), follow=True)

    assert response.request["PATH_INFO"] == LOGIN_URL
    assert "Vous êtes déconnecté." in text(response)
    assert not is_logged_in(client)


def test_the_session_is_written_at_most_once_a_minute(client, professional_a, password, django_assert_num_queries):
    """Every page used to pay a session write; the idle timeout is now renewed at most once a minute."""
    post_login(client, "pro.a@exemple.fr", password)
    client.get(reverse("legal_notice"))
    before = _session(client).expire_date

    with django_assert_num_queries(3):  # session, user, memberships: no write
        client.get(reverse("legal_notice"))
    assert _session(client).expire_date == before

    session = client.session
    session["relais_last_seen"] -= settings.RELAIS_SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(pk=_session(client).pk).update(expire_date=before)  # a minute of inactivity later
    client.get(reverse("legal_notice"))
    assert _session(client).expire_date > before


# The hashers outside the suite (which puts a fast one first: hashing strength is not under test elsewhere).
PRODUCTION_HASHERS = [name for name in settings.PASSWORD_HASHERS if not name.endswith("MD5PasswordHasher")]


def test_passwords_are_hashed_by_argon2_and_older_hashes_are_upgraded_at_sign_in(client, professional_a, password):
    assert PRODUCTION_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        # An account made when PBKDF2 came first.
        professional_a.password = make_password(password, hasher="pbkdf2_sha256")
        professional_a.save(update_fields=["password"])

        response = post_login(client, "pro.a@exemple.fr", password)

        assert response.status_code == 302
        professional_a.refresh_from_db()
        assert professional_a.password.startswith("argon2$argon2id$")
        assert professional_a.check_password(password)
        assert not professional_a.check_password(password + "!")
