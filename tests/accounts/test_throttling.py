"""Brute force: attempts beyond the limits are refused before the password is even looked at.

Attempts that arrive together are counted one by one: the counter is checked and incremented in one
step, so a burst of parallel attempts gets no more tries than a patient attacker.
"""

import sys
import threading
import time
from unittest import mock

import pytest
from django.contrib.auth import authenticate as real_authenticate
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import Throttle
from tests.pages import text

LOGIN_URL = reverse("accounts:login")
RESET_URL = reverse("accounts:password_reset")
HOME_URL = reverse("home")
WRONG = "Adresse électronique ou mot de passe incorrect."
LOCKED = "Trop de tentatives de connexion ont échoué pour ce compte."
NETWORK = "Trop de tentatives de connexion ont échoué depuis votre réseau."
RESET_REFUSED = "Trop de demandes de réinitialisation ont été faites pour cette adresse ou depuis votre réseau."


def attempt(client, email, password, ip="203.0.113.7"):
    return client.post(LOGIN_URL, {"email": email, "password": password}, REMOTE_ADDR=ip)


def logged_in(client):
    return client.get(HOME_URL).status_code == 200


class CountingAuthenticate:
    """``authenticate`` as the login page calls it, counting the passwords actually evaluated."""

    def __init__(self, during=None):
        self.calls = 0
        self.during = during

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.during:
            self.during()
        return real_authenticate(*args, **kwargs)


@pytest.mark.django_db
@override_settings(RELAIS_LOGIN_MAX_FAILURES=5)
def test_a_burst_of_simultaneous_attempts_gets_no_more_tries_than_the_limit(professional_a, password):
    """Thirty attempts in flight at once, the last one with the right password.

    Each attempt starts while the earlier ones are still checking their password (the slow part of a
    login), which is what thirty parallel requests do. Only five may be evaluated; the right password,
    arriving thirtieth, is refused like every attempt beyond the limit.
    """
    attempts = [(Client(), "pas-le-bon-mot-de-passe") for _ in range(28)] + [(Client(), password)]
    responses = []

    def start_the_next_attempts():
        while attempts:
            client, guess = attempts.pop(0)
            responses.append((client, guess, attempt(client, "pro.a@exemple.fr", guess)))

    counting = CountingAuthenticate(during=start_the_next_attempts)
    # Requests started inside requests: the stack grows with each attempt in flight.
    depth = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        with mock.patch("accounts.views.authenticate", counting):
            first = Client()
            responses.append((first, "pas-le-bon-mot-de-passe", attempt(first, "pro.a@exemple.fr", "faux")))
    finally:
        sys.setrecursionlimit(depth)

    assert counting.calls == 5
    assert len(responses) == 30
    assert sum(LOCKED in text(response) for _, _, response in responses) == 25
    [(right_client, right_response)] = [
        (client, response) for client, guess, response in responses if guess == password
    ]
    assert LOCKED in text(right_response)
    assert not logged_in(right_client)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel connections need PostgreSQL")
