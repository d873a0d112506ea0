"""Creating a person: every mistake is said in French next to its field, the rest is kept; a valid
creation opens the carnet, and the NIR stays encrypted everywhere but on the masked line of the page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog, ChangeLog
from pathway.models import Pathway, TeamMember
from people.identity import mask_nir, nir_hash
from people.models import NameVariant, Person
from tests.entry.posts import in_error, person_data, selected
from tests.pages import input_value, text
from tests.people.factories import make_nir

pytestmark = pytest.mark.django_db

KEPT_INPUTS = ["birth_name", "first_names", "birth_date", "caf_number", "email", "phone", "address", "rsa_since"]
BAD_KEY = make_nir()[:13] + f"{(int(make_nir()[13:]) + 1) % 97:02d}"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param("nir", BAD_KEY, "Ce numéro de sécurité sociale n'est pas valide", id="NIR with a wrong key"),
        pytest.param("nir", "2900591", "Ce numéro de sécurité sociale n'est pas valide", id="NIR too short"),
        pytest.param(
            "nir", make_nir(sex="M"), "Le premier chiffre du NIR ne correspond pas au sexe indiqué.", id="NIR of a man"
        ),
        pytest.param(
            "nir",
            make_nir(birth_date=datetime.date(1991, 5, 17)),
            "L'année de naissance du NIR ne correspond pas à la date de naissance.",
            id="NIR of another year",
        ),
        pytest.param(
            "nir",
            make_nir(birth_date=datetime.date(1990, 11, 17)),
            "Le mois de naissance du NIR ne correspond pas à la date de naissance.",
            id="NIR of another month",
        ),
        pytest.param(
            "birth_date",
            (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "La date de naissance ne peut pas être dans le futur.",
            id="born tomorrow",
        ),
        pytest.param(
            "birth_date",
            "1899-12-31",
            "La date de naissance doit être postérieure au 1er janvier 1900.",
            id="born before 1900",
        ),
        pytest.param("phone", "06 12 34", "Ce numéro de téléphone n'est pas valide.", id="phone too short"),
        pytest.param("phone", "téléphone", "Ce numéro de téléphone n'est pas valide.", id="phone in letters"),
        pytest.param("email", "camille.moreau@", "Saisissez une adresse de courriel valide.", id="email"),
        pytest.param("commune", "75056", "Cette commune n'est pas dans le territoire du service.", id="Paris"),
        pytest.param(
            "caf_number", "12A4567", "Le numéro d'allocataire CAF ne contient que des chiffres.", id="CAF number"
        ),
    ],
)
def test_a_mistake_is_said_next_to_its_field_and_the_rest_is_kept(login, professional_a, field, value, message):
    data = person_data(**{field: value})

    response = login(professional_a).post(reverse("entry:person_create"), data)

    assert response.status_code == 200
    assert message in in_error(response, field)
    for name in KEPT_INPUTS:
        if name != field:
            assert input_value(response, name) == data[name], name
    if field != "commune":
        assert selected(response, "commune") == "91228"
    assert selected(response, "sex") == "F"
    assert not Person.objects.exists()


def test_birth_date_and_nir_mistakes_are_all_said_at_once(login, professional_a):
    data = person_data(nir=make_nir(sex="M", birth_date=datetime.date(1985, 2, 1)))

    response = login(professional_a).post(reverse("entry:person_create"), data)

    error = in_error(response, "nir")
    assert "sexe indiqué" in error
    assert "L'année de naissance du NIR" in error
    assert "Le mois de naissance du NIR" in error


def test_a_valid_creation_opens_the_carnet_with_the_creator_in_the_team(login, professional_a, structure_a):
    client = login(professional_a)
    today = timezone.localdate()

    response = client.post(reverse("entry:person_create"), person_data(entry_date=today.isoformat()))

    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("entry:person_detail", args=[person.public_id])
    pathway = Pathway.objects.get(person=person)
    assert pathway.status == Pathway.Status.ENTERED
    assert pathway.orientation_due_on == today + datetime.timedelta(weeks=6)
    member = TeamMember.objects.get(pathway=pathway)
    assert (member.user, member.structure, member.ended_at) == (professional_a, structure_a, None)
    assert (person.created_by, person.created_for) == (professional_a, structure_a)
    assert person.phone == "+33612345678"
    page = text(client.get(response["Location"]))
    assert "MOREAU Camille Andrée" in page
    assert "Vous faites partie de son équipe." in page
    assert f"Orientation attendue avant le {pathway.orientation_due_on:%d/%m/%Y}" in page


def test_a_creation_runs_the_identity_search_once(login, professional_a):
    """The page searches for duplicates before creating; the action refuses a strong one among the same candidates
    instead of searching again."""
    client = login(professional_a)
    variants, people = NameVariant._meta.db_table, Person._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("entry:person_create"), person_data())

    assert response.status_code == 302
    # A search reads the people through the name variants; remembering the new name's variants reads those alone.
    searches = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip("( ").upper().startswith("SELECT")
        and variants in query["sql"]
        and f'"{people}"' in query["sql"]
    ]
    assert len(searches) == 1, searches


def test_without_rsa_no_orientation_deadline(login, professional_a):
    login(professional_a).post(reverse("entry:person_create"), person_data(rsa_since=""))

    assert Pathway.objects.get().orientation_due_on is None


def test_the_nir_is_stored_encrypted_and_shown_masked_only(login, professional_a):
    nir = make_nir(order=42)
    client = login(professional_a)

    response = client.post(reverse("entry:person_create"), person_data(nir=nir[:1] + " " + nir[1:3] + " " + nir[3:]))

    person = Person.objects.get()
    assert person.nir == nir
    assert person.nir_digest == nir_hash(nir) != nir
    assert person.nir_encrypted and nir not in person.nir_encrypted
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Person._meta.db_table} WHERE id = %s", [person.pk])
        row = cursor.fetchone()
    assert all(nir not in str(value) for value in row)
    detail = client.get(response["Location"])
    page = text(detail)
    assert mask_nir(nir) in page
    for shown in (nir, nir[:13], " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13]])):
        assert shown not in detail.content.decode()
    journals = list(AccessLog.objects.values()) + list(ChangeLog.objects.values())
    assert journals
    assert all(nir not in str(entry) and nir[:13] not in str(entry) for entry in journals)


def test_an_edit_keeps_the_nir_encrypted_in_the_journal(login, professional_a):
    nir = make_nir(order=7)
    client = login(professional_a)
    client.post(reverse("entry:person_create"), person_data())
    person = Person.objects.get()

    client.post(
        reverse("entry:person_edit", args=[person.public_id]), person_data(nir=nir, version=str(person.version))
    )

    person.refresh_from_db()
    assert person.nir == nir
    change = ChangeLog.objects.filter(object_id=str(person.public_id), action=ChangeLog.Action.UPDATE).get()
    assert change.changes["nir_digest"] == ["•••", "•••"]
    assert all(nir not in str(entry) for entry in ChangeLog.objects.values())
