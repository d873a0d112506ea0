import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Membership, Role
from tests.factories import MembershipFactory
from tests.pages import field_error, text

pytestmark = pytest.mark.django_db

HOME_URL = reverse("home")
LAST_ADMIN = "la structure doit garder au moins un administrateur actif."


def toggle(client, membership):
    url = reverse("accounts:membership_toggle", args=[membership.structure.public_id, membership.public_id])
    return client.post(url, follow=True)


def edit_url(membership):
    return reverse("accounts:membership_edit", args=[membership.structure.public_id, membership.public_id])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_deactivating_a_membership_removes_access_on_the_next_request(structure_a, structure_admin_a, professional_a):
    member = logged_in(professional_a)
    assert "Vous agissez pour France Travail Évry-Courcouronnes" in text(member.get(HOME_URL))
    membership = professional_a.memberships.get()

    response = toggle(logged_in(structure_admin_a), membership)

    assert "L'accès de" in text(response) and "à France Travail Évry-Courcouronnes est désactivé." in text(response)
    home = member.get(HOME_URL)
    assert home.context["current_membership"] is None
    assert "Aucune structure active" in text(home)
    assert "Vous agissez pour" not in text(home)
    # The directory is closed to someone who acts for no structure.
    assert member.get(reverse("accounts:structure_detail", args=[structure_a.public_id])).status_code == 404
    assert member.get(reverse("accounts:structure_list")).context["page"].paginator.count == 0


def test_deactivated_admin_loses_the_admin_pages_at_once(structure_a, structure_b, coordinator):
    admin = MembershipFactory(structure=structure_a, admin=True, user__email="double@exemple.fr")
    MembershipFactory(structure=structure_a, admin=True)  # so that admin is not the last one
    MembershipFactory(structure=structure_b, user=admin.user)
    client = logged_in(admin.user)
    client.post(reverse("accounts:switch_structure"), {"membership": admin.public_id})
    invite_url = reverse("accounts:invite", args=[structure_a.public_id])
    assert client.get(invite_url).status_code == 200

    toggle(logged_in(coordinator), admin)

    home = client.get(HOME_URL)
    # The other membership takes over at once.
    assert home.context["current_membership"].structure == structure_b
    assert "Vous agissez pour Mission locale Nord Essonne" in text(home)
    for url_name in ("invite", "structure_edit"):
        assert client.get(reverse(f"accounts:{url_name}", args=[structure_a.public_id])).status_code == 403
    assert client.get(edit_url(admin)).status_code == 403
    assert client.post(reverse("accounts:switch_structure"), {"membership": admin.public_id}).status_code == 404


def test_reactivating_gives_access_back(structure_a, structure_admin_a, professional_a):
    membership = professional_a.memberships.get()
    admin = logged_in(structure_admin_a)
    toggle(admin, membership)

    response = toggle(admin, membership)

    assert "est rétabli." in text(response)
    assert logged_in(professional_a).get(HOME_URL).context["current_membership"] == membership


def test_deactivated_member_is_listed_as_such_for_the_admin_only(structure_a, structure_admin_a, professional_b):
    former = MembershipFactory(
        structure=structure_a, inactive=True, user__first_name="Ancien", user__last_name="Membre"
    )
    detail_url = reverse("accounts:structure_detail", args=[structure_a.public_id])

    admin_page = text(logged_in(structure_admin_a).get(detail_url))
    outsider_page = text(logged_in(professional_b).get(detail_url))

    assert "Ancien Membre" in admin_page and "désactivé" in admin_page
    assert "Ancien Membre" not in outsider_page
    assert former.user.email not in outsider_page


def test_last_active_admin_cannot_be_deactivated(structure_a, structure_admin_a):
    membership = structure_admin_a.memberships.get()

    response = toggle(logged_in(structure_admin_a), membership)

    assert f"Impossible : {LAST_ADMIN}" in text(response)
    membership.refresh_from_db()
    assert membership.is_active


