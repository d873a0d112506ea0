"""Orientation commissions: a session, the people examined, every decision recorded in one pass (a wrong
line is said and the others are kept), and the minutes."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog
from entry.models import Commission, Orientation
from pathway.models import Pathway
from tests.entry.factories import OrientationFactory
from tests.factories import MembershipFactory
from tests.pages import text
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commission(login, orientation_manager, departement):
    client = login(orientation_manager)
    response = client.post(
        reverse("entry:commission_list"), {"title": "Commission d'orientation", "held_on": "2026-03-12"}
    )
    commission = Commission.objects.get()
    assert response["Location"] == reverse("entry:commission_detail", args=[commission.public_id])
    return commission


@pytest.fixture
def examined(client, commission, membership_a, propose):
    """Four people: three with a proposal (professional, social, professional), one without diagnostic."""
    people = [
        PersonFactory(birth_name=name, first_names="Alex", rsa=True, followed_by=membership_a)
        for name in ("Arnaud", "Bernard", "Carpentier", "Durand")
    ]
    for person, pathway in zip(people, ["professional", "social", "professional"], strict=False):
        propose(person, membership_a, pathway)
    response = client.post(
        reverse("entry:commission_detail", args=[commission.public_id]),
        {"action": "ajouter", "personnes": [str(person.public_id) for person in people]},
        follow=True,
    )
    assert "4 personne(s) ajoutée(s) à la séance." in text(response)
    return people


def line(person, pathway="", structure=None, reason=""):
    key = person.public_id
    return {f"parcours-{key}": pathway, f"structure-{key}": structure.pk if structure else "", f"motif-{key}": reason}


def test_a_session_is_created_for_the_managers_structure(commission, orientation_manager, departement, client):
    assert (commission.title, commission.held_on) == ("Commission d'orientation", datetime.date(2026, 3, 12))
    assert (commission.structure, commission.created_by) == (departement, orientation_manager)
    page = text(client.get(reverse("entry:commission_list")))
    assert "Commission d'orientation 12/03/2026" in page


def test_the_people_to_examine_are_listed_with_their_proposal(examined, commission, client):
    page = text(client.get(reverse("entry:commission_detail", args=[commission.public_id])))

    assert "ARNAUD Alex" in page
    assert "BERNARD Alex" in page
    assert "Diagnostic à faire avant de décider." in page
    assert commission.persons.count() == 4


def test_decisions_of_the_session_in_one_pass(examined, commission, client, structure_a, structure_b):
    arnaud, bernard, carpentier, durand = examined
    data = {
        "action": "decider",
        **line(arnaud, "professional", structure_b),
        **line(bernard, "professional", structure_a),
        **line(carpentier, "socio_professional", structure_b, "Besoin d'un accompagnement global."),
        **line(durand, "social", structure_b),
    }

    response = client.post(reverse("entry:commission_detail", args=[commission.public_id]), data, follow=True)

    page = text(response)
    assert "2 décision(s) enregistrée(s)." in page
    assert f"{bernard} : motif obligatoire quand la décision diffère de la proposition." in page
    assert f"{durand} : aucune orientation proposée (diagnostic à faire) ou déjà décidée." in page
    decided = {o.person: o for o in Orientation.objects.filter(commission=commission)}
    assert set(decided) == {arnaud, carpentier}
    assert decided[carpentier].pathway_type == "socio_professional"
    assert decided[carpentier].decision_reason == "Besoin d'un accompagnement global."
    assert Orientation.objects.get(person=bernard).status == Orientation.Status.PROPOSED
    assert Pathway.objects.get(person=bernard).status == Pathway.Status.ENTERED
    assert Pathway.objects.get(person=arnaud).referent_structure == structure_b

    minutes = text(client.get(reverse("entry:commission_minutes", args=[commission.public_id])))
    assert "2 décisions." in minutes
    assert "ARNAUD Alex" in minutes and "CARPENTIER Alex" in minutes
    assert "BERNARD Alex" not in minutes
    assert "socio-professionnel Mission locale Nord Essonne Besoin d'un accompagnement global." in minutes


def test_a_line_without_structure_is_said(examined, commission, client):
    arnaud = examined[0]

    response = client.post(
        reverse("entry:commission_detail", args=[commission.public_id]),
        {"action": "decider", **line(arnaud, "professional")},
        follow=True,
    )

    assert f"{arnaud} : choisissez un parcours et un organisme référent." in text(response)
    assert Orientation.objects.get(person=arnaud).status == Orientation.Status.PROPOSED


def test_the_people_read_are_logged(examined, commission, client, orientation_manager, departement):
    waiting = PersonFactory(birth_name="Enattente", first_names="Alex")

    page = text(client.get(reverse("entry:commission_detail", args=[commission.public_id])))

    assert "ENATTENTE Alex" in page
    for person in [*examined, waiting]:
        log = AccessLog.objects.filter(object_id=str(person.public_id)).first()
        assert (log.user, log.structure, log.detail) == (orientation_manager, departement, f"commission {commission}")


def test_another_structure_does_not_see_the_session(commission, login):
    other = MembershipFactory(orientation_manager=True)
    client = login(other.user)

    assert client.get(reverse("entry:commission_detail", args=[commission.public_id])).status_code == 404
    assert "Commission d'orientation du" not in text(client.get(reverse("entry:commission_list")))


def test_a_professional_is_refused(commission, login, professional_a):
    client = login(professional_a)

    assert client.get(reverse("entry:commission_list")).status_code == 403
    assert client.get(reverse("entry:commission_detail", args=[commission.public_id])).status_code == 403
    assert client.get(reverse("entry:commission_minutes", args=[commission.public_id])).status_code == 403


@pytest.mark.parametrize("count", [3, 15])
def test_the_minutes_query_count_is_bounded(
    commission, client, orientation_manager, structure_b, count, django_assert_max_num_queries
):
    for _ in range(count):
        OrientationFactory(
            status=Orientation.Status.DECIDED,
            pathway_type="professional",
            referent_structure=structure_b,
            decided_by=orientation_manager,
            decided_at=timezone.now(),
            commission=commission,
        )

    with django_assert_max_num_queries(10):
        response = client.get(reverse("entry:commission_minutes", args=[commission.public_id]))

    assert f"{count} décisions." in text(response)


@pytest.mark.parametrize("count", [2, 12])
def test_the_session_list_query_count_is_bounded(login, manager, examined, count, django_assert_max_num_queries):
    for index in range(count):
        Commission.objects.create(
            title=f"Séance {index}",
            held_on=datetime.date(2026, 1, 1),
            structure=manager.structure,
            created_by=manager.user,
        ).persons.add(*examined)
    client = login(manager.user)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("entry:commission_list"))

    page = text(response)
    assert all(f"Séance {index} 01/01/2026 4" in page for index in range(count))


def test_one_row_s_error_keeps_every_other_row_s_input(examined, commission, client, structure_a, structure_b):
    """A row in error is shown next to its row; the rows not decided keep what was typed, the decided ones are done."""
    arnaud, bernard, carpentier, durand = examined
    data = {
        "action": "decider",
        **line(arnaud, "professional", structure_b),
        **line(bernard, "professional", structure_a),  # differs from the proposal without a reason
        **line(carpentier, "", None, "À revoir à la prochaine séance"),  # only a reason typed: kept, not decided
    }

    response = client.post(reverse("entry:commission_detail", args=[commission.public_id]), data)

    assert response.status_code == 200
    body = response.content.decode()
    page = text(response)
    assert "1 décision(s) enregistrée(s)." in page
    assert "1 décision non enregistrée" in page
    assert f"{bernard} : motif obligatoire quand la décision diffère de la proposition." in page
    assert f'id="erreur-{bernard.public_id}"' in body
    assert (
        '<option value="professional" selected>'
        in body.split(f'name="parcours-{bernard.public_id}"')[1].split("</select>")[0]
    )
    structure_select = body.split(f'name="structure-{bernard.public_id}"')[1].split("</select>")[0]
    assert f'<option value="{structure_a.pk}" selected>' in structure_select
    assert 'value="À revoir à la prochaine séance"' in body
    assert Orientation.objects.get(person=arnaud).status == Orientation.Status.DECIDED
    assert Orientation.objects.get(person=bernard).status == Orientation.Status.PROPOSED

    # Corrected, the row is recorded: the others' input was there to send again.
    data = {"action": "decider", **line(bernard, "professional", structure_a, "Projet professionnel précis.")}
    response = client.post(reverse("entry:commission_detail", args=[commission.public_id]), data)
    assert response.status_code == 302
    assert Orientation.objects.get(person=bernard).status == Orientation.Status.DECIDED
