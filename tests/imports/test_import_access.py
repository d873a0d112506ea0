"""What an import may change and show: need-to-know. An association's admin imports their list; the people on file
they may not see are neither changed, nor named, nor offered as candidates. The Département's own coordinators and
orientation managers match against everyone (the RSA's lists are theirs)."""

import datetime

import pytest
from django.urls import reverse

from imports import actions
from imports.engine import CLOSE_TO_SOMEONE_ELSES, SOMEONE_ELSES
from imports.models import ImportRow, ImportRun
from people.models import Person
from relais.actions import ActionError
from tests.imports.helpers import csv_bytes, rsa_row, run_import
from tests.people.factories import PersonFactory, make_nir

pytestmark = pytest.mark.django_db

BORN = datetime.date(1988, 3, 14)


@pytest.fixture
def association_admin(structure_admin_a):
    return structure_admin_a.memberships.get()


@pytest.fixture
def someone_elses():
    """A person on file whom the association does not follow."""
    return PersonFactory(
        birth_name="MARTINEZ", first_names="Sofia", birth_date=BORN, sex="F", nir=make_nir("F", BORN), phone=""
    )


def report(run):
    return [(row.line, row.outcome, row.person_id, row.reason) for row in run.rows.order_by("line")]


def test_a_person_the_importer_may_not_see_is_neither_changed_nor_named(association_admin, someone_elses):
    run = run_import(csv_bytes([rsa_row(NIR=make_nir("F", BORN))]), membership=association_admin)
    assert report(run) == [(2, "rejected", None, SOMEONE_ELSES)]
    someone_elses.refresh_from_db()
    assert someone_elses.phone == ""  # the file's phone number was not written


def test_a_likely_duplicate_of_someone_the_importer_may_not_see_is_not_set_aside(association_admin, someone_elses):
    run = run_import(csv_bytes([rsa_row(NOM="MARTINES")]), membership=association_admin)
    assert report(run) == [(2, "rejected", None, CLOSE_TO_SOMEONE_ELSES)]
    assert Person.objects.count() == 1


def test_the_people_a_structure_sent_itself_are_updated_by_its_next_list(association_admin):
    run_import(csv_bytes([rsa_row()]), membership=association_admin)
    again = run_import(csv_bytes([rsa_row(TELEPHONE="07 81 22 33 44")]), membership=association_admin)
    assert [(line, outcome) for line, outcome, _, _ in report(again)] == [(2, "updated")]
    assert Person.objects.get().phone == "+33781223344"


def test_the_departement_matches_its_list_against_everyone(orientation_manager, someone_elses):
    manager = orientation_manager.memberships.get()
    run = run_import(csv_bytes([rsa_row(NIR=make_nir("F", BORN))]), membership=manager)
    assert report(run) == [(2, "updated", someone_elses.pk, "")]


def test_the_review_shows_only_the_candidates_the_importer_may_reach(login, association_admin, someone_elses):
    """Should who may see whom change after the import, the review screen follows."""
    own = run_import(csv_bytes([rsa_row(NOM="MARTINEZ", PRENOMS="Sofiane")]), membership=association_admin)
    assert own.created == 1
    typo = rsa_row(NOM="MARTINES", PRENOMS="Sofiane", NUM_ALLOCATAIRE="0999999")
    run = run_import(csv_bytes([typo]), membership=association_admin)
    assert run.set_aside == 1
    row = run.rows.get()
    row.candidates = [*row.candidates, {"id": str(someone_elses.public_id), "score": 90}]
    row.save()
    page = login(association_admin.user).get(reverse("imports:review", args=[run.public_id])).content.decode()
    assert "Sofiane" in page and "SOFIA" not in page.upper().replace("SOFIANE", "")
    assert someone_elses.dossier_number not in page
    with pytest.raises(ActionError):
        actions.decide_row(row, by=association_admin, same_as=someone_elses.public_id)


def test_the_rows_of_a_dry_run_are_not_decided(login, orientation_manager, someone_elses):
    manager = orientation_manager.memberships.get()
    run = run_import(csv_bytes([rsa_row(NOM="MARTINES")]), membership=manager, apply=False)
    row = run.rows.get(outcome=ImportRow.Outcome.SET_ASIDE)
    with pytest.raises(ActionError, match="Une simulation n'écrit rien"):
        actions.decide_row(row, by=manager)
    client = login(orientation_manager)
    assert client.get(reverse("imports:review", args=[run.public_id])).status_code == 404
    response = client.post(reverse("imports:decide", args=[row.public_id]), {"decision": "autre"})
    assert response.status_code == 302 and Person.objects.count() == 1
    assert ImportRun.objects.get().set_aside == 1