@override_settings(RELAIS_LOGIN_MAX_FAILURES=4)
def test_parallel_requests_on_postgresql_are_counted_one_by_one(professional_a, password):
    threads_count = 16
    barrier = threading.Barrier(threads_count)
    outcomes = []
    evaluated = []

    def slow_authenticate(*args, **kwargs):
        evaluated.append(1)
        time.sleep(0.2)  # the password hasher's cost, during which other requests arrive
        return real_authenticate(*args, **kwargs)

    def wrong_attempt():
        try:
            barrier.wait(timeout=30)
            outcomes.append(text(attempt(Client(), "pro.a@exemple.fr", "pas-le-bon-mot-de-passe")))
        finally:
            connection.close()

    with mock.patch("accounts.views.authenticate", slow_authenticate):
        threads = [threading.Thread(target=wrong_attempt) for _ in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert len(outcomes) == threads_count
    assert len(evaluated) == 4
    assert sum(WRONG in outcome for outcome in outcomes) == 4
    assert sum(LOCKED in outcome for outcome in outcomes) == threads_count - 4
    client = Client()
    assert LOCKED in text(attempt(client, "pro.a@exemple.fr", password))
    assert not logged_in(client)


@pytest.mark.django_db
@override_settings(RELAIS_LOGIN_MAX_FAILURES=100, RELAIS_LOGIN_MAX_FAILURES_PER_IP=4)
def test_one_network_trying_many_accounts_is_stopped(professional_a, professional_b, password):
    attacker = Client()
    for index in range(4):
        assert WRONG in text(attempt(attacker, f"victime{index}@exemple.fr", "motdepasse123"))

    # Beyond the limit, even a right password is not evaluated from that network, for any account.
    counting = CountingAuthenticate()
    with mock.patch("accounts.views.authenticate", counting):
        response = attempt(attacker, "pro.a@exemple.fr", password)
    assert counting.calls == 0
    assert NETWORK in text(response)
    assert "Réessayez dans 15 minutes" in text(response)
    assert not logged_in(attacker)

    # Another network is not affected, nor are the accounts tried.
    colleague = Client()
    assert attempt(colleague, "pro.b@exemple.fr", password, ip="198.51.100.20").status_code == 302


@pytest.mark.django_db
@override_settings(RELAIS_LOGIN_MAX_FAILURES_PER_IP=3)
def test_successful_logins_from_a_shared_network_do_not_count(professional_a, password):
    """An office behind one address: colleagues logging in all morning are not failures."""
    for _ in range(6):
        client = Client()
        assert attempt(client, "pro.a@exemple.fr", password).status_code == 302


@pytest.mark.django_db
@override_settings(RELAIS_LOGIN_MAX_FAILURES=100, RELAIS_LOGIN_MAX_FAILURES_PER_IP=3, RELAIS_TRUSTED_PROXIES=1)
def test_behind_the_proxy_the_address_it_saw_counts_and_a_forged_header_does_not_help(professional_a, password):
    attacker = Client()
    for index in range(3):
        # The attacker prepends a different address each time; the proxy appends the real one.
        forwarded = f"10.0.0.{index}, 203.0.113.7"
        attacker.post(
            LOGIN_URL,
            {"email": f"victime{index}@exemple.fr", "password": "x"},
            REMOTE_ADDR="10.1.1.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    response = attacker.post(
        LOGIN_URL,
        {"email": "pro.a@exemple.fr", "password": password},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="10.0.0.99, 203.0.113.7",
    )
    assert NETWORK in text(response)
    # Other users behind the same proxy come from other addresses.
    other = Client().post(
        LOGIN_URL,
        {"email": "pro.a@exemple.fr", "password": password},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other.status_code == 302


@pytest.mark.django_db
@override_settings(RELAIS_LOGIN_MAX_FAILURES=100, RELAIS_LOGIN_MAX_FAILURES_PER_IP=3, RELAIS_TRUSTED_PROXIES=0)
def test_without_a_proxy_the_forwarded_header_is_ignored(professional_a, password):
    attacker = Client()
    for index in range(3):
        attacker.post(
            LOGIN_URL,
            {"email": f"victime{index}@exemple.fr", "password": "x"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{index}",
        )

    response = attacker.post(
        LOGIN_URL,
        {"email": "pro.a@exemple.fr", "password": password},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="10.0.0.200",
    )
    assert NETWORK in text(response)


@pytest.mark.django_db
@override_settings(RELAIS_LOGIN_MAX_FAILURES=2)
def test_counters_keep_neither_the_email_nor_the_address(professional_a):
    attempt(Client(), "pro.a@exemple.fr", "pas-le-bon-mot-de-passe", ip="203.0.113.7")
    Client().post(RESET_URL, {"email": "pro.a@exemple.fr"}, REMOTE_ADDR="203.0.113.7")

    stored = " ".join(f"{row.scope} {row.digest}" for row in Throttle.objects.all())
    assert Throttle.objects.count() == 4  # per account and per network, for logins and for resets
    for clear in ("pro.a", "exemple.fr", "203.0.113.7", "203.0.113"):
        assert clear not in stored


# Password reset: a link by email, on request; requests are limited too, and the answer never tells
# whether an account exists.


def ask_reset(client, email, ip="203.0.113.7"):
    return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=ip)


@pytest.mark.django_db
@override_settings(RELAIS_PASSWORD_RESET_MAX_PER_EMAIL=3)
def test_reset_requests_for_one_address_are_limited(professional_a):
    client = Client()
    for _ in range(3):
        assert ask_reset(client, "pro.a@exemple.fr").status_code == 302
    assert len(mail.outbox) == 3

    refused = ask_reset(client, "pro.a@exemple.fr", ip="198.51.100.20")

    assert refused.status_code == 200
    assert RESET_REFUSED in text(refused)
    assert "Réessayez dans 60 minutes" in text(refused)
    assert len(mail.outbox) == 3


@pytest.mark.django_db
@override_settings(RELAIS_PASSWORD_RESET_MAX_PER_EMAIL=2)
def test_reset_refusal_reads_the_same_whether_or_not_the_account_exists(professional_a):
    for _ in range(2):
        ask_reset(Client(), "pro.a@exemple.fr")
        ask_reset(Client(), "personne@exemple.fr")

    known = ask_reset(Client(), "pro.a@exemple.fr")
    unknown = ask_reset(Client(), "personne@exemple.fr")

    assert RESET_REFUSED in text(known)
    assert text(unknown).replace("personne@exemple.fr", "X") == text(known).replace("pro.a@exemple.fr", "X")
    # Below the limit, the answer is the same page too: "if an account exists, a link was sent".
    assert ask_reset(Client(), "autre@exemple.fr").status_code == 302


@pytest.mark.django_db
@override_settings(RELAIS_PASSWORD_RESET_MAX_PER_IP=3)
def test_reset_requests_from_one_network_are_limited(professional_a):
    attacker = Client()
    for index in range(3):
        ask_reset(attacker, f"victime{index}@exemple.fr")

    refused = ask_reset(attacker, "pro.a@exemple.fr")

    assert RESET_REFUSED in text(refused)
    assert mail.outbox == []
    assert ask_reset(Client(), "pro.a@exemple.fr", ip="198.51.100.20").status_code == 302
    assert len(mail.outbox) == 1
