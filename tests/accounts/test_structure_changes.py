"""A structure's kind and intervention zone change only with the coordination's validation.

The zone bounds whom the structure's orientation managers orient: a structure admin who could empty it,
or tick "the whole département", would widen their own reach. Their change waits for a coordinator,
the structure keeping its kind and zone meanwhile; a coordinator's own change applies at once.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Structure
from audit.models import ChangeLog
from territory.models import Commune
from tests.factories import MembershipFactory, StructureFactory
from tests.pages import field_error, text

pytestmark = pytest.mark.django_db

HOME_URL = reverse("home")
LIST_URL = reverse("accounts:structure_list")
WAITING = "Le changement de type ou de zone d'intervention attend la validation de la coordination"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def evry():
    return Commune.objects.get(code="91228")


@pytest.fixture
def massy():
    return Commune.objects.get(code="91377")


@pytest.fixture
def zoned(evry):
    """An association intervening in Évry's EPCI only, with its admin."""
    structure = StructureFactory(name="Tremplin Évry", kind=Structure.Kind.ASSOCIATION, commune=evry)
    structure.zone_epcis.set([evry.epci])
    admin = MembershipFactory(structure=structure, admin=True, user__email="admin.tremplin@exemple.fr").user
    return structure, admin


def edit_data(structure, **overrides):
    data = {
        "name": structure.name,
        "kind": structure.kind,
        "siret": structure.siret,
        "address": structure.address,
        "commune": structure.commune.code,
        "email": structure.email,
        "phone": structure.phone,
        "zone_epcis": [epci.pk for epci in structure.zone_epcis.all()],
        "zone_communes": [commune.pk for commune in structure.zone_communes.all()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit(user, structure, **overrides):
    url = reverse("accounts:structure_edit", args=[structure.public_id])
    return logged_in(user).post(url, edit_data(structure, **overrides), follow=True)


def test_a_structure_admin_emptying_the_zone_does_not_widen_it(zoned, evry, massy):
    structure, admin = zoned

    response = edit(admin, structure, zone_epcis=[], zone_communes=[])

    assert response.status_code == 200
    assert WAITING in text(response)
    structure.refresh_from_db()
    assert list(structure.zone_epcis.all()) == [evry.epci]
    assert structure.covers(evry)
    assert not structure.covers(massy)


def test_a_structure_admin_ticking_the_whole_departement_waits(zoned, evry, massy):
    structure, admin = zoned

    response = edit(admin, structure, zone_epcis=[], covers_departement="on")

    assert WAITING in text(response)
    structure.refresh_from_db()
    assert not structure.covers_departement
    assert not structure.covers(massy)
    change = structure.pending_change()
    assert change.covers_departement and change.requested_by == admin


def test_a_structure_admin_changing_the_kind_waits(zoned):
    structure, admin = zoned

    edit(admin, structure, kind=Structure.Kind.MISSION_LOCALE)

    structure.refresh_from_db()
    assert structure.kind == Structure.Kind.ASSOCIATION
    assert structure.pending_change().kind == Structure.Kind.MISSION_LOCALE


def test_the_other_details_apply_at_once(zoned, massy):
    structure, admin = zoned

    response = edit(admin, structure, name="Tremplin Évry Sud", phone="01 60 00 00 00")

    assert "Les informations de la structure sont enregistrées." in text(response)
    assert WAITING not in text(response)
    structure.refresh_from_db()
    assert structure.name == "Tremplin Évry Sud"
    assert structure.phone == "+33160000000"
    assert structure.pending_change() is None


def test_the_admin_sees_the_change_waiting_and_goes_on_from_it(zoned, evry, massy):
    structure, admin = zoned
    edit(admin, structure, zone_epcis=[], zone_communes=[massy.pk])
    client = logged_in(admin)

    page = text(client.get(reverse("accounts:structure_detail", args=[structure.public_id])))
    assert "Changement de type ou de zone en attente de validation" in page
    assert "Zone d'intervention demandée Massy" in page
    assert f"Zone d'intervention actuelle {evry.epci.name}" in page
    assert "Valider le changement" not in page

    # The form shows the change asked for: saving the name again keeps it.
    form = client.get(reverse("accounts:structure_edit", args=[structure.public_id]))
    assert list(form.context["form"].initial["zone_communes"]) == [massy]
    edit(admin, structure, name="Tremplin", zone_epcis=[], zone_communes=[massy.pk])
    structure.refresh_from_db()
    assert structure.name == "Tremplin"
    assert list(structure.pending_change().zone_communes.all()) == [massy]
    assert structure.changes.count() == 1


def test_asking_for_the_current_zone_again_withdraws_the_change(zoned, evry):
    structure, admin = zoned
    edit(admin, structure, zone_epcis=[])

    edit(admin, structure, zone_epcis=[evry.epci.pk])

    assert structure.pending_change() is None
    assert structure.changes.get().get_status_display() == "retiré par la structure"


def test_the_coordinator_sees_the_change_and_validates_it(zoned, coordinator, evry, massy):
    structure, admin = zoned
    edit(admin, structure, zone_epcis=[], zone_communes=[massy.pk], kind=Structure.Kind.MISSION_LOCALE)
    client = logged_in(coordinator)

    assert "Tremplin Évry" in text(client.get(HOME_URL))
    listed = client.get(LIST_URL, {"statut": "a_valider"})
    assert [s.name for s in listed.context["page"]] == ["Tremplin Évry"]
    assert "changement à valider" in text(listed)
    detail = text(client.get(reverse("accounts:structure_detail", args=[structure.public_id])))
    assert "Type demandé Mission locale (actuellement : Association)" in detail
    assert "Valider le changement" in detail

    response = client.post(
        reverse("accounts:structure_validate", args=[structure.public_id]), {"decision": "valider"}, follow=True
    )

    assert "Le changement est validé" in text(response)
    structure.refresh_from_db()
    assert structure.kind == Structure.Kind.MISSION_LOCALE
    assert list(structure.zone_communes.all()) == [massy]
    assert not structure.zone_epcis.exists()
    assert structure.covers(massy) and not structure.covers(evry)
    change = structure.changes.get()
    assert (change.get_status_display(), change.decided_by) == ("validé", coordinator)
    assert "changement à valider" not in text(client.get(LIST_URL))
    # The journal says who decided.
    decided = ChangeLog.objects.filter(object_id=str(change.public_id), action=ChangeLog.Action.UPDATE).get()
    assert decided.user == coordinator
    assert decided.changes["status"] == ["pending", "accepted"]


def test_the_coordinator_refuses_and_the_admin_reads_why(zoned, coordinator, evry, massy):
    structure, admin = zoned
    edit(admin, structure, zone_epcis=[], covers_departement="on")

    logged_in(coordinator).post(
        reverse("accounts:structure_validate", args=[structure.public_id]),
        {"decision": "refuser", "note": "Votre association intervient à Évry seulement."},
    )

    structure.refresh_from_db()
    assert not structure.covers_departement
    assert list(structure.zone_epcis.all()) == [evry.epci]
    assert not structure.covers(massy)
    page = text(logged_in(admin).get(reverse("accounts:structure_detail", args=[structure.public_id])))
    assert "Changement de type ou de zone refusé" in page
    assert "« Votre association intervient à Évry seulement. »" in page


def test_a_structure_admin_cannot_validate_their_own_change(zoned, evry):
    structure, admin = zoned
    edit(admin, structure, zone_epcis=[])

    response = logged_in(admin).post(
        reverse("accounts:structure_validate", args=[structure.public_id]), {"decision": "valider"}
    )

    assert response.status_code == 403
    assert list(structure.zone_epcis.all()) == [evry.epci]
    assert structure.pending_change() is not None


def test_a_coordinators_own_change_applies_at_once_and_is_recorded(zoned, coordinator, evry, massy):
    structure, _ = zoned

    response = edit(coordinator, structure, zone_epcis=[], zone_communes=[massy.pk])

    assert WAITING not in text(response)
    structure.refresh_from_db()
    assert list(structure.zone_communes.all()) == [massy]
    assert structure.covers(massy) and not structure.covers(evry)
    change = structure.changes.get()
    assert (change.get_status_display(), change.requested_by, change.decided_by) == (
        "validé",
        coordinator,
        coordinator,
    )


def test_an_empty_zone_covers_no_one(zoned, coordinator, evry, massy):
    structure, _ = zoned

    edit(coordinator, structure, zone_epcis=[], zone_communes=[])

    structure.refresh_from_db()
    assert not structure.covers(evry) and not structure.covers(massy)
    page = text(logged_in(coordinator).get(reverse("accounts:structure_detail", args=[structure.public_id])))
    assert "Zone d'intervention Aucune zone d'intervention" in page


def test_the_whole_departement_is_said_and_excludes_a_list(zoned, coordinator, evry):
    structure, _ = zoned

    refused = logged_in(coordinator).post(
        reverse("accounts:structure_edit", args=[structure.public_id]),
        edit_data(structure, covers_departement="on"),
    )
    assert field_error(refused, "covers_departement") == (
        "Cochez « tout le département » ou choisissez des EPCI et des communes, pas les deux."
    )

    edit(coordinator, structure, covers_departement="on", zone_epcis=[])
    structure.refresh_from_db()
    assert structure.covers_departement
    assert structure.covers(Commune.objects.get(code="91477"))  # Palaiseau, far from Évry


def test_a_decision_twice_is_said_once(zoned, coordinator):
    structure, admin = zoned
    edit(admin, structure, zone_epcis=[])
    client = logged_in(coordinator)
    url = reverse("accounts:structure_validate", args=[structure.public_id])
    client.post(url, {"decision": "refuser"})

    response = client.post(url, {"decision": "valider"}, follow=True)

    assert "n'a pas de changement en attente" in text(response)
    structure.refresh_from_db()
    assert structure.zone_epcis.exists()


def test_only_the_coordination_sees_which_structures_have_a_change_waiting(zoned, professional_b):
    structure, admin = zoned
    edit(admin, structure, zone_epcis=[])

    listed = logged_in(professional_b).get(LIST_URL, {"statut": "a_valider"})

    assert list(listed.context["page"]) == []
    assert "changement à valider" not in text(logged_in(professional_b).get(LIST_URL))