def test_last_active_admin_cannot_be_demoted(structure_a, structure_admin_a, coordinator):
    membership = structure_admin_a.memberships.get()

    response = logged_in(coordinator).post(edit_url(membership), {"role": Role.PROFESSIONAL, "job_title": ""})

    assert response.status_code == 200
    assert field_error(response, "role") == "La structure doit garder au moins un administrateur actif."
    membership.refresh_from_db()
    assert membership.role == Role.STRUCTURE_ADMIN


def test_an_admin_can_step_down_when_another_admin_remains(structure_a, structure_admin_a):
    MembershipFactory(structure=structure_a, admin=True)
    membership = structure_admin_a.memberships.get()

    response = logged_in(structure_admin_a).post(edit_url(membership), {"role": Role.PROFESSIONAL, "job_title": "CIP"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.job_title) == (Role.PROFESSIONAL, "CIP")


def test_structure_admin_cannot_grant_consortium_capabilities(structure_a, structure_admin_a, professional_a):
    membership = professional_a.memberships.get()
    client = logged_in(structure_admin_a)

    form_page = client.get(edit_url(membership))
    assert "Coordinateur du SPIE" not in text(form_page)

    response = client.post(
        edit_url(membership),
        {
            "role": Role.STRUCTURE_ADMIN,
            "job_title": "Cheffe d'équipe",
            "is_orientation_manager": "on",
            "is_coordinator": "on",
        },
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.STRUCTURE_ADMIN
    assert not membership.is_orientation_manager
    assert not membership.is_coordinator
    # Nor can they grant those capabilities to themselves.
    own = structure_admin_a.memberships.get()
    client.post(edit_url(own), {"role": Role.STRUCTURE_ADMIN, "is_coordinator": "on"})
    own.refresh_from_db()
    assert not own.is_coordinator


def test_coordinator_grants_consortium_capabilities(structure_a, coordinator, professional_a):
    membership = professional_a.memberships.get()
    client = logged_in(coordinator)
    assert "Coordinateur du SPIE" in text(client.get(edit_url(membership)))

    client.post(edit_url(membership), {"role": Role.PROFESSIONAL, "is_orientation_manager": "on"})

    membership.refresh_from_db()
    assert membership.is_orientation_manager
    assert not membership.is_coordinator
    assert "chargé d'orientation" in text(logged_in(professional_a).get(HOME_URL))


def test_structure_switcher_changes_the_structure_acted_for(structure_a, structure_b, professional_a):
    other = MembershipFactory(structure=structure_b, user=professional_a, admin=True)
    client = logged_in(professional_a)
    assert client.get(HOME_URL).context["current_membership"].structure == structure_a

    response = client.post(
        reverse("accounts:switch_structure"),
        {"membership": other.public_id, "next": reverse("accounts:structure_list")},
        follow=True,
    )

    assert response.request["PATH_INFO"] == reverse("accounts:structure_list")
    assert "Vous agissez maintenant pour : Mission locale Nord Essonne." in text(response)
    assert response.context["current_membership"] == other
    # It lasts for the session, with the capabilities of that membership.
    home = client.get(HOME_URL)
    assert home.context["current_membership"] == other
    assert "Équipe de Mission locale Nord Essonne" in text(home)


@pytest.mark.parametrize("value", ["someone-else", "pending", "", "pas-un-identifiant"])
def test_structure_switcher_refuses_a_membership_that_is_not_yours(
    structure_a, structure_b, professional_a, professional_b, value
):
    memberships = {
        "someone-else": professional_b.memberships.get().public_id,
        "pending": MembershipFactory(user=professional_a, structure__pending=True).public_id,
        "": "",
        "pas-un-identifiant": "pas-un-identifiant",
    }
    client = logged_in(professional_a)

    response = client.post(reverse("accounts:switch_structure"), {"membership": memberships[value]})

    assert response.status_code == 404
    assert client.get(HOME_URL).context["current_membership"].structure == structure_a


def test_membership_is_unique_per_user_and_structure(structure_a, professional_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=professional_a, structure=structure_a)
