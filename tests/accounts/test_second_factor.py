import base64
import re
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import MembershipFactory, UserFactory
from tests.pages import field_error, text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor_required")]

OTP_URL = reverse("accounts:otp")
HOME_URL = reverse("home")


@pytest.fixture
def second_factor_required():
    with override_settings(RELAIS_REQUIRE_2FA=True):
        yield


def code(key, steps_ahead=0):
    """The code an authenticator app shows for this key (``steps_ahead`` periods of 30 s later)."""
    return f"{totp(key, drift=steps_ahead):06d}"


def key_shown_on(page):
    """The key the enrolment page asks to type in an app without a camera (base32, as apps expect)."""
    secret = re.search(r"<code>([A-Z2-7]+)</code>", page.content.decode()).group(1)
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def wrong_code(key):
    accepted = {code(key, offset) for offset in (-1, 0, 1)}
    return next(candidate for candidate in ("123456", "654321", "000000", "999999") if candidate not in accepted)


def otp_redirect(path):
    return f"{OTP_URL}?{urlencode({'next': path})}"


@pytest.fixture
def staff_user(db):
    return UserFactory(email="technique@exemple.fr", staff=True)


@pytest.mark.parametrize(
    "url_name", ["home", "accounts:structure_list", "accounts:account", "audit:change_log", "territory:commune_search"]
)
def test_coordinator_must_pass_the_second_factor_before_any_page(client, coordinator, url_name):
    client.force_login(coordinator)
    url = reverse(url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == otp_redirect(url)


@pytest.mark.parametrize("url", [HOME_URL, "/admin-technique/", reverse("accounts:structure_list")])
def test_staff_user_must_pass_the_second_factor_too(client, staff_user, url):
    client.force_login(staff_user)

    response = client.get(url)

    assert response["Location"] == otp_redirect(url)


def test_plain_professional_is_not_asked_for_a_second_factor(client, professional_a):
    client.force_login(professional_a)

    assert client.get(HOME_URL).status_code == 200


def test_logout_is_possible_before_the_second_factor(client, coordinator):
    client.force_login(coordinator)

    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == reverse("accounts:login")
    assert client.get(HOME_URL)["Location"].startswith(reverse("accounts:login"))


def test_coordinator_enrols_an_app_and_reaches_the_page_asked_for(client, coordinator):
    client.force_login(coordinator)
    structures = reverse("accounts:structure_list")

    page = client.get(otp_redirect(structures))
    assert page.status_code == 200
    assert "Scannez ce code avec une application d'authentification" in text(page)
    assert "<svg" in page.content.decode()  # the QR code
    key = key_shown_on(page)

    response = client.post(otp_redirect(structures), {"token": code(key), "next": structures}, follow=True)

    assert response.request["PATH_INFO"] == structures
    assert "La double authentification est activée sur votre compte." in text(response)
    assert client.get(HOME_URL).status_code == 200
    assert TOTPDevice.objects.get(user=coordinator).confirmed


def test_wrong_code_is_refused_in_french_next_to_the_field(client, coordinator):
    client.force_login(coordinator)
    key = key_shown_on(client.get(OTP_URL))

    response = client.post(OTP_URL, {"token": wrong_code(key)})

    assert response.status_code == 200
    assert field_error(response, "token") == (
        "Ce code n'est pas le bon ou a expiré. Saisissez le code affiché en ce moment."
    )
    # Still enrolling, still kept away from the pages.
    assert key_shown_on(response) == key
    assert client.get(HOME_URL)["Location"] == otp_redirect(HOME_URL)
    assert not TOTPDevice.objects.get(user=coordinator).confirmed


def test_code_that_is_not_six_digits_is_explained(client, coordinator):
    client.force_login(coordinator)
    client.get(OTP_URL)

    response = client.post(OTP_URL, {"token": "12a456"})

    assert field_error(response, "token") == "Le code ne contient que des chiffres."


def test_right_code_typed_just_after_a_wrong_one_asks_to_wait(client, coordinator):
    client.force_login(coordinator)
    key = key_shown_on(client.get(OTP_URL))
    client.post(OTP_URL, {"token": wrong_code(key)})

    response = client.post(OTP_URL, {"token": code(key)})

    assert field_error(response, "token") == (
        "Trop de codes erronés à la suite. Patientez quelques secondes puis réessayez."
    )

    # Once the wait is over, the code is accepted.
    TOTPDevice.objects.filter(user=coordinator).update(throttling_failure_timestamp=None)
    assert client.post(OTP_URL, {"token": code(key)})["Location"] == HOME_URL


def test_enrolled_user_gives_a_code_at_every_login(client, coordinator, password):
    client.force_login(coordinator)
    key = key_shown_on(client.get(OTP_URL))
    client.post(OTP_URL, {"token": code(key)})
    client.post(reverse("accounts:logout"))

    login = client.post(reverse("accounts:login"), {"email": coordinator.email, "password": password}, follow=True)

    # The password alone is not enough.
    assert login.request["PATH_INFO"] == OTP_URL
    assert "Saisissez le code à 6 chiffres affiché par votre application" in text(login)
    assert "Scannez" not in text(login)  # no new enrolment: the key stays secret
    assert client.get(HOME_URL)["Location"] == otp_redirect(HOME_URL)

    # The code of the next period (the current one was used at enrolment and cannot be replayed).
    response = client.post(OTP_URL, {"token": code(key, steps_ahead=1)})

    assert response["Location"] == HOME_URL
    assert client.get(HOME_URL).status_code == 200
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_a_used_code_cannot_be_replayed(client, coordinator, password):
    client.force_login(coordinator)
    key = key_shown_on(client.get(OTP_URL))
    used = code(key)
    client.post(OTP_URL, {"token": used})
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"email": coordinator.email, "password": password})

    response = client.post(OTP_URL, {"token": used})

    assert field_error(response, "token").startswith("Ce code n'est pas le bon ou a expiré.")


@pytest.mark.parametrize("url_name", ["home", "accounts:structure_list", "accounts:account"])
def test_structure_admin_must_pass_the_second_factor_too(client, structure_admin_a, url_name):
    """A structure admin invites members and changes their roles: their account opens the structure."""
    client.force_login(structure_admin_a)
    url = reverse(url_name)

    response = client.get(url)

    assert response["Location"] == otp_redirect(url)


def test_structure_admin_cannot_invite_before_the_second_factor(client, structure_a, structure_admin_a):
    client.force_login(structure_admin_a)
    url = reverse("accounts:invite", args=[structure_a.public_id])

    response = client.post(url, {"email": "nouveau@exemple.fr", "role": "structure_admin"})

    assert response["Location"] == otp_redirect(url)
    assert not structure_a.invitations.exists()


def test_structure_admin_passes_the_second_factor_then_works(client, structure_a, structure_admin_a):
    client.force_login(structure_admin_a)
    enrolment = client.get(OTP_URL)
    key = key_shown_on(enrolment)

    response = client.post(f"{OTP_URL}?next={reverse('accounts:structure_list')}", {"token": code(key)})

    assert response["Location"] == reverse("accounts:structure_list")
    assert client.get(reverse("accounts:invite", args=[structure_a.public_id])).status_code == 200


def test_former_structure_admin_is_asked_no_more(client, structure_admin_a):
    membership = structure_admin_a.memberships.get()
    membership.deactivate()
    MembershipFactory(user=structure_admin_a)  # still a professional elsewhere

    client.force_login(structure_admin_a)

    assert client.get(HOME_URL).status_code == 200
