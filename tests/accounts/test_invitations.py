import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from tests.factories import MembershipFactory, UserFactory
from tests.pages import field_error, input_value, text

pytestmark = pytest.mark.django_db

STRONG = "Un-mot-de-passe-solide-2026"
NEW_ACCOUNT = {"first_name": "Léa", "last_name": "Martin", "password1": STRONG, "password2": STRONG}


def invite(client, structure, email, role=Role.PROFESSIONAL):
    return client.post(reverse("accounts:invite", args=[structure.public_id]), {"email": email, "role": role})


def link_in(message):
    """The path of the invitation link written in the email."""
    return re.search(r"https?://\S+?(/invitation/[\w-]+/)", message.body).group(1)


@pytest.fixture
def invitation_link(client, structure_a, structure_admin_a):
    """A structure admin of A invites nouveau@exemple.fr; the link they receive; then nobody is logged in."""
    client.force_login(structure_admin_a)
    invite(client, structure_a, "nouveau@exemple.fr")
    client.logout()
    return link_in(mail.outbox[-1])


def test_structure_admin_invites_by_email_with_a_single_use_link(client, structure_a, structure_admin_a):
    client.force_login(structure_admin_a)

    response = invite(client, structure_a, "Nouveau@Exemple.fr")

    assert response["Location"] == reverse("accounts:structure_detail", args=[structure_a.public_id])
    assert "Invitation envoyée à nouveau@exemple.fr." in text(client.get(response["Location"]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouveau@exemple.fr"]
    assert message.subject == "Invitation à rejoindre France Travail Évry-Courcouronnes sur Relais"
    assert "vous invite à rejoindre « France Travail Évry-Courcouronnes »" in message.body
    token = link_in(message).split("/")[2]
    # Only a digest of the token is kept: the link in the email is the only copy.
    invitation = Invitation.objects.get()
    assert token not in invitation.token_digest
    assert Invitation.find(token) == invitation
    # The team page lists the pending invitation.
    detail = client.get(reverse("accounts:structure_detail", args=[structure_a.public_id]))
    assert "nouveau@exemple.fr – professionnel" in text(detail)


def test_new_user_chooses_a_password_joins_and_is_logged_in(client, invitation_link, structure_a):
    page = client.get(invitation_link)
    assert page.status_code == 200
    assert "Votre identifiant sera nouveau@exemple.fr" in text(page)

    response = client.post(invitation_link, NEW_ACCOUNT, follow=True)

    assert response.request["PATH_INFO"] == reverse("home")
    page = text(response)
    assert "Bienvenue dans Relais. Vous avez rejoint France Travail Évry-Courcouronnes." in page
    assert "Vous agissez pour France Travail Évry-Courcouronnes" in page
    user = User.objects.get(email="nouveau@exemple.fr")
    assert (user.first_name, user.last_name) == ("Léa", "Martin")
    membership = Membership.objects.get(user=user)
    assert (membership.structure, membership.role, membership.is_active) == (structure_a, Role.PROFESSIONAL, True)
    # The chosen password works for the next login.
    client.post(reverse("accounts:logout"))
    assert client.post(reverse("accounts:login"), {"email": user.email, "password": STRONG}).status_code == 302


def test_weak_password_is_refused_in_french_and_the_names_are_kept(client, invitation_link):
    response = client.post(invitation_link, {**NEW_ACCOUNT, "password1": "motdepasse", "password2": "motdepasse"})

    assert response.status_code == 200
    error = field_error(response, "password1")
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in error
    assert "Ce mot de passe est trop courant." in error
    assert input_value(response, "first_name") == "Léa"
    assert input_value(response, "last_name") == "Martin"
    assert input_value(response, "password1") == ""
    assert not User.objects.filter(email="nouveau@exemple.fr").exists()
    assert Invitation.objects.get().accepted_at is None


def test_password_too_close_to_the_email_is_refused(client, invitation_link):
    response = client.post(
        invitation_link, {**NEW_ACCOUNT, "password1": "nouveau@exemple.fr", "password2": "nouveau@exemple.fr"}
    )

    assert "Le mot de passe est trop semblable au champ « adresse électronique »." in field_error(
        response, "password1"
    )


def test_the_two_passwords_must_match(client, invitation_link):
    response = client.post(invitation_link, {**NEW_ACCOUNT, "password2": STRONG + "!"})

    assert field_error(response, "password2") == "Les deux mots de passe ne sont pas identiques."


def test_link_cannot_be_used_twice(client, invitation_link):
    client.post(invitation_link, NEW_ACCOUNT)
    other = Client()

    response = other.get(invitation_link)

    assert response.status_code == 410
    assert "Cette invitation a déjà été utilisée. Connectez-vous avec votre adresse électronique." in text(response)
    assert other.post(invitation_link, NEW_ACCOUNT).status_code == 410
    assert User.objects.filter(email="nouveau@exemple.fr").count() == 1


def test_expired_link_is_refused(client, invitation_link):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(invitation_link)

    assert response.status_code == 410
    assert "Cette invitation a expiré." in text(response)
    assert client.post(invitation_link, NEW_ACCOUNT).status_code == 410
    assert not User.objects.filter(email="nouveau@exemple.fr").exists()


def test_link_valid_until_its_expiry(client, invitation_link, settings):
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        settings.RELAIS_INVITATION_VALIDITY, abs=timedelta(seconds=5)
    )
    Invitation.objects.update(expires_at=timezone.now() + timedelta(minutes=1))

    assert client.get(invitation_link).status_code == 200


def test_revoked_link_is_refused(client, invitation_link, structure_a, structure_admin_a):
    admin = Client()
    admin.force_login(structure_admin_a)
    invitation = Invitation.objects.get()

    response = admin.post(
        reverse("accounts:revoke_invitation", args=[structure_a.public_id, invitation.public_id]), follow=True
    )
    assert "L'invitation de nouveau@exemple.fr est annulée." in text(response)

    response = client.get(invitation_link)
    assert response.status_code == 410
    assert "Cette invitation a été annulée par la structure." in text(response)


def test_unknown_token_is_refused(client):
    response = client.get(reverse("accounts:accept_invitation", args=["jeton-inconnu"]))

    assert response.status_code == 410
    assert "Ce lien d'invitation n'est pas valide." in text(response)


def test_existing_user_logs_in_then_clicks_to_join(client, structure_a, structure_admin_a, professional_b, password):
    client.force_login(structure_admin_a)
    invite(client, structure_a, "pro.b@exemple.fr")
    client.logout()
    link = link_in(mail.outbox[-1])

    response = client.get(link, follow=True)

    assert response.request["PATH_INFO"] == reverse("accounts:login")
    assert "Connectez-vous pour rejoindre la structure qui vous invite." in text(response)
    response = client.post(
        f"{reverse('accounts:login')}?next={link}", {"email": "pro.b@exemple.fr", "password": password, "next": link}
    )
    assert response["Location"] == link
    page = client.get(link)
    assert "Rejoindre la structure" in text(page)
    assert not Membership.objects.filter(user=professional_b, structure=structure_a).exists()

    response = client.post(link, follow=True)

    assert "Vous avez rejoint France Travail Évry-Courcouronnes." in text(response)
    # Now acting for the structure just joined; the former one is still there.
    assert response.context["current_membership"].structure == structure_a
    assert professional_b.active_memberships().count() == 2
    assert client.get(link).status_code == 410


def test_former_member_is_reactivated_by_a_new_invitation(client, structure_a, structure_admin_a):
    former = MembershipFactory(structure=structure_a, inactive=True, user__email="ancien@exemple.fr")
    client.force_login(structure_admin_a)
    invite(client, structure_a, "ancien@exemple.fr", role=Role.STRUCTURE_ADMIN)
    link = link_in(mail.outbox[-1])
    client.force_login(former.user)

    client.post(link)

    former.refresh_from_db()
    assert former.is_active
    assert former.role == Role.STRUCTURE_ADMIN


def test_another_logged_in_user_is_refused(client, structure_a, structure_admin_a, professional_b):
    client.force_login(structure_admin_a)
    invite(client, structure_a, "pro.b@exemple.fr")
    link = link_in(mail.outbox[-1])
    client.force_login(UserFactory(email="curieux@exemple.fr"))

    for response in (client.get(link), client.post(link)):
        assert response.status_code == 403
        assert "Cette invitation est destinée à un autre compte." in text(response)
    assert not Membership.objects.filter(user=professional_b, structure=structure_a).exists()


@pytest.mark.parametrize("email", ["pro.a@exemple.fr", "PRO.A@exemple.fr"])
def test_inviting_an_active_member_is_refused(client, structure_a, structure_admin_a, professional_a, email):
    client.force_login(structure_admin_a)

    response = invite(client, structure_a, email)

    assert response.status_code == 200
    assert field_error(response, "email") == "Cette personne est déjà membre de la structure."
    assert input_value(response, "email") == email
    assert not mail.outbox
    assert not Invitation.objects.exists()


def test_invalid_email_is_refused_next_to_the_field(client, structure_a, structure_admin_a):
    client.force_login(structure_admin_a)

    response = invite(client, structure_a, "pas-une-adresse")

    assert field_error(response, "email") == "Saisissez une adresse de courriel valide."
    assert not mail.outbox
